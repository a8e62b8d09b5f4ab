#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "journal/journal.hpp"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "journal-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

journal::BusinessStart sample() {
  journal::BusinessStart b;
  b.product_id = "gov-haitai-renew";
  b.phone = "13812345678";
  b.cert_fingerprint = "ab12";
  b.token_manufacturer = "Haitai";
  b.token_model = "HaiKey";
  b.token_serial = "0001";
  return b;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("a business and its steps persist across reopening, in WAL with synchronous=FULL") {
  TempDir d;
  auto path = d.path / "j.db";
  std::int64_t id = 0;
  {
    auto j = journal::Journal::open(path);
    REQUIRE(j);
    auto b = j->begin(sample());
    REQUIRE(b);
    id = *b;
    REQUIRE(j->intent(id, "order.create", R"({"idempotency_key":"k1"})"));
    REQUIRE(j->set_order(id, "ORD-1"));
    REQUIRE(j->done(id, "order.create", R"({"order":"ORD-1"})"));
    REQUIRE(j->set_status(id, journal::Status::Paid));
    REQUIRE(j->put(id, "p10", "MIIB..."));
    REQUIRE(j->put(id, "p10", "MIIC..."));  // overwrite
  }
  auto j = journal::Journal::open(path);
  REQUIRE(j);
  auto b = j->business(id);
  REQUIRE(b);
  CHECK(b->phone_masked == "138****5678");
  CHECK(b->order_id == "ORD-1");
  CHECK(b->status == journal::Status::Paid);
  CHECK(b->last_step == "order.create");
  CHECK(b->last_phase == "done");
  auto p10 = j->get(id, "p10");
  REQUIRE(p10);
  CHECK(**p10 == "MIIC...");
  auto steps = j->steps(id);
  REQUIRE(steps);
  REQUIRE(steps->size() == 2);
  CHECK((*steps)[0].phase == "intent");
  CHECK((*steps)[1].phase == "done");
  auto unfinished = j->unfinished_businesses();
  REQUIRE(unfinished);
  CHECK(unfinished->size() == 1);
  auto by_order = j->by_order("ORD-1");
  REQUIRE(by_order);
  REQUIRE(by_order->has_value());
  CHECK((*by_order)->id == id);
  CHECK(j->verify_chain().value_or(-1) == 5);  // begin, intent, order, done, status
  CHECK(j->integrity_check());

  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, nullptr);
  REQUIRE(sqlite3_step(s) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) == "wal");
  sqlite3_finalize(s);
  sqlite3_close(raw);
  // The whole phone number is nowhere in the files.
  CHECK(slurp(path).find("13812345678") == std::string::npos);
  if (fs::exists(path.string() + "-wal")) CHECK(slurp(path.string() + "-wal").find("13812345678") == std::string::npos);
}

TEST_CASE("the audit table is append-only and a changed entry breaks the chain") {
  TempDir d;
  auto path = d.path / "j.db";
  std::int64_t id = 0;
  {
    auto j = journal::Journal::open(path);
    REQUIRE(j);
    id = j->begin(sample()).value();
    REQUIRE(j->intent(id, "submit"));
    REQUIRE(j->done(id, "submit"));
    CHECK(j->verify_chain().value_or(-1) == 3);
  }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  CHECK(sqlite3_exec(raw, "UPDATE audit SET data='{}' WHERE seq=2", nullptr, nullptr, nullptr) != SQLITE_OK);
  CHECK(sqlite3_exec(raw, "DELETE FROM audit WHERE seq=3", nullptr, nullptr, nullptr) != SQLITE_OK);
  // Someone with the file can drop the triggers; the chain still tells.
  REQUIRE(sqlite3_exec(raw, "DROP TRIGGER audit_no_update; UPDATE audit SET data='{\"x\":1}' WHERE seq=2", nullptr,
                       nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  auto j = journal::Journal::open(path);
  REQUIRE(j);
  auto v = j->verify_chain();
  REQUIRE_FALSE(v);
  CHECK(v.error().code == journal::ErrorCode::Chain);
  CHECK(v.error().detail.find("entry 2") != std::string::npos);
}

TEST_CASE("a staff action is an audit entry naming who, in the chain") {
  TempDir d;
  auto j = journal::Journal::open(d.path / "j.db");
  REQUIRE(j);
  REQUIRE(j->staff_action("CN=王芳,OU=Hall Staff sha256:ab12", "service.out", R"({"reason":"service.reason.staff.repair"})"));
  REQUIRE(j->staff_action("code:li", "sign_in", "not json"));
  auto tail = j->audit_tail(2);
  REQUIRE(tail);
  REQUIRE(tail->size() == 2);
  CHECK(tail->at(0).type == "staff.sign_in");
  CHECK(tail->at(0).data == R"({"actor":"code:li"})");
  CHECK(tail->at(1).type == "staff.service.out");
  CHECK(tail->at(1).data.find(R"("reason":"service.reason.staff.repair")") != std::string::npos);
  CHECK(tail->at(1).data.find("王芳") != std::string::npos);
  CHECK(j->verify_chain().value_or(-1) == 2);
}

TEST_CASE("a journal from newer software is refused, not guessed at") {
  TempDir d;
  auto path = d.path / "j.db";
  { REQUIRE(journal::Journal::open(path)); }
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  REQUIRE(sqlite3_exec(raw, "PRAGMA user_version=99", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  auto j = journal::Journal::open(path);
  REQUIRE_FALSE(j);
  CHECK(j.error().code == journal::ErrorCode::TooNew);
  CHECK(j.error().message_key() == "error.journal.too_new");
}

TEST_CASE("a garbage file is reported as damaged") {
  TempDir d;
  auto path = d.path / "j.db";
  std::ofstream(path) << std::string(8192, 'x');
  auto j = journal::Journal::open(path);
  REQUIRE_FALSE(j);
  CHECK(j.error().message_key() == "error.journal.damaged");
}

TEST_CASE("a step committed before a SIGKILL is there after restart") {
  TempDir d;
  auto path = d.path / "j.db";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    auto j = journal::Journal::open(path);
    if (!j) _exit(3);
    auto id = j->begin(sample());
    if (!id) _exit(4);
    for (int i = 0; i < 20; ++i)
      if (!j->intent(*id, "step" + std::to_string(i))) _exit(5);
    raise(SIGKILL);  // no destructor, no checkpoint, no close
    _exit(6);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  auto j = journal::Journal::open(path);
  REQUIRE(j);
  auto steps = j->steps(1);
  REQUIRE(steps);
  CHECK(steps->size() == 20);
  CHECK(j->verify_chain().value_or(-1) == 21);
  CHECK(j->integrity_check());
}

TEST_CASE(
    "the outbox: one message per business and kind, in order per business, backoff, final states audited") {
  TempDir d;
  auto j = journal::Journal::open(d.path / "j.db");
  REQUIRE(j);
  auto a = j->begin(sample());
  auto b = j->begin(sample());
  REQUIRE(a);
  REQUIRE(b);
  auto a1 = j->enqueue(*a, "R-A", "close", "{}", "key-a1");
  auto a2 = j->enqueue(*a, "R-A", "needs_staff", R"({"reason":"x"})", "key-a2");
  auto b1 = j->enqueue(*b, "R-B", "installed", "{}", "key-b1");
  REQUIRE(a1);
  REQUIRE(a2);
  REQUIRE(b1);
  CHECK(j->enqueue(*a, "R-A", "close", "{}", "another key").value_or(0) == *a1);  // the same message again
  // The same business's earlier order (it re-ordered after an expired QR) has its own.
  auto a0 = j->enqueue(*a, "R-A0", "close", "{}", "key-a0");
  REQUIRE(a0);
  CHECK(*a0 != *a1);
  REQUIRE(j->outbox_refused(*a0, "http 404 order.not_found"));

  // Each business's oldest pending message only.
  auto due = j->outbox_due(100);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  CHECK((*due)[0].id == *a1);
  CHECK((*due)[1].id == *b1);
  CHECK((*due)[0].idempotency_key == "key-a1");

  // Not acknowledged: not due again before its time, unless asked to ignore the backoff.
  REQUIRE(j->outbox_retry_later(*a1, "offline: refused", 100, 105));
  due = j->outbox_due(104);
  REQUIRE(due);
  REQUIRE(due->size() == 1);
  CHECK((*due)[0].id == *b1);
  CHECK(j->outbox_due(104, true).value_or(std::vector<journal::OutboxMessage>{}).size() == 2);
  auto m = j->outbox_message(*a1);
  REQUIRE(m);
  REQUIRE(*m);
  CHECK((*m)->attempts == 1);
  CHECK((*m)->last_error == "offline: refused");
  CHECK((*m)->state == journal::OutboxState::Pending);

  // Delivered: the business's next message is due; refused: final, with its reason.
  REQUIRE(j->outbox_delivered(*a1));
  due = j->outbox_due(200);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  CHECK((*due)[0].id == *a2);
  REQUIRE(j->outbox_refused(*b1, "http 409 order.state_invalid"));
  REQUIRE(j->outbox_delivered(*b1));  // final states stay
  auto refused = j->outbox_message(*b1);
  REQUIRE(refused);
  CHECK((*refused)->state == journal::OutboxState::Refused);
  CHECK((*refused)->last_error == "http 409 order.state_invalid");
  auto shown = j->outbox();
  REQUIRE(shown);
  CHECK(shown->size() == 3);  // the pending needs_staff, the refused installed and close

  // Written inside the caller's transaction: rolled back with it.
  auto c = j->begin(sample());
  REQUIRE(c);
  auto rolled = j->atomically([&]() -> journal::Result<void> {
    if (auto r = j->enqueue(*c, "R-C", "needs_staff", "{}", "key-c"); !r) return std::unexpected(r.error());
    return std::unexpected(journal::Error{journal::ErrorCode::Full, 0, "no room"});
  });
  CHECK_FALSE(rolled);
  auto none = j->outbox_of(*c, "needs_staff");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());

  // Every change of state is in the audit chain, which still verifies.
  auto tail = j->audit_tail(20);
  REQUIRE(tail);
  int written = 0, delivered = 0, refused_n = 0;
  for (const auto& e : *tail) {
    written += e.type.ends_with(".written") ? 1 : 0;
    delivered += e.type == "outbox.close.delivered" ? 1 : 0;
    refused_n += e.type == "outbox.installed.refused" ? 1 : 0;
  }
  CHECK(written == 4);
  CHECK(delivered == 1);
  CHECK(refused_n == 1);
  CHECK(j->verify_chain());
}

namespace {

std::int64_t fake_now = 0;
std::int64_t fake_clock() {
  return fake_now;
}

}  // namespace

TEST_CASE("retention: what is over goes with the head of the audit chain; a checkpoint keeps it verifiable") {
  TempDir d;
  auto j = journal::Journal::open(d.path / "j.db");
  REQUIRE(j);
  j->set_clock(fake_clock);
  constexpr std::int64_t kDay = 86400;
  fake_now = 1000 * kDay;
  auto old_done = j->begin(sample());  // over long ago: goes
  REQUIRE(old_done);
  REQUIRE(j->set_order(*old_done, "R-OLD-DONE"));
  REQUIRE(j->put(*old_done, "p10", "AAAA"));
  REQUIRE(j->done(*old_done, "confirm"));
  REQUIRE(j->set_status(*old_done, journal::Status::Done));
  auto old_waiting = j->begin(sample());  // over, but a message still waits for the platform: stays
  REQUIRE(old_waiting);
  REQUIRE(j->set_status(*old_waiting, journal::Status::NeedsStaff, "failure.pin_locked"));
  REQUIRE(j->enqueue(*old_waiting, "R-OLD-WAIT", "needs_staff", "{}", "k1"));
  auto old_paid = j->begin(sample());  // paid and unfinished: the customer is owed, stays
  REQUIRE(old_paid);
  REQUIRE(j->set_status(*old_paid, journal::Status::Paid));
  fake_now = 1500 * kDay;
  auto recent = j->begin(sample());  // recent: stays
  REQUIRE(recent);
  REQUIRE(j->set_status(*recent, journal::Status::Done));
  const std::int64_t entries_before = j->verify_chain().value_or(-1);

  auto pruned = j->prune(1400 * kDay);
  REQUIRE_MESSAGE(pruned, pruned.error().detail);
  CHECK(pruned->businesses == 1);
  CHECK_FALSE(j->business(*old_done));
  CHECK_FALSE(j->get(*old_done, "p10").value_or(std::optional<std::string>{"kept"}));
  for (auto kept : {*old_waiting, *old_paid, *recent}) CHECK(j->business(kept));
  // The chain's head went only up to the first entry of a business still kept (old_waiting's begin).
  CHECK(pruned->audit_entries == 4);  // old_done's: begin, order, done, status (working data is not audited)
  CHECK(pruned->through_seq == 4);
  CHECK(j->chain_start().value_or(-1) == 4);
  auto verified = j->verify_chain();
  REQUIRE_MESSAGE(verified, verified.error().detail);
  CHECK(*verified == entries_before - 4 + 1);  // the rest, and the entry saying what was pruned
  auto tail = j->audit_tail(1);
  REQUIRE(tail);
  CHECK(tail->front().type == "journal.pruned");
  CHECK(tail->front().data.find("\"through_seq\":4") != std::string::npos);

  // The chain goes on from the checkpoint; a second prune moves it forward; nothing else deletes an entry.
  REQUIRE(j->done(*recent, "confirm"));
  CHECK(j->verify_chain());
  fake_now = 3000 * kDay;
  REQUIRE(j->outbox_delivered(j->outbox_of(*old_waiting, "needs_staff")->value().id));
  auto again = j->prune(2900 * kDay);
  REQUIRE(again);
  CHECK(again->businesses == 2);  // old_waiting (its message delivered) and recent; old_paid is still owed
  CHECK(again->through_seq > 4);
  CHECK(j->verify_chain());
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open((d.path / "j.db").c_str(), &raw) == SQLITE_OK);
  CHECK(sqlite3_exec(raw, "DELETE FROM audit", nullptr, nullptr, nullptr) != SQLITE_OK);
  CHECK(sqlite3_exec(raw, "UPDATE audit_checkpoint SET through_seq = 1", nullptr, nullptr, nullptr) !=
        SQLITE_OK);
  CHECK(sqlite3_exec(raw, "DELETE FROM audit_checkpoint", nullptr, nullptr, nullptr) != SQLITE_OK);
  // An entry after the checkpoint altered: found.
  CHECK(sqlite3_exec(raw, "DROP TRIGGER audit_no_update", nullptr, nullptr, nullptr) == SQLITE_OK);
  CHECK(sqlite3_exec(raw, "UPDATE audit SET data='{}' WHERE seq = (SELECT MAX(seq) FROM audit)", nullptr,
                     nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(raw);
  auto broken = j->verify_chain();
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code == journal::ErrorCode::Chain);
}
