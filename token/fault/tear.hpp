// A token that creates and changes objects non-atomically, modelled on top of the real module: a torn
// call lets only its first k writes reach the token, then the process dies in it (kill), the token is
// pulled (pull) or the call fails (an error code). The control file's `tear` directive picks the call and
// k (the header of p11fault.cpp documents it).
//
// The writes of one call, in order:
//   C_GenerateKeyPair   per half (public first, as SoftHSM does it, or private first: `tear_order`):
//                       1. the object created with its class, key type, CKA_TOKEN, CKA_PRIVATE and key
//                          values, everything else the token's default (no CKA_ID, empty label,
//                          CKA_SENSITIVE and CKA_LOCAL false);
//                       2. each other attribute of the caller's template, one at a time, in its order;
//                       3. what generation adds (CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE).
//   C_CreateObject      1. the object created with its class, type, CKA_TOKEN, CKA_PRIVATE, its values
//                          (CKA_VALUE, a key's numbers) and, for a certificate, CKA_SUBJECT;
//                       2. each other attribute of the template, one at a time, in its order.
//   C_SetAttributeValue each attribute of the template, one at a time.
// k at or past the number of writes: the call completes, then the outcome (the answer is lost).
//
// How a state is built from real objects: a half that is complete when the call stops is the real
// module's generated object; a half still being written is generated as an extractable session object,
// its values read, and created again as a token object holding only the writes that were made (so its
// CKA_LOCAL reads false, as on SoftHSM, whose C_GenerateKeyPair creates each object with C_CreateObject's
// defaults before it writes the template and the generated values).
#pragma once

#include <p11-kit/pkcs11.h>

#include "control.hpp"

namespace p11fault {

// How many writes the model splits a call into (the stats say it as "writes.<C_Name>").
unsigned long generate_writes(CK_ATTRIBUTE_PTR pub, CK_ULONG npub, CK_ATTRIBUTE_PTR priv, CK_ULONG npriv);
unsigned long create_writes(CK_ATTRIBUTE_PTR t, CK_ULONG n);

// The torn calls: the writes the tear lets through, then its outcome. Caller holds no lock.
CK_RV torn_generate(const Tear& tear, bool private_first, CK_SESSION_HANDLE h, CK_MECHANISM_PTR m,
                    CK_ATTRIBUTE_PTR pub, CK_ULONG npub, CK_ATTRIBUTE_PTR priv, CK_ULONG npriv,
                    CK_OBJECT_HANDLE_PTR hpub, CK_OBJECT_HANDLE_PTR hpriv);
CK_RV torn_create(const Tear& tear, CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n,
                  CK_OBJECT_HANDLE_PTR out);
CK_RV torn_set(const Tear& tear, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n);

}  // namespace p11fault
