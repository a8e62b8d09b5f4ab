// Shape only — not implemented yet.
//
// A token "container" (the GM/T 0016 "SKF" word; CAPI/CSP containers alike) holds one signing key pair and
// its certificate, and may hold an encryption key pair and its certificate. With SM2 dual certificates the
// CA's key-management centre (KMC) generates the encryption key pair itself and sends it wrapped to the
// container's NEW signing public key (GM/T 0016 ENVELOPEDKEYBLOB; PKCS#11 tokens: C_UnwrapKey with the
// signing key). The renewal then installs two certificates. These types fix where that goes:
//   - rollover.hpp's StagedKey is the container's signing half; an SKF backend names the container
//     instead of a CKA_ID;
//   - after install_certificate(), a future install_encryption_key(session, ref, WrappedEncryptionKey)
//     unwraps the KMC's envelope into the same container and writes EncryptionCertificate next to it,
//     before finalize().
// SM2/SM3 through SKF is a second backend behind the same functions (docs/token.md), later.
#pragma once

#include <optional>
#include <string>

#include "token/certificate.hpp"

namespace token {

enum class ContainerBackend { Pkcs11, Skf };

struct KeyPairRef {
  Bytes key_id;                // PKCS#11: CKA_ID of both halves
  std::string container_name;  // SKF: the container's name
  std::optional<KeyAlgorithm> algorithm;  // nullopt: not one this kiosk generates (e.g. SM2, later)
};

// What the KMC sends for SM2 dual certificates: the encryption private key wrapped to the new signing key.
struct WrappedEncryptionKey {
  Bytes envelope;     // GM/T 0016 ENVELOPEDKEYBLOB, or a PKCS#11 wrapped key
  Bytes certificate;  // the encryption certificate (DER)
};

struct Container {
  ContainerBackend backend = ContainerBackend::Pkcs11;
  KeyPairRef signing;
  std::optional<CertInfo> signing_certificate;
  std::optional<KeyPairRef> encryption;
  std::optional<CertInfo> encryption_certificate;
};

}  // namespace token
