// The event log (kiosk/events): a bounded ring read newest-last, one stable line per event, sinks that plug
// in, phone numbers masked in every field before anything keeps or writes them.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "events/event_log.hpp"
#include "events/journald_sink.hpp"

namespace {

// What a StreamSink wrote, through a memory stream: the very code that writes stderr.
class Captured {
 public:
  Captured() : file_(open_memstream(&buf_, &len_)) {}
  ~Captured() {
    std::fclose(file_);
    std::free(buf_);
  }
  Captured(const Captured&) = delete;
  Captured& operator=(const Captured&) = delete;
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    return std::string(buf_, len_);
  }

 private:
  char* buf_ = nullptr;
  std::size_t len_ = 0;
  std::FILE* file_;
};

class Collect final : public events::Sink {
 public:
  void write(const events::Event& e) override { seen.push_back(e); }
  std::vector<events::Event> seen;
};

}  // namespace

TEST_CASE("the ring keeps the newest events, oldest first, and says how many there were") {
  events::EventLog log(3);
  events::Channel ch(&log, "runtime");
  CHECK(log.last(10).empty());
  for (int i = 1; i <= 5; ++i) ch.info("event " + std::to_string(i));
  CHECK(log.total() == 5);
  auto all = log.last(10);
  REQUIRE(all.size() == 3);
  CHECK(all[0].message == "event 3");
  CHECK(all[1].message == "event 4");
  CHECK(all[2].message == "event 5");
  auto two = log.last(2);
  REQUIRE(two.size() == 2);
  CHECK(two[0].message == "event 4");
  CHECK(two[1].message == "event 5");
  CHECK(two[1].component == "runtime");
  CHECK(two[1].time_ms > 0);
  // Not yet full: from the first.
  events::EventLog small(4);
  events::Channel(&small, "x").info("a");
  events::Channel(&small, "x").info("b");
  auto ab = small.last(4);
  REQUIRE(ab.size() == 2);
  CHECK(ab[0].message == "a");
  CHECK(ab[1].message == "b");
}

TEST_CASE("one stable line per event") {
  events::Event e;
  e.level = events::Level::Warning;
  e.time_ms = 1717237230123;
  e.component = "runtime";
  e.business = "K1a2b";
  e.step = "install";
  e.code = "error.token.removed";
  e.message = "the key\nwas pulled\t(\x1b)";
  CHECK(events::format_line(e) ==
        "2024-06-01T10:20:30.123Z warning runtime business=K1a2b step=install code=error.token.removed: "
        "the key\\nwas pulled\\t(\\x1b)");
  events::Event bare;
  bare.time_ms = 1717237230005;
  bare.message = "证书 ok";
  CHECK(events::format_line(bare) == "2024-06-01T10:20:30.005Z info -: 证书 ok");
  events::Event spaced;
  spaced.time_ms = 1717237230000;
  spaced.component = "app";
  spaced.step = "two words";
  spaced.level = events::Level::Error;
  CHECK(events::format_line(spaced) == "2024-06-01T10:20:30.000Z error app step=two_words: ");
}

TEST_CASE("sinks plug in: every event in order; the stream sink writes lines from its level up") {
  events::EventLog log;
  auto collect = std::make_shared<Collect>();
  Captured out;
  log.add_sink(collect);
  log.add_sink(std::make_shared<events::StreamSink>(out.file(), events::Level::Warning));
  events::Channel ch(&log, "journal");
  ch.debug("d");
  ch.info("i");
  ch.warning("w", {.business = "K9", .step = "submit", .code = "error.journal.io"});
  ch.error("e\nsecond line");
  REQUIRE(collect->seen.size() == 4);
  CHECK(collect->seen[0].level == events::Level::Debug);
  CHECK(collect->seen[2].business == "K9");
  CHECK(collect->seen[3].message == "e\nsecond line");  // kept as is; only the line escapes it
  const std::string text = out.text();
  CHECK(text.find(": d\n") == std::string::npos);
  CHECK(text.find(": i\n") == std::string::npos);
  CHECK(text.find(" warning journal business=K9 step=submit code=error.journal.io: w\n") !=
        std::string::npos);
  CHECK(text.find(" error journal: e\\nsecond line\n") != std::string::npos);
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  CHECK(lines == 2);
}

TEST_CASE("a phone number is masked in every field, in the ring and on the line") {
  events::EventLog log;
  Captured out;
  log.add_sink(std::make_shared<events::StreamSink>(out.file()));
  events::Channel ch(&log, "runtime");
  ch.warning("sms to 13812345678 failed (+8613912345678)",
             {.business = "13712345678", .step = "sms 13612345678", .code = "c15012345678"});
  const auto e = log.last(1).at(0);
  CHECK(e.message == "sms to 138****5678 failed (+86139****5678)");
  CHECK(e.business == "137****5678");
  CHECK(e.step == "sms 136****5678");
  CHECK(e.code == "c150****5678");
  const std::string text = out.text();
  for (const char* phone : {"13812345678", "13912345678", "13712345678", "13612345678", "15012345678"})
    CHECK_MESSAGE(text.find(phone) == std::string::npos, phone);
  CHECK(text.find("138****5678") != std::string::npos);
}

TEST_CASE("fields are bounded, at a character boundary") {
  events::EventLog log(2);
  events::Channel ch(&log, "app");
  std::string long_text;
  for (int i = 0; i < 2000; ++i) long_text += "证";
  ch.info(long_text, {.step = long_text});
  const auto e = log.last(1).at(0);
  CHECK(e.message.size() <= events::EventLog::kMaxMessageBytes);
  CHECK(e.message.size() % 3 == 0);  // whole characters of 3 bytes
  CHECK(e.message.size() >= events::EventLog::kMaxMessageBytes - 3);
  CHECK(e.step.size() <= events::EventLog::kMaxFieldBytes);
  CHECK(e.step.size() % 3 == 0);
}

TEST_CASE("a default channel records nothing; threads record without losing an event") {
  events::Channel none;
  none.error("nowhere");  // no log: nothing happens
  CHECK(none.log() == nullptr);

  events::EventLog log(100);
  auto collect = std::make_shared<Collect>();
  log.add_sink(collect);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&log, t] {
      events::Channel ch(&log, "t" + std::to_string(t));
      for (int i = 0; i < 250; ++i) ch.info("n");
    });
  for (auto& t : threads) t.join();
  CHECK(log.total() == 1000);
  CHECK(collect->seen.size() == 1000);
  CHECK(log.last(1000).size() == 100);
}

TEST_CASE("the system journal's sink: one datagram per event with its fields, a newline in the length form") {
  char dir[] = "/tmp/kiosk-journal-XXXXXX";
  REQUIRE(mkdtemp(dir));
  const std::string path = std::string(dir) + "/socket";
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  auto sink = events::JournaldSink::open("ca-kiosk", path);
  REQUIRE(sink);
  events::EventLog log;
  log.add_sink(sink);
  events::Channel(&log, "runtime")
      .warning("the key left\nat install, phone 13812345678",
               {.business = "K7f3a9c", .step = "install", .code = "error.token.removed"});
  events::Channel(&log, "app").info("started");
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    REQUIRE(n > 0);
    got.emplace_back(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  std::filesystem::remove_all(dir);
  const std::string& w = got[0];
  // The message has a newline: "MESSAGE\n", its length as 8 bytes little endian, the bytes, "\n".
  const std::string message = "the key left\nat install, phone 138****5678";  // masked before any sink
  std::string len(8, '\0');
  len[0] = static_cast<char>(message.size());
  CHECK(w.find("MESSAGE\n" + len + message + "\n") != std::string::npos);
  CHECK(w.find("PRIORITY=4\n") != std::string::npos);
  CHECK(w.find("SYSLOG_IDENTIFIER=ca-kiosk\n") != std::string::npos);
  CHECK(w.find("KIOSK_COMPONENT=runtime\n") != std::string::npos);
  CHECK(w.find("KIOSK_BUSINESS=K7f3a9c\n") != std::string::npos);
  CHECK(w.find("KIOSK_STEP=install\n") != std::string::npos);
  CHECK(w.find("KIOSK_CODE=error.token.removed\n") != std::string::npos);
  CHECK(w.find("13812345678") == std::string::npos);
  CHECK(got[1] == "MESSAGE=started\nPRIORITY=6\nSYSLOG_IDENTIFIER=ca-kiosk\nKIOSK_COMPONENT=app\n");
}

TEST_CASE("stderr is the journal only when JOURNAL_STREAM names stderr's device and inode") {
  struct stat st{};
  REQUIRE(::fstat(STDERR_FILENO, &st) == 0);
  const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  ::unsetenv("JOURNAL_STREAM");
  CHECK_FALSE(events::stderr_is_journal());
  ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
  CHECK(events::stderr_is_journal());
  ::setenv("JOURNAL_STREAM", (mine + "1").c_str(), 1);  // another stream: stderr was redirected
  CHECK_FALSE(events::stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
}
