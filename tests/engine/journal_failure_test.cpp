// The journal is the promise: when it cannot be written (its folder read-only, its disk full) or has lost
// what a step needs, the business stops at once with the journal's own sentence and exit code 52, before
// any change to the key when that is still possible, and a paid business is told to the platform directly
// and found again once the journal works. The journal lives on a small filesystem of the test's own (a
// tmpfs, which needs root; without it the full-disk cases say so and check nothing).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "engine_env.hpp"

using namespace enginetest;
namespace fs = std::filesystem;

namespace {

// A tmpfs of `kib` KiB at `dir`, unmounted at the end.
class SmallDisk {
 public:
  static std::unique_ptr<SmallDisk> mount_at(const fs::path& dir, int kib) {
    fs::create_directories(dir);
    const std::string opts = fmt::format("size={}k,mode=0755", kib);
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, opts.c_str()) != 0) return nullptr;
    return std::unique_ptr<SmallDisk>(new SmallDisk(dir));
  }
  ~SmallDisk() { ::umount2(dir_.c_str(), MNT_DETACH); }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  // Writes a filler file until the disk says it is full.
  void fill() {
    int fd = ::open((dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    REQUIRE(fd >= 0);
    char block[4096] = {};
    for (std::size_t n = sizeof block; n > 0; n /= 2)
      while (::write(fd, block, n) == static_cast<ssize_t>(n)) {
      }
    CHECK(errno == ENOSPC);
    ::close(fd);
  }
  void make_room() { fs::remove(dir_ / "filler"); }
  void read_only(bool ro) {
    REQUIRE(::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | (ro ? MS_RDONLY : 0), nullptr) == 0);
  }

 private:
  explicit SmallDisk(fs::path dir) : dir_(std::move(dir)) {}
  fs::path dir_;
};

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

// What SQLite would have said instead of the kiosk's sentence.
bool sqlite_words(const std::string& text) {
  return contains(text, "unable to open database") || contains(text, "readonly database") ||
         contains(text, "database or disk is full") || contains(text, "disk I/O error");
}

}  // namespace

TEST_CASE("the journal's folder read-only: exit 52 with the kiosk's sentence, before any order") {
  EngineEnv env;
  auto disk = SmallDisk::mount_at(env.dir() / "disk", 512);
  if (!disk) {
    MESSAGE("no tmpfs (not root): the read-only journal is not checked here");
    return;
  }
  auto c = env.new_customer(Brand::Haitai);
  env.set_journal_path(env.dir() / "disk" / "journal.db");
  disk->read_only(true);
  auto r = env.renew({{"LC_ALL", "C"}});
  INFO(r.output);
  CHECK(r.rc == 52);
  CHECK(contains(r.output, "This kiosk cannot write its business record."));
  CHECK(contains(r.output, "next: make journal_path and its folder writable"));
  CHECK_FALSE(sqlite_words(r.output));
  CHECK(env.records(c.fingerprint).orders.empty());
  CHECK(env.old_certificate_on_token(c));
  CHECK(env.usable_pairs() == 1);
  disk->read_only(false);
}

TEST_CASE("the journal's disk full before the business begins: exit 52, before any order") {
  EngineEnv env;
  auto disk = SmallDisk::mount_at(env.dir() / "disk", 512);
  if (!disk) {
    MESSAGE("no tmpfs (not root): the full disk is not checked here");
    return;
  }
  auto c = env.new_customer(Brand::Haitai);
  env.set_journal_path(env.dir() / "disk" / "journal.db");
  REQUIRE(env.kioskctl({"business", "list"}).rc == 0);  // the journal exists, then the disk fills
  disk->fill();
  auto r = env.renew({{"LC_ALL", "C"}});
  INFO(r.output);
  CHECK(r.rc == 52);
  CHECK(contains(r.output, "This kiosk's disk is full"));
  CHECK(contains(r.output, "next: free space on the journal's disk"));
  CHECK_FALSE(sqlite_words(r.output));
  CHECK(env.records(c.fingerprint).orders.empty());
  CHECK(env.usable_pairs() == 1);
}

TEST_CASE("the disk fills once the order is made: exit 52, the platform told directly, found again later") {
  EngineEnv env;
  auto disk = SmallDisk::mount_at(env.dir() / "disk", 512);
  if (!disk) {
    MESSAGE("no tmpfs (not root): the disk filling mid-business is not checked here");
    return;
  }
  auto c = env.new_customer(Brand::Feitian);  // paid: the money moves after the disk is full
  env.set_journal_path(env.dir() / "disk" / "journal.db");
  auto r =
      env.renew({{"LC_ALL", "C"}, {"KIOSK_PAUSE_AT", "order.create.after_done"}}, {}, [&] { disk->fill(); });
  INFO(r.output);
  CHECK(r.rc == 52);
  CHECK(contains(r.output, "This kiosk's disk is full"));
  CHECK(contains(r.output, "business number:"));
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  CHECK(recs.orders[0].payments == 1);
  // Nothing on the key changed without its record; the counter has the business all the same.
  CHECK(recs.orders[0].status == "needs_staff");
  CHECK(env.old_certificate_on_token(c));
  CHECK(env.usable_pairs() == 1);
  CHECK(env.violations(c, false).empty());
  // Space again: the business is found (never "nothing to do"): it is with the counter, and the journal
  // and `business list` say so.
  disk->make_room();
  auto again = env.resume({{"LC_ALL", "C"}});
  INFO(again.output);
  CHECK(again.rc == 50);
  CHECK_FALSE(contains(again.output, "nothing to resume"));
  CHECK(contains(again.output, "with the counter"));
  CHECK(env.journal_status(recs.orders[0].id) == "needs_staff");
  auto list = env.kioskctl({"business", "list"});
  CHECK(contains(list.output, recs.orders[0].id));
  CHECK(env.records(c.fingerprint).orders.size() == 1);
}

TEST_CASE("working data the journal lost is the journal's failure, never empty bytes signed") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Haitai);
  // Between the nonce and the proof, the P10 the proof covers becomes unreadable in the journal.
  auto damage = [&] {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(env.journal_path().c_str(), &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "UPDATE business_data SET value='%%not base64%%' WHERE key='p10'", nullptr,
                       nullptr, nullptr) == SQLITE_OK);
    CHECK(sqlite3_changes(db) == 1);
    sqlite3_close(db);
  };
  auto r = env.renew({{"LC_ALL", "C"}, {"KIOSK_PAUSE_AT", "nonce.after_done"}}, {}, damage);
  INFO(r.output);
  CHECK(r.rc == 52);
  CHECK(contains(r.output, "damaged"));
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  CHECK(recs.orders[0].issuances == 0);  // nothing was submitted with a proof over the wrong bytes
  CHECK(recs.orders[0].status == "needs_staff");
  CHECK(env.old_certificate_on_token(c));
}

TEST_CASE("a paid business the journal lost is found again from the platform: listed, and resumed") {
  EngineEnv env;
  auto c = env.new_customer(Brand::Haitai);
  Run r = env.renew({{"KIOSK_CRASH_AT", "stage_key.after_intent"}});
  REQUIRE_MESSAGE(r.killed, r.output);
  auto recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  const std::string order = recs.orders[0].id;
  // The journal is gone (a failed disk, a new one): the platform still has the paid order.
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(env.journal_path().string() + suffix);
  auto list = env.kioskctl({"business", "list"});
  INFO(list.output);
  CHECK(contains(list.output, "not in this kiosk's journal"));
  CHECK(contains(list.output, order));
  Run again = env.resume({{"LC_ALL", "C"}});
  INFO(again.output);
  CHECK(again.rc == 0);
  CHECK(contains(again.output, "is on the platform but not in this kiosk's journal"));
  recs = env.records(c.fingerprint);
  REQUIRE(recs.orders.size() == 1);
  CHECK(recs.orders[0].status == "installed");
  CHECK(env.journal_status(order) == "done");
  CHECK(env.violations(c, true).empty());
}
