// The system journal's sink: each event as one entry with its fields, over journald's native protocol (a
// datagram of NAME=value lines on /run/systemd/journal/socket; systemd.journal-fields(7)). Under the
// service manager ca-kiosk's stderr goes to the journal too ($JOURNAL_STREAM); there it uses this sink
// instead of the stderr lines, so an entry keeps its fields (docs/operations.md, "The event log").
#pragma once

#include <memory>
#include <string>

#include "events/event_log.hpp"

namespace events {

// The fields of an entry: MESSAGE, PRIORITY (7 debug, 6 info, 4 warning, 3 error), SYSLOG_IDENTIFIER, and
// the event's own KIOSK_COMPONENT, KIOSK_BUSINESS, KIOSK_STEP, KIOSK_CODE (the empty ones left out). A value
// with a newline goes in the protocol's length-prefixed form.
std::string journal_entry(const Event& e, std::string_view identifier);

class JournaldSink final : public Sink {
 public:
  static constexpr const char* kSocket = "/run/systemd/journal/socket";
  // Null when no datagram socket can be made for `socket_path`.
  static std::shared_ptr<JournaldSink> open(std::string identifier, std::string socket_path = kSocket);
  ~JournaldSink() override;
  JournaldSink(const JournaldSink&) = delete;
  JournaldSink& operator=(const JournaldSink&) = delete;

  // Best effort: an entry the journal does not take is dropped (the ring still has it).
  void write(const Event& e) override;

 private:
  JournaldSink(int fd, std::string identifier, std::string socket_path);
  int fd_;
  std::string identifier_;
  std::string socket_path_;
};

// Whether this process's stderr is the system journal: $JOURNAL_STREAM names stderr's device and inode.
bool stderr_is_journal();

}  // namespace events
