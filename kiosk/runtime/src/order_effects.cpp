// The renewal up to the paid order: the catalog, reading the key, the phone's SMS code, the order (made
// once per business: a crash, a retry or a second kiosk continue the same one), its payment watched on the
// poll lane, closing an unpaid order, and sending a paid one to the counter.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "domain/account.hpp"
#include "runtime/crash_point.hpp"
#include "runtime_impl.hpp"

namespace runtime {
namespace {

using Json = nlohmann::json;
using Business = StepJournal::Business;

journal::Status journal_status(contract::OrderStatus s) {
  switch (s) {
    case contract::OrderStatus::Paid:
      return journal::Status::Paid;
    case contract::OrderStatus::Issued:
      return journal::Status::Issued;
    case contract::OrderStatus::Installed:
      return journal::Status::Done;
    case contract::OrderStatus::NeedsStaff:
      return journal::Status::NeedsStaff;
    case contract::OrderStatus::Closed:
    case contract::OrderStatus::Expired:
      return journal::Status::Closed;
    default:
      return journal::Status::Open;
  }
}

}  // namespace

void KioskRuntime::Impl::load_catalog(std::uint64_t s) {
  auto c = api().catalog();
  if (!c) {
    events.warning(c.error().to_string(), {.step = "catalog", .code = c.error().message_key});
    push(core::CatalogFailed{s, c.error().message_key});
    return;
  }
  catalog = *c;
  push(core::CatalogLoaded{s, to_core(*c)});
}

void KioskRuntime::Impl::read_key(std::uint64_t s) {
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
  k.token = info->identity;
  if (const BrandConfig* b = opt.config.brand_for_token(info->identity.manufacturer, info->identity.model))
    k.brand_id = b->id;
  k.pin = to_core(info->pin);
  for (auto a : {domain::KeyAlgorithm::Rsa2048, domain::KeyAlgorithm::EcP256})
    if (mech->supports(a))
      k.can_generate.push_back(a);
  certs.clear();
  for (const auto& c : *list) {
    k.certificates.push_back(to_core(c));
    certs.emplace(c.sha256_hex, c);
  }
  push(std::move(k));
}

void KioskRuntime::Impl::send_sms(const core::SendSms& e, std::uint64_t s) {
  contract::SmsSendRequest req{e.phone, to_contract(e.purpose)};
  auto r = api().sms_send(req, platform::new_idempotency_key());
  if (!r) {
    events.warning(r.error().to_string(), {.step = "sms.send", .code = r.error().message_key});
    push(core::SmsFailed{s, r.error().message_key, r.error().retry_after_s.value_or(0)});
    return;
  }
  events.info("code sent to " + domain::mask_phone(e.phone), {.step = "sms.send"});
  push(core::SmsSent{s, r->resend_after_s, r->code_length});
}

void KioskRuntime::Impl::verify_sms(const core::VerifySms& e, std::uint64_t s) {
  auto code = take(e.code);
  if (!code) {
    push(core::SmsRejected{s, "error.platform.sms.code_wrong"});
    return;
  }
  auto r = api().sms_verify(e.phone, to_contract(e.purpose), code->reveal(), platform::new_idempotency_key());
  if (!r) {
    events.warning(r.error().to_string(), {.step = "sms.verify", .code = r.error().message_key});
    push(core::SmsRejected{s, r.error().message_key});
    return;
  }
  events.info(domain::mask_phone(e.phone) + " verified", {.step = "sms.verify"});
  phone_token.assign(r->verification_token);
  push(core::SmsVerified{s});
}

void KioskRuntime::Impl::create_order(const core::CreateOrder& e, std::uint64_t s) {
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
    auto id = journal->begin(b);
    if (!id) {
      push(core::OrderFailed{s, std::string(id.error().message_key()), id.error().detail, false});
      return;
    }
    business = *id;
    crash_point("business.after_begin");
  }
  const std::int64_t biz = *business;
  // This attempt is dropped and the order `existing` continues (never a second order, never a second
  // charge): the journal says so, and the business is resumed.
  auto continue_existing = [&](const std::string& existing) {
    // Not recorded: harmless (this attempt made nothing); the business it continues has its own record.
    (void)journal->write(biz, [&](Business& j) -> journal::Result<void> {
      if (auto r = j.failed(OrderStep::Create, Json{{"continues", existing}}.dump()); !r) return r;
      return j.set_status(journal::Status::Abandoned);
    });
    business.reset();
  };
  auto journal_failed = [&](const journal::Error& err) {
    push(core::OrderFailed{s, std::string(err.message_key()), err.detail, false});
  };
  // An order this certificate already has (the kiosk stopped after making it, before it could record
  // it): continue that one rather than make a second.
  if (auto existing = api().orders_for_certificate(e.cert_fingerprint)) {
    for (const auto& o : existing->orders) {
      if (contract::is_unfinished(o.status)) {
        continue_existing(o.id);
        resume_business(core::ResumeBusiness{o.id}, s);
        return;
      }
      if (o.status == contract::OrderStatus::PendingPayment && o.expires_at > wall() + 60) {
        auto w = journal->write(biz, [&](Business& j) -> journal::Result<void> {
          if (auto r = j.set_order(o.id); !r) return r;
          return j.done(OrderStep::Create, Json{{"order", o.id}, {"adopted", true}}.dump());
        });
        if (!w) return journal_failed(w.error());  // not shown unrecorded: it expires unpaid
        events.info("adopting the unpaid order of this certificate",
                    {.business = o.id, .step = "order.create"});
        push(core::OrderCreated{s, to_core(o)});
        return;
      }
    }
  }
  const auto key = journal->idempotency_key(biz, IdempotencySlot::order_create(e.attempt));
  if (!key) return journal_failed(key.error());
  Json intent{{"attempt", e.attempt}, {"product", e.product_id}, {"years", e.years}};
  if (auto w = journal->write(biz, [&](Business& j) { return j.intent(OrderStep::Create, intent.dump()); });
      !w)
    return journal_failed(w.error());
  crash_point("order.create.after_intent");
  contract::OrderCreateRequest req;
  req.product_id = e.product_id;
  req.years = e.years;
  req.verification_token = std::string(phone_token.reveal());
  req.old_certificate = cert->second.der;
  req.token = e.token;
  auto o = api().order_create(req, *key);
  explicit_bzero(req.verification_token.data(), req.verification_token.size());
  crash_point("order.create.after_call");
  if (!o && o.error().is("order.renewal_in_progress") && !o.error().detail.empty()) {
    // This certificate already has a paid renewal (begun before a crash, or on another kiosk).
    const std::string existing = o.error().detail;
    continue_existing(existing);
    events.info("a paid renewal of this certificate is in progress: continuing it",
                {.business = existing, .step = "order.create", .code = o.error().message_key});
    resume_business(core::ResumeBusiness{existing}, s);
    return;
  }
  if (!o) {
    const auto& err = o.error();
    (void)journal->write(biz, [&](Business& j) {
      return j.failed(OrderStep::Create,
                      Json{{"error", err.code.empty() ? err.message_key : err.code}}.dump());
    });
    const bool retryable = err.kind != platform::ErrorKind::Http || err.http_status >= 500;
    // The platform no longer takes the phone's verification (it lapsed while the QR expired, say).
    const auto reason = err.is("verification.invalid") ? core::OrderFailure::VerificationLapsed
                                                         : core::OrderFailure::Other;
    push(core::OrderFailed{s, err.message_key, err.to_string(), retryable, reason});
    return;
  }
  auto recorded = journal->write(biz, [&](Business& j) -> journal::Result<void> {
    if (auto r = j.set_order(o->id); !r) return r;
    if (contract::is_paid_or_later(o->status))
      if (auto r = j.set_status(journal_status(o->status)); !r) return r;
    return j.done(OrderStep::Create, Json{{"order", o->id}, {"amount_fen", o->amount_fen}}.dump());
  });
  if (!recorded) {
    // The order exists, but this kiosk could not record it: no QR is shown for it. An unpaid one is
    // closed (best effort; it expires by itself otherwise); a ¥0 one, paid at creation, is the order the
    // platform hands back to this certificate's next attempt.
    if (o->status == contract::OrderStatus::PendingPayment) (void)api().order_close(o->id, *key + "-close");
    return journal_failed(recorded.error());
  }
  crash_point("order.create.after_done");
  events.info("created", {.business = o->id, .step = "order.create"});
  push(core::OrderCreated{s, to_core(*o)});
}

void KioskRuntime::Impl::mark_paid(const std::string& order_id, contract::OrderStatus status) {
  if (!contract::is_paid_or_later(status)) return;
  if (auto biz = journal->business_for_order(order_id)) {
    // Not recorded (logged): the next step's intent cannot be written either, and stops the business.
    (void)journal->write(*biz, [&](Business& j) -> journal::Result<void> {
      auto b = j.row();
      if (b && b->status == journal::Status::Open) return j.set_status(journal::Status::Paid);
      return {};
    });
  }
}

void KioskRuntime::Impl::watch_order(const core::WatchOrder& e, std::uint64_t s) {
  contract::OrderStatus since = contract::OrderStatus::PendingPayment;
  auto o = poll_client->order_wait(e.order_id, since, std::chrono::seconds(opt.config.platform.long_poll_s));
  if (!o) {
    // The platform is away: say "unchanged" after a pause; the core polls again while it waits.
    events.warning(o.error().to_string(),
                   {.business = e.order_id, .step = "order.watch", .code = o.error().message_key});
    for (int i = 0; i < 20 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    push(core::OrderStatusChanged{s, e.order_id, e.known});
    return;
  }
  mark_paid(o->id, o->status);
  if (to_core(o->status) != e.known && contract::is_paid_or_later(o->status))
    events.info("paid", {.business = o->id, .step = "order.watch"});
  push(core::OrderStatusChanged{s, o->id, to_core(o->status)});
}

void KioskRuntime::Impl::close_order(const core::CloseOrder& e, std::uint64_t s) {
  auto biz = journal->business_for_order(e.order_id);
  // One key per order: a business that re-orders after an expired QR closes a second order, and the
  // first close's key would only replay the first answer.
  // Closing is safe to repeat by the order's state (a closed order closes again as a no-op), so a key the
  // journal could not keep is replaced by a fresh one rather than leave the QR payable.
  std::string key;
  if (biz)
    if (auto k = journal->idempotency_key(*biz, IdempotencySlot::order_close(e.order_id))) key = *k;
  if (key.empty()) key = platform::new_idempotency_key();
  if (biz) (void)journal->write(*biz, [&](Business& j) { return j.intent(OrderStep::Close); });
  crash_point("order.close.after_intent");
  auto o = api().order_close(e.order_id, key);
  crash_point("order.close.after_call");
  const bool paid = o ? contract::is_paid_or_later(o->status) : o.error().is("order.already_paid");
  if (paid && e.leaving && biz) {
    // Paid as its customer left: nobody goes on with it here, so the counter must hear of it.
    events.warning("paid as its customer left: for the counter",
                   {.business = e.order_id, .step = "order.close"});
    tell_needs_staff(*biz, e.order_id, "order.paid_after_leaving",
                     [&](Business& j) { return j.done(OrderStep::Close, R"({"already_paid":true})"); });
    push(core::OrderClosed{s, e.order_id, true});
    return;
  }
  if (paid) {
    if (biz)
      (void)journal->write(*biz, [&](Business& j) -> journal::Result<void> {
        if (auto r = j.set_status(journal::Status::Paid); !r) return r;
        return j.done(OrderStep::Close, R"({"already_paid":true})");
      });
    push(core::OrderClosed{s, e.order_id, true});
    return;
  }
  if (!o) {
    // Not closed for sure, and its QR may still be paid on the customer's phone until it expires: the
    // outbox keeps closing it (and, should it turn out paid, hands it to the counter).
    events.warning("not closed for sure: the outbox keeps closing it: " + o.error().to_string(),
                   {.business = e.order_id, .step = "order.close", .code = o.error().message_key});
    if (biz) {
      auto w = journal->write(*biz, [&](Business& j) -> journal::Result<void> {
        if (auto r = j.failed(OrderStep::Close, Json{{"error", o.error().to_string()}}.dump()); !r) return r;
        if (auto id = j.enqueue(e.order_id, OutboxKind::Close, "{}", key); !id)
          return std::unexpected(id.error());
        return {};
      });
      if (w) {
        crash_point("outbox.close.written");
        outbox->wake();
      }
    }
    push(core::OrderClosed{s, e.order_id, false});
    return;
  }
  if (biz)
    (void)journal->write(*biz, [&](Business& j) -> journal::Result<void> {
      if (auto r = j.set_status(journal::Status::Closed); !r) return r;
      return j.done(OrderStep::Close, Json{{"already_paid", false}}.dump());
    });
  push(core::OrderClosed{s, e.order_id, false});
}

bool KioskRuntime::Impl::tell_needs_staff(std::int64_t biz, const std::string& order_id,
                                          const std::string& reason_key,
                                          const std::function<journal::Result<void>(Business&)>& with) {
  const Json body{{"reason", reason_key}, {"detail", "kiosk " + opt.config.kiosk_id}};
  std::optional<std::int64_t> msg;
  auto key = journal->idempotency_key(biz, IdempotencySlot::needs_staff());
  if (key) {
    // The status, the step and the message for the platform in one transaction: the counter hears of
    // every business the journal says needs staff.
    auto w = journal->write(biz, [&](Business& j) -> journal::Result<void> {
      if (auto r = j.set_status(journal::Status::NeedsStaff, reason_key); !r) return r;
      if (auto r = j.intent(OrderStep::NeedsStaff, Json{{"reason", reason_key}}.dump()); !r) return r;
      if (with)
        if (auto r = with(j); !r) return r;
      auto id = j.enqueue(order_id, OutboxKind::NeedsStaff, body.dump(), *key);
      if (!id) return std::unexpected(id.error());
      msg = *id;
      return {};
    });
    if (w) crash_point("outbox.needs_staff.written");
  }
  if (msg) return outbox->deliver_business(biz, *msg).state == journal::OutboxState::Delivered;
  // The journal could not keep the message: the platform is told directly, once, best effort.
  contract::NeedsStaffRequest req{reason_key, "kiosk " + opt.config.kiosk_id};
  auto o = api().order_needs_staff(order_id, req, key ? *key : platform::new_idempotency_key());
  if (!o)
    events.error("needs staff: the platform was not told: " + o.error().to_string(),
                 {.business = order_id, .step = "order.needs_staff", .code = o.error().message_key});
  return o.has_value();
}

void KioskRuntime::Impl::mark_needs_staff(const core::MarkNeedsStaff& e, std::uint64_t s) {
  bool told = false;
  if (auto biz = journal->business_for_order(e.order_id)) {
    told = tell_needs_staff(*biz, e.order_id, e.reason_key);
  } else {
    // No business of this order in the journal (it cannot be read): told directly, best effort.
    contract::NeedsStaffRequest req{e.reason_key, "kiosk " + opt.config.kiosk_id};
    auto o = api().order_needs_staff(e.order_id, req, platform::new_idempotency_key());
    if (!o)
      events.error("needs staff: the platform was not told: " + o.error().to_string(),
                   {.business = e.order_id, .step = "order.needs_staff", .code = o.error().message_key});
    told = o.has_value();
  }
  push(core::NeedsStaffRecorded{s, e.order_id, told});
}

}  // namespace runtime
