#include "runtime/kiosk_runtime.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <utility>

#include "foundation/base64.hpp"
#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "lane.hpp"
#include "mapping.hpp"
#include "platform/client.hpp"
#include "runtime/crash_point.hpp"
#include "token/rollover.hpp"
#include "token/session.hpp"
#include "token_hub.hpp"

namespace runtime {
namespace {

using Json = nlohmann::json;
using core::RolloverStep;

std::int64_t system_wall() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view step_name(RolloverStep s) {
  switch (s) {
    case RolloverStep::Login: return "login";
    case RolloverStep::StageKey: return "stage_key";
    case RolloverStep::BuildP10: return "build_p10";
    case RolloverStep::RequestNonce: return "nonce";
    case RolloverStep::SignProof: return "sign_proof";
    case RolloverStep::Submit: return "submit";
    case RolloverStep::Install: return "install";
    case RolloverStep::Finalize: return "finalize";
    case RolloverStep::Confirm: return "confirm";
    case RolloverStep::Done: return "done";
  }
  return "?";
}

platform::ClientOptions client_options(const KioskConfig& c, bool long_poll) {
  platform::ClientOptions o;
  o.base_url = c.platform.base_url;
  o.ca_file = c.platform.ca_file;
  o.client_cert = c.platform.client_cert;
  o.client_key = c.platform.client_key;
  o.connect_timeout = std::chrono::milliseconds(c.platform.connect_timeout_ms);
  o.request_timeout = std::chrono::milliseconds(c.platform.request_timeout_ms);
  if (long_poll) o.max_attempts = 1;  // the poll itself repeats
  return o;
}

journal::Status journal_status(contract::OrderStatus s) {
  switch (s) {
    case contract::OrderStatus::Paid: return journal::Status::Paid;
    case contract::OrderStatus::Issued: return journal::Status::Issued;
    case contract::OrderStatus::Installed: return journal::Status::Done;
    case contract::OrderStatus::NeedsStaff: return journal::Status::NeedsStaff;
    case contract::OrderStatus::Closed:
    case contract::OrderStatus::Expired: return journal::Status::Closed;
    default: return journal::Status::Open;
  }
}

}  // namespace

struct KioskRuntime::Impl {
  RuntimeOptions opt;
  std::function<std::int64_t()> wall;

  // ---- the result queue
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::vector<core::Event> queue;
  std::function<void()> waker;

  // ---- secrets handed over by the keypads
  std::mutex secret_mutex;
  std::map<Secret, foundation::SecretBuffer> secrets;

  // ---- shared parts
  std::mutex journal_mutex;
  std::optional<journal::Journal> journal;
  std::unique_ptr<TokenHub> hub;
  std::optional<contract::Catalog> catalog;  // business lane

  // ---- the business lane's own state (only that thread touches it)
  std::optional<platform::Client> client;
  std::optional<token::Session> session;
  core::TokenIdentity session_token;
  std::map<std::string, token::CertInfo> certs;  // read from the key, by fingerprint
  foundation::SecretBuffer phone_token;          // the platform's proof that the customer owns the phone
  foundation::SecretBuffer account_token;        // the personal centre's bearer token
  // Names this run of the kiosk in the platform's per-session login throttle: the core's session numbers
  // start again at 1 after a restart, and the next customer must not inherit a locked "session 1".
  const std::string run_id = platform::new_idempotency_key();
  std::optional<std::int64_t> business;  // this session's business in the journal

  // ---- the poll lane's own client
  std::optional<platform::Client> poll_client;

  std::atomic<bool> stopping{false};
  std::thread watcher;
  std::mutex watcher_mutex;
  std::condition_variable watcher_cv;
  bool recheck_key = false;  // under watcher_mutex: poll now, and report even an unchanged status
  std::unique_ptr<Lane> business_lane;
  std::unique_ptr<Lane> poll_lane;

  void log(std::string_view line) {
    if (opt.log) opt.log(line);
  }

  void push(core::Event e) {
    {
      std::lock_guard lock(queue_mutex);
      queue.push_back(std::move(e));
    }
    queue_cv.notify_all();
    std::function<void()> w;
    {
      std::lock_guard lock(queue_mutex);
      w = waker;
    }
    if (w) w();
  }

  std::optional<foundation::SecretBuffer> take(Secret kind) {
    std::lock_guard lock(secret_mutex);
    auto it = secrets.find(kind);
    if (it == secrets.end()) return std::nullopt;
    foundation::SecretBuffer s = std::move(it->second);
    secrets.erase(it);
    return s;
  }

  void clear_secrets() {
    std::lock_guard lock(secret_mutex);
    secrets.clear();  // each SecretBuffer wipes itself
  }

  template <typename F>
  auto with_journal(F&& f) {
    std::lock_guard lock(journal_mutex);
    return f(*journal);
  }

  // Journal writes of the business lane. A journal that cannot be written is a stop: the step is not
  // attempted (its intent could not be recorded), and the customer is sent to the counter.
  bool jwrite(const std::function<journal::Result<void>(journal::Journal&)>& f) {
    auto r = with_journal(f);
    if (!r) log("journal write failed: " + r.error().detail);
    return r.has_value();
  }

  std::optional<std::string> jget(std::int64_t biz, std::string_view key) {
    auto r = with_journal([&](journal::Journal& j) { return j.get(biz, key); });
    if (!r) return std::nullopt;
    return *r;
  }

  // A key kept in the journal under `name`, made on first use: a call retried after a crash passes the
  // same key and the platform replays its first answer.
  std::string idempotency_key(std::int64_t biz, std::string_view name) {
    if (auto k = jget(biz, name); k && !k->empty()) return *k;
    std::string k = platform::new_idempotency_key();
    jwrite([&](journal::Journal& j) { return j.put(biz, name, k); });
    crash_point(std::string(name) + ".after_key");
    return k;
  }

  std::optional<std::int64_t> business_for_order(const std::string& order_id) {
    auto r = with_journal([&](journal::Journal& j) { return j.by_order(order_id); });
    if (r && *r) return (*r)->id;
    return std::nullopt;
  }

  platform::Client& api() { return *client; }

  // ---- effects ---------------------------------------------------------------------------------------

  void load_catalog(std::uint64_t s) {
    auto c = api().catalog();
    if (!c) {
      log("catalog: " + c.error().to_string());
      push(core::CatalogFailed{s, c.error().message_key});
      return;
    }
    catalog = *c;
    push(core::CatalogLoaded{s, to_core(*c)});
  }

  void drop_session() {
    session.reset();  // logs out (if logged in) and closes
    session_token = {};
  }

  // A session on the inserted key (or the one with `want`), reusing the open one when it is the same key.
  token::Result<token::Session*> ensure_session(const std::optional<core::TokenIdentity>& want) {
    auto in = want ? hub->find(to_token(*want)) : hub->inserted();
    if (!in) {
      drop_session();
      return std::unexpected(in.error());
    }
    core::TokenIdentity id = to_core(in->info.identity);
    if (session && session->alive() && session_token == id) return &*session;
    drop_session();
    auto s = token::Session::open(*in->module, in->info.slot);
    if (!s) return std::unexpected(s.error());
    session = std::move(*s);
    session_token = id;
    return &*session;
  }

  void read_key(std::uint64_t s) {
    auto sess = ensure_session(std::nullopt);
    if (!sess) {
      push(core::KeyReadFailed{s, std::string(sess.error().message_key()), sess.error().to_string()});
      return;
    }
    token::Session& ts = **sess;
    auto fail = [&](const token::Error& e) {
      if (e.drops_handles()) drop_session();
      push(core::KeyReadFailed{s, std::string(e.message_key()), e.to_string()});
    };
    auto info = ts.token_info();
    if (!info) return fail(info.error());
    auto mech = ts.mechanisms();
    if (!mech) return fail(mech.error());
    auto list = ts.certificates();
    if (!list) return fail(list.error());
    core::KeyRead k;
    k.session = s;
    k.token = to_core(info->identity);
    if (const BrandConfig* b = opt.config.brand_for_token(info->identity.manufacturer, info->identity.model))
      k.brand_id = b->id;
    k.pin = to_core(info->pin);
    for (auto a : {token::KeyAlgorithm::Rsa2048, token::KeyAlgorithm::EcP256})
      if (mech->supports(a)) k.can_generate.push_back(a == token::KeyAlgorithm::Rsa2048 ? core::KeyAlgorithm::Rsa2048
                                                                                         : core::KeyAlgorithm::EcP256);
    certs.clear();
    for (const auto& c : *list) {
      k.certificates.push_back(to_core(c));
      certs.emplace(c.sha256_hex, c);
    }
    push(std::move(k));
  }

  void send_sms(const core::SendSms& e, std::uint64_t s) {
    contract::SmsSendRequest req{e.phone, to_contract(e.purpose)};
    auto r = api().sms_send(req, platform::new_idempotency_key());
    if (!r) {
      push(core::SmsFailed{s, r.error().message_key, r.error().retry_after_s.value_or(0)});
      return;
    }
    push(core::SmsSent{s, r->resend_after_s, r->code_length});
  }

  void verify_sms(const core::VerifySms& e, std::uint64_t s) {
    auto code = take(Secret::SmsCode);
    if (!code) {
      push(core::SmsRejected{s, "error.platform.sms.code_wrong"});
      return;
    }
    auto r = api().sms_verify(e.phone, to_contract(e.purpose), code->reveal(), platform::new_idempotency_key());
    if (!r) {
      push(core::SmsRejected{s, r.error().message_key});
      return;
    }
    phone_token.assign(r->verification_token);
    push(core::SmsVerified{s});
  }

  void create_order(const core::CreateOrder& e, std::uint64_t s) {
    auto cert = certs.find(e.cert_fingerprint);
    if (cert == certs.end()) {
      push(core::OrderFailed{s, "error.token.certificate_not_found", "the key was not read", false});
      return;
    }
    if (!business) {
      journal::BusinessStart b;
      b.product_id = e.product_id;
      b.years = e.years;
      b.phone = e.phone;
      b.cert_fingerprint = e.cert_fingerprint;
      b.token_manufacturer = e.token.manufacturer;
      b.token_model = e.token.model;
      b.token_serial = e.token.serial;
      auto id = with_journal([&](journal::Journal& j) { return j.begin(b); });
      if (!id) {
        push(core::OrderFailed{s, std::string(id.error().message_key()), id.error().detail, false});
        return;
      }
      business = *id;
      crash_point("business.after_begin");
    }
    const std::int64_t biz = *business;
    // An order this certificate already has (the kiosk stopped after making it, before it could record
    // it): continue that one rather than make a second.
    if (auto existing = api().orders_for_certificate(e.cert_fingerprint)) {
      for (const auto& o : existing->orders) {
        if (contract::is_unfinished(o.status)) {
          jwrite([&](journal::Journal& j) -> journal::Result<void> {
            if (auto r = j.failed(biz, "order.create", Json{{"continues", o.id}}.dump()); !r) return r;
            return j.set_status(biz, journal::Status::Abandoned);
          });
          business.reset();
          resume_business(core::ResumeBusiness{o.id}, s);
          return;
        }
        if (o.status == contract::OrderStatus::PendingPayment && o.expires_at > wall() + 60) {
          jwrite([&](journal::Journal& j) -> journal::Result<void> {
            if (auto r = j.set_order(biz, o.id); !r) return r;
            return j.done(biz, "order.create", Json{{"order", o.id}, {"adopted", true}}.dump());
          });
          log("order create: adopting the unpaid order " + o.id + " of this certificate");
          push(core::OrderCreated{s, to_core(o)});
          return;
        }
      }
    }
    const std::string key = idempotency_key(biz, "order.create." + std::to_string(e.attempt));
    Json intent{{"attempt", e.attempt}, {"product", e.product_id}, {"years", e.years}};
    if (!jwrite([&](journal::Journal& j) { return j.intent(biz, "order.create", intent.dump()); })) {
      push(core::OrderFailed{s, "error.journal.io", "", false});
      return;
    }
    crash_point("order.create.after_intent");
    contract::OrderCreateRequest req;
    req.product_id = e.product_id;
    req.years = e.years;
    req.verification_token = std::string(phone_token.reveal());
    req.old_certificate = cert->second.der;
    req.token = to_contract(e.token);
    auto o = api().order_create(req, key);
    explicit_bzero(req.verification_token.data(), req.verification_token.size());
    crash_point("order.create.after_call");
    if (!o && o.error().is("order.renewal_in_progress") && !o.error().detail.empty()) {
      // This certificate already has a paid renewal (begun before a crash, or on another kiosk): this
      // attempt is dropped and that one continues. Never a second order, never a second charge.
      const std::string existing = o.error().detail;
      jwrite([&](journal::Journal& j) -> journal::Result<void> {
        if (auto r = j.failed(biz, "order.create", Json{{"continues", existing}}.dump()); !r) return r;
        return j.set_status(biz, journal::Status::Abandoned);
      });
      business.reset();
      log("order create: a paid renewal of this certificate is in progress: " + existing);
      resume_business(core::ResumeBusiness{existing}, s);
      return;
    }
    if (!o) {
      const auto& err = o.error();
      jwrite([&](journal::Journal& j) {
        return j.failed(biz, "order.create", Json{{"error", err.code.empty() ? err.message_key : err.code}}.dump());
      });
      const bool retryable = err.kind != platform::ErrorKind::Http || err.http_status >= 500;
      push(core::OrderFailed{s, err.message_key, err.to_string(), retryable});
      return;
    }
    jwrite([&](journal::Journal& j) -> journal::Result<void> {
      if (auto r = j.set_order(biz, o->id); !r) return r;
      if (contract::is_paid_or_later(o->status))
        if (auto r = j.set_status(biz, journal_status(o->status)); !r) return r;
      return j.done(biz, "order.create", Json{{"order", o->id}, {"amount_fen", o->amount_fen}}.dump());
    });
    crash_point("order.create.after_done");
    push(core::OrderCreated{s, to_core(*o)});
  }

  void mark_paid(const std::string& order_id, contract::OrderStatus status) {
    if (!contract::is_paid_or_later(status)) return;
    if (auto biz = business_for_order(order_id)) {
      with_journal([&](journal::Journal& j) -> journal::Result<void> {
        auto b = j.business(*biz);
        if (b && b->status == journal::Status::Open) return j.set_status(*biz, journal::Status::Paid);
        return {};
      });
    }
  }

  void watch_order(const core::WatchOrder& e, std::uint64_t s) {
    contract::OrderStatus since = contract::OrderStatus::PendingPayment;
    auto o = poll_client->order_wait(e.order_id, since, std::chrono::seconds(opt.config.platform.long_poll_s));
    if (!o) {
      // The platform is away: say "unchanged" after a pause; the core polls again while it waits.
      log("order watch: " + o.error().to_string());
      for (int i = 0; i < 20 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      push(core::OrderStatusChanged{s, e.order_id, e.known});
      return;
    }
    mark_paid(o->id, o->status);
    push(core::OrderStatusChanged{s, o->id, to_core(o->status)});
  }

  void close_order(const core::CloseOrder& e, std::uint64_t s) {
    auto biz = business_for_order(e.order_id);
    // One key per order: a business that re-orders after an expired QR closes a second order, and the
    // first close's key would only replay the first answer.
    std::string key =
        biz ? idempotency_key(*biz, "order.close." + e.order_id) : platform::new_idempotency_key();
    if (biz) jwrite([&](journal::Journal& j) { return j.intent(*biz, "order.close"); });
    crash_point("order.close.after_intent");
    auto o = api().order_close(e.order_id, key);
    crash_point("order.close.after_call");
    if (!o && o.error().is("order.already_paid")) {
      if (biz)
        jwrite([&](journal::Journal& j) -> journal::Result<void> {
          if (auto r = j.set_status(*biz, journal::Status::Paid); !r) return r;
          return j.done(*biz, "order.close", R"({"already_paid":true})");
        });
      push(core::OrderClosed{s, e.order_id, true});
      return;
    }
    if (!o) {
      // Not closed for sure; it expires by itself on the platform within minutes. Nothing was paid.
      log("order close: " + o.error().to_string());
      if (biz) jwrite([&](journal::Journal& j) { return j.failed(*biz, "order.close"); });
      push(core::OrderClosed{s, e.order_id, false});
      return;
    }
    const bool paid = contract::is_paid_or_later(o->status);
    if (biz)
      jwrite([&](journal::Journal& j) -> journal::Result<void> {
        if (auto r = j.set_status(*biz, paid ? journal::Status::Paid : journal::Status::Closed); !r) return r;
        return j.done(*biz, "order.close", Json{{"already_paid", paid}}.dump());
      });
    push(core::OrderClosed{s, e.order_id, paid});
  }

  void mark_needs_staff(const core::MarkNeedsStaff& e, std::uint64_t s) {
    auto biz = business_for_order(e.order_id);
    if (biz) {
      jwrite([&](journal::Journal& j) -> journal::Result<void> {
        if (auto r = j.set_status(*biz, journal::Status::NeedsStaff, e.reason_key); !r) return r;
        return j.intent(*biz, "needs_staff", Json{{"reason", e.reason_key}}.dump());
      });
      crash_point("needs_staff.after_intent");
    }
    std::string key = biz ? idempotency_key(*biz, "order.needs_staff") : platform::new_idempotency_key();
    contract::NeedsStaffRequest req{e.reason_key, "kiosk " + opt.config.kiosk_id};
    auto o = api().order_needs_staff(e.order_id, req, key);
    crash_point("needs_staff.after_call");
    if (biz) {
      if (o)
        jwrite([&](journal::Journal& j) { return j.done(*biz, "needs_staff"); });
      else
        jwrite([&](journal::Journal& j) {
          return j.failed(*biz, "needs_staff", Json{{"error", o.error().to_string()}}.dump());
        });
    }
    push(core::NeedsStaffRecorded{s, e.order_id});
  }

  // ---- the rollover ------------------------------------------------------------------------------------

  void step_failed(std::uint64_t s, const core::RunStep& e, core::StepErrorKind kind, std::string key,
                   std::string detail, core::PinFlags pin = {}) {
    push(core::StepFailed{s, e.step, kind, std::move(key), std::move(detail), pin});
    // The token said it left (or another is in). The hot-plug watcher may not have seen it (it polls every
    // token_poll_ms), and a key pulled and pushed back in between two polls is a status it never sees
    // change. Ask it to poll now and to report what it finds even if unchanged, after the StepFailed: the
    // KEY已拔出 screen then learns whether the same key is in (resume) or not (wait for it).
    if (kind == core::StepErrorKind::TokenRemoved || kind == core::StepErrorKind::WrongToken) recheck_key_now();
  }

  void recheck_key_now() {
    {
      std::lock_guard lock(watcher_mutex);
      recheck_key = true;
    }
    watcher_cv.notify_all();
  }

  void token_failed(std::uint64_t s, const core::RunStep& e, const token::Error& err, std::int64_t biz) {
    if (err.drops_handles() || err.code == token::ErrorCode::NotLoggedIn) drop_session();
    if (biz)
      jwrite([&](journal::Journal& j) {
        return j.failed(biz, step_name(e.step), Json{{"error", std::string(err.message_key())}}.dump());
      });
    step_failed(s, e, step_error_kind(err), std::string(err.message_key()), err.to_string(),
                err.pin ? to_core(*err.pin) : core::PinFlags{});
  }

  void platform_failed(std::uint64_t s, const core::RunStep& e, const platform::Error& err, std::int64_t biz) {
    if (biz)
      jwrite([&](journal::Journal& j) {
        return j.failed(biz, step_name(e.step), Json{{"error", err.code.empty() ? err.message_key : err.code}}.dump());
      });
    step_failed(s, e, step_error_kind(err), err.message_key, err.to_string());
  }

  // The journal's business for the order (a business begun on another kiosk gets one here).
  std::optional<std::int64_t> business_of(const core::RunStep& e) {
    if (auto b = business_for_order(e.order_id)) return b;
    journal::BusinessStart start;
    start.product_id = e.product_id;
    start.cert_fingerprint = e.cert_fingerprint;
    start.token_manufacturer = e.token.manufacturer;
    start.token_model = e.token.model;
    start.token_serial = e.token.serial;
    auto id = with_journal([&](journal::Journal& j) -> journal::Result<std::int64_t> {
      auto b = j.begin(start);
      if (!b) return b;
      if (auto r = j.set_order(*b, e.order_id); !r) return std::unexpected(r.error());
      if (auto r = j.set_status(*b, journal::Status::Paid); !r) return std::unexpected(r.error());
      return b;
    });
    if (!id) return std::nullopt;
    return *id;
  }

  // What happens to the old key: the kiosk configuration's product family (the project) when it names
  // one, else the catalog's product, else keep.
  contract::OldKeyPolicy policy_for(const std::string& product_id) {
    if (!catalog)
      if (auto c = api().catalog()) catalog = *c;
    const contract::Product* p = catalog ? catalog->product(product_id) : nullptr;
    if (p)
      if (const auto* fam = opt.config.family(p->project))
        return fam->old_key_policy == OldKeyPolicy::Delete ? contract::OldKeyPolicy::Delete
                                                           : contract::OldKeyPolicy::Keep;
    return p ? p->old_key_policy : contract::OldKeyPolicy::Keep;
  }

  // The old certificate the renewal is bound to, from this read or fresh from the token.
  token::Result<token::CertInfo> old_cert(token::Session& ts, const std::string& fp) {
    if (auto it = certs.find(fp); it != certs.end()) return it->second;
    return ts.certificate(fp);
  }

  void run_step(const core::RunStep& e, std::uint64_t s) {
    if (e.step == RolloverStep::Login) return login(e, s);
    auto biz_opt = business_of(e);
    if (!biz_opt) return step_failed(s, e, core::StepErrorKind::DeviceError, "error.journal.io", "journal");
    const std::int64_t biz = *biz_opt;
    auto ref = token::RenewalRef::make(e.order_id, e.cert_fingerprint);
    if (!ref) return token_failed(s, e, ref.error(), biz);

    const std::string name(step_name(e.step));
    auto intent = [&](const Json& data = Json::object()) {
      bool ok = jwrite([&](journal::Journal& j) { return j.intent(biz, name, data.dump()); });
      crash_point(name + ".after_intent");
      return ok;
    };
    // The outcome, with whatever else the step records (working data, the business's status), in one
    // transaction; the crash point before it is "the effect happened, the journal does not know yet".
    using Extra = std::function<journal::Result<void>(journal::Journal&)>;
    auto done = [&](const Json& data = Json::object(), const Extra& extra = {}) {
      crash_point(name + ".after_effect");
      jwrite([&](journal::Journal& j) -> journal::Result<void> {
        if (extra)
          if (auto r = extra(j); !r) return r;
        return j.done(biz, name, data.dump());
      });
      crash_point(name + ".after_done");
    };
    if (!intent()) return step_failed(s, e, core::StepErrorKind::DeviceError, "error.journal.io", "journal");

    // Steps on the token need the logged-in session of this renewal's key.
    token::Session* ts = nullptr;
    if (e.step == RolloverStep::StageKey || e.step == RolloverStep::BuildP10 || e.step == RolloverStep::SignProof ||
        e.step == RolloverStep::Install || e.step == RolloverStep::Finalize) {
      if (!session || !session->alive() || !session->logged_in() || session_token != e.token) {
        drop_session();
        return token_failed(s, e, token::make_error(token::ErrorCode::NotLoggedIn, "no logged-in session"), biz);
      }
      ts = &*session;
    }

    switch (e.step) {
      case RolloverStep::StageKey: {
        auto old = old_cert(*ts, e.cert_fingerprint);
        if (!old) return token_failed(s, e, old.error(), biz);
        auto k = token::stage_key(*ts, *ref, *old, to_token(e.algorithm));
        if (!k) return token_failed(s, e, k.error(), biz);
        done(Json{{"reused", k->reused}, {"key_id", foundation::hex_encode(k->key_id)}});
        push(core::StepDone{s, e.step, k->reused});
        return;
      }
      case RolloverStep::BuildP10: {
        auto old = old_cert(*ts, e.cert_fingerprint);
        if (!old) return token_failed(s, e, old.error(), biz);
        auto p10 = token::build_p10(*ts, *ref, *old);
        if (!p10) return token_failed(s, e, p10.error(), biz);
        done({}, [&](journal::Journal& j) { return j.put(biz, "p10", foundation::base64_encode(p10->der)); });
        push(core::StepDone{s, e.step});
        return;
      }
      case RolloverStep::RequestNonce: {
        // A fresh nonce each time (cheap, harmless): its key is journaled only so a replay is the same.
        auto n = api().renewal_nonce(e.order_id, platform::new_idempotency_key());
        if (!n) return platform_failed(s, e, n.error(), biz);
        done({},
             [&](journal::Journal& j) { return j.put(biz, "nonce", foundation::base64_encode(n->nonce)); });
        push(core::StepDone{s, e.step});
        return;
      }
      case RolloverStep::SignProof: {
        auto old = old_cert(*ts, e.cert_fingerprint);
        if (!old) return token_failed(s, e, old.error(), biz);
        token::Bytes p10 = foundation::base64_decode(jget(biz, "p10").value_or("")).value_or(token::Bytes{});
        token::Bytes nonce =
            foundation::base64_decode(jget(biz, "nonce").value_or("")).value_or(token::Bytes{});
        auto proof = token::sign_renewal_proof(*ts, *ref, *old, p10, nonce);
        if (!proof) return token_failed(s, e, proof.error(), biz);
        done({}, [&](journal::Journal& j) {
          return j.put(biz, "proof", foundation::base64_encode(proof->signature));
        });
        push(core::StepDone{s, e.step});
        return;
      }
      case RolloverStep::Submit: {
        contract::RenewalSubmitRequest req;
        req.p10 = foundation::base64_decode(jget(biz, "p10").value_or("")).value_or(token::Bytes{});
        req.proof = foundation::base64_decode(jget(biz, "proof").value_or("")).value_or(token::Bytes{});
        // The same body under the same key (a replay after a crash gets the first answer); a new P10
        // or proof (the steps before were run again) under a new key.
        const std::string body =
            foundation::base64_encode(req.p10) + "." + foundation::base64_encode(req.proof);
        std::string key;
        if (jget(biz, "submit.body").value_or("") == body) key = jget(biz, "submit.key").value_or("");
        if (key.empty()) {
          key = platform::new_idempotency_key();
          jwrite([&](journal::Journal& j) -> journal::Result<void> {
            if (auto r = j.put(biz, "submit.body", body); !r) return r;
            return j.put(biz, "submit.key", key);
          });
        }
        auto issued = api().renewal_submit(e.order_id, req, key);
        if (!issued) return platform_failed(s, e, issued.error(), biz);
        done(Json{{"serial", issued->serial}, {"not_after", issued->not_after}}, [&](journal::Journal& j) {
          if (auto r = j.put(biz, "certificate", foundation::base64_encode(issued->certificate)); !r)
            return r;
          return j.set_status(biz, journal::Status::Issued);
        });
        push(core::StepDone{s, e.step, false, issued->not_before, issued->not_after});
        return;
      }
      case RolloverStep::Install: {
        token::Bytes der =
            foundation::base64_decode(jget(biz, "certificate").value_or("")).value_or(token::Bytes{});
        if (der.empty()) {  // issued before a crash that lost the answer, or on another kiosk
          auto c = api().certificate_get(e.order_id);
          if (!c) return platform_failed(s, e, c.error(), biz);
          der = c->certificate;
          jwrite(
              [&](journal::Journal& j) { return j.put(biz, "certificate", foundation::base64_encode(der)); });
        }
        auto installed = token::install_certificate(*ts, *ref, der);
        if (!installed) return token_failed(s, e, installed.error(), biz);
        done(Json{{"fingerprint", installed->sha256_hex}},
             [&](journal::Journal& j) { return j.set_status(biz, journal::Status::Installed); });
        push(core::StepDone{s, e.step});
        return;
      }
      case RolloverStep::Finalize: {
        token::FinalizeOptions fo;
        fo.old_key_policy = to_token(policy_for(e.product_id));
        fo.now = std::chrono::system_clock::time_point(std::chrono::seconds(wall()));
        auto f = token::finalize(*ts, *ref, fo);
        if (!f) return token_failed(s, e, f.error(), biz);
        done(Json{{"old_deleted", f->old_deleted}});
        push(core::StepDone{s, e.step});
        return;
      }
      case RolloverStep::Confirm: {
        std::string key = idempotency_key(biz, "order.installed");
        auto o = api().order_installed(e.order_id, key);
        if (!o && !o.error().is("order.already_installed")) return platform_failed(s, e, o.error(), biz);
        done({}, [&](journal::Journal& j) { return j.set_status(biz, journal::Status::Done); });
        push(core::StepDone{s, e.step});
        return;
      }
      default:
        return step_failed(s, e, core::StepErrorKind::DeviceError, "error.token.device", "unknown step");
    }
  }

  void login(const core::RunStep& e, std::uint64_t s) {
    auto pin = take(Secret::Pin);
    if (!pin) return step_failed(s, e, core::StepErrorKind::PinIncorrect, "error.token.pin_incorrect", "no PIN");
    auto sess = ensure_session(e.token);
    if (!sess) return token_failed(s, e, sess.error(), 0);
    token::LoginOptions lo;
    lo.final_try_acknowledged = e.final_try_acknowledged;
    auto r = (*sess)->login(*pin, lo);
    pin->clear();
    if (!r) return token_failed(s, e, r.error(), 0);
    // A session from before the key was pulled may hold certificates of another read: read again.
    if (auto list = (*sess)->certificates()) {
      certs.clear();
      for (const auto& c : *list) certs.emplace(c.sha256_hex, c);
    }
    push(core::StepDone{s, e.step});
  }

  // ---- the personal centre -----------------------------------------------------------------------------

  void account_login(const core::AccountLogin& e, std::uint64_t s) {
    auto password = take(Secret::Password);
    auto code = take(Secret::SmsCode);
    const std::string kiosk_session = opt.config.kiosk_id + ":" + run_id + ":" + std::to_string(s);
    platform::Result<contract::Session> r;
    if (e.method == core::LoginMethod::Sms) {
      r = api().login_sms(e.phone, code ? code->reveal() : std::string_view{}, kiosk_session,
                          platform::new_idempotency_key());
    } else {
      std::optional<std::string_view> c;
      if (e.with_code && code) c = code->reveal();
      r = api().login_password(e.phone, password ? password->reveal() : std::string_view{}, c, kiosk_session,
                               platform::new_idempotency_key());
    }
    if (!r) {
      const auto& err = r.error();
      push(core::LoginFailed{s, err.message_key, err.retry_after_s.value_or(0), err.is("account.sms_code_required")});
      return;
    }
    account_token.assign(r->token);
    core::Profile p;
    p.account_id = r->account_id;
    p.phone = e.phone;
    p.username = e.phone;
    if (!r->must_change_password)
      if (auto prof = api().profile(account_token.reveal())) p = to_core(*prof);
    push(core::LoggedIn{s, r->must_change_password, p});
  }

  void load_business(std::uint64_t s) {
    auto list = api().business(account_token.reveal());
    if (!list) {
      push(core::BusinessLoadFailed{s, list.error().message_key});
      return;
    }
    if (!catalog)
      if (auto c = api().catalog()) catalog = *c;
    std::vector<core::BusinessItem> items;
    for (const auto& o : list->orders) {
      core::BusinessItem it;
      it.order_id = o.id;
      it.product_id = o.product_id;
      if (catalog)
        if (const auto* p = catalog->product(o.product_id)) it.product_title = p->display_name;
      it.created_at = o.created_at;
      it.amount = o.amount_fen;
      it.years = o.years;
      it.status = to_core(o.status);
      it.can_continue = contract::is_unfinished(o.status);
      if (o.needs_staff_next_step) it.needs_staff_reason = *o.needs_staff_next_step;
      merge_journal(it);
      items.push_back(std::move(it));
    }
    push(core::BusinessLoaded{s, std::move(items)});
  }

  // 我的业务 is the platform's list merged with this kiosk's journal, which knows two things the platform
  // may not: where an unfinished renewal begun here stopped (shown, so the customer and the counter know),
  // and a paid renewal this kiosk sent to the counter while the platform could not be told (no 【继续操作】
  // then: the counter handles it, as the customer is told).
  void merge_journal(core::BusinessItem& it) {
    auto found = with_journal([&](journal::Journal& j) { return j.by_order(it.order_id); });
    if (!found || !*found) return;
    const journal::Business& b = **found;
    if (!it.can_continue) return;
    if (b.status == journal::Status::NeedsStaff) {
      it.status = core::OrderStatus::NeedsStaff;
      it.can_continue = false;
      return;
    }
    static constexpr std::string_view kSteps[] = {"stage_key", "build_p10", "nonce",    "sign_proof",
                                                  "submit",    "install",   "finalize", "confirm"};
    for (std::string_view known : kSteps)
      if (b.last_step == known) it.stopped_at_key = "business.stopped." + b.last_step;
    if (it.stopped_at_key.empty() && b.status == journal::Status::Paid)
      it.stopped_at_key = "business.stopped.paid";  // paid here, the rollover not begun
  }

  // 【继续操作】 and `kioskctl renew --resume`: where the business stands on the platform, on the key
  // and in the journal, reconciled into the step to resume at.
  void resume_business(const core::ResumeBusiness& e, std::uint64_t s) {
    auto o = api().order_get(e.order_id);
    if (!o) {
      push(core::ResumeFailed{s, o.error().message_key});
      return;
    }
    if (o->status == contract::OrderStatus::Installed) {
      // Finished on the platform (the kiosk stopped after telling it, before its own journal knew):
      // bring the journal up to date and show the result.
      if (auto biz = business_for_order(o->id))
        jwrite([&](journal::Journal& j) -> journal::Result<void> {
          if (auto r = j.set_status(*biz, journal::Status::Done); !r) return r;
          return j.done(*biz, "confirm", R"({"reconciled":true})");
        });
      core::BusinessRecovered b;
      b.session = s;
      b.product_id = o->product_id;
      b.order = to_core(*o);
      b.token = to_core(o->token);
      b.cert.fingerprint_sha256 = o->old_cert_sha256;
      if (o->certificate)
        if (auto c = token::parse_certificate(*o->certificate)) {
          b.cert = to_core(*c);
          b.new_not_before = b.cert.not_before;
          b.new_not_after = b.cert.not_after;
        }
      b.resume_at = RolloverStep::Done;
      push(std::move(b));
      return;
    }
    // An order not paid yet (the kiosk stopped on the payment screen) goes back to its QR code while it
    // is valid: the same order, never a second one.
    const bool pending = o->status == contract::OrderStatus::PendingPayment && o->expires_at > wall();
    if (!contract::is_unfinished(o->status) && !pending) {
      push(core::ResumeFailed{s, "resume.error.nothing_to_do"});
      return;
    }
    auto in = hub->inserted();
    if (!in) {
      push(core::ResumeFailed{s, "resume.error.insert_key"});
      return;
    }
    core::TokenIdentity want = to_core(o->token);
    if (to_core(in->info.identity) != want) {
      push(core::ResumeFailed{s, "resume.error.other_key"});
      return;
    }
    auto sess = ensure_session(want);
    if (!sess) {
      push(core::ResumeFailed{s, std::string(sess.error().message_key())});
      return;
    }
    auto list = (*sess)->certificates();
    if (!list) {
      push(core::ResumeFailed{s, std::string(list.error().message_key())});
      return;
    }
    certs.clear();
    const token::CertInfo* old = nullptr;
    const token::CertInfo* renewed = nullptr;
    std::string new_fp;
    if (o->certificate) new_fp = foundation::sha256_hex(*o->certificate);
    for (const auto& c : *list) {
      certs.emplace(c.sha256_hex, c);
      if (c.sha256_hex == o->old_cert_sha256) old = &c;
      if (!new_fp.empty() && c.sha256_hex == new_fp) renewed = &c;
    }
    if (!old && !renewed) {
      push(core::ResumeFailed{s, "resume.error.other_key"});
      return;
    }
    core::BusinessRecovered b;
    b.session = s;
    b.product_id = o->product_id;
    b.order = to_core(*o);
    b.token = want;
    if (old) {
      b.cert = to_core(*old);
    } else {
      b.cert = to_core(*renewed);
      b.cert.fingerprint_sha256 = o->old_cert_sha256;  // the business stays bound to the old one
    }
    if (o->status == contract::OrderStatus::Paid || pending) {
      b.resume_at = RolloverStep::StageKey;  // reuses a staged key; every step is safe to repeat
    } else {
      // Issued: is the new certificate on the key already, and in its final place?
      const bool installed = renewed != nullptr;
      const bool final_label = installed && !renewed->label.starts_with(token::kPendingLabelPrefix);
      const bool old_gone = old == nullptr;
      auto policy = policy_for(o->product_id);
      if (final_label && (policy == contract::OldKeyPolicy::Keep || old_gone))
        b.resume_at = RolloverStep::Confirm;
      else if (installed)
        b.resume_at = RolloverStep::Finalize;
      else
        b.resume_at = RolloverStep::Install;
      if (auto c = api().certificate_get(o->id)) {
        b.new_not_before = c->not_before;
        b.new_not_after = c->not_after;
      }
    }
    // This kiosk's journal gets the business if it was begun elsewhere.
    core::RunStep probe{b.resume_at, o->id, o->product_id, o->old_cert_sha256, want};
    business_of(probe);
    log("resume " + o->id + " at " + std::string(step_name(b.resume_at)));
    push(std::move(b));
  }

  void save_profile(const core::SaveProfile& e, std::uint64_t s) {
    contract::ProfileUpdate u;
    u.real_name = e.real_name;
    u.email = e.email;
    if (e.phone_changed) {
      auto code = take(Secret::SmsCode);
      auto v = api().sms_verify(e.phone, contract::SmsPurpose::ChangePhone,
                                code ? code->reveal() : std::string_view{}, platform::new_idempotency_key());
      if (!v) {
        push(core::ProfileFailed{s, v.error().message_key});
        return;
      }
      u.new_phone = e.phone;
      u.phone_verification_token = v->verification_token;
    }
    auto p = api().profile_update(account_token.reveal(), u, platform::new_idempotency_key());
    if (!p) {
      push(core::ProfileFailed{s, p.error().message_key});
      return;
    }
    push(core::ProfileSaved{s, to_core(*p)});
  }

  void change_password(std::uint64_t s) {
    auto current = take(Secret::Password);
    auto next = take(Secret::NewPassword);
    if (!current || !next) {
      push(core::PasswordRejected{s, "password.error.current_empty"});
      return;
    }
    auto r = api().password_change(account_token.reveal(), current->reveal(), next->reveal(),
                                   platform::new_idempotency_key());
    if (!r) {
      push(core::PasswordRejected{s, r.error().message_key});
      return;
    }
    push(core::PasswordChanged{s});
  }

  void logout() {
    if (!account_token.empty()) (void)api().logout(account_token.reveal(), platform::new_idempotency_key());
    account_token.clear();
  }

  void wipe() {
    drop_session();
    certs.clear();
    phone_token.clear();
    account_token.clear();
    business.reset();
  }

  // ---- dispatch ------------------------------------------------------------------------------------------

  void execute(const core::Effect& effect, std::uint64_t s) {
    std::visit(
        [&](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, core::LoadCatalog>) load_catalog(s);
          else if constexpr (std::is_same_v<E, core::ReadKey>) read_key(s);
          else if constexpr (std::is_same_v<E, core::SendSms>) send_sms(e, s);
          else if constexpr (std::is_same_v<E, core::VerifySms>) verify_sms(e, s);
          else if constexpr (std::is_same_v<E, core::CreateOrder>) create_order(e, s);
          else if constexpr (std::is_same_v<E, core::CloseOrder>) close_order(e, s);
          else if constexpr (std::is_same_v<E, core::RunStep>) run_step(e, s);
          else if constexpr (std::is_same_v<E, core::MarkNeedsStaff>) mark_needs_staff(e, s);
          else if constexpr (std::is_same_v<E, core::WipeSession>) wipe();
          else if constexpr (std::is_same_v<E, core::AccountLogin>) account_login(e, s);
          else if constexpr (std::is_same_v<E, core::LoadBusiness>) load_business(s);
          else if constexpr (std::is_same_v<E, core::ResumeBusiness>) resume_business(e, s);
          else if constexpr (std::is_same_v<E, core::SaveProfile>) save_profile(e, s);
          else if constexpr (std::is_same_v<E, core::ChangePassword>) change_password(s);
          else if constexpr (std::is_same_v<E, core::Logout>) logout();
          else if constexpr (std::is_same_v<E, core::WatchOrder>) {}  // on the poll lane
        },
        effect);
  }

  void watch_tokens() {
    const auto period = std::chrono::milliseconds(opt.config.timeouts.token_poll_ms);
    bool report_anyway = false;
    while (!stopping) {
      if (report_anyway) hub->report_next_poll();
      if (auto changed = hub->poll()) push(core::KeyStatusChanged{*changed});
      std::unique_lock lock(watcher_mutex);
      watcher_cv.wait_for(lock, period, [&] { return stopping.load() || recheck_key; });
      report_anyway = std::exchange(recheck_key, false);
    }
  }
};

KioskRuntime::KioskRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KioskRuntime::~KioskRuntime() { stop(); }

std::expected<std::unique_ptr<KioskRuntime>, std::string> KioskRuntime::create(RuntimeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->wall = impl->opt.wall_now ? impl->opt.wall_now : system_wall;
  auto j = journal::Journal::open(impl->opt.config.journal_path);
  if (!j) return std::unexpected("journal " + impl->opt.config.journal_path.string() + ": " + j.error().detail);
  impl->journal = std::move(*j);
  auto c = platform::Client::create(client_options(impl->opt.config, false));
  if (!c) return std::unexpected("platform client: " + c.error().to_string());
  impl->client = std::move(*c);
  auto pc = platform::Client::create(client_options(impl->opt.config, true));
  if (!pc) return std::unexpected("platform client: " + pc.error().to_string());
  impl->poll_client = std::move(*pc);
  impl->hub = std::make_unique<TokenHub>(impl->opt.config);
  for (const auto& p : impl->hub->problems()) impl->log("token module: " + p);

  std::unique_ptr<KioskRuntime> rt(new KioskRuntime(std::move(impl)));
  Impl* i = rt->impl_.get();
  i->business_lane = std::make_unique<Lane>();
  i->poll_lane = std::make_unique<Lane>();
  if (i->opt.watch_tokens) {
    if (auto first = i->hub->poll()) i->push(core::KeyStatusChanged{*first});
    i->watcher = std::thread([i] { i->watch_tokens(); });
  }
  return rt;
}

void KioskRuntime::run(const core::Effect& effect, std::uint64_t session) {
  if (std::holds_alternative<core::WipeSession>(effect)) impl_->clear_secrets();  // at once, not in turn
  Impl* i = impl_.get();
  if (std::holds_alternative<core::WatchOrder>(effect)) {
    auto e = std::get<core::WatchOrder>(effect);
    i->poll_lane->post([i, e, session] { i->watch_order(e, session); });
    return;
  }
  i->business_lane->post([i, effect, session] { i->execute(effect, session); });
}

void KioskRuntime::set_waker(std::function<void()> wake) {
  std::lock_guard lock(impl_->queue_mutex);
  impl_->waker = std::move(wake);
}

std::vector<core::Event> KioskRuntime::drain() {
  std::lock_guard lock(impl_->queue_mutex);
  std::vector<core::Event> out;
  out.swap(impl_->queue);
  return out;
}

bool KioskRuntime::wait(int timeout_ms) {
  std::unique_lock lock(impl_->queue_mutex);
  return impl_->queue_cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return !impl_->queue.empty(); });
}

void KioskRuntime::provide_secret(Secret kind, foundation::SecretBuffer value) {
  std::lock_guard lock(impl_->secret_mutex);
  impl_->secrets[kind] = std::move(value);
}

core::KeyStatus KioskRuntime::key_status() const { return impl_->hub->status(); }

void KioskRuntime::with_journal(const std::function<void(journal::Journal&)>& f) {
  impl_->with_journal([&](journal::Journal& j) {
    f(j);
    return 0;
  });
}

void KioskRuntime::stop() {
  if (!impl_) return;
  impl_->stopping = true;
  impl_->watcher_cv.notify_all();
  if (impl_->watcher.joinable()) impl_->watcher.join();
  if (impl_->poll_lane) impl_->poll_lane->stop();
  if (impl_->business_lane) impl_->business_lane->stop();
}

}  // namespace runtime
