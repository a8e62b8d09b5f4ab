#include "runtime/resume_plan.hpp"

namespace runtime {
namespace {

using Next = ResumePlan::Next;

ResumePlan fail(std::string key) {
  ResumePlan p;
  p.next = Next::Fail;
  p.error_key = std::move(key);
  return p;
}

ResumePlan ask(Next next) {
  ResumePlan p;
  p.next = next;
  return p;
}

}  // namespace

ResumePlan plan_resume(const ResumeFacts& f) {
  const OrderFacts& o = f.order;
  if (o.status == contract::OrderStatus::Installed) {
    // Finished on the platform (the kiosk stopped after telling it, before its own journal knew): bring
    // the journal up to date and show the result. The key is not looked at.
    ResumePlan p;
    p.next = Next::Recover;
    p.resume_at = core::RenewalStep::Done;
    p.cert = ResumePlan::Cert::FromOrder;
    if (f.journal.has_business) p.journal = ResumePlan::JournalAction::MarkDone;
    return p;
  }
  // With the counter (the kiosk told the platform while its journal could not record it): said as such,
  // never "nothing to do", and the journal brought up to date.
  if (o.status == contract::OrderStatus::NeedsStaff) {
    ResumePlan p = fail("error.platform.order.needs_staff");
    if (f.journal.has_business) p.journal = ResumePlan::JournalAction::MarkNeedsStaff;
    return p;
  }
  // An order not paid yet (the kiosk stopped on the payment screen) goes back to its QR code while it is
  // valid: the same order, never a second one.
  const bool pending = o.status == contract::OrderStatus::PendingPayment && o.expires_at > f.now;
  if (!contract::is_unfinished(o.status) && !pending) return fail("resume.error.nothing_to_do");

  if (!f.key) return ask(Next::LookAtKey);
  if (!f.key->inserted) return fail("resume.error.insert_key");
  if (*f.key->inserted != o.token) return fail("resume.error.other_key");
  if (!f.key->certificates) return ask(Next::ReadKeyObjects);
  const KeyObject* old = nullptr;
  const KeyObject* renewed = nullptr;
  for (const auto& c : *f.key->certificates) {
    if (c.sha256 == o.old_cert_sha256) old = &c;
    // Of several copies of the new one, one written whole.
    if (!o.new_cert_sha256.empty() && c.sha256 == o.new_cert_sha256 &&
        (renewed == nullptr || (c.has_key_id && !renewed->has_key_id)))
      renewed = &c;
  }
  if (!old && !renewed) return fail("resume.error.other_key");

  ResumePlan p;
  p.next = Next::Recover;
  p.cert = old ? ResumePlan::Cert::Old : ResumePlan::Cert::Renewed;
  if (o.status == contract::OrderStatus::Paid || pending) {
    p.resume_at = core::RenewalStep::StageKey;  // reuses a staged key; every step is safe to repeat
  } else {
    // Issued: is the new certificate on the key already, and in its final place?
    if (!f.keeps_old_key) return ask(Next::LookUpPolicy);
    const bool installed = renewed != nullptr && renewed->has_key_id;
    const bool final_label = installed && !renewed->pending_label;
    const bool old_gone = old == nullptr;
    if (final_label && (*f.keeps_old_key || old_gone))
      p.resume_at = core::RenewalStep::Confirm;
    else if (installed)
      p.resume_at = core::RenewalStep::Finalize;
    else
      p.resume_at = core::RenewalStep::Install;
    p.fetch_new_validity = true;
  }
  // This kiosk's journal gets the business if it was begun elsewhere.
  if (!f.journal.has_business) p.journal = ResumePlan::JournalAction::Adopt;
  return p;
}

}  // namespace runtime
