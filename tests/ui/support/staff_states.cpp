#include "staff_states.hpp"

#include <stdexcept>

#include "core/messages.hpp"
#include "core/update.hpp"

namespace ui_test {
namespace {

using namespace core;

constexpr UnixSeconds kWall = 1'796'630'400;  // 2026-12-07 08:00 UTC, 16:00 in China

// Names and text a careless or hostile source may hand the screens: no spaces to break at, very long,
// a character beyond the BMP (drawn as a box).
const std::string kLongAscii =
    "wangfang.hall-01.region-nmg.a-very-long-staff-identifier-with-no-spaces-0123456789abcdef";
const std::string kLongChinese = "欧阳娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜娜";
const std::string kUnbreakable(300, 'x');

struct StaffFlow {
  Model m;
  StaffFlow() {
    Settings s;
    s.staff_keys = true;
    m = initial_model(s, 5'000'000, kWall);
  }
  StaffFlow& send(const Event& e) {
    m = update(std::move(m), e).model;
    return *this;
  }
  void expect(Screen s) const {
    if (screen_of(m) != s) throw std::logic_error("staff_states: the flow did not reach the expected screen");
  }
};

}  // namespace

namespace staff_fixture {

KeyStatus staff_key() {
  KeyStatus k;
  k.presence = KeyPresence::NotRecognised;  // no configured brand: a staff KEY is not a customer's
  k.identity = {"Feitian", "ePass3003", "STAFF-0007"};
  return k;
}

StaffKeyInfo staff_info(std::string name) {
  StaffKeyInfo i;
  i.token = staff_key().identity;
  i.name = std::move(name);
  return i;
}

KeyStatus customer_key() {
  KeyStatus k;
  k.presence = KeyPresence::Recognised;
  k.identity = {"Haitai", "HaiKey", "HT0001"};
  k.brand_id = "haitai";
  k.brand_name = "海泰KEY";
  return k;
}

Model home_with_staff_key() {
  StaffFlow f;
  f.send(KeyStatusChanged{staff_key()});
  f.send(StaffKeyChecked{staff_info()});
  return f.m;
}

Model signed_in(bool by_key, std::string name) {
  StaffFlow f;
  if (by_key) {
    f.send(KeyStatusChanged{staff_key()});
    f.send(StaffKeyChecked{staff_info(name)});
    f.send(MaintenanceTapped{});
    f.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 1}});
    f.send(StaffSignedIn{f.m.session, StaffMember{"CN=" + name + ",OU=Hall Staff sha256:ab12", name, true,
                                                  staff_key().identity, kWall - 600}});
  } else {
    f.send(StaffCodeRequested{});
    f.send(StaffCodeSubmitted{name, SecretSlot{SecretKind::SmsCode, 1}});
    f.send(StaffSignedIn{f.m.session, StaffMember{"code:" + name, name, false, {}, kWall - 600}});
  }
  f.expect(Screen::Maintenance);
  return f.m;
}

std::vector<StatusItem> status_items() {
  return {
      {"platform", Health::Red, "staff.status.platform", "-", "staff.reason.platform_down",
       "offline: Connection refused (platform.example.cn:443), 3 checks in a row"},
      {"certificate", Health::Amber, "staff.status.certificate", "19 d, 2026-12-26",
       "staff.reason.certificate_expiring", "CN=kiosk-HALL1-07, serial 4F1A9C03D2E7B560"},
      {"clock", Health::Green, "staff.status.clock", "+0.4 s", "", ""},
      {"config", Health::Green, "staff.status.config", "v43, 2026-12-06 22:10Z, applied", "", ""},
      {"software", Health::Green, "staff.status.software", "ca-kiosk 1.9.0 (a3fc009)", "", ""},
      {"driver.haitai", Health::Green, "staff.status.driver", "haitai 3.1.0", "", ""},
      {"driver.feitian", Health::Red, "staff.status.driver", "feitian", "staff.reason.driver_missing",
       "/usr/lib/ca-kiosk/pkcs11/libshuttle_p11v220.so: cannot open shared object file"},
      {"journal", Health::Green, "staff.status.journal", "12.3 MiB, chain ok", "", ""},
      {"disk", Health::Amber, "staff.status.disk", "87 % used, 1.2 GiB free", "staff.reason.disk_low", ""},
      {"memory", Health::Green, "staff.status.memory", "47 MiB", "", ""},
      {"uptime", Health::Green, "staff.status.uptime", "3 d 4 h", "", ""},
      {"network", Health::Green, "staff.status.network", "10.20.30.47/24 via 10.20.30.1", "", ""},
      {"service", Health::Red, "staff.status.service", "out: staff", "staff.reason.service_out", ""},
      {"key_left", Health::Amber, "staff.status.key_left", "2026-12-07 07:52", "staff.reason.key_left", ""},
      // hostile: an unknown label key, an unbreakable value and detail
      {"other", Health::Amber, "runtime.label.unknown", kUnbreakable, "not.a.known.key", kUnbreakable},
  };
}

std::vector<StaffBusiness> business() {
  std::vector<StaffBusiness> out;
  StaffBusiness a;
  a.business_id = 41;
  a.order_id = "R20261207-0041";
  a.product_id = "e-bidding-feitian-renew";
  a.phone_masked = "138****5678";
  a.status = "needs_staff";
  a.stopped_at = "install failed";
  a.why = std::string(msg::kFailureTokenFull);
  a.since = kWall - 3'600;
  a.outbox_id = 9;
  a.outbox_state = "refused";
  a.outbox_error = "order.not_paid: the platform has no payment for this order";
  out.push_back(a);
  StaffBusiness b;
  b.business_id = 42;
  b.order_id = "R20261207-0042";
  b.product_id = "gov-procurement-haitai-renew";
  b.phone_masked = "139****0001";
  b.status = "paid";
  b.stopped_at = "stage_key";
  b.why = "error.token.removed";
  b.since = kWall - 900;
  b.can_continue = true;
  out.push_back(b);
  StaffBusiness c;
  c.business_id = 43;
  c.order_id = "R20261206-0013";
  c.product_id = "e-bidding-feitian-renew";
  c.phone_masked = "137****4242";
  c.status = "issued";
  c.since = kWall - 86'400;
  c.outbox_id = 12;
  c.outbox_state = "pending";
  c.outbox_error = "offline: Connection timed out";
  c.handed_to_counter = true;
  out.push_back(c);
  StaffBusiness d;  // hostile: every text long, unbreakable or unknown
  d.business_id = 44;
  d.order_id = kLongAscii;
  d.product_id = kLongAscii;
  d.phone_masked = "138****5678";
  d.status = "some_status_the_kiosk_does_not_know";
  d.stopped_at = kUnbreakable;
  d.why = std::string(600, 'y') + " " + std::string(200, 'z');
  d.since = kWall;
  d.outbox_id = 13;
  d.outbox_state = "pending";
  d.outbox_error = kLongChinese + kLongChinese + kLongChinese;
  d.can_continue = true;
  out.push_back(d);
  return out;
}

std::vector<LogLine> log_lines() {
  const std::int64_t t = kWall * 1000;
  return {
      {t - 1'000, "error", "runtime", "R20261207-0041", "install", "error.token.full",
       "step install failed: CKR_DEVICE_MEMORY"},
      {t - 5'000, "warning", "outbox", "R20261207-0041", "outbox", "order.not_paid",
       "the platform refused a message: order.not_paid"},
      {t - 9'000, "info", "runtime", "R20261207-0042", "stage_key", "", "staged key pair RSA-2048 in 61.2 s"},
      {t - 12'000, "info", "staff", "", "staff.sign_in", "", "staff signed in: 王芳"},
      {t - 20'000, "debug", "app", "", "", "", "frame 18.2 ms"},
      {t - 30'000, "warning", "service", "", "service.check", "", kUnbreakable},
      {t - 40'000, "info", "runtime", kLongAscii, "", "", "phone 138****5678 verified"},
  };
}

KeyReport key_report() {
  KeyReport r;
  r.module = "/usr/lib/ca-kiosk/pkcs11/libes_3003_p11.so";
  r.library_version = "Feitian PKCS#11 3.0.12";
  r.token = {"Feitian", "ePass3003", "2091A0C4D3"};
  r.brand_id = "feitian";
  r.pin = {true, false, false, false};
  r.mechanisms = {"CKM_RSA_PKCS_KEY_PAIR_GEN",
                  "CKM_RSA_PKCS",
                  "CKM_SHA256_RSA_PKCS",
                  "CKM_EC_KEY_PAIR_GEN",
                  "CKM_ECDSA",
                  "CKM_ECDSA_SHA256",
                  "CKM_SHA256",
                  "CKM_SHA_1",
                  "CKM_AES_KEY_GEN",
                  "CKM_AES_CBC",
                  "CKM_DES3_CBC",
                  "CKM_SM2_KEY_PAIR_GEN",
                  "CKM_SM3",
                  "CKM_SM4_ECB"};
  CertSummary a;
  a.holder = "张三";
  a.organisation = "内蒙古自治区政府采购中心";
  a.issuer = "CN-CA Demo Issuing CA";
  a.serial_hex = "4F1A9C03D2E7B5601288A9F0C4D3E21B7A6C5D10";
  a.not_before = kWall - 345 * 86'400;
  a.not_after = kWall + 20 * 86'400;
  a.has_private_key = true;
  CertSummary b = a;
  b.holder = kLongChinese;
  b.issuer = kLongAscii;
  b.has_private_key = false;
  r.certificates = {a, b};
  return r;
}

}  // namespace staff_fixture

std::vector<NamedModel> staff_states() {
  using namespace staff_fixture;
  std::vector<NamedModel> out;
  auto add = [&](std::string name, const Model& m) { out.push_back({std::move(name), m}); };

  // ---- the way in, on a customer's screens ----
  add("home-staff-key", home_with_staff_key());
  {
    // 【维护】 while a step with side effects runs: refused, and why, under the bars.
    for (const auto& s : renewal_states())
      if (s.name == "progress-install") {
        StaffFlow f;
        f.m = s.model;
        StaffKeyInfo info = staff_info();
        info.token = f.m.key.identity;
        f.send(StaffKeyChecked{info});
        f.send(MaintenanceTapped{});
        if (f.m.staff_entry_refused_key.empty())
          throw std::logic_error("staff_states: 【维护】 was not refused");
        add("progress-staff-refused", f.m);
      }
  }
  {
    // A session ended with the customer's KEY still in: 请取走您的KEY on home.
    StaffFlow f;
    f.send(KeyStatusChanged{customer_key()});
    f.send(RenewTapped{});
    f.send(HomeTapped{});
    if (!f.m.key_left_since) throw std::logic_error("staff_states: no KEY-left reminder");
    add("home-key-left", f.m);
  }
  {
    // Staff took the kiosk out of service, for each reason the Service page offers: home says it.
    for (const auto* reason : {"service.reason.staff.repair", "service.reason.staff.network"}) {
      StaffFlow f;
      f.m = signed_in(false);
      f.send(StaffServiceOutTapped{reason});
      f.send(StaffExitTapped{});
      f.expect(Screen::Home);
      add(std::string("home-out-") + reason, f.m);
    }
  }

  // ---- sign-in by KEY ----
  {
    StaffFlow f;
    f.m = home_with_staff_key();
    f.send(MaintenanceTapped{});
    f.expect(Screen::StaffSignIn);
    add("staff-pin", f.m);
    const Model base = f.m;
    f.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 1}});
    add("staff-pin-verifying", f.m);
    f.send(StaffSignInFailed{
        f.m.session, "error.token.pin_incorrect", "CKR_PIN_INCORRECT", {true, false, false, false}, 0});
    add("staff-pin-wrong-count-low", f.m);
    f.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 2}});
    f.send(StaffSignInFailed{
        f.m.session, "error.token.pin_incorrect", "CKR_PIN_INCORRECT", {true, true, false, false}, 0});
    add("staff-pin-final-try", f.m);
    f.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 3}});
    if (dialog_of(f.m) != Dialog::FinalPinTry) throw std::logic_error("staff_states: no final-try question");
    add("staff-pin-final-try-dialog", f.m);
    f.m = base;
    f.send(StaffPinSubmitted{SecretSlot{SecretKind::Pin, 1}});
    f.send(
        StaffSignInFailed{f.m.session, "staff.refused.challenge_failed", "signature does not verify", {}, 0});
    add("staff-pin-challenge-failed", f.m);
  }
  for (const auto* refusal :
       {"staff.refused.revoked", "staff.refused.other_hall", "staff.refused.crl_expired"}) {
    StaffFlow f;
    f.send(KeyStatusChanged{staff_key()});
    StaffKeyInfo info = staff_info();
    info.refusal_key = refusal;
    info.detail =
        "CN=王芳,OU=Hall Staff,O=Example CA serial 1A2B3C; CRL 17 of 2026-12-01, next 2026-12-08; " +
        kUnbreakable;
    f.send(StaffKeyChecked{info});
    f.send(MaintenanceTapped{});
    add(std::string("staff-refused-") + (refusal + 14), f.m);
  }
  {
    StaffFlow f;
    f.send(KeyStatusChanged{staff_key()});
    StaffKeyInfo info = staff_info(kLongChinese);
    info.pin.locked = true;
    f.send(StaffKeyChecked{info});
    f.send(MaintenanceTapped{});
    add("staff-pin-locked-long-name", f.m);
    StaffFlow g;
    g.send(KeyStatusChanged{staff_key()});
    g.send(StaffKeyChecked{staff_info(kLongAscii)});
    g.send(MaintenanceTapped{});
    add("staff-pin-long-name", g.m);
  }

  // ---- sign-in by code ----
  {
    StaffFlow f;
    f.send(StaffCodeRequested{});
    f.expect(Screen::StaffSignIn);
    add("staff-code", f.m);
    f.send(StaffCodeSubmitted{"wangfang", SecretSlot{SecretKind::SmsCode, 1}});
    add("staff-code-verifying", f.m);
    f.send(StaffSignInFailed{f.m.session, "staff.code.invalid", "401 maintenance.code_invalid", {}, 0});
    add("staff-code-invalid", f.m);
    f.send(StaffCodeSubmitted{"wangfang", SecretSlot{SecretKind::SmsCode, 2}});
    f.send(StaffSignInFailed{f.m.session, "staff.code.throttled", "429 maintenance.throttled", {}, 40});
    f.send(Tick{f.m.now + 3'000, f.m.wall + 3});
    add("staff-code-throttled", f.m);
    f.send(Tick{f.m.now + 40'000, f.m.wall + 40});
    f.send(StaffCodeSubmitted{"wangfang", SecretSlot{SecretKind::SmsCode, 3}});
    f.send(StaffSignInFailed{f.m.session, "staff.code.offline", "offline: Connection refused", {}, 0});
    add("staff-code-offline", f.m);
  }

  // ---- 维护: each page ----
  {
    StaffFlow f;
    f.m = signed_in(true);
    add("maint-status-loading", f.m);
    f.send(StaffStatusLoaded{f.m.session, {}});
    add("maint-status-empty", f.m);
    f.send(StaffStatusLoaded{f.m.session, status_items()});
    add("maint-status-red", f.m);
    f.send(StaffRefreshTapped{});
    add("maint-status-reloading", f.m);
    std::vector<StatusItem> fine = status_items();
    fine.resize(6);
    for (auto& i : fine) {
      i.health = Health::Green;
      i.reason_key.clear();
      i.detail.clear();
    }
    f.send(StaffStatusLoaded{f.m.session, fine});
    add("maint-status-green", f.m);
    fine[1].health = Health::Amber;
    fine[1].reason_key = "staff.reason.certificate_expiring";
    f.send(StaffRefreshTapped{});
    f.send(StaffStatusLoaded{f.m.session, fine});
    add("maint-status-amber", f.m);

    f.send(StaffPageChosen{MaintenancePage::Business});
    add("maint-business-loading", f.m);
    f.send(StaffBusinessLoaded{f.m.session, {}});
    add("maint-business-empty", f.m);
    f.send(StaffBusinessLoaded{f.m.session, business()});
    add("maint-business-rows", f.m);
    f.send(StaffSendNowTapped{9});
    add("maint-business-sending", f.m);
    f.send(StaffActionDone{f.m.session, StaffActionKind::SendNow, false, "staff.action.failed",
                           "order.not_paid: the platform has no payment for this order"});
    f.send(StaffBusinessLoaded{f.m.session, business()});
    add("maint-business-send-failed", f.m);
    f.send(StaffCounterTapped{41, "客户已到柜台办理"});
    f.send(StaffActionDone{f.m.session, StaffActionKind::HandToCounter, true, "staff.business.handed", ""});
    f.send(StaffBusinessLoaded{f.m.session, business()});
    add("maint-business-handed", f.m);

    f.send(StaffPageChosen{MaintenancePage::Log});
    add("maint-log-loading", f.m);
    f.send(StaffLogLoaded{f.m.session, {}});
    add("maint-log-empty", f.m);
    f.send(StaffLogLoaded{f.m.session, log_lines()});
    add("maint-log", f.m);
    f.send(StaffDiagnosticsTapped{});
    add("maint-log-exporting", f.m);
    f.send(StaffActionDone{f.m.session, StaffActionKind::UploadDiagnostics, true,
                           "staff.diagnostics.uploaded", "DIAG-20261207-0042"});
    add("maint-log-exported", f.m);

    f.send(StaffPageChosen{MaintenancePage::Service});
    add("maint-service-in", f.m);
    f.send(StaffServiceOutTapped{"service.reason.staff.cleaning"});
    add("maint-service-out-staff", f.m);
    f.send(StaffSyncTapped{});
    add("maint-service-syncing", f.m);
    f.send(StaffActionDone{f.m.session, StaffActionKind::SyncNow, true, "staff.service.sync_done", ""});
    add("maint-service-synced", f.m);
    f.send(StaffPowerTapped{PowerAction::Reboot});
    add("maint-service-reboot-dialog", f.m);
    f.send(DialogDismissed{});
    f.send(StaffPowerTapped{PowerAction::PowerOff});
    add("maint-service-power-off-dialog", f.m);
    f.send(DialogDismissed{});
    f.send(StaffPowerTapped{PowerAction::RestartApp});
    add("maint-service-restart-dialog", f.m);
    f.send(DialogConfirmed{});
    add("maint-service-restarting", f.m);
    f.send(StaffActionDone{f.m.session, StaffActionKind::RestartApp, true, "staff.service.restarting", ""});
    add("maint-service-restarted", f.m);
    // Every source at once: the fleet's own words, the hours, the checks.
    OutOfServiceReason fleet;
    fleet.text_zh_cn = "本厅今日进行系统升级，暂停自助服务。";
    fleet.text_en = "The hall's systems are being upgraded today.";
    fleet.detail = "fleet: config v44 window 2026-12-07";
    f.send(ServiceSourceSet{ServiceSource::Fleet, fleet});
    OutOfServiceReason hours;
    hours.reason_key = "service.reason.hours";
    hours.opens_day = "tomorrow";
    hours.opens_time = "08:30";
    f.send(ServiceSourceSet{ServiceSource::Hours, hours});
    for (int i = 0; i < f.m.settings.platform_out_after; ++i)
      f.send(ServiceChecked{{CheckResult{Check::Platform, CheckState::Failing, "offline: " + kUnbreakable}}});
    add("maint-service-every-source", f.m);
  }
  {
    // 设备检测, signed in by code (the reader is free for the KEY test).
    StaffFlow f;
    f.m = signed_in(false, kLongAscii);
    add("maint-long-name", f.m);
    f.send(StaffPageChosen{MaintenancePage::Devices});
    add("maint-devices", f.m);
    f.send(DeviceTestChosen{DeviceTest::KeyReader});
    add("maint-devices-key-waiting", f.m);
    f.send(KeyStatusChanged{customer_key()});
    add("maint-devices-key-reading", f.m);
    f.send(KeyInspected{f.m.session, key_report(), ""});
    add("maint-devices-key-report", f.m);
    f.send(KeyStatusChanged{customer_key()});
    f.send(KeyInspected{f.m.session, std::nullopt, "staff.devices.key.unreadable"});
    add("maint-devices-key-error", f.m);
    f.send(KeyStatusChanged{KeyStatus{}});
    f.send(DeviceTestChosen{DeviceTest::Qr});
    add("maint-devices-qr", f.m);
    f.send(DeviceTestChosen{DeviceTest::Network});
    add("maint-devices-network-testing", f.m);
    NetworkReport net;
    net.items = {
        {"network.address", Health::Green, "staff.status.network", "10.20.30.47/24", "", ""},
        {"network.dns", Health::Green, "staff.status.platform", "platform.example.cn → 203.0.113.7", "", ""},
        {"network.tls", Health::Red, "staff.status.platform", "-", "staff.reason.tls_failed",
         "certificate verify failed: certificate is not yet valid (clock 2026-12-07 08:00Z)"},
        {"network.round_trip", Health::Amber, "staff.status.platform", "1840 ms",
         "staff.reason.platform_slow", ""}};
    f.send(NetworkTested{f.m.session, net});
    add("maint-devices-network", f.m);
    f.send(DeviceTestChosen{DeviceTest::Touch});
    add("maint-devices-touch", f.m);
    f.send(TouchTestDone{12, 2, 18.4f, 71.0f});
    f.send(DeviceTestChosen{DeviceTest::None});
    add("maint-devices-touch-recorded", f.m);
    f.send(DeviceTestChosen{DeviceTest::Screen});
    add("maint-devices-screen", f.m);
  }

  // ---- 继续办理: a business handed back to its customer ----
  {
    StaffFlow f;
    f.m = signed_in(false);
    f.send(StaffPageChosen{MaintenancePage::Business});
    f.send(StaffBusinessLoaded{f.m.session, business()});
    f.send(StaffContinueTapped{"R20261207-0042"});
    f.expect(Screen::Handover);
    add("handover-insert", f.m);
    f.send(KeyStatusChanged{customer_key()});
    add("handover-resuming", f.m);
    f.send(ResumeFailed{f.m.session, std::string(msg::kResumeOtherKey)});
    add("handover-other-key", f.m);
    f.send(KeyStatusChanged{KeyStatus{}});
    f.send(KeyStatusChanged{customer_key()});
    f.send(ResumeFailed{f.m.session, std::string(msg::kResumeInsertKey)});
    add("handover-insert-again", f.m);
    f.send(KeyStatusChanged{KeyStatus{}});
    f.send(KeyStatusChanged{customer_key()});
    f.send(ResumeFailed{f.m.session, std::string(msg::kResumeNothingToDo)});
    add("handover-nothing-to-do", f.m);
  }
  {
    StaffFlow f;
    f.m = signed_in(true);
    f.send(StaffPageChosen{MaintenancePage::Business});
    std::vector<StaffBusiness> rows = business();
    rows[1].order_id = kLongAscii;
    f.send(StaffBusinessLoaded{f.m.session, rows});
    f.send(StaffContinueTapped{kLongAscii});
    f.expect(Screen::Handover);
    add("handover-staff-key-in", f.m);
  }
  return out;
}

}  // namespace ui_test
