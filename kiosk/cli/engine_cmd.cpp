// kioskctl renew | business: a headless renewal through the same flow core the kiosk screens use, and
// this kiosk's business from the journal for hall staff.
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fmt/core.h>
#include <iostream>
#include <qrencode.h>
#include <thread>

#include "commands.hpp"
#include "core/messages.hpp"
#include "core/update.hpp"
#include "core/view.hpp"
#include "exit_codes.hpp"
#include "journal/journal.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "token/c_handle.hpp"

namespace kioskctl {
namespace {

using namespace std::chrono_literals;

struct RenewOptions {
  std::string product;
  int years = 0;
  std::string phone;
  std::string code;
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

std::int64_t wall_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string date_of(core::UnixSeconds t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

std::string yuan(core::Fen f) { return fmt::format("¥{}.{:02}", f / 100, f % 100); }

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

token::SecretBuffer read_secret() {
  // Read char by char straight into the zeroizing buffer: no std::string copy of the PIN.
  token::SecretBuffer s;
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
  token::CPtr<QRcode, QRcode_free> qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
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

int exit_for_failure(const core::Failure& f) {
  if (f.needs_staff) return kRenewalNeedsStaff;
  if (f.can_retry) return kRenewalUnfinished;
  return kFailure;
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

std::string_view step_label(core::RolloverStep s) {
  switch (s) {
    case core::RolloverStep::Login: return "PIN verified";
    case core::RolloverStep::StageKey: return "new key pair on the key";
    case core::RolloverStep::BuildP10: return "P10 signed on the key";
    case core::RolloverStep::RequestNonce: return "platform nonce";
    case core::RolloverStep::SignProof: return "renewal proof signed with the old key";
    case core::RolloverStep::Submit: return "certificate issued";
    case core::RolloverStep::Install: return "certificate written and verified";
    case core::RolloverStep::Finalize: return "new key in place, old one retired per policy";
    case core::RolloverStep::Confirm: return "platform told: installed";
    default: return "done";
  }
}

// Drives the flow core with terminal answers (or flags) until the renewal ends one way or the other.
class Driver {
public:
  Driver(runtime::KioskRuntime& rt, const RenewOptions& o, const runtime::KioskConfig& cfg)
      : rt_(rt), o_(o), cfg_(cfg) {
    core::Settings s;
    s.idle_ms = 24LL * 3600 * 1000;  // nobody walks away from a terminal session: no idle wipe
    s.session_max_ms = 24LL * 3600 * 1000;
    model_ = core::initial_model(s, now_ms(), wall_now());
  }

  int run() {
    apply(core::start(model_));
    if (o_.resume) {
      std::string order = o_.order;
      if (order.empty()) order = newest_unfinished();
      if (order.empty()) {
        fmt::print(stderr, "nothing to resume: no unfinished business in this kiosk's journal\n");
        return kFailure;
      }
      say("resuming business {}", order);
      rt_.run(core::ResumeBusiness{order}, model_.session);
    } else {
      send(core::RenewTapped{});
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::hours(2);
    while (std::chrono::steady_clock::now() < deadline) {
      const auto sent = sent_;
      if (auto rc = react(); rc) return *rc;
      if (sent_ != sent) continue;  // the answer changed the screen: look again before waiting
      rt_.wait(1000);
      for (auto& e : rt_.drain()) handle_result(e);
      send(core::Tick{now_ms(), wall_now()});
    }
    return kRenewalUnfinished;
  }

private:
  template <typename... A>
  void say(fmt::format_string<A...> f, A&&... a) {
    fmt::print(stderr, "  {}\n", fmt::format(f, std::forward<A>(a)...));
  }

  static core::Millis now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void apply(core::Update u) {
    model_ = std::move(u.model);
    for (const auto& fx : u.effects) {
      if (o_.verbose) say("→ {}", core::effect_name(fx));
      rt_.run(fx, model_.session);
    }
  }
  void send(const core::Event& e) {
    ++sent_;
    apply(core::update(model_, e));
  }

  void handle_result(const core::Event& e) {
    if (o_.verbose) say("← {}", core::event_name(e));
    if (const auto* d = std::get_if<core::StepDone>(&e)) say("✓ {}", step_label(d->step));
    if (const auto* r = std::get_if<core::ResumeFailed>(&e)) {
      resume_error_ = r->error_key;
      return;
    }
    if (const auto* b = std::get_if<core::BusinessRecovered>(&e))
      say("business {} found: resuming at '{}'", b->order.id, step_label(b->resume_at));
    send(e);
  }

  std::string newest_unfinished() {
    std::string order;
    rt_.with_journal([&](journal::Journal& j) {
      if (auto list = j.unfinished_businesses())
        for (const auto& b : *list)
          if (!b.order_id.empty() && b.status != journal::Status::NeedsStaff) order = b.order_id;
      if (!order.empty()) return;
      // An order created but not paid when the kiosk stopped: its QR code may still be paid.
      if (auto recent = j.recent(20))
        for (const auto& b : *recent)
          if (b.status == journal::Status::Open && !b.order_id.empty()) {
            order = b.order_id;
            return;
          }
    });
    return order;
  }

  bool confirm(std::string_view question) {
    if (o_.yes) return true;
    fmt::print(stderr, "{} [y/N] ", question);
    std::string a = read_line(false);
    return a == "y" || a == "Y" || a == "yes";
  }

  std::optional<token::SecretBuffer> pin() {
    if (!o_.pin_env.empty()) {
      const char* v = std::getenv(o_.pin_env.c_str());
      if (!v) return std::nullopt;
      return token::SecretBuffer(v);
    }
    if (!o_.pin_stdin) fmt::print(stderr, "PIN: ");
    token::SecretBuffer p = read_secret();
    if (p.empty()) return std::nullopt;
    return p;
  }

  // What the screen in front of a customer would now wait for, answered from the options or the terminal.
  std::optional<int> react() {
    if (!resume_error_.empty()) {
      fmt::print(stderr, "cannot resume: {}\n", resume_error_);
      return resume_error_ == "resume.error.insert_key" ? kTokenAbsent : kFailure;
    }
    const core::Screen screen = model_.screen;
    const bool new_screen = screen != last_screen_;
    last_screen_ = screen;
    left_home_ = left_home_ || screen != core::Screen::Home;
    const core::Renewal* r = model_.renewal ? &*model_.renewal : nullptr;
    switch (screen) {
      case core::Screen::Products: {
        auto v = core::products_view(model_);
        if (v.loading) return std::nullopt;
        if (v.failed) {
          fmt::print(stderr, "the catalog could not be loaded from the platform\n");
          return kPlatformOffline;
        }
        if (!o_.product.empty() && (!r || r->product_id != o_.product)) {
          send(core::ProductChosen{o_.product});
          if (!model_.renewal || model_.renewal->product_id != o_.product) {
            fmt::print(stderr, "no product '{}' in the catalog\n", o_.product);
            return kUsage;
          }
        }
        if (!core::chosen_product(model_)) {
          fmt::print(stderr, "choose a product with --product (the inserted key's brand matched none)\n");
          for (const auto& c : v.cards) fmt::print(stderr, "  {}  {}  {}/year\n", c.id, c.title, yuan(c.price_per_year));
          return kUsage;
        }
        say("product: {}", core::chosen_product(model_)->title);
        send(core::StartRenewalTapped{});
        return std::nullopt;
      }
      case core::Screen::KeyCheck: {
        auto v = core::key_check_view(model_);
        if (v.reading || v.problem_key.empty()) return std::nullopt;
        fmt::print(stderr, "this key cannot be renewed: {}\n", v.problem_key);
        return exit_for_key_problem(v.problem_key);
      }
      case core::Screen::Phone: {
        auto v = core::phone_view(model_);
        if (v.sending || v.verifying) return std::nullopt;
        if (new_screen && r && r->cert)
          say("key: {} / {} (serial {}, valid until {})", r->cert->organisation, r->cert->holder, r->cert->serial_hex,
              date_of(r->cert->not_after));
        if (!v.error_key.empty() && v.error_key != last_error_) {
          last_error_ = v.error_key;
          fmt::print(stderr, "  ! {}\n", v.error_key);
          if (!interactive_codes()) return kFailure;
        }
        if (!v.code_sent) {
          if (phone_.empty()) phone_ = o_.phone;
          if (phone_.empty()) {
            fmt::print(stderr, "phone: ");
            phone_ = read_line(false);
          }
          if (!v.can_send) return std::nullopt;
          if (!v.error_key.empty() && v.error_key == core::msg::kPhoneErrorFormat) {
            if (!o_.phone.empty()) return kUsage;
            phone_.clear();
            last_error_.clear();
            return std::nullopt;
          }
          send(core::GetCodeTapped{phone_});
          return std::nullopt;
        }
        if (code_submitted_ && v.error_key.empty()) return std::nullopt;
        token::SecretBuffer code;
        if (!o_.code.empty() && !code_submitted_) {
          code.assign(o_.code);
        } else if (o_.code_from_outbox) {
          auto c = dev_code(v.phone);
          if (!c) return kPlatformRefused;
          code.assign(*c);
        } else {
          fmt::print(stderr, "SMS code ({} digits): ", v.code_length);
          code = read_secret();
        }
        code_submitted_ = true;
        last_error_.clear();
        rt_.provide_sms_code(std::move(code));
        model_.renewal->phone.error_key.clear();
        send(core::CodeSubmitted{});
        return std::nullopt;
      }
      case core::Screen::OrderList: {
        if (r->ordering) return std::nullopt;
        if (o_.years > 0) send(core::YearsChosen{o_.years});
        auto v = core::order_list_view(model_);
        for (const auto& row : v.rows)
          say("order: {} × {} year(s) at {}/year = {}", row.title, row.years, yuan(row.unit_price), yuan(row.subtotal));
        send(core::SubmitOrderTapped{});
        return std::nullopt;
      }
      case core::Screen::Payment: {
        auto v = core::payment_view(model_);
        if (new_screen) {
          say("order {}: pay {} by WeChat (请使用微信扫一扫) before {}", v.order_id, yuan(v.amount),
              date_of(r->order->expires_at));
          say("{}", v.code_url);
          if (o_.show_qr) print_qr(v.code_url);
          if (o_.pay_dev) dev_pay(v.order_id);
        }
        if (v.expired) {
          say("the QR code expired without payment; the order is closed");
          send(core::NewOrderTapped{});
        }
        return std::nullopt;
      }
      case core::Screen::KeyDetails: {
        auto v = core::key_details_view(model_);
        if (v.reading) return std::nullopt;
        if (model_.dialog == core::Dialog::KeyReadFailed) {
          fmt::print(stderr, "证书读取失败: {}\n", r->key_problem_key);
          send(core::DialogConfirmed{});
          return std::nullopt;
        }
        if (model_.dialog == core::Dialog::ConfirmRenewal) {
          if (!confirm("确定续费吗，本次购买只有一次续费机会！")) return kFailure;
          send(core::DialogConfirmed{});
          return std::nullopt;
        }
        if (v.paid_banner && new_screen) say("订单支付成功");
        if (!v.ok) {
          fmt::print(stderr, "the key cannot be read: {} (insert the key the order is bound to)\n", v.problem_key);
          if (waited_for_key_++ > o_.wait_key_s) return kTokenAbsent;
          std::this_thread::sleep_for(1s);
          send(core::ReadKeyTapped{});
          return std::nullopt;
        }
        send(core::ConfirmRenewalTapped{});
        return std::nullopt;
      }
      case core::Screen::Pin: {
        auto v = core::pin_view(model_);
        if (v.verifying) return std::nullopt;
        if (model_.dialog == core::Dialog::FinalPinTry) {
          if (!isatty(STDIN_FILENO) || !confirm("最后一次机会：再输错PIN码KEY将被锁定。继续吗？")) return kPinIncorrect;
          send(core::DialogConfirmed{});
          return std::nullopt;
        }
        if (v.last_failed) {
          fmt::print(stderr, "产生签名证书P10申请书失败: the PIN may be wrong{}\n",
                     v.flags.final_try ? " — the next wrong PIN locks the key" : (v.flags.count_low ? " (few tries left)" : ""));
          // Automation never guesses twice: a wrong PIN from a flag or stdin ends the run.
          if (!o_.pin_env.empty() || o_.pin_stdin || !isatty(STDIN_FILENO)) return kPinIncorrect;
        }
        if (v.again_after_pull) say("the key was put back: the PIN again to continue");
        auto p = pin();
        if (!p) return kPinIncorrect;
        rt_.provide_pin(std::move(*p));
        send(core::PinSubmitted{});
        return std::nullopt;
      }
      case core::Screen::Progress:
        return std::nullopt;
      case core::Screen::KeyPulled: {
        auto v = core::key_pulled_view(model_);
        if (new_screen)
          say("{} (order {})", v.other_key ? "another key is inserted: put back the key of this order"
                                           : "the key was pulled: put it back",
              v.order_id);
        if (waited_for_key_++ > o_.wait_key_s) return kRenewalUnfinished;
        return std::nullopt;
      }
      case core::Screen::Success: {
        auto v = core::success_view(model_);
        say("续费成功: {} / {}", v.organisation, v.holder);
        say("the new certificate is valid from {} to {}", date_of(v.not_before), date_of(v.not_after));
        say("请取走KEY");
        return kOk;
      }
      case core::Screen::Failure: {
        auto v = core::failure_view(model_);
        fmt::print(stderr, "{}: {}\n  next: {}\n", v.failure.title_key, v.failure.body_key, v.failure.next_key);
        if (!v.failure.detail.empty()) fmt::print(stderr, "  detail: {}\n", v.failure.detail);
        if (!v.order_id.empty()) fmt::print(stderr, "  business number: {}\n", v.order_id);
        if (v.failure.needs_staff && !v.failure.recorded && !waited_record_) {
          waited_record_ = true;
          return std::nullopt;  // let the platform record needs_staff first
        }
        return exit_for_failure(v.failure);
      }
      case core::Screen::Home:
        // Back home after having left it: the session was wiped (cancelled, or a result sent it home).
        if (left_home_ || model_.session > 1) return kFailure;
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  bool interactive_codes() const { return o_.code.empty() && !o_.code_from_outbox && isatty(STDIN_FILENO); }

  std::optional<std::string> dev_code(const std::string& phone) {
    auto c = dev_client();
    if (!c) return std::nullopt;
    auto code = platform::dev::last_code(*c, phone, contract::SmsPurpose::Renewal);
    if (!code) {
      fmt::print(stderr, "no SMS code in the platform's outbox: {}\n", code.error().to_string());
      return std::nullopt;
    }
    return *code;
  }

  void dev_pay(const std::string& order) {
    auto c = dev_client();
    if (!c) return;
    auto p = platform::dev::pay(*c, order);
    if (p)
      say("paid through the platform's dev scan-and-pay");
    else
      fmt::print(stderr, "dev pay: {}\n", p.error().to_string());
  }

  std::optional<platform::Client> dev_client() {
    platform::ClientOptions co;
    co.base_url = cfg_.platform.base_url;
    co.ca_file = cfg_.platform.ca_file;
    co.client_cert = cfg_.platform.client_cert;
    co.client_key = cfg_.platform.client_key;
    auto c = platform::Client::create(co);
    if (!c) {
      fmt::print(stderr, "platform client: {}\n", c.error().to_string());
      return std::nullopt;
    }
    return std::move(*c);
  }

  runtime::KioskRuntime& rt_;
  const RenewOptions& o_;
  const runtime::KioskConfig& cfg_;
  core::Model model_;
  core::Screen last_screen_ = core::Screen::Home;
  std::string phone_;
  std::string last_error_;
  std::string resume_error_;
  bool code_submitted_ = false;
  bool left_home_ = false;
  unsigned long sent_ = 0;
  bool waited_record_ = false;
  int waited_for_key_ = 0;
};

int renew(const Globals& g, const RenewOptions& o) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  runtime::RuntimeOptions ro;
  ro.config = *cfg;
  if (o.verbose) ro.log = [](std::string_view l) { fmt::print(stderr, "  [runtime] {}\n", l); };
  auto rt = runtime::KioskRuntime::create(std::move(ro));
  if (!rt) {
    fmt::print(stderr, "kioskctl: {}\n", rt.error());
    return kFailure;
  }
  fmt::print(stderr, "renewal on kiosk {} against {}\n", cfg->kiosk_id, cfg->platform.base_url);
  Driver d(**rt, o, *cfg);
  return d.run();
}

void print_business(const journal::Business& b) {
  fmt::print("{:>5}  {:<24} {:<12} {:<28} {:<13} {:<20} {}\n", b.id, b.order_id.empty() ? "-" : b.order_id,
             journal::to_string(b.status), b.product_id, b.phone_masked, b.last_step + "/" + b.last_phase,
             date_of(b.updated_at));
}

int business_list(const Globals& g, bool all) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  auto j = journal::Journal::open(cfg->journal_path);
  if (!j) {
    fmt::print(stderr, "kioskctl: journal {}: {}\n", cfg->journal_path.string(), j.error().detail);
    return kJournal;
  }
  auto list = all ? j->recent(200) : j->unfinished_businesses();
  if (!list) return kJournal;
  fmt::print("{:>5}  {:<24} {:<12} {:<28} {:<13} {:<20} {}\n", "id", "order", "status", "product", "phone", "last step",
             "updated");
  for (const auto& b : *list) print_business(b);
  if (list->empty()) fmt::print("(none{})\n", all ? "" : " unfinished");
  for (const auto& b : *list)
    if (b.status == journal::Status::NeedsStaff)
      fmt::print("\nbusiness {} (order {}) needs staff: {}. The customer was sent to the counter; nothing was "
                 "deleted from the key.\n",
                 b.id, b.order_id, b.needs_staff_reason);
  return kOk;
}

int business_show(const Globals& g, const std::string& which) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  auto j = journal::Journal::open(cfg->journal_path);
  if (!j) return kJournal;
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
  if (auto steps = j->steps(b->id))
    for (const auto& s : *steps) fmt::print("  {}  {:<14} {:<7} {}\n", date_of(s.at), s.name, s.phase, s.data);
  return kOk;
}

int journal_verify(const Globals& g) {
  auto cfg = load_config_or_report(g);
  if (!cfg) return kConfig;
  auto j = journal::Journal::open(cfg->journal_path);
  if (!j) {
    fmt::print(stderr, "journal: {}\n", j.error().detail);
    return kJournal;
  }
  auto integrity = j->integrity_check();
  auto chain = j->verify_chain();
  fmt::print("integrity: {}\naudit chain: {}\n", integrity ? "ok" : integrity.error().detail,
             chain ? fmt::format("ok ({} entries)", *chain) : chain.error().detail);
  return integrity && chain ? kOk : kJournal;
}

}  // namespace

void add_engine_commands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<RenewOptions>();
  auto* renew_cmd = app.add_subcommand("renew", "renew the certificate on the inserted key, headless (the kiosk's own flow)");
  renew_cmd->add_option("--product", o->product, "product id (default: the one matching the key's brand)");
  renew_cmd->add_option("--years", o->years, "years to buy (default: the product's first)");
  renew_cmd->add_option("--phone", o->phone, "the customer's phone (else asked)");
  renew_cmd->add_option("--code", o->code, "the SMS code (else asked)");
  renew_cmd->add_flag("--code-from-outbox", o->code_from_outbox, "dev platform only: read the code from its SMS outbox");
  renew_cmd->add_flag("--pin-stdin", o->pin_stdin, "read the PIN from stdin without a prompt (automation)");
  renew_cmd->add_option("--pin-env", o->pin_env, "read the PIN from this environment variable (automation)");
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
