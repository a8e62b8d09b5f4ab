// The payment: the QR's expiry and a new order, payment racing a cancel or a close, the idle rule while
// the customer pays on the phone.
#include "driver.hpp"

using namespace core_test;

namespace {

// The order list → a pending order on the payment screen.
void to_payment(Driver& d) {
  d.to_order_list("feitian");
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  REQUIRE(d.screen() == Screen::Payment);
}

}  // namespace

TEST_CASE("QR expired: the old order is closed before a new one") {
  Driver d;
  to_payment(d);
  // No idle timeout while the customer pays on the phone, up to the order's expiry.
  d.advance_ms(300'000);
  CHECK_FALSE(d.m.idle_overlay);
  d.advance_ms(301'000);
  CHECK(d.view<payment_view>().expired);
  d.send(NewOrderTapped{});
  auto* close = d.effect<CloseOrder>();
  REQUIRE(close);
  CHECK(close->order_id == "ORD-1");
  CHECK_FALSE(close->leaving);  // the customer goes on with a new order
  CHECK_FALSE(d.effect<CreateOrder>());
  d.send(OrderClosed{d.m.session, "ORD-1", false});
  auto* co = d.effect<CreateOrder>();
  REQUIRE(co);
  CHECK(co->attempt == 2);  // a new idempotency key: a new order
  CHECK(d.screen() == Screen::OrderList);
  CHECK(d.view<order_list_view>().submitting);
}

TEST_CASE("QR expired but paid at the last second: the renewal goes on with that order") {
  Driver d;
  to_payment(d);
  d.advance_ms(601'000);
  d.send(NewOrderTapped{});
  d.send(OrderClosed{d.m.session, "ORD-1", true});
  CHECK(d.screen() == Screen::KeyDetails);
  CHECK(d.count_all<CreateOrder>() == 1);
}

TEST_CASE("payment made just as the customer cancels goes on as paid") {
  Driver d;
  to_payment(d);
  d.send(CancelTapped{});
  CHECK(d.dialog() == Dialog::CancelPayment);
  d.send(DialogConfirmed{});
  CHECK(d.dialog() == Dialog::None);
  REQUIRE(d.effect<CloseOrder>());
  d.send(OrderClosed{d.m.session, "ORD-1", true});
  CHECK(d.screen() == Screen::KeyDetails);
  CHECK(d.at<phase::KeyDetails>().paid.order.status == OrderStatus::Paid);
}

TEST_CASE("cancel before paying closes the order and wipes the session") {
  Driver d;
  to_payment(d);
  auto session = d.m.session;
  d.send(CancelTapped{}).send(DialogConfirmed{});
  d.send(OrderClosed{d.m.session, "ORD-1", false});
  CHECK(d.screen() == Screen::Home);
  CHECK(d.m.session == session + 1);
  CHECK(d.effect<WipeSession>());
  CHECK_FALSE(d.effect<CloseOrder>());  // closed already
}

TEST_CASE("the cancel dialog: 【取消】 stays on the payment, nothing closed") {
  Driver d;
  to_payment(d);
  d.send(BackTapped{});
  REQUIRE(d.dialog() == Dialog::CancelPayment);
  d.send(DialogDismissed{});
  CHECK(d.dialog() == Dialog::None);
  CHECK(d.screen() == Screen::Payment);
  CHECK(d.count_all<CloseOrder>() == 0);
}

TEST_CASE("idle: paid on the phone after minutes untouched, the key's details get the whole idle time") {
  Driver d;
  to_payment(d);
  d.advance_ms(300'000);  // paying on the phone: no idle limit on the payment screen
  CHECK_FALSE(d.m.idle_overlay);
  d.send(OrderStatusChanged{d.m.session, "ORD-1", OrderStatus::Paid});
  REQUIRE(d.screen() == Screen::KeyDetails);
  d.advance_ms(59'000);
  CHECK_FALSE(d.m.idle_overlay);  // not "您还在吗" the moment the details appear
  d.advance_ms(1'000);
  CHECK(d.m.idle_overlay);
}

TEST_CASE("next_wakeup: nothing on an idle home, whole seconds on countdowns") {
  Driver d;
  CHECK_FALSE(next_wakeup(d.m));
  d.to_order_list("feitian");
  auto w = next_wakeup(d.m);
  REQUIRE(w);
  CHECK(*w == d.m.last_activity + 60'000);
  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  w = next_wakeup(d.m);
  REQUIRE(w);
  CHECK(*w == d.m.now + 1000);
}
