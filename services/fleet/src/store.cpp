#include "fleet/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "foundation/base64.hpp"
#include "json_reader.hpp"

namespace fleet {

namespace {

using detail::json;

// Named crash points for the tests that SIGKILL a writer at every step (tests/fleet/store_test.cpp), with
// the convention of the kiosk's runtime (docs/testing.md): KIOSK_CRASH_AT=<name> in the environment kills
// the process there with SIGKILL, a power cut as far as the files can tell. Without it, nothing; the package
// build (KIOSK_TEST_HOOKS=OFF) compiles it out.
void crash_point([[maybe_unused]] std::string_view name) {
#if KIOSK_TEST_HOOKS
  const char* at = std::getenv("KIOSK_CRASH_AT");
  if (at && name == at) std::raise(SIGKILL);
#endif
}

std::unexpected<StoreError> io_error(std::string what) {
  return std::unexpected(StoreError{StoreError::Kind::Io, what + ": " + std::strerror(errno)});
}

json bytes_json(const foundation::Bytes& b) {
  return foundation::base64_encode(b);
}

json applied_json(const std::optional<AppliedBundle>& a) {
  if (!a) return nullptr;
  return {{"version", a->version}, {"content_sha256", a->content_sha256}, {"bundle", bytes_json(a->bundle)}};
}

json root_set_json(const RootSet& r) {
  json roots = json::array();
  for (const auto& der : r.roots) roots.push_back(bytes_json(der));
  return {{"sequence", r.sequence}, {"threshold", r.threshold}, {"roots", roots}};
}

std::string serialise(const TrustState& s) {
  json rotations = json::array();
  for (const auto& r : s.roots.rotations) rotations.push_back(bytes_json(r));
  json layers = json::object();
  for (const auto& [scope, mark] : s.layers)
    layers[scope] = {{"version", mark.version}, {"sha256", mark.sha256_hex}};
  json doc = {{"format", 1},
              {"roots", {{"installed", root_set_json(s.roots.installed)}, {"rotations", rotations}}},
              {"crl_numbers", s.crl_numbers},
              {"applied", applied_json(s.applied)},
              {"previous", applied_json(s.previous)},
              {"layers", layers}};
  return doc.dump(1) + "\n";
}

foundation::Bytes read_bytes(const json& v, const std::string& field) {
  auto b = foundation::base64_decode(detail::read_string(v, field));
  if (!b) detail::malformed(field, "not base64");
  return *b;
}

std::optional<AppliedBundle> read_applied(const json& v, const std::string& field) {
  if (v.is_null()) return std::nullopt;
  detail::ObjectReader r(v, field);
  AppliedBundle a;
  a.version = detail::read_int(r.required("version"), r.path("version"), 1, INT64_MAX);
  a.content_sha256 = detail::read_string(r.required("content_sha256"), r.path("content_sha256"));
  a.bundle = read_bytes(r.required("bundle"), r.path("bundle"));
  r.finish();
  return a;
}

RootSet read_root_set(const json& v, const std::string& field) {
  detail::ObjectReader r(v, field);
  RootSet set;
  set.sequence =
      static_cast<std::uint64_t>(detail::read_int(r.required("sequence"), r.path("sequence"), 1, INT64_MAX));
  set.threshold =
      static_cast<int>(detail::read_int(r.required("threshold"), r.path("threshold"), 1, kMaxRoots));
  const json& roots = detail::read_array(r.required("roots"), r.path("roots"), 1, kMaxRoots);
  for (std::size_t i = 0; i < roots.size(); ++i)
    set.roots.push_back(read_bytes(roots[i], detail::index_path(r.path("roots"), i)));
  r.finish();
  return set;
}

// The file's content into a state (its root chain not yet checked).
TrustState parse_state(std::string_view text, RootSet& stored_installed) {
  json doc = detail::parse_strict(text, kMaxStateBytes, 6);
  detail::ObjectReader r(doc, "");
  if (detail::read_int(r.required("format"), "format", 1, 1) != 1) detail::malformed("format", "unknown");
  TrustState s;
  detail::ObjectReader roots(r.required("roots"), "roots");
  stored_installed = read_root_set(roots.required("installed"), "roots.installed");
  const json& rotations = detail::read_array(roots.required("rotations"), "roots.rotations", 0, 10'000);
  for (std::size_t i = 0; i < rotations.size(); ++i)
    s.roots.rotations.push_back(read_bytes(rotations[i], detail::index_path("roots.rotations", i)));
  roots.finish();
  const json& crls = r.required("crl_numbers");
  if (!crls.is_object()) detail::malformed("crl_numbers", "must be an object");
  for (const auto& [root, n] : crls.items())
    s.crl_numbers[root] = detail::read_int(n, "crl_numbers." + root, 0, INT64_MAX);
  s.applied = read_applied(r.required("applied"), "applied");
  s.previous = read_applied(r.required("previous"), "previous");
  const json& layers = r.required("layers");
  if (!layers.is_object()) detail::malformed("layers", "must be an object");
  for (const auto& [scope, mark] : layers.items()) {
    detail::ObjectReader m(mark, "layers." + scope);
    LayerMark lm;
    lm.version = detail::read_int(m.required("version"), m.path("version"), 1, INT64_MAX);
    lm.sha256_hex = detail::read_string(m.required("sha256"), m.path("sha256"));
    m.finish();
    s.layers[scope] = lm;
  }
  r.finish();
  return s;
}

bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool fsync_path(const std::filesystem::path& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::expected<TrustState, StoreError> load_state(const std::filesystem::path& dir, const RootSet& installed) {
  const std::filesystem::path file = dir / kStateFileName;
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return TrustState::initial(installed);
    return io_error("cannot open " + file.string());
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return io_error("cannot read " + file.string());
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxStateBytes) break;
  }
  ::close(fd);
  TrustState s;
  RootSet stored_installed;
  try {
    s = parse_state(text, stored_installed);
  } catch (const detail::Stop& stop) {
    return std::unexpected(
        StoreError{StoreError::Kind::Corrupt, file.string() + ": " + stop.refused.sentence()});
  }
  // The chain again from the pinned set: the stored rotations must still follow it.
  auto chain = advance(RootChain::from_installed(installed), s.roots.rotations);
  if (!chain)
    return std::unexpected(
        StoreError{StoreError::Kind::Corrupt, file.string() +
                                                  ": the stored root rotations do not follow the "
                                                  "pinned roots: " +
                                                  chain.error().sentence()});
  if (stored_installed != installed && chain->current.sequence < stored_installed.sequence)
    return std::unexpected(
        StoreError{StoreError::Kind::Corrupt,
                   file.string() + ": the pinned roots are older than those this state was kept under"});
  s.roots = std::move(*chain);
  return s;
}

std::expected<void, StoreError> save_state(const std::filesystem::path& dir, const TrustState& state) {
  const std::string text = serialise(state);
  const std::filesystem::path file = dir / kStateFileName;
  const std::filesystem::path tmp = dir / (std::string(kStateFileName) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create " + tmp.string());
  const std::size_t half = text.size() / 2;
  bool ok = write_all(fd, text.data(), half);
  crash_point("fleet.state.tmp_half_written");
  ok = ok && write_all(fd, text.data() + half, text.size() - half);
  crash_point("fleet.state.tmp_written");
  ok = ok && ::fsync(fd) == 0;
  crash_point("fleet.state.tmp_synced");
  if (::close(fd) != 0) ok = false;
  if (!ok) {
    auto e = io_error("cannot write " + tmp.string());
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    auto e = io_error("cannot rename " + tmp.string() + " over " + file.string());
    ::unlink(tmp.c_str());
    return e;
  }
  crash_point("fleet.state.renamed");
  // The rename is durable only once the directory is.
  if (!fsync_path(dir, O_RDONLY | O_DIRECTORY)) return io_error("cannot fsync " + dir.string());
  crash_point("fleet.state.dir_synced");
  return {};
}

std::expected<TrustState, StoreError> apply(const std::filesystem::path& dir, const TrustState& state,
                                            const Verified& v, const KioskPlace& here) {
  TrustState next = next_state(state, v, here);
  if (auto saved = save_state(dir, next); !saved) return std::unexpected(saved.error());
  return next;
}

}  // namespace fleet
