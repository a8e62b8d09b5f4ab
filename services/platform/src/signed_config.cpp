// The signed kiosk configuration's check (platform/client.hpp, verify_signed_config).
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "contract/json.hpp"
#include "foundation/c_handle.hpp"
#include "make_error.hpp"
#include "platform/client.hpp"

namespace platform {

Result<contract::KioskConfigPayload> verify_signed_config(const contract::SignedConfig& config,
                                                          const std::filesystem::path& signing_key_pem,
                                                          contract::UnixTime now) {
  using BioPtr = foundation::CPtr<BIO, BIO_free_all>;
  using PkeyPtr = foundation::CPtr<EVP_PKEY, EVP_PKEY_free>;
  using MdCtxPtr = foundation::CPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
  BioPtr bio(BIO_new_file(signing_key_pem.c_str(), "r"));
  PkeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!key)
    return std::unexpected(
        make_error(ErrorKind::Config, "cannot read the config-signing key " + signing_key_pem.string()));
  if (config.algorithm != "ecdsa-p256-sha256")
    return std::unexpected(
        make_error(ErrorKind::Malformed, "algorithm " + config.algorithm, "kiosk.config_signature_invalid"));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), config.signature.data(), config.signature.size(),
                             reinterpret_cast<const unsigned char*>(config.payload.data()),
                             config.payload.size()) == 1;
  ERR_clear_error();
  if (!ok)
    return std::unexpected(
        make_error(ErrorKind::Malformed, "signature does not verify", "kiosk.config_signature_invalid"));
  contract::KioskConfigPayload payload;
  std::string why;
  if (!contract::decode_text(config.payload, payload, why))
    return std::unexpected(make_error(ErrorKind::Malformed, why, "kiosk.config_payload_invalid"));
  if (payload.expires_at <= now)
    return std::unexpected(make_error(ErrorKind::Malformed, "expired", "kiosk.config_expired"));
  return payload;
}

}  // namespace platform
