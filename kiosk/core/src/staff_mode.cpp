// Hall staff on the kiosk (docs/staff.md, "Maintenance mode"): getting in with a staff KEY or a maintenance
// code, the maintenance screens, getting out (【退出维护】, the staff KEY pulled, two minutes untouched), and a
// business handed back to its customer. The runtime judges the KEY, the PIN and the code and runs staff's
// actions; the core decides where staff are and what is audited on their word.
#include <algorithm>
#include <string>

#include "internal.hpp"

namespace core::detail {
namespace {

// A JSON string's content (the audit's detail is a JSON object; names and notes are staff's text).
std::string json_text(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += ch;
    }
  }
  return out;
}

void audit(Ctx& c, const StaffMember& who, std::string action, std::string detail = "{}",
           std::string order_id = {}) {
  c.fx.push_back(RecordStaffAction{who.actor, std::move(action), std::move(detail), std::move(order_id)});
}

// Staff mode ends: audited with why, then the session wiped (home, the default language, a new session).
void leave(Ctx& c, const StaffMember& who, std::string_view why) {
  audit(c, who, "sign_out", R"({"reason":")" + json_text(why) + R"("})");
  wipe(c);
}

bool key_gone(const Model& m, const TokenIdentity& staff_key) {
  return m.key.presence == KeyPresence::NoKey || !(m.key.identity == staff_key);
}

void load_page(Ctx& c, phase::Maintenance& p) {
  switch (p.page) {
    case MaintenancePage::Status:
      p.status_loading = true;
      c.fx.push_back(LoadStaffStatus{});
      break;
    case MaintenancePage::Business:
      p.business_loading = true;
      c.fx.push_back(LoadStaffBusiness{});
      break;
    case MaintenancePage::Log:
      p.log_loading = true;
      c.fx.push_back(LoadStaffLog{});
      break;
    case MaintenancePage::Devices:
    case MaintenancePage::Service:
      break;
  }
}

void act(Ctx& c, phase::Maintenance& p, StaffActionKind kind, std::int64_t id = 0, std::string note = {}) {
  if (p.busy) return;
  p.busy = true;
  p.last_action = kind;
  p.result_key.clear();
  p.result_detail.clear();
  c.fx.push_back(StaffAction{kind, p.staff.actor, id, std::move(note)});
}

}  // namespace

// ---- getting in ----
void staff_key_status(Ctx& c) {
  Model& m = c.m;
  if (m.staff_key && (m.key.presence == KeyPresence::NoKey || !(m.staff_key->token == m.key.identity)))
    m.staff_key.reset();
  m.staff_entry_refused_key.clear();
  if (m.key.presence == KeyPresence::NoKey) m.key_left_since.reset();
  if (!m.settings.staff_keys || m.key.presence == KeyPresence::NoKey || m.staff_key) return;
  if (std::holds_alternative<phase::StaffSignIn>(m.flow) || in_staff_mode(m)) return;
  if (!staff_entry_allowed(m)) return;
  c.fx.push_back(CheckStaffKey{m.key.identity});
}

void on_staff_key_checked(Ctx& c, const StaffKeyChecked& e) {
  Model& m = c.m;
  if (m.key.presence == KeyPresence::NoKey || !(e.info.token == m.key.identity)) return;  // another KEY now
  m.staff_key = e.info;
}

void enter_staff(Ctx& c, bool by_code) {
  Model& m = c.m;
  if (in_staff_mode(m) || std::holds_alternative<phase::StaffSignIn>(m.flow)) return;
  std::optional<StaffKeyInfo> key;
  if (!by_code) {
    if (!m.staff_key || m.staff_key->name.empty() || !(m.staff_key->token == m.key.identity) ||
        m.key.presence == KeyPresence::NoKey)
      return;  // 【维护】 is offered only for a staff KEY
    key = m.staff_key;
  }
  if (!staff_entry_allowed(m)) {
    m.staff_entry_refused_key = "staff.entry.busy";
    return;
  }
  // An idle customer's session goes first: nothing of theirs stays on the way in or out.
  if (!at_safe_point(m)) wipe(c);
  m.key_left_since.reset();  // the KEY in the reader is the staff member's: no reminder, no chime
  std::erase_if(c.fx, [](const Effect& f) { return std::holds_alternative<Chime>(f); });
  m.staff_entry_refused_key.clear();
  m.last_activity = m.now;
  phase::StaffSignIn next;
  next.by_code = by_code;
  if (key) {
    next.key = *key;
    next.error_key = key->refusal_key;
    next.detail = key->detail;
    if (next.error_key.empty() && key->pin.locked) next.error_key = "error.token.pin_locked";
  }
  go(c, std::move(next));
}

bool staff_tick(Ctx& c) {
  Model& m = c.m;
  if (m.now - m.last_activity < m.settings.staff_idle_ms) return false;
  if (auto* p = std::get_if<phase::Maintenance>(&m.flow)) {
    if (p->busy) return false;  // an action runs: its answer comes first
    const StaffMember who = p->staff;
    leave(c, who, "idle");
    return true;
  }
  if (auto* p = std::get_if<phase::StaffSignIn>(&m.flow); p && !p->verifying) {
    wipe(c);
    return true;
  }
  return false;
}

// ---- the sign-in screen ----
void on(Ctx& c, phase::StaffSignIn& p, const StaffPinSubmitted& e) {
  if (p.by_code || p.verifying || !p.key.refusal_key.empty() || p.key.pin.locked || p.final_try_pin) return;
  if (p.key.pin.final_try && !p.final_try_acknowledged) {
    p.final_try_pin = e.pin;  // Dialog::FinalPinTry first; no login until staff go on
    return;
  }
  p.verifying = true;
  p.error_key.clear();
  p.detail.clear();
  c.fx.push_back(StaffKeySignIn{p.key.token, p.final_try_acknowledged, e.pin});
}

void on(Ctx& c, phase::StaffSignIn& p, const DialogConfirmed&) {
  if (!p.final_try_pin) return;
  p.final_try_acknowledged = true;
  p.verifying = true;
  p.error_key.clear();
  c.fx.push_back(StaffKeySignIn{p.key.token, true, *p.final_try_pin});
  p.final_try_pin.reset();
}

void on(Ctx&, phase::StaffSignIn& p, const DialogDismissed&) {
  p.final_try_pin.reset();
}

void on(Ctx& c, phase::StaffSignIn& p, const StaffCodeSubmitted& e) {
  if (!p.by_code || p.verifying || c.m.now < p.wait_until) return;
  p.verifying = true;
  p.error_key.clear();
  p.detail.clear();
  c.fx.push_back(StaffCodeSignIn{e.staff, e.code});
}

void on(Ctx& c, phase::StaffSignIn& p, const StaffSignedIn& e) {
  if (!p.verifying) return;
  phase::Maintenance next;
  next.staff = e.staff;
  if (next.staff.since == 0) next.staff.since = c.m.wall;
  auto& m = go(c, std::move(next));
  c.m.last_activity = c.m.now;
  load_page(c, m);
}

void on(Ctx& c, phase::StaffSignIn& p, const StaffSignInFailed& e) {
  p.verifying = false;
  p.error_key = e.error_key;
  p.detail = e.detail;
  if (!p.by_code) p.key.pin = e.pin;
  if (e.retry_after_s > 0) p.wait_until = c.m.now + e.retry_after_s * kSecond;
}

void on(Ctx& c, phase::StaffSignIn& p, const HomeTapped&) {
  if (!p.verifying) wipe(c);
}
void on(Ctx& c, phase::StaffSignIn& p, const BackTapped&) {
  if (!p.verifying) wipe(c);
}

void on(Ctx& c, phase::StaffSignIn& p, const KeyStatusChanged&) {
  if (!p.by_code && !p.verifying && key_gone(c.m, p.key.token)) wipe(c);
}

// ---- the maintenance screens ----
void on(Ctx& c, phase::Maintenance& p, const StaffExitTapped&) {
  const StaffMember who = p.staff;
  leave(c, who, "exit");
}

void on(Ctx& c, phase::Maintenance& p, const KeyStatusChanged&) {
  if (p.test == DeviceTest::KeyReader) {
    // The key-reader test: staff pull their KEY to try another; staff mode holds while the test is open.
    p.key_report.reset();
    p.test_error_key.clear();
    if (c.m.key.presence != KeyPresence::NoKey) {
      p.testing = true;
      c.fx.push_back(InspectKey{});
    } else {
      p.testing = false;
    }
    return;
  }
  if (p.staff.by_key && key_gone(c.m, p.staff.key)) {
    const StaffMember who = p.staff;
    leave(c, who, "key_pulled");
  }
}

void on(Ctx& c, phase::Maintenance& p, const StaffPageChosen& e) {
  if (p.test == DeviceTest::KeyReader && p.staff.by_key && key_gone(c.m, p.staff.key)) {
    const StaffMember who = p.staff;
    leave(c, who, "key_pulled");
    return;
  }
  p.page = e.page;
  p.test = DeviceTest::None;
  p.asking_power.reset();
  load_page(c, p);
}

void on(Ctx& c, phase::Maintenance& p, const StaffRefreshTapped&) {
  load_page(c, p);
}

void on(Ctx& c, phase::Maintenance& p, const StaffStatusLoaded& e) {
  p.status = e.items;
  p.status_loading = false;
  // What only the core knows: whether business can start, and a KEY left in the reader.
  const Model& m = c.m;
  StatusItem service{"service", Health::Green, "staff.status.service", "", "", ""};
  for (auto src : kAllServiceSources)
    if (const auto& r = m.service.sources.of(src)) {
      service.health = Health::Red;
      service.reason_key = "staff.reason.service_out";
      service.value += (service.value.empty() ? "" : ", ") + std::string(to_string(src));
      service.detail += (service.detail.empty() ? "" : "; ") + r->reason_key + (r->detail.empty() ? "" : " (" + r->detail + ")");
    }
  p.status.push_back(std::move(service));
  if (m.key_left_since) {
    const UnixSeconds minutes = std::max<UnixSeconds>(0, (m.wall - *m.key_left_since) / 60);
    p.status.push_back(StatusItem{"key_left", Health::Amber, "staff.status.key_left",
                                  std::to_string(minutes) + " min", "staff.reason.key_left", ""});
  }
}
void on(Ctx&, phase::Maintenance& p, const StaffBusinessLoaded& e) {
  p.business = e.items;
  p.business_loading = false;
}
void on(Ctx&, phase::Maintenance& p, const StaffLogLoaded& e) {
  p.log = e.lines;
  p.log_loading = false;
}

void on(Ctx& c, phase::Maintenance& p, const StaffSendNowTapped& e) {
  act(c, p, StaffActionKind::SendNow, e.outbox_id);
}

void on(Ctx& c, phase::Maintenance& p, const StaffCounterTapped& e) {
  act(c, p, StaffActionKind::HandToCounter, e.business_id, e.note.substr(0, 600));
}

void on(Ctx& c, phase::Maintenance& p, const StaffContinueTapped& e) {
  if (p.busy) return;
  auto it = std::find_if(p.business.begin(), p.business.end(),
                         [&](const StaffBusiness& b) { return b.order_id == e.order_id; });
  if (it == p.business.end() || !it->can_continue) return;
  const StaffMember who = p.staff;
  const std::string order = e.order_id;
  audit(c, who, "business.continue", R"({"order":")" + json_text(order) + R"("})", order);
  leave(c, who, "handed_to_customer");
  c.m.key_left_since.reset();
  auto& h = go(c, phase::Handover{order});
  // The customer's KEY may already be in (a code sign-in leaves the reader free).
  if (c.m.key.presence != KeyPresence::NoKey && !(who.by_key && c.m.key.identity == who.key)) {
    h.resuming = true;
    c.fx.push_back(ResumeBusiness{order});
  }
}

void on(Ctx& c, phase::Maintenance& p, const StaffServiceOutTapped& e) {
  if (!e.reason_key.starts_with("service.reason.staff.")) return;
  OutOfServiceReason r;
  r.reason_key = e.reason_key;
  r.detail = "staff: " + p.staff.name;
  c.m.service.sources.set(ServiceSource::Staff, std::move(r));
  audit(c, p.staff, "service.out", R"({"reason":")" + json_text(e.reason_key) + R"("})");
  p.last_action.reset();
  p.result_key = "staff.service.out_done";
  p.result_detail.clear();
}

void on(Ctx& c, phase::Maintenance& p, const StaffServiceInTapped&) {
  if (!c.m.service.sources.of(ServiceSource::Staff)) return;
  c.m.service.sources.clear(ServiceSource::Staff);
  audit(c, p.staff, "service.in");
  p.last_action.reset();
  p.result_key = "staff.service.in_done";
  p.result_detail.clear();
}

void on(Ctx& c, phase::Maintenance& p, const StaffSyncTapped&) {
  act(c, p, StaffActionKind::SyncNow);
}

void on(Ctx& c, phase::Maintenance& p, const StaffDiagnosticsTapped&) {
  act(c, p, StaffActionKind::UploadDiagnostics);
}

void on(Ctx&, phase::Maintenance& p, const StaffPowerTapped& e) {
  if (!p.busy) p.asking_power = e.action;
}

void on(Ctx& c, phase::Maintenance& p, const DialogConfirmed&) {
  if (!p.asking_power) return;
  const PowerAction a = *p.asking_power;
  p.asking_power.reset();
  act(c, p,
      a == PowerAction::Reboot     ? StaffActionKind::Reboot
      : a == PowerAction::PowerOff ? StaffActionKind::PowerOff
                                   : StaffActionKind::RestartApp);
}

void on(Ctx&, phase::Maintenance& p, const DialogDismissed&) {
  p.asking_power.reset();
}

void on(Ctx& c, phase::Maintenance& p, const StaffActionDone& e) {
  if (!p.busy || !p.last_action || *p.last_action != e.kind) return;
  p.busy = false;
  p.last_ok = e.ok;
  p.result_key = e.message_key;
  p.result_detail = e.detail;
  if (e.kind == StaffActionKind::SendNow || e.kind == StaffActionKind::HandToCounter) {
    p.business_loading = true;
    c.fx.push_back(LoadStaffBusiness{});
  }
}

void on(Ctx& c, phase::Maintenance& p, const DeviceTestChosen& e) {
  if (p.test == DeviceTest::KeyReader && e.test != DeviceTest::KeyReader && p.staff.by_key &&
      key_gone(c.m, p.staff.key)) {
    const StaffMember who = p.staff;
    leave(c, who, "key_pulled");
    return;
  }
  p.page = MaintenancePage::Devices;
  p.test = e.test;
  p.testing = false;
  p.test_error_key.clear();
  p.key_report.reset();
  p.network.reset();
  if (e.test == DeviceTest::KeyReader && c.m.key.presence != KeyPresence::NoKey) {
    p.testing = true;
    c.fx.push_back(InspectKey{});
  } else if (e.test == DeviceTest::Network) {
    p.testing = true;
    c.fx.push_back(TestNetwork{});
  }
}

void on(Ctx& c, phase::Maintenance& p, const TouchTestDone& e) {
  // Offsets in whole pixels: the audit's detail is plain JSON built here.
  auto px = [](float v) { return std::to_string(static_cast<int>(v + 0.5F)); };
  audit(c, p.staff, "device.touch",
        R"({"targets":)" + std::to_string(e.targets) + R"(,"misses":)" + std::to_string(e.misses) +
            R"(,"mean_offset_px":)" + px(e.mean_offset_px) + R"(,"max_offset_px":)" + px(e.max_offset_px) + "}");
  p.last_action.reset();
  p.last_ok = e.misses == 0;
  p.result_key = "staff.devices.touch.recorded";
  p.result_detail = std::to_string(e.targets - e.misses) + "/" + std::to_string(e.targets);
}

void on(Ctx&, phase::Maintenance& p, const KeyInspected& e) {
  if (p.test != DeviceTest::KeyReader) return;
  p.testing = false;
  p.key_report = e.report;
  p.test_error_key = e.error_key;
}

void on(Ctx&, phase::Maintenance& p, const NetworkTested& e) {
  if (p.test != DeviceTest::Network) return;
  p.testing = false;
  p.network = e.report;
}

// ---- a business handed to its customer ----
void on(Ctx& c, phase::Handover& p, const KeyStatusChanged&) {
  if (p.resuming || c.m.key.presence == KeyPresence::NoKey) return;
  if (c.m.staff_key && !c.m.staff_key->name.empty() && c.m.staff_key->token == c.m.key.identity) return;
  p.resuming = true;
  p.error_key.clear();
  c.fx.push_back(ResumeBusiness{p.order_id});
}

void on(Ctx&, phase::Handover& p, const ResumeFailed& e) {
  p.resuming = false;
  p.error_key = e.error_key;
}

void on(Ctx& c, phase::Handover& p, const HomeTapped&) {
  if (!p.resuming) wipe(c);
}

}  // namespace core::detail

namespace core {

bool in_staff_mode(const Model& m) {
  return std::holds_alternative<phase::Maintenance>(m.flow);
}

bool staff_entry_allowed(const Model& m) {
  if (detail::token_busy(m)) return false;
  if (std::holds_alternative<phase::Progress>(m.flow)) return false;  // the rollover runs to its end
  if (const auto* p = std::get_if<phase::OrderList>(&m.flow); p && p->submitting) return false;
  // The QR is live: the customer may be paying this moment (and the closing order must be answered).
  if (const auto* p = std::get_if<phase::Payment>(&m.flow);
      p && (p->closing || p->order.status == OrderStatus::PendingPayment))
    return false;
  if (const auto* p = std::get_if<phase::MyBusiness>(&m.flow); p && p->centre.resuming) return false;
  if (const auto* p = std::get_if<phase::Handover>(&m.flow); p && p->resuming) return false;
  if (const auto* p = std::get_if<phase::StaffSignIn>(&m.flow); p && p->verifying) return false;
  return true;
}

}  // namespace core
