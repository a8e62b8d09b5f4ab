#include "client_impl.hpp"

namespace platform {

std::string new_idempotency_key() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // The CSPRNG failing is not recoverable in a meaningful way; fall back on the OS's.
    std::random_device rd;
    for (auto& x : b) x = static_cast<unsigned char>(rd());
  }
  return foundation::hex_encode(b, sizeof b);
}

Result<Client> Client::create(ClientOptions o) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!o.base_url.starts_with("https://"))
    return std::unexpected(make_error(ErrorKind::Config, "base_url must start with https://"));
  if (!o.base_url.ends_with("/")) o.base_url += '/';
  if (o.client_cert.empty() != o.client_key.empty())
    return std::unexpected(make_error(ErrorKind::Config, "client_cert and client_key: both or neither"));
  for (const auto* p : {&o.ca_file, &o.client_cert, &o.client_key}) {
    if (p->empty() && p != &o.ca_file) continue;
    std::ifstream f(*p);
    if (!f) return std::unexpected(make_error(ErrorKind::Config, "cannot read " + p->string()));
  }
  if (o.max_response_bytes < 1024) o.max_response_bytes = 1024;
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(o);
  impl->curl.reset(curl_easy_init());
  if (!impl->curl) return std::unexpected(make_error(ErrorKind::Config, "curl_easy_init failed"));
  return Client(std::move(impl));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;
Client::~Client() = default;
const ClientOptions& Client::options() const {
  return impl_->opt;
}

std::optional<std::int64_t> Client::platform_clock_offset() const {
  const std::int64_t o = impl_->clock_offset;
  return o == Impl::kNoOffset ? std::nullopt : std::optional<std::int64_t>(o);
}

}  // namespace platform
