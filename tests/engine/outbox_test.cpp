// The outbox: what the platform must hear once money has moved is written to the journal with the state
// change that needs it and delivered until the platform acknowledges it, across runs; nothing is said to
// be told before it is; a retry days later, after the platform has forgotten its idempotency key, is
// answered by the order's state; a refusal for good ends the message, shown to staff, never retried.
#include <doctest/doctest.h>

#include "engine_env.hpp"
#include "journal/journal.hpp"

using namespace enginetest;

namespace {

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

// The journal's needs_staff message of the order (its newest).
journal::OutboxMessage needs_staff_message(EngineEnv& env, const std::string& order_id) {
  auto j = journal::Journal::open(env.journal_path());
  REQUIRE(j);
  auto all = j->outbox(true);
  REQUIRE(all);
  journal::OutboxMessage found;
  for (const auto& m : *all)
    if (m.order_id == order_id && m.kind == "needs_staff") found = m;
  REQUIRE(found.id != 0);
  return found;
}

// A paid renewal whose PIN locks at the first wrong one, while the platform cannot take needs_staff
// (`mode` fail: refused before committing; drop: committed, the answer lost), many times in a row.
Run pin_locks_while_needs_staff_fails(EngineEnv& env, const char* mode) {
  env.set_faults("pin_lock_after 1\n");
  REQUIRE(platform::dev::set_fault(env.client(), "orders.needs_staff", mode, 50));
  Run r = env.renew({{"PIN", "000000"}, {"LC_ALL", "C"}});
  REQUIRE(platform::dev::clear_faults(env.client()));
  return r;
}

}  // namespace

TEST_CASE("needs_staff the platform cannot take: exit 53, said as not told, delivered by a later resume") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Haitai);
  Run r = pin_locks_while_needs_staff_fails(env, "fail");
  INFO(r.output);
  CHECK(r.rc == 53);
  CHECK(contains(r.output, "The counter has not been told yet"));
  CHECK_FALSE(contains(r.output, "The counter has been told"));
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  const std::string order = recs.orders[0].id;
  CHECK(recs.orders[0].status == "paid");  // the platform does not know yet
  CHECK(env.journal_status(order) == "needs_staff");
  auto waiting = needs_staff_message(env, order);
  CHECK(waiting.state == journal::OutboxState::Pending);
  CHECK(waiting.attempts >= 1);
  CHECK(contains(waiting.last_error, "dev.fault_injected"));
  // Staff see it waiting: what, since when, attempts, the last error.
  auto list = env.kioskctl({"business", "list"});
  CHECK(contains(list.output, "the platform has not been told yet"));
  CHECK(contains(list.output, "needs_staff  pending"));
  CHECK(contains(list.output, "dev.fault_injected"));

  // The platform is back: a plain resume (no --order) does not skip the business, and tells it.
  Run again = env.resume({{"LC_ALL", "C"}});
  INFO(again.output);
  CHECK(again.rc == 50);
  CHECK(contains(again.output, "the platform has it now"));
  recs = env.records(c.fingerprint);
  CHECK(recs.orders[0].status == "needs_staff");
  CHECK(recs.orders[0].needs_staff_marks == 1);
  CHECK(needs_staff_message(env, order).state == journal::OutboxState::Delivered);
  CHECK(env.old_certificate_on_token(c));
  CHECK(env.violations(c, false).empty());
}

TEST_CASE("a retry 48 h later, after the platform forgot the key, is answered by the order's state") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Haitai);
  // The platform records needs_staff, but every answer is lost: the kiosk cannot know it was told.
  Run r = pin_locks_while_needs_staff_fails(env, "drop");
  INFO(r.output);
  CHECK(r.rc == 53);
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  CHECK(recs.orders[0].status == "needs_staff");
  CHECK(recs.orders[0].needs_staff_marks == 1);
  // A hall closed over a holiday: the platform's idempotency records (kept 24 h) are gone.
  REQUIRE(platform::dev::advance_clock(env.client(), 48 * 3600));
  Run again = env.resume({{"LC_ALL", "C"}});
  INFO(again.output);
  CHECK(again.rc == 50);
  recs = env.records(c.fingerprint);
  CHECK(recs.orders[0].status == "needs_staff");
  CHECK(recs.orders[0].needs_staff_marks == 1);  // delivered once as the platform sees it
  CHECK(needs_staff_message(env, recs.orders[0].id).state == journal::OutboxState::Delivered);
}

TEST_CASE("a refusal for good ends the message as refused: shown to staff, never sent again") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Haitai);
  Run r = pin_locks_while_needs_staff_fails(env, "fail");
  INFO(r.output);
  REQUIRE(r.rc == 53);
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  const std::string order = recs.orders[0].id;
  // Meanwhile the counter handled it another way: the money is being refunded.
  REQUIRE(platform::dev::request_refund(env.client(), order));
  Run again = env.resume({{"LC_ALL", "C"}});
  INFO(again.output);
  CHECK(again.rc == 1);
  CHECK(contains(again.output, "refused needs_staff for good"));
  auto refused = needs_staff_message(env, order);
  CHECK(refused.state == journal::OutboxState::Refused);
  CHECK(contains(refused.last_error, "order.state_invalid"));
  auto list = env.kioskctl({"business", "list"});
  CHECK(contains(list.output, "needs_staff  refused"));
  CHECK(contains(list.output, "the platform refused it"));
  // Never sent again.
  Run third = env.resume({{"LC_ALL", "C"}});
  INFO(third.output);
  CHECK(contains(third.output, "nothing to resume"));
  CHECK(needs_staff_message(env, order).attempts == refused.attempts);
  CHECK(env.records(c.fingerprint).orders[0].status == "refund_requested");
}
