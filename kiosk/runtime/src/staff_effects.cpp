// Hall staff's effects (docs/staff.md, "Maintenance mode"), on the business lane: a KEY judged as a staff
// KEY, the PIN and the challenge, a maintenance code, the maintenance screens' data and staff's actions,
// each action audited in the journal's chain with the staff member.
#include <nlohmann/json.hpp>

#include "power/logind.hpp"
#include "runtime/device_tests.hpp"
#include "runtime/staff_code.hpp"
#include "runtime/staff_sign_in.hpp"
#include "runtime_impl.hpp"

namespace runtime {

namespace {

std::chrono::sys_seconds at(std::int64_t unix_s) {
  return std::chrono::sys_seconds{std::chrono::seconds{unix_s}};
}

std::string actor_of(const staff::Identity& id) {
  return id.subject + " sha256:" + id.fingerprint;
}

}  // namespace

void KioskRuntime::Impl::audit_staff(const std::string& actor, std::string_view action, const std::string& detail,
                                     std::int64_t biz) {
  const auto r = journal->with([&](journal::Journal& j) { return j.staff_action(actor, action, detail, biz); });
  if (!r) events.warning("staff " + std::string(action) + " not audited: " + r.error().detail, {.step = "staff"});
}

bool KioskRuntime::Impl::refresh_crl() {
  if (!staff_trust || !crl_store) return false;
  auto kept = refresh_staff_crl(api(), *staff_trust, *crl_store, at(platform_now()));
  if (!kept) events.info("staff CRL not refreshed: " + kept.error(), {.step = "staff.crl"});
  return kept.has_value();
}

void KioskRuntime::Impl::check_staff_key(const core::CheckStaffKey& e) {
  core::StaffKeyChecked out;
  out.info.token = e.token;
  staff_key_read.reset();
  if (!staff_trust || !crl_store) return push(std::move(out));
  auto sess = ensure_session(e.token);
  if (!sess) return push(std::move(out));
  token::Session& ts = **sess;
  auto on_key = ts.certificates();
  if (!on_key) {
    if (on_key.error().drops_handles()) drop_session();
    return push(std::move(out));
  }
  const token::CertInfo* staff_cert = nullptr;
  for (const auto& c : *on_key)
    if (staff::issued_by_staff_ca(*staff_trust, c.der)) {
      staff_cert = &c;
      break;
    }
  if (!staff_cert) return push(std::move(out));  // a customer's KEY: nothing offered
  out.info.name = staff_cert->subject.common_name.empty() ? staff_cert->subject.one_line
                                                          : staff_cert->subject.common_name;
  refresh_crl();  // a lost KEY's revocation reaches the kiosk before that KEY opens it
  const auto crl = crl_store->load();
  auto key = read_staff_key(ts, *staff_trust, crl, at(platform_now()));
  if (!key) {
    out.info.refusal_key = std::string(key.error().message_key());
    out.info.detail = key.error().to_string();
    if (auto f = key.error().pin()) out.info.pin = to_core(*f);
    audit_staff(out.info.name, "sign_in.refused",
                nlohmann::json{{"reason", out.info.refusal_key}, {"detail", out.info.detail}}.dump());
    events.warning("staff KEY refused: " + out.info.detail, {.step = "staff.key", .code = out.info.refusal_key});
    return push(std::move(out));
  }
  out.info.name = key->identity.common_name.empty() ? out.info.name : key->identity.common_name;
  out.info.pin = to_core(key->pin);
  staff_key_read = std::move(*key);
  push(std::move(out));
}

void KioskRuntime::Impl::staff_key_sign_in(const core::StaffKeySignIn& e, std::uint64_t s) {
  auto pin = take(e.pin);
  auto fail = [&](std::string key, std::string detail, core::PinFlags flags = {}) {
    events.warning("staff sign-in refused: " + detail, {.step = "staff.sign_in", .code = key});
    push(core::StaffSignInFailed{s, std::move(key), std::move(detail), flags, 0});
  };
  if (!staff_trust || !crl_store || !staff_key_read) return fail("staff.refused.not_staff_ca", "no staff KEY read");
  if (!pin) return fail(kPinMissingKey, "no PIN handed over");
  auto sess = ensure_session(e.token);
  if (!sess) return fail(std::string(sess.error().message_key()), sess.error().to_string());
  refresh_crl();
  const auto crl = crl_store->load();
  token::LoginOptions options;
  options.final_try_acknowledged = e.final_try_acknowledged;
  auto r = sign_in_staff(**sess, *staff_key_read, *pin, options, *staff_trust, crl, at(platform_now()));
  const std::string actor = actor_of(staff_key_read->identity);
  if (!r) {
    core::PinFlags flags = to_core(staff_key_read->pin);
    if (auto f = r.error().pin()) flags = to_core(*f);
    audit_staff(actor, "sign_in.refused",
                nlohmann::json{{"reason", r.error().message_key()}, {"by", "key"}}.dump());
    return fail(std::string(r.error().message_key()), r.error().to_string(), flags);
  }
  audit_staff(actor, "sign_in", nlohmann::json{{"by", "key"}, {"challenge_sha256", r->challenge_sha256}}.dump());
  events.info("staff signed in: " + r->identity.common_name, {.step = "staff.sign_in"});
  core::StaffMember who{actor, r->identity.common_name, true, e.token, platform_now()};
  push(core::StaffSignedIn{s, std::move(who)});
}

void KioskRuntime::Impl::staff_code_sign_in(const core::StaffCodeSignIn& e, std::uint64_t s) {
  auto code = take(e.code);
  if (!code) return push(core::StaffSignInFailed{s, "staff.code.invalid", "no code handed over", {}, 0});
  auto r = sign_in_with_code(api(), e.staff, *code);
  if (!r) {
    audit_staff("code:" + e.staff, "sign_in.refused",
                nlohmann::json{{"reason", r.error().message_key}, {"by", "code"}}.dump());
    events.warning("staff code refused: " + r.error().detail, {.step = "staff.code", .code = r.error().message_key});
    return push(core::StaffSignInFailed{s, r.error().message_key, r.error().detail, {},
                                        r.error().retry_after_s.value_or(0)});
  }
  const std::string actor = "code:" + r->staff;
  audit_staff(actor, "sign_in", R"({"by":"code"})");
  events.info("staff signed in with a maintenance code: " + r->staff, {.step = "staff.sign_in"});
  push(core::StaffSignedIn{s, core::StaffMember{actor, r->staff, false, {}, platform_now()}});
}

void KioskRuntime::Impl::record_staff_action(const core::RecordStaffAction& e) {
  std::int64_t biz = 0;
  if (!e.order_id.empty())
    if (auto b = journal->business_for_order(e.order_id)) biz = *b;
  audit_staff(e.actor, e.action, e.detail, biz);
  events.info("staff " + e.action + " (" + e.actor + ")", {.business = e.order_id, .step = "staff"});
}

void KioskRuntime::Impl::load_staff_log(std::uint64_t s) {
  core::StaffLogLoaded out{s, {}};
  if (opt.events) {
    auto last = opt.events->last(200);
    for (auto it = last.rbegin(); it != last.rend(); ++it)
      out.lines.push_back(core::LogLine{it->time_ms, std::string(events::to_string(it->level)), it->component,
                                        it->business, it->step, it->code, it->message});
  }
  push(std::move(out));
}

void KioskRuntime::Impl::load_staff_status(std::uint64_t s) {
  push(core::StaffStatusLoaded{s, self->staff_status()});
}

void KioskRuntime::Impl::load_staff_business(std::uint64_t s) {
  push(core::StaffBusinessLoaded{s, self->staff_business()});
}

void KioskRuntime::Impl::staff_action(const core::StaffAction& e, std::uint64_t s) {
  core::StaffActionDone done{s, e.kind, false, "staff.action.failed", {}};
  auto power_off = [&](power::Action a, std::string_view action, std::string_view going) {
    // Audited first: once logind acts, the kiosk stops and nothing after this line may run.
    audit_staff(e.actor, action, "{}");
    auto r = power::request(a);
    done.ok = r.has_value();
    done.message_key = r ? std::string(going) : std::string(r.error().message_key());
    if (!r) {
      done.detail = r.error().detail;
      events.warning("staff " + std::string(action) + " refused: " + r.error().detail, {.step = "staff.power"});
    }
  };
  switch (e.kind) {
    case core::StaffActionKind::SendNow: {
      auto r = self->staff_send_now(e.actor, e.id);
      if (!r) {
        done.message_key = r.error();
      } else {
        done.ok = r->state == "delivered";
        done.message_key = done.ok ? "staff.business.sent" : "staff.business.not_sent";
        done.detail = r->error;
      }
      break;
    }
    case core::StaffActionKind::HandToCounter: {
      auto r = self->staff_hand_to_counter(e.actor, e.id, e.note);
      done.ok = r.has_value();
      done.message_key = r ? "staff.business.handed" : r.error();
      break;
    }
    case core::StaffActionKind::SyncNow:
      if (fleet) fleet->sync_now();
      audit_staff(e.actor, "sync", "{}");
      done.ok = fleet != nullptr;
      done.message_key = fleet ? "staff.service.sync_done" : "staff.service.sync_disabled";
      break;
    case core::StaffActionKind::UploadDiagnostics: {
      auto r = self->upload_diagnostics();
      audit_staff(e.actor, "diagnostics.upload", r ? nlohmann::json{{"id", *r}}.dump() : "{}");
      done.ok = r.has_value();
      done.message_key = r ? "staff.diagnostics.uploaded" : r.error();
      if (r) done.detail = *r;
      break;
    }
    case core::StaffActionKind::RestartApp:
      // The app's loop sees this answer and stops safely; the service manager starts it again.
      audit_staff(e.actor, "restart_app", "{}");
      done.ok = true;
      done.message_key = "staff.service.restarting";
      break;
    case core::StaffActionKind::Reboot:
      power_off(power::Action::Reboot, "reboot", "staff.service.rebooting");
      break;
    case core::StaffActionKind::PowerOff:
      power_off(power::Action::PowerOff, "power_off", "staff.service.powering_off");
      break;
  }
  push(std::move(done));
}

void KioskRuntime::Impl::inspect_key(std::uint64_t s) {
  drop_session();  // the test reads the KEY on a read-only session of its own
  auto r = runtime::inspect_key(opt.config);
  if (!r) return push(core::KeyInspected{s, std::nullopt, r.error().message_key});
  push(core::KeyInspected{s, std::move(*r), {}});
}

void KioskRuntime::Impl::test_network(std::uint64_t s) {
  push(core::NetworkTested{s, runtime::network_test(opt.config)});
}

}  // namespace runtime
