// The session around the flows: idle and its overlay, wipes, results of a wiped session, the one path for
// events that mean nothing where the customer is, and the phases' names.
#include "driver.hpp"

#include <set>

using namespace core_test;

TEST_CASE("idle: overlay with a countdown, 继续 keeps the session, timeout wipes it and closes the order") {
  Driver d;
  d.to_order_list("feitian");
  d.advance_ms(59'000);
  CHECK_FALSE(d.m.idle_overlay);
  d.advance_ms(1'000);
  REQUIRE(d.m.idle_overlay);
  CHECK(chrome_view(d.m).idle_seconds_left == 20);
  d.send(ContinueTapped{});
  CHECK_FALSE(d.m.idle_overlay);
  CHECK(d.screen() == Screen::OrderList);

  d.send(SubmitOrderTapped{});
  d.send(OrderCreated{d.m.session, d.order(30000, OrderStatus::PendingPayment)});
  d.advance_ms(601'000);  // expired: the usual idle rule is back, and nobody touched it for 10 minutes
  REQUIRE(d.m.idle_overlay);
  d.advance_ms(19'000);
  CHECK(chrome_view(d.m).idle_seconds_left == 1);
  d.advance_ms(1'000);
  CHECK(d.screen() == Screen::Home);
  REQUIRE(d.effect<CloseOrder>());
  CHECK(d.effect<CloseOrder>()->leaving);  // nobody goes on if it turns out paid: the runtime tells the counter
  CHECK(d.effect<WipeSession>());
  // Nothing of the customer is left: home holds no data at all, and the session number moved on.
  CHECK(d.m.flow == Flow{phase::Home{}});
}

TEST_CASE("a result from a wiped session is dropped") {
  Driver d;
  d.to_order_list("feitian");
  auto old = d.m.session;
  d.send(HomeTapped{});
  REQUIRE(d.m.session == old + 1);
  d.send(RenewTapped{});
  const Model before = d.m;
  d.send(SmsVerified{old});
  CHECK(d.m == before);
  CHECK(d.fx.empty());
}

TEST_CASE("an event that means nothing in the current phase changes nothing and asks for nothing") {
  // Every intent of the renewal and the personal centre, sent where it has no meaning: home, a step of
  // the renewal, a page of the personal centre. (Results of effects are covered by the session check
  // above and by the flows' own tests.)
  const std::vector<Event> intents{ProductChosen{"bid-feitian-renew"},
                                   YearsChosen{2},
                                   StartRenewalTapped{},
                                   ReadKeyTapped{},
                                   GetCodeTapped{"13812345678"},
                                   CodeSubmitted{},
                                   SubmitOrderTapped{},
                                   CancelTapped{},
                                   NewOrderTapped{},
                                   ConfirmRenewalTapped{},
                                   DialogConfirmed{},
                                   DialogDismissed{},
                                   PinSubmitted{},
                                   RetryTapped{},
                                   DoneTapped{},
                                   LoginMethodChosen{LoginMethod::Sms},
                                   LoginGetCodeTapped{"13812345678"},
                                   LoginSubmitted{"13812345678"},
                                   LogoutTapped{},
                                   MyBusinessTapped{},
                                   ProfileTapped{},
                                   ChangePasswordTapped{},
                                   ContinueBusinessTapped{"ORD-1"},
                                   ProfileGetCodeTapped{"13900001111"},
                                   ProfileSubmitted{"李四", "", "13812345678"},
                                   PasswordSubmitted{}};
  Driver home;
  Driver phone;
  phone.insert_key("haitai");
  phone.send(RenewTapped{}).send(StartRenewalTapped{}).send(phone.key_read("haitai", 20));
  REQUIRE(phone.screen() == Screen::Phone);
  for (Driver* d : {&home, &phone}) {
    for (const auto& e : intents) {
      // The phone step's own intents (and those that leave it) are its business, not this test's.
      if (d == &phone &&
          (std::holds_alternative<GetCodeTapped>(e) || std::holds_alternative<CodeSubmitted>(e) ||
           std::holds_alternative<CancelTapped>(e)))
        continue;
      CAPTURE(event_name(e));
      CAPTURE(screen_name(d->screen()));
      auto u = update(d->m, e);
      CHECK(u.model == d->m);
      CHECK(u.effects.empty());
      CHECK(secrets_held(u.model).empty());  // a secret that came with it is kept by nothing
    }
  }
}

TEST_CASE("every screen has its phase and its name") {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kScreenCount; ++i) {
    const auto s = static_cast<Screen>(i);
    CAPTURE(i);
    CHECK_FALSE(screen_name(s).empty());
    names.insert(screen_name(s));
  }
  CHECK(names.size() == kScreenCount);
  CHECK(screen_name(Screen::KeyPulled) == "KeyPulled");
  CHECK(screen_name(static_cast<Screen>(kScreenCount)).empty());
  Model m = initial_model(Settings{}, 0, kNow);
  CHECK(screen_of(m) == Screen::Home);
  m.flow = phase::ChangePassword{};
  CHECK(screen_of(m) == Screen::ChangePassword);
}

TEST_CASE("event and effect names for logs") {
  CHECK(event_name(Event{GetCodeTapped{"13812345678"}}) == "GetCodeTapped");
  CHECK(effect_name(Effect{WipeSession{}}) == "WipeSession");
}

TEST_CASE("help and back; the language returns to the default on an idle home") {
  Driver d;
  d.send(LanguageChosen{Language::En});
  d.send(HelpTapped{});
  CHECK(d.screen() == Screen::Help);
  CHECK(chrome_view(d.m).can_go_back);
  d.send(BackTapped{});
  CHECK(d.screen() == Screen::Home);
  CHECK(d.m.language == Language::En);
  auto w = next_wakeup(d.m);
  REQUIRE(w);
  d.send(Tick{*w, kNow + *w / 1000});
  CHECK(d.m.language == Language::ZhCN);
  CHECK_FALSE(next_wakeup(d.m));
}
