#include "platform/kiosk_identity.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "errors.hpp"
#include "foundation/c_handle.hpp"

namespace platform {
namespace {

using EvpPkeyPtr = foundation::CPtr<EVP_PKEY, EVP_PKEY_free>;
using BioPtr = foundation::CPtr<BIO, BIO_free>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

struct NewKey {
  EvpPkeyPtr key;
  std::string key_pem, csr_pem;
};

// An EC P-256 key and a CSR for it (subject CN "kiosk": the platform puts the kiosk id in the certificate).
Result<NewKey> new_key() {
  NewKey out;
  out.key.reset(EVP_EC_gen("P-256"));
  foundation::CPtr<X509_REQ, X509_REQ_free> req(X509_REQ_new());
  foundation::CPtr<X509_NAME, X509_NAME_free> name(X509_NAME_new());
  BioPtr kb(BIO_new(BIO_s_mem())), cb(BIO_new(BIO_s_mem()));
  if (!out.key || !req || !name || !kb || !cb ||
      X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>("kiosk"), -1, -1, 0) != 1 ||
      X509_REQ_set_subject_name(req.get(), name.get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), out.key.get()) != 1 ||
      X509_REQ_sign(req.get(), out.key.get(), EVP_sha256()) <= 0 ||
      PEM_write_bio_PrivateKey(kb.get(), out.key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509_REQ(cb.get(), req.get()) != 1)
    return std::unexpected(make_error(ErrorKind::Config, "cannot make an EC P-256 key and its CSR"));
  out.key_pem = bio_text(kb.get());
  out.csr_pem = bio_text(cb.get());
  return out;
}

Result<Enrolled> enrolled_of(const contract::Json& j, const KioskIdentityFiles& f) {
  Enrolled e;
  try {
    e.kiosk_id = j.at("kiosk_id").get<std::string>();
    e.not_after = j.at("not_after").get<std::int64_t>();
    e.hall = j.value("hall", std::string());
    e.region = j.value("region", std::string());
    e.files = f;
    if (j.at("certificate_pem").get<std::string>().empty()) throw std::runtime_error("empty certificate");
  } catch (const std::exception& ex) {
    return std::unexpected(make_error(ErrorKind::Malformed, std::string("certificate answer: ") + ex.what()));
  }
  return e;
}

Error file_error(const std::filesystem::path& p) {
  return make_error(ErrorKind::Config, "cannot write " + p.string());
}

}  // namespace

bool write_atomically(const std::filesystem::path& path, std::string_view text, mode_t mode) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  bool ok = ::fchmod(fd, mode) == 0;
  for (std::size_t off = 0; ok && off < text.size();) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
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

KioskIdentityFiles identity_files(const std::filesystem::path& state_dir) {
  return {state_dir / "kiosk.key", state_dir / "kiosk.pem", state_dir / "kiosk-ca.pem"};
}

Result<Enrolled> enroll_kiosk(ClientOptions options, std::string_view code,
                              const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  std::filesystem::permissions(state_dir, std::filesystem::perms::owner_all, ec);
  options.client_cert.clear();
  options.client_key.clear();
  options.max_attempts = 1;  // a code is single use: a lost answer needs a new code, not a replay
  auto client = Client::create(options);
  if (!client) return std::unexpected(client.error());
  auto key = new_key();
  if (!key) return std::unexpected(key.error());
  const contract::Json body = {{"code", std::string(code)}, {"csr", key->csr_pem}};
  auto answer = client->call("POST", "enroll", &body);
  if (!answer) return std::unexpected(answer.error());
  const KioskIdentityFiles f = identity_files(state_dir);
  auto e = enrolled_of(*answer, f);
  if (!e) return e;
  if (!write_atomically(f.key, key->key_pem, 0600)) return std::unexpected(file_error(f.key));
  if (!write_atomically(f.cert, (*answer)["certificate_pem"].get<std::string>(), 0644))
    return std::unexpected(file_error(f.cert));
  if (!write_atomically(f.ca, answer->value("ca_pem", std::string()), 0644))
    return std::unexpected(file_error(f.ca));
  return e;
}

Result<Enrolled> renew_kiosk_certificate(ClientOptions options, const std::filesystem::path& state_dir) {
  const KioskIdentityFiles f = identity_files(state_dir);
  options.client_cert = f.cert;
  options.client_key = f.key;
  auto client = Client::create(options);
  if (!client) return std::unexpected(client.error());
  auto key = new_key();
  if (!key) return std::unexpected(key.error());
  const contract::Json body = {{"csr", key->csr_pem}};
  auto answer = client->call("POST", "kiosk/certificate", &body, new_idempotency_key());
  if (!answer) return std::unexpected(answer.error());
  auto e = enrolled_of(*answer, f);
  if (!e) return e;
  // The new pair beside the old one, tried, then put in place; the old pair stays as *.old.
  const std::filesystem::path nkey = f.key.string() + ".new", ncert = f.cert.string() + ".new";
  if (!write_atomically(nkey, key->key_pem, 0600)) return std::unexpected(file_error(nkey));
  if (!write_atomically(ncert, (*answer)["certificate_pem"].get<std::string>(), 0644))
    return std::unexpected(file_error(ncert));
  ClientOptions tried = options;
  tried.client_cert = ncert;
  tried.client_key = nkey;
  auto probe = Client::create(tried);
  if (!probe) return std::unexpected(probe.error());
  if (auto r = probe->kiosk_orders(true); !r) return std::unexpected(r.error());
  std::error_code ec;
  std::filesystem::copy_file(f.key, f.key.string() + ".old",
                             std::filesystem::copy_options::overwrite_existing, ec);
  std::filesystem::copy_file(f.cert, f.cert.string() + ".old",
                             std::filesystem::copy_options::overwrite_existing, ec);
  // Key first, then certificate: a crash between the two renames leaves kiosk.key new and kiosk.pem old,
  // which the next renewal cannot use; kiosk.key.old and kiosk.pem.new are both there to put back.
  if (std::rename(nkey.c_str(), f.key.c_str()) != 0 || std::rename(ncert.c_str(), f.cert.c_str()) != 0)
    return std::unexpected(file_error(f.cert));
  return e;
}

Result<std::int64_t> certificate_days_left(const std::filesystem::path& cert,
                                           std::chrono::system_clock::time_point now) {
  foundation::CPtr<FILE, ::fclose> fp(std::fopen(cert.c_str(), "rb"));
  foundation::CPtr<X509, X509_free> x(fp ? PEM_read_X509(fp.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!x)
    return std::unexpected(make_error(ErrorKind::Config, "cannot read the certificate " + cert.string()));
  const auto t = std::chrono::system_clock::to_time_t(now);
  int days = 0, secs = 0;
  foundation::CPtr<ASN1_TIME, ASN1_TIME_free> at(ASN1_TIME_set(nullptr, t));
  if (!at || ASN1_TIME_diff(&days, &secs, at.get(), X509_get0_notAfter(x.get())) != 1)
    return std::unexpected(make_error(ErrorKind::Config, "unreadable notAfter in " + cert.string()));
  return static_cast<std::int64_t>(days);
}

Result<bool> renew_kiosk_certificate_if_due(ClientOptions options, const std::filesystem::path& state_dir,
                                            std::chrono::system_clock::time_point now, int before_days) {
  auto left = certificate_days_left(identity_files(state_dir).cert, now);
  if (!left) return std::unexpected(left.error());
  if (*left >= before_days) return false;
  auto r = renew_kiosk_certificate(std::move(options), state_dir);
  if (!r) return std::unexpected(r.error());
  return true;
}

}  // namespace platform
