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

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "keys.hpp"
#include "ossl.hpp"
#include "p11.hpp"

namespace token {

using detail::SessionAccess;
using detail::Template;
using namespace detail;

namespace {

constexpr std::size_t kKeyIdLen = 20;
// DigestInfo prefix of SHA-256 (RFC 8017 §9.2), for CKM_RSA_PKCS.
constexpr std::uint8_t kSha256DigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                              0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

template <typename T>
std::unexpected<Error> fail_with(ErrorCode code, std::string detail) {
  return std::unexpected(make_error(code, std::move(detail)));
}

// One object of a renewal (found by the derived CKA_ID).
struct Obj {
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  CK_OBJECT_CLASS cls = 0;
  std::optional<CK_KEY_TYPE> key_type;
  std::string label;
};

Result<std::vector<Obj>> objects_of(Session& s, std::span<const std::uint8_t> id) {
  Template t;
  t.bytes(CKA_ID, id);
  auto hs = SessionAccess::find(s, t);
  if (!hs) return std::unexpected(hs.error());
  std::vector<Obj> out;
  for (CK_OBJECT_HANDLE h : *hs) {
    auto a = SessionAccess::attributes(s, h, {CKA_CLASS, CKA_KEY_TYPE, CKA_LABEL});
    if (!a) return std::unexpected(a.error());
    Obj o;
    o.handle = h;
    o.cls = as_ulong((*a)[0]).value_or(~CK_ULONG{0});
    o.key_type = as_ulong((*a)[1]);
    o.label = as_string((*a)[2]);
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<CK_OBJECT_HANDLE>> objects_with_id(Session& s, CK_OBJECT_CLASS cls, std::span<const std::uint8_t> id) {
  Template t;
  t.ulong(CKA_CLASS, cls).bytes(CKA_ID, id);
  return SessionAccess::find(s, t);
}

// The new key pair's CKA_ID, derived from the renewal: the token alone then tells what a renewal has
// done so far, also after the pending label has been replaced by the final one.
Bytes key_id_for(const RenewalRef& ref) {
  std::string seed = fmt::format("CN-CA-KIOSK/key-id/v1:{}:{}", ref.order_id, ref.old_fingerprint);
  auto h = foundation::sha256(bytes_of(seed));
  return Bytes(h.begin(), h.begin() + kKeyIdLen);
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
    if (*v && foundation::sha256_hex(**v) == fp) out.push_back(h);
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

// Signs `tbs` with a private key on the token the way X.509 wants it: RSA PKCS#1 v1.5 with SHA-256
// (CKM_SHA256_RSA_PKCS, or CKM_RSA_PKCS over the DigestInfo), EC: CKM_ECDSA over SHA-256, r‖s → DER.
Result<Bytes> sign_sha256(Session& s, CK_OBJECT_HANDLE priv, CK_KEY_TYPE type, bool always_auth,
                          std::span<const std::uint8_t> tbs) {
  auto mechs = SessionAccess::mechanisms(s);
  if (!mechs) return std::unexpected(mechs.error());
  auto digest = foundation::sha256(tbs);
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

// The same for a key whose type and CKA_ALWAYS_AUTHENTICATE are not known yet.
Result<Bytes> sign_sha256(Session& s, CK_OBJECT_HANDLE priv, std::span<const std::uint8_t> tbs) {
  auto a = SessionAccess::attributes(s, priv, {CKA_KEY_TYPE, CKA_ALWAYS_AUTHENTICATE});
  if (!a) return std::unexpected(a.error());
  return sign_sha256(s, priv, as_ulong((*a)[0]).value_or(~CK_ULONG{0}), as_bool((*a)[1]), tbs);
}

bool verify_sha256(EVP_PKEY* key, std::span<const std::uint8_t> data, std::span<const std::uint8_t> sig) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size()) == 1;
  ERR_clear_error();
  return ok;
}

// What the token holds for a renewal: the objects with its derived CKA_ID.
struct Staged {
  Bytes id;
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
  CK_KEY_TYPE key_type = CKK_EC;
  std::vector<CK_OBJECT_HANDLE> certs;
  std::vector<Obj> objects;  // all of them, with their labels
  RenewalStage stage = RenewalStage::Nothing;
  std::string cert_label;    // the (first) certificate's label
};

KeyAlgorithm algorithm_of(CK_KEY_TYPE t) { return t == CKK_RSA ? KeyAlgorithm::Rsa2048 : KeyAlgorithm::EcP256; }

// One C_FindObjects by CKA_ID, one C_GetAttributeValue per object. The stage follows from what is there:
// the certificate is relabelled last in finalize(), so a certificate without the pending label means
// finalised.
Result<Staged> scan(Session& s, const RenewalRef& ref) {
  Staged st;
  st.id = key_id_for(ref);
  auto objs = objects_of(s, st.id);
  if (!objs) return std::unexpected(objs.error());
  st.objects = std::move(*objs);
  for (const Obj& o : st.objects) {
    if (o.cls == CKO_PRIVATE_KEY && st.priv == CK_INVALID_HANDLE) {
      st.priv = o.handle;
      if (o.key_type) st.key_type = *o.key_type;
    } else if (o.cls == CKO_PUBLIC_KEY && st.pub == CK_INVALID_HANDLE) {
      st.pub = o.handle;
      if (o.key_type) st.key_type = *o.key_type;
    } else if (o.cls == CKO_CERTIFICATE) {
      if (st.certs.empty()) st.cert_label = o.label;
      st.certs.push_back(o.handle);
    }
  }
  if (!st.certs.empty())
    st.stage = st.cert_label == ref.pending_label() ? RenewalStage::CertificateInstalled : RenewalStage::Finalised;
  else if (st.priv != CK_INVALID_HANDLE && st.pub != CK_INVALID_HANDLE)
    st.stage = RenewalStage::KeyStaged;
  return st;
}

// Reads the new private key's protection back; returns its CKA_ALWAYS_AUTHENTICATE.
Result<bool> check_protected(Session& s, CK_OBJECT_HANDLE priv) {
  auto a = SessionAccess::attributes(s, priv, {CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_SENSITIVE,
                                               CKA_EXTRACTABLE, CKA_TOKEN, CKA_PRIVATE, CKA_ALWAYS_AUTHENTICATE});
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
  if (!wrong.empty()) return fail_with<bool>(ErrorCode::KeyNotProtected, "new private key reads back wrong: " + wrong);
  return as_bool(v[7]);
}

Result<void> check_ref(const RenewalRef& ref, const CertInfo& old_cert) {
  if (old_cert.sha256_hex != ref.old_fingerprint)
    return fail_with<void>(ErrorCode::InvalidArgument, "the certificate given is not the one this renewal renews");
  return {};
}

void report(const ProgressFn& progress, RolloverStep step) {
  if (progress) progress(step);
}

// ---- the session's memory of the renewal in progress ----

RolloverCache* cached(Session& s, const RenewalRef& ref) {
  RolloverCache* c = SessionAccess::cache(s).get();
  return c != nullptr && c->order_id == ref.order_id && c->old_fp == ref.old_fingerprint ? c : nullptr;
}

RolloverCache& remember(Session& s, const RenewalRef& ref, const Staged& st, Bytes spki, bool always_auth) {
  auto& c = SessionAccess::cache(s);
  c = std::make_unique<RolloverCache>();
  c->order_id = ref.order_id;
  c->old_fp = ref.old_fingerprint;
  c->id = st.id;
  c->priv = st.priv;
  c->pub = st.pub;
  c->key_type = st.key_type;
  c->always_auth = always_auth;
  c->spki = std::move(spki);
  c->certs = st.certs;
  return *c;
}

// Forgets the session's memory unless the step completes: after a failure the next step reads the token.
class StepGuard {
public:
  explicit StepGuard(Session& s) : s_(s) {}
  StepGuard(const StepGuard&) = delete;
  StepGuard& operator=(const StepGuard&) = delete;
  ~StepGuard() {
    if (!ok_) SessionAccess::cache(s_).reset();
  }
  void done() noexcept { ok_ = true; }

private:
  Session& s_;
  bool ok_ = false;
};

// The staged pair of a renewal that is not finalised, from the session's memory or from the token.
// nullptr: nothing staged. Errors: RenewalOutOfOrder when it is finalised already.
Result<RolloverCache*> load_staged(Session& s, const RenewalRef& ref) {
  if (RolloverCache* c = cached(s, ref)) return c;
  auto st = scan(s, ref);
  if (!st) return std::unexpected(st.error());
  if (st->stage == RenewalStage::Finalised)
    return fail_with<RolloverCache*>(ErrorCode::RenewalOutOfOrder, "this renewal is finalised already");
  if (st->stage == RenewalStage::Nothing) return static_cast<RolloverCache*>(nullptr);
  auto always = SessionAccess::attribute(s, st->priv, CKA_ALWAYS_AUTHENTICATE);
  if (!always) return std::unexpected(always.error());
  auto key = public_key_of(s, st->pub, st->key_type);
  if (!key) return std::unexpected(key.error());
  return &remember(s, ref, *st, spki_of(key->get()), as_bool(*always));
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

// 30 bytes: tokens that cap CKA_LABEL cap it at 32 (the size of a token's own label) or more. The CKA_ID
// already ties the objects to the renewal; the label only says "pending" and which renewal at a glance.
std::string RenewalRef::pending_label() const {
  const Bytes id = key_id_for(*this);
  return std::string(kPendingLabelPrefix) + foundation::hex_encode(std::span(id).first(8));
}

std::string fit_label(std::string_view s) {
  if (s.size() <= kMaxLabelBytes) return std::string(s);
  std::size_t n = kMaxLabelBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 character
  return std::string(s.substr(0, n));
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
  auto st = scan(s, ref);
  if (!st) return std::unexpected(st.error());
  RenewalState out;
  out.stage = st->stage;
  out.staged_pairs = static_cast<unsigned>(std::count_if(st->objects.begin(), st->objects.end(),
                                                         [](const Obj& o) { return o.cls == CKO_PRIVATE_KEY; }));
  if (st->stage == RenewalStage::Nothing) return out;
  out.key_id = st->id;
  if (st->priv != CK_INVALID_HANDLE) out.algorithm = algorithm_of(st->key_type);
  if (!st->certs.empty()) {
    auto c = read_certificate(s, st->certs.front());
    if (!c) return std::unexpected(c.error());
    out.new_certificate = std::move(*c);
  }
  if (st->stage == RenewalStage::Finalised) {
    out.finalisation_complete = std::none_of(st->objects.begin(), st->objects.end(),
                                             [&](const Obj& o) { return o.label == ref.pending_label(); });
    auto old = certificates_with_fingerprint(s, {}, ref.old_fingerprint);
    if (!old) return std::unexpected(old.error());
    out.old_certificate_present = !old->empty();
  } else {
    out.old_certificate_present = true;  // nothing is retired before finalisation
  }
  return out;
}

Result<StagedKey> stage_key(Session& s, const RenewalRef& ref, const CertInfo& old_cert, KeyAlgorithm algorithm,
                            const ProgressFn& progress) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  StepGuard step(s);
  auto remember_old = [&](RolloverCache& c) {
    c.old_known = true;
    c.old_id = old_cert.key_id;
    c.old_label = old_cert.label;
  };
  if (RolloverCache* c = cached(s, ref)) {
    step.done();
    return StagedKey{c->id, algorithm_of(c->key_type), c->spki, ref.pending_label(), true};
  }
  report(progress, RolloverStep::CheckingToken);
  auto st = scan(s, ref);
  if (!st) return std::unexpected(st.error());

  if (st->priv != CK_INVALID_HANDLE && st->pub != CK_INVALID_HANDLE) {
    // A resumed renewal: the pair generated before the crash is the one the P10 (maybe already sent) uses.
    auto always = check_protected(s, st->priv);
    if (!always) return std::unexpected(always.error());
    auto key = public_key_of(s, st->pub, st->key_type);
    if (!key) return std::unexpected(key.error());
    Bytes spki = spki_of(key->get());
    if (st->stage != RenewalStage::Finalised) remember_old(remember(s, ref, *st, spki, *always));
    step.done();
    return StagedKey{st->id, algorithm_of(st->key_type), std::move(spki), ref.pending_label(), true};
  }
  if (!st->certs.empty())
    return fail_with<StagedKey>(ErrorCode::RenewalOutOfOrder, "this renewal's certificate is there but its key is gone");

  // A half left by an interrupted generation on a token that does not create pairs atomically.
  for (const Obj& o : st->objects)
    if (auto d = SessionAccess::destroy(s, o.handle); !d) return std::unexpected(d.error());

  auto mechs = SessionAccess::mechanisms(s);
  if (!mechs) return std::unexpected(mechs.error());
  if (!mechs->supports(algorithm))
    return fail_with<StagedKey>(ErrorCode::MechanismUnsupported,
                                fmt::format("token cannot generate and sign with {}", to_string(algorithm)));

  const Bytes& id = st->id;
  const std::string label = ref.pending_label();
  const CK_KEY_TYPE key_type = algorithm == KeyAlgorithm::Rsa2048 ? CKK_RSA : CKK_EC;
  report(progress, RolloverStep::GeneratingKeyPair);
  auto pair = generate_pair(s, algorithm, id, label, old_cert.subject.der);
  if (!pair) return std::unexpected(pair.error());
  const CK_OBJECT_HANDLE hpub = pair->pub, hpriv = pair->priv;
  report(progress, RolloverStep::KeyPairGenerated);

  auto always = check_protected(s, hpriv);
  if (!always) {
    (void)SessionAccess::destroy(s, hpriv);
    (void)SessionAccess::destroy(s, hpub);
    return std::unexpected(always.error());
  }
  auto key = public_key_of(s, hpub, key_type);
  if (!key) return std::unexpected(key.error());
  Bytes spki = spki_of(key->get());
  Staged made;
  made.id = id;
  made.priv = hpriv;
  made.pub = hpub;
  made.key_type = key_type;
  remember_old(remember(s, ref, made, spki, *always));
  step.done();
  return StagedKey{id, algorithm, std::move(spki), label, false};
}

Result<CertificationRequest> build_p10(Session& s, const RenewalRef& ref, const CertInfo& old_cert,
                                       const ProgressFn& progress) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  StepGuard step(s);
  auto staged = load_staged(s, ref);
  if (!staged) return std::unexpected(staged.error());
  if (*staged == nullptr)
    return fail_with<CertificationRequest>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
  const RolloverCache& st = **staged;
  EvpPkeyPtr key = key_from_spki(st.spki);

  X509ReqPtr req(X509_REQ_new());
  // The subject's DER verbatim: d2i keeps the encoding, and an unmodified X509_NAME is written back as is.
  const unsigned char* p = old_cert.subject.der.data();
  X509NamePtr subject(d2i_X509_NAME(nullptr, &p, static_cast<long>(old_cert.subject.der.size())));
  X509AlgorPtr alg(X509_ALGOR_new());
  if (!key || !req || !subject || !alg || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(req.get(), subject.get()) != 1 || X509_REQ_set_pubkey(req.get(), key.get()) != 1)
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
  auto sig = sign_sha256(s, st.priv, st.key_type, st.always_auth, tbs);
  if (!sig) return std::unexpected(sig.error());

  BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits || ASN1_BIT_STRING_set(bits.get(), sig->data(), static_cast<int>(sig->size())) != 1)
    return fail_with<CertificationRequest>(ErrorCode::DeviceError, "signature: " + openssl_errors());
  // Without BITS_LEFT OpenSSL would compute "unused bits" from the last byte and drop trailing zero bits
  // of a signature that happens to end in them.
  bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07L);
  bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  X509_REQ_set0_signature(req.get(), bits.release());

  if (X509_REQ_verify(req.get(), key.get()) != 1)
    return fail_with<CertificationRequest>(ErrorCode::VerificationFailed, "P10 does not verify: " + openssl_errors());
  CertificationRequest out;
  out.der = to_der(req.get(), i2d_X509_REQ);
  out.sha256 = foundation::sha256(out.der);
  step.done();
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
  if (!req || p != p10_der.data() + p10_der.size()) {
    ERR_clear_error();
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "not a DER PKCS#10 request");
  }
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

  StepGuard step(s);
  auto staged = load_staged(s, ref);
  if (!staged) return std::unexpected(staged.error());
  if (*staged == nullptr) return fail_with<RenewalProof>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
  EvpPkeyPtr staged_key = key_from_spki((*staged)->spki);
  if (!staged_key || EVP_PKEY_eq(staged_key.get(), req_key) != 1) {
    ERR_clear_error();
    return fail_with<RenewalProof>(ErrorCode::InvalidArgument, "the request is not for this renewal's staged key");
  }

  // The old certificate's private key, on this token; the signature is checked against the certificate.
  if (old_cert.key_id.empty())
    return fail_with<RenewalProof>(ErrorCode::KeyNotFound, "the old certificate has no CKA_ID to find its key by");
  auto keys = objects_with_id(s, CKO_PRIVATE_KEY, old_cert.key_id);
  if (!keys) return std::unexpected(keys.error());
  if (keys->empty()) return fail_with<RenewalProof>(ErrorCode::KeyNotFound, "the old certificate's private key is missing");

  auto digest = foundation::sha256(p10_der);
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
  step.done();
  return proof;
}

Result<CertInfo> install_certificate(Session& s, const RenewalRef& ref, std::span<const std::uint8_t> cert_der,
                                     const ProgressFn& progress) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  auto cert = parse_certificate(cert_der);
  if (!cert) return cert;
  StepGuard step(s);

  RolloverCache* c = cached(s, ref);
  if (c == nullptr) {
    auto st = scan(s, ref);
    if (!st) return std::unexpected(st.error());
    if (st->stage == RenewalStage::Finalised) {
      // Installing the same certificate again is a no-op, another one is refused.
      for (CK_OBJECT_HANDLE h : st->certs) {
        auto got = read_certificate(s, h);
        if (!got) return got;
        if (got->der == cert->der) {
          got->public_key_found = st->pub != CK_INVALID_HANDLE;
          got->private_key_found = st->priv != CK_INVALID_HANDLE;
          step.done();
          return got;
        }
      }
      return fail_with<CertInfo>(ErrorCode::RenewalOutOfOrder, "renewal already finalised with another certificate");
    }
    if (st->stage == RenewalStage::Nothing)
      return fail_with<CertInfo>(ErrorCode::RenewalOutOfOrder, "no staged key for this renewal");
    auto staged = load_staged(s, ref);
    if (!staged) return std::unexpected(staged.error());
    c = *staged;
  }

  EvpPkeyPtr staged_key = key_from_spki(c->spki);
  EvpPkeyPtr cert_key = key_from_spki(cert->spki_der);
  if (!staged_key || !cert_key || EVP_PKEY_eq(cert_key.get(), staged_key.get()) != 1) {
    ERR_clear_error();
    return fail_with<CertInfo>(ErrorCode::CertificateMismatch, "the certificate's public key is not the staged key");
  }

  CK_OBJECT_HANDLE written = CK_INVALID_HANDLE;
  for (CK_OBJECT_HANDLE h : c->certs) {
    auto v = SessionAccess::attribute(s, h, CKA_VALUE);
    if (!v) return std::unexpected(v.error());
    if (*v && **v == cert->der && written == CK_INVALID_HANDLE) {
      written = h;  // written before a crash or a lost answer
    } else if (auto d = SessionAccess::destroy(s, h); !d) {
      return std::unexpected(d.error());
    }
  }
  c->certs.clear();
  if (written == CK_INVALID_HANDLE) {
    Template t;
    certificate_template(t, *cert, c->id, ref.pending_label());
    report(progress, RolloverStep::WritingCertificate);
    auto h = SessionAccess::create(s, t);
    if (!h) return std::unexpected(h.error());
    written = *h;
  }
  c->certs.push_back(written);
  report(progress, RolloverStep::VerifyingCertificate);
  auto back = SessionAccess::attribute(s, written, CKA_VALUE);
  if (!back) return std::unexpected(back.error());
  if (!*back || **back != cert->der)
    return fail_with<CertInfo>(ErrorCode::VerificationFailed, "the certificate read back differs from the one written");

  // The new key and the new certificate work together: a signature on the token that the certificate verifies.
  std::uint8_t challenge[32];
  RAND_bytes(challenge, sizeof challenge);
  auto sig = sign_sha256(s, c->priv, c->key_type, c->always_auth, challenge);
  if (!sig) return std::unexpected(sig.error());
  if (!verify_sha256(cert_key.get(), challenge, *sig))
    return fail_with<CertInfo>(ErrorCode::VerificationFailed, "test signature of the new key does not verify");

  c->cert_der = cert->der;
  cert->key_id = c->id;
  cert->label = ref.pending_label();
  cert->public_key_found = true;
  cert->private_key_found = true;
  step.done();
  return cert;
}

Result<FinalizeResult> finalize(Session& s, const RenewalRef& ref, const FinalizeOptions& options) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  StepGuard step(s);
  FinalizeResult result;
  const std::string pending = ref.pending_label();

  // What is there: from this session's memory (it installed the certificate) or from the token.
  Bytes id;
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE, pub = CK_INVALID_HANDLE, cert_handle = CK_INVALID_HANDLE;
  std::vector<CK_OBJECT_HANDLE> relabel;  // still pending, in the order to relabel: keys, certificate last
  std::string final_label = options.final_label;
  bool was_finalised = false;
  Bytes cert_der;
  RolloverCache* c = cached(s, ref);
  if (c != nullptr && !c->certs.empty() && !c->cert_der.empty()) {
    id = c->id;
    priv = c->priv;
    pub = c->pub;
    cert_handle = c->certs.front();
    cert_der = c->cert_der;
    relabel = {priv, pub, cert_handle};
  } else {
    auto st = scan(s, ref);
    if (!st) return std::unexpected(st.error());
    if (st->stage == RenewalStage::Nothing || st->stage == RenewalStage::KeyStaged)
      return fail_with<FinalizeResult>(ErrorCode::RenewalOutOfOrder, "no new certificate installed for this renewal");
    id = st->id;
    priv = st->priv;
    pub = st->pub;
    cert_handle = st->certs.front();
    was_finalised = st->stage == RenewalStage::Finalised;
    if (was_finalised) final_label = st->cert_label;  // the certificate is relabelled last: it has the final one
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE})
      for (const Obj& o : st->objects)
        if (o.cls == cls && o.label == pending) relabel.push_back(o.handle);
    auto v = SessionAccess::attribute(s, cert_handle, CKA_VALUE);
    if (!v) return std::unexpected(v.error());
    if (*v) cert_der = **v;
  }
  auto cert = parse_certificate(cert_der);
  if (!cert) return std::unexpected(cert.error());

  // The old certificate (still there unless a Delete finalisation got past its relabelling).
  Bytes old_id;
  std::vector<CK_OBJECT_HANDLE> old_certs;
  bool old_looked_up = false;
  auto find_old = [&]() -> Result<void> {
    if (old_looked_up) return {};
    old_looked_up = true;
    auto found = certificates_with_fingerprint(s, c != nullptr && c->old_known ? c->old_id : Bytes{}, ref.old_fingerprint);
    if (!found) return std::unexpected(found.error());
    old_certs = std::move(*found);
    if (!old_certs.empty()) {
      auto oc = read_certificate(s, old_certs.front());
      if (!oc) return std::unexpected(oc.error());
      old_id = oc->key_id;
      if (final_label.empty()) final_label = oc->label;
    }
    return {};
  };

  if (!was_finalised) {
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(options.now);
    if (cert->not_before > now)
      return fail_with<FinalizeResult>(ErrorCode::CertificateNotYetValid,
                                       "the new certificate is not valid yet: the old one stays in use");
    if (final_label.empty()) {
      if (c != nullptr && c->old_known) {
        final_label = c->old_label;
      } else if (auto f = find_old(); !f) {
        return std::unexpected(f.error());
      }
    }
    // Labels we make up ourselves fit any token's limit; the old certificate's label the token took already.
    if (final_label.empty()) final_label = fit_label(cert->subject.common_name);
    if (final_label.empty() || final_label == pending) final_label = fit_label("CN-CA-KIOSK " + cert->serial_hex);
  }

  report(options.progress, RolloverStep::Finalising);
  bool work = false;
  for (CK_OBJECT_HANDLE h : relabel) {
    if (auto r = SessionAccess::set_label(s, h, final_label); !r) return std::unexpected(r.error());
    work = true;
  }

  if (options.old_key_policy == OldKeyPolicy::Delete) {
    if (auto f = find_old(); !f) return std::unexpected(f.error());
    if (!old_id.empty() && old_id != id) {
      // Keep the old key while any other certificate still pairs with it.
      auto sharing = objects_with_id(s, CKO_CERTIFICATE, old_id);
      if (!sharing) return std::unexpected(sharing.error());
      bool shared = std::any_of(sharing->begin(), sharing->end(), [&](CK_OBJECT_HANDLE h) {
        return std::find(old_certs.begin(), old_certs.end(), h) == old_certs.end();
      });
      if (!shared) {
        // Keys first, certificate last: a crash in between leaves the certificate to find them by.
        for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
          auto keys = objects_with_id(s, cls, old_id);
          if (!keys) return std::unexpected(keys.error());
          for (CK_OBJECT_HANDLE k : *keys) {
            if (auto d = SessionAccess::destroy(s, k); !d) return std::unexpected(d.error());
            work = true;
          }
        }
      }
    }
    for (CK_OBJECT_HANDLE h : old_certs) {
      if (auto d = SessionAccess::destroy(s, h); !d) return std::unexpected(d.error());
      work = true;
    }
    result.old_deleted = true;
  }

  if (c != nullptr) c->certs.clear();  // no longer pending: this session's memory of it is done
  cert->key_id = id;
  cert->label = final_label;
  cert->public_key_found = pub != CK_INVALID_HANDLE;
  cert->private_key_found = priv != CK_INVALID_HANDLE;
  result.certificate = std::move(*cert);
  result.already_complete = was_finalised && !work;
  step.done();
  return result;
}

}  // namespace token
