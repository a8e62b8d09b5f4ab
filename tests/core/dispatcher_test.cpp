// runtime::Dispatcher, the drivers' one way into the core: an event goes in with the secrets typed for it,
// each secret comes out with the effect that uses it, one the model keeps for a later effect is held, and
// every other is wiped before dispatch() returns — it never reaches the runtime.
#include "runtime/dispatcher.hpp"

#include <string>
#include <utility>
#include <vector>

#include "driver.hpp"

using namespace core_test;

namespace {

// Records each effect and the secrets it came with (as typed: a test's own PINs).
class RecordingRuntime final : public runtime::Runtime {
 public:
  struct Call {
    std::string effect;
    std::vector<std::string> secrets;
  };
  std::vector<Call> calls;

  void run(const Effect& e, std::uint64_t, runtime::Secrets s) override {
    Call c{std::string(effect_name(e)), {}};
    for (const auto& slot : secrets_used(e))
      if (auto v = s.take(slot)) c.secrets.emplace_back(v->reveal());
    CHECK(s.empty());  // nothing the effect does not name
    calls.push_back(std::move(c));
  }
  void set_waker(std::function<void()>) override {}
  std::vector<Event> drain() override { return {}; }
  bool wait(int) override { return false; }

  int secrets_given() const {
    int n = 0;
    for (const auto& c : calls) n += static_cast<int>(c.secrets.size());
    return n;
  }
};

std::pair<SecretSlot, runtime::Secrets> typed(SecretKind kind, std::uint32_t id, const char* value) {
  runtime::Secrets s;
  s.put({kind, id}, foundation::SecretBuffer(value));
  return {SecretSlot{kind, id}, std::move(s)};
}

// The model on the PIN screen of a paid renewal (the core driven as in the other core tests).
Model at_pin(bool final_try) {
  Driver d;
  d.to_pin(final_try);
  return d.m;
}

}  // namespace

TEST_CASE("a secret nobody asked for is wiped at once; one asked for goes with its effect, once") {
  RecordingRuntime rt;
  runtime::Dispatcher dispatcher(rt);

  // A PIN with an event that means nothing on home (a tap that raced the screen): no effect, and the PIN
  // is neither given to the runtime nor kept.
  Driver home;
  auto [stray, stray_pin] = typed(SecretKind::Pin, 1, "111111");
  auto u = dispatcher.dispatch(home.m, PinSubmitted{stray}, std::move(stray_pin));
  CHECK(u.effects.empty());
  CHECK(rt.calls.empty());
  CHECK(dispatcher.held() == 0);

  // On the PIN screen: the Login step gets the PIN typed for it, and only that one. A secret that came
  // along but that the event does not name goes nowhere either.
  auto [slot, pin] = typed(SecretKind::Pin, 2, "222222");
  pin.put({SecretKind::SmsCode, 3}, foundation::SecretBuffer("333333"));
  u = dispatcher.dispatch(at_pin(false), PinSubmitted{slot}, std::move(pin));
  REQUIRE(rt.calls.size() == 1);
  CHECK(rt.calls[0].effect == "RunStep");
  CHECK(rt.calls[0].secrets == std::vector<std::string>{"222222"});
  CHECK(dispatcher.held() == 0);

  // The same PIN submitted again while it is being verified: ignored, and this copy wiped.
  auto [again, again_pin] = typed(SecretKind::Pin, 4, "222222");
  u = dispatcher.dispatch(std::move(u.model), PinSubmitted{again}, std::move(again_pin));
  CHECK(u.effects.empty());
  CHECK(rt.secrets_given() == 1);
  CHECK(dispatcher.held() == 0);
}

TEST_CASE("the final try: the PIN is held while the question is open, wiped when it is dismissed") {
  RecordingRuntime rt;
  runtime::Dispatcher dispatcher(rt);
  Model m = at_pin(true);

  auto [first, first_pin] = typed(SecretKind::Pin, 1, "123456");
  auto u = dispatcher.dispatch(std::move(m), PinSubmitted{first}, std::move(first_pin));
  CHECK(dialog_of(u.model) == Dialog::FinalPinTry);
  CHECK(rt.calls.empty());
  CHECK(dispatcher.held() == 1);
  // Time passes on the question: still held.
  u = dispatcher.dispatch(std::move(u.model), Tick{u.model.now + 1000, u.model.wall + 1});
  CHECK(dispatcher.held() == 1);
  // 【取消】: the PIN is wiped, never used.
  u = dispatcher.dispatch(std::move(u.model), DialogDismissed{});
  CHECK(dispatcher.held() == 0);
  CHECK(rt.calls.empty());

  // Typed again, confirmed: the Login step gets the second PIN.
  auto [second, second_pin] = typed(SecretKind::Pin, 2, "654321");
  u = dispatcher.dispatch(std::move(u.model), PinSubmitted{second}, std::move(second_pin));
  CHECK(dispatcher.held() == 1);
  u = dispatcher.dispatch(std::move(u.model), DialogConfirmed{});
  REQUIRE(rt.calls.size() == 1);
  CHECK(rt.calls[0].effect == "RunStep");
  CHECK(rt.calls[0].secrets == std::vector<std::string>{"654321"});
  CHECK(dispatcher.held() == 0);
}
