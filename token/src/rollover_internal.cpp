#include "rollover_internal.hpp"

#include <fmt/core.h>
#include <openssl/err.h>

#include "foundation/sha256.hpp"
#include "keys.hpp"

namespace token::detail {

namespace {

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

}  // namespace

void der_tlv(Bytes& out, std::uint8_t tag, std::span<const std::uint8_t> value) {
  out.push_back(tag);
  der_length(out, value.size());
  out.insert(out.end(), value.begin(), value.end());
}
namespace {

constexpr std::size_t kKeyIdLen = 20;
// DigestInfo prefix of SHA-256 (RFC 8017 §9.2), for CKM_RSA_PKCS.
constexpr std::uint8_t kSha256DigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                              0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

}  // namespace

// ---- the renewal's objects on the token ----

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

Result<std::vector<CK_OBJECT_HANDLE>> objects_with_id(Session& s, CK_OBJECT_CLASS cls,
                                                      std::span<const std::uint8_t> id) {
  Template t;
  t.ulong(CKA_CLASS, cls).bytes(CKA_ID, id);
  return SessionAccess::find(s, t);
}

Bytes key_id_for(const RenewalRef& ref) {
  std::string seed = fmt::format("CN-CA-KIOSK/key-id/v1:{}:{}", ref.order_id, ref.old_fingerprint);
  auto h = foundation::sha256(bytes_of(seed));
  return Bytes(h.begin(), h.begin() + kKeyIdLen);
}

Result<std::vector<CK_OBJECT_HANDLE>> certificates_with_fingerprint(Session& s,
                                                                    std::span<const std::uint8_t> id,
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
  if (!(*a)[0])
    return fail_with<CertInfo>(ErrorCode::CertificateInvalid, "certificate object without CKA_VALUE");
  auto c = parse_certificate(*(*a)[0]);
  if (!c) return c;
  if ((*a)[1]) c->key_id = *(*a)[1];
  c->label = as_string((*a)[2]);
  return c;
}

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
  // A certificate without a label is one whose writing stopped before it (a token that writes the
  // attributes one by one): not finalised.
  if (!st.certs.empty())
    st.stage = st.cert_label == ref.pending_label() || st.cert_label.empty()
                   ? RenewalStage::CertificateInstalled
                   : RenewalStage::Finalised;
  else if (st.priv != CK_INVALID_HANDLE && st.pub != CK_INVALID_HANDLE)
    st.stage = RenewalStage::KeyStaged;
  return st;
}

Result<void> check_ref(const RenewalRef& ref, const CertInfo& old_cert) {
  if (old_cert.sha256_hex != ref.old_fingerprint)
    return fail_with<void>(ErrorCode::InvalidArgument,
                           "the certificate given is not the one this renewal renews");
  return {};
}

// ---- signing on the token ----

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

Result<bool> check_protected(Session& s, CK_OBJECT_HANDLE priv) {
  auto a = SessionAccess::attributes(s, priv,
                                     {CKA_LOCAL, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_SENSITIVE,
                                      CKA_EXTRACTABLE, CKA_TOKEN, CKA_PRIVATE, CKA_ALWAYS_AUTHENTICATE});
  if (!a) return std::unexpected(a.error());
  const auto& v = *a;
  std::string wrong;
  auto want = [&](std::size_t i, bool expected, const char* name) {
    if (!v[i] || as_bool(v[i]) != expected)
      wrong += fmt::format("{}{}{}", wrong.empty() ? "" : ", ", name, expected ? "" : "=TRUE");
  };
  want(0, true, "CKA_LOCAL");
  want(1, true, "CKA_NEVER_EXTRACTABLE");
  want(2, true, "CKA_ALWAYS_SENSITIVE");
  want(3, true, "CKA_SENSITIVE");
  want(4, false, "CKA_EXTRACTABLE");
  want(5, true, "CKA_TOKEN");
  want(6, true, "CKA_PRIVATE");
  if (!wrong.empty())
    return fail_with<bool>(ErrorCode::KeyNotProtected, "new private key reads back wrong: " + wrong);
  return as_bool(v[7]);
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

}  // namespace token::detail
