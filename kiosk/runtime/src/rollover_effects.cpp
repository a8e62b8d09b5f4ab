// The rollover, one RunStep at a time: each step's intent is journaled before its side effect and its
// outcome after, with the working data a later step (or a resume) needs, so a crash anywhere resumes
// without a second key pair, a second issuance or a lost certificate.
#include <nlohmann/json.hpp>

#include "foundation/base64.hpp"
#include "foundation/hex.hpp"
#include "runtime/crash_point.hpp"
#include "runtime_impl.hpp"
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
  if (!biz_opt) return step_failed(s, e, core::StepErrorKind::DeviceError, "error.journal.io", "journal");
  const std::int64_t biz = *biz_opt;
  auto ref = token::RenewalRef::make(e.order_id, e.cert_fingerprint);
  if (!ref) return token_failed(s, e, ref.error(), biz);

  const std::string name(step_name(e.step));
  auto intent = [&] {
    bool ok = journal->write(biz, [&](Business& j) { return j.intent(e.step); });
    crash_point(name + ".after_intent");
    return ok;
  };
  // The outcome, with whatever else the step records (working data, the business's status), under one
  // lock; the crash point before it is "the effect happened, the journal does not know yet".
  auto done = [&](std::string_view data, const Extra& extra = {}) {
    crash_point(name + ".after_effect");
    journal->write(biz, [&](Business& j) -> journal::Result<void> {
      if (extra)
        if (auto r = extra(j); !r) return r;
      return j.done(e.step, data);
    });
    crash_point(name + ".after_done");
  };
  auto get = [&](Datum d) { return journal->get(biz, d).value_or(""); };
  if (!intent()) return step_failed(s, e, core::StepErrorKind::DeviceError, "error.journal.io", "journal");

  token::Session* ts = nullptr;
  if (on_token(e.step)) {
    if (!session || !session->alive() || !session->logged_in() || session_token != e.token) {
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
      done(Json{{"reused", k->reused}, {"key_id", foundation::hex_encode(k->key_id)}}.dump());
      push(core::StepDone{s, e.step, k->reused});
      return;
    }
    case RenewalStep::BuildP10: {
      auto old = old_cert(*ts, e.cert_fingerprint);
      if (!old) return token_failed(s, e, old.error(), biz);
      auto p10 = token::build_p10(*ts, *ref, *old);
      if (!p10) return token_failed(s, e, p10.error(), biz);
      done(kNoData, [&](Business& j) { return j.put(Datum::P10, foundation::base64_encode(p10->der)); });
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::RequestNonce: {
      // A fresh nonce each time (cheap, harmless).
      auto n = api().renewal_nonce(e.order_id, platform::new_idempotency_key());
      if (!n) return platform_failed(s, e, n.error(), biz);
      done(kNoData, [&](Business& j) { return j.put(Datum::Nonce, foundation::base64_encode(n->nonce)); });
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::SignProof: {
      auto old = old_cert(*ts, e.cert_fingerprint);
      if (!old) return token_failed(s, e, old.error(), biz);
      token::Bytes p10 = foundation::base64_decode(get(Datum::P10)).value_or(token::Bytes{});
      token::Bytes nonce = foundation::base64_decode(get(Datum::Nonce)).value_or(token::Bytes{});
      auto proof = token::sign_renewal_proof(*ts, *ref, *old, p10, nonce);
      if (!proof) return token_failed(s, e, proof.error(), biz);
      done(kNoData,
           [&](Business& j) { return j.put(Datum::Proof, foundation::base64_encode(proof->signature)); });
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::Submit: {
      contract::RenewalSubmitRequest req;
      req.p10 = foundation::base64_decode(get(Datum::P10)).value_or(token::Bytes{});
      req.proof = foundation::base64_decode(get(Datum::Proof)).value_or(token::Bytes{});
      // The same body under the same key (a replay after a crash gets the first answer); a new P10
      // or proof (the steps before were run again) under a new key.
      const std::string body =
          foundation::base64_encode(req.p10) + "." + foundation::base64_encode(req.proof);
      std::string key;
      if (get(Datum::SubmitBody) == body) key = get(Datum::SubmitKey);
      if (key.empty()) {
        key = platform::new_idempotency_key();
        journal->write(biz, [&](Business& j) -> journal::Result<void> {
          if (auto r = j.put(Datum::SubmitBody, body); !r) return r;
          return j.put(Datum::SubmitKey, key);
        });
      }
      auto issued = api().renewal_submit(e.order_id, req, key);
      if (!issued) return platform_failed(s, e, issued.error(), biz);
      done(Json{{"serial", issued->serial}, {"not_after", issued->not_after}}.dump(), [&](Business& j) {
        if (auto r = j.put(Datum::Certificate, foundation::base64_encode(issued->certificate)); !r) return r;
        return j.set_status(journal::Status::Issued);
      });
      push(core::StepDone{s, e.step, false, issued->not_before, issued->not_after});
      return;
    }
    case RenewalStep::Install: {
      token::Bytes der = foundation::base64_decode(get(Datum::Certificate)).value_or(token::Bytes{});
      if (der.empty()) {  // issued before a crash that lost the answer, or on another kiosk
        auto c = api().certificate_get(e.order_id);
        if (!c) return platform_failed(s, e, c.error(), biz);
        der = c->certificate;
        journal->write(
            biz, [&](Business& j) { return j.put(Datum::Certificate, foundation::base64_encode(der)); });
      }
      auto installed = token::install_certificate(*ts, *ref, der);
      if (!installed) return token_failed(s, e, installed.error(), biz);
      done(Json{{"fingerprint", installed->sha256_hex}}.dump(),
           [&](Business& j) { return j.set_status(journal::Status::Installed); });
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::Finalize: {
      token::FinalizeOptions fo;
      fo.old_key_policy = policy_for(e.product_id);
      // "Not yet valid" is judged by the platform's time, which issued the certificate (docs/platform.md,
      // "Time"): a kiosk whose clock is behind does not wait for its own clock to pass notBefore.
      fo.now = std::chrono::system_clock::time_point(std::chrono::seconds(platform_now()));
      auto f = token::finalize(*ts, *ref, fo);
      if (!f) return token_failed(s, e, f.error(), biz);
      done(Json{{"old_deleted", f->old_deleted}}.dump());
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::Confirm: {
      std::string key = journal->idempotency_key(biz, IdempotencySlot::installed());
      auto o = api().order_installed(e.order_id, key);
      if (!o && !o.error().is("order.already_installed")) return platform_failed(s, e, o.error(), biz);
      done(kNoData, [&](Business& j) { return j.set_status(journal::Status::Done); });
      push(core::StepDone{s, e.step});
      return;
    }
    case RenewalStep::Login:
    case RenewalStep::Done:
      break;
  }
  step_failed(s, e, core::StepErrorKind::DeviceError, "error.token.device", "unknown step");
}

void KioskRuntime::Impl::login(const core::RunStep& e, std::uint64_t s) {
  auto pin = take(core::SecretKind::Pin);
  if (!pin)
    return step_failed(s, e, core::StepErrorKind::PinIncorrect, "error.token.pin_incorrect", "no PIN");
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

}  // namespace runtime
