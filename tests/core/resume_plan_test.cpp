// Where a business is resumed (runtime::plan_resume): the platform's order state × the objects on the key
// × this kiosk's journal → the step to resume at, the certificate shown, and what else is done; and which
// facts the runtime must gather for it, in which order. In-process, no token, no platform, no journal.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/resume_plan.hpp"

using runtime::KeyFacts;
using runtime::KeyObject;
using runtime::plan_resume;
using runtime::ResumeFacts;
using runtime::ResumePlan;
using Status = contract::OrderStatus;
using Step = core::RenewalStep;
using Next = ResumePlan::Next;
using Cert = ResumePlan::Cert;
using Journal = ResumePlan::JournalAction;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
const std::string kOld = "01d0";  // the certificate the order renews
const std::string kNew = "2e20";  // the one it issued
const core::TokenIdentity kOrderKey{"Feitian", "ePass3003", "FT-0001"};
const core::TokenIdentity kOtherKey{"Feitian", "ePass3003", "FT-0002"};

// What is in the reader.
enum class Key {
  None,              // no key
  Other,             // another key than the order's
  Neither,           // the order's key, without the old certificate or the new one
  OldOnly,           // the old certificate (nothing of the renewal, or only its staged key)
  OldAndPending,     // the old one and the new one, still under the pending label
  OldAndFinal,       // the old one and the new one, finalised (policy Keep, or Delete not yet carried out)
  FinalOnly,         // the new one finalised, the old one deleted
  PendingOnly,       // the new one pending, the old one gone
  OldAndCut,         // the old one and the new one written without CKA_ID (its write cut short)
  OldCutAndPending,  // the old one, such a copy of the new one, and the new one written whole, pending
};

KeyFacts key_facts(Key k) {
  KeyFacts f;
  if (k == Key::None) return f;
  f.inserted = k == Key::Other ? kOtherKey : kOrderKey;
  std::vector<KeyObject> objs{{"9f9f", false}};  // a certificate of something else, always there
  switch (k) {
    case Key::None:
    case Key::Other:
    case Key::Neither:
      break;
    case Key::OldOnly:
      objs.push_back({kOld, false});
      break;
    case Key::OldAndPending:
      objs.insert(objs.end(), {{kOld, false}, {kNew, true}});
      break;
    case Key::OldAndFinal:
      objs.insert(objs.end(), {{kOld, false}, {kNew, false}});
      break;
    case Key::FinalOnly:
      objs.push_back({kNew, false});
      break;
    case Key::PendingOnly:
      objs.push_back({kNew, true});
      break;
    case Key::OldAndCut:
      objs.insert(objs.end(), {{kOld, false}, {kNew, false, false}});
      break;
    case Key::OldCutAndPending:
      objs.insert(objs.end(), {{kOld, false}, {kNew, false, false}, {kNew, true}});
      break;
  }
  f.certificates = objs;
  return f;
}

ResumeFacts facts(Status status, Key key, bool journal_has_business, bool keeps_old_key,
                  bool qr_valid = true) {
  ResumeFacts f;
  f.order.status = status;
  f.order.expires_at = qr_valid ? kNow + 300 : kNow - 1;
  f.order.old_cert_sha256 = kOld;
  if (status == Status::Issued || status == Status::Installed) f.order.new_cert_sha256 = kNew;
  f.order.token = kOrderKey;
  f.now = kNow;
  f.journal.has_business = journal_has_business;
  f.key = key_facts(key);
  f.keeps_old_key = keeps_old_key;
  return f;
}

struct Row {
  const char* name;
  Status status;
  Key key;
  bool journal;  // this kiosk's journal has the business
  bool keep;     // the product keeps the old key
  bool qr_valid;
  // expected
  Next next;
  std::string error_key;
  Step at;
  Cert cert;
  bool fetch_validity;
  Journal journal_action;
};

constexpr bool J = true, NoJ = false, Keep = true, Del = false, Valid = true, Late = false;

const std::vector<Row> kTable{
    // Finished on the platform: shown as done, whatever is in the reader; the journal catches up.
    {"installed, journal", Status::Installed, Key::None, J, Keep, Valid, Next::Recover, "", Step::Done,
     Cert::FromOrder, false, Journal::MarkDone},
    {"installed, other key, no journal", Status::Installed, Key::Other, NoJ, Del, Valid, Next::Recover, "",
     Step::Done, Cert::FromOrder, false, Journal::None},
    // Not resumable.
    {"pending, QR expired", Status::PendingPayment, Key::OldOnly, J, Keep, Late, Next::Fail,
     "resume.error.nothing_to_do", Step::Login, Cert::Old, false, Journal::None},
    {"closed", Status::Closed, Key::OldOnly, J, Keep, Valid, Next::Fail, "resume.error.nothing_to_do",
     Step::Login, Cert::Old, false, Journal::None},
    {"expired", Status::Expired, Key::OldOnly, J, Keep, Valid, Next::Fail, "resume.error.nothing_to_do",
     Step::Login, Cert::Old, false, Journal::None},
    // With the counter: said so (never "nothing to do"), and the journal catches up.
    {"needs staff", Status::NeedsStaff, Key::OldOnly, J, Keep, Valid, Next::Fail,
     "error.platform.order.needs_staff", Step::Login, Cert::Old, false, Journal::MarkNeedsStaff},
    {"needs staff, no journal", Status::NeedsStaff, Key::OldOnly, NoJ, Keep, Valid, Next::Fail,
     "error.platform.order.needs_staff", Step::Login, Cert::Old, false, Journal::None},
    {"refund requested", Status::RefundRequested, Key::OldOnly, J, Keep, Valid, Next::Fail,
     "resume.error.nothing_to_do", Step::Login, Cert::Old, false, Journal::None},
    // Not paid yet but its QR still valid: back to it (the core shows the payment screen).
    {"pending, QR valid", Status::PendingPayment, Key::OldOnly, J, Keep, Valid, Next::Recover, "",
     Step::StageKey, Cert::Old, false, Journal::None},
    {"pending, QR valid, no journal", Status::PendingPayment, Key::OldOnly, NoJ, Keep, Valid, Next::Recover,
     "", Step::StageKey, Cert::Old, false, Journal::Adopt},
    // Paid: the key decides whether it can go on; the rollover starts again (every step repeats safely).
    {"paid, no key", Status::Paid, Key::None, J, Keep, Valid, Next::Fail, "resume.error.insert_key",
     Step::Login, Cert::Old, false, Journal::None},
    {"paid, other key", Status::Paid, Key::Other, J, Keep, Valid, Next::Fail, "resume.error.other_key",
     Step::Login, Cert::Old, false, Journal::None},
    {"paid, the order's key without its certificate", Status::Paid, Key::Neither, J, Keep, Valid, Next::Fail,
     "resume.error.other_key", Step::Login, Cert::Old, false, Journal::None},
    {"paid, old certificate", Status::Paid, Key::OldOnly, J, Keep, Valid, Next::Recover, "", Step::StageKey,
     Cert::Old, false, Journal::None},
    {"paid, old certificate, no journal", Status::Paid, Key::OldOnly, NoJ, Del, Valid, Next::Recover, "",
     Step::StageKey, Cert::Old, false, Journal::Adopt},
    // Issued: how far the new certificate got on the key, and the old key's policy.
    {"issued, no key", Status::Issued, Key::None, J, Keep, Valid, Next::Fail, "resume.error.insert_key",
     Step::Login, Cert::Old, false, Journal::None},
    {"issued, other key", Status::Issued, Key::Other, J, Keep, Valid, Next::Fail, "resume.error.other_key",
     Step::Login, Cert::Old, false, Journal::None},
    {"issued, neither certificate", Status::Issued, Key::Neither, J, Del, Valid, Next::Fail,
     "resume.error.other_key", Step::Login, Cert::Old, false, Journal::None},
    {"issued, not installed, keep", Status::Issued, Key::OldOnly, J, Keep, Valid, Next::Recover, "",
     Step::Install, Cert::Old, true, Journal::None},
    {"issued, not installed, delete", Status::Issued, Key::OldOnly, J, Del, Valid, Next::Recover, "",
     Step::Install, Cert::Old, true, Journal::None},
    {"issued, written without CKA_ID, keep", Status::Issued, Key::OldAndCut, J, Keep, Valid, Next::Recover,
     "", Step::Install, Cert::Old, true, Journal::None},
    {"issued, written without CKA_ID, delete", Status::Issued, Key::OldAndCut, J, Del, Valid, Next::Recover,
     "", Step::Install, Cert::Old, true, Journal::None},
    {"issued, a cut copy and the pending one, delete", Status::Issued, Key::OldCutAndPending, J, Del, Valid,
     Next::Recover, "", Step::Finalize, Cert::Old, true, Journal::None},
    {"issued, installed pending, keep", Status::Issued, Key::OldAndPending, J, Keep, Valid, Next::Recover, "",
     Step::Finalize, Cert::Old, true, Journal::None},
    {"issued, installed pending, delete", Status::Issued, Key::OldAndPending, J, Del, Valid, Next::Recover,
     "", Step::Finalize, Cert::Old, true, Journal::None},
    {"issued, finalised, keep", Status::Issued, Key::OldAndFinal, J, Keep, Valid, Next::Recover, "",
     Step::Confirm, Cert::Old, true, Journal::None},
    {"issued, finalised, delete not carried out", Status::Issued, Key::OldAndFinal, J, Del, Valid,
     Next::Recover, "", Step::Finalize, Cert::Old, true, Journal::None},
    {"issued, finalised, old deleted", Status::Issued, Key::FinalOnly, J, Del, Valid, Next::Recover, "",
     Step::Confirm, Cert::Renewed, true, Journal::None},
    {"issued, finalised, old gone, keep", Status::Issued, Key::FinalOnly, J, Keep, Valid, Next::Recover, "",
     Step::Confirm, Cert::Renewed, true, Journal::None},
    {"issued, pending, old gone", Status::Issued, Key::PendingOnly, J, Del, Valid, Next::Recover, "",
     Step::Finalize, Cert::Renewed, true, Journal::None},
    {"issued, finalised, keep, begun on another kiosk", Status::Issued, Key::OldAndFinal, NoJ, Keep, Valid,
     Next::Recover, "", Step::Confirm, Cert::Old, true, Journal::Adopt},
};

}  // namespace

TEST_CASE("plan_resume: platform order × key objects × journal → resume step and actions") {
  for (const Row& r : kTable) {
    CAPTURE(r.name);
    const ResumePlan p = plan_resume(facts(r.status, r.key, r.journal, r.keep, r.qr_valid));
    REQUIRE(static_cast<int>(p.next) == static_cast<int>(r.next));
    if (r.next == Next::Fail) {
      CHECK(p.error_key == r.error_key);
      continue;
    }
    CHECK(p.resume_at == r.at);
    CHECK(p.cert == r.cert);
    CHECK(p.fetch_new_validity == r.fetch_validity);
    CHECK(p.journal == r.journal_action);
  }
}

TEST_CASE("plan_resume asks for the facts it needs, in turn, and no more") {
  SUBCASE("an order finished on the platform: the key is not looked at") {
    ResumeFacts f = facts(Status::Installed, Key::None, true, true);
    f.key.reset();
    f.keeps_old_key.reset();
    CHECK(plan_resume(f).next == Next::Recover);
  }
  SUBCASE("nothing to resume: the key is not looked at") {
    ResumeFacts f = facts(Status::Closed, Key::None, true, true);
    f.key.reset();
    CHECK(plan_resume(f).next == Next::Fail);
  }
  SUBCASE("paid: the key, then its objects, never the policy") {
    ResumeFacts f = facts(Status::Paid, Key::OldOnly, true, true);
    f.key.reset();
    f.keeps_old_key.reset();
    CHECK(plan_resume(f).next == Next::LookAtKey);
    f.key = KeyFacts{kOrderKey, std::nullopt};
    CHECK(plan_resume(f).next == Next::ReadKeyObjects);
    f.key = key_facts(Key::OldOnly);
    const ResumePlan p = plan_resume(f);
    CHECK(p.next == Next::Recover);
    CHECK(p.resume_at == Step::StageKey);
  }
  SUBCASE("another key is refused before its objects are read (no session is opened on it)") {
    ResumeFacts f = facts(Status::Paid, Key::Other, true, true);
    f.key->certificates.reset();
    const ResumePlan p = plan_resume(f);
    CHECK(p.next == Next::Fail);
    CHECK(p.error_key == "resume.error.other_key");
  }
  SUBCASE("no key in: refused before anything is read") {
    ResumeFacts f = facts(Status::Issued, Key::None, true, true);
    CHECK(plan_resume(f).error_key == "resume.error.insert_key");
  }
  SUBCASE("issued: the policy is looked up once the key's objects are known") {
    ResumeFacts f = facts(Status::Issued, Key::OldAndFinal, true, true);
    f.keeps_old_key.reset();
    CHECK(plan_resume(f).next == Next::LookUpPolicy);
    f.key->certificates.reset();
    CHECK(plan_resume(f).next == Next::ReadKeyObjects);
  }
}
