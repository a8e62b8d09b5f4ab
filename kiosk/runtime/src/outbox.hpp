// The outbox's sender: delivers the messages the platform must receive once money has moved (needs_staff,
// installed, the close of an order whose customer left), which the effects write to the journal in the
// same transaction as the state change that needs them (services/journal's outbox).
//
// Each business's messages go in order, one at a time, under the key written with the message, until the
// platform acknowledges one (delivered: its acknowledgement is recorded with what it settles, e.g. the
// business done) or refuses it for good (refused: a 4xx other than 408/429 — shown to staff by
// `kioskctl business list`, never sent again). Anything else (offline, timeout, TLS, 5xx, 429) is tried
// again later with capped exponential backoff: 5 s, 10 s, … up to 10 minutes. Every message is safe to
// send again: by its key, and by the order's state once the platform has forgotten the key (a message
// retried after a holiday): needs_staff on an order with the counter, installed on an installed one, and
// close on a closed or expired one are answered as done.
//
// Crash points (docs/testing.md): "outbox.<kind>.written" after the message is written (the effects'),
// "outbox.<kind>.sent" after the platform answered, "outbox.<kind>.acknowledged" after the answer is
// recorded.
//
// Threads: a background thread started by start() sends everything pending at once (a restart sends
// again what the last run could not), then each message when due, and whenever wake() says a message was
// written. deliver_business() and deliver_all() send on the caller's thread, without waiting for a
// backoff; one mutex keeps two senders from sending at once (the platform client is not shared).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "events/event_log.hpp"
#include "journal/journal.hpp"
#include "platform/client.hpp"
#include "step_journal.hpp"

namespace runtime {

// A message's state after a delivery attempt, and the platform's error when it is not delivered.
struct OutboxResult {
  journal::OutboxState state = journal::OutboxState::Pending;
  std::optional<platform::Error> error;  // the last attempt's, when it failed
};

class OutboxSender {
 public:
  // `kiosk_id` goes into the detail of the needs_staff messages the sender writes itself.
  OutboxSender(StepJournal& journal, platform::Client client, std::function<std::int64_t()> wall,
               std::string kiosk_id, events::Channel events);
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();
  void stop();  // waits for a send in progress
  void wake();

  // Sends `business`'s pending messages in order up to and including `message`, now; `message`'s state
  // afterwards (Pending: not acknowledged yet, the background sender keeps trying).
  OutboxResult deliver_business(std::int64_t business, std::int64_t message);
  // Every pending message, now; each with its state afterwards, together with those this process's
  // sender has delivered or refused since the last call (the background thread may have been first). Each
  // is reported once: the sender keeps no list of what it finished beyond that.
  std::vector<journal::OutboxMessage> deliver_all();

  // The delay before attempt n + 1 after n failed ones (capped exponential).
  static std::int64_t backoff_s(int failed_attempts);

 private:
  // Sends one message and records the outcome (under send_mutex_).
  OutboxResult send(const journal::OutboxMessage& m);
  // Records the acknowledgement with what it settles, in one transaction.
  journal::Result<void> acknowledge(const journal::OutboxMessage& m, bool paid_meanwhile);
  void run();

  StepJournal& journal_;
  platform::Client client_;
  std::function<std::int64_t()> wall_;
  std::string kiosk_id_;
  events::Channel events_;  // "outbox"
  std::mutex send_mutex_;
  // Under send_mutex_: delivered or refused by this process since the last deliver_all(), which takes them
  // (a kiosk that never calls it keeps at most kMaxFinished, the newest).
  std::vector<std::int64_t> finished_;
  static constexpr std::size_t kMaxFinished = 64;
  void finished(std::int64_t id);
  std::mutex wait_mutex_;
  std::condition_variable wait_cv_;
  bool woken_ = false;  // under wait_mutex_
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace runtime
