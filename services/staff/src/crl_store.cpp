#include "staff/crl_store.hpp"

#include <fstream>
#include <iterator>

#include "foundation/atomic_file.hpp"

namespace staff {

Bytes CrlStore::load() const {
  std::ifstream in(file_, std::ios::binary);
  if (!in) return {};
  // A staff CA's CRL is small; anything past 4 MiB is not one.
  Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (out.size() > 4u << 20) return {};
  return out;
}

std::expected<CrlInfo, std::string> CrlStore::offer(const Trust& trust, std::span<const std::uint8_t> der,
                                                    sys_seconds now) {
  auto offered = check_crl(trust, der, now);
  if (!offered) return std::unexpected(offered.error());
  const Bytes kept = load();
  if (!kept.empty()) {
    if (auto k = check_crl(trust, kept, now); k && k->issuer == offered->issuer) {
      if (offered->number < k->number)
        return std::unexpected("CRL number " + std::to_string(offered->number) + " is older than the kept " +
                               std::to_string(k->number));
      if (offered->number == k->number) return k;
    }
  }
  // Replaced whole: a crash leaves the old CRL or the new one, never half of one.
  if (!foundation::write_atomically(
          file_, std::string_view(reinterpret_cast<const char*>(der.data()), der.size()), 0644))
    return std::unexpected(file_.string() + ": cannot be written");
  return offered;
}

}  // namespace staff
