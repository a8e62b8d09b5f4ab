// Typed secrets in the flow core: only their slots (core/secret_slot.hpp). An event names the slots of the
// secrets handed over with it; the core copies a slot into the effect that uses it, keeps one in the model
// only while a question stands between the typing and the effect, and names none anywhere else.
#include "driver.hpp"

#include "core/effects.hpp"
#include "core/messages.hpp"

using namespace core_test;

namespace {

constexpr SecretSlot kPin{SecretKind::Pin, 11};
constexpr SecretSlot kPin2{SecretKind::Pin, 12};
constexpr SecretSlot kCode{SecretKind::SmsCode, 21};
constexpr SecretSlot kPassword{SecretKind::Password, 31};
constexpr SecretSlot kNewPassword{SecretKind::NewPassword, 32};

std::vector<SecretSlot> used(const std::vector<Effect>& fx) {
  std::vector<SecretSlot> out;
  for (const auto& e : fx)
    for (const auto& s : secrets_used(e)) out.push_back(s);
  return out;
}

// On the PIN screen of a paid renewal; `final_try`: the key says the next wrong PIN locks it.
Driver at_pin(bool final_try) {
  Driver d;
  d.to_pin(final_try);
  return d;
}

}  // namespace

TEST_CASE("the renewal's code and PIN: each slot goes into the one effect that uses it") {
  Driver d;
  d.insert_key("haitai");
  d.send(RenewTapped{}).send(StartRenewalTapped{}).send(d.key_read("haitai", 20));
  d.send(GetCodeTapped{"13812345678"}).send(SmsSent{d.m.session, 60, 6});
  CHECK(secrets_named(CodeSubmitted{kCode}) == std::vector{kCode});
  d.send(CodeSubmitted{kCode});
  REQUIRE(d.effect<VerifySms>());
  CHECK(d.effect<VerifySms>()->code == kCode);
  CHECK(used(d.fx) == std::vector{kCode});
  CHECK(secrets_held(d.m).empty());

  Driver p = at_pin(false);
  p.send(PinSubmitted{kPin});
  REQUIRE(p.effect<RunStep>());
  CHECK(p.effect<RunStep>()->pin == kPin);
  CHECK(used(p.fx) == std::vector{kPin});
  CHECK(secrets_held(p.m).empty());
  // The later steps need no secret: the token session of that login is open.
  p.send(StepDone{p.m.session, RenewalStep::Login});
  REQUIRE(p.effect<RunStep>());
  CHECK(p.effect<RunStep>()->step == RenewalStep::StageKey);
  CHECK(used(p.fx).empty());
}

TEST_CASE("the PIN typed before the final-try question is held until the answer, then used or let go") {
  Driver d = at_pin(true);
  d.send(PinSubmitted{kPin});
  CHECK(d.dialog() == Dialog::FinalPinTry);
  CHECK(d.fx.empty());
  CHECK(secrets_held(d.m) == std::vector{kPin});
  // 【取消】: nobody will use that PIN.
  d.send(DialogDismissed{});
  CHECK(d.dialog() == Dialog::None);
  CHECK(secrets_held(d.m).empty());
  // Typed again and confirmed: the Login step uses the PIN typed last.
  d.send(PinSubmitted{kPin2});
  CHECK(secrets_held(d.m) == std::vector{kPin2});
  d.send(DialogConfirmed{});
  REQUIRE(d.effect<RunStep>());
  CHECK(d.effect<RunStep>()->pin == kPin2);
  CHECK(d.effect<RunStep>()->final_try_acknowledged);
  CHECK(secrets_held(d.m).empty());

  // The key pulled while the question is open: the phase is left, and the PIN with it.
  Driver pulled = at_pin(true);
  pulled.send(PinSubmitted{kPin});
  REQUIRE(secrets_held(pulled.m) == std::vector{kPin});
  pulled.pull_key();
  CHECK(pulled.screen() == Screen::KeyPulled);
  CHECK(secrets_held(pulled.m).empty());
}

TEST_CASE("the personal centre's secrets: an effect names only those it uses") {
  AccountDriver d;
  d.send(PersonalCentreTapped{});
  // By password: a code that came along is named by nothing (the driver wipes it).
  d.send(LoginSubmitted{"13812345678", kPassword, kCode});
  REQUIRE(d.effect<AccountLogin>());
  CHECK(d.effect<AccountLogin>()->password == kPassword);
  CHECK_FALSE(d.effect<AccountLogin>()->code);
  CHECK(secrets_named(LoginSubmitted{"13812345678", kPassword, kCode}) == std::vector{kPassword, kCode});
  // By SMS code: the password is not used.
  AccountDriver s;
  s.send(PersonalCentreTapped{}).send(LoginMethodChosen{LoginMethod::Sms});
  s.send(LoginGetCodeTapped{"13812345678"}).send(SmsSent{s.m.session, 60, 6});
  s.send(LoginSubmitted{"13812345678", kPassword, kCode});
  REQUIRE(s.effect<AccountLogin>());
  CHECK(used(s.fx) == std::vector{kCode});

  AccountDriver p;
  p.login_ok();
  p.send(ProfileTapped{});
  // The phone unchanged: a code is not needed, so not named.
  p.send(ProfileSubmitted{"李四", "", "13812345678", kCode});
  REQUIRE(p.effect<SaveProfile>());
  CHECK(used(p.fx).empty());

  AccountDriver w;
  w.login_ok();
  w.send(ChangePasswordTapped{});
  w.send(PasswordSubmitted{{std::string(msg::kPasswordTooShort)}, std::nullopt, std::nullopt});
  CHECK(w.fx.empty());
  w.send(PasswordSubmitted{{}, kPassword, kNewPassword});
  REQUIRE(w.effect<ChangePassword>());
  CHECK(used(w.fx) == std::vector{kPassword, kNewPassword});
}
