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
