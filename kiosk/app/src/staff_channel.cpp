#include "staff_channel.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "app.hpp"
#include "core/events.hpp"
#include "runtime/staff_desk.hpp"

namespace app {

using staffchan::Json;
using staffchan::refusal;

// The requests waiting for the loop, and whether the channel is going away (then nobody waits any more).
struct LoopWaits {
  std::mutex m;
  std::condition_variable cv;
  bool stopping = false;
};

namespace {

struct LoopSlot {
  std::optional<Json> answer;  // under LoopWaits::m
};

std::int64_t int_field(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_number_integer() ? j[key].get<std::int64_t>() : 0;
}

}  // namespace

StaffChannel::StaffChannel(App& app, runtime::Runtime& runtime, Options options)
    : app_(app),
      runtime_(runtime),
      o_(std::move(options)),
      log_(o_.events, "staff"),
      waits_(std::make_shared<LoopWaits>()) {}

std::expected<std::unique_ptr<StaffChannel>, std::string> StaffChannel::start(App& app,
                                                                              runtime::Runtime& runtime,
                                                                              Options options) {
  std::unique_ptr<StaffChannel> c(new StaffChannel(app, runtime, std::move(options)));
  staffchan::ServerOptions so;
  so.socket = c->o_.socket;
  so.group = c->o_.group;
  StaffChannel* raw = c.get();
  so.handler = [raw](const staffchan::Peer& peer, const Json& request) { return raw->handle(peer, request); };
  so.log = [raw](std::string_view message, bool warning) {
    if (warning)
      raw->log_.warning(message, {.step = "staff.channel"});
    else
      raw->log_.info(message, {.step = "staff.channel"});
  };
  auto server = staffchan::Server::start(std::move(so));
  if (!server) return std::unexpected(server.error());
  c->server_ = std::move(*server);
  return c;
}

StaffChannel::~StaffChannel() {
  {
    std::lock_guard lock(waits_->m);
    waits_->stopping = true;
  }
  waits_->cv.notify_all();
  if (server_) server_->stop();  // joins the connections' threads, which no longer wait for the loop
}

std::optional<Json> StaffChannel::on_loop(std::function<Json(App&)> f) {
  auto slot = std::make_shared<LoopSlot>();
  // The task holds no pointer to the channel: it may run after the channel is gone, never after the app.
  app_.post([waits = waits_, slot, f = std::move(f), app = &app_] {
    Json answer = f(*app);
    {
      std::lock_guard lock(waits->m);
      slot->answer = std::move(answer);
    }
    waits->cv.notify_all();
  });
  std::unique_lock lock(waits_->m);
  waits_->cv.wait_for(lock, o_.loop_timeout, [&] { return slot->answer.has_value() || waits_->stopping; });
  return slot->answer;
}

Json StaffChannel::handle(const staffchan::Peer& peer, const Json& request) {
  const std::string op = request.value("op", "");
  log_.info("staff channel: " + peer.actor() + " asks " + op, {.step = "staff.channel"});
  if (op == "status") return status();
  if (op == "service") return service(peer, request);
  if (op == "diag") return diag(peer, request.value("upload", false));
  runtime::StaffDesk* desk = runtime_.staff_desk();
  if (op != "business" && op != "send" && op != "counter")
    return refusal("staff.channel.bad_request", "no such request: " + op);
  if (!desk) return refusal("staff.error.not_available", "the runtime has not started yet");
  if (op == "business") {
    Json list = Json::array();
    for (const auto& b : desk->staff_business()) list.push_back(staffchan::to_json(b));
    return {{"ok", true}, {"business", list}};
  }
  if (op == "send") {
    auto r = desk->staff_send_now(peer.actor(), int_field(request, "outbox_id"));
    if (!r) return refusal(r.error());
    return {{"ok", true}, {"outbox_id", r->outbox_id}, {"state", r->state}, {"error", r->error}};
  }
  const std::string note = request.contains("note") && request["note"].is_string()
                               ? request["note"].get<std::string>()
                               : std::string();
  auto r = desk->staff_hand_to_counter(peer.actor(), int_field(request, "business_id"), note);
  if (!r) return refusal(r.error());
  return {{"ok", true}};
}

Json StaffChannel::status() {
  Json out{{"ok", true}, {"items", Json::array()}};
  std::vector<core::StatusItem> items;
  if (runtime::StaffDesk* desk = runtime_.staff_desk())
    items = desk->staff_status();
  else
    out["detail"] = "the runtime has not started yet: the out-of-service sources only";
  for (const auto& i : items) out["items"].push_back(staffchan::to_json(i));
  auto sources = on_loop([](App& a) { return staffchan::to_json(a.model().service.sources); });
  if (!sources) return refusal("staff.channel.timeout", "the kiosk's loop did not answer");
  out["out_of_service"] = *sources;
  core::Health overall = core::overall(items);
  if (!sources->empty()) overall = std::max(overall, core::Health::Amber);
  out["overall"] = core::to_string(overall);
  return out;
}

Json StaffChannel::service(const staffchan::Peer& peer, const Json& request) {
  const std::string state = request.value("state", "");
  const std::string reason = request.value("reason", "");
  if (state != "out" && state != "in") return refusal("staff.channel.bad_request", "state: out or in");
  if (state == "out" && std::find(runtime::kStaffServiceReasons.begin(), runtime::kStaffServiceReasons.end(),
                                  reason) == runtime::kStaffServiceReasons.end())
    return refusal("staff.channel.unknown_reason", "reason: repair, cleaning, network or other");
  const std::string actor = peer.actor();
  auto sources = on_loop([state, reason, actor](App& a) {
    if (state == "out")
      a.dispatch(core::ServiceSourceSet{
          core::ServiceSource::Staff,
          core::OutOfServiceReason{.reason_key = "service.reason.staff." + reason, .detail = actor}});
    else
      a.dispatch(core::ServiceSourceCleared{core::ServiceSource::Staff});
    return staffchan::to_json(a.model().service.sources);
  });
  if (!sources) return refusal("staff.channel.timeout", "the kiosk's loop did not answer");
  Json out{{"ok", true}, {"out_of_service", *sources}};
  // Recorded after it is done: taking a kiosk out must work even when its journal cannot be written.
  const Json detail = state == "out" ? Json{{"reason", reason}} : Json::object();
  runtime::StaffDesk* desk = runtime_.staff_desk();
  auto audited =
      desk ? desk->staff_audit(actor, "service_" + state, detail.dump())
           : std::expected<void, std::string>(std::unexpected(std::string("staff.error.not_available")));
  if (!audited) {
    out["audit_error"] = audited.error();
    log_.error(
        "staff action not in the audit chain (" + audited.error() + "): " + actor + " service " + state,
        {.step = "staff.service", .code = audited.error()});
  }
  log_.warning(actor + ": " + (state == "out" ? "out of service (" + reason + ")" : "in service again"),
               {.step = "staff.service"});
  return out;
}

Json StaffChannel::diag(const staffchan::Peer& peer, bool upload) {
  runtime::StaffDesk* desk = runtime_.staff_desk();
  if (!desk) return refusal("staff.error.not_available", "the runtime has not started yet");
  if (upload) {
    auto id = desk->upload_diagnostics();
    (void)desk->staff_audit(peer.actor(), "diag_upload",
                            (id ? Json{{"id", *id}} : Json{{"error", id.error()}}).dump());
    if (!id) return refusal(id.error());
    return {{"ok", true}, {"id", *id}};
  }
  const Json bundle = Json::parse(desk->export_diagnostics(), nullptr, false);
  (void)desk->staff_audit(peer.actor(), "diag_export", "{}");
  return {{"ok", true}, {"bundle", bundle}};
}

}  // namespace app
