#include "renewal_states.hpp"

#include <stdexcept>

#include "core/messages.hpp"
#include "core/update.hpp"

namespace ui_test {
namespace {

using namespace core;

constexpr UnixSeconds kNow = 1'790'000'000;
constexpr UnixSeconds kDay = 86'400;

Product gov() {
  Product p;
  p.id = "gov-procurement-haitai-renew";
  p.project_id = "gov-procurement";
  p.project_name = "政府采购项目";
  p.brand_id = "haitai";
  p.brand_name = "海泰KEY";
  p.title = "政府采购项目 - 海泰KEY - 续费";
  p.picture = "products/haitai-key.png";
  p.key_algorithm = domain::KeyAlgorithm::EcP256;
  return p;
}

Product paid() {
  Product p;
  p.id = "e-bidding-feitian-renew";
  p.project_id = "e-bidding";
  p.project_name = "电子招投标项目";
  p.brand_id = "feitian";
  p.brand_name = "飞天诚信KEY";
  p.title = "电子招投标项目 - 飞天诚信KEY - 续费";
  p.picture = "products/feitian-key.png";
  p.price_per_year = 30000;
  p.allowed_years = {1, 2, 3};
  p.key_algorithm = domain::KeyAlgorithm::Rsa2048;
  return p;
}

TokenIdentity token_of(const std::string& brand) {
  if (brand == "haitai") return {"Haitai", "HaiKey", "HT0001"};
  return {"Feitian", "ePass3003", "FT0001"};
}

CertSummary cert(int days) {
  CertSummary c;
  c.holder = "张三";
  c.organisation = "内蒙古自治区政府采购中心";
  c.issuer = "CN-CA Demo Issuing CA";
  c.serial_hex = "4F1A9C03D2E7B5601288A9F0C4D3E21B7A6C5D10";
  c.not_before = kNow - 345 * kDay;
  c.not_after = kNow + days * kDay;
  c.fingerprint_sha256 = "f00d";
  c.has_private_key = true;
  c.algorithm = domain::KeyAlgorithm::EcP256;
  return c;
}

struct Flow {
  Model m;
  explicit Flow(bool catalog = true) {
    m = initial_model(Settings{}, 0, kNow);
    m = start(m).model;
    if (catalog) send(CatalogLoaded{m.session, {gov(), paid()}});
  }
  Flow& send(const Event& e) {
    m = update(std::move(m), e).model;
    return *this;
  }
  Flow& advance(Millis ms) {
    const Millis t = m.now + ms;
    return send(Tick{t, kNow + t / 1000});
  }
  void insert(const std::string& brand) {
    KeyStatus k;
    k.presence = KeyPresence::Recognised;
    k.identity = token_of(brand);
    k.brand_id = brand;
    k.brand_name = brand == "haitai" ? "海泰KEY" : "飞天诚信KEY";
    send(KeyStatusChanged{k});
  }
  KeyRead read(const std::string& brand, int days, PinFlags pin = {}) const {
    KeyRead k;
    k.session = m.session;
    k.token = token_of(brand);
    k.brand_id = brand;
    k.certificates = {cert(days)};
    k.pin = pin;
    k.can_generate = {domain::KeyAlgorithm::Rsa2048, domain::KeyAlgorithm::EcP256};
    return k;
  }
  void expect(Screen s) const {
    if (screen_of(m) != s)
      throw std::logic_error("renewal_states: the flow did not reach the expected screen");
  }
  void to_phone(const std::string& brand) {
    insert(brand);
    send(RenewTapped{});
    send(StartRenewalTapped{});
    send(read(brand, 20));
    expect(Screen::Phone);
  }
  void to_order_list(const std::string& brand) {
    to_phone(brand);
    send(GetCodeTapped{"13812345678"});
    send(SmsSent{m.session, 60, 6});
    send(CodeSubmitted{});
    send(SmsVerified{m.session});
    expect(Screen::OrderList);
  }
  Order order(Fen amount, OrderStatus st) const {
    Order o;
    const auto* list = std::get_if<phase::OrderList>(&m.flow);  // none for a business found again
    o.id = "R20261125-000" + std::to_string(list ? list->renewal.order_attempt : 0);
    o.amount = amount;
    o.code_url = "weixin://wxpay/bizpayurl?pr=Dm0x4kQ9zZ";
    o.expires_at = m.wall + 600;
    o.status = st;
    return o;
  }
  void to_payment() {
    to_order_list("feitian");
    send(YearsChosen{2});
    send(SubmitOrderTapped{});
    send(OrderCreated{m.session, order(60000, OrderStatus::PendingPayment)});
    expect(Screen::Payment);
  }
  void to_key_details(bool free) {
    if (free) {
      to_order_list("haitai");
      send(SubmitOrderTapped{});
      send(OrderCreated{m.session, order(0, OrderStatus::Paid)});
    } else {
      to_payment();
      send(OrderStatusChanged{m.session, order_of(m)->id, OrderStatus::Paid});
    }
    expect(Screen::KeyDetails);
  }
  void to_pin(PinFlags pin = {}) {
    to_key_details(false);
    send(read("feitian", 20, pin));
    send(ConfirmRenewalTapped{});
    send(DialogConfirmed{});
    expect(Screen::Pin);
  }
  void to_progress(RenewalStep upto) {
    to_pin();
    send(PinSubmitted{});
    for (int s = 0; s < static_cast<int>(upto); ++s) {
      StepDone d{m.session, static_cast<RenewalStep>(s)};
      if (d.step == RenewalStep::Submit) {
        d.not_before = m.wall;
        d.not_after = m.wall + 385 * kDay;
      }
      send(d);
    }
  }
};

}  // namespace

std::vector<NamedModel> renewal_states() {
  std::vector<NamedModel> out;
  auto add = [&](std::string name, const Model& m) { out.push_back({std::move(name), m}); };

  // ---- products ----
  {
    Flow f(false);
    f.send(RenewTapped{});
    add("products-loading", f.m);
    f.send(CatalogFailed{f.m.session, "error.platform.offline"});
    add("products-failed", f.m);
  }
  {
    Flow f;
    f.send(RenewTapped{});
    add("products-none-chosen", f.m);
    f.insert("feitian");
    add("products-preselected-from-key", f.m);
  }
  // ---- the key check ----
  {
    Flow f;
    f.insert("haitai");
    f.send(RenewTapped{});
    f.send(StartRenewalTapped{});
    add("keycheck-reading", f.m);
    const auto base = f.m;
    for (auto key : {msg::kKeyCheckBrandUnknown, msg::kKeyCheckBrandMismatch, msg::kKeyCheckNoCertificate,
                     msg::kKeyCheckNoPrivateKey, msg::kKeyCheckPinLocked, msg::kKeyCheckPinToBeChanged,
                     msg::kKeyCheckMechanism, msg::kKeyCheckTooEarly, msg::kKeyCheckTooLate}) {
      f.m = base;
      auto& check = std::get<phase::KeyCheck>(f.m.flow);
      check.reading = false;
      check.problem_key = std::string(key);
      add("keycheck-" + std::string(key), f.m);
    }
    f.m = base;
    f.send(KeyReadFailed{f.m.session, "error.token.module_missing", "dlopen"});
    add("keycheck-driver-missing", f.m);
    f.m = base;
    f.send(KeyStatusChanged{KeyStatus{}});
    f.send(KeyReadFailed{f.m.session, "error.token.absent", ""});
    add("keycheck-no-key", f.m);
    f.m = base;
    f.send(f.read("haitai", 200));
    add("keycheck-too-early-real", f.m);
  }
  // ---- the phone ----
  {
    Flow f;
    f.to_phone("feitian");
    add("phone-empty", f.m);
    f.send(GetCodeTapped{"1381234"});
    add("phone-format-error", f.m);
    f.send(GetCodeTapped{"13812345678"});
    add("phone-sending", f.m);
    f.send(SmsSent{f.m.session, 60, 6});
    f.advance(11'000);
    add("phone-countdown", f.m);
    f.send(CodeSubmitted{});
    add("phone-verifying", f.m);
    f.send(SmsRejected{f.m.session, "error.platform.sms.code_wrong"});
    add("phone-code-wrong", f.m);
    f.advance(60'000);
    add("phone-can-resend", f.m);
    f.send(GetCodeTapped{"13812345678"});
    f.send(SmsFailed{f.m.session, "error.platform.sms.hourly_limit", 1800});
    add("phone-hourly-limit", f.m);
  }
  // ---- the order list ----
  {
    Flow f;
    f.to_order_list("feitian");
    add("orderlist-paid-1-year", f.m);
    f.send(YearsChosen{3});
    add("orderlist-paid-3-years", f.m);
    f.send(SubmitOrderTapped{});
    add("orderlist-submitting", f.m);
    Flow g;
    g.to_order_list("haitai");
    add("orderlist-free", g.m);
  }
  // ---- payment ----
  {
    Flow f;
    f.to_payment();
    add("payment-qr", f.m);
    f.advance(200'000);
    add("payment-qr-later", f.m);
    const auto waiting = f.m;
    f.send(CancelTapped{});
    add("payment-cancel-dialog", f.m);
    f.send(DialogConfirmed{});
    add("payment-closing", f.m);
    f.m = waiting;
    f.advance(420'000);
    // Past the expiry the usual idle rule is back: nobody touched the kiosk while paying, so the overlay.
    add("payment-expired-idle", f.m);
    f.send(Activity{});
    add("payment-expired", f.m);
    f.send(NewOrderTapped{});
    add("payment-expired-closing", f.m);
  }
  // ---- the key's details ----
  {
    Flow f;
    f.to_key_details(false);
    add("keydetails-reading", f.m);
    const auto reading = f.m;
    f.send(f.read("feitian", 20));
    add("keydetails-paid", f.m);
    f.send(ConfirmRenewalTapped{});
    add("keydetails-confirm-dialog", f.m);
    f.m = reading;
    f.send(KeyReadFailed{f.m.session, "error.token.device_error", "C_GetAttributeValue"});
    add("keydetails-read-failed-dialog", f.m);
    f.send(DialogConfirmed{});
    add("keydetails-read-hint", f.m);
    f.m = reading;
    KeyRead other = f.read("feitian", 20);
    other.token.serial = "FT9999";
    f.send(other);
    add("keydetails-other-key", f.m);
    Flow g;
    g.to_key_details(true);
    g.send(g.read("haitai", 20));
    add("keydetails-free", g.m);
    // 继续操作: a business recovered after a restart.
    Flow h;
    h.insert("feitian");
    BusinessRecovered b;
    b.session = h.m.session;
    b.product_id = paid().id;
    b.order = h.order(30000, OrderStatus::Paid);
    b.cert = cert(20);
    b.token = token_of("feitian");
    b.resume_at = RenewalStep::StageKey;
    h.send(b);
    h.send(h.read("feitian", 20));
    add("keydetails-resumed", h.m);
  }
  // ---- the PIN ----
  {
    Flow f;
    f.to_pin();
    add("pin-empty", f.m);
    f.send(PinSubmitted{});
    add("pin-verifying", f.m);
    f.send(StepFailed{f.m.session, RenewalStep::Login, StepErrorKind::PinIncorrect, "error.token.pin_incorrect", "",
                      PinFlags{true, false, false, false}});
    add("pin-wrong-count-low", f.m);
    f.send(PinSubmitted{});
    f.send(StepFailed{f.m.session, RenewalStep::Login, StepErrorKind::PinIncorrect, "error.token.pin_incorrect", "",
                      PinFlags{true, true, false, false}});
    add("pin-wrong-final-try", f.m);
    f.send(PinSubmitted{});
    add("pin-final-try-dialog", f.m);
  }
  // ---- progress ----
  for (auto [step, name] : {std::pair{RenewalStep::StageKey, "progress-stage-key"},
                            std::pair{RenewalStep::BuildP10, "progress-p10"},
                            std::pair{RenewalStep::Submit, "progress-submit"},
                            std::pair{RenewalStep::Install, "progress-install"},
                            std::pair{RenewalStep::Confirm, "progress-confirm"}}) {
    Flow f;
    f.to_progress(step);
    add(name, f.m);
  }
  {
    Flow f;
    f.to_progress(RenewalStep::StageKey);
    f.send(StepDone{f.m.session, RenewalStep::StageKey, true});
    add("progress-reused-key", f.m);
    Flow g;
    g.to_progress(RenewalStep::Finalize);
    g.send(StepFailed{g.m.session, RenewalStep::Finalize, StepErrorKind::NotYetValid,
                      "error.token.certificate_not_yet_valid", ""});
    add("progress-waiting-clock", g.m);
  }
  {
    // A long key generation: 1 min 40 s so far of about a minute (an RSA-2048 pair on a slow token), and a
    // step whose usual time nobody knows yet.
    Flow f;
    f.to_progress(RenewalStep::StageKey);
    StepTimes usual;
    usual.usual[static_cast<std::size_t>(RenewalStep::StageKey)] = 62'000;
    f.send(StepStarted{f.m.session, RenewalStep::StageKey, usual});
    f.advance(100'000);
    add("progress-long-key-generation", f.m);
    Flow g;
    g.to_progress(RenewalStep::Install);
    g.send(StepStarted{g.m.session, RenewalStep::Install, {}});
    g.advance(7'000);
    add("progress-usual-unknown", g.m);
  }
  // ---- the key pulled ----
  {
    Flow f;
    f.to_key_details(false);
    f.send(f.read("feitian", 20));
    f.send(KeyStatusChanged{KeyStatus{}});
    add("keypulled-before-rollover", f.m);
    Flow g;
    g.to_progress(RenewalStep::BuildP10);
    g.send(StepFailed{g.m.session, RenewalStep::BuildP10, StepErrorKind::TokenRemoved, "error.token.removed", ""});
    add("keypulled-mid-rollover", g.m);
    KeyStatus other;
    other.presence = KeyPresence::Recognised;
    other.identity = {"Feitian", "ePass3003", "FT9999"};
    other.brand_id = "feitian";
    other.brand_name = "飞天诚信KEY";
    g.send(KeyStatusChanged{other});
    add("keypulled-other-key", g.m);
    g.insert("feitian");
    add("pin-again-after-pull", g.m);
  }
  // ---- the end ----
  {
    Flow f;
    f.to_progress(RenewalStep::Done);
    f.expect(Screen::Success);
    add("success", f.m);
  }
  {
    Flow f;
    f.to_pin();
    f.send(PinSubmitted{});
    f.send(StepFailed{f.m.session, RenewalStep::Login, StepErrorKind::PinLocked, "error.token.pin_locked",
                      "C_Login: CKR_PIN_LOCKED"});
    add("failure-needs-staff-pin-locked", f.m);
    Flow n = f;
    n.send(NeedsStaffRecorded{n.m.session, order_of(n.m)->id, false});
    add("failure-needs-staff-not-yet-told", n.m);
    f.send(NeedsStaffRecorded{f.m.session, order_of(f.m)->id, true});
    add("failure-needs-staff-recorded", f.m);
    Flow g;
    g.to_progress(RenewalStep::Install);
    g.send(StepFailed{g.m.session, RenewalStep::Install, StepErrorKind::TokenFull, "error.token.full",
                      "C_CreateObject: CKR_DEVICE_MEMORY"});
    add("failure-needs-staff-token-full", g.m);
    Flow h;
    h.to_progress(RenewalStep::Submit);
    h.send(StepFailed{h.m.session, RenewalStep::Submit, StepErrorKind::Unavailable, "error.platform.offline",
                      "error.platform.offline (curl: Couldn't connect to server)"});
    add("failure-unavailable-paid", h.m);
    Flow o;
    o.to_order_list("feitian");
    o.send(SubmitOrderTapped{});
    o.send(OrderFailed{o.m.session, "error.platform.certificate.revoked", "422 certificate.revoked", false});
    add("failure-order-refused", o.m);
    Flow r;
    r.to_order_list("feitian");
    r.send(SubmitOrderTapped{});
    r.send(OrderFailed{r.m.session, "error.platform.timeout", "timeout", true});
    add("failure-order-retry", r.m);
  }
  return out;
}

}  // namespace ui_test
