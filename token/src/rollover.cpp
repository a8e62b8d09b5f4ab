#include "token/rollover.hpp"

#include <fmt/core.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "ossl.hpp"
#include "p11.hpp"

namespace token {

using detail::SessionAccess;
using detail::Template;
using namespace detail;

namespace {

constexpr std::size_t kKeyIdLen = 20;
constexpr std::string_view kMarkerApplication = "CN-CA-KIOSK";
// DER of OID 1.2.840.10045.3.1.7 (prime256v1 / P-256), CKA_EC_PARAMS.
constexpr std::uint8_t kP256Params[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
// DigestInfo prefix of SHA-256 (RFC 8017 §9.2), for CKM_RSA_PKCS.
constexpr std::uint8_t kSha256DigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                              0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

template <typename T>
std::unexpected<Error> fail_with(ErrorCode code, std::string detail) {
  return std::unexpected(make_error(code, std::move(detail)));
}

// One object that carries a renewal label.
struct Obj {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  CK_OBJECT_CLASS cls = 0;
  Bytes id;
  std::optional<CK_KEY_TYPE> key_type;
};

Result<std::vector<Obj>> objects_labelled(Session& s, std::string_view label, std::optional<CK_OBJECT_CLASS> cls = {}) {
  Template t;
  t.text(CKA_LABEL, label);
  if (cls) t.ulong(CKA_CLASS, *cls);
  auto hs = SessionAccess::find(s, t);
  if (!hs) return std::unexpected(hs.error());
  std::vector<Obj> out;
  for (CK_OBJECT_HANDLE h : *hs) {
    auto a = SessionAccess::attributes(s, h, {CKA_CLASS, CKA_ID, CKA_KEY_TYPE});
    if (!a) return std::unexpected(a.error());
    Obj o;
    o.handle = h;
    o.cls = as_ulong((*a)[0]).value_or(~CK_ULONG{0});
    if ((*a)[1]) o.id = *(*a)[1];
    o.key_type = as_ulong((*a)[2]);
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<CK_OBJECT_HANDLE>> objects_with_id(Session& s, CK_OBJECT_CLASS cls, std::span<const std::uint8_t> id) {
  Template t;
  t.ulong(CKA_CLASS, cls).bytes(CKA_ID, id);
  return SessionAccess::find(s, t);
}

// The finalisation marker's content: a few "key=value" lines.
struct Marker {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  Bytes new_id;
  Bytes old_id;
  OldKeyPolicy policy = OldKeyPolicy::Keep;
  std::string final_label;
};

Bytes from_hex(std::string_view hex) {
  Bytes out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

std::string encode_marker(const Marker& m) {
  return fmt::format("v=1\nnew_id={}\nold_id={}\npolicy={}\nfinal_label={}\n", to_hex(m.new_id), to_hex(m.old_id),
                     m.policy == OldKeyPolicy::Delete ? "delete" : "keep", m.final_label);
}

Marker decode_marker(std::string_view text) {
  Marker m;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, eq), v = line.substr(eq + 1);
    if (k == "new_id") m.new_id = from_hex(v);
    if (k == "old_id") m.old_id = from_hex(v);
    if (k == "policy") m.policy = v == "delete" ? OldKeyPolicy::Delete : OldKeyPolicy::Keep;
    if (k == "final_label") m.final_label = v;
  }
  return m;
}

Result<std::optional<Marker>> find_marker(Session& s, const RenewalRef& ref) {
  auto objs = objects_labelled(s, ref.done_label(), CKO_DATA);
  if (!objs) return std::unexpected(objs.error());
  if (objs->empty()) return std::optional<Marker>{};
  auto v = SessionAccess::attribute(s, objs->front().handle, CKA_VALUE);
  if (!v) return std::unexpected(v.error());
  Marker m = decode_marker(as_string(*v));
  m.handle = objs->front().handle;
  return std::optional<Marker>{std::move(m)};
}

// Certificates with this CKA_ID (or every certificate when the id is empty) whose SHA-256 is `fp`.
Result<std::vector<CK_OBJECT_HANDLE>> certificates_with_fingerprint(Session& s, std::span<const std::uint8_t> id,
                                                                    std::string_view fp) {
  Template t;
  t.ulong(CKA_CLASS, CKO_CERTIFICATE);
  if (!id.empty()) t.bytes(CKA_ID, id);
  auto hs = SessionAccess::find(s, t);
  if (!hs) return std::unexpected(hs.error());
  std::vector<CK_OBJECT_HANDLE> out;
  for (CK_OBJECT_HANDLE h : *hs) {
    auto v = SessionAccess::attribute(s, h, CKA_VALUE);
    if (!v) return std::unexpected(v.error());
    if (*v && to_hex(sha256(**v)) == fp) out.push_back(h);
  }
  return out;
}

Result<CertInfo> read_certificate(Session& s, CK_OBJECT_HANDLE h) {
  auto a = SessionAccess::attributes(s, h, {CKA_VALUE, CKA_ID, CKA_LABEL});
  if (!a) return std::unexpected(a.error());
  if (!(*a)[0]) return fail_with<CertInfo>(ErrorCode::CertificateInvalid, "certificate object without CKA_VALUE");
  auto c = parse_certificate(*(*a)[0]);
  if (!c) return c;
  if ((*a)[1]) c->key_id = *(*a)[1];
  c->label = as_string((*a)[2]);
  return c;
}

// The public key of a public-key object as an EVP_PKEY (RSA: modulus + exponent; EC: params + point).
Result<EvpPkeyPtr> public_key_of(Session& s, CK_OBJECT_HANDLE pub, CK_KEY_TYPE type) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  CPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free> bld_guard(bld);
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
    CPtr<ASN1_OBJECT, ASN1_OBJECT_free> oid(d2i_ASN1_OBJECT(nullptr, &p, static_cast<long>((*a)[0]->size())));
    if (!oid) return fail_with<EvpPkeyPtr>(ErrorCode::MechanismUnsupported, "EC parameters are not a named curve");
    group = OBJ_nid2sn(OBJ_obj2nid(oid.get()));
    // PKCS#11 says CKA_EC_POINT is a DER OCTET STRING; some tokens give the raw point.
    point = *(*a)[1];
    p = point.data();
    CPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> os(d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(point.size())));
    if (os && p == point.data() + point.size())
      point.assign(ASN1_STRING_get0_data(os.get()), ASN1_STRING_get0_data(os.get()) + ASN1_STRING_length(os.get()));
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    alg = "EC";
  } else {
    return fail_with<EvpPkeyPtr>(ErrorCode::MechanismUnsupported, fmt::format("key type 0x{:x}", type));
  }
  CPtr<OSSL_PARAM, OSSL_PARAM_free> params(OSSL_PARAM_BLD_to_param(bld));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, alg, nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return fail_with<EvpPkeyPtr>(ErrorCode::DeviceError, "public key from token: " + openssl_errors());
  return EvpPkeyPtr(key);
}

// Signs `tbs` with a private key on the token the way X.509 wants it: RSA PKCS#1 v1.5 with SHA-256
// (CKM_SHA256_RSA_PKCS, or CKM_RSA_PKCS over the DigestInfo), EC: CKM_ECDSA over SHA-256, r‖s → DER.
Result<Bytes> sign_sha256(Session& s, CK_OBJECT_HANDLE priv, std::span<const std::uint8_t> tbs) {
  auto a = SessionAccess::attributes(s, priv, {CKA_KEY_TYPE, CKA_ALWAYS_AUTHENTICATE});
  if (!a) return std::unexpected(a.error());
  auto type = as_ulong((*a)[0]);
  bool always_auth = as_bool((*a)[1]);
  auto mechs = SessionAccess::mechanisms(s);
  if (!mechs) return std::unexpected(mechs.error());
  auto digest = sha256(tbs);
  if (type == CKK_RSA) {
    if (mechs->has(CKM_SHA256_RSA_PKCS, CKF_SIGN)) {
      CK_MECHANISM m{CKM_SHA256_RSA_PKCS, nullptr, 0};
      return SessionAccess::sign(s, priv, m, tbs, always_auth);
    }
    Bytes info(std::begin(kSha256DigestInfo), std::end(kSha256DigestInfo));
    info.insert(info.end(), digest.begin(), digest.end());
    CK_MECHANISM m{CKM_RSA_PKCS, nullptr, 0};
    return SessionAccess::sign(s, priv, m, info, always_auth);
  }
  if (type == CKK_EC) {
    CK_MECHANISM m{CKM_ECDSA, nullptr, 0};
    auto raw = SessionAccess::sign(s, priv, m, digest, always_auth);
    if (!raw) return raw;
    if (raw->empty() || raw->size() % 2 != 0)
      return fail_with<Bytes>(ErrorCode::VerificationFailed, "ECDSA signature of odd length");
    const auto half = static_cast<int>(raw->size() / 2);
    BnPtr r(BN_bin2bn(raw->data(), half, nullptr));
    BnPtr sv(BN_bin2bn(raw->data() + half, half, nullptr));
    EcdsaSigPtr sig(ECDSA_SIG_new());
    if (!r || !sv || !sig || ECDSA_SIG_set0(sig.get(), r.get(), sv.get()) != 1)
      return fail_with<Bytes>(ErrorCode::DeviceError, "ECDSA_SIG: " + openssl_errors());
    (void)r.release();
    (void)sv.release();
    return to_der(sig.get(), i2d_ECDSA_SIG);
  }
  return fail_with<Bytes>(ErrorCode::MechanismUnsupported, "signing key is neither RSA nor EC");
}

bool verify_sha256(EVP_PKEY* key, std::span<const std::uint8_t> data, std::span<const std::uint8_t> sig) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size()) == 1;
  ERR_clear_error();
  return ok;
}

// The staged pair of a renewal, located by its pending label.
struct Staged {
  Bytes id;
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  CK_KEY_TYPE key_type = CKK_EC;
  std::vector<CK_OBJECT_HANDLE> certs;  // pending certificates with the same id
};

KeyAlgorithm algorithm_of(CK_KEY_TYPE t) { return t == CKK_RSA ? KeyAlgorithm::Rsa2048 : KeyAlgorithm::EcP256; }

struct Scan {
  std::optional<Marker> marker;
  std::vector<Obj> pending;
  std::optional<Staged> staged;  // the pair to use: the one with a certificate, else the first complete one
  unsigned complete_pairs = 0;
};

Result<Scan> scan(Session& s, const RenewalRef& ref) {
  Scan out;
  auto marker = find_marker(s, ref);
  if (!marker) return std::unexpected(marker.error());
  out.marker = std::move(*marker);
  auto pending = objects_labelled(s, ref.pending_label());
  if (!pending) return std::unexpected(pending.error());
  out.pending = std::move(*pending);

  std::map<Bytes, Staged> by_id;
  for (const Obj& o : out.pending) {
    Staged& st = by_id[o.id];
    st.id = o.id;
    if (o.cls == CKO_PRIVATE_KEY) {
      st.priv = o.handle;
      if (o.key_type) st.key_type = *o.key_type;
    } else if (o.cls == CKO_PUBLIC_KEY) {
      st.pub = o.handle;
      if (o.key_type) st.key_type = *o.key_type;
    } else if (o.cls == CKO_CERTIFICATE) {
      st.certs.push_back(o.handle);
    }
  }
  for (auto& [id, st] : by_id) {
    if (st.priv == CK_INVALID_HANDLE || st.pub == CK_INVALID_HANDLE || id.empty()) continue;
    ++out.complete_pairs;
    if (!out.staged || (out.staged->certs.empty() && !st.certs.empty())) out.staged = st;
  }
  return out;
}

// Finds the new pair by its id (after finalisation it no longer has the pending label).
Result<Staged> pair_by_id(Session& s, std::span<const std::uint8_t> id) {
  Staged st;
  st.id.assign(id.begin(), id.end());
  auto priv = objects_with_id(s, CKO_PRIVATE_KEY, id);
  if (!priv) return std::unexpected(priv.error());
  auto pub = objects_with_id(s, CKO_PUBLIC_KEY, id);
  if (!pub) return std::unexpected(pub.error());
  auto certs = objects_with_id(s, CKO_CERTIFICATE, id);
  if (!certs) return std::unexpected(certs.error());
  if (!priv->empty()) st.priv = priv->front();
  if (!pub->empty()) st.pub = pub->front();
  st.certs = *certs;
  if (st.priv != CK_INVALID_HANDLE) {
    auto t = SessionAccess::attribute(s, st.priv, CKA_KEY_TYPE);
    if (!t) return std::unexpected(t.error());
    st.key_type = as_ulong(*t).value_or(CKK_EC);
  }
  return st;
}

Result<void> check_protected(Session& s, CK_OBJECT_HANDLE priv) {
  auto a = SessionAccess::attributes(s, priv, {CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_SENSITIVE,
                                               CKA_EXTRACTABLE, CKA_TOKEN, CKA_PRIVATE});
  if (!a) return std::unexpected(a.error());
  const auto& v = *a;
  std::string wrong;
  auto want = [&](std::size_t i, bool expected, const char* name) {
    if (!v[i] || as_bool(v[i]) != expected) wrong += fmt::format("{}{}{}", wrong.empty() ? "" : ", ", name, expected ? "" : "=TRUE");
  };
  want(0, true, "CKA_LOCAL");
  want(1, true, "CKA_NEVER_EXTRACTABLE");
  want(2, true, "CKA_ALWAYS_SENSITIVE");
  want(3, true, "CKA_SENSITIVE");
  want(4, false, "CKA_EXTRACTABLE");
  want(5, true, "CKA_TOKEN");
  want(6, true, "CKA_PRIVATE");
  if (!wrong.empty()) return fail_with<void>(ErrorCode::KeyNotProtected, "new private key reads back wrong: " + wrong);
  return {};
}

Result<void> check_ref(const RenewalRef& ref, const CertInfo& old_cert) {
  if (old_cert.sha256_hex != ref.old_fingerprint)
    return fail_with<void>(ErrorCode::InvalidArgument, "the certificate given is not the one this renewal renews");
  return {};
}

void report(const ProgressFn& progress, RolloverStep step) {
  if (progress) progress(step);
}

bool valid_order_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

void der_length(Bytes& out, std::size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xff) {
    out.push_back(0x81);
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n & 0xff));
  }
}

void der_tlv(Bytes& out, std::uint8_t tag, std::span<const std::uint8_t> value) {
  out.push_back(tag);
  der_length(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
}

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

// ---- public -------------------------------------------------------------------------------------------

Result<RenewalRef> RenewalRef::make(std::string_view order_id, std::string_view old_sha256_hex) {
  if (!valid_order_id(order_id))
    return fail_with<RenewalRef>(ErrorCode::InvalidArgument, "order id must be 1–64 of A-Z a-z 0-9 - _");
  bool hex = old_sha256_hex.size() == 64 && std::all_of(old_sha256_hex.begin(), old_sha256_hex.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
             });
  if (!hex) return fail_with<RenewalRef>(ErrorCode::InvalidArgument, "fingerprint must be 64 lower-case hex digits");
  return RenewalRef{std::string(order_id), std::string(old_sha256_hex)};
}

std::string RenewalRef::pending_label() const {
  return fmt::format("renew-pending:{}:{}", order_id, std::string_view(old_fingerprint).substr(0, 8));
}
std::string RenewalRef::done_label() const {
  return fmt::format("renew-done:{}:{}", order_id, std::string_view(old_fingerprint).substr(0, 8));
}

std::string_view to_string(RenewalStage s) noexcept {
  switch (s) {
    case RenewalStage::Nothing: return "nothing";
    case RenewalStage::KeyStaged: return "key-staged";
    case RenewalStage::CertificateInstalled: return "certificate-installed";
    case RenewalStage::Finalised: return "finalised";
  }
  return "?";
}

std::string_view to_string(RolloverStep s) noexcept {
  switch (s) {
    case RolloverStep::CheckingToken: return "checking-token";
    case RolloverStep::GeneratingKeyPair: return "generating-key-pair";
    case RolloverStep::KeyPairGenerated: return "key-pair-generated";
    case RolloverStep::SigningRequest: return "signing-request";
    case RolloverStep::SigningProof: return "signing-proof";
    case RolloverStep::WritingCertificate: return "writing-certificate";
    case RolloverStep::VerifyingCertificate: return "verifying-certificate";
    case RolloverStep::Finalising: return "finalising";
  }
  return "?";
}

Result<RenewalState> find_renewal(Session& s, const RenewalRef& ref) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  auto sc = scan(s, ref);
  if (!sc) return std::unexpected(sc.error());
  RenewalState st;
  st.staged_pairs = sc->complete_pairs;
  if (sc->marker) {
    st.stage = RenewalStage::Finalised;
    st.key_id = sc->marker->new_id;
    auto pair = pair_by_id(s, st.key_id);
    if (!pair) return std::unexpected(pair.error());
    if (pair->priv != CK_INVALID_HANDLE) st.algorithm = algorithm_of(pair->key_type);
    if (!pair->certs.empty()) {
      auto c = read_certificate(s, pair->certs.front());
      if (!c) return std::unexpected(c.error());
      st.new_certificate = std::move(*c);
    }
    bool relabelled = std::none_of(sc->pending.begin(), sc->pending.end(),
                                   [&](const Obj& o) { return o.id == sc->marker->new_id; });
    bool retired = true;
    if (sc->marker->policy == OldKeyPolicy::Delete) {
      auto old = certificates_with_fingerprint(s, sc->marker->old_id, ref.old_fingerprint);
      if (!old) return std::unexpected(old.error());
      retired = old->empty();
    }
    st.finalisation_complete = relabelled && retired;
    return st;
  }
  if (!sc->staged) return st;
  st.key_id = sc->staged->id;
  st.algorithm = algorithm_of(sc->staged->key_type);
  st.stage = RenewalStage::KeyStaged;
  if (!sc->staged->certs.empty()) {
    auto c = read_certificate(s, sc->staged->certs.front());
    if (!c) return std::unexpected(c.error());
    st.new_certificate = std::move(*c);
    st.stage = RenewalStage::CertificateInstalled;
  }
  return st;
}

Result<StagedKey> stage_key(Session& s, const RenewalRef& ref, const CertInfo& old_cert, KeyAlgorithm algorithm,
                            const ProgressFn& progress) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  report(progress, RolloverStep::CheckingToken);
  auto sc = scan(s, ref);
  if (!sc) return std::unexpected(sc.error());

  std::optional<Staged> existing = sc->staged;
  if (!existing && sc->marker) {
    auto pair = pair_by_id(s, sc->marker->new_id);
    if (!pair) return std::unexpected(pair.error());
    if (pair->priv != CK_INVALID_HANDLE && pair->pub != CK_INVALID_HANDLE) existing = std::move(*pair);
  }
  if (existing) {
    // A resumed renewal: the pair generated before the crash is the one the P10 (maybe already sent) uses.
    if (auto a = check_protected(s, existing->priv); !a) return std::unexpected(a.error());
    auto key = public_key_of(s, existing->pub, existing->key_type);
    if (!key) return std::unexpected(key.error());
    return StagedKey{existing->id, algorithm_of(existing->key_type), spki_of(key->get()), ref.pending_label(), true};
  }
  if (sc->marker)
    return fail_with<StagedKey>(ErrorCode::RenewalOutOfOrder, "renewal already finalised but its key is gone");

  // Halves left by an interrupted generation on a token that does not create pairs atomically.
  for (const Obj& o : sc->pending)
    if (o.cls == CKO_PRIVATE_KEY || o.cls == CKO_PUBLIC_KEY)
      if (auto d = SessionAccess::destroy(s, o.handle); !d) return std::unexpected(d.error());

  auto mechs = SessionAccess::mechanisms(s);
  if (!mechs) return std::unexpected(mechs.error());
  if (!mechs->supports(algorithm))
    return fail_with<StagedKey>(ErrorCode::MechanismUnsupported,
                                fmt::format("token cannot generate and sign with {}", to_string(algorithm)));

  Bytes id(kKeyIdLen);
  if (RAND_bytes(id.data(), static_cast<int>(id.size())) != 1)
    return fail_with<StagedKey>(ErrorCode::DeviceError, "RAND_bytes: " + openssl_errors());
  const std::string label = ref.pending_label();
  const CK_KEY_TYPE key_type = algorithm == KeyAlgorithm::Rsa2048 ? CKK_RSA : CKK_EC;

  Template pub, priv;
  pub.ulong(CKA_CLASS, CKO_PUBLIC_KEY).ulong(CKA_KEY_TYPE, key_type).boolean(CKA_TOKEN, true)
      .boolean(CKA_PRIVATE, false).boolean(CKA_VERIFY, true).boolean(CKA_ENCRYPT, false).boolean(CKA_WRAP, false)
      .bytes(CKA_ID, id).text(CKA_LABEL, label).bytes(CKA_SUBJECT, old_cert.subject.der);
  priv.ulong(CKA_CLASS, CKO_PRIVATE_KEY).ulong(CKA_KEY_TYPE, key_type).boolean(CKA_TOKEN, true)
      .boolean(CKA_PRIVATE, true).boolean(CKA_SENSITIVE, true).boolean(CKA_EXTRACTABLE, false)
      .boolean(CKA_SIGN, true).boolean(CKA_DECRYPT, false).boolean(CKA_UNWRAP, false)
      .bytes(CKA_ID, id).text(CKA_LABEL, label).bytes(CKA_SUBJECT, old_cert.subject.der);
  static constexpr std::uint8_t kF4[] = {0x01, 0x00, 0x01};
  CK_MECHANISM mech{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  if (key_type == CKK_RSA) {
    mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN;
    pub.ulong(CKA_MODULUS_BITS, 2048).bytes(CKA_PUBLIC_EXPONENT, kF4);
  } else {
    pub.bytes(CKA_EC_PARAMS, kP256Params);
  }

  report(progress, RolloverStep::GeneratingKeyPair);
  CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
  if (auto g = SessionAccess::generate_key_pair(s, mech, pub, priv, hpub, hpriv); !g) return std::unexpected(g.error());
  report(progress, RolloverStep::KeyPairGenerated);

  if (auto a = check_protected(s, hpriv); !a) {
    (void)SessionAccess::destroy(s, hpriv);
    (void)SessionAccess::destroy(s, hpub);
    return std::unexpected(a.error());
  }
  auto key = public_key_of(s, hpub, key_type);
  if (!key) return std::unexpected(key.error());
  return StagedKey{std::move(id), algorithm, spki_of(key->get()), label, false};
}

Result<CertificationRequest> build_p10(Session& s, const RenewalRef& ref, const CertInfo& old_cert,
                                       const ProgressFn& progress) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  auto sc = scan(s, ref);
  if (!sc) return std::unexpected(sc.error());
  if (!sc->staged || sc->marker)
    return fail_with<CertificationRequest>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
  const Staged& st = *sc->staged;
  auto key = public_key_of(s, st.pub, st.key_type);
  if (!key) return std::unexpected(key.error());

  X509ReqPtr req(X509_REQ_new());
  // The subject's DER verbatim: d2i keeps the encoding, and an unmodified X509_NAME is written back as is.
  const unsigned char* p = old_cert.subject.der.data();
  X509NamePtr subject(d2i_X509_NAME(nullptr, &p, static_cast<long>(old_cert.subject.der.size())));
  X509AlgorPtr alg(X509_ALGOR_new());
  if (!req || !subject || !alg || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(req.get(), subject.get()) != 1 || X509_REQ_set_pubkey(req.get(), key->get()) != 1)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "X509_REQ: " + openssl_errors());
  if (st.key_type == CKK_RSA)
    X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_sha256WithRSAEncryption), V_ASN1_NULL, nullptr);
  else
    X509_ALGOR_set0(alg.get(), OBJ_nid2obj(NID_ecdsa_with_SHA256), V_ASN1_UNDEF, nullptr);
  if (X509_REQ_set1_signature_algo(req.get(), alg.get()) != 1)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "X509_REQ algorithm: " + openssl_errors());

  unsigned char* tbs_raw = nullptr;
  int tbs_len = i2d_re_X509_REQ_tbs(req.get(), &tbs_raw);
  if (tbs_len <= 0) return fail_with<CertificationRequest>(ErrorCode::DeviceError, "P10 TBS: " + openssl_errors());
  Bytes tbs(tbs_raw, tbs_raw + tbs_len);
  OPENSSL_free(tbs_raw);

  report(progress, RolloverStep::SigningRequest);
  auto sig = sign_sha256(s, st.priv, tbs);
  if (!sig) return std::unexpected(sig.error());

  BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits || ASN1_BIT_STRING_set(bits.get(), sig->data(), static_cast<int>(sig->size())) != 1)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "signature: " + openssl_errors());
  // Without BITS_LEFT OpenSSL would compute "unused bits" from the last byte and drop trailing zero bits
  // of a signature that happens to end in them.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07L);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits.release());

  if (X509_REQ_verify(req.get(), key->get()) != 1)
    return fail_with<CertificationRequest>(ErrorCode::VerificationFailed, "P10 does not verify: " + openssl_errors());
  CertificationRequest out;
  out.der = to_der(req.get(), i2d_X509_REQ);
  out.sha256 = sha256(out.der);
  return out;
}

Bytes encode_renewal_proof_tbs(std::string_view order_id, std::span<const std::uint8_t, 32> p10_sha256,
                               std::span<const std::uint8_t> nonce) {
  Bytes body;
  der_tlv(body, 0x0c, bytes_of(kRenewalProofTag));  // UTF8String
  der_tlv(body, 0x0c, bytes_of(order_id));          // UTF8String
  der_tlv(body, 0x04, p10_sha256);                  // OCTET STRING
  der_tlv(body, 0x04, nonce);                       // OCTET STRING
  Bytes out;
  der_tlv(out, 0x30, body);  // SEQUENCE
  return out;
}

Result<RenewalProof> sign_renewal_proof(Session& s, const RenewalRef& ref, const CertInfo& old_cert,
                                        std::span<const std::uint8_t> p10_der, std::span<const std::uint8_t> nonce,
                                        const ProgressFn& progress) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  if (nonce.size() < 16 || nonce.size() > 64)
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "nonce must have 16–64 bytes");

  // Only a proof for a real request of this renewal: a valid P10 of the staged key, old subject.
  const unsigned char* p = p10_der.data();
  X509ReqPtr req(d2i_X509_REQ(nullptr, &p, static_cast<long>(p10_der.size())));
  if (!req || p != p10_der.data() + p10_der.size())
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "not a DER PKCS#10 request");
  EVP_PKEY* req_key = X509_REQ_get0_pubkey(req.get());
  if (req_key == nullptr || X509_REQ_verify(req.get(), req_key) != 1) {
    ERR_clear_error();
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "the request's signature does not verify");
  }
  const unsigned char* subject_der = nullptr;
  std::size_t subject_len = 0;
  X509_NAME_get0_der(X509_REQ_get_subject_name(req.get()), &subject_der, &subject_len);
  if (Bytes(subject_der, subject_der + subject_len) != old_cert.subject.der)
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "the request's subject is not the old certificate's");

  auto sc = scan(s, ref);
  if (!sc) return std::unexpected(sc.error());
  if (!sc->staged || sc->marker)
    return fail_with<RenewalProof>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
  auto staged_key = public_key_of(s, sc->staged->pub, sc->staged->key_type);
  if (!staged_key) return std::unexpected(staged_key.error());
  if (EVP_PKEY_eq(staged_key->get(), req_key) != 1) {
    ERR_clear_error();
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "the request is not for this renewal's staged key");
  }

  // The old certificate and its private key, on this token.
  if (old_cert.key_id.empty())
    return fail_with<RenewalProof>(ErrorCode::KeyNotFound, "the old certificate has no CKA_ID to find its key by");
  auto certs = certificates_with_fingerprint(s, old_cert.key_id, old_cert.sha256_hex);
  if (!certs) return std::unexpected(certs.error());
  if (certs->empty())
    return fail_with<RenewalProof>(ErrorCode::CertificateNotFound, "the old certificate is not on this token");
  auto keys = objects_with_id(s, CKO_PRIVATE_KEY, old_cert.key_id);
  if (!keys) return std::unexpected(keys.error());
  if (keys->empty()) return fail_with<RenewalProof>(ErrorCode::KeyNotFound, "the old certificate's private key is missing");

  auto digest = sha256(p10_der);
  RenewalProof proof;
  proof.tbs = encode_renewal_proof_tbs(ref.order_id, digest, nonce);
  report(progress, RolloverStep::SigningProof);
  auto sig = sign_sha256(s, keys->front(), proof.tbs);
  if (!sig) return std::unexpected(sig.error());
  proof.signature = std::move(*sig);

  const unsigned char* cp = old_cert.der.data();
  X509Ptr x(d2i_X509(nullptr, &cp, static_cast<long>(old_cert.der.size())));
  EVP_PKEY* old_pub = x ? X509_get0_pubkey(x.get()) : nullptr;
  if (old_pub == nullptr || !verify_sha256(old_pub, proof.tbs, proof.signature))
    return fail_with<RenewalProof>(ErrorCode::VerificationFailed,
                                   "the proof does not verify with the old certificate (key and certificate differ?)");
  proof.algorithm = EVP_PKEY_get_base_id(old_pub) == EVP_PKEY_RSA ? "sha256WithRSAEncryption" : "ecdsa-with-SHA256";
  return proof;
}

Result<CertInfo> install_certificate(Session& s, const RenewalRef& ref, std::span<const std::uint8_t> cert_der,
                                     const ProgressFn& progress) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  auto cert = parse_certificate(cert_der);
  if (!cert) return cert;
  auto sc = scan(s, ref);
  if (!sc) return std::unexpected(sc.error());

  if (sc->marker) {
    // Finalised already: installing the same certificate again is a no-op, another one is refused.
    auto pair = pair_by_id(s, sc->marker->new_id);
    if (!pair) return std::unexpected(pair.error());
    for (CK_OBJECT_HANDLE h : pair->certs) {
      auto c = read_certificate(s, h);
      if (!c) return c;
      if (c->der == cert->der) {
        c->public_key_found = pair->pub != CK_INVALID_HANDLE;
        c->private_key_found = pair->priv != CK_INVALID_HANDLE;
        return c;
      }
    }
    return fail_with<CertInfo>(ErrorCode::RenewalOutOfOrder, "renewal already finalised with another certificate");
  }
  if (!sc->staged) return fail_with<CertInfo>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
  const Staged& st = *sc->staged;

  auto staged_key = public_key_of(s, st.pub, st.key_type);
  if (!staged_key) return std::unexpected(staged_key.error());
  EvpPkeyPtr cert_key = key_from_spki(cert->spki_der);
  if (!cert_key || EVP_PKEY_eq(cert_key.get(), staged_key->get()) != 1) {
    ERR_clear_error();
    return fail_with<CertInfo>(ErrorCode::CertificateMismatch, "the certificate's public key is not the staged key");
  }

  CK_OBJECT_HANDLE written = CK_INVALID_HANDLE;
  for (CK_OBJECT_HANDLE h : st.certs) {
    auto v = SessionAccess::attribute(s, h, CKA_VALUE);
    if (!v) return std::unexpected(v.error());
    if (*v && **v == cert->der && written == CK_INVALID_HANDLE) {
      written = h;  // written before a crash or a lost answer
    } else if (auto d = SessionAccess::destroy(s, h); !d) {
      return std::unexpected(d.error());
    }
  }
  if (written == CK_INVALID_HANDLE) {
    const unsigned char* p = cert->der.data();
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(cert->der.size())));
    Bytes serial = x ? to_der(X509_get0_serialNumber(x.get()), i2d_ASN1_INTEGER) : Bytes{};
    Template t;
    t.ulong(CKA_CLASS, CKO_CERTIFICATE).ulong(CKA_CERTIFICATE_TYPE, CKC_X_509).boolean(CKA_TOKEN, true)
        .boolean(CKA_PRIVATE, false).boolean(CKA_MODIFIABLE, true).text(CKA_LABEL, ref.pending_label())
        .bytes(CKA_ID, st.id).bytes(CKA_SUBJECT, cert->subject.der).bytes(CKA_ISSUER, cert->issuer.der)
        .bytes(CKA_SERIAL_NUMBER, serial).bytes(CKA_VALUE, cert->der);
    report(progress, RolloverStep::WritingCertificate);
    auto h = SessionAccess::create(s, t);
    if (!h) return std::unexpected(h.error());
    written = *h;
  }
  report(progress, RolloverStep::VerifyingCertificate);
  auto back = SessionAccess::attribute(s, written, CKA_VALUE);
  if (!back) return std::unexpected(back.error());
  if (!*back || **back != cert->der)
    return fail_with<CertInfo>(ErrorCode::VerificationFailed, "the certificate read back differs from the one written");

  // The new key and the new certificate work together: a signature on the token that the certificate verifies.
  std::uint8_t challenge[32];
  RAND_bytes(challenge, sizeof challenge);
  auto sig = sign_sha256(s, st.priv, challenge);
  if (!sig) return std::unexpected(sig.error());
  if (!verify_sha256(cert_key.get(), challenge, *sig))
    return fail_with<CertInfo>(ErrorCode::VerificationFailed, "test signature of the new key does not verify");

  cert->key_id = st.id;
  cert->label = ref.pending_label();
  cert->public_key_found = true;
  cert->private_key_found = true;
  return cert;
}

Result<FinalizeResult> finalize(Session& s, const RenewalRef& ref, const FinalizeOptions& options) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  auto sc = scan(s, ref);
  if (!sc) return std::unexpected(sc.error());
  FinalizeResult result;
  Marker marker;

  if (sc->marker) {
    marker = *sc->marker;
  } else {
    if (!sc->staged || sc->staged->certs.empty())
      return fail_with<FinalizeResult>(ErrorCode::RenewalOutOfOrder, "no new certificate installed for this renewal");
    auto cert = read_certificate(s, sc->staged->certs.front());
    if (!cert) return std::unexpected(cert.error());
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(options.now);
    if (cert->not_before > now)
      return fail_with<FinalizeResult>(ErrorCode::CertificateNotYetValid,
                                       "the new certificate is not valid yet: the old one stays in use");
    marker.new_id = sc->staged->id;
    marker.policy = options.old_key_policy;
    marker.final_label = options.final_label;
    auto old = certificates_with_fingerprint(s, {}, ref.old_fingerprint);
    if (!old) return std::unexpected(old.error());
    if (!old->empty()) {
      auto oc = read_certificate(s, old->front());
      if (!oc) return std::unexpected(oc.error());
      marker.old_id = oc->key_id;
      if (marker.final_label.empty()) marker.final_label = oc->label;
    }
    if (marker.final_label.empty()) marker.final_label = cert->subject.common_name;
    if (marker.old_id == marker.new_id) marker.old_id.clear();  // never treat the new key as the old one

    Template t;
    const std::string text = encode_marker(marker);
    t.ulong(CKA_CLASS, CKO_DATA).boolean(CKA_TOKEN, true).boolean(CKA_PRIVATE, false).boolean(CKA_MODIFIABLE, true)
        .text(CKA_LABEL, ref.done_label()).text(CKA_APPLICATION, kMarkerApplication).text(CKA_VALUE, text);
    auto h = SessionAccess::create(s, t);
    if (!h) return std::unexpected(h.error());
    marker.handle = *h;
  }

  bool work = false;
  // The new pair and certificate: from "pending" to their final label.
  for (const Obj& o : sc->pending) {
    if (o.id != marker.new_id) continue;
    if (auto r = SessionAccess::set_label(s, o.handle, marker.final_label); !r) return std::unexpected(r.error());
    work = true;
  }

  if (marker.policy == OldKeyPolicy::Delete) {
    auto old_certs = certificates_with_fingerprint(s, marker.old_id, ref.old_fingerprint);
    if (!old_certs) return std::unexpected(old_certs.error());
    if (!marker.old_id.empty()) {
      // Keep the old key while any other certificate still pairs with it.
      auto sharing = objects_with_id(s, CKO_CERTIFICATE, marker.old_id);
      if (!sharing) return std::unexpected(sharing.error());
      bool shared = std::any_of(sharing->begin(), sharing->end(), [&](CK_OBJECT_HANDLE h) {
        return std::find(old_certs->begin(), old_certs->end(), h) == old_certs->end();
      });
      if (!shared) {
        // Keys first, certificate last: a crash in between leaves the certificate to find them by.
        for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
          auto keys = objects_with_id(s, cls, marker.old_id);
          if (!keys) return std::unexpected(keys.error());
          for (CK_OBJECT_HANDLE k : *keys) {
            if (auto d = SessionAccess::destroy(s, k); !d) return std::unexpected(d.error());
            work = true;
          }
        }
      }
    }
    for (CK_OBJECT_HANDLE h : *old_certs) {
      if (auto d = SessionAccess::destroy(s, h); !d) return std::unexpected(d.error());
      work = true;
    }
    result.old_deleted = true;
  }

  auto pair = pair_by_id(s, marker.new_id);
  if (!pair) return std::unexpected(pair.error());
  if (pair->certs.empty())
    return fail_with<FinalizeResult>(ErrorCode::CertificateNotFound, "the new certificate is gone from the token");
  auto cert = read_certificate(s, pair->certs.front());
  if (!cert) return std::unexpected(cert.error());
  cert->public_key_found = pair->pub != CK_INVALID_HANDLE;
  cert->private_key_found = pair->priv != CK_INVALID_HANDLE;
  result.certificate = std::move(*cert);
  result.already_complete = sc->marker.has_value() && !work;
  return result;
}

}  // namespace token
