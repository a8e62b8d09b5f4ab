// 【继续操作】 and `kioskctl renew --resume`: where the business stands on the platform, on the key and in
// the journal, gathered as far as plan_resume (resume_plan.cpp) asks, and its plan carried out.
#include "foundation/sha256.hpp"
#include "runtime/resume_plan.hpp"
#include "runtime_impl.hpp"
#include "token/rollover.hpp"

namespace runtime {
namespace {

// The certificate with this fingerprint (the plan found it on the key); the last of several copies.
const token::CertInfo& last_with(const std::vector<token::CertInfo>& list, const std::string& sha256) {
  const token::CertInfo* found = nullptr;
  for (const auto& c : list)
    if (c.sha256_hex == sha256) found = &c;
  return *found;
}

}  // namespace

void KioskRuntime::Impl::resume_business(const core::ResumeBusiness& e, std::uint64_t s) {
  auto o = api().order_get(e.order_id);
  if (!o) {
    push(core::ResumeFailed{s, o.error().message_key});
    return;
  }
  ResumeFacts facts;
  facts.order.status = o->status;
  facts.order.expires_at = o->expires_at;
  facts.order.old_cert_sha256 = o->old_cert_sha256;
  if (o->certificate) facts.order.new_cert_sha256 = foundation::sha256_hex(*o->certificate);
  facts.order.token = o->token;
  facts.now = wall();
  facts.journal.has_business = journal->business_for_order(o->id).has_value();

  std::vector<token::CertInfo> on_key;  // the key's certificates, once read
  ResumePlan plan;
  for (;;) {
    plan = plan_resume(facts);
    if (plan.next == ResumePlan::Next::LookAtKey) {
      auto in = hub->inserted();
      facts.key = KeyFacts{};
      if (in) facts.key->inserted = in->info.identity;
    } else if (plan.next == ResumePlan::Next::ReadKeyObjects) {
      auto sess = ensure_session(facts.order.token);
      if (!sess) {
        push(core::ResumeFailed{s, std::string(sess.error().message_key())});
        return;
      }
      auto list = (*sess)->certificates();
      if (!list) {
        push(core::ResumeFailed{s, std::string(list.error().message_key())});
        return;
      }
      on_key = std::move(*list);
      certs.clear();
      facts.key->certificates.emplace();
      for (const auto& c : on_key) {
        certs.emplace(c.sha256_hex, c);
        facts.key->certificates->push_back(
            {c.sha256_hex, c.label.starts_with(token::kPendingLabelPrefix), !c.key_id.empty()});
      }
    } else if (plan.next == ResumePlan::Next::LookUpPolicy) {
      facts.keeps_old_key = policy_for(o->product_id) == domain::OldKeyPolicy::Keep;
    } else {
      break;
    }
  }
  if (plan.next == ResumePlan::Next::Fail) {
    if (plan.journal == ResumePlan::JournalAction::MarkNeedsStaff)
      if (auto biz = journal->business_for_order(o->id))
        (void)journal->write(*biz, [&](StepJournal::Business& j) -> journal::Result<void> {
          auto row = j.row();
          if (row && row->status == journal::Status::NeedsStaff) return {};
          return j.set_status(journal::Status::NeedsStaff, o->needs_staff_reason.value_or(""));
        });
    push(core::ResumeFailed{s, plan.error_key});
    return;
  }

  core::BusinessRecovered b;
  b.session = s;
  b.product_id = o->product_id;
  b.order = to_core(*o);
  b.token = facts.order.token;
  b.resume_at = plan.resume_at;
  switch (plan.cert) {
    case ResumePlan::Cert::FromOrder:
      b.cert.fingerprint_sha256 = o->old_cert_sha256;
      if (o->certificate)
        if (auto c = token::parse_certificate(*o->certificate)) {
          b.cert = to_core(*c);
          b.new_not_before = b.cert.not_before;
          b.new_not_after = b.cert.not_after;
        }
      break;
    case ResumePlan::Cert::Old:
      b.cert = to_core(last_with(on_key, o->old_cert_sha256));
      break;
    case ResumePlan::Cert::Renewed:
      b.cert = to_core(last_with(on_key, facts.order.new_cert_sha256));
      b.cert.fingerprint_sha256 = o->old_cert_sha256;  // the business stays bound to the old one
      break;
  }
  if (plan.fetch_new_validity)
    if (auto c = api().certificate_get(o->id)) {
      b.new_not_before = c->not_before;
      b.new_not_after = c->not_after;
    }
  switch (plan.journal) {
    case ResumePlan::JournalAction::None:
    case ResumePlan::JournalAction::MarkNeedsStaff:
      break;
    case ResumePlan::JournalAction::MarkDone:
      if (auto biz = journal->business_for_order(o->id))
        journal->write(*biz, [&](StepJournal::Business& j) -> journal::Result<void> {
          if (auto r = j.set_status(journal::Status::Done); !r) return r;
          return j.done(core::RenewalStep::Confirm, R"({"reconciled":true})");
        });
      break;
    case ResumePlan::JournalAction::Adopt:
      business_of(core::RunStep{b.resume_at, o->id, o->product_id, o->old_cert_sha256, b.token});
      break;
  }
  if (plan.cert != ResumePlan::Cert::FromOrder)
    events.info("resumed", {.business = o->id, .step = step_name(b.resume_at)});
  push(std::move(b));
}

}  // namespace runtime
