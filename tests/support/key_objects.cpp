#include "key_objects.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "foundation/hex.hpp"

namespace testsupport {
namespace {

constexpr CK_ATTRIBUTE_TYPE kDumped[] = {
    CKA_CLASS,
    CKA_KEY_TYPE,
    CKA_CERTIFICATE_TYPE,
    CKA_TOKEN,
    CKA_PRIVATE,
    CKA_MODIFIABLE,
    CKA_LABEL,
    CKA_ID,
    CKA_SUBJECT,
    CKA_ISSUER,
    CKA_SERIAL_NUMBER,
    CKA_APPLICATION,
    CKA_EC_PARAMS,
    CKA_EC_POINT,
    CKA_MODULUS,
    CKA_PUBLIC_EXPONENT,
    CKA_LOCAL,
    CKA_SENSITIVE,
    CKA_EXTRACTABLE,
    CKA_ALWAYS_SENSITIVE,
    CKA_NEVER_EXTRACTABLE,
    CKA_SIGN,
    CKA_VERIFY,
    CKA_DECRYPT,
    CKA_ENCRYPT,
    CKA_WRAP,
    CKA_UNWRAP,
    CKA_DERIVE,
    CKA_START_DATE,
    CKA_END_DATE,
};

CK_ULONG ulong_of(const Bytes& b) {
  CK_ULONG v = ~CK_ULONG{0};
  if (b.size() == sizeof v) std::memcpy(&v, b.data(), sizeof v);
  return v;
}

constexpr CK_BBOOL kYes = CK_TRUE, kNo = CK_FALSE;

void generate(const RawP11& p11, CK_SESSION_HANDLE h, CustomerKey key, bool private_on_token) {
  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE kt = key == CustomerKey::Rsa2048 ? CKK_RSA : CKK_EC;
  const CK_BBOOL priv_token = private_on_token ? CK_TRUE : CK_FALSE;
  std::vector<CK_ATTRIBUTE> pub{attr(CKA_CLASS, &pub_class, sizeof pub_class),
                                attr(CKA_KEY_TYPE, &kt, sizeof kt), attr(CKA_TOKEN, &kYes, 1),
                                attr(CKA_VERIFY, &kYes, 1)};
  std::vector<CK_ATTRIBUTE> priv{attr(CKA_CLASS, &priv_class, sizeof priv_class),
                                 attr(CKA_KEY_TYPE, &kt, sizeof kt),
                                 attr(CKA_TOKEN, &priv_token, 1),
                                 attr(CKA_PRIVATE, &kYes, 1),
                                 attr(CKA_SENSITIVE, &kYes, 1),
                                 attr(CKA_EXTRACTABLE, &kNo, 1),
                                 attr(CKA_SIGN, &kYes, 1)};
  CK_MECHANISM mech = key_pair_mechanism(key, pub);
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  CK_RV rv =
      p11.f()->C_GenerateKeyPair(h, &mech, pub.data(), pub.size(), priv.data(), priv.size(), &hpub, &hpriv);
  if (rv != CKR_OK) throw std::runtime_error(fmt::format("C_GenerateKeyPair: 0x{:x}", rv));
  if (!private_on_token) p11.f()->C_DestroyObject(h, hpriv);
}

}  // namespace

std::string ObjectDump::describe() const {
  const CK_ULONG cls = ulong_of(get(CKA_CLASS));
  const char* kind = cls == CKO_CERTIFICATE   ? "certificate"
                     : cls == CKO_PUBLIC_KEY  ? "public key"
                     : cls == CKO_PRIVATE_KEY ? "private key"
                     : cls == CKO_DATA        ? "data object"
                                              : "object";
  const Bytes label = get(CKA_LABEL), id = get(CKA_ID);
  return fmt::format("{} label \"{}\" CKA_ID {} LOCAL {}", kind, std::string(label.begin(), label.end()),
                     id.empty() ? "none" : foundation::hex_encode(id), get(CKA_LOCAL) == Bytes{1});
}

std::vector<ObjectDump> dump_objects(const RawP11& p11, CK_SLOT_ID slot, std::string_view pin) {
  CK_SESSION_HANDLE h = p11.open(slot);
  p11.login(h, pin);
  std::vector<ObjectDump> out;
  for (CK_OBJECT_HANDLE o : p11.find_all(h)) {
    ObjectDump d;
    for (CK_ATTRIBUTE_TYPE t : kDumped) d.attrs[t] = p11.attribute(h, o, t);
    const CK_ULONG cls = ulong_of(d.get(CKA_CLASS));
    if (cls == CKO_CERTIFICATE || cls == CKO_DATA || cls == CKO_PUBLIC_KEY)
      d.attrs[CKA_VALUE] = p11.attribute(h, o, CKA_VALUE);
    out.push_back(std::move(d));
  }
  p11.close(h);
  std::sort(out.begin(), out.end());
  return out;
}

void add_customer_extras(const RawP11& p11, CK_SLOT_ID slot, CustomerKey key, std::string_view pin) {
  CK_SESSION_HANDLE h = p11.open(slot);
  p11.login(h, pin);
  generate(p11, h, key, true);   // a pair without CKA_ID or label
  generate(p11, h, key, false);  // a lone public key without CKA_ID or label
  CK_OBJECT_CLASS data = CKO_DATA;
  const std::string label = "张三的备注", app = "customer-app", value = "the customer's own data";
  std::vector<CK_ATTRIBUTE> t{attr(CKA_CLASS, &data, sizeof data),
                              attr(CKA_TOKEN, &kYes, 1),
                              attr(CKA_PRIVATE, &kYes, 1),
                              attr(CKA_LABEL, label.data(), label.size()),
                              attr(CKA_APPLICATION, app.data(), app.size()),
                              attr(CKA_VALUE, value.data(), value.size())};
  CK_OBJECT_HANDLE o = 0;
  CK_RV rv = p11.f()->C_CreateObject(h, t.data(), t.size(), &o);
  p11.close(h);
  if (rv != CKR_OK) throw std::runtime_error(fmt::format("C_CreateObject: 0x{:x}", rv));
}

std::vector<std::string> compare_objects(const std::vector<ObjectDump>& before,
                                         const std::vector<ObjectDump>& after, const Bytes& renewed_id,
                                         const Bytes& renewal_id) {
  std::vector<std::string> problems;
  std::vector<ObjectDump> rest = after;
  for (const ObjectDump& b : before) {
    auto it = std::find(rest.begin(), rest.end(), b);
    if (it != rest.end()) {
      rest.erase(it);
    } else if (b.get(CKA_ID) != renewed_id) {
      problems.push_back("the customer's object missing or changed: " + b.describe());
    }
  }
  int priv = 0, pub = 0, cert = 0;
  for (const ObjectDump& a : rest) {
    if (a.get(CKA_ID) != renewal_id) {
      problems.push_back("left behind: " + a.describe());
      continue;
    }
    const CK_ULONG cls = ulong_of(a.get(CKA_CLASS));
    priv += cls == CKO_PRIVATE_KEY;
    pub += cls == CKO_PUBLIC_KEY;
    cert += cls == CKO_CERTIFICATE;
  }
  if (priv != 1 || pub != 1 || cert != 1)
    problems.push_back(
        fmt::format("the renewal's own objects: {} private, {} public, {} certificate(s)", priv, pub, cert));
  return problems;
}

}  // namespace testsupport
