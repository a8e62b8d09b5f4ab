#include "provision.hpp"

#include <dlfcn.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/ec.h>

#include <cstring>
#include <stdexcept>

#include "foundation/sha256.hpp"
#include "token/certificate.hpp"

namespace testsupport {
namespace {

[[noreturn]] void fail(const char* call, CK_RV rv) {
  throw std::runtime_error(std::string(call) + " failed: " + token::rv_name(rv));
}

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;

token::Module load_module(const std::filesystem::path& p) {
  auto m = token::Module::load(p);
  if (!m) throw std::runtime_error("load " + p.string() + ": " + m.error().to_string());
  return std::move(*m);
}

}  // namespace

RawP11::RawP11(const std::filesystem::path& module_path) : module_(load_module(module_path)) {
  dl_ = dlopen(module_path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (dl_ == nullptr) throw std::runtime_error("module not loaded");
  auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(dl_, "C_GetFunctionList"));
  if (get == nullptr || get(&fl_) != CKR_OK) throw std::runtime_error("C_GetFunctionList");
  dlclose(dl_);  // NOLOAD took a reference; token::Module holds the real one
}

CK_SLOT_ID RawP11::slot_of(std::string_view token_label) const {
  auto t = module_.find_token_by_label(token_label);
  if (!t) throw std::runtime_error("no token " + std::string(token_label) + ": " + t.error().to_string());
  return t->slot;
}

CK_SESSION_HANDLE RawP11::open(CK_SLOT_ID slot) const {
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  CK_RV rv = fl_->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h);
  if (rv != CKR_OK) fail("C_OpenSession", rv);
  return h;
}

void RawP11::login(CK_SESSION_HANDLE h, std::string_view pin) const {
  CK_RV rv = fl_->C_Login(h, CKU_USER, reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.data())), pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) fail("C_Login", rv);
}

void RawP11::close(CK_SESSION_HANDLE h) const noexcept { fl_->C_CloseSession(h); }

std::vector<CK_OBJECT_HANDLE> RawP11::find(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, std::string_view label,
                                           const Bytes& id) const {
  std::vector<CK_ATTRIBUTE> t{attr(CKA_CLASS, &cls, sizeof cls)};
  if (!label.empty()) t.push_back(attr(CKA_LABEL, label.data(), label.size()));
  if (!id.empty()) t.push_back(attr(CKA_ID, id.data(), id.size()));
  CK_RV rv = fl_->C_FindObjectsInit(h, t.data(), t.size());
  if (rv != CKR_OK) fail("C_FindObjectsInit", rv);
  std::vector<CK_OBJECT_HANDLE> out;
  CK_OBJECT_HANDLE batch[32];
  CK_ULONG n = 0;
  while ((rv = fl_->C_FindObjects(h, batch, 32, &n)) == CKR_OK && n > 0) out.insert(out.end(), batch, batch + n);
  fl_->C_FindObjectsFinal(h);
  if (rv != CKR_OK) fail("C_FindObjects", rv);
  return out;
}

std::vector<CK_OBJECT_HANDLE> RawP11::find_all(CK_SESSION_HANDLE h) const {
  CK_RV rv = fl_->C_FindObjectsInit(h, nullptr, 0);
  if (rv != CKR_OK) fail("C_FindObjectsInit", rv);
  std::vector<CK_OBJECT_HANDLE> out;
  CK_OBJECT_HANDLE batch[32];
  CK_ULONG n = 0;
  while ((rv = fl_->C_FindObjects(h, batch, 32, &n)) == CKR_OK && n > 0)
    out.insert(out.end(), batch, batch + n);
  fl_->C_FindObjectsFinal(h);
  if (rv != CKR_OK) fail("C_FindObjects", rv);
  return out;
}

Bytes RawP11::attribute(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) const {
  CK_ATTRIBUTE a{type, nullptr, 0};
  if (fl_->C_GetAttributeValue(h, o, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION) return {};
  Bytes v(a.ulValueLen);
  a.pValue = v.data();
  if (fl_->C_GetAttributeValue(h, o, &a, 1) != CKR_OK) return {};
  return v;
}

bool RawP11::attribute_bool(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) const {
  Bytes v = attribute(h, o, type);
  return v.size() == 1 && v[0] != 0;
}

Bytes RawP11::spki(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE pub) const {
  Bytes type_bytes = attribute(h, pub, CKA_KEY_TYPE);
  CK_KEY_TYPE type = 0;
  if (type_bytes.size() == sizeof type) std::memcpy(&type, type_bytes.data(), sizeof type);
  foundation::CPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld(OSSL_PARAM_BLD_new());
  foundation::CPtr<BIGNUM, BN_free> n, e;
  Bytes point;
  const char* alg = "EC";
  if (type == CKK_RSA) {
    Bytes mod = attribute(h, pub, CKA_MODULUS), exp = attribute(h, pub, CKA_PUBLIC_EXPONENT);
    n.reset(BN_bin2bn(mod.data(), static_cast<int>(mod.size()), nullptr));
    e.reset(BN_bin2bn(exp.data(), static_cast<int>(exp.size()), nullptr));
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    alg = "RSA";
  } else {
    Bytes wrapped = attribute(h, pub, CKA_EC_POINT);  // DER OCTET STRING (SoftHSM)
    point.assign(wrapped.begin() + 2, wrapped.end());
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
  }
  foundation::CPtr<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(bld.get()));
  foundation::CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free> ctx(EVP_PKEY_CTX_new_from_name(nullptr, alg, nullptr));
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(ctx.get()) != 1 || EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    throw std::runtime_error("EVP_PKEY_fromdata");
  EvpPkeyPtr k(key);
  int len = i2d_PUBKEY(k.get(), nullptr);
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  i2d_PUBKEY(k.get(), &p);
  return out;
}

int count_usable_pairs(const RawP11& p11, CK_SLOT_ID slot, std::string_view pin) {
  CK_FUNCTION_LIST* f = p11.f();
  CK_SESSION_HANDLE h = p11.open(slot);
  p11.login(h, pin);
  int usable = 0;
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (CK_OBJECT_HANDLE c : p11.find(h, CKO_CERTIFICATE)) {
    auto info = token::parse_certificate(p11.attribute(h, c, CKA_VALUE));
    if (!info || !info->valid_at(now)) continue;
    Bytes id = p11.attribute(h, c, CKA_ID);
    if (id.empty()) continue;
    for (CK_OBJECT_HANDLE k : p11.find(h, CKO_PRIVATE_KEY, {}, id)) {
      std::uint8_t digest[32];
      RAND_bytes(digest, sizeof digest);
      bool rsa = info->key_description.starts_with("RSA");
      Bytes data(digest, digest + 32);  // RSA: hashed by the token; EC: signed as the digest
      CK_MECHANISM m{rsa ? CKM_SHA256_RSA_PKCS : CKM_ECDSA, nullptr, 0};
      if (f->C_SignInit(h, &m, k) != CKR_OK) continue;
      Bytes sig(512);
      CK_ULONG n = sig.size();
      if (f->C_Sign(h, data.data(), data.size(), sig.data(), &n) != CKR_OK) continue;
      sig.resize(n);
      EvpPkeyPtr pub;
      {
        const unsigned char* p = info->spki_der.data();
        pub.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(info->spki_der.size())));
      }
      bool ok = false;
      if (rsa) {
        foundation::CPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
        ok = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub.get()) == 1 &&
             EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size()) == 1;
      } else {
        // Raw r||s over a digest: convert and verify the digest directly.
        foundation::CPtr<ECDSA_SIG, ECDSA_SIG_free> es(ECDSA_SIG_new());
        BIGNUM* r = BN_bin2bn(sig.data(), static_cast<int>(n / 2), nullptr);
        BIGNUM* s = BN_bin2bn(sig.data() + n / 2, static_cast<int>(n / 2), nullptr);
        ECDSA_SIG_set0(es.get(), r, s);
        int len = i2d_ECDSA_SIG(es.get(), nullptr);
        Bytes der(static_cast<std::size_t>(len));
        unsigned char* p = der.data();
        i2d_ECDSA_SIG(es.get(), &p);
        foundation::CPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free> ctx(EVP_PKEY_CTX_new(pub.get(), nullptr));
        ok = EVP_PKEY_verify_init(ctx.get()) == 1 &&
             EVP_PKEY_verify(ctx.get(), der.data(), der.size(), digest, sizeof digest) == 1;
      }
      if (ok) {
        ++usable;
        break;
      }
    }
  }
  p11.close(h);
  return usable;
}

CK_ATTRIBUTE attr(CK_ATTRIBUTE_TYPE t, const void* p, std::size_t n) { return {t, const_cast<void*>(p), n}; }

CK_MECHANISM key_pair_mechanism(CustomerKey key, std::vector<CK_ATTRIBUTE>& pub) {
  static const CK_ULONG kBits = 2048;
  static const std::uint8_t kF4[] = {1, 0, 1};
  static const std::uint8_t kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  if (key == CustomerKey::Rsa2048) {
    pub.push_back(attr(CKA_MODULUS_BITS, &kBits, sizeof kBits));
    pub.push_back(attr(CKA_PUBLIC_EXPONENT, kF4, sizeof kF4));
    return {CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  }
  pub.push_back(attr(CKA_EC_PARAMS, kP256, sizeof kP256));
  return {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
}

Customer provision_customer(const RawP11& p11, CK_SLOT_ID slot, TestCa& ca, const CustomerSpec& spec,
                            std::string_view pin) {
  CK_FUNCTION_LIST* f = p11.f();
  CK_SESSION_HANDLE h = p11.open(slot);
  p11.login(h, pin);
  Bytes subject = make_subject(spec.subject);

  CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE kt = spec.key == CustomerKey::Rsa2048 ? CKK_RSA : CKK_EC;
  CK_BBOOL always = spec.always_authenticate ? CK_TRUE : CK_FALSE;
  std::vector<CK_ATTRIBUTE> pub{attr(CKA_CLASS, &pub_class, sizeof pub_class), attr(CKA_KEY_TYPE, &kt, sizeof kt),
                                attr(CKA_TOKEN, &kTrue, 1), attr(CKA_VERIFY, &kTrue, 1),
                                attr(CKA_ID, spec.key_id.data(), spec.key_id.size()),
                                attr(CKA_LABEL, spec.label.data(), spec.label.size())};
  std::vector<CK_ATTRIBUTE> priv{attr(CKA_CLASS, &priv_class, sizeof priv_class), attr(CKA_KEY_TYPE, &kt, sizeof kt),
                                 attr(CKA_TOKEN, &kTrue, 1), attr(CKA_PRIVATE, &kTrue, 1), attr(CKA_SENSITIVE, &kTrue, 1),
                                 attr(CKA_EXTRACTABLE, &kFalse, 1), attr(CKA_SIGN, &kTrue, 1),
                                 attr(CKA_ALWAYS_AUTHENTICATE, &always, 1),
                                 attr(CKA_ID, spec.key_id.data(), spec.key_id.size()),
                                 attr(CKA_LABEL, spec.label.data(), spec.label.size()),
                                 attr(CKA_SUBJECT, subject.data(), subject.size())};
  CK_MECHANISM mech = key_pair_mechanism(spec.key, pub);
  CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
  CK_RV rv = f->C_GenerateKeyPair(h, &mech, pub.data(), pub.size(), priv.data(), priv.size(), &hpub, &hpriv);
  if (rv != CKR_OK) fail("C_GenerateKeyPair", rv);

  Bytes cert = ca.issue(p11.spki(h, hpub), subject, spec.validity);
  CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE ct = CKC_X_509;
  std::vector<CK_ATTRIBUTE> c{attr(CKA_CLASS, &cert_class, sizeof cert_class), attr(CKA_CERTIFICATE_TYPE, &ct, sizeof ct),
                              attr(CKA_TOKEN, &kTrue, 1), attr(CKA_PRIVATE, &kFalse, 1),
                              attr(CKA_ID, spec.key_id.data(), spec.key_id.size()),
                              attr(CKA_LABEL, spec.label.data(), spec.label.size()),
                              attr(CKA_SUBJECT, subject.data(), subject.size()),
                              attr(CKA_VALUE, cert.data(), cert.size())};
  CK_OBJECT_HANDLE hc = 0;
  rv = f->C_CreateObject(h, c.data(), c.size(), &hc);
  if (rv != CKR_OK) fail("C_CreateObject", rv);
  p11.close(h);
  return Customer{spec.key_id, spec.label, cert, foundation::sha256_hex(cert)};
}

}  // namespace testsupport
