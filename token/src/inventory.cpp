// inventory(): what is on a key, by attributes that survive a restart.
#include <fmt/core.h>
#include <openssl/core_names.h>

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "foundation/utf8.hpp"
#include "inventory_internal.hpp"

namespace token {

using namespace detail;

namespace {

constexpr std::pair<ObjectKind, std::string_view> kKindNames[] = {
    {ObjectKind::Certificate, "certificate"}, {ObjectKind::PublicKey, "public_key"},
    {ObjectKind::PrivateKey, "private_key"},  {ObjectKind::Other, "other"},
    {ObjectKind::Unreadable, "unreadable"},
};

// The octets of an EC point: CKA_EC_POINT is a DER OCTET STRING by PKCS#11; some tokens give them raw
// (the same reading as public_key_of()).
Bytes ec_point_octets(const Bytes& v) {
  const unsigned char* p = v.data();
  foundation::CPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> os(
      d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(v.size())));
  if (!os || p != v.data() + v.size()) return v;
  const unsigned char* d = ASN1_STRING_get0_data(os.get());
  return Bytes(d, d + ASN1_STRING_length(os.get()));
}

Bytes without_leading_zeros(const Bytes& v) {
  std::size_t i = 0;
  while (i + 1 < v.size() && v[i] == 0) ++i;
  return Bytes(v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
}

}  // namespace

std::string_view to_string(ObjectKind k) noexcept {
  for (const auto& [kind, name] : kKindNames)
    if (kind == k) return name;
  return "other";
}

std::optional<ObjectKind> object_kind_from_string(std::string_view s) noexcept {
  for (const auto& [kind, name] : kKindNames)
    if (name == s) return kind;
  return std::nullopt;
}

bool ObjectPrint::same_object(const ObjectPrint& o) const {
  return kind == o.kind && key_type == o.key_type && id == o.id && label == o.label &&
         value_sha256 == o.value_sha256;
}

std::string ObjectPrint::describe() const {
  std::string kind_text(to_string(kind));
  for (char& c : kind_text)
    if (c == '_') c = ' ';
  std::string out = kind_text;
  if (!key_type.empty()) out += " " + key_type;
  out += ", CKA_ID " + (id.empty() ? std::string("none") : foundation::hex_encode(id));
  out += ", label " + (foundation::utf8_valid(label)
                           ? "\"" + label + "\""
                           : "hex " + foundation::hex_encode(
                                          reinterpret_cast<const std::uint8_t*>(label.data()), label.size()));
  if (!value_sha256.empty())
    out += (kind == ObjectKind::Certificate ? ", SHA-256 " : ", public value SHA-256 ") +
           value_sha256.substr(0, 16) + "…";
  if (local) out += *local ? ", generated on the key" : ", not generated on the key";
  if (sensitive) out += *sensitive ? ", sensitive" : ", not sensitive";
  return out;
}

namespace detail {

std::string key_type_name(std::optional<CK_ULONG> t) {
  if (!t) return {};
  if (*t == CKK_RSA) return "rsa";
  if (*t == CKK_EC) return "ec";
  return fmt::format("0x{:x}", *t);
}

std::string public_value_sha256(const EVP_PKEY* key) {
  if (key == nullptr) return {};
  if (EVP_PKEY_is_a(key, "EC")) {
    std::size_t n = 0;
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &n) != 1)
      return {};
    Bytes point(n);
    if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(), n, &n) != 1)
      return {};
    point.resize(n);
    return foundation::sha256_hex(point);
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    BIGNUM* n = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) != 1) return {};
    BnPtr guard(n);
    Bytes modulus(static_cast<std::size_t>(BN_num_bytes(n)));
    BN_bn2bin(n, modulus.data());
    return foundation::sha256_hex(modulus);
  }
  return {};
}

Result<std::vector<Found>> survey(Session& s) {
  Template all;
  auto handles = SessionAccess::find(s, all);
  if (!handles) return std::unexpected(handles.error());
  std::vector<Found> out;
  for (CK_OBJECT_HANDLE h : *handles) {
    Found f;
    f.handle = h;
    // Public attributes only: CKA_VALUE is asked of certificates alone (a private key's is its secret).
    auto a = SessionAccess::attributes(
        s, h,
        {CKA_CLASS, CKA_KEY_TYPE, CKA_ID, CKA_LABEL, CKA_EC_POINT, CKA_MODULUS, CKA_LOCAL, CKA_SENSITIVE});
    if (!a) {
      if (a.error().drops_handles()) return std::unexpected(a.error());
      f.print.kind = ObjectKind::Unreadable;  // e.g. an object a crash left half written in a file store
      out.push_back(std::move(f));
      continue;
    }
    const auto& v = *a;
    const std::optional<CK_ULONG> cls = as_ulong(v[0]);
    ObjectPrint& p = f.print;
    p.kind = !cls                      ? ObjectKind::Unreadable
             : *cls == CKO_CERTIFICATE ? ObjectKind::Certificate
             : *cls == CKO_PUBLIC_KEY  ? ObjectKind::PublicKey
             : *cls == CKO_PRIVATE_KEY ? ObjectKind::PrivateKey
                                       : ObjectKind::Other;
    if (v[2]) p.id = *v[2];
    p.label = as_string(v[3]);
    if (p.kind == ObjectKind::PublicKey || p.kind == ObjectKind::PrivateKey) {
      p.key_type = key_type_name(as_ulong(v[1]));
      if (v[4] && !v[4]->empty())
        p.value_sha256 = foundation::sha256_hex(ec_point_octets(*v[4]));
      else if (v[5] && !v[5]->empty())
        p.value_sha256 = foundation::sha256_hex(without_leading_zeros(*v[5]));
      if (v[6]) p.local = as_bool(v[6]);
      if (p.kind == ObjectKind::PrivateKey && v[7]) p.sensitive = as_bool(v[7]);
    } else if (p.kind == ObjectKind::Certificate) {
      auto value = SessionAccess::attribute(s, h, CKA_VALUE);
      if (!value && value.error().drops_handles()) return std::unexpected(value.error());
      if (value && *value) {
        f.cert_der = **value;
        p.value_sha256 = foundation::sha256_hex(f.cert_der);
        if (auto c = parse_certificate(f.cert_der))
          f.cert_key_sha256 = public_value_sha256(key_from_spki(c->spki_der).get());
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace detail

Result<std::vector<ObjectPrint>> inventory(Session& s) {
  if (auto a = SessionAccess::check_alive(s); !a) return std::unexpected(a.error());
  auto found = survey(s);
  if (!found) return std::unexpected(found.error());
  std::vector<ObjectPrint> out;
  out.reserve(found->size());
  for (auto& f : *found) out.push_back(std::move(f.print));
  return out;
}

}  // namespace token
