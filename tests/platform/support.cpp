#include "support.hpp"

#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <random>

#include "reference/pki.hpp"

namespace platform_test {

using reference::X509Ptr;

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "platform-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path = tmpl;
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

const std::filesystem::path& shared_pki_root() {
  static TempDir dir;
  static std::once_flag once;
  std::call_once(once, [] { reference::write_dev_pki(dir.path); });
  return dir.path;
}

Platform::Platform(bool dev, int max_attempts, std::optional<std::uint64_t> id_seed)
    : client([&]() -> platform::Client {
        std::filesystem::copy(shared_pki_root() / "pki", dir.path / "pki");
        std::filesystem::copy(shared_pki_root() / "catalog.json", dir.path / "catalog.json");
        reference::ServerOptions o;
        o.data_dir = dir.path;
        o.dev = dev;
        o.pbkdf2_iterations = 1000;  // tests log in hundreds of times
        o.id_seed = id_seed;
        server = std::make_unique<reference::Server>(o);
        server->start();
        auto opts = client_options();
        opts.max_attempts = max_attempts;
        auto c = platform::Client::create(opts);
        if (!c) throw std::runtime_error(c.error().to_string());
        return std::move(*c);
      }()) {}

platform::ClientOptions Platform::client_options() const {
  platform::ClientOptions o;
  o.base_url = server->base_url();
  o.ca_file = server->pki().platform_ca;
  o.client_cert = server->pki().kiosk_cert;
  o.client_key = server->pki().kiosk_key;
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.request_timeout = std::chrono::milliseconds(10000);
  o.max_attempts = 1;
  o.backoff_base = std::chrono::milliseconds(20);
  o.backoff_max = std::chrono::milliseconds(100);
  return o;
}

platform::Result<platform::Client> Platform::make_client(platform::ClientOptions o) const {
  return platform::Client::create(std::move(o));
}

std::string Platform::send_code(const std::string& phone, contract::SmsPurpose purpose) {
  auto sent = client.sms_send({phone, purpose}, platform::new_idempotency_key());
  REQUIRE_MESSAGE(sent.has_value(), (sent ? "" : sent.error().to_string()));
  auto code = platform::dev::last_code(client, phone, purpose);
  REQUIRE(code.has_value());
  return *code;
}

std::string Platform::verify_phone(const std::string& phone, contract::SmsPurpose purpose) {
  REQUIRE(platform::dev::add_test_phone(client, phone).has_value());
  std::string code = send_code(phone, purpose);
  auto v = client.sms_verify(phone, purpose, code, platform::new_idempotency_key());
  REQUIRE_MESSAGE(v.has_value(), (v ? "" : v.error().to_string()));
  return v->verification_token;
}

EvpPkeyPtr new_ec_key() {
  return reference::generate_ec_p256();
}

EVP_PKEY* rsa_key(int index) {
  static std::mutex mu;
  static std::vector<EvpPkeyPtr> keys;
  std::lock_guard l(mu);
  while (static_cast<int>(keys.size()) <= index) keys.push_back(reference::generate_rsa(2048));
  return keys[static_cast<std::size_t>(index)].get();
}

std::string public_key_pem(EVP_PKEY* key) {
  foundation::CPtr<BIO, BIO_free_all> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

contract::UnixTime platform_now(Platform& p) {
  auto r = p.client.call("GET", "dev/clock", nullptr);
  REQUIRE(r.has_value());
  return (*r)["now"].get<contract::UnixTime>();
}

Customer seed_customer(Platform& p, const std::string& project, const std::string& brand, int days_to_expiry,
                       std::optional<bool> rsa, int rsa_index) {
  Customer c;
  bool use_rsa = rsa.value_or(brand == "feitian");
  if (use_rsa) {
    c.key = rsa_key(rsa_index);
  } else {
    c.owned = new_ec_key();
    c.key = c.owned.get();
  }
  static std::atomic<int> counter{0};
  platform::dev::SeedRequest r;
  r.org = "内蒙古自治区测试采购中心";
  r.org_unit = "信息科";
  r.common_name = "测试单位" + std::to_string(++counter);
  r.public_key = public_key_pem(c.key);
  r.project = project;
  r.brand = brand;
  contract::UnixTime now = platform_now(p);
  r.not_after = now + static_cast<contract::UnixTime>(days_to_expiry) * 86400;
  r.not_before = r.not_after - 365 * 86400;
  auto seeded = platform::dev::seed_certificate(p.client, r);
  REQUIRE_MESSAGE(seeded.has_value(), (seeded ? "" : seeded.error().to_string()));
  c.cert = *seeded;
  c.token = brand == "feitian"
                ? contract::TokenIdentity{"Feitian", "ePass3003", "FT" + std::to_string(counter.load())}
                : contract::TokenIdentity{"Haitai", "HaiKey", "HT" + std::to_string(counter.load())};
  return c;
}

Customer seed_gov(Platform& p, int days) {
  return seed_customer(p, "gov-procurement", "haitai", days);
}
Customer seed_bid(Platform& p, int days) {
  return seed_customer(p, "e-bidding", "feitian", days);
}

Bytes subject_der_of(const Bytes& cert_der) {
  X509Ptr c = reference::cert_from_der(cert_der);
  REQUIRE(c);
  return reference::der_of_name(X509_get_subject_name(c.get()));
}

Bytes make_p10(EVP_PKEY* key, const Bytes& subject_der) {
  foundation::CPtr<X509_REQ, X509_REQ_free> req(X509_REQ_new());
  const unsigned char* p = subject_der.data();
  reference::X509NamePtr name(d2i_X509_NAME(nullptr, &p, static_cast<long>(subject_der.size())));
  REQUIRE(name);
  X509_REQ_set_version(req.get(), 0);
  X509_REQ_set_subject_name(req.get(), name.get());
  X509_REQ_set_pubkey(req.get(), key);
  REQUIRE(X509_REQ_sign(req.get(), key, EVP_sha256()) > 0);
  unsigned char* out = nullptr;
  int n = i2d_X509_REQ(req.get(), &out);
  Bytes der(out, out + n);
  OPENSSL_free(out);
  return der;
}

Bytes sign_proof(EVP_PKEY* old_key, const std::string& order_id, const Bytes& p10, const Bytes& nonce) {
  return reference::sign_sha256(old_key, reference::renewal_proof_der(order_id, p10, nonce));
}

contract::OrderCreateRequest order_request(const Customer& c, const std::string& product,
                                           const std::string& token, int years) {
  contract::OrderCreateRequest r;
  r.product_id = product;
  r.years = years;
  r.verification_token = token;
  r.old_certificate = c.cert.certificate;
  r.token = c.token;
  return r;
}

contract::Order create_order(Platform& p, const Customer& c, const std::string& product,
                             const std::string& phone, int years) {
  auto o = p.client.order_create(order_request(c, product, p.verify_phone(phone), years),
                                 platform::new_idempotency_key());
  REQUIRE_MESSAGE(o.has_value(), (o ? "" : o.error().to_string()));
  return *o;
}

platform::Result<contract::IssuedCertificate> renew(Platform& p, const Customer& c,
                                                    const std::string& order_id, EVP_PKEY* new_key) {
  auto nonce = p.client.renewal_nonce(order_id, platform::new_idempotency_key());
  if (!nonce) return std::unexpected(nonce.error());
  Bytes p10 = make_p10(new_key, subject_der_of(c.cert.certificate));
  contract::RenewalSubmitRequest r{p10, sign_proof(c.key, order_id, p10, nonce->nonce)};
  return p.client.renewal_submit(order_id, r, platform::new_idempotency_key());
}

}  // namespace platform_test
