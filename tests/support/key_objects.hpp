// Every object on a token with its attributes, for before/after comparisons ("nothing left behind, nothing
// of the customer's touched"), and the customer's other objects that a renewal must never touch: the
// look-alikes of what an interrupted key generation leaves (a key pair without CKA_ID or label, a lone
// public key) and a data object.
#pragma once

#include <p11-kit/pkcs11.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "provision.hpp"

namespace testsupport {

// The attributes of one object that any software may rely on (secret values are never revealed).
struct ObjectDump {
  std::map<CK_ATTRIBUTE_TYPE, Bytes> attrs;
  [[nodiscard]] Bytes get(CK_ATTRIBUTE_TYPE t) const {
    auto it = attrs.find(t);
    return it == attrs.end() ? Bytes{} : it->second;
  }
  [[nodiscard]] std::string describe() const;
  auto operator<=>(const ObjectDump&) const = default;
};

std::vector<ObjectDump> dump_objects(const RawP11& p11, CK_SLOT_ID slot, std::string_view pin = kUserPin);

// The customer's other objects, of the key type a renewal of `key` generates: a generated pair without
// CKA_ID or label, a lone public key without CKA_ID or label, a private data object with a label.
void add_customer_extras(const RawP11& p11, CK_SLOT_ID slot, CustomerKey key,
                         std::string_view pin = kUserPin);

// What changed from `before` to `after`, as lines: an object of `before` missing or changed (unless its
// CKA_ID is `renewed_id`: the renewed pair and certificate, which the old-key policy may delete), and an
// object in `after` that was not in `before` and does not have `renewal_id` (a leftover). The renewal's own
// objects (CKA_ID `renewal_id`) must be exactly a private key, a public key and a certificate.
std::vector<std::string> compare_objects(const std::vector<ObjectDump>& before,
                                         const std::vector<ObjectDump>& after, const Bytes& renewed_id,
                                         const Bytes& renewal_id);

}  // namespace testsupport
