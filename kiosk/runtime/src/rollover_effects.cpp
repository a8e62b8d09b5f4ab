// The rollover, one RunStep at a time: each step's intent is journaled before its side effect and its
// outcome after, with the working data a later step (or a resume) needs, so a crash anywhere resumes
// without a second key pair, a second issuance or a lost certificate.
#include <fmt/core.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "foundation/base64.hpp"
#include "foundation/hex.hpp"
#include "key_leftovers.hpp"
#include "runtime/crash_point.hpp"
#include "runtime_impl.hpp"
#include "token/inventory.hpp"
#include "token/rollover.hpp"

namespace runtime {
namespace {

using Json = nlohmann::json;
using Business = StepJournal::Business;
using core::RenewalStep;
using Extra = std::function<journal::Result<void>(Business&)>;

// The outcome data of the steps that record nothing of their own (the journal has always said null).
constexpr std::string_view kNoData = "null";

// Steps on the token need the logged-in session of this renewal's key.
constexpr bool on_token(RenewalStep s) {
  return s == RenewalStep::StageKey || s == RenewalStep::BuildP10 || s == RenewalStep::SignProof ||
         s == RenewalStep::Install || s == RenewalStep::Finalize;
}

}  // namespace

void KioskRuntime::Impl::step_failed(std::uint64_t s, const core::RunStep& e, core::StepErrorKind kind,
                                     std::string key, std::string detail, core::PinFlags pin) {
  using K = core::StepErrorKind;
  // What the customer can put right (or that resolves by itself) is a warning; what needs staff, an error.
  const bool warning = kind == K::PinIncorrect || kind == K::TokenRemoved || kind == K::WrongToken ||
                       kind == K::Unavailable || kind == K::NotYetValid;
  events.record(warning ? events::Level::Warning : events::Level::Error, detail.empty() ? "failed" : detail,
                {.business = e.order_id, .step = step_name(e.step), .code = key});
  push(core::StepFailed{s, e.step, kind, std::move(key), std::move(detail), pin});
  // The token said it left (or another is in). The hot-plug watcher may not have seen it (it polls every
  // token_poll_ms), and a key pulled and pushed back in between two polls is a status it never sees
  // change. Ask it to poll now and to report what it finds even if unchanged, after the StepFailed: the
  // KEY已拔出 screen then learns whether the same key is in (resume) or not (wait for it).
  if (kind == core::StepErrorKind::TokenRemoved || kind == core::StepErrorKind::WrongToken) recheck_key_now();
}

void KioskRuntime::Impl::token_failed(std::uint64_t s, const core::RunStep& e, const token::Error& err,
                                      std::int64_t biz) {
  if (err.drops_handles() || err.code == token::ErrorCode::NotLoggedIn) drop_session();
  if (biz)
    journal->write(biz, [&](Business& j) {
      return j.failed(e.step, Json{{"error", std::string(err.message_key())}}.dump());
    });
  step_failed(s, e, step_error_kind(err), std::string(err.message_key()), err.to_string(),
              err.pin ? to_core(*err.pin) : core::PinFlags{});
}

void KioskRuntime::Impl::platform_failed(std::uint64_t s, const core::RunStep& e, const platform::Error& err,
                                         std::int64_t biz) {
  if (biz)
    journal->write(biz, [&](Business& j) {
      return j.failed(e.step, Json{{"error", err.code.empty() ? err.message_key : err.code}}.dump());
    });
  step_failed(s, e, step_error_kind(err), err.message_key, err.to_string());
}

void KioskRuntime::Impl::journal_failed(std::uint64_t s, const core::RunStep& e, const journal::Error& err) {
  events.error("journal: " + err.detail,
               {.business = e.order_id, .step = step_name(e.step), .code = err.message_key()});
  step_failed(s, e, core::StepErrorKind::Journal, std::string(err.message_key()), err.detail);
}

std::optional<std::int64_t> KioskRuntime::Impl::business_of(const core::RunStep& e) {
  if (auto b = journal->business_for_order(e.order_id)) return b;
  journal::BusinessStart start;
  start.product_id = e.product_id;
  start.cert_fingerprint = e.cert_fingerprint;
  start.token_manufacturer = e.token.manufacturer;
  start.token_model = e.token.model;
  start.token_serial = e.token.serial;
  auto id = journal->begin(start, [&](Business& j) -> journal::Result<void> {
    if (auto r = j.set_order(e.order_id); !r) return r;
    return j.set_status(journal::Status::Paid);
  });
  if (!id) return std::nullopt;
  return *id;
}

domain::OldKeyPolicy KioskRuntime::Impl::policy_for(const std::string& product_id) {
  if (!catalog)
    if (auto c = api().catalog()) catalog = *c;
  const contract::Product* p = catalog ? catalog->product(product_id) : nullptr;
  if (p)
    if (const auto* fam = opt.config.family(p->project))
      return fam->old_key_policy;
  return p ? p->old_key_policy : domain::OldKeyPolicy::Keep;
}

token::Result<token::CertInfo> KioskRuntime::Impl::old_cert(token::Session& ts, const std::string& fp) {
  if (auto it = certs.find(fp); it != certs.end()) return it->second;
  return ts.certificate(fp);
}

void KioskRuntime::Impl::run_step(const core::RunStep& e, std::uint64_t s) {
  if (e.step == RenewalStep::Login) return login(e, s);
  auto biz_opt = business_of(e);
  if (!biz_opt)
    return journal_failed(s, e, journal::Error{journal::ErrorCode::Io, 0, "no business for " + e.order_id});
  const std::int64_t biz = *biz_opt;
  auto ref = token::RenewalRef::make(e.order_id, e.cert_fingerprint);
  if (!ref) return token_failed(s, e, ref.error(), biz);

  const std::string name(step_name(e.step));
  // The progress screen shows the step's time so far and what is usual for it on this kind of key; what this
  // step takes is measured for next time (step_times.hpp).
  push(core::StepStarted{s, e.step, step_times->usual(e.token, e.algorithm)});
  const auto started = std::chrono::steady_clock::now();
  bool measure = true;  // not a key pair found again: that says nothing of how long a new one takes
  auto intent = [&](std::string_view data) {
    auto r = journal->write(biz, [&](Business& j) { return j.intent(e.step, data); });
    if (r) crash_point(name + ".after_intent");
    return r;
  };
  // The outcome, with whatever else the step records (working data, the business's status), in one
  // transaction; the crash point before it is "the effect happened, the journal does not know yet". False
  // when it could not be written: the business stops there (StepFailed Journal), never on to a step that
  // would need this record.
  auto done = [&](std::string_view data, const Extra& extra = {}) {
    crash_point(name + ".after_effect");
    auto r = journal->write(biz, [&](Business& j) -> journal::Result<void> {
      if (extra)
        if (auto x = extra(j); !x) return x;
      return j.done(e.step, data);
    });
    if (!r) {
      journal_failed(s, e, r.error());
      return false;
    }
    events.info("done", {.business = e.order_id, .step = name});
    if (measure)
      step_times->record(
          e.token, e.algorithm, e.step,
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
              .count());
    crash_point(name + ".after_done");
    return true;
  };
  auto get = [&](Datum d) { return journal->get(biz, d).value_or(""); };
  const bool have_session = session && session->alive() && session->logged_in() && session_token == e.token;
  // The first key generation of the business records what was on the key before it.
  std::string intent_data = "{}";
  if (e.step == RenewalStep::StageKey && have_session) {
    auto steps = journal->steps(biz);
    if (!steps)
      return journal_failed(s, e, journal::Error{journal::ErrorCode::Io, 0, "the business's steps unreadable"});
    if (!recorded_before(*steps)) {
      auto before = token::inventory(*session);
      if (!before) return token_failed(s, e, before.error(), biz);
      intent_data = before_json(*before);
    }
  }
  if (auto r = intent(intent_data); !r) return journal_failed(s, e, r.error());

  token::Session* ts = nullptr;
  if (on_token(e.step)) {
    if (!have_session) {
      drop_session();
      return token_failed(s, e, token::make_error(token::ErrorCode::NotLoggedIn, "no logged-in session"),
                          biz);
    }
    ts = &*session;
  }

  switch (e.step) {
    case RenewalStep::StageKey: {
      auto old = old_cert(*ts, e.cert_fingerprint);
      if (!old) return token_failed(s, e, old.error(), biz);
      auto k = token::stage_key(*ts, *ref, *old, e.algorithm);
      if (!k) return token_failed(s, e, k.error(), biz);
      measure = !k->reused;
      if (!done(Json{{"reused", k->reused}, {"key_id", foundation::hex_encode(k->key_id)}}.dump())) return;
      push(core::StepDone{s, e.step, k->reused});
      return;
    }
    case RenewalStep::BuildP10: {
      auto old = old_cert(*ts, e.cert_fingerprint);
      if (!old) return token_failed(s, e, old.error(), biz);
      auto p10 = token::build_p10(*ts, *ref, *old);
      if (!p10) return token_failed(s, e, p10.error(), biz);
      if (!done(kNoData, [&](Business& j) { return j.put(Datum::P10, foundation::base64_encode(p10->der)); }))
        return;
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::RequestNonce: {
      // A fresh nonce each time (cheap, harmless).
      auto n = api().renewal_nonce(e.order_id, platform::new_idempotency_key());
      if (!n) return platform_failed(s, e, n.error(), biz);
      if (!done(kNoData,
                [&](Business& j) { return j.put(Datum::Nonce, foundation::base64_encode(n->nonce)); }))
        return;
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::SignProof: {
      auto old = old_cert(*ts, e.cert_fingerprint);
      if (!old) return token_failed(s, e, old.error(), biz);
      // What the old key signs comes from the journal: missing or unreadable is the journal's failure,
      // never empty bytes signed.
      auto p10 = journal->bytes(biz, Datum::P10);
      if (!p10) return journal_failed(s, e, p10.error());
      auto nonce = journal->bytes(biz, Datum::Nonce);
      if (!nonce) return journal_failed(s, e, nonce.error());
      auto proof = token::sign_renewal_proof(*ts, *ref, *old, *p10, *nonce);
      if (!proof) return token_failed(s, e, proof.error(), biz);
      if (!done(kNoData, [&](Business& j) {
            return j.put(Datum::Proof, foundation::base64_encode(proof->signature));
          }))
        return;
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::Submit: {
      contract::RenewalSubmitRequest req;
      auto p10 = journal->bytes(biz, Datum::P10);
      if (!p10) return journal_failed(s, e, p10.error());
      auto proof = journal->bytes(biz, Datum::Proof);
      if (!proof) return journal_failed(s, e, proof.error());
      req.p10 = std::move(*p10);
      req.proof = std::move(*proof);
      // The same body under the same key (a replay after a crash gets the first answer); a new P10
      // or proof (the steps before were run again) under a new key.
      const std::string body =
          foundation::base64_encode(req.p10) + "." + foundation::base64_encode(req.proof);
      std::string key;
      if (get(Datum::SubmitBody) == body) key = get(Datum::SubmitKey);
      if (key.empty()) {
        key = platform::new_idempotency_key();
        // Never submitted under a key the journal did not keep: a replay after a crash must find it.
        auto kept = journal->write(biz, [&](Business& j) -> journal::Result<void> {
          if (auto r = j.put(Datum::SubmitBody, body); !r) return r;
          return j.put(Datum::SubmitKey, key);
        });
        if (!kept) return journal_failed(s, e, kept.error());
      }
      auto issued = api().renewal_submit(e.order_id, req, key);
      if (!issued) return platform_failed(s, e, issued.error(), biz);
      const bool recorded =
          done(Json{{"serial", issued->serial}, {"not_after", issued->not_after}}.dump(), [&](Business& j) {
            if (auto r = j.put(Datum::Certificate, foundation::base64_encode(issued->certificate)); !r)
              return r;
            return j.set_status(journal::Status::Issued);
          });
      if (!recorded) return;
      push(core::StepDone{s, e.step, false, issued->not_before, issued->not_after});
      return;
    }
    case RenewalStep::Install: {
      token::Bytes der;
      if (auto kept = journal->get(biz, Datum::Certificate); kept && !kept->empty()) {
        auto d = foundation::base64_decode(*kept);
        if (!d)
          return journal_failed(s, e,
                                journal::Error{journal::ErrorCode::Corrupt, 0, "certificate is not base64"});
        der = std::move(*d);
      } else {  // issued before a crash that lost the answer, or on another kiosk
        auto c = api().certificate_get(e.order_id);
        if (!c) return platform_failed(s, e, c.error(), biz);
        der = c->certificate;
        auto w = journal->write(
            biz, [&](Business& j) { return j.put(Datum::Certificate, foundation::base64_encode(der)); });
        if (!w) return journal_failed(s, e, w.error());
      }
      auto installed = token::install_certificate(*ts, *ref, der);
      if (!installed) return token_failed(s, e, installed.error(), biz);
      if (!done(Json{{"fingerprint", installed->sha256_hex}}.dump(),
                [&](Business& j) { return j.set_status(journal::Status::Installed); }))
        return;
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::Finalize: {
      if (auto c = clean_key(*ts, *ref, biz); !c) return token_failed(s, e, c.error(), biz);
      // The platform must hear that the renewal is on the key: the message goes into the outbox with the
      // step's outcome, under a key kept before the key is touched.
      auto key = journal->idempotency_key(biz, IdempotencySlot::installed());
      if (!key) return journal_failed(s, e, key.error());
      token::FinalizeOptions fo;
      fo.old_key_policy = policy_for(e.product_id);
      // "Not yet valid" is judged by the platform's time, which issued the certificate (docs/platform.md,
      // "Time"): a kiosk whose clock is behind does not wait for its own clock to pass notBefore.
      fo.now = std::chrono::system_clock::time_point(std::chrono::seconds(platform_now()));
      auto f = token::finalize(*ts, *ref, fo);
      if (!f) return token_failed(s, e, f.error(), biz);
      const bool recorded = done(Json{{"old_deleted", f->old_deleted}}.dump(), [&](Business& j) {
        auto id = j.enqueue(e.order_id, OutboxKind::Installed, "{}", *key);
        return id ? journal::Result<void>{} : std::unexpected(id.error());
      });
      if (!recorded) return;
      crash_point("outbox.installed.written");
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::Confirm: {
      // The outbox tells the platform (the message Finalize wrote; written here for a business finalized
      // by an earlier kiosk version), now; its acknowledgement records the business done.
      auto key = journal->idempotency_key(biz, IdempotencySlot::installed());
      if (!key) return journal_failed(s, e, key.error());
      std::int64_t msg = 0;
      auto w = journal->write(biz, [&](Business& j) -> journal::Result<void> {
        auto id = j.enqueue(e.order_id, OutboxKind::Installed, "{}", *key);
        if (!id) return std::unexpected(id.error());
        msg = *id;
        return {};
      });
      if (!w) return journal_failed(s, e, w.error());
      const OutboxResult told = outbox->deliver_business(biz, msg);
      if (told.state == journal::OutboxState::Delivered) {
        push(core::StepDone{s, e.step});
        return;
      }
      if (!told.error)
        return journal_failed(
            s, e, journal::Error{journal::ErrorCode::Io, 0, "the acknowledgement was not recorded"});
      // Not yet (the outbox keeps trying: a retry or the background sender finishes it), or refused for good.
      const core::StepErrorKind kind = told.state == journal::OutboxState::Refused
                                           ? core::StepErrorKind::Refused
                                           : step_error_kind(*told.error);
      step_failed(s, e, kind, told.error->message_key, told.error->to_string());
      return;
    }
    case RenewalStep::Login:
    case RenewalStep::Done:
      break;
  }
  step_failed(s, e, core::StepErrorKind::DeviceError, "error.token.device", "unknown step");
}

token::Result<void> KioskRuntime::Impl::clean_key(token::Session& ts, const token::RenewalRef& ref,
                                                  std::int64_t biz) {
  auto steps = journal->steps(biz);
  if (!steps || !creation_interrupted(*steps)) return {};
  auto before = recorded_before(*steps);
  if (!before) {
    events.warning("key: an interrupted key generation of a renewal an earlier kiosk began; nothing to compare "
                   "the key with",
                   {.business = ref.order_id, .step = "finalize"});
    return {};
  }
  auto report = token::remove_leftovers(ts, ref, *before);
  if (!report) {
    // Only a key that went stops the step; anything else must not keep the customer from the new certificate.
    if (report.error().drops_handles()) return std::unexpected(report.error());
    events.warning("key: leftovers not checked: " + report.error().to_string(),
                   {.business = ref.order_id, .step = "finalize"});
    return {};
  }
  if (report->removed.empty() && report->left.empty()) return {};
  events.info(fmt::format(
      "key: removed {} object(s) an interrupted write of this renewal left; {} new object(s) left alone "
      "(kioskctl business show {})",
      report->removed.size(), report->left.size(), biz));
  const std::string kept = merge_report(journal->get(biz, Datum::KeyLeftovers).value_or(""), *report);
  journal->write(biz, [&](Business& j) { return j.put(Datum::KeyLeftovers, kept); });
  return {};
}

void KioskRuntime::Impl::login(const core::RunStep& e, std::uint64_t s) {
  auto pin = take(e.pin);
  // No PIN handed over: no C_Login is made, so the key counted nothing and it is no wrong PIN. Nothing is
  // lost either: the failure offers 【重试】, which goes back to the PIN screen.
  if (!pin)
    return step_failed(s, e, core::StepErrorKind::Unavailable, kPinMissingKey,
                       "no PIN was handed over: no C_Login made");
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
  events.info("PIN verified", {.business = e.order_id, .step = step_name(e.step)});
  push(core::StepDone{s, e.step});
}

}  // namespace runtime
