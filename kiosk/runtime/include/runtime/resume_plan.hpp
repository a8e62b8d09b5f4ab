// Where a business is resumed (【继续操作】, `kioskctl renew --resume`, a paid order this certificate
// already has): the platform's order, the objects on the inserted key and this kiosk's journal,
// reconciled into the rollover step to resume at and what to do besides. A pure function of those facts;
// the runtime gathers them (resume_effects.cpp) and runs the plan.
//
// The facts are gathered in turn and only as far as the decision needs them — an order finished on the
// platform is shown without touching the key, another key is refused before a session is opened on it —
// so the plan may ask for the next fact instead of deciding (Next::LookAtKey, ReadKeyObjects,
// LookUpPolicy). Given every fact, it decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "contract/types.hpp"
#include "core/model.hpp"
#include "core/types.hpp"

namespace runtime {

// The platform's order (GET orders/{id}).
struct OrderFacts {
  contract::OrderStatus status = contract::OrderStatus::Paid;
  std::int64_t expires_at = 0;  // unix seconds; an unpaid order's QR code is valid until then
  std::string old_cert_sha256;  // the certificate the order renews
  std::string new_cert_sha256;  // the issued certificate's, empty before issuance
  core::TokenIdentity token;    // the key the order is bound to
};

// A certificate object on the key.
struct KeyObject {
  std::string sha256;
  bool pending_label = false;  // labelled token::kPendingLabelPrefix…: the renewal has not finalised it
  // It has a CKA_ID. install writes the certificate with the renewal's; one without any is what a write
  // cut short leaves on a token that writes attributes one by one: not installed.
  bool has_key_id = true;
};

struct KeyFacts {
  std::optional<core::TokenIdentity> inserted;  // nullopt: no key in
  // The key's certificates; read only once the inserted key is the order's (nullopt: not read yet).
  std::optional<std::vector<KeyObject>> certificates;
};

// This kiosk's journal (the newest business of the order).
struct JournalFacts {
  bool has_business = false;  // false also when the journal could not be read
};

struct ResumeFacts {
  OrderFacts order;
  std::int64_t now = 0;  // unix seconds
  JournalFacts journal;
  std::optional<KeyFacts> key;        // nullopt: not looked at yet
  std::optional<bool> keeps_old_key;  // the product's old-key policy is Keep; nullopt: not looked up yet
};

struct ResumePlan {
  enum class Next {
    Recover,         // BusinessRecovered at resume_at
    Fail,            // ResumeFailed with error_key
    LookAtKey,       // fill in key.inserted, then plan again
    ReadKeyObjects,  // fill in key.certificates (a session on the order's key), then plan again
    LookUpPolicy,    // fill in keeps_old_key, then plan again
  };
  enum class Cert {
    FromOrder,  // the certificate the platform issued (the order is installed): parsed from the order
    Old,        // the old certificate, as on the key
    Renewed,    // the new one as on the key, still bound to the old one's fingerprint
  };
  enum class JournalAction {
    None,
    MarkDone,        // status done and a confirm step {"reconciled":true}: the platform finished without us
    Adopt,           // a business for the order (begun on another kiosk, or the journal lost it), status paid
    MarkNeedsStaff,  // status needs_staff: the counter has it (told while the journal could not record it)
  };
  Next next = Next::Fail;
  std::string error_key;
  core::RenewalStep resume_at = core::RenewalStep::Login;
  Cert cert = Cert::Old;
  bool fetch_new_validity = false;  // ask the platform for the new certificate's dates (issued orders)
  JournalAction journal = JournalAction::None;
};

ResumePlan plan_resume(const ResumeFacts& facts);

}  // namespace runtime
