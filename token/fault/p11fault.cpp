// libp11fault.so: a PKCS#11 module that forwards every call to a real one and injects faults.
//
// Environment (read at C_Initialize):
//   P11FAULT_MODULE   the real module (default /usr/lib/softhsm/libsofthsm2.so)
//   P11FAULT_CONTROL  the control file, re-read whenever it changes (stat: inode, size, mtime)
//   P11FAULT_STATS    a file rewritten after every call: "<name> <count>" lines, with C_Login split into
//                     C_Login.user / C_Login.context_specific / C_Login.so, "total", and the thread CPU
//                     and wall time spent inside the real module (real_cpu_us, real_wall_us), the writes
//                     the tear model splits the last C_GenerateKeyPair / C_CreateObject /
//                     C_SetAttributeValue into ("writes.<C_Name>") and the torn calls ("torn.<C_Name>");
//                     counted from C_Initialize
//   P11FAULT_TRACE    a file that gets one line per call: "<seq> <name> <CK_RV>"
//
// Control file, one directive per line ('#' starts a comment). Rules count calls from the moment the
// file was (re)loaded; write it atomically (temp file + rename).
//   removed 0|1                            the token is pulled (1) or in (0)
//   fail <C_Name|*> <n> <CKR_…|0x…> before|after [pull]
//                                          the n-th matching call returns that CK_RV, either without
//                                          reaching the token (before) or after the token did the work
//                                          (after: the answer is lost); "pull" also pulls the token
//   pull <C_Name|*> <n> before|after       = fail … CKR_DEVICE_REMOVED … pull
//   tear <C_Name> <n> <k> kill|pull|<CKR_…|0x…>
//                                          the n-th C_GenerateKeyPair, C_CreateObject or
//                                          C_SetAttributeValue that reaches the token is carried out as a
//                                          token that writes objects non-atomically would: only its first k
//                                          writes happen (tear.hpp lists them), then the process is killed
//                                          inside the call (SIGKILL), the token pulled (CKR_DEVICE_REMOVED),
//                                          or the call returns that CK_RV
//   tear_order public-first|private-first  which half a torn C_GenerateKeyPair writes first (default
//                                          public-first, as SoftHSM)
//   keygen_sleep_ms <ms>                   C_GenerateKeyPair (and C_GenerateKey) sleep first
//   manufacturer|model|serial|label <text> what C_GetTokenInfo reports instead (e.g. Haitai / HaiKey)
//   port <label>                           the reader has one port: only the token whose real label this
//                                          is counts as inserted (the others are not listed as present and
//                                          answer CKR_TOKEN_NOT_PRESENT); changing it pulls the token that
//                                          was in (its sessions die) and inserts the other
//   pin_count_low_after <n>                after n wrong PINs in a row: CKF_USER_PIN_COUNT_LOW
//   pin_final_try_after <n>                … CKF_USER_PIN_FINAL_TRY
//   pin_lock_after <n>                     … CKF_USER_PIN_LOCKED; every C_Login then → CKR_PIN_LOCKED
//   pin_failures <n>                       set the wrong-PIN counter on load (a good login resets it)
//   pin_to_be_changed 0|1                  CKF_USER_PIN_TO_BE_CHANGED
//
// While removed: C_GetSlotList(CK_TRUE) lists no slot, C_GetSlotInfo clears CKF_TOKEN_PRESENT,
// C_GetTokenInfo/C_OpenSession/... return CKR_TOKEN_NOT_PRESENT, calls on a session return
// CKR_DEVICE_REMOVED. The real sessions are closed at removal (which logs out); after reinsertion the old
// session handles stay invalid (CKR_SESSION_HANDLE_INVALID).
#include <p11-kit/pkcs11.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "control.hpp"
#include "tear.hpp"

namespace {

using namespace p11fault;

CK_FUNCTION_LIST g_list{};

}  // namespace

// ---- the module's functions ---------------------------------------------------------------------------

extern "C" {

static CK_RV w_Initialize(CK_VOID_PTR args) {
  State& s = st();
  std::lock_guard lock(s.mu);
  if (s.real == nullptr) {
    const char* path = std::getenv("P11FAULT_MODULE");
    s.dl = dlopen(path && *path ? path : "/usr/lib/softhsm/libsofthsm2.so", RTLD_NOW | RTLD_LOCAL);
    if (s.dl == nullptr) return CKR_GENERAL_ERROR;
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(s.dl, "C_GetFunctionList"));
    if (get == nullptr || get(&s.real) != CKR_OK) {
      s.real = nullptr;
      return CKR_GENERAL_ERROR;
    }
  }
  auto env = [](const char* k) {
    const char* v = std::getenv(k);
    return std::string(v ? v : "");
  };
  s.control_path = env("P11FAULT_CONTROL");
  if (env("P11FAULT_STATS") != s.stats_path && s.stats_fd >= 0) {
    close(s.stats_fd);
    s.stats_fd = -1;
  }
  s.stats_path = env("P11FAULT_STATS");
  s.trace_path = env("P11FAULT_TRACE");
  if (s.trace) std::fclose(s.trace);
  s.trace = s.trace_path.empty() ? nullptr : std::fopen(s.trace_path.c_str(), "a");
  // Counters and PIN tries count from C_Initialize (dlclose does not always unload us: sanitizers).
  s.loaded_once = false;
  s.stats.clear();
  s.seq = 0;
  s.pin_failures = 0;
  s.cfg = Config{};
  s.open.clear();
  s.dead.clear();
  s.removed = false;
  CK_RV rv = s.real->C_Initialize(args);
  ++s.stats["C_Initialize"];
  write_stats(s);
  return rv;
}

static CK_RV w_Finalize(CK_VOID_PTR reserved) {
  State& s = st();
  std::lock_guard lock(s.mu);
  if (s.real == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
  ++s.stats["C_Finalize"];
  write_stats(s);
  s.open.clear();
  s.dead.clear();
  return s.real->C_Finalize(reserved);
}

static CK_RV w_GetInfo(CK_INFO_PTR info) {
  State& s = st();
  std::lock_guard lock(s.mu);
  if (s.real == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
  ++s.stats["C_GetInfo"];
  return s.real->C_GetInfo(info);
}

static CK_RV w_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

static CK_RV w_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR slots, CK_ULONG_PTR count) {
  Decision d;
  {
    std::lock_guard lock(st().mu);
    if (st().real == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
    d = begin("C_GetSlotList", nullptr, false);
    if (!d.forward) return finish("C_GetSlotList", d, d.rv);
    if (present == CK_TRUE && st().removed) {
      *count = 0;
      return finish("C_GetSlotList", d, CKR_OK);
    }
  }
  bool ported = false;
  {
    std::lock_guard lock(st().mu);
    ported = st().port.has_value();
  }
  CK_RV rv = CKR_OK;
  if (present != CK_TRUE || !ported) {
    rv = st().real->C_GetSlotList(present, slots, count);
  } else {
    // Only the token in the port: the real list, filtered (the caller's buffer size rules kept).
    CK_ULONG n = 0;
    rv = st().real->C_GetSlotList(CK_TRUE, nullptr, &n);
    std::vector<CK_SLOT_ID> all(n);
    if (rv == CKR_OK && n > 0) rv = st().real->C_GetSlotList(CK_TRUE, all.data(), &n);
    all.resize(rv == CKR_OK ? n : 0);
    std::erase_if(all, [](CK_SLOT_ID id) { return p11fault::hidden(id); });
    if (rv == CKR_OK) {
      if (slots != nullptr && *count < all.size()) {
        rv = CKR_BUFFER_TOO_SMALL;
      } else if (slots != nullptr) {
        std::copy(all.begin(), all.end(), slots);
      }
      *count = all.size();
    }
  }
  std::lock_guard lock(st().mu);
  return finish("C_GetSlotList", d, rv);
}

static CK_RV w_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  Decision d;
  {
    std::lock_guard lock(st().mu);
    if (st().real == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
    d = begin("C_GetSlotInfo", nullptr, false);
    if (!d.forward) return finish("C_GetSlotInfo", d, d.rv);
  }
  CK_RV rv = st().real->C_GetSlotInfo(slot, info);
  const bool out = rv == CKR_OK && p11fault::hidden(slot);
  std::lock_guard lock(st().mu);
  if (rv == CKR_OK && (st().removed || out)) info->flags &= ~CKF_TOKEN_PRESENT;
  if (rv == CKR_OK) info->flags |= CKF_REMOVABLE_DEVICE;
  return finish("C_GetSlotInfo", d, rv);
}

static CK_RV w_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  return token_call("C_GetTokenInfo", [&] {
    if (p11fault::hidden(slot)) return static_cast<CK_RV>(CKR_TOKEN_NOT_PRESENT);
    CK_RV rv = st().real->C_GetTokenInfo(slot, info);
    if (rv != CKR_OK) return rv;
    std::lock_guard lock(st().mu);
    const Config& c = st().cfg;
    if (c.manufacturer) pad(info->manufacturerID, sizeof info->manufacturerID, *c.manufacturer);
    if (c.model) pad(info->model, sizeof info->model, *c.model);
    if (c.serial) pad(info->serialNumber, sizeof info->serialNumber, *c.serial);
    if (c.label) pad(info->label, sizeof info->label, *c.label);
    if (c.count_low_after || c.final_try_after || c.lock_after || c.to_be_changed) {
      const unsigned long f = st().pin_failures;
      info->flags &= ~(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED | CKF_USER_PIN_TO_BE_CHANGED);
      bool locked = c.lock_after && f >= c.lock_after;
      if (locked) info->flags |= CKF_USER_PIN_LOCKED;
      if (!locked && c.final_try_after && f >= c.final_try_after) info->flags |= CKF_USER_PIN_FINAL_TRY;
      if (!locked && c.count_low_after && f >= c.count_low_after) info->flags |= CKF_USER_PIN_COUNT_LOW;
      if (c.to_be_changed) info->flags |= CKF_USER_PIN_TO_BE_CHANGED;
    }
    return rv;
  });
}

static CK_RV w_WaitForSlotEvent(CK_FLAGS, CK_SLOT_ID_PTR, CK_VOID_PTR) { return CKR_FUNCTION_NOT_SUPPORTED; }

static CK_RV w_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
  return token_call("C_GetMechanismList", [&] { return st().real->C_GetMechanismList(slot, list, count); });
}

static CK_RV w_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  return token_call("C_GetMechanismInfo", [&] { return st().real->C_GetMechanismInfo(slot, type, info); });
}

static CK_RV w_InitToken(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG len, CK_UTF8CHAR_PTR label) {
  return token_call("C_InitToken", [&] { return st().real->C_InitToken(slot, pin, len, label); });
}

static CK_RV w_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR h) {
  return token_call("C_OpenSession", [&] {
    if (p11fault::hidden(slot)) return static_cast<CK_RV>(CKR_TOKEN_NOT_PRESENT);
    CK_RV rv = st().real->C_OpenSession(slot, flags, app, notify, h);
    if (rv == CKR_OK) {
      std::lock_guard lock(st().mu);
      st().open[*h] = slot;
      st().dead.erase(*h);
    }
    return rv;
  });
}

static CK_RV w_CloseSession(CK_SESSION_HANDLE h) {
  {
    std::lock_guard lock(st().mu);
    if (st().dead.contains(h)) {
      // Closing a session that died with the token: it is gone for good now.
      Decision d = begin("C_CloseSession", nullptr, false);
      st().dead.erase(h);
      return finish("C_CloseSession", d, st().removed ? CKR_DEVICE_REMOVED : CKR_SESSION_HANDLE_INVALID);
    }
  }
  return session_call("C_CloseSession", h, [&] {
    CK_RV rv = st().real->C_CloseSession(h);
    std::lock_guard lock(st().mu);
    st().open.erase(h);
    return rv;
  });
}

static CK_RV w_CloseAllSessions(CK_SLOT_ID slot) {
  return token_call("C_CloseAllSessions", [&] {
    CK_RV rv = st().real->C_CloseAllSessions(slot);
    std::lock_guard lock(st().mu);
    for (auto it = st().open.begin(); it != st().open.end();)
      it = it->second == slot ? st().open.erase(it) : std::next(it);
    return rv;
  });
}

static CK_RV w_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  {
    std::lock_guard lock(st().mu);
    const char* split = user == CKU_USER ? "C_Login.user" : user == CKU_CONTEXT_SPECIFIC ? "C_Login.context_specific" : "C_Login.so";
    ++st().stats[split];
  }
  return session_call("C_Login", h, [&] {
    bool pin_user = user == CKU_USER || user == CKU_CONTEXT_SPECIFIC;
    {
      std::lock_guard lock(st().mu);
      const Config& c = st().cfg;
      if (pin_user && c.lock_after && st().pin_failures >= c.lock_after) return CK_RV{CKR_PIN_LOCKED};
    }
    CK_RV rv = st().real->C_Login(h, user, pin, len);
    if (pin_user) {
      std::lock_guard lock(st().mu);
      if (rv == CKR_PIN_INCORRECT) ++st().pin_failures;
      if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) st().pin_failures = 0;
    }
    return rv;
  });
}

static CK_RV w_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub, CK_ULONG npub,
                               CK_ATTRIBUTE_PTR priv, CK_ULONG npriv, CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv) {
  return session_call("C_GenerateKeyPair", h, [&] {
    long ms = 0;
    std::optional<Tear> tear;
    bool private_first = false;
    {
      std::lock_guard lock(st().mu);
      ms = st().cfg.keygen_sleep_ms;
      tear = take_tear(st(), "C_GenerateKeyPair");
      private_first = st().cfg.private_first;
      st().stats["writes.C_GenerateKeyPair"] = generate_writes(pub, npub, priv, npriv);
    }
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    if (tear) return torn_generate(*tear, private_first, h, m, pub, npub, priv, npriv, hpub, hpriv);
    return st().real->C_GenerateKeyPair(h, m, pub, npub, priv, npriv, hpub, hpriv);
  });
}

static CK_RV w_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o) {
  return session_call("C_CreateObject", h, [&] {
    std::optional<Tear> tear;
    {
      std::lock_guard lock(st().mu);
      tear = take_tear(st(), "C_CreateObject");
      st().stats["writes.C_CreateObject"] = create_writes(t, n);
    }
    if (tear) return torn_create(*tear, h, t, n, o);
    return st().real->C_CreateObject(h, t, n, o);
  });
}

static CK_RV w_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n) {
  return session_call("C_SetAttributeValue", h, [&] {
    std::optional<Tear> tear;
    {
      std::lock_guard lock(st().mu);
      tear = take_tear(st(), "C_SetAttributeValue");
      st().stats["writes.C_SetAttributeValue"] = n;
    }
    if (tear) return torn_set(*tear, h, o, t, n);
    return st().real->C_SetAttributeValue(h, o, t, n);
  });
}

static CK_RV w_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k) {
  return session_call("C_GenerateKey", h, [&] {
    long ms = 0;
    {
      std::lock_guard lock(st().mu);
      ms = st().cfg.keygen_sleep_ms;
    }
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return st().real->C_GenerateKey(h, m, t, n, k);
  });
}

// Every other session function: forwarded through session_call.
#define P11FAULT_FORWARD(name, params, args) \
  static CK_RV w_##name params { return session_call("C_" #name, h, [&] { return st().real->C_##name args; }); }

P11FAULT_FORWARD(InitPIN, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR p, CK_ULONG n), (h, p, n))
P11FAULT_FORWARD(SetPIN, (CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR o, CK_ULONG on, CK_UTF8CHAR_PTR n, CK_ULONG nn), (h, o, on, n, nn))
P11FAULT_FORWARD(GetSessionInfo, (CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR i), (h, i))
P11FAULT_FORWARD(GetOperationState, (CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG_PTR n), (h, p, n))
P11FAULT_FORWARD(SetOperationState, (CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n, CK_OBJECT_HANDLE e, CK_OBJECT_HANDLE a), (h, p, n, e, a))
P11FAULT_FORWARD(Logout, (CK_SESSION_HANDLE h), (h))
P11FAULT_FORWARD(CopyObject, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR no), (h, o, t, n, no))
P11FAULT_FORWARD(DestroyObject, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o), (h, o))
P11FAULT_FORWARD(GetObjectSize, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ULONG_PTR n), (h, o, n))
P11FAULT_FORWARD(GetAttributeValue, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n),
                 (h, o, t, n))
P11FAULT_FORWARD(FindObjectsInit, (CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n), (h, t, n))
P11FAULT_FORWARD(FindObjects, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG m, CK_ULONG_PTR n), (h, o, m, n))
P11FAULT_FORWARD(FindObjectsFinal, (CK_SESSION_HANDLE h), (h))
P11FAULT_FORWARD(EncryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
P11FAULT_FORWARD(Encrypt, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en), (h, d, n, e, en))
P11FAULT_FORWARD(EncryptUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en), (h, d, n, e, en))
P11FAULT_FORWARD(EncryptFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG_PTR en), (h, e, en))
P11FAULT_FORWARD(DecryptInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
P11FAULT_FORWARD(Decrypt, (CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR d, CK_ULONG_PTR n), (h, e, en, d, n))
P11FAULT_FORWARD(DecryptUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR d, CK_ULONG_PTR n), (h, e, en, d, n))
P11FAULT_FORWARD(DecryptFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG_PTR n), (h, d, n))
P11FAULT_FORWARD(DigestInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m), (h, m))
P11FAULT_FORWARD(Digest, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, d, n, o, on))
P11FAULT_FORWARD(DigestUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n), (h, d, n))
P11FAULT_FORWARD(DigestKey, (CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k), (h, k))
P11FAULT_FORWARD(DigestFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR on), (h, o, on))
P11FAULT_FORWARD(SignInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
P11FAULT_FORWARD(Sign, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG_PTR sn), (h, d, n, s, sn))
P11FAULT_FORWARD(SignUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n), (h, d, n))
P11FAULT_FORWARD(SignFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG_PTR sn), (h, s, sn))
P11FAULT_FORWARD(SignRecoverInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
P11FAULT_FORWARD(SignRecover, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG_PTR sn), (h, d, n, s, sn))
P11FAULT_FORWARD(VerifyInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
P11FAULT_FORWARD(Verify, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG sn), (h, d, n, s, sn))
P11FAULT_FORWARD(VerifyUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n), (h, d, n))
P11FAULT_FORWARD(VerifyFinal, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sn), (h, s, sn))
P11FAULT_FORWARD(VerifyRecoverInit, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k), (h, m, k))
P11FAULT_FORWARD(VerifyRecover, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sn, CK_BYTE_PTR d, CK_ULONG_PTR n), (h, s, sn, d, n))
P11FAULT_FORWARD(DigestEncryptUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en), (h, p, n, e, en))
P11FAULT_FORWARD(DecryptDigestUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR p, CK_ULONG_PTR n), (h, e, en, p, n))
P11FAULT_FORWARD(SignEncryptUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en), (h, p, n, e, en))
P11FAULT_FORWARD(DecryptVerifyUpdate, (CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR p, CK_ULONG_PTR n), (h, e, en, p, n))
P11FAULT_FORWARD(WrapKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k, CK_BYTE_PTR o, CK_ULONG_PTR n), (h, m, w, k, o, n))
P11FAULT_FORWARD(UnwrapKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w, CK_ULONG wn, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k), (h, m, u, w, wn, t, n, k))
P11FAULT_FORWARD(DeriveKey, (CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k), (h, m, b, t, n, k))
P11FAULT_FORWARD(SeedRandom, (CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG n), (h, s, n))
P11FAULT_FORWARD(GenerateRandom, (CK_SESSION_HANDLE h, CK_BYTE_PTR r, CK_ULONG n), (h, r, n))
P11FAULT_FORWARD(GetFunctionStatus, (CK_SESSION_HANDLE h), (h))
P11FAULT_FORWARD(CancelFunction, (CK_SESSION_HANDLE h), (h))
#undef P11FAULT_FORWARD

static CK_RV w_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (list == nullptr) return CKR_ARGUMENTS_BAD;
  CK_FUNCTION_LIST& l = g_list;
  l.version = {2, 40};
  l.C_Initialize = w_Initialize;
  l.C_Finalize = w_Finalize;
  l.C_GetInfo = w_GetInfo;
  l.C_GetFunctionList = w_GetFunctionList;
  l.C_GetSlotList = w_GetSlotList;
  l.C_GetSlotInfo = w_GetSlotInfo;
  l.C_GetTokenInfo = w_GetTokenInfo;
  l.C_GetMechanismList = w_GetMechanismList;
  l.C_GetMechanismInfo = w_GetMechanismInfo;
  l.C_InitToken = w_InitToken;
  l.C_InitPIN = w_InitPIN;
  l.C_SetPIN = w_SetPIN;
  l.C_OpenSession = w_OpenSession;
  l.C_CloseSession = w_CloseSession;
  l.C_CloseAllSessions = w_CloseAllSessions;
  l.C_GetSessionInfo = w_GetSessionInfo;
  l.C_GetOperationState = w_GetOperationState;
  l.C_SetOperationState = w_SetOperationState;
  l.C_Login = w_Login;
  l.C_Logout = w_Logout;
  l.C_CreateObject = w_CreateObject;
  l.C_CopyObject = w_CopyObject;
  l.C_DestroyObject = w_DestroyObject;
  l.C_GetObjectSize = w_GetObjectSize;
  l.C_GetAttributeValue = w_GetAttributeValue;
  l.C_SetAttributeValue = w_SetAttributeValue;
  l.C_FindObjectsInit = w_FindObjectsInit;
  l.C_FindObjects = w_FindObjects;
  l.C_FindObjectsFinal = w_FindObjectsFinal;
  l.C_EncryptInit = w_EncryptInit;
  l.C_Encrypt = w_Encrypt;
  l.C_EncryptUpdate = w_EncryptUpdate;
  l.C_EncryptFinal = w_EncryptFinal;
  l.C_DecryptInit = w_DecryptInit;
  l.C_Decrypt = w_Decrypt;
  l.C_DecryptUpdate = w_DecryptUpdate;
  l.C_DecryptFinal = w_DecryptFinal;
  l.C_DigestInit = w_DigestInit;
  l.C_Digest = w_Digest;
  l.C_DigestUpdate = w_DigestUpdate;
  l.C_DigestKey = w_DigestKey;
  l.C_DigestFinal = w_DigestFinal;
  l.C_SignInit = w_SignInit;
  l.C_Sign = w_Sign;
  l.C_SignUpdate = w_SignUpdate;
  l.C_SignFinal = w_SignFinal;
  l.C_SignRecoverInit = w_SignRecoverInit;
  l.C_SignRecover = w_SignRecover;
  l.C_VerifyInit = w_VerifyInit;
  l.C_Verify = w_Verify;
  l.C_VerifyUpdate = w_VerifyUpdate;
  l.C_VerifyFinal = w_VerifyFinal;
  l.C_VerifyRecoverInit = w_VerifyRecoverInit;
  l.C_VerifyRecover = w_VerifyRecover;
  l.C_DigestEncryptUpdate = w_DigestEncryptUpdate;
  l.C_DecryptDigestUpdate = w_DecryptDigestUpdate;
  l.C_SignEncryptUpdate = w_SignEncryptUpdate;
  l.C_DecryptVerifyUpdate = w_DecryptVerifyUpdate;
  l.C_GenerateKey = w_GenerateKey;
  l.C_GenerateKeyPair = w_GenerateKeyPair;
  l.C_WrapKey = w_WrapKey;
  l.C_UnwrapKey = w_UnwrapKey;
  l.C_DeriveKey = w_DeriveKey;
  l.C_SeedRandom = w_SeedRandom;
  l.C_GenerateRandom = w_GenerateRandom;
  l.C_GetFunctionStatus = w_GetFunctionStatus;
  l.C_CancelFunction = w_CancelFunction;
  l.C_WaitForSlotEvent = w_WaitForSlotEvent;
  *list = &l;
  return CKR_OK;
}

__attribute__((visibility("default"))) CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  return w_GetFunctionList(list);
}

}  // extern "C"
