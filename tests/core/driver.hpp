// The flow core's tests drive it by scripted events with a fake clock: no screen, no token, no network.
// Driver keeps the model, the last event's effects and all effects so far; at<P>() is the phase the
// customer must be in (the test fails, naming both screens, when they are elsewhere), view<f>() that
// phase's view-model.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "core/update.hpp"
#include "core/view.hpp"

namespace core_test {

using namespace core;

inline constexpr UnixSeconds kNow = 1'790'000'000;  // 2026-09
inline constexpr UnixSeconds kDay = 86'400;

inline Product gov_product() {
  Product p;
  p.id = "gov-haitai-renew";
  p.project_id = "gov-procurement";
  p.project_name = "政府采购项目";
  p.brand_id = "haitai";
  p.brand_name = "海泰KEY";
  p.title = "政府采购项目-海泰KEY-续费";
  p.price_per_year = 0;
  p.key_algorithm = domain::KeyAlgorithm::EcP256;
  return p;
}

inline Product paid_product() {
  Product p;
  p.id = "bid-feitian-renew";
  p.project_id = "e-bidding";
  p.brand_id = "feitian";
  p.brand_name = "飞天诚信KEY";
  p.title = "电子招投标项目-飞天诚信KEY-续费";
  p.price_per_year = 30000;
  p.allowed_years = {1, 2, 3};
  p.key_algorithm = domain::KeyAlgorithm::Rsa2048;
  return p;
}

inline TokenIdentity token_of(const std::string& brand) {
  if (brand == "haitai") return {"Haitai", "HaiKey", "HT0001"};
  return {"Feitian", "ePass3003", "FT0001"};
}

inline CertSummary cert_expiring_in(int days) {
  CertSummary c;
  c.holder = "张三";
  c.organisation = "内蒙古自治区政府采购中心";
  c.serial_hex = "01AB";
  c.not_before = kNow - 345 * kDay;
  c.not_after = kNow + days * kDay;
  c.fingerprint_sha256 = "f00d";
  c.has_private_key = true;
  return c;
}

struct Driver {
  Model m;
  std::vector<Effect> fx;  // effects of the last event
  std::vector<Effect> all_fx;

  // A kiosk with the two products loaded (`catalog` false: none yet).
  explicit Driver(bool catalog = true) {
    m = initial_model(Settings{}, 0, kNow);
    auto u = start(m);
    m = u.model;
    if (catalog) send(CatalogLoaded{m.session, {gov_product(), paid_product()}});
  }

  Driver& send(const Event& e) {
    auto u = update(m, e);
    m = std::move(u.model);
    fx = std::move(u.effects);
    all_fx.insert(all_fx.end(), fx.begin(), fx.end());
    return *this;
  }

  // The fake clock: advance both clocks and deliver a tick.
  Driver& advance_ms(Millis ms) {
    Millis t = m.now + ms;
    UnixSeconds w = kNow + t / 1000;
    return send(Tick{t, w});
  }

  [[nodiscard]] Screen screen() const { return screen_of(m); }
  [[nodiscard]] Dialog dialog() const { return dialog_of(m); }

  template <typename P>
  P& at() {
    auto* p = std::get_if<P>(&m.flow);
    REQUIRE_MESSAGE(p, "on " << screen_name(screen_of(m)) << ", not " << screen_name(P::kScreen));
    return *p;
  }
  template <auto View>
  auto view() {
    return View(m, at<PhaseOf<View>>());
  }

  template <typename T>
  const T* effect() const {
    for (const auto& e : fx)
      if (auto* p = std::get_if<T>(&e)) return p;
    return nullptr;
  }
  template <typename T>
  int count_all() const {
    return static_cast<int>(std::count_if(all_fx.begin(), all_fx.end(),
                                          [](const Effect& e) { return std::holds_alternative<T>(e); }));
  }

  void insert_key(const std::string& brand) {
    KeyStatus k;
    k.presence = KeyPresence::Recognised;
    k.identity = token_of(brand);
    k.brand_id = brand;
    send(KeyStatusChanged{k});
  }
  void pull_key() { send(KeyStatusChanged{KeyStatus{}}); }

  KeyRead key_read(const std::string& brand, int days_to_expiry, PinFlags pin = {}) const {
    KeyRead k;
    k.session = m.session;
    k.token = token_of(brand);
    k.brand_id = brand;
    k.certificates = {cert_expiring_in(days_to_expiry)};
    k.pin = pin;
    k.can_generate = {domain::KeyAlgorithm::Rsa2048, domain::KeyAlgorithm::EcP256};
    return k;
  }

  // Home → product → 【开始续费】 → key checked → phone verified → order list.
  void to_order_list(const std::string& brand) {
    insert_key(brand);
    send(RenewTapped{});
    REQUIRE(screen() == Screen::Products);
    send(StartRenewalTapped{});
    REQUIRE(effect<ReadKey>());
    send(key_read(brand, 20));
    REQUIRE(screen() == Screen::Phone);
    send(GetCodeTapped{"13812345678"});
    REQUIRE(effect<SendSms>());
    send(SmsSent{m.session, 60, 6});
    send(CodeSubmitted{});
    REQUIRE(effect<VerifySms>());
    send(SmsVerified{m.session});
    REQUIRE(screen() == Screen::OrderList);
  }

  Order order(Fen amount, OrderStatus st) {
    Order o;
    o.id = "ORD-" + std::to_string(at<phase::OrderList>().renewal.order_attempt);
    o.amount = amount;
    o.code_url = "weixin://wxpay/bizpayurl?pr=abc";
    o.expires_at = m.wall + 600;
    o.status = st;
    return o;
  }

  // The order list → a ¥0 order, paid on creation → the key's details read with this brand's key.
  // `pin`: the flags the key reports.
  void to_key_details_free(const std::string& brand = "haitai", PinFlags pin = {}) {
    to_order_list(brand);
    send(SubmitOrderTapped{});
    send(OrderCreated{m.session, order(0, OrderStatus::Paid)});
    REQUIRE(screen() == Screen::KeyDetails);
    send(key_read(brand, 20, pin));
  }

  // The PIN screen of a paid renewal on a haitai key; `final_try`: the key says the next wrong PIN locks it.
  void to_pin(bool final_try) {
    PinFlags pin;
    pin.final_try = final_try;
    to_key_details_free("haitai", pin);
    send(ConfirmRenewalTapped{}).send(DialogConfirmed{});
    REQUIRE(screen() == Screen::Pin);
  }

  // From 【确认续费】 through the PIN to the end of the rollover, every step succeeding.
  void confirm_and_roll_over() {
    REQUIRE(screen() == Screen::KeyDetails);
    send(ConfirmRenewalTapped{});
    REQUIRE(dialog() == Dialog::ConfirmRenewal);
    send(DialogConfirmed{});
    REQUIRE(screen() == Screen::Pin);
    send(PinSubmitted{});
    run_steps_from(RenewalStep::Login);
  }

  void run_steps_from(RenewalStep first) {
    for (int s = static_cast<int>(first); s < static_cast<int>(RenewalStep::Done); ++s) {
      auto* run = effect<RunStep>();
      REQUIRE(run);
      REQUIRE(static_cast<int>(run->step) == s);
      StepDone d{m.session, run->step};
      if (run->step == RenewalStep::Submit) {
        d.not_before = m.wall;
        d.not_after = m.wall + 385 * kDay;
      }
      send(d);
    }
  }
};

// The personal centre's customer.
inline Profile profile() {
  Profile p;
  p.account_id = "A-1";
  p.username = "13812345678";
  p.member_level = "普通用户";
  p.real_name = "李四";
  p.phone = "13812345678";
  return p;
}

// A kiosk with no catalog, for the personal centre.
struct AccountDriver : Driver {
  AccountDriver() : Driver(false) {}
  LoginForm& login() { return at<phase::Login>().form; }
  void login_ok(bool must_change = false) {
    send(PersonalCentreTapped{});
    REQUIRE(screen() == Screen::Login);
    send(LoginSubmitted{"13812345678"});
    REQUIRE(effect<AccountLogin>());
    send(LoggedIn{m.session, must_change, profile()});
  }
};

}  // namespace core_test
