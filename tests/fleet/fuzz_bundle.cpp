// Fuzz target over everything a kiosk reads from the fleet channel: the settings document parser, the bundle
// verifier (CMS, certificates, CRLs, then the document) and the root rotation verifier, all fed the same
// bytes. The trust state is the pinned set of the seed corpus (tests/fleet/fuzz-roots.pem) at the corpus's
// time (KIOSK_FLEET_FUZZ_TIME), so a seed bundle is accepted whole and its mutations reach every check.
// Properties: no crash, no hang, no sanitizer report; a refusal has a reason and a sentence; what is
// accepted satisfies the ranges the document promises.
//
// Built into the corpus test fleet_fuzz_corpus (tests/fleet/CMakeLists.txt) with the platform's corpus driver
// over the seeds in tests/fleet/corpus and their mutations. Like tests/platform/fuzz/fuzz_config.cpp it has
// no libFuzzer build: the library uses C++23's <expected>, which Debian's clang 14 cannot compile against
// libstdc++ 12. The corpus is written by `fleet_test --no-skip -tc="corpus: write*"`.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "fleet/roots.hpp"
#include "fleet/settings.hpp"
#include "fleet/trust.hpp"

namespace {

const fleet::TrustState& pinned() {
  static const fleet::TrustState state = [] {
    auto roots = fleet::load_root_set_pem(KIOSK_FLEET_FUZZ_ROOTS, 2);
    if (!roots) std::abort();
    return fleet::TrustState::initial(*roots);
  }();
  return state;
}

void check_refusal(const fleet::Refused& r) {
  if (r.sentence().empty() || fleet::code(r.reason) == "fleet.unknown") std::abort();
}

void check_settings(const fleet::Settings& s) {
  if (s.idle_timeout_s < 30 || s.idle_timeout_s > 600 || s.session_timeout_s < 60 ||
      s.session_timeout_s > 3600 || s.config_poll_s < 60 || s.heartbeat_s < 30 ||
      s.journal_retention_days < 30 || s.languages.empty())
    std::abort();
  for (const auto& [brand, module] : s.brand_modules)
    if (module.empty() || module.find('/') != std::string::npos) std::abort();
  for (const auto& day : s.service_hours.days)
    for (const auto& i : day)
      if (i.start_min >= i.end_min || i.end_min > 1440) std::abort();
}

void check_document(const fleet::Document& d, const fleet::KioskPlace& here) {
  if (d.version < 1 || d.targets.empty() || d.layers.empty() || d.schema != fleet::kSchemaVersion)
    std::abort();
  for (const auto& l : d.layers)
    if (l.sha256_hex.size() != 64 || l.version < 1) std::abort();
  check_settings(fleet::effective_settings({}, d, here));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const fleet::KioskPlace here{"K01", "H001", "NMG"};
  const std::chrono::sys_seconds at{std::chrono::seconds{KIOSK_FLEET_FUZZ_TIME}};

  if (auto d = fleet::parse_document(text))
    check_document(*d, here);
  else
    check_refusal(d.error());

  if (auto v = fleet::verify_bundle(bytes, pinned(), here, at)) {
    check_document(v->document, here);
    if (v->signers.empty() || !v->document.target_for(here) ||
        v->document.expires_at <= KIOSK_FLEET_FUZZ_TIME)
      std::abort();
    if (v->document.fleet_wide() && v->signers.size() < 2) std::abort();
    fleet::TrustState next = fleet::next_state(pinned(), *v, here);
    if (!next.applied || next.applied->version != v->document.version) std::abort();
  } else {
    check_refusal(v.error());
  }

  if (auto r = fleet::verify_rotation(pinned().roots.current, bytes)) {
    if (r->sequence != 2 || r->roots.empty()) std::abort();
  } else {
    check_refusal(r.error());
  }
  return 0;
}
