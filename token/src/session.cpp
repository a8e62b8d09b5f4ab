#include "token/session.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "p11.hpp"

namespace token {

using detail::SessionAccess;

Session::Session(std::shared_ptr<detail::ModuleCore> core, CK_SLOT_ID slot, CK_SESSION_HANDLE h) noexcept
    : core_(std::move(core)), slot_(slot), handle_(h) {}

Session::Session(Session&& o) noexcept
    : core_(std::move(o.core_)),
      slot_(o.slot_),
      handle_(std::exchange(o.handle_, CK_INVALID_HANDLE)),
      logged_in_(std::exchange(o.logged_in_, false)),
      counts_(o.counts_),
      pin_(std::move(o.pin_)),
      mechanisms_(std::move(o.mechanisms_)),
      rollover_(std::move(o.rollover_)) {}

Session& Session::operator=(Session&& o) noexcept {
  if (this != &o) {
    release();
    core_ = std::move(o.core_);
    slot_ = o.slot_;
    handle_ = std::exchange(o.handle_, CK_INVALID_HANDLE);
    logged_in_ = std::exchange(o.logged_in_, false);
    counts_ = o.counts_;
    pin_ = std::move(o.pin_);
    mechanisms_ = std::move(o.mechanisms_);
    rollover_ = std::move(o.rollover_);
  }
  return *this;
}

Session::~Session() { release(); }

void Session::release() noexcept {
  if (core_ && handle_ != CK_INVALID_HANDLE) {
    if (logged_in_) core_->call(&CK_FUNCTION_LIST::C_Logout, handle_);
    core_->call(&CK_FUNCTION_LIST::C_CloseSession, handle_);
  }
  handle_ = CK_INVALID_HANDLE;
  logged_in_ = false;
  pin_.clear();
  rollover_.reset();
}

Result<Session> Session::open(const Module& module, CK_SLOT_ID slot, SessionMode mode) {
  CK_SESSION_HANDLE h = CK_INVALID_HANDLE;
  const CK_FLAGS rw = mode == SessionMode::ReadWrite ? CK_FLAGS{CKF_RW_SESSION} : CK_FLAGS{0};
  const CK_FLAGS flags = CKF_SERIAL_SESSION | rw;
  CK_RV rv = module.core()->call(&CK_FUNCTION_LIST::C_OpenSession, slot, flags, static_cast<void*>(nullptr),
                                 CK_NOTIFY{nullptr}, &h);
  if (rv != CKR_OK) {
    Error e = error_from_rv(rv, "C_OpenSession");
    if (rv == CKR_SLOT_ID_INVALID) e.code = ErrorCode::TokenRemoved;  // the slot went away with the token
    return std::unexpected(std::move(e));
  }
  return Session(module.core(), slot, h);
}

Result<TokenInfo> Session::token_info() {
  if (auto a = SessionAccess::check_alive(*this); !a) return std::unexpected(a.error());
  auto t = detail::read_token_info(*core_, slot_);
  if (!t) {
    if (t.error().drops_handles()) release();
    return std::unexpected(t.error());
  }
  return t;
}

Result<PinFlags> Session::pin_status() {
  auto t = token_info();
  if (!t) return std::unexpected(t.error());
  return t->pin;
}

Result<void> Session::login(const foundation::SecretBuffer& pin, LoginOptions options) {
  auto info = token_info();  // fresh flags before every C_Login
  if (!info) return std::unexpected(info.error());
  auto refuse = [&](ErrorCode code, std::string detail) {
    Error e = make_error(code, std::move(detail));
    e.pin = info->pin;
    return std::unexpected(std::move(e));
  };
  if (info->pin.locked) return refuse(ErrorCode::PinLocked, "CKF_USER_PIN_LOCKED: no login attempted");
  if (info->pin.to_be_changed)
    return refuse(ErrorCode::PinToBeChanged, "CKF_USER_PIN_TO_BE_CHANGED: no login attempted");
  if (info->pin.final_try && !options.final_try_acknowledged)
    return refuse(ErrorCode::PinFinalTry, "CKF_USER_PIN_FINAL_TRY not acknowledged: no login attempted");
  // Many tokens count a PIN of the wrong length as a wrong PIN: do not spend a try on it.
  const auto n = static_cast<unsigned long>(pin.size());
  if (pin.empty() || (info->min_pin_len > 0 && n < info->min_pin_len) ||
      (info->max_pin_len > 0 && info->max_pin_len != CK_UNAVAILABLE_INFORMATION && n > info->max_pin_len))
    return refuse(ErrorCode::PinLenRange,
                  fmt::format("PIN length outside {}–{}: no login attempted", info->min_pin_len, info->max_pin_len));

  ++counts_.user;
  CK_RV rv = core_->call(&CK_FUNCTION_LIST::C_Login, handle_, CK_USER_TYPE{CKU_USER},
                         reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(pin.data())), CK_ULONG{n});
  if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
    logged_in_ = true;
    pin_ = pin.clone();
    return {};
  }
  Error e = SessionAccess::fail(*this, rv, "C_Login");
  if (e.code == ErrorCode::PinIncorrect || e.code == ErrorCode::PinLocked || e.code == ErrorCode::PinToBeChanged ||
      e.code == ErrorCode::PinLenRange) {
    // The flags after the failure: the screen warns "few tries left" / "final try" from them.
    if (auto after = detail::read_token_info(*core_, slot_)) e.pin = after->pin;
  }
  return std::unexpected(std::move(e));
}

void Session::logout() noexcept {
  if (core_ && handle_ != CK_INVALID_HANDLE && logged_in_) core_->call(&CK_FUNCTION_LIST::C_Logout, handle_);
  logged_in_ = false;
  pin_.clear();
  rollover_.reset();
}

Result<Mechanisms> Session::mechanisms() {
  if (mechanisms_) return *mechanisms_;
  if (auto a = SessionAccess::check_alive(*this); !a) return std::unexpected(a.error());
  // Only the mechanisms a renewal uses: a token lists dozens, each C_GetMechanismInfo is a round trip.
  static constexpr CK_MECHANISM_TYPE kUsed[] = {CKM_RSA_PKCS_KEY_PAIR_GEN, CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS,
                                                CKM_EC_KEY_PAIR_GEN, CKM_ECDSA, CKM_ECDSA_SHA256};
  auto m = detail::read_mechanisms(*core_, slot_, kUsed);
  if (!m) {
    if (m.error().drops_handles()) release();
    return std::unexpected(m.error());
  }
  mechanisms_ = *m;
  return m;
}

Result<std::vector<CertInfo>> Session::certificates() {
  if (auto a = SessionAccess::check_alive(*this); !a) return std::unexpected(a.error());
  detail::Template t;
  t.ulong(CKA_CLASS, CKO_CERTIFICATE).ulong(CKA_CERTIFICATE_TYPE, CKC_X_509);
  auto handles = SessionAccess::find(*this, t);
  if (!handles) return std::unexpected(handles.error());

  auto key_ids = [&](CK_OBJECT_CLASS cls) -> Result<std::vector<Bytes>> {
    detail::Template k;
    k.ulong(CKA_CLASS, cls);
    auto hs = SessionAccess::find(*this, k);
    if (!hs) return std::unexpected(hs.error());
    std::vector<Bytes> ids;
    for (CK_OBJECT_HANDLE h : *hs) {
      auto id = SessionAccess::attribute(*this, h, CKA_ID);
      if (!id) return std::unexpected(id.error());
      if (*id && !(*id)->empty()) ids.push_back(std::move(**id));
    }
    return ids;
  };
  auto private_ids = key_ids(CKO_PRIVATE_KEY);
  if (!private_ids) return std::unexpected(private_ids.error());
  auto public_ids = key_ids(CKO_PUBLIC_KEY);
  if (!public_ids) return std::unexpected(public_ids.error());

  std::vector<CertInfo> out;
  for (CK_OBJECT_HANDLE h : *handles) {
    auto a = SessionAccess::attributes(*this, h, {CKA_VALUE, CKA_ID, CKA_LABEL});
    if (!a) return std::unexpected(a.error());
    if (!(*a)[0]) continue;
    auto info = parse_certificate(*(*a)[0]);
    if (!info) continue;  // not ours to judge here; it is simply not shown
    if ((*a)[1]) info->key_id = *(*a)[1];
    info->label = detail::as_string((*a)[2]);
    auto has = [&](const std::vector<Bytes>& ids) {
      return !info->key_id.empty() && std::find(ids.begin(), ids.end(), info->key_id) != ids.end();
    };
    info->public_key_found = has(*public_ids);
    bool priv = has(*private_ids);
    if (priv || logged_in_) info->private_key_found = priv;
    out.push_back(std::move(*info));
  }
  return out;
}

Result<CertInfo> Session::certificate(std::string_view sha256_hex) {
  auto all = certificates();
  if (!all) return std::unexpected(all.error());
  for (auto& c : *all)
    if (c.sha256_hex == sha256_hex) return std::move(c);
  return std::unexpected(make_error(ErrorCode::CertificateNotFound,
                                    fmt::format("no certificate with SHA-256 {} on the token", sha256_hex)));
}

namespace detail {

Template& Template::boolean(CK_ATTRIBUTE_TYPE t, bool v) {
  bools_.push_back(v ? CK_TRUE : CK_FALSE);
  attrs_.push_back({t, &bools_.back(), sizeof(CK_BBOOL)});
  return *this;
}
Template& Template::ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v) {
  ulongs_.push_back(v);
  attrs_.push_back({t, &ulongs_.back(), sizeof(CK_ULONG)});
  return *this;
}
Template& Template::bytes(CK_ATTRIBUTE_TYPE t, std::span<const std::uint8_t> v) {
  blobs_.emplace_back(v.begin(), v.end());
  attrs_.push_back({t, blobs_.back().data(), blobs_.back().size()});
  return *this;
}
Template& Template::text(CK_ATTRIBUTE_TYPE t, std::string_view v) {
  blobs_.emplace_back(v.begin(), v.end());
  attrs_.push_back({t, blobs_.back().data(), blobs_.back().size()});
  return *this;
}

bool as_bool(const std::optional<Bytes>& v, bool fallback) noexcept {
  if (!v || v->size() != sizeof(CK_BBOOL)) return fallback;
  return (*v)[0] != CK_FALSE;
}
std::optional<CK_ULONG> as_ulong(const std::optional<Bytes>& v) noexcept {
  if (!v || v->size() != sizeof(CK_ULONG)) return std::nullopt;
  CK_ULONG x = 0;
  std::memcpy(&x, v->data(), sizeof x);
  return x;
}
std::string as_string(const std::optional<Bytes>& v) {
  if (!v) return {};
  return std::string(v->begin(), v->end());
}

Result<void> SessionAccess::check_alive(Session& s) {
  if (s.handle_ == CK_INVALID_HANDLE)
    return std::unexpected(make_error(ErrorCode::TokenRemoved, "session closed after the token was removed"));
  return {};
}

Result<void> SessionAccess::check_logged_in(Session& s) {
  if (auto a = check_alive(s); !a) return a;
  if (!s.logged_in_) return std::unexpected(make_error(ErrorCode::NotLoggedIn, "this step needs a logged-in session"));
  return {};
}

Error SessionAccess::fail(Session& s, CK_RV rv, std::string_view call) {
  Error e = error_from_rv(rv, call);
  // The session and every object handle died with the token; a reinserted token needs a new session.
  if (e.drops_handles()) s.release();
  return e;
}

Result<std::vector<CK_OBJECT_HANDLE>> SessionAccess::find(Session& s, Template& t) {
  if (auto a = check_alive(s); !a) return std::unexpected(a.error());
  ModuleCore& c = *s.core_;
  CK_RV rv = c.call(&CK_FUNCTION_LIST::C_FindObjectsInit, s.handle_, t.data(), t.size());
  if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_FindObjectsInit"));
  std::vector<CK_OBJECT_HANDLE> out;
  CK_OBJECT_HANDLE batch[64];
  for (;;) {
    CK_ULONG n = 0;
    rv = c.call(&CK_FUNCTION_LIST::C_FindObjects, s.handle_, batch, CK_ULONG{64}, &n);
    if (rv != CKR_OK) {
      c.call(&CK_FUNCTION_LIST::C_FindObjectsFinal, s.handle_);
      return std::unexpected(fail(s, rv, "C_FindObjects"));
    }
    out.insert(out.end(), batch, batch + n);
    if (n < 64) break;
  }
  rv = c.call(&CK_FUNCTION_LIST::C_FindObjectsFinal, s.handle_);
  if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_FindObjectsFinal"));
  return out;
}

namespace {

constexpr CK_ULONG kMaxAttributeBytes = 1024 * 1024;

// Room for the usual value in one call; the two-call form only for what did not fit.
std::size_t size_hint(CK_ATTRIBUTE_TYPE t) {
  switch (t) {
    case CKA_VALUE: return 4096;
    case CKA_MODULUS:
    case CKA_SUBJECT:
    case CKA_ISSUER: return 1024;
    default: return 256;
  }
}

}  // namespace

Result<std::vector<std::optional<Bytes>>> SessionAccess::attributes(Session& s, CK_OBJECT_HANDLE o,
                                                                    std::initializer_list<CK_ATTRIBUTE_TYPE> types) {
  if (auto a = check_alive(s); !a) return std::unexpected(a.error());
  std::vector<std::optional<Bytes>> out;
  std::vector<CK_ATTRIBUTE> t;
  out.reserve(types.size());
  for (auto type : types) {
    out.emplace_back(Bytes(size_hint(type)));
    t.push_back({type, out.back()->data(), out.back()->size()});
  }
  CK_RV rv = s.core_->call(&CK_FUNCTION_LIST::C_GetAttributeValue, s.handle_, o, t.data(), CK_ULONG{t.size()});
  // SENSITIVE / TYPE_INVALID / BUFFER_TOO_SMALL: the others are filled in; those say CK_UNAVAILABLE_INFORMATION.
  if (rv != CKR_OK && rv != CKR_ATTRIBUTE_SENSITIVE && rv != CKR_ATTRIBUTE_TYPE_INVALID && rv != CKR_BUFFER_TOO_SMALL)
    return std::unexpected(fail(s, rv, "C_GetAttributeValue"));
  std::vector<std::size_t> retry;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i].ulValueLen == CK_UNAVAILABLE_INFORMATION) {
      out[i].reset();
      if (rv == CKR_BUFFER_TOO_SMALL) retry.push_back(i);  // too small, or sensitive: ask for the length
    } else {
      out[i]->resize(t[i].ulValueLen);
    }
  }
  for (std::size_t i : retry) {
    CK_ATTRIBUTE a{t[i].type, nullptr, 0};
    rv = s.core_->call(&CK_FUNCTION_LIST::C_GetAttributeValue, s.handle_, o, &a, CK_ULONG{1});
    if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
      continue;
    if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_GetAttributeValue"));
    // The length comes from the module (the key's firmware): no attribute the kiosk reads is near 1 MiB,
    // so a larger claim is a broken module, not an allocation to make.
    if (a.ulValueLen > kMaxAttributeBytes) {
      out[i].reset();
      continue;
    }
    out[i].emplace(a.ulValueLen);
    a.pValue = out[i]->data();
    rv = s.core_->call(&CK_FUNCTION_LIST::C_GetAttributeValue, s.handle_, o, &a, CK_ULONG{1});
    if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_GetAttributeValue"));
    out[i]->resize(a.ulValueLen);
  }
  return out;
}

Result<std::optional<Bytes>> SessionAccess::attribute(Session& s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type) {
  auto a = attributes(s, o, {type});
  if (!a) return std::unexpected(a.error());
  return std::move((*a)[0]);
}

Result<CK_OBJECT_HANDLE> SessionAccess::create(Session& s, Template& t) {
  if (auto a = check_alive(s); !a) return std::unexpected(a.error());
  CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
  CK_RV rv = s.core_->call(&CK_FUNCTION_LIST::C_CreateObject, s.handle_, t.data(), t.size(), &h);
  if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_CreateObject"));
  return h;
}

Result<void> SessionAccess::destroy(Session& s, CK_OBJECT_HANDLE o) {
  if (auto a = check_alive(s); !a) return std::unexpected(a.error());
  CK_RV rv = s.core_->call(&CK_FUNCTION_LIST::C_DestroyObject, s.handle_, o);
  // Already gone (a retried step after a lost answer) is what we wanted.
  if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID) return std::unexpected(fail(s, rv, "C_DestroyObject"));
  return {};
}

Result<void> SessionAccess::set_label(Session& s, CK_OBJECT_HANDLE o, std::string_view label) {
  if (auto a = check_alive(s); !a) return std::unexpected(a.error());
  Template t;
  t.text(CKA_LABEL, label);
  CK_RV rv = s.core_->call(&CK_FUNCTION_LIST::C_SetAttributeValue, s.handle_, o, t.data(), t.size());
  if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_SetAttributeValue"));
  return {};
}

Result<void> SessionAccess::generate_key_pair(Session& s, const CK_MECHANISM& mech, Template& pub, Template& priv,
                                              CK_OBJECT_HANDLE& pub_out, CK_OBJECT_HANDLE& priv_out) {
  if (auto a = check_alive(s); !a) return std::unexpected(a.error());
  CK_MECHANISM m = mech;
  CK_RV rv = s.core_->call(&CK_FUNCTION_LIST::C_GenerateKeyPair, s.handle_, &m, pub.data(), pub.size(), priv.data(),
                           priv.size(), &pub_out, &priv_out);
  if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_GenerateKeyPair"));
  return {};
}

Result<Bytes> SessionAccess::sign(Session& s, CK_OBJECT_HANDLE key, const CK_MECHANISM& mech,
                                  std::span<const std::uint8_t> data, bool always_authenticate) {
  if (auto a = check_alive(s); !a) return std::unexpected(a.error());
  ModuleCore& c = *s.core_;
  CK_MECHANISM m = mech;
  CK_RV rv = c.call(&CK_FUNCTION_LIST::C_SignInit, s.handle_, &m, key);
  if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_SignInit"));
  if (always_authenticate) {
    // CKA_ALWAYS_AUTHENTICATE: this one signature needs the PIN again (the same typed PIN).
    ++s.counts_.context_specific;
    rv = c.call(&CK_FUNCTION_LIST::C_Login, s.handle_, CK_USER_TYPE{CKU_CONTEXT_SPECIFIC},
                reinterpret_cast<CK_UTF8CHAR_PTR>(const_cast<char*>(s.pin_.data())), CK_ULONG{s.pin_.size()});
    if (rv != CKR_OK) {
      Error e = fail(s, rv, "C_Login(CKU_CONTEXT_SPECIFIC)");
      if (s.alive()) {
        // A failing C_Sign ends the pending operation (v2.40 has no other way); it fails, unauthenticated.
        Bytes scratch(512);
        CK_ULONG n = scratch.size();
        c.call(&CK_FUNCTION_LIST::C_Sign, s.handle_, const_cast<CK_BYTE_PTR>(data.data()), CK_ULONG{data.size()},
               scratch.data(), &n);
        if (auto after = read_token_info(c, s.slot_)) e.pin = after->pin;
      }
      return std::unexpected(std::move(e));
    }
  }
  // One C_Sign with room for RSA-4096; the two-call form only when that is too small.
  Bytes sig(512);
  CK_ULONG n = sig.size();
  rv = c.call(&CK_FUNCTION_LIST::C_Sign, s.handle_, const_cast<CK_BYTE_PTR>(data.data()), CK_ULONG{data.size()},
              sig.data(), &n);
  if (rv == CKR_BUFFER_TOO_SMALL) {
    sig.resize(n);
    rv = c.call(&CK_FUNCTION_LIST::C_Sign, s.handle_, const_cast<CK_BYTE_PTR>(data.data()), CK_ULONG{data.size()},
                sig.data(), &n);
  }
  if (rv != CKR_OK) return std::unexpected(fail(s, rv, "C_Sign"));
  sig.resize(n);
  return sig;
}

}  // namespace detail
}  // namespace token
