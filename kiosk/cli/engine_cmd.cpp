// kioskctl renew | business: a headless renewal through the same flow core the kiosk screens use, and
// this kiosk's business from the journal for hall staff.
#include <termios.h>
#include <unistd.h>

#include <fmt/core.h>
#include <qrencode.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "core/messages.hpp"
#include "core/update.hpp"
#include "core/view.hpp"
#include "events/event_log.hpp"
#include "exit_codes.hpp"
#include "foundation/c_handle.hpp"
#include "journal/journal.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "runtime/headless.hpp"
#include "runtime/key_report.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "runtime/platform_options.hpp"
#include "runtime/staff_text.hpp"
#include "sentences.hpp"
#include "service/stop_signals.hpp"

namespace kioskctl {
namespace {

using namespace std::chrono_literals;

struct RenewOptions {
  std::string product;
  int years = 0;
  std::string phone;
  std::string code_env;
  bool code_from_outbox = false;
  bool pin_stdin = false;
  std::string pin_env;
  bool pay_dev = false;
  bool show_qr = false;
  bool yes = false;
  bool resume = false;
  std::string order;
  int wait_key_s = 120;
  bool verbose = false;
};




// A line from stdin, optionally without echo (a PIN typed at a terminal).
std::string read_line(bool secret) {
  termios old{};
  const bool tty = secret && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fputc('\n', stderr);
  }
  return line;
}

foundation::SecretBuffer read_secret() {
  // Read char by char straight into the zeroizing buffer: no std::string copy of the PIN.
  foundation::SecretBuffer s;
  termios old{};
  const bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  for (int c; (c = std::fgetc(stdin)) != EOF && c != '\n';)
    if (c != '\r') s.push_back(static_cast<char>(c));
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fputc('\n', stderr);
  }
  return s;
}

void print_qr(const std::string& text) {
  foundation::CPtr<QRcode, QRcode_free> qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!qr) return;
  const int w = qr->width, q = 2;
  auto dark = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < w && y < w && (qr->data[y * w + x] & 1);
  };
  // Two modules per character cell, light on dark terminals inverted: "█" is light.
  for (int y = -q; y < w + q; y += 2) {
    std::string line;
    for (int x = -q; x < w + q; ++x) {
      bool top = dark(x, y), bottom = dark(x, y + 1);
      line += top ? (bottom ? " " : "▄") : (bottom ? "▀" : "█");
    }
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

int exit_for_key_problem(std::string_view key) {
  if (key == "error.token.module_missing") return kModuleMissing;
  if (key == "error.token.module_load_failed") return kModuleLoadFailed;
  if (key == "error.token.absent") return kTokenAbsent;
  if (key == core::msg::kKeyCheckPinLocked) return kPinLocked;
  if (key == core::msg::kKeyCheckPinToBeChanged) return kPinToBeChanged;
  if (key == core::msg::kKeyCheckMechanism) return kMechanismUnsupported;
  return kCertificateProblem;
}

// The platform's message key (error.platform.offline, ...) → the exit code `kioskctl platform` gives for
// the same failure (30–34).
int exit_for_platform_key(std::string_view key) {
  if (key == "error.platform.offline") return kPlatformOffline;
  if (key == "error.platform.timeout") return kPlatformTimeout;
  if (key == "error.platform.tls") return kPlatformTls;
  if (key == "error.platform.malformed") return kPlatformMalformed;
  if (key == "error.platform.config") return kConfig;
  return kPlatformRefused;  // an HTTP answer: a platform code, a server error
}

std::string_view next_for_platform_key(std::string_view key) {
  switch (exit_for_platform_key(key)) {
    case kPlatformOffline:
      return "check the network and that the platform runs at platform.base_url";
    case kPlatformTimeout:
      return "the platform is slow or unreachable; try again, then check the network";
    case kPlatformTls:
      return "check platform.ca_file (the platform CA) and this kiosk's client_cert/client_key";
    case kPlatformMalformed:
      return "the answer could not be understood; is base_url the platform's /v1/?";
    case kConfig:
      return "fix the configuration";
    default:
      return "the platform refused or failed; `kioskctl platform catalog` shows its answer";
  }
}

// A journal that cannot be used: the customer's sentence (the same the screen shows), what staff do next,
// and the exit code 52. SQLite's words only with -v: they name no next step.
int report_journal(const std::filesystem::path& path, std::string_view message_key, std::string_view detail,
                   bool verbose) {
  fmt::print(stderr, "kioskctl: journal {}: {}\n", path.string(), sentences().text(message_key));
  std::string_view next = "run `kioskctl journal-verify`; keep the file for the vendor";
  if (message_key == "error.journal.full")
    next =
        "free space on the journal's disk (journal_path in the configuration), then `kioskctl renew "
        "--resume`";
  else if (message_key == "error.journal.read_only")
    next = "make journal_path and its folder writable by the kiosk, then `kioskctl renew --resume`";
  else if (message_key == "error.journal.too_new")
    next = "this kiosk's software is older than its journal: install the newer software";
  fmt::print(stderr, "  next: {}\n", next);
  if (verbose) fmt::print(stderr, "  detail: {}\n", detail);
  return kJournal;
}

int exit_code(const runtime::HeadlessResult& r) {
  using K = runtime::HeadlessResult::Kind;
  switch (r.kind) {
    case K::Renewed: return kOk;
    case K::KeyProblem: return exit_for_key_problem(r.key);
    case K::PinWrong: return kPinIncorrect;
    case K::NeedsStaff: return kRenewalNeedsStaff;
    case K::NeedsStaffNotTold:
      return kRenewalNeedsStaffNotTold;
    case K::Journal:
      return kJournal;
    case K::Unfinished: return kRenewalUnfinished;
    case K::PlatformUnusable:
      return exit_for_platform_key(r.key);
    case K::NotResumable: return r.key == "resume.error.insert_key" ? kTokenAbsent : kFailure;
    case K::Refused: return r.key.starts_with("error.platform.") ? kPlatformRefused : kFailure;
    case K::Usage: return kUsage;
    default: return kFailure;
  }
}

// A client of the configured platform with this kiosk's identity; nullopt (said) when it cannot be made.
std::optional<platform::Client> platform_client(const runtime::KioskConfig& cfg) {
  auto c = platform::Client::create(runtime::client_options(cfg));
  if (!c) {
    fmt::print(stderr, "  platform client: {}\n", c.error().to_string());
    return std::nullopt;
  }
  return std::move(*c);
}

// The person at the terminal, or the flags that stand in for them.
class TerminalCustomer final : public runtime::HeadlessCustomer {
public:
  TerminalCustomer(const RenewOptions& o, const runtime::KioskConfig& cfg) : o_(o), cfg_(cfg) {}

  void say(std::string_view line) override { fmt::print(stderr, "  {}\n", line); }

  std::string phone() override {
    if (!o_.phone.empty()) {
      if (asked_phone_++) return {};  // the flag's number was refused: do not loop on it
      return o_.phone;
    }
    fmt::print(stderr, "phone: ");
    return read_line(false);
  }

  std::optional<foundation::SecretBuffer> sms_code(const std::string& phone, int length,
                                                   bool again) override {
    if (!o_.code_env.empty()) {
      if (again) return std::nullopt;
      const foundation::SecretBuffer* c = env_secret(o_.code_env);
      if (!c) {
        say("$" + o_.code_env + " is not set");
        return std::nullopt;
      }
      return c->clone();
    }
    if (o_.code_from_outbox) {
      if (again) return std::nullopt;
      auto c = dev_client();
      if (!c) return std::nullopt;
      auto code = platform::dev::last_code(*c, phone, contract::SmsPurpose::Renewal);
      if (!code) {
        say("no SMS code in the platform's outbox: " + code.error().to_string());
        return std::nullopt;
      }
      return foundation::SecretBuffer(*code);
    }
    if (!isatty(STDIN_FILENO) && again) return std::nullopt;
    fmt::print(stderr, "SMS code ({} digits): ", length);
    return read_secret();
  }

  std::optional<foundation::SecretBuffer> pin(const core::PinView& v) override {
    // Automation never guesses twice: a wrong PIN from a flag or stdin ends the run.
    const bool automated = !o_.pin_env.empty() || o_.pin_stdin || !isatty(STDIN_FILENO);
    if (v.last_failed && automated) return std::nullopt;
    if (!o_.pin_env.empty()) {
      const foundation::SecretBuffer* p = env_secret(o_.pin_env);
      if (!p) {
        say("$" + o_.pin_env + " is not set");
        return std::nullopt;
      }
      return p->clone();
    }
    if (!o_.pin_stdin) fmt::print(stderr, "PIN: ");
    foundation::SecretBuffer p = read_secret();
    if (p.empty()) return std::nullopt;
    return p;
  }

  bool confirm(std::string_view question) override {
    const bool final_try = question.find("最后一次") != std::string_view::npos;
    if (o_.yes && !final_try) return true;
    if (!isatty(STDIN_FILENO)) return false;  // a final try is never taken unattended
    fmt::print(stderr, "{} [y/N] ", question);
    std::string a = read_line(false);
    return a == "y" || a == "Y" || a == "yes";
  }

  void payment(const core::PaymentView& v) override {
    say(v.code_url);
    if (o_.show_qr) print_qr(v.code_url);
    if (!o_.pay_dev) return;
    auto c = dev_client();
    if (!c) return;
    auto p = platform::dev::pay(*c, v.order_id);
    if (p)
      say("paid through the platform's dev scan-and-pay");
    else
      say("dev pay: " + p.error().to_string());
  }

private:
 std::optional<platform::Client> dev_client() { return platform_client(cfg_); }

 const RenewOptions& o_;
 const runtime::KioskConfig& cfg_;
 int asked_phone_ = 0;
};

int renew(const Globals& g, const RenewOptions& o) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  // SIGTERM or Ctrl+C: the kiosk's safe stop (the running step finishes, no new one starts; exit 51, and
  // `--resume` continues). Blocked before the runtime's threads start, so they all inherit the mask. A
  // second one leaves at once (a prompt waiting for the person is no step in flight).
  std::atomic<bool> stop{false};
  std::atomic<runtime::Runtime*> running{nullptr};  // set once the runtime exists
  std::optional<service::StopSignals> signals;
  signals.emplace([&stop, &running](int) {
    if (stop.exchange(true)) std::_Exit(kRenewalUnfinished);
    if (runtime::Runtime* r = running.load()) (void)r->stop_at_safe_point();  // nothing new starts from now
    fmt::print(stderr, "kioskctl: stopping at the next safe point (again to leave now)\n");
  });
  runtime::RuntimeOptions ro;
  ro.config = *cfg;
  ro.program = o.resume ? "kioskctl renew --resume" : "kioskctl renew";
  // The event log: its lines on stderr with -v; its ring names a platform failure exactly for the one
  // line below even without -v (the catalog's event: "offline: Connection refused ...").
  events::EventLog log;
  if (o.verbose) log.add_sink(std::make_shared<events::StreamSink>(stderr));
  ro.events = &log;
  auto rt = runtime::KioskRuntime::create(std::move(ro));
  if (!rt) {
    if (rt.error().part == runtime::StartError::Part::Journal)
      return report_journal(cfg->journal_path, rt.error().message_key, rt.error().detail, o.verbose);
    if (rt.error().part == runtime::StartError::Part::Busy) {
      fmt::print(
          stderr,
          "kioskctl: this kiosk's business is being driven by another process ({}): it owns the journal "
          "and the key, and one business is never driven twice at once.\n  next: finish it there (the "
          "kiosk's screen), or stop it first; `kioskctl business list` is safe meanwhile\n",
          rt.error().detail.empty() ? "unknown" : rt.error().detail);
      return kBusy;
    }
    fmt::print(stderr, "kioskctl: {}\n", rt.error().to_string());
    return kFailure;
  }
  running = rt->get();
  fmt::print(stderr, "renewal on kiosk {} against {}\n", cfg->kiosk_id, cfg->platform.base_url);
  TerminalCustomer customer(o, *cfg);
  runtime::HeadlessOptions ho;
  ho.product = o.product;
  ho.years = o.years;
  ho.resume = o.resume;
  ho.order = o.order;
  ho.wait_key_s = o.wait_key_s;
  ho.verbose = o.verbose;
  ho.text = [](std::string_view key) { return sentences().text(key); };
  ho.stop = &stop;
  const runtime::HeadlessResult r = runtime::run_headless(**rt, customer, ho);
  signals.reset();  // the watcher ends before the runtime does
  if (r.kind == runtime::HeadlessResult::Kind::Journal)
    return report_journal(cfg->journal_path, r.key, "see the log lines above (-v)", o.verbose);
  if (r.kind == runtime::HeadlessResult::Kind::PlatformUnusable) {
    std::string what = r.key;
    for (const auto& e : log.last(log.capacity()))
      if (e.component == "runtime" && e.step == "catalog" && !e.message.empty()) what = e.message;
    fmt::print(stderr, "kioskctl: platform: {}\n  next: {}\n", what, next_for_platform_key(r.key));
  }
  return exit_code(r);
}

// What the platform has not acknowledged (and, with --all, what it has): what, since when, how many
// attempts, the last error.
void print_outbox(const std::vector<journal::OutboxMessage>& list, bool all) {
  fmt::print("\nmessages for the platform ({}):\n", all ? "the last 200" : "not acknowledged");
  if (list.empty()) {
    fmt::print("(none)\n");
    return;
  }
  fmt::print("{:>5}  {:<24} {:<12} {:<10} {:<20} {:>8}  {}\n", "biz", "order", "what", "state", "since",
             "attempts", "last error");
  for (const auto& m : list)
    fmt::print("{:>5}  {:<24} {:<12} {:<10} {:<20} {:>8}  {}\n", m.business_id, m.order_id, m.kind,
               journal::to_string(m.state), runtime::utc_minute(m.created_at), m.attempts,
               m.last_error.empty() ? "-" : m.last_error);
}

// This kiosk's unfinished orders the platform has and the journal does not (it lost them): found again
// by the kiosk's identity (GET kiosk/orders). `renew --resume` takes up a paid one.
void print_lost(const runtime::KioskConfig& cfg, journal::Journal& j) {
  auto c = platform_client(cfg);
  if (!c) return;
  auto list = c->kiosk_orders(true);
  if (!list) {
    fmt::print("\nthe platform could not be asked for this kiosk's orders: {}\n", list.error().to_string());
    return;
  }
  bool header = false;
  for (const auto& o : list->orders) {
    if (auto known = j.by_order(o.id); !known || *known) continue;
    if (!header) {
      fmt::print(
          "\non the platform, not in this kiosk's journal (`kioskctl renew --resume` takes up a paid "
          "one):\n");
      header = true;
    }
    fmt::print("       {:<24} {:<12} {:<28} {}\n", o.id, contract::to_string(o.status), o.product_id,
               runtime::utc_minute(o.created_at));
  }
}

void print_business(const journal::Business& b) {
  fmt::print("{:>5}  {:<24} {:<12} {:<28} {:<13} {:<20} {}\n", b.id, b.order_id.empty() ? "-" : b.order_id,
             journal::to_string(b.status), b.product_id, b.phone_masked, b.last_step + "/" + b.last_phase,
             runtime::utc_minute(b.updated_at));
}

int business_list(const Globals& g, bool all) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  auto j = journal::Journal::open(cfg->journal_path);
  if (!j) return report_journal(cfg->journal_path, j.error().message_key(), j.error().detail, false);
  auto list = all ? j->recent(200) : j->unfinished_businesses();
  if (!list) return report_journal(cfg->journal_path, list.error().message_key(), list.error().detail, false);
  fmt::print("{:>5}  {:<24} {:<12} {:<28} {:<13} {:<20} {}\n", "id", "order", "status", "product", "phone", "last step",
             "updated");
  for (const auto& b : *list) print_business(b);
  if (list->empty()) fmt::print("(none{})\n", all ? "" : " unfinished");
  auto outbox = j->outbox(all);
  if (!outbox)
    return report_journal(cfg->journal_path, outbox.error().message_key(), outbox.error().detail, false);
  for (const auto& b : *list) {
    if (b.status != journal::Status::NeedsStaff) continue;
    std::string told = "the counter has it";
    for (const auto& m : *outbox)
      if (m.business_id == b.id && m.kind == "needs_staff" && m.state != journal::OutboxState::Delivered)
        told = m.state == journal::OutboxState::Pending
                   ? "the platform has not been told yet: the kiosk keeps trying (below)"
                   : "the platform refused it (below): tell the counter yourself";
    fmt::print(
        "\nbusiness {} (order {}) needs staff: {}; {}. The customer was sent to the counter with the KEY and "
        "the business number; nothing was deleted from the key.\n",
        b.id, b.order_id, b.needs_staff_reason, told);
  }
  print_outbox(*outbox, all);
  print_lost(*cfg, *j);
  return kOk;
}

int business_show(const Globals& g, const std::string& which) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  auto j = journal::Journal::open(cfg->journal_path);
  if (!j) return report_journal(cfg->journal_path, j.error().message_key(), j.error().detail, false);
  std::optional<journal::Business> b;
  if (auto byo = j->by_order(which); byo && *byo) b = **byo;
  if (!b && !which.empty() && which.find_first_not_of("0123456789") == std::string::npos)
    if (auto r = j->business(std::stoll(which))) b = *r;
  if (!b) {
    fmt::print(stderr, "no business '{}' in this kiosk's journal\n", which);
    return kFailure;
  }
  print_business(*b);
  fmt::print("  certificate {}\n  key {} {} #{}\n", b->cert_fingerprint, b->token_manufacturer, b->token_model,
             b->token_serial);
  if (b->counter_at > 0)  // staff's hand-over (docs/staff.md, "Business that needs someone")
    fmt::print("  handed to the counter {}: {}\n", runtime::utc_minute(b->counter_at),
               b->counter_note.empty() ? "(no note)" : b->counter_note);
  if (auto steps = j->steps(b->id))
    for (const auto& s : *steps) fmt::print("  {}  {:<14} {:<7} {}\n", runtime::utc_minute(s.at), s.name, s.phase, s.data);
  for (const auto& line : runtime::key_report_lines(*j, b->id)) fmt::print("  {}\n", line);
  if (auto out = j->outbox(true)) {
    std::vector<journal::OutboxMessage> mine;
    for (const auto& m : *out)
      if (m.business_id == b->id) mine.push_back(m);
    if (!mine.empty()) print_outbox(mine, true);
  }
  return kOk;
}

int journal_verify(const Globals& g) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  auto j = journal::Journal::open(cfg->journal_path);
  if (!j) return report_journal(cfg->journal_path, j.error().message_key(), j.error().detail, true);
  auto integrity = j->integrity_check();
  auto chain = j->verify_chain();
  const std::int64_t start = j->chain_start().value_or(0);
  const std::string from = start > 0 ? fmt::format(", from the retention checkpoint at entry {}", start) : "";
  fmt::print("integrity: {}\naudit chain: {}\n", integrity ? "ok" : integrity.error().detail,
             chain ? fmt::format("ok ({} entries{})", *chain, from) : chain.error().detail);
  return integrity && chain ? kOk : kJournal;
}

}  // namespace

void add_engine_commands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<RenewOptions>();
  auto* renew_cmd = app.add_subcommand("renew", "renew the certificate on the inserted key, headless (the kiosk's own flow)");
  renew_cmd->footer(
      "Exit codes (exit_codes.hpp): 0 renewed; 10-29 the key; 30-34 the platform could not be used before "
      "anything started (as `kioskctl platform`: 30 offline, 31 timeout, 32 TLS, 33 refused, 34 not "
      "understood), with one line saying what happened; 50 paid, needs staff, the counter has it; 51 stopped "
      "at a safe point: `kioskctl renew --resume` continues; 52 the journal cannot be used (disk full, "
      "read-only, damaged); 53 paid, needs staff, the platform not told yet (the kiosk keeps trying); 54 "
      "another process (the running kiosk) owns the journal and the key.");
  renew_cmd->add_option("--product", o->product, "product id (default: the one matching the key's brand)");
  renew_cmd->add_option("--years", o->years, "years to buy (default: the product's first)");
  renew_cmd->add_option("--phone", o->phone, "the customer's phone (else asked)");
  renew_cmd->add_option("--code-env", o->code_env,
                        "read the SMS code from this environment variable (else asked on stdin)");
  refuse_secret_option(*renew_cmd, "--code", "give it on stdin or with --code-env NAME");
  renew_cmd->add_flag("--code-from-outbox", o->code_from_outbox, "dev platform only: read the code from its SMS outbox");
  renew_cmd->add_flag("--pin-stdin", o->pin_stdin, "read the PIN from stdin without a prompt (automation)");
  renew_cmd->add_option("--pin-env", o->pin_env,
                        "read the PIN from this environment variable (automation; it is wiped from the "
                        "process's environment at start)");
  renew_cmd->add_flag("--pay-dev", o->pay_dev, "dev platform only: pay the order with its scan-and-pay stand-in");
  renew_cmd->add_flag("--qr", o->show_qr, "draw the payment QR code in the terminal");
  renew_cmd->add_flag("-y,--yes", o->yes, "answer the one-chance confirmation with yes");
  renew_cmd->add_flag("--resume", o->resume, "continue an unfinished renewal of this kiosk (the newest, or --order)");
  renew_cmd->add_option("--order", o->order, "with --resume: the order to continue (may be from another kiosk)");
  renew_cmd->add_option("--wait-key", o->wait_key_s, "seconds to wait for a pulled key to come back");
  renew_cmd->add_flag("-v,--verbose", o->verbose, "print every effect and result");
  renew_cmd->callback([&g, o] {
    int rc = renew(g, *o);
    if (rc != kOk) throw CLI::RuntimeError(rc);
  });

  auto* biz = app.add_subcommand("business", "this kiosk's business from the journal (for hall staff)");
  biz->require_subcommand(1);
  auto all = std::make_shared<bool>(false);
  auto* list = biz->add_subcommand("list", "unfinished and needs_staff business (--all: the last 200)");
  list->add_flag("--all", *all, "every business, not only unfinished");
  list->callback([&g, all] {
    int rc = business_list(g, *all);
    if (rc != kOk) throw CLI::RuntimeError(rc);
  });
  auto which = std::make_shared<std::string>();
  auto* show = biz->add_subcommand("show", "one business with every journaled step");
  show->add_option("id", *which, "journal id or order id")->required();
  show->callback([&g, which] {
    int rc = business_show(g, *which);
    if (rc != kOk) throw CLI::RuntimeError(rc);
  });
  auto* verify = app.add_subcommand("journal-verify", "check the journal's integrity and its audit hash chain");
  verify->callback([&g] {
    int rc = journal_verify(g);
    if (rc != kOk) throw CLI::RuntimeError(rc);
  });
}

}  // namespace kioskctl
