#include "tear.hpp"

#include <algorithm>
#include <deque>
#include <initializer_list>
#include <vector>

namespace p11fault {
namespace {

using Blob = std::vector<unsigned char>;

// What the token sets when it creates an object: its kind and, in the model, nothing else of the template.
bool is_identity(CK_ATTRIBUTE_TYPE t) {
  return t == CKA_CLASS || t == CKA_KEY_TYPE || t == CKA_CERTIFICATE_TYPE || t == CKA_TOKEN ||
         t == CKA_PRIVATE;
}

// The parameters of a key pair generation: part of the key, not attributes written later.
bool is_generation_parameter(CK_ATTRIBUTE_TYPE t) {
  return t == CKA_EC_PARAMS || t == CKA_MODULUS_BITS || t == CKA_PUBLIC_EXPONENT;
}

// An object's values, which C_CreateObject needs to make it at all.
bool is_value(CK_ATTRIBUTE_TYPE t) {
  switch (t) {
    case CKA_VALUE:
    case CKA_EC_PARAMS:
    case CKA_EC_POINT:
    case CKA_MODULUS:
    case CKA_PUBLIC_EXPONENT:
    case CKA_PRIVATE_EXPONENT:
    case CKA_PRIME_1:
    case CKA_PRIME_2:
    case CKA_EXPONENT_1:
    case CKA_EXPONENT_2:
    case CKA_COEFFICIENT:
      return true;
    default:
      return false;
  }
}

// A template being put together, owning the values it points to.
class Tmpl {
 public:
  void add(const CK_ATTRIBUTE& a) { a_.push_back(a); }
  void add_bytes(CK_ATTRIBUTE_TYPE t, Blob v) {
    blobs_.push_back(std::move(v));
    a_.push_back({t, blobs_.back().data(), static_cast<CK_ULONG>(blobs_.back().size())});
  }
  void add_ulong(CK_ATTRIBUTE_TYPE t, CK_ULONG v) {
    ulongs_.push_back(v);
    a_.push_back({t, &ulongs_.back(), sizeof(CK_ULONG)});
  }
  // Replaces the attribute, or adds it.
  void set_bool(CK_ATTRIBUTE_TYPE t, bool v) {
    bools_.push_back(v ? CK_TRUE : CK_FALSE);
    for (auto& a : a_)
      if (a.type == t) {
        a.pValue = &bools_.back();
        a.ulValueLen = 1;
        return;
      }
    a_.push_back({t, &bools_.back(), 1});
  }
  CK_ATTRIBUTE_PTR data() { return a_.data(); }
  CK_ULONG size() const { return static_cast<CK_ULONG>(a_.size()); }

 private:
  std::vector<CK_ATTRIBUTE> a_;
  std::deque<CK_BBOOL> bools_;
  std::deque<CK_ULONG> ulongs_;
  std::deque<Blob> blobs_;
};

const CK_ATTRIBUTE* find(CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_ATTRIBUTE_TYPE type) {
  for (CK_ULONG i = 0; i < n; ++i)
    if (t[i].type == type) return &t[i];
  return nullptr;
}

// One half of a pair: its template and the attributes written after the object exists.
struct Half {
  bool is_private = false;
  CK_ATTRIBUTE_PTR t = nullptr;
  CK_ULONG n = 0;
  std::vector<CK_ATTRIBUTE> later;
  // Created, each later attribute, then what generation adds.
  [[nodiscard]] unsigned long total() const { return static_cast<unsigned long>(later.size()) + 2; }
};

Half half(bool is_private, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  Half h{is_private, t, n, {}};
  for (CK_ULONG i = 0; i < n; ++i)
    if (!is_identity(t[i].type) && !is_generation_parameter(t[i].type)) h.later.push_back(t[i]);
  return h;
}

// The values of an object (two C_GetAttributeValue calls); false when any is missing.
bool read_values(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, std::initializer_list<CK_ATTRIBUTE_TYPE> types,
                 Tmpl& into) {
  std::vector<CK_ATTRIBUTE> a;
  for (auto type : types) a.push_back({type, nullptr, 0});
  const auto n = static_cast<CK_ULONG>(a.size());
  if (st().real->C_GetAttributeValue(h, o, a.data(), n) != CKR_OK) return false;
  std::vector<Blob> values;
  values.reserve(a.size());
  for (auto& x : a) {
    if (x.ulValueLen == CK_UNAVAILABLE_INFORMATION) return false;
    values.emplace_back(x.ulValueLen);
    x.pValue = values.back().data();
  }
  if (st().real->C_GetAttributeValue(h, o, a.data(), n) != CKR_OK) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    values[i].resize(a[i].ulValueLen);
    into.add_bytes(a[i].type, std::move(values[i]));
  }
  return true;
}

CK_KEY_TYPE key_type_of(CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  if (const CK_ATTRIBUTE* a = find(t, n, CKA_KEY_TYPE); a && a->ulValueLen == sizeof(CK_ULONG))
    return *static_cast<const CK_ULONG*>(a->pValue);
  return m->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN ? CKK_RSA : CKK_EC;
}

// The half as the token holds it after `done` of its writes (0 < done < total): the session object made
// from it by the real generation read, destroyed, and created again with what was written so far.
CK_RV rebuild(CK_SESSION_HANDLE h, const Half& half, CK_KEY_TYPE type, CK_OBJECT_HANDLE made,
              unsigned long done) {
  Tmpl t;
  t.add_ulong(CKA_CLASS, half.is_private ? CKO_PRIVATE_KEY : CKO_PUBLIC_KEY);
  t.add_ulong(CKA_KEY_TYPE, type);
  t.set_bool(CKA_TOKEN, true);
  if (const CK_ATTRIBUTE* p = find(half.t, half.n, CKA_PRIVATE)) t.add(*p);
  bool ok = false;
  if (type == CKK_RSA && half.is_private) {
    ok = read_values(h, made,
                     {CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2,
                      CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT},
                     t);
  } else if (type == CKK_RSA) {
    ok = read_values(h, made, {CKA_MODULUS, CKA_PUBLIC_EXPONENT}, t);
  } else {
    ok = read_values(h, made, {CKA_EC_PARAMS, half.is_private ? CKA_VALUE : CKA_EC_POINT}, t);
  }
  if (!ok) return CKR_GENERAL_ERROR;
  if (CK_RV rv = st().real->C_DestroyObject(h, made); rv != CKR_OK) return rv;
  if (done == 0) return CKR_OK;
  for (unsigned long i = 0; i + 1 < done && i < half.later.size(); ++i) t.add(half.later[i]);
  CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
  return st().real->C_CreateObject(h, t.data(), t.size(), &o);
}

}  // namespace

unsigned long generate_writes(CK_ATTRIBUTE_PTR pub, CK_ULONG npub, CK_ATTRIBUTE_PTR priv, CK_ULONG npriv) {
  return half(false, pub, npub).total() + half(true, priv, npriv).total();
}

unsigned long create_writes(CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  unsigned long later = 0;
  for (CK_ULONG i = 0; i < n; ++i)
    if (!is_identity(t[i].type) && !is_value(t[i].type) && t[i].type != CKA_SUBJECT) ++later;
  return later + 1;
}

CK_RV torn_generate(const Tear& tear, bool private_first, CK_SESSION_HANDLE h, CK_MECHANISM_PTR m,
                    CK_ATTRIBUTE_PTR pub, CK_ULONG npub, CK_ATTRIBUTE_PTR priv, CK_ULONG npriv,
                    CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv) {
  const Half p = half(false, pub, npub), v = half(true, priv, npriv);
  const Half& first = private_first ? v : p;
  const Half& second = private_first ? p : v;
  if (tear.writes >= first.total() + second.total())
    return tear_outcome(tear, st().real->C_GenerateKeyPair(h, m, pub, npub, priv, npriv, hpub, hpriv));
  // How far each half got.
  const unsigned long done_first = std::min(tear.writes, first.total());
  const unsigned long done_second = tear.writes - done_first;
  const unsigned long done_pub = private_first ? done_second : done_first;
  const unsigned long done_priv = private_first ? done_first : done_second;
  const bool pub_complete = done_pub == p.total(), priv_complete = done_priv == v.total();

  // The real generation: complete halves as asked, the others as extractable session objects.
  Tmpl tp, tv;
  for (CK_ULONG i = 0; i < npub; ++i) tp.add(pub[i]);
  for (CK_ULONG i = 0; i < npriv; ++i) tv.add(priv[i]);
  tp.set_bool(CKA_TOKEN, pub_complete);
  tv.set_bool(CKA_TOKEN, priv_complete);
  if (!priv_complete) {
    tv.set_bool(CKA_SENSITIVE, false);
    tv.set_bool(CKA_EXTRACTABLE, true);
  }
  CK_OBJECT_HANDLE op = CK_INVALID_HANDLE, ov = CK_INVALID_HANDLE;
  CK_RV rv = st().real->C_GenerateKeyPair(h, m, tp.data(), tp.size(), tv.data(), tv.size(), &op, &ov);
  if (rv != CKR_OK) return rv;
  const CK_KEY_TYPE type = key_type_of(m, pub, npub);
  if (!pub_complete) rv = rebuild(h, p, type, op, done_pub);
  if (rv == CKR_OK && !priv_complete) rv = rebuild(h, v, type, ov, done_priv);
  *hpub = CK_INVALID_HANDLE;
  *hpriv = CK_INVALID_HANDLE;
  return tear_outcome(tear, rv == CKR_OK ? CKR_OK : CKR_GENERAL_ERROR);
}

CK_RV torn_create(const Tear& tear, CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                  CK_OBJECT_HANDLE_PTR out) {
  if (tear.writes >= create_writes(t, n)) return tear_outcome(tear, st().real->C_CreateObject(h, t, n, out));
  CK_RV rv = CKR_OK;
  if (tear.writes > 0) {
    Tmpl made, later;
    for (CK_ULONG i = 0; i < n; ++i) {
      if (is_identity(t[i].type) || is_value(t[i].type) || t[i].type == CKA_SUBJECT)
        made.add(t[i]);
      else
        later.add(t[i]);
    }
    for (unsigned long i = 0; i + 1 < tear.writes; ++i) made.add(later.data()[i]);
    CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
    rv = st().real->C_CreateObject(h, made.data(), made.size(), &o);
  }
  *out = CK_INVALID_HANDLE;
  return tear_outcome(tear, rv);
}

CK_RV torn_set(const Tear& tear, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  if (tear.writes >= n) return tear_outcome(tear, st().real->C_SetAttributeValue(h, o, t, n));
  CK_RV rv = CKR_OK;
  if (tear.writes > 0) rv = st().real->C_SetAttributeValue(h, o, t, static_cast<CK_ULONG>(tear.writes));
  return tear_outcome(tear, rv);
}

}  // namespace p11fault
