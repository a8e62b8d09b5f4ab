// The trust state on disk: round trip, a corrupt file refused (never a fresh start), and a writer killed
// with SIGKILL at every step of apply() — a real child process, killed at the named crash points — leaving
// the old state or the new, never a mix.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "fleet_fixture.hpp"

using namespace fleettest;

namespace {

// Runs apply() in a child with KIOSK_CRASH_AT=`point` (none: no crash); the child's wait status.
int apply_in_child(const std::filesystem::path& dir, const fleet::TrustState& state, const fleet::Verified& v,
                   const fleet::KioskPlace& here, const char* point) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (point) ::setenv("KIOSK_CRASH_AT", point, 1);
    auto r = fleet::apply(dir, state, v, here);
    ::_exit(r ? 0 : 3);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return status;
}

}  // namespace

TEST_CASE("store: SIGKILL at every step of apply leaves the old state or the new, never a mix") {
  fleetpki::FleetPki pki(wall_now());
  Kiosk k(pki, kK01);
  REQUIRE(k.offer(pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin}), pki.now));
  const fleet::TrustState old_state = k.state;
  const std::string old_file = k.file();
  auto crl6 = fleetpki::make_crl(pki.root_a, 6, {&pki.revoked}, pki.now - 1h, pki.now + 24h);
  json next_doc = hall_document(11, pki.now, {{"idle_timeout_s", 50}});
  next_doc["layers"][1]["version"] = 2;
  auto v = fleet::verify_bundle(pki.sign(next_doc.dump(), {&pki.hall_admin}, crl6.get()), old_state, kK01,
                                pki.now);
  REQUIRE(v);
  const fleet::TrustState new_state = fleet::next_state(old_state, *v, kK01);
  REQUIRE(new_state != old_state);

  struct Point {
    const char* name;
    bool new_after;  // the state on disk once killed there
  };
  const Point points[] = {{"fleet.state.tmp_half_written", false},
                          {"fleet.state.tmp_written", false},
                          {"fleet.state.tmp_synced", false},
                          {"fleet.state.renamed", true},
                          {"fleet.state.dir_synced", true}};
  for (const auto& p : points) {
    CAPTURE(p.name);
    REQUIRE(fleet::save_state(k.dir.path, old_state));
    int status = apply_in_child(k.dir.path, old_state, *v, kK01, p.name);
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    auto loaded = fleet::load_state(k.dir.path, k.installed);
    REQUIRE_MESSAGE(loaded, loaded.error().message);
    const bool is_old = *loaded == old_state, is_new = *loaded == new_state;
    CHECK(is_old != is_new);
    CHECK(is_new == p.new_after);
    if (!p.new_after) CHECK(k.file() == old_file);  // byte for byte
  }

  // Killed with the temporary file half written, then run to the end: the leftover is replaced.
  REQUIRE(fleet::save_state(k.dir.path, old_state));
  REQUIRE(WIFSIGNALED(apply_in_child(k.dir.path, old_state, *v, kK01, "fleet.state.tmp_half_written")));
  CHECK(std::filesystem::exists(k.dir.path / "trust-state.json.tmp"));
  int status = apply_in_child(k.dir.path, old_state, *v, kK01, nullptr);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(std::filesystem::exists(k.dir.path / "trust-state.json.tmp"));
  auto loaded = fleet::load_state(k.dir.path, k.installed);
  REQUIRE(loaded);
  CHECK(*loaded == new_state);
  CHECK(loaded->previous == old_state.applied);
  CHECK(loaded->layers.at("hall:H001").version == 2);
  CHECK(loaded->crl_numbers.begin()->second == 6);
}

TEST_CASE("store: a missing file is the initial state; a corrupt one is an error, never a fresh start") {
  fleetpki::FleetPki pki(wall_now());
  TempDir dir;
  auto fresh = fleet::load_state(dir.path, pki.root_set());
  REQUIRE(fresh);
  CHECK(*fresh == fleet::TrustState::initial(pki.root_set()));

  Kiosk k(pki, kK01);
  REQUIRE(k.offer(pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin}), pki.now));
  const std::string good = k.file();
  const std::filesystem::path file = k.dir.path / fleet::kStateFileName;
  for (const std::string& bad : {good.substr(0, good.size() / 2), std::string("{}"), std::string("garbage"),
                                 std::string(), good + "{}"}) {
    fleetpki::write_file(file, bad);
    auto s = fleet::load_state(k.dir.path, k.installed);
    REQUIRE_FALSE(s);
    CHECK(s.error().kind == fleet::StoreError::Kind::Corrupt);
    CHECK_FALSE(s.error().message.empty());
  }
  json tampered = json::parse(good);
  tampered["applied"]["bundle"] = "not base64!";
  fleetpki::write_file(file, tampered.dump());
  CHECK(fleet::load_state(k.dir.path, k.installed).error().kind == fleet::StoreError::Kind::Corrupt);

  auto io = fleet::save_state(k.dir.path / "no-such-directory", k.state);
  REQUIRE_FALSE(io);
  CHECK(io.error().kind == fleet::StoreError::Kind::Io);
}

TEST_CASE("store: the state round-trips, the previous bundle kept for a return to the last known good") {
  fleetpki::FleetPki pki(wall_now());
  Kiosk k(pki, kK01);
  Bytes b10 = pki.sign(hall_document(10, pki.now).dump(), {&pki.hall_admin});
  REQUIRE(k.offer(b10, pki.now));
  REQUIRE(k.offer(pki.sign(hall_document(11, pki.now).dump(), {&pki.hall_admin}), pki.now));
  fleet::TrustState s = k.reloaded();
  CHECK(s == k.state);
  REQUIRE(s.previous);
  CHECK(s.previous->version == 10);
  CHECK(s.previous->bundle == b10);
  CHECK(s.applied->version == 11);
  // The file is private to the kiosk's service.
  auto perms = std::filesystem::status(k.dir.path / fleet::kStateFileName).permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
}
