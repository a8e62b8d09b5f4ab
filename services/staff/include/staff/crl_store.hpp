// The staff CA's CRL as the kiosk keeps it (docs/staff.md, "Revocation"): one DER file beside the journal,
// refreshed from the platform (GET kiosk/staff-crl, runtime::refresh_staff_crl), and replaced atomically —
// never by a CRL that fails check_crl() nor by one with a lower CRL number. Offline, the kept one counts
// until its nextUpdate plus the grace (Trust::crl_grace).
#pragma once

#include <expected>
#include <filesystem>
#include <span>
#include <string>

#include "staff/credential.hpp"

namespace staff {

class CrlStore {
 public:
  explicit CrlStore(std::filesystem::path file) : file_(std::move(file)) {}

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }
  // The kept CRL's DER; empty when there is none or it cannot be read.
  [[nodiscard]] Bytes load() const;
  // Keeps `der` when check_crl() accepts it at `now` and its number is not below the kept one's (the same
  // number again is not written). Returns what is kept afterwards. Errors: why `der` was not kept.
  std::expected<CrlInfo, std::string> offer(const Trust& trust, std::span<const std::uint8_t> der,
                                            sys_seconds now);

 private:
  std::filesystem::path file_;
};

}  // namespace staff
