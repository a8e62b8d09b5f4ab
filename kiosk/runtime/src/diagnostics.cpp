// The diagnostics bundle (docs/staff.md, "The diagnostics bundle"): what the CA's support needs to judge a
// kiosk from afar, in one JSON document, with nothing personal beyond masked phone numbers. Built from
// what staff see: the status items, the out-of-service sources, the event log's newest events (masked by
// the log), the configuration, the journal's check and the business that needs someone.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "kiosk_version.hpp"
#include "runtime/platform_options.hpp"
#include "runtime/staff_text.hpp"
#include "runtime_impl.hpp"
#include "staff_status.hpp"
#include "staffchan/protocol.hpp"

namespace runtime {
namespace {

using Json = nlohmann::json;

constexpr int kDiagnosticsSchema = 1;
constexpr std::size_t kDiagnosticsEvents = 200;  // the newest events of the log's ring
constexpr std::size_t kDiagnosticsBusiness = 200;

Json event_json(const events::Event& e) {
  return {{"time_ms", e.time_ms},     {"level", events::to_string(e.level)},
          {"component", e.component}, {"business", e.business},
          {"step", e.step},           {"code", e.code},
          {"message", e.message}};
}

// Text the log kept is UTF-8 already; anything that is not is replaced, never a reason to fail.
std::string compact(const Json& doc) {
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The bundle as a JSON document; within contract::kMaxDiagnosticsBytes (compact) by leaving out the oldest
// events first when it would not be (a log of 200 events of 1 KiB each is 300 KiB at worst).
Json diagnostics_document(KioskRuntime& kiosk, KioskRuntime::Impl& rt) {
  const std::int64_t now = rt.wall();
  const FleetStatus fleet = kiosk.fleet_status();
  JournalCheck check;
  const auto items = gather_status(rt, fleet, check);
  Json doc{{"schema", kDiagnosticsSchema},
           {"kiosk_id", rt.opt.config.kiosk_id},
           {"software_version", kiosk_version()},
           {"time", now},
           {"time_utc", utc_iso(now)}};
  doc["status"] = Json::array();
  for (const auto& i : items) doc["status"].push_back(staffchan::to_json(i));
  // The sources as the core last decided them (the service monitor keeps them for the heartbeat).
  doc["out_of_service"] = rt.monitor ? staffchan::to_json(rt.monitor->seen().sources) : Json::array();
  doc["config"] = {{"version", fleet.version},
                   {"state", to_string(fleet.state)},
                   {"applied_at", fleet.applied_at},
                   {"sha256", fleet.sha256},
                   {"expires_at", fleet.expires_at},
                   {"expired", fleet.expired},
                   {"pending_version", fleet.pending_version},
                   {"code", fleet.code},
                   {"detail", fleet.detail},
                   {"fetch_error", fleet.fetch_error}};
  doc["journal"] = {{"bytes", check.bytes},
                    {"integrity", check.integrity.empty() ? "ok" : check.integrity},
                    {"chain", check.chain.empty() ? "ok" : check.chain},
                    {"chain_entries", check.entries},
                    {"chain_start", check.chain_start},
                    {"audit_head", {{"seq", check.head_seq}, {"sha256", check.head_sha256}}},
                    {"check_ms", check.ms}};
  doc["business"] = Json::array();
  for (const auto& b : kiosk.staff_business())
    if (doc["business"].size() < kDiagnosticsBusiness) doc["business"].push_back(staffchan::to_json(b));
  std::vector<events::Event> kept;
  if (events::EventLog* log = rt.events.log()) kept = log->last(kDiagnosticsEvents);
  for (std::size_t from = 0;; from += std::max<std::size_t>(1, (kept.size() - from) / 4)) {
    doc["events"] = Json::array();
    for (std::size_t i = std::min(from, kept.size()); i < kept.size(); ++i)
      doc["events"].push_back(event_json(kept[i]));
    doc["events_left_out"] = std::min(from, kept.size());
    if (from >= kept.size() || compact(doc).size() <= contract::kMaxDiagnosticsBytes) break;
  }
  return doc;
}

}  // namespace

std::string KioskRuntime::export_diagnostics() {
  return diagnostics_document(*this, *impl_).dump(2, ' ', false, Json::error_handler_t::replace);
}

std::expected<std::string, std::string> KioskRuntime::upload_diagnostics() {
  const Json doc = diagnostics_document(*this, *impl_);
  if (compact(doc).size() > contract::kMaxDiagnosticsBytes)
    return std::unexpected(std::string("staff.error.bundle_too_large"));
  // A client of its own: the caller's thread (a staff request), never the business lane's client.
  auto c = platform::Client::create(client_options(impl_->opt.config, false));
  if (!c) return std::unexpected(c.error().message_key);
  auto sent = c->upload_diagnostics(doc, platform::new_idempotency_key());
  if (!sent) {
    impl_->events.warning("diagnostics bundle not sent: " + sent.error().to_string(),
                          {.step = "diagnostics", .code = sent.error().message_key});
    return std::unexpected(sent.error().message_key);
  }
  impl_->events.info("diagnostics bundle " + sent->id + " sent (" + std::to_string(sent->bytes) + " bytes)",
                     {.step = "diagnostics"});
  return sent->id;
}

}  // namespace runtime
