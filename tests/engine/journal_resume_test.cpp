// A renewal resumed from a journal an earlier build of the kiosk wrote: the journal's step names and the
// keys of its working data are read back as they are on disk. The world (tests/engine/data/
// interrupted_install, see its README.md) is a paid RSA-2048 renewal killed right after the install
// step's intent: issued on the platform, the certificate in the journal, the staged key on the token.
// KIOSK_MAKE_JOURNAL_WORLD=<folder> makes such a world again (with the build at hand).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine_env.hpp"
#include "journal/journal.hpp"

using namespace enginetest;

namespace {

const std::filesystem::path kWorld = std::filesystem::path(KIOSK_ENGINE_DATA) / "interrupted_install";
constexpr const char* kCrashPoint = "install.after_intent";

const char* make_world_to() {
  return std::getenv("KIOSK_MAKE_JOURNAL_WORLD");
}

// The journal's only business.
journal::Business the_business(const std::filesystem::path& journal_path) {
  auto j = journal::Journal::open(journal_path);
  REQUIRE_MESSAGE(j, j.error().detail);
  auto recent = j->recent(10);
  REQUIRE(recent);
  REQUIRE(recent->size() == 1);
  return recent->front();
}

std::vector<std::string> steps_of(const std::filesystem::path& journal_path, std::int64_t business) {
  auto j = journal::Journal::open(journal_path);
  REQUIRE_MESSAGE(j, j.error().detail);
  auto steps = j->steps(business);
  REQUIRE(steps);
  std::vector<std::string> out;
  for (const auto& s : *steps) out.push_back(s.name + ":" + s.phase);
  return out;
}

}  // namespace

TEST_CASE("make the world of a renewal interrupted after the install step's intent" *
          doctest::skip(make_world_to() == nullptr)) {
  EngineEnv env;
  auto c = env.new_customer(Brand::Feitian);
  Run r = env.renew({{"KIOSK_CRASH_AT", kCrashPoint}});
  INFO(r.output);
  REQUIRE(r.killed);
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  REQUIRE(recs.orders[0].status == "issued");
  env.save_world(make_world_to());
}

TEST_CASE("a renewal interrupted after the install step's intent, resumed from that journal") {
  EngineEnv env(kWorld, Brand::Feitian);
  const journal::Business before = the_business(env.journal_path());
  REQUIRE(before.status == journal::Status::Issued);
  REQUIRE(before.last_step == "install");
  REQUIRE(before.last_phase == "intent");
  const std::vector<std::string> steps_before = steps_of(env.journal_path(), before.id);

  // The certificate comes from the journal's working data: the platform will not hand it out now.
  REQUIRE(platform::dev::set_fault(env.client(), "renewal.certificate", "fail", 1000));
  Run r = env.resume();
  INFO(r.output);
  CHECK(r.rc == 0);
  REQUIRE(platform::dev::clear_faults(env.client()));

  auto recs = env.records(before.cert_fingerprint);
  REQUIRE(recs.orders.size() == 1);  // one order, paid once, issued once
  CHECK(recs.orders[0].id == before.order_id);
  CHECK(recs.orders[0].status == "installed");
  CHECK(recs.orders[0].payments == 1);
  CHECK(recs.orders[0].issuances == 1);
  Customer c;
  c.brand = Brand::Feitian;
  c.fingerprint = before.cert_fingerprint;
  CHECK(env.renewed_on_token(c));
  CHECK_FALSE(env.old_certificate_on_token(c));  // the paid product's policy deletes the old pair
  CHECK(env.violations(c, true).empty());
  CHECK(env.user_logins() == 1);

  // The journal goes on from where it stopped, under the same step names.
  const journal::Business after = the_business(env.journal_path());
  CHECK(after.id == before.id);
  CHECK(after.status == journal::Status::Done);
  const std::vector<std::string> steps_after = steps_of(env.journal_path(), before.id);
  REQUIRE(steps_after.size() > steps_before.size());
  CHECK(std::equal(steps_before.begin(), steps_before.end(), steps_after.begin()));
  const std::vector<std::string> added(steps_after.begin() + static_cast<std::ptrdiff_t>(steps_before.size()),
                                       steps_after.end());
  const std::vector<std::string> expected{"install:intent", "install:done",   "finalize:intent",
                                          "finalize:done",  "confirm:intent", "confirm:done"};
  CHECK(added == expected);
}
