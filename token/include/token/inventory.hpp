// What is on a key, object by object, by attributes that survive a restart (never object handles), and the
// removal of what an interrupted renewal left there (docs/token.md, "What an interrupted renewal leaves").
//
// A token may create an object in several writes (SoftHSM does: the object with its defaults, then the
// template, then the generated values), so a crash or a pulled key inside C_GenerateKeyPair or
// C_CreateObject can leave an object without its CKA_ID or label, which no search by the renewal's CKA_ID
// finds. The runtime takes inventory() before the renewal's first key generation and keeps it in the
// journal; remove_leftovers() compares the key with it before finalize().
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "token/rollover.hpp"
#include "token/session.hpp"

namespace token {

enum class ObjectKind { Certificate, PublicKey, PrivateKey, Other, Unreadable };
std::string_view to_string(ObjectKind k) noexcept;  // "certificate", "public_key", "private_key", ...
std::optional<ObjectKind> object_kind_from_string(std::string_view s) noexcept;

// One object as its attributes describe it.
struct ObjectPrint {
  ObjectKind kind = ObjectKind::Other;
  std::string key_type;      // keys: "rsa", "ec" or the CKK_ value in hex ("0x…"); empty otherwise
  Bytes id;                  // CKA_ID (empty: none)
  std::string label;         // CKA_LABEL as stored (may be empty; not checked for UTF-8)
  std::string value_sha256;  // certificates: SHA-256 of CKA_VALUE (the fingerprint); keys: of the public
                             // value (EC point, RSA modulus) where the object shows it; else empty
  std::optional<bool> local, sensitive;  // keys: CKA_LOCAL; private keys: CKA_SENSITIVE

  // The same object by what survives a restart: kind, key type, CKA_ID, label, value. Two objects alike in
  // all of them (e.g. two nameless EC private keys) are told apart only by their flags.
  [[nodiscard]] bool same_object(const ObjectPrint& o) const;
  // One line for staff: "private key ec, CKA_ID none, label \"\", not generated on the key".
  [[nodiscard]] std::string describe() const;
  bool operator==(const ObjectPrint&) const = default;
};

// Every object the session sees (logged in: the private ones too): C_FindObjects with an empty template,
// then per object one C_GetAttributeValue (CKA_CLASS, CKA_KEY_TYPE, CKA_ID, CKA_LABEL, CKA_EC_POINT,
// CKA_MODULUS, CKA_LOCAL, CKA_SENSITIVE) and, for certificates, one for CKA_VALUE. No secret value is
// read. An object the token will not describe is listed as Unreadable. Errors: TokenRemoved, DeviceError.
Result<std::vector<ObjectPrint>> inventory(Session& session);

struct LeftoverReport {
  std::vector<ObjectPrint> removed;  // made by this renewal and left by an interrupted write: destroyed
  std::vector<ObjectPrint> left;     // new since `before` but not provably this renewal's: left alone
};

// Before finalize(), with the renewal's key staged: destroys what the renewal's interrupted writes left on
// the key. Candidates are the objects not in `before` (inventory() before the renewal's first key
// generation) and not the renewal's staged pair or certificates; of those, destroyed (C_DestroyObject) are
// only the provably the renewal's:
//   - a public or private key of the staged key's type, CKA_ID the renewal's or none, label the pending one
//     or none, whose public value (where the object shows it) no certificate on the key carries, and that
//     is not a key without CKA_ID and label that reads back as generated on the key (CKA_LOCAL);
//   - a certificate, CKA_ID the renewal's or none, label the pending one or none, for the staged key.
// Every other candidate is left and reported. Of objects alike (same_object) to ones in `before`, those
// with flags (CKA_LOCAL, CKA_SENSITIVE) none of those had are candidates; any further surplus cannot be
// told from the earlier ones and is only reported.
// Errors: NotLoggedIn, RenewalOutOfOrder (no key staged), TokenRemoved, DeviceError.
Result<LeftoverReport> remove_leftovers(Session& session, const RenewalRef& ref,
                                        std::span<const ObjectPrint> before);

}  // namespace token
