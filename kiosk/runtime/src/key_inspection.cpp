// The key-reader test (runtime/device_tests.hpp): any KEY, read without a login.
#include <set>

#include "mapping.hpp"
#include "runtime/device_tests.hpp"
#include "token/session.hpp"

namespace runtime {

namespace {

token::Result<core::KeyReport> read_key_report(const token::Module& module, CK_SLOT_ID slot,
                                               const KioskConfig& config) {
  core::KeyReport r;
  r.module = module.path().string();
  auto lib = module.info();
  if (!lib) return std::unexpected(lib.error());
  r.library_version = lib->library_version;
  auto info = module.token_info(slot);
  if (!info) return std::unexpected(info.error());
  r.token = info->identity;
  if (const BrandConfig* b = config.brand_for_token(info->identity.manufacturer, info->identity.model))
    r.brand_id = b->id;
  r.pin = to_core(info->pin);
  auto mechanisms = module.mechanisms(slot);
  if (!mechanisms) return std::unexpected(mechanisms.error());
  for (const auto& m : mechanisms->list) r.mechanisms.push_back(token::mechanism_name(m.type));
  // Read-only: the test changes nothing on whatever KEY it is given.
  auto session = token::Session::open(module, slot, token::SessionMode::ReadOnly);
  if (!session) return std::unexpected(session.error());
  auto certs = session->certificates();
  if (!certs) return std::unexpected(certs.error());
  for (const auto& c : *certs) r.certificates.push_back(to_core(c));
  return r;
}

std::unexpected<KeyTestError> key_test_error(const token::Error& e) {
  return std::unexpected(KeyTestError{std::string(e.message_key()), e.to_string()});
}

}  // namespace

std::expected<core::KeyReport, KeyTestError> inspect_key(const KioskConfig& config) {
  std::optional<token::Error> load_error;
  std::set<std::string> seen;
  std::vector<token::Module> modules;
  for (const auto& brand : config.brands) {
    if (!seen.insert(brand.module.string()).second) continue;
    auto m = token::Module::load(brand.module);
    if (!m) {
      if (!load_error) load_error = m.error();
      continue;
    }
    modules.push_back(std::move(*m));
  }
  if (modules.empty() && load_error) return key_test_error(*load_error);
  const token::Module* found_module = nullptr;
  CK_SLOT_ID found_slot = 0;
  bool found_configured = false;
  for (const auto& m : modules) {
    if (found_configured) break;
    auto tokens = m.tokens();
    if (!tokens) continue;  // a module that cannot list its slots has no KEY to show
    for (const auto& t : *tokens) {
      const bool configured = config.brand_for_token(t.identity.manufacturer, t.identity.model) != nullptr;
      if (found_module == nullptr || configured) {
        found_module = &m;
        found_slot = t.slot;
      }
      if (configured) {
        found_configured = true;
        break;
      }
    }
  }
  if (found_module == nullptr)
    return key_test_error(
        token::make_error(token::ErrorCode::TokenAbsent, "no KEY in any configured module"));
  auto report = read_key_report(*found_module, found_slot, config);
  if (!report) return key_test_error(report.error());
  return std::move(*report);
}

}  // namespace runtime
