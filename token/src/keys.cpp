#include "keys.hpp"

#include <fmt/core.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "token/personalise.hpp"

namespace token {
namespace detail {
namespace {

// DER of OID 1.2.840.10045.3.1.7 (prime256v1 / P-256), CKA_EC_PARAMS.
constexpr std::uint8_t kP256Params[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

}  // namespace

Result<PairHandles> generate_pair(Session& s, domain::KeyAlgorithm algorithm, std::span<const std::uint8_t> id,
                                  std::string_view label, std::span<const std::uint8_t> subject_der) {
  const CK_KEY_TYPE key_type = algorithm == domain::KeyAlgorithm::Rsa2048 ? CKK_RSA : CKK_EC;
  Template pub, priv;
  pub.ulong(CKA_CLASS, CKO_PUBLIC_KEY).ulong(CKA_KEY_TYPE, key_type).boolean(CKA_TOKEN, true)
      .boolean(CKA_PRIVATE, false).boolean(CKA_VERIFY, true).boolean(CKA_ENCRYPT, false).boolean(CKA_WRAP, false)
      .bytes(CKA_ID, id).text(CKA_LABEL, label);
  priv.ulong(CKA_CLASS, CKO_PRIVATE_KEY).ulong(CKA_KEY_TYPE, key_type).boolean(CKA_TOKEN, true)
      .boolean(CKA_PRIVATE, true).boolean(CKA_SENSITIVE, true).boolean(CKA_EXTRACTABLE, false)
      .boolean(CKA_SIGN, true).boolean(CKA_DECRYPT, false).boolean(CKA_UNWRAP, false)
      .bytes(CKA_ID, id).text(CKA_LABEL, label);
  if (!subject_der.empty()) {
    pub.bytes(CKA_SUBJECT, subject_der);
    priv.bytes(CKA_SUBJECT, subject_der);
  }
  static constexpr std::uint8_t kF4[] = {0x01, 0x00, 0x01};
  CK_MECHANISM mech{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  if (key_type == CKK_RSA) {
    mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
    pub.ulong(CKA_MODULUS_BITS, 2048).bytes(CKA_PUBLIC_EXPONENT, kF4);
  } else {
    pub.bytes(CKA_EC_PARAMS, kP256Params);
  }
  PairHandles h;
  if (auto g = SessionAccess::generate_key_pair(s, mech, pub, priv, h.pub, h.priv); !g) return std::unexpected(g.error());
  return h;
}

Result<EvpPkeyPtr> public_key_of(Session& s, CK_OBJECT_HANDLE pub, CK_KEY_TYPE type) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  foundation::CPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld_guard(bld);
  BnPtr n, e;
  std::string group;
  Bytes point;
  const char* alg = nullptr;
  if (type == CKK_RSA) {
    auto a = SessionAccess::attributes(s, pub, {CKA_MODULUS, CKA_PUBLIC_EXPONENT});
    if (!a) return std::unexpected(a.error());
    if (!(*a)[0] || !(*a)[1]) return fail_with<EvpPkeyPtr>(ErrorCode::KeyNotFound, "RSA public key without modulus");
    n.reset(BN_bin2bn((*a)[0]->data(), static_cast<int>((*a)[0]->size()), nullptr));
    e.reset(BN_bin2bn((*a)[1]->data(), static_cast<int>((*a)[1]->size()), nullptr));
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get());
    alg = "RSA";
  } else if (type == CKK_EC) {
    auto a = SessionAccess::attributes(s, pub, {CKA_EC_PARAMS, CKA_EC_POINT});
    if (!a) return std::unexpected(a.error());
    if (!(*a)[0] || !(*a)[1]) return fail_with<EvpPkeyPtr>(ErrorCode::KeyNotFound, "EC public key without point");
    const unsigned char* p = (*a)[0]->data();
    foundation::CPtr<ASN1_OBJECT, ASN1_OBJECT_free> oid(
        d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>((*a)[0]->size())));
    if (!oid) return fail_with<EvpPkeyPtr>(ErrorCode::MechanismUnsupported, "EC parameters are not a named curve");
    group = OBJ_nid2sn(OBJ_obj2nid(oid.get()));
    // PKCS#11 says CKA_EC_POINT is a DER OCTET STRING; some tokens give the raw point.
    point = *(*a)[1];
    p = point.data();
    foundation::CPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> os(
        d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(point.size())));
    if (os && p == point.data() + point.size())
      point.assign(ASN1_STRING_get0_data(os.get()), ASN1_STRING_get0_data(os.get()) + ASN1_STRING_length(os.get()));
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    alg = "EC";
  } else {
    return fail_with<EvpPkeyPtr>(ErrorCode::MechanismUnsupported, fmt::format("key type 0x{:x}", type));
  }
  foundation::CPtr<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(bld));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, alg, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return fail_with<EvpPkeyPtr>(ErrorCode::DeviceError, "public key from token: " + openssl_errors());
  return EvpPkeyPtr(key);
}

void certificate_template(Template& t, const CertInfo& cert, std::span<const std::uint8_t> id, std::string_view label) {
  const unsigned char* p = cert.der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(cert.der.size())));
  Bytes serial = x ? to_der(X509_get0_serialNumber(x.get()), i2d_ASN1_INTEGER) : Bytes{};
  t.ulong(CKA_CLASS, CKO_CERTIFICATE).ulong(CKA_CERTIFICATE_TYPE, CKC_X_509).boolean(CKA_TOKEN, true)
      .boolean(CKA_PRIVATE, false).boolean(CKA_MODIFIABLE, true).text(CKA_LABEL, label)
      .bytes(CKA_ID, id).bytes(CKA_SUBJECT, cert.subject.der).bytes(CKA_ISSUER, cert.issuer.der)
      .bytes(CKA_SERIAL_NUMBER, serial).bytes(CKA_VALUE, cert.der);
}

}  // namespace detail

Result<GeneratedPair> generate_pair(Session& session, domain::KeyAlgorithm algorithm, std::span<const std::uint8_t> id,
                                    std::string_view label) {
  using namespace detail;
  if (auto a = SessionAccess::check_logged_in(session); !a) return std::unexpected(a.error());
  auto mechs = SessionAccess::mechanisms(session);
  if (!mechs) return std::unexpected(mechs.error());
  if (!mechs->supports(algorithm))
    return fail_with<GeneratedPair>(ErrorCode::MechanismUnsupported,
                                    fmt::format("token cannot generate and sign with {}", to_string(algorithm)));
  auto h = detail::generate_pair(session, algorithm, id, label, {});
  if (!h) return std::unexpected(h.error());
  auto key = public_key_of(session, h->pub, algorithm == domain::KeyAlgorithm::Rsa2048 ? CKK_RSA : CKK_EC);
  if (!key) return std::unexpected(key.error());
  return GeneratedPair{Bytes(id.begin(), id.end()), spki_of(key->get())};
}

Result<void> write_certificate(Session& session, std::span<const std::uint8_t> der, std::span<const std::uint8_t> id,
                               std::string_view label) {
  using namespace detail;
  auto cert = parse_certificate(der);
  if (!cert) return std::unexpected(cert.error());
  Template t;
  certificate_template(t, *cert, id, label);
  auto h = SessionAccess::create(session, t);
  if (!h) return std::unexpected(h.error());
  return {};
}

}  // namespace token
