// What the renewal engine will do around token/'s rollover, reduced to the token's side, for tests and
// the benchmark: a stand-in platform (issues once per order from the P10, checks the old-key proof with
// the old certificate) and a driver that resumes from whatever the token holds.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "test_ca.hpp"
#include "token/rollover.hpp"

namespace testsupport {

class StandInPlatform {
public:
  StandInPlatform(TestCa& ca, Validity validity) : ca_(ca), validity_(validity) {}

  [[nodiscard]] Bytes nonce(const std::string& order_id);  // 32 random bytes, one per order
  // Verifies the proof (TBS rebuilt from the P10 and the nonce; signature with the old certificate's
  // key), then issues from the P10; one certificate per order. Throws when anything does not check out.
  Bytes submit(const std::string& order_id, std::span<const std::uint8_t> p10_der, const token::RenewalProof& proof,
               std::span<const std::uint8_t> old_cert_der);
  // The certificate already issued for the order (fetch again after a crash).
  [[nodiscard]] std::optional<Bytes> issued(const std::string& order_id) const;
  unsigned submissions = 0;

private:
  TestCa& ca_;
  Validity validity_;
  std::map<std::string, Bytes> nonces_;
  std::map<std::string, Bytes> issued_;
};

struct DriverOutcome {
  token::FinalizeResult result;
  bool generated_key = false;  // this run generated a key pair (false: reused the staged one)
  token::RenewalStage stage_at_start = token::RenewalStage::Nothing;
};

// One attempt of the whole rollover from whatever state the token is in. `old_cert` is the certificate
// being renewed as it was read before the renewal started (the journal keeps it). `before_finalize`, when
// given, runs with the certificate installed, right before finalize() (the runtime removes leftovers there).
using BeforeFinalize = std::function<token::Result<void>(token::Session&)>;
token::Result<DriverOutcome> drive_rollover(token::Session& session, const token::RenewalRef& ref,
                                            const token::CertInfo& old_cert, domain::KeyAlgorithm algorithm,
                                            StandInPlatform& platform, domain::OldKeyPolicy policy,
                                            const BeforeFinalize& before_finalize = {});

}  // namespace testsupport
