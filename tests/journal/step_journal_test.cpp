// The runtime's step journal (kiosk/runtime/src/step_journal.hpp) writes what the runtime wrote before it
// had typed names: every step name, working-data key and idempotency key as spelled on disk, read back
// here through the plain journal API with the old strings. A journal written by an earlier kiosk must
// resume (tests/engine/journal_resume_test does so end to end).
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "journal/journal.hpp"
#include "step_journal.hpp"

namespace fs = std::filesystem;
using runtime::Datum;
using runtime::IdempotencySlot;
using runtime::OrderStep;
using runtime::StepJournal;
using runtime::StepName;
using Step = core::RenewalStep;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "step-journal-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("step names as the journal has always spelled them") {
  const std::vector<std::pair<StepName, std::string>> names{
      {Step::Login, "login"},
      {Step::StageKey, "stage_key"},
      {Step::BuildP10, "build_p10"},
      {Step::RequestNonce, "nonce"},
      {Step::SignProof, "sign_proof"},
      {Step::Submit, "submit"},
      {Step::Install, "install"},
      {Step::Finalize, "finalize"},
      {Step::Confirm, "confirm"},
      {Step::Done, "done"},
      {OrderStep::Create, "order.create"},
      {OrderStep::Close, "order.close"},
      {OrderStep::NeedsStaff, "needs_staff"},
  };
  for (const auto& [name, text] : names) CHECK(name.text() == text);
  int journaled = 0;
  for (const auto& [step, name] : runtime::kRolloverStepNames) journaled += runtime::journaled(step) ? 1 : 0;
  CHECK(journaled == 8);  // stage_key … confirm: the steps 我的业务 can say a renewal stopped at
}

TEST_CASE("working data and idempotency keys written under their old keys, read back through them") {
  TempDir dir;
  auto j = journal::Journal::open(dir.path / "journal.db");
  REQUIRE_MESSAGE(j, j.error().detail);
  events::EventLog log;
  StepJournal sj(std::move(*j), events::Channel(&log, "journal"));
  journal::BusinessStart start;
  start.product_id = "e-bidding-feitian-renew";
  start.cert_fingerprint = "01d0";
  auto biz = sj.begin(start, [](StepJournal::Business& b) { return b.set_order("R1"); });
  REQUIRE(biz);

  const std::vector<std::pair<Datum, std::string>> data{
      {Datum::P10, "p10"},
      {Datum::Nonce, "nonce"},
      {Datum::Proof, "proof"},
      {Datum::SubmitBody, "submit.body"},
      {Datum::SubmitKey, "submit.key"},
      {Datum::Certificate, "certificate"},
  };
  for (const auto& [d, key] : data)
    CHECK(sj.write(*biz, [&](StepJournal::Business& b) { return b.put(d, "value of " + key); }).has_value());
  const std::vector<std::pair<IdempotencySlot, std::string>> slots{
      {IdempotencySlot::order_create(2), "order.create.2"},
      {IdempotencySlot::order_close("R1"), "order.close.R1"},
      {IdempotencySlot::needs_staff(), "order.needs_staff"},
      {IdempotencySlot::installed(), "order.installed"},
  };
  std::vector<std::string> made;
  for (const auto& [slot, key] : slots) {
    auto k = sj.idempotency_key(*biz, slot);
    REQUIRE(k);
    made.push_back(*k);
    CHECK(made.back().size() >= 16);
    CHECK(sj.idempotency_key(*biz, slot).value_or("") == made.back());  // made once, then the same
  }
  CHECK(sj.write(*biz, [](StepJournal::Business& b) { return b.intent(Step::StageKey); }).has_value());
  CHECK(sj.write(*biz, [](StepJournal::Business& b) { return b.done(Step::StageKey, "null"); }).has_value());
  CHECK(sj.write(*biz, [](StepJournal::Business& b) { return b.failed(OrderStep::Close); }).has_value());
  CHECK(log.total() == 0);  // no write failed

  sj.with([&](journal::Journal& raw) {  // locked: no other call on sj inside
    for (const auto& [d, key] : data) {
      auto v = raw.get(*biz, key);
      REQUIRE(v);
      CHECK(v->value_or("<none>") == "value of " + key);
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
      auto v = raw.get(*biz, slots[i].second);
      REQUIRE(v);
      CHECK(v->value_or("<none>") == made[i]);
    }
    auto steps = raw.steps(*biz);
    REQUIRE(steps);
    REQUIRE(steps->size() == 3);
    CHECK((*steps)[0].name == "stage_key");
    CHECK((*steps)[0].phase == "intent");
    CHECK((*steps)[0].data == "{}");
    CHECK((*steps)[1].data == "null");
    CHECK((*steps)[2].name == "order.close");
    CHECK((*steps)[2].phase == "failed");
  });
  for (const auto& [d, key] : data) CHECK(sj.get(*biz, d) == "value of " + key);
  CHECK(sj.business_for_order("R1") == *biz);
  CHECK_FALSE(sj.business_for_order("R2"));
}

TEST_CASE("one write is one transaction; lost or unreadable working data is an error, never empty bytes") {
  TempDir dir;
  auto j = journal::Journal::open(dir.path / "journal.db");
  REQUIRE_MESSAGE(j, j.error().detail);
  StepJournal sj(std::move(*j), {});
  journal::BusinessStart start;
  start.product_id = "gov-procurement-haitai-renew";
  auto biz = sj.begin(start);
  REQUIRE(biz);
  auto w = sj.write(*biz, [&](StepJournal::Business& b) -> journal::Result<void> {
    if (auto r = b.intent(Step::StageKey); !r) return r;
    return b.put(Datum::P10, "AAAA");
  });
  CHECK(w.has_value());
  // A write after the first fails (as a full disk would): the first is not kept either.
  auto failing = sj.write(*biz, [&](StepJournal::Business& b) -> journal::Result<void> {
    if (auto r = b.done(Step::StageKey); !r) return r;
    return std::unexpected(journal::Error{journal::ErrorCode::Full, 0, "no room"});
  });
  CHECK_FALSE(failing.has_value());
  sj.with([&](journal::Journal& raw) {
    auto steps = raw.steps(*biz);
    REQUIRE(steps);
    CHECK(steps->size() == 1);  // the intent; the done of the failed transaction is gone
  });

  CHECK(sj.bytes(*biz, Datum::P10).value_or(std::vector<std::uint8_t>{9}) ==
        std::vector<std::uint8_t>{0, 0, 0});
  auto missing = sj.bytes(*biz, Datum::Nonce);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == journal::ErrorCode::Corrupt);
  CHECK(missing.error().message_key() == "error.journal.damaged");
  REQUIRE(sj.write(*biz, [](StepJournal::Business& b) {
              return b.put(Datum::Proof, "%%not base64%%");
            }).has_value());
  auto garbled = sj.bytes(*biz, Datum::Proof);
  REQUIRE_FALSE(garbled);
  CHECK(garbled.error().code == journal::ErrorCode::Corrupt);
}
