// The renewal's screens, drawn headless from models the flow core produced: every screen in every state in
// both languages and orientations passes the layout rules, and each screen's touches give the intents the
// core expects (the PIN and the SMS code handed over, never in an event).
#include <doctest/doctest.h>

#include <string>

#include "core/update.hpp"
#include "core/view.hpp"
#include "renewal_states.hpp"
#include "ui/qr.hpp"
#include "ui/renewal.hpp"
#include "ui_test_support.hpp"

namespace {

core::Model step(core::Model m, const core::Event& e) {
  return core::update(std::move(m), e).model;
}

const ui_test::NamedModel& state(const std::vector<ui_test::NamedModel>& all, const std::string& name) {
  for (const auto& s : all)
    if (s.name == name) return s;
  FAIL("no state " << name);
  return all.front();
}

template <typename E>
bool has(const std::vector<core::Event>& events) {
  for (const auto& e : events)
    if (std::holds_alternative<E>(e)) return true;
  return false;
}

void type(ui_test::UiHarness& h, const core::Model& m, std::string_view digits) {
  for (char d : digits) h.tap(m, std::string("keypad.d") + d);
}

}  // namespace

TEST_CASE("every renewal screen in every state passes the layout rules in both languages and orientations") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  CHECK(states.size() >= 60);
  for (const auto& s : states) {
    INFO(s.name);
    for (const auto& p : ui_test::check_all_layouts(h, s.model)) FAIL_CHECK(s.name << ": " << p);
  }
}

TEST_CASE("formatting: money as the manual writes it, dates in China Standard Time, masked phones") {
  CHECK(ui::money(0) == "¥0");
  CHECK(ui::money(30000) == "¥300");
  CHECK(ui::money(1250) == "¥12.50");
  CHECK(ui::money(1205) == "¥12.05");
  CHECK(ui::date_cst(1'767'196'800) == "2026-01-01");  // 2025-12-31 16:00 UTC is midnight in Beijing
  CHECK(ui::date_cst(1'767'196'799) == "2025-12-31");
  CHECK(ui::mm_ss(599) == "09:59");
  CHECK(ui::mask_phone("13812345678") == "138****5678");
  CHECK(ui::picture_name("products/haitai-key.png") == "products/haitai-key");
}

TEST_CASE("products: a tap on a card chooses it, 开始续费 starts the key check") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  core::Model m = state(states, "products-none-chosen").model;
  h.settle(m);
  CHECK_FALSE(h.widgets().find("products.start")->enabled);
  auto e = h.tap(m, "products.card.e_bidding_feitian_renew");
  REQUIRE(e.size() == 1);
  CHECK(std::get<core::ProductChosen>(e[0]).product_id == "e-bidding-feitian-renew");
  m = step(m, e[0]);
  h.settle(m);
  CHECK(h.widgets().find("products.card.e_bidding_feitian_renew.price")->text == "¥300/年");
  CHECK(h.widgets().find("products.card.gov_procurement_haitai_renew.price")->text == "免费");
  e = h.tap(m, "products.start");
  REQUIRE(e.size() == 1);
  CHECK(std::holds_alternative<core::StartRenewalTapped>(e[0]));
  m = state(states, "products-preselected-from-key").model;
  h.settle(m);
  CHECK(h.widgets().find("products.card.e_bidding_feitian_renew.matches"));
  CHECK(h.widgets().find("products.start")->enabled);
}

TEST_CASE("key check: what is wrong in words, in red, and 读取证书 reads again") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  core::Model m = state(states, "keycheck-driver-missing").model;
  h.settle(m);
  CHECK(h.widgets().find("keycheck.why")->text == "此品牌KEY的驱动程序未安装，请联系工作人员。");
  auto e = h.tap(m, "keycheck.read");
  REQUIRE(e.size() == 1);
  CHECK(std::holds_alternative<core::ReadKeyTapped>(e[0]));
  m = state(states, "keycheck-too-early-real").model;
  h.settle(m);
  CHECK(h.widgets().find("keycheck.why")->text == "证书尚未进入续费期，请在临近到期时再来办理。");
  m = state(states, "keycheck-reading").model;
  h.settle(m);
  CHECK_FALSE(h.widgets().find("keycheck.read")->enabled);
}

TEST_CASE("phone: the number, 获取验证码, the countdown, the code handed over on submit") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  core::Model m = state(states, "phone-empty").model;
  h.settle(m);
  CHECK_FALSE(h.widgets().find("phone.get_code")->enabled);
  type(h, m, "13812345678");
  CHECK(h.widgets().find("phone.field.text")->text == "13812345678");
  CHECK(h.widgets().find("phone.get_code")->enabled);
  auto e = h.tap(m, "phone.get_code");
  REQUIRE(e.size() == 1);
  CHECK(std::get<core::GetCodeTapped>(e[0]).phone == "13812345678");
  m = step(m, e[0]);
  m = step(m, core::SmsSent{m.session, 60, 6});
  m = step(m, core::Tick{m.now + 11'000, m.wall + 11});
  h.settle(m);
  // "请在49秒后重新发送", and the keypad now types the code.
  CHECK(h.widgets().find("phone.get_code")->text == "请在49秒后重新发送");
  CHECK_FALSE(h.widgets().find("phone.get_code")->enabled);
  CHECK_FALSE(h.widgets().find("phone.next")->enabled);
  type(h, m, "507913");
  CHECK(h.widgets().find("phone.code.text")->text == "507913");
  CHECK(h.widgets().find("phone.field.text")->text == "13812345678");
  (void)h.take_secrets();
  e = h.tap(m, "phone.next");
  REQUIRE(e.size() == 1);
  REQUIRE(std::holds_alternative<core::CodeSubmitted>(e[0]));
  auto secrets = h.take_secrets();
  REQUIRE(secrets.size() == 1);
  CHECK(secrets[0].slot.kind == core::SecretKind::SmsCode);
  CHECK(std::get<core::CodeSubmitted>(e[0]).code == secrets[0].slot);  // the event names it, nothing more
  CHECK(secrets[0].secret.size() == 6);
  h.settle(m);
  CHECK(h.shell().scratch()->phone.code.value.empty());  // handed over, nothing kept
  CHECK(h.widgets().find("phone.code.text")->text != "507913");
}

TEST_CASE("order list: years change the subtotal, 提交 submits; payment: the QR at a whole module size") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  core::Model m = state(states, "orderlist-paid-1-year").model;
  h.settle(m);
  CHECK(h.widgets().find("order.row0.subtotal")->text == "¥300");
  auto e = h.tap(m, "order.years.3");
  REQUIRE(e.size() == 1);
  m = step(m, e[0]);
  h.settle(m);
  CHECK(h.widgets().find("order.row0.subtotal")->text == "¥900");
  CHECK(h.widgets().find("order.total")->text == "合计：¥900");
  e = h.tap(m, "order.submit");
  REQUIRE(e.size() == 1);
  CHECK(std::holds_alternative<core::SubmitOrderTapped>(e[0]));

  m = state(states, "payment-qr").model;
  for (ImVec2 display : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    h.set_display(display);
    h.settle(m);
    const auto* qr = h.widgets().find("payment.qr");
    REQUIRE(qr);
    const int modules = *ui::qr_modules(core::order_of(m)->code_url) + 8;
    const auto side = static_cast<int>(qr->rect.GetWidth());
    CHECK(side % modules == 0);
    CHECK(side / modules >= 6);
    CHECK(h.widgets().find("payment.countdown")->text == "二维码将在 10:00 后失效");
    CHECK(h.widgets().find("payment.amount")->text == "¥600");
  }
  h.set_display(ImVec2(1920, 1080));
  h.settle(m);
  e = h.tap(m, "payment.cancel");
  REQUIRE(e.size() == 1);
  m = step(m, e[0]);
  REQUIRE(core::dialog_of(m) == core::Dialog::CancelPayment);
  h.settle(m);
  e = h.tap(m, "dialog.cancel");  // 继续支付
  REQUIRE(e.size() == 1);
  CHECK(std::holds_alternative<core::DialogDismissed>(e[0]));
  m = state(states, "payment-expired").model;
  h.settle(m);
  CHECK_FALSE(h.widgets().find("payment.qr"));
  e = h.tap(m, "payment.new_order");
  REQUIRE(e.size() == 1);
  CHECK(std::holds_alternative<core::NewOrderTapped>(e[0]));
}

TEST_CASE("key details: 确认续费 opens the one-chance confirmation; a read failure gives the manual's dialog") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  core::Model m = state(states, "keydetails-paid").model;
  h.settle(m);
  CHECK(h.widgets().find("keydetails.paid"));
  CHECK(h.widgets().find("keydetails.holder.value")->text == "张三");
  auto e = h.tap(m, "keydetails.confirm");
  REQUIRE(e.size() == 1);
  m = step(m, e[0]);
  REQUIRE(core::dialog_of(m) == core::Dialog::ConfirmRenewal);
  h.settle(m);
  CHECK(h.widgets().find("dialog.body")->text == "确定续费吗，本次购买只有一次续费机会！");
  // The screen below takes no touch while the dialog is up.
  const auto below = h.widgets().find("keydetails.confirm")->rect.GetCenter();
  e = h.tap_at(m, below);
  CHECK(e.empty());
  e = h.tap(m, "dialog.ok");
  REQUIRE(e.size() == 1);
  CHECK(std::holds_alternative<core::DialogConfirmed>(e[0]));
  CHECK(core::screen_of(step(m, e[0])) == core::Screen::Pin);

  m = state(states, "keydetails-read-failed-dialog").model;
  h.settle(m);
  CHECK(h.widgets().find("dialog.title")->text == "证书读取失败");
  m = step(m, h.tap(m, "dialog.ok").at(0));
  h.settle(m);
  CHECK(h.widgets().find("keydetails.read_hint"));
  CHECK(std::holds_alternative<core::ReadKeyTapped>(h.tap(m, "keydetails.read").at(0)));
}

TEST_CASE("PIN: masked, handed over on 确定, 产生签名证书P10申请书失败 after a wrong one, the flags warn") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  core::Model m = state(states, "pin-empty").model;
  h.settle(m);
  type(h, m, "123");
  CHECK_FALSE(h.widgets().find("keypad.ok")->enabled);  // shorter than the key's minimum
  type(h, m, "456");
  CHECK(h.widgets().find("pin.field")->text == "●●●●●●");
  (void)h.take_secrets();
  auto e = h.tap(m, "keypad.ok");
  REQUIRE(e.size() == 1);
  REQUIRE(std::holds_alternative<core::PinSubmitted>(e[0]));
  auto secrets = h.take_secrets();
  REQUIRE(secrets.size() == 1);
  CHECK(secrets[0].slot.kind == core::SecretKind::Pin);
  CHECK(std::get<core::PinSubmitted>(e[0]).pin == secrets[0].slot);
  CHECK(secrets[0].secret.size() == 6);
  CHECK(h.shell().scratch()->pin.pin.value.empty());

  m = state(states, "pin-wrong-count-low").model;
  h.settle(m);
  CHECK(h.widgets().find("pin.failed")->text == "产生签名证书P10申请书失败");
  CHECK(h.widgets().find("pin.count_low"));
  m = state(states, "pin-wrong-final-try").model;
  h.settle(m);
  CHECK(h.widgets().find("pin.final_try"));
  m = state(states, "pin-final-try-dialog").model;
  h.settle(m);
  CHECK(h.widgets().find("dialog.title")->text == "最后一次机会");
}

TEST_CASE("progress, key pulled, success and failure say what they must") {
  ui_test::UiHarness h;
  const auto states = ui_test::renewal_states();
  core::Model m = state(states, "progress-submit").model;
  h.settle(m);
  CHECK(h.widgets().find("chrome.do_not_remove"));
  CHECK(h.widgets().find("progress.row0.state")->text == "已完成");
  CHECK(h.widgets().find("progress.row2.state")->text == "进行中");
  CHECK(h.widgets().find("progress.row3.state")->text == "等待中");
  m = state(states, "keypulled-other-key").model;
  h.settle(m);
  CHECK(h.widgets().find("keypulled.head")->text == "这不是本次续费的KEY");
  m = state(states, "success").model;
  h.settle(m);
  CHECK(h.widgets().find("success.take_key")->text == "请取走KEY");
  CHECK(h.widgets().find("success.validity.value")->text.find(" 至 ") != std::string::npos);
  CHECK(std::holds_alternative<core::DoneTapped>(h.tap(m, "success.done").at(0)));
  m = state(states, "failure-needs-staff-recorded").model;
  h.settle(m);
  CHECK(h.widgets().find("failure.order")->text == core::order_of(m)->id);
  CHECK(h.widgets().find("failure.recorded"));
  CHECK_FALSE(h.widgets().find("failure.not_yet_told"));
  CHECK_FALSE(h.widgets().find("failure.retry"));
  // Not acknowledged by the platform: the screen never says the counter has it.
  m = state(states, "failure-needs-staff-not-yet-told").model;
  h.settle(m);
  CHECK_FALSE(h.widgets().find("failure.recorded"));
  CHECK(h.widgets().find("failure.not_yet_told")->text.find("KEY") != std::string::npos);
  m = state(states, "failure-order-retry").model;
  h.settle(m);
  CHECK(std::holds_alternative<core::RetryTapped>(h.tap(m, "failure.retry").at(0)));
}
