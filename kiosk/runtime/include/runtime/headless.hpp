// A renewal without a screen: the same flow core the kiosk's screens drive, answered by a HeadlessCustomer
// (kioskctl's terminal prompts and flags, a benchmark's script). It reads the view-models the screens
// would draw and sends the intents a person would tap.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/view.hpp"
#include "foundation/secret.hpp"
#include "runtime/runtime.hpp"

namespace journal {
class Journal;
}

namespace runtime {

class KioskRuntime;

class HeadlessCustomer {
public:
  virtual ~HeadlessCustomer() = default;
  // Progress and problems, one line each, for the person at the terminal.
  virtual void say(std::string_view line) = 0;
  // The phone number; empty = give up.
  virtual std::string phone() = 0;
  // The SMS code sent to `phone`; nullopt = give up. `again` after a wrong code.
  virtual std::optional<foundation::SecretBuffer> sms_code(const std::string& phone, int length,
                                                           bool again) = 0;
  // The PIN; nullopt = stop (a script never guesses twice after a wrong one).
  virtual std::optional<foundation::SecretBuffer> pin(const core::PinView& view) = 0;
  // 确定续费吗… and the final-try warning.
  virtual bool confirm(std::string_view question) = 0;
  // The payment screen, once per order: show the QR (a test pays here).
  virtual void payment(const core::PaymentView& view) = 0;
};

struct HeadlessOptions {
  std::string product;        // empty: the one matching the key's brand
  int years = 0;              // 0: the product's first
  bool resume = false;        // continue an unfinished business instead of starting one
  std::string order;          // with resume: this order (else the newest unfinished in the journal)
  int wait_key_s = 120;       // how long a pulled key may stay out
  bool verbose = false;       // every effect and result
  // The sentence for a message key (the screens' language files); unset: the key itself.
  std::function<std::string(std::string_view key)> text;
  // Set (kioskctl's SIGTERM watcher): the safe stop, as the kiosk's (Runtime::stop_at_safe_point): no new
  // step starts, the running one reaches its end, then the result is Unfinished with key "stopped".
  const std::atomic<bool>* stop = nullptr;
};

struct HeadlessResult {
  enum class Kind {
    Renewed,            // 续费成功
    KeyProblem,         // the key check stopped it before any money (key = why)
    PinWrong,           // a wrong PIN, and no other was given
    NeedsStaff,         // paid, cannot finish here: the counter, and the platform has it
    NeedsStaffNotTold,  // the same, but the platform has not acknowledged it yet (the outbox keeps trying)
    Journal,            // the journal could not record what the business needed: stopped (key = why)
    Unfinished,         // stopped at a safe point (platform away, key pulled, a stop asked): resume later
    PlatformUnusable,   // nothing started: the platform's catalog could not be had (key = its message key)
    NothingToResume,
    NotResumable,  // key = why (insert the key, another key, …)
    Refused,       // before payment: the platform refused the order (key)
    Usage,         // no such product, no phone, …
    Failed,
  };
  Kind kind = Kind::Failed;
  std::string key;        // a message key saying why
  std::string order_id;
};

// Runs one renewal (or resume) to its end. The runtime must not be driven by anything else meanwhile.
HeadlessResult run_headless(KioskRuntime& runtime, HeadlessCustomer& customer, const HeadlessOptions& options);

// The text of a rollover step for progress lines ("new key pair on the key").
std::string_view step_label(core::RenewalStep s);

}  // namespace runtime
