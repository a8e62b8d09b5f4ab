// Client::probe_tls and url_host: the network test's TLS step and the name it looks up (client.hpp).
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>

#include "client_impl.hpp"

namespace platform {

namespace {

using MemBio = foundation::CPtr<BIO, BIO_free>;
using PeerCertPtr = foundation::CPtr<X509, X509_free>;

std::string name_rfc2253(const X509_NAME* name) {
  MemBio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::int64_t asn1_unix_seconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

using UrlPtr = foundation::CPtr<CURLU, curl_url_cleanup>;

}  // namespace

std::optional<std::string> url_host(std::string_view url) {
  UrlPtr u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, std::string(url).c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  char* host = nullptr;
  if (curl_url_get(u.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK || host == nullptr) return std::nullopt;
  std::string h(host);
  curl_free(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  return h;
}

Result<TlsProbe> Client::probe_tls() {
  Impl& i = *impl_;
  // A new handle: nothing to reuse, so the handshake is a full one. It is replaced again afterwards, which
  // closes this connect-only connection before the next call could find it.
  i.curl.reset(curl_easy_init());
  struct Renew {
    Impl& impl;
    ~Renew() { impl.curl.reset(curl_easy_init()); }
  } renew{i};
  CURL* h = i.curl.get();
  if (h == nullptr) return std::unexpected(make_error(ErrorKind::Config, "curl_easy_init failed"));
  i.errbuf[0] = '\0';
  i.too_large = false;
  i.apply_transport(h);
  curl_easy_setopt(h, CURLOPT_URL, i.opt.base_url.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(i.opt.connect_timeout.count()));
  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    Error e = i.map_curl(rc);
    if (e.kind == ErrorKind::Tls) e.certificate_time = i.certificate_time(e.detail);
    return std::unexpected(e);
  }
  TlsProbe p;
  curl_off_t connect_us = 0;
  curl_off_t tls_us = 0;
  curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
  curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &tls_us);
  p.connect = std::chrono::microseconds(connect_us);
  p.handshake = std::chrono::microseconds(tls_us > connect_us ? tls_us - connect_us : 0);
  // The platform's certificate as libcurl collected it during the handshake (CURLOPT_CERTINFO: the chain,
  // each with its PEM), read back with OpenSSL.
  curl_certinfo* chain = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &chain) != CURLE_OK || chain == nullptr ||
      chain->num_of_certs < 1)
    return std::unexpected(make_error(ErrorKind::Tls, "the platform showed no certificate"));
  PeerCertPtr peer;
  for (const curl_slist* line = chain->certinfo[0]; line != nullptr && !peer; line = line->next) {
    const std::string_view text(line->data);
    if (text.rfind("Cert:", 0) != 0) continue;
    MemBio pem(BIO_new_mem_buf(line->data + 5, static_cast<int>(text.size() - 5)));
    if (pem) peer.reset(PEM_read_bio_X509(pem.get(), nullptr, nullptr, nullptr));
  }
  if (!peer) return std::unexpected(make_error(ErrorKind::Tls, "the platform's certificate does not parse"));
  p.server_subject = name_rfc2253(X509_get_subject_name(peer.get()));
  p.server_issuer = name_rfc2253(X509_get_issuer_name(peer.get()));
  p.server_not_after = asn1_unix_seconds(X509_get0_notAfter(peer.get()));
  return p;
}

}  // namespace platform
