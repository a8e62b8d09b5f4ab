// The personal centre end to end, by synthetic touch on the real ca-kiosk app (offscreen) running the real
// runtime against the reference platform in this process (mutual TLS on loopback) and a SoftHSM key behind
// the fault module: right and wrong passwords, the forced change of the default password, SMS login,
// throttling with its countdown, profile edits with bad input, the password rules, and 【继续操作】 after a
// paid renewal was SIGKILLed at each rollover step (kioskctl with KIOSK_CRASH_AT), the kiosk restarted:
// 续费成功 with exactly one charge and one issuance on the platform's records.
//
// The touches are harness scripts (kiosk/app/src/harness.hpp), the same verbs as assets/harness/*.txt.
// After 【继续操作】 the renewal's own screens (KeyDetails → PIN → progress → 续费成功) are tapped through too.
// KIOSK_FULL_SWEEP=1 resumes after every crash point of every step (24); CI's quick sweep one per step.
#include <doctest/doctest.h>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "app_kiosk.hpp"
#include "engine_env.hpp"
#include "journal/journal.hpp"
#include "platform/dev.hpp"
#include "runtime/config.hpp"
#include "runtime/kiosk_runtime.hpp"

using namespace enginetest;

namespace {

constexpr const char* kPassword = "Kiosk!2024";

// The kiosk as it starts after a restart: the real runtime (journal, platform, token modules) and the app.
class Kiosk : public AppKiosk {
 public:
  explicit Kiosk(EngineEnv& env) : AppKiosk(env.config_path(), env.dir() / "shots"), env_(env) {
    hooks().sms_code = [this](const std::string& phone) { return sms_code(phone); };
  }

  // Runs harness lines; every failed step fails the test, with the harness's log.
  void script(std::string_view text, const std::filesystem::path& shots = {}) {
    std::string printed;
    CHECK_MESSAGE(run(text, printed, shots) == 0, printed);
  }

  // The renewal's screens after 【继续操作】, by touch: 【确认续费】 on the key's details (no second one-chance
  // question: it was asked when the business began), the PIN on the keypad, then the rollover runs to
  // 续费成功.
  bool finish_renewal() {
    using S = core::Screen;
    auto settled = [&] {
      const auto& m = model();
      if (const auto* p = std::get_if<core::phase::KeyDetails>(&m.flow)) return !p->reading;
      const auto s = core::screen_of(m);
      return s == S::Pin || s == S::Progress || s == S::Success || s == S::Failure;
    };
    REQUIRE_MESSAGE(wait(settled, 15'000),
                    "after 继续操作 still on " << core::screen_name(core::screen_of(model())));
    std::string printed;
    if (const auto* p = std::get_if<core::phase::KeyDetails>(&model().flow)) {
      REQUIRE_MESSAGE(p->key_ok, "the key was not accepted: " << p->problem_key);
      if (run("wait enabled keydetails.confirm 5000\ntap keydetails.confirm\nexpect screen Pin\n", printed) != 0) {
        MESSAGE(printed);
        return false;
      }
    }
    if (core::screen_of(model()) == S::Pin &&
        run(fmt::format("type keypad {}\ntap keypad.ok\n", kPin), printed) != 0) {
      MESSAGE(printed);
      return false;
    }
    wait([&] { return core::screen_of(model()) == S::Success || core::screen_of(model()) == S::Failure; },
         60'000);
    if (const auto* p = std::get_if<core::phase::Failure>(&model().flow))
      MESSAGE("failure: " << p->failure.body_key << " " << p->failure.detail);
    return core::screen_of(model()) == S::Success;
  }

 private:
  // The newest code sent to `phone` (the harness waits for the kiosk to have the platform's answer first).
  std::expected<std::string, std::string> sms_code(const std::string& phone) {
    auto out = platform::dev::sms_outbox(env_.client(), phone);
    if (!out) return std::unexpected(out.error().to_string());
    if (out->empty()) return std::unexpected(std::string("no code in the outbox"));
    return out->back().code;
  }

  EngineEnv& env_;
};

// `n` taps on a keyboard's 【删除】.
std::string backspaces(const std::string& kb, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "tap " + kb + ".backspace\n";
  return s;
}

std::string login_by_sms(const std::string& phone) {
  return fmt::format(R"(tap home.personal
tap login.method.sms
type login.pad {0}
tap login.get_code
type-code login.pad {0}
tap login.submit
wait screen AccountHome
)",
                     phone);
}

std::string login_by_password(const std::string& phone, const std::string& password) {
  return fmt::format(R"(tap home.personal
expect screen Login
type login.pad {}
tap login.password
type login.kb {}
tap login.submit
)",
                     phone, password);
}

// On the login, with the platform's answer to the last 【登录】 in.
bool login_answered(const core::Model& m) {
  const auto* p = std::get_if<core::phase::Login>(&m.flow);
  return p && !p->form.submitting;
}

}  // namespace

TEST_CASE("SMS login, 修改密码 with its rules, wrong and right passwords, profile edits with bad input") {
  EngineEnv env;
  Kiosk k(env);
  k.script(login_by_sms(kPhone));
  const std::string account_id = core::account_of(k.model())->profile.account_id;
  CHECK_FALSE(account_id.empty());
  CHECK_FALSE(core::account_of(k.model())->must_change_password);  // an SMS login is not the default password

  // 修改密码: the rules first (said in words, nothing sent), then a good one.
  k.script(R"(tap account.password
expect screen ChangePassword
type password.kb 345678
tap password.new
type password.kb abc
tap password.confirm
type password.kb abd
tap password.submit
)");
  CHECK(k.text("password.problem.0") == "新密码至少需要8个字符。");
  CHECK(k.text("password.problem.1") == "两次输入的新密码不一致。");
  // The current one typed wrong: the platform says so (and the typed passwords are gone from the screen).
  k.script(fmt::format(R"(tap password.current
{0}type password.kb 000000
tap password.new
{1}type password.kb {2}
tap password.confirm
{1}type password.kb {2}
tap password.submit
wait widget password.problem.0
)",
                       backspaces("password.kb", 6), backspaces("password.kb", 3), kPassword));
  CHECK(k.text("password.problem.0") == "当前密码不正确，请重新输入。");
  k.script(fmt::format(R"(tap password.current
type password.kb 345678
tap password.new
type password.kb {0}
tap password.confirm
type password.kb {0}
tap password.submit
wait widget password.saved
tap password.back_to_centre
expect screen AccountHome
tap account.logout
expect screen Home
)",
                       kPassword));

  // A wrong password, then the right one.
  k.script(login_by_password(kPhone, "Wrong!2024") + "wait widget login.error\n");
  const std::string wrong = k.text("login.error");
  CHECK(wrong == "手机号码或密码不正确，请重新输入。");
  CHECK(k.text("login.password") == "首次登录为手机号后6位");  // the typed password is gone from the screen
  k.script(fmt::format("tap login.password\ntype login.kb {}\ntap login.submit\nwait screen AccountHome\n",
                       kPassword));
  CHECK(core::account_of(k.model())->profile.account_id == account_id);

  // Profile: a Chinese name by pinyin, a bad e-mail (said, nothing sent), then a good one; 修改成功.
  k.script(R"(tap account.profile
expect screen Profile
tap profile.real_name
tap profile.name_kb.clear
type profile.name_kb wangwu
tap-text profile.name_kb.cand 王五
tap profile.name_kb.done
tap profile.email
type profile.email_kb wangwu@
tap profile.submit
)");
  CHECK(k.text("profile.problem.0") == "请输入正确的电子邮箱地址。");
  k.script(R"(tap profile.email
type profile.email_kb example.cn
tap profile.submit
wait widget profile.saved
)");
  CHECK(core::account_of(k.model())->profile.real_name == "王五");
  CHECK(core::account_of(k.model())->profile.email == "wangwu@example.cn");
  // A name with digits is refused by the core before the platform.
  k.script(R"(tap profile.real_name
type profile.name_kb wang
tap profile.name_kb.clear
tap profile.name_kb.handwriting
stroke profile.name_kb.pad 0.15,0.5 0.85,0.5
stroke profile.name_kb.pad 0.5,0.12 0.5,0.9
tap-text profile.name_kb.cand 十
tap profile.name_kb.done
tap profile.submit
)");
  CHECK(k.text("profile.problem.0") == "真实姓名至少需要2个字。");  // one character is not a name
  k.script(R"(tap profile.real_name
tap profile.name_kb.clear
tap profile.name_kb.pinyin
type profile.name_kb wangwu
tap-text profile.name_kb.cand 王五
tap profile.name_kb.done
)");

  // A new phone: verified by its own code; the account keeps its id (and so its business).
  REQUIRE(platform::dev::add_test_phone(env.client(), "13900001111").has_value());
  k.script(R"(tap profile.phone
tap profile.pad.clear
type profile.pad 13900001111
tap profile.submit
)");
  CHECK_FALSE(k.app().widgets().find("profile.submit")->enabled);  // no code yet
  k.script(R"(tap profile.get_code
type-code profile.pad 13900001111
tap profile.submit
wait widget profile.saved
tap account.logout
)");
  k.script(login_by_password("13900001111", kPassword) + "wait screen AccountHome\n");
  CHECK(core::account_of(k.model())->profile.account_id == account_id);
  CHECK(core::account_of(k.model())->profile.phone == "13900001111");
  CHECK(core::account_of(k.model())->profile.real_name == "王五");
  // The old number opens nothing now.
  k.script("tap account.logout\n" + login_by_password(kPhone, kPassword) + "wait widget login.error\n");
  CHECK(k.text("login.error") == wrong);
  // Nothing typed here reached the event log: phones, passwords, SMS codes.
  k.check_no_secrets({kPhone, "13900001111", kPassword, "Wrong!2024", "345678", "000000"});
}

TEST_CASE("the default password: an SMS code too, then 修改密码 is forced before anything else") {
  EngineEnv env;
  const std::string phone = "13912345678";
  REQUIRE(platform::dev::add_test_phone(env.client(), phone).has_value());
  Kiosk k(env);
  k.script(login_by_password(phone, "345678") + "wait widget login.code\n");
  CHECK(k.text("login.error") == "默认密码需同时填写短信验证码：请点击【获取验证码】，填写后再登录。");
  CHECK_FALSE(k.app().widgets().find("login.submit")->enabled);
  k.script(fmt::format(R"(tap login.get_code
type-code login.pad {}
tap login.password
type login.kb 345678
tap login.submit
wait screen ChangePassword
)",
                       phone));
  CHECK(core::account_of(k.model())->must_change_password);
  CHECK(k.drawn("password.forced"));
  CHECK_FALSE(k.drawn("chrome.back"));
  // Derived from the phone: refused in words.
  k.script(R"(type password.kb 345678
tap password.new
type password.kb 12345678
tap password.confirm
type password.kb 12345678
tap password.submit
)");
  CHECK(k.text("password.problem.0") == "新密码不能由手机号码组成。");
  k.script(fmt::format(R"(tap password.new
{0}type password.kb {1}
tap password.confirm
{0}type password.kb {1}
tap password.submit
wait widget password.saved
tap password.back_to_centre
expect screen AccountHome
tap account.logout
)",
                       backspaces("password.kb", 8), kPassword));
  k.script(login_by_password(phone, kPassword) + "wait screen AccountHome\n");
  CHECK_FALSE(core::account_of(k.model())->must_change_password);
  k.check_no_secrets({phone, "345678", "12345678", kPassword});
}

TEST_CASE("throttling: after 5 failures a countdown, the same message for an unknown phone") {
  EngineEnv env;
  Kiosk k(env);
  const std::string unknown = "13700000000";
  k.script(login_by_password(unknown, "Guess!0001") + "wait widget login.error\n");
  const std::string first = k.text("login.error");
  CHECK(first == "手机号码或密码不正确，请重新输入。");  // as for a known phone with a wrong password
  for (int i = 2; i <= 5; ++i) {
    k.script(fmt::format("tap login.password\ntype login.kb Guess!000{}\ntap login.submit\n", i));
    REQUIRE(k.wait([&] { return login_answered(k.model()); }, 8000));
  }
  CHECK(k.text("login.submit") == "请在30秒后重试");
  CHECK_FALSE(k.app().widgets().find("login.submit")->enabled);
  // The countdown runs by itself (the loop wakes each second).
  k.app().advance(10'000);
  k.app().pump(0);
  CHECK(k.text("login.submit") == "请在20秒后重试");
  // After it, another try is allowed again (the platform's clock moves too); another failure, a longer wait.
  REQUIRE(platform::dev::advance_clock(env.client(), 31).has_value());
  k.app().advance(21'000);
  k.app().pump(0);
  CHECK(k.text("login.submit") == "登录");
  k.script("tap login.password\ntype login.kb Guess!0006\ntap login.submit\n");
  REQUIRE(k.wait([&] { return login_answered(k.model()); }, 8000));
  CHECK(k.text("login.submit") == "请在60秒后重试");
  REQUIRE(platform::dev::reset_clock(env.client()).has_value());
}

TEST_CASE("a restarted kiosk: the next customer does not inherit the last one's throttled session") {
  EngineEnv env;
  const std::string last_text = "手机号码或密码不正确，请重新输入。";
  {
    Kiosk k(env);
    k.script(login_by_password("13700000001", "Guess!0001") + "wait widget login.error\n");
    for (int i = 2; i <= 5; ++i) {
      k.script(fmt::format("tap login.password\ntype login.kb Guess!000{}\ntap login.submit\n", i));
      REQUIRE(k.wait([&] { return login_answered(k.model()); }, 8000));
    }
    REQUIRE(k.text("login.submit") == "请在30秒后重试");
  }
  // The kiosk restarts (its sessions count from 1 again); another customer, another phone, one typo.
  Kiosk k(env);
  k.script(login_by_password("13700000002", "Typo!0001") + "wait widget login.error\n");
  CHECK(k.text("login.error") == last_text);  // not "try again in 30 s": nobody else's wait
  CHECK(k.text("login.submit") == "登录");
}

TEST_CASE(
    "idle and the 10-minute cap in the real app: the view-model, scratch, IME engines and screen wiped") {
  EngineEnv env;
  Kiosk k(env);
  auto personal_traces = [&] {
    std::vector<std::string> found;
    for (const auto& w : k.app().widgets().all())
      for (const char* t : {kPhone, "张"})
        if (w.text.find(t) != std::string::npos) found.push_back(w.key + ": " + w.text);
    return found;
  };
  auto check_wiped = [&](const char* how) {
    CAPTURE(how);
    const auto& m = k.model();
    CHECK(m.flow == core::Flow{core::phase::Home{}});
    CHECK_FALSE(k.app().ime().pinyin_loaded());       // the Rime session with what was typed: gone
    CHECK_FALSE(k.app().ime().handwriting_loaded());  // zinnia's model too, until the next customer
    const ui::SessionScratch* sc = k.app().shell().scratch();
    REQUIRE(sc);
    CHECK(sc->session == m.session);
    CHECK(sc->profile.real_name.empty());
    CHECK(sc->profile.name_keyboard.letters.empty());
    CHECK(personal_traces().empty());
    // The personal centre opens on an empty login form.
    k.script("tap home.personal\nexpect screen Login\n");
    CHECK(k.text("login.phone") == "请输入手机号码");
    k.script("tap chrome.home\nexpect screen Home\n");
  };
  const std::string typing = R"(tap account.profile
expect screen Profile
tap profile.real_name
tap profile.name_kb.clear
type profile.name_kb zhang
tap-text profile.name_kb.cand 张
tap profile.name_kb.handwriting
stroke profile.name_kb.pad 0.15,0.5 0.85,0.5
)";
  // Walks away mid-edit: the overlay, then the wipe.
  k.script(login_by_sms(kPhone) + typing);
  REQUIRE(k.app().ime().pinyin_loaded());
  REQUIRE(k.app().ime().handwriting_loaded());
  const auto session = k.model().session;
  k.script("advance 61\nexpect overlay on\nadvance 21\nexpect screen Home\n");
  CHECK(k.model().session == session + 1);
  check_wiped("idle");

  // Keeps touching for ten minutes: logged out all the same.
  k.script(login_by_sms(kPhone) + typing);
  REQUIRE(k.app().ime().pinyin_loaded());
  for (int i = 0; i < 10; ++i) k.script("advance 59\ntap profile.email\nexpect screen Profile\n");
  k.script("advance 11\nexpect screen Home\n");
  check_wiped("10-minute cap");
}

namespace {

struct ResumeOutcome {
  int points = 0;
  std::vector<std::string> violations;
};

// A paid renewal (¥300, RSA-2048) SIGKILLed at `point`; the kiosk restarted; the customer logs in by SMS
// and 【继续操作】 finishes it. Exactly one order, one payment, one issuance; the new certificate on the key.
void crash_and_resume(EngineEnv& env, const std::string& point, ResumeOutcome& out) {
  CAPTURE(point);
  auto c = env.new_customer(Brand::Feitian);
  Run r = env.renew({{"KIOSK_CRASH_AT", point}});
  ++out.points;
  if (!r.killed)
    out.violations.push_back(point + ": not reached (rc " + std::to_string(r.rc) + ")\n" + r.output);
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  const bool installed_already = recs.orders[0].status == "installed";
  {
    Kiosk k(env);
    k.script(login_by_sms(kPhone) + "tap account.my_business\nwait widget business.row.0.status 8000\n");
    // Newest first: this customer's order.
    if (installed_already) {
      // The platform was told before the kill: it is done, nothing to continue.
      CHECK(k.text("business.row.0.status") == "已完成");
      CHECK_FALSE(k.drawn("business.continue.0"));
    } else {
      CHECK(k.text("business.row.0.status") != "已完成");
      // This kiosk's journal knows where it stopped.
      CHECK(k.text("business.row.0.stopped").starts_with("在本机办理，中断于："));
      k.script("wait widget business.continue.0 3000\ntap business.continue.0\n");
      if (!k.finish_renewal()) out.violations.push_back(point + ": 继续操作 did not end in 续费成功");
    }
  }
  recs = env.records(c.fingerprint);
  if (recs.orders.size() != 1)
    out.violations.push_back(point + ": " + std::to_string(recs.orders.size()) + " orders");
  for (const auto& o : recs.orders) {
    if (o.payments != 1) out.violations.push_back(point + ": " + std::to_string(o.payments) + " payments");
    if (o.issuances != 1) out.violations.push_back(point + ": " + std::to_string(o.issuances) + " issuances");
    if (o.status != "installed") out.violations.push_back(point + ": order ended " + o.status);
  }
  if (!env.renewed_on_token(c)) out.violations.push_back(point + ": the new certificate is not on the key");
  for (const auto& v : env.violations(c, true)) out.violations.push_back(point + ": " + v);
}

}  // namespace

TEST_CASE("继续操作: a paid renewal killed at each rollover step, the kiosk restarted, 续费成功 once") {
  const char* steps[] = {"stage_key", "build_p10", "nonce",    "sign_proof",
                         "submit",    "install",   "finalize", "confirm"};
  const char* whens[] = {"after_intent", "after_effect", "after_done"};
  std::vector<std::string> points;
  // Confirm is the outbox's: its message is sent and acknowledged rather than the step's effect and outcome.
  const char* confirm_whens[] = {"confirm.after_intent", "outbox.installed.sent",
                                 "outbox.installed.acknowledged"};
  for (std::size_t i = 0; i < std::size(steps); ++i)
    for (std::size_t w = 0; w < std::size(whens); ++w)
      // The quick sweep: every step once, the three moments taken in turn; the full one every point.
      if (full_sweep() || w == i % std::size(whens))
        points.push_back(std::string_view(steps[i]) == "confirm" ? std::string(confirm_whens[w])
                                                                 : std::string(steps[i]) + "." + whens[w]);
  EngineEnv env;
  ResumeOutcome out;
  for (const auto& p : points) crash_and_resume(env, p, out);
  fmt::print("resume sweep: {} crash points, {} violations\n", out.points, out.violations.size());
  for (const auto& v : out.violations) fmt::print("  violation: {}\n", v);
  CHECK(out.violations.empty());
  CHECK(out.points == static_cast<int>(points.size()));
}

TEST_CASE(
    "继续操作 asks for the business's own key; business begun on another kiosk; the counter's business") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Feitian);
  Run r = env.renew({{"KIOSK_CRASH_AT", "build_p10.after_effect"}});
  REQUIRE(r.killed);
  // Another kiosk began it: this kiosk's journal has never heard of it.
  for (const char* f : {"journal.db", "journal.db-wal", "journal.db-shm"})
    std::filesystem::remove(env.dir() / f);
  env.set_faults("removed 1");  // the customer comes without the key
  {
    Kiosk k(env);
    k.script(login_by_sms(kPhone) +
             "tap account.my_business\nwait widget business.continue.0 8000\ntap business.continue.0\n" +
             "wait widget business.resume_error 8000\n");
    CHECK(k.text("business.resume_error") == "请插入这笔业务所用的KEY，再点击【继续操作】。");
    CHECK_FALSE(k.drawn("business.row.0.stopped"));  // this kiosk's journal never had it
    // Another key: refused, in words.
    env.set_token_serial("OTHER-KEY-0001");
    env.set_faults("");
    REQUIRE(k.wait([&] { return k.model().key.presence == core::KeyPresence::Recognised; }, 5000));
    REQUIRE(k.wait([&] { return k.text("business.resume_error").find("不是") != std::string::npos; }, 8000));
    CHECK(k.text("business.resume_error") == "插入的不是这笔业务所用的KEY，请插入原来的KEY。");
    CHECK(core::screen_of(k.model()) == core::Screen::MyBusiness);
    // The right key: 继续操作 goes on from where the other kiosk stopped.
    env.set_faults("removed 1");
    REQUIRE(k.wait([&] { return k.model().key.presence == core::KeyPresence::NoKey; }, 5000));
    env.set_token_serial("");
    env.set_faults("");
    REQUIRE(k.wait([&] { return k.model().key.presence == core::KeyPresence::Recognised; }, 5000));
    k.script("tap business.continue.0\n");
    CHECK(k.finish_renewal());
    k.check_no_secrets({kPhone, kPin});  // the PIN typed on the keypad, the phone, the SMS code
  }
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  CHECK(recs.orders[0].payments == 1);
  CHECK(recs.orders[0].issuances == 1);
  CHECK(recs.orders[0].status == "installed");
  CHECK(env.journal_status(recs.orders[0].id) == "done");  // this kiosk's journal has it now

  // A paid renewal the counter has taken over: listed with what to do there, no 【继续操作】.
  auto c2 = env.new_customer(Brand::Feitian);
  r = env.renew({{"KIOSK_CRASH_AT", "submit.after_intent"}});
  REQUIRE(r.killed);
  recs = env.records(c2.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  contract::NeedsStaffRequest ns{"failure.pin_locked", "test"};
  REQUIRE(env.client().order_needs_staff(recs.orders[0].id, ns, platform::new_idempotency_key()).has_value());
  {
    Kiosk k(env);
    k.script(login_by_sms(kPhone) + "tap account.my_business\nwait widget business.row.0.status 8000\n");
    CHECK(k.text("business.row.0.status") == "待柜台处理");
    CHECK(k.text("business.row.0.staff") == "请携带KEY到柜台办理，并出示订单号。");
    CHECK(k.text("business.row.0.details").find("订单号 " + recs.orders[0].id) != std::string::npos);
    CHECK_FALSE(k.drawn("business.continue.0"));
    CHECK(k.text("business.row.1.status") == "已完成");  // the first customer's, done
  }

  // A paid renewal this kiosk sent to the counter while the platform could not be told: its journal
  // says so, and 我的业务 follows the journal (no 【继续操作】, what to do at the counter).
  auto c3 = env.new_customer(Brand::Feitian);
  r = env.renew({{"KIOSK_CRASH_AT", "submit.after_intent"}});
  REQUIRE(r.killed);
  recs = env.records(c3.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  REQUIRE(recs.orders[0].status == "paid");
  {
    auto j = journal::Journal::open(env.dir() / "journal.db");
    REQUIRE(j.has_value());
    auto b = j->by_order(recs.orders[0].id);
    REQUIRE((b && *b));
    REQUIRE(j->set_status((*b)->id, journal::Status::NeedsStaff, "failure.pin_locked").has_value());
  }
  {
    Kiosk k(env);
    k.script(login_by_sms(kPhone) + "tap account.my_business\nwait widget business.row.0.status 8000\n");
    CHECK(k.text("business.row.0.status") == "待柜台处理");
    CHECK(k.text("business.row.0.staff") == "请携带KEY到柜台办理，并出示订单号。");
    CHECK_FALSE(k.drawn("business.continue.0"));
  }
}

TEST_CASE("the walk-through: assets/harness/personal.txt, with a renewal interrupted on another kiosk") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Feitian);
  // The interrupted renewal runs before this kiosk starts: while it runs, its runtime owns the journal and
  // the key, and a kioskctl renew would be refused (docs/operations.md, "One owner").
  Run interrupted = env.renew({{"KIOSK_CRASH_AT", "install.after_effect"}});
  REQUIRE_MESSAGE(interrupted.killed, interrupted.output);
  Kiosk k(env);
  k.hooks().named["interrupt-renewal"] = []() -> std::expected<void, std::string> { return {}; };
  auto text = app::read_file(std::filesystem::path(KIOSK_TEST_ASSETS) / "harness" / "personal.txt");
  REQUIRE(text.has_value());
  const auto shots = std::filesystem::path(KIOSK_BUILD_DIR) / "account-walkthrough";
  std::filesystem::remove_all(shots);
  k.script(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()), shots);
  REQUIRE(core::screen_of(k.model()) == core::Screen::KeyDetails);
  REQUIRE(core::account_of(k.model()));
  CHECK(core::account_of(k.model())->profile.real_name == "张三");
  CHECK(k.finish_renewal());
  const auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  CHECK(recs.orders[0].payments == 1);
  CHECK(recs.orders[0].issuances == 1);
  CHECK(recs.orders[0].status == "installed");
  CHECK(std::distance(std::filesystem::directory_iterator(shots), std::filesystem::directory_iterator{}) >=
        8);
}
