#include "staff/crl_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace staff {

namespace {

// Written under a temporary name, fsynced, renamed over `path`, the directory fsynced: a crash leaves the
// old CRL or the new one, never half of one.
bool write_atomically(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = true;
  for (std::size_t off = 0; ok && off < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
    if (n <= 0)
      ok = false;
    else
      off += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
  if (const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok;
}

}  // namespace

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
  if (!write_atomically(file_, der)) return std::unexpected(file_.string() + ": cannot be written");
  return offered;
}

}  // namespace staff
