// A kiosk's own identity (docs/platform.md, "Fleet administration"): enrollment with a one-time code and
// no client certificate, the kiosk's renewal of its certificate over mutual TLS, and the configuration
// bundle the fleet's admins published.
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

// Wrong codes are throttled like logins: per client address, and a ceiling over all of them (an attacker
// with many addresses still meets it; an installer with the right code waits at worst a few minutes).
constexpr int kEnrollFailuresPerAddress = 5;
constexpr int kEnrollFailuresAll = 50;

std::string string_field(const Json& body, const char* name) {
  return body.is_object() && body.contains(name) && body[name].is_string() ? body[name].get<std::string>()
                                                                           : std::string();
}

Json certificate_answer(State& s, X509* cert, std::string_view kiosk_id) {
  return {{"kiosk_id", kiosk_id},
          {"certificate_pem", pem_of(cert)},
          {"ca_pem", pem_of(s.fleet_ca.get())},
          {"not_after", asn1_time_to_unix(X509_get0_notAfter(cert))}};
}

// POST /v1/enroll {code, csr}: the one route without a client certificate.
Reply h_enroll(State& s, Ctx& c) {
  const ThrottleKeys keys{{"enroll:" + c.req.remote_addr, kEnrollFailuresPerAddress},
                          {"enroll:all", kEnrollFailuresAll}};
  if (auto t = throttled(s, c, keys)) {
    const int wait = t->body.value("retry_after_s", 1);
    return error_reply(code::kEnrollThrottled, "wait " + std::to_string(wait) + " s", wait);
  }
  std::string code_text = string_field(c.body, "code");
  const std::string csr_text = string_field(c.body, "csr");
  if (code_text.empty() || csr_text.empty()) return error_reply(code::kBadRequest, "code and csr: strings");
  const std::string hash = s.keyed_hash("enroll|" + code_text);
  c.body["code"] = "";  // the code is a secret until it is spent
  Stmt q(s.db, "SELECT kiosk_id, hall, region, expires_at, used_at FROM enrollment_codes WHERE code_hash=?");
  q.bind(hash);
  if (!q.row()) {
    record_failure(s, c, keys);
    return error_reply(code::kEnrollCodeInvalid);
  }
  const std::string kiosk = q.text(0), hall = q.text(1), region = q.text(2);
  if (!q.null(4)) return error_reply(code::kEnrollCodeUsed);
  if (q.i64(3) <= c.now) return error_reply(code::kEnrollCodeExpired);
  X509ReqPtr csr = parse_csr(csr_text);
  if (!csr) return error_reply(code::kCsrMalformed);
  if (!is_ec_p256(X509_REQ_get0_pubkey(csr.get()))) return error_reply(code::kCsrKeyType);
  X509Ptr cert = s.issue_kiosk_certificate(csr.get(), kiosk, c.now);
  if (!cert) return error_reply(code::kInternal, "the kiosk CA cannot sign");
  Stmt(s.db, "UPDATE enrollment_codes SET used_at=? WHERE code_hash=?").bind(c.now, hash).run();
  // Re-enrollment keeps the id and clears a decommissioning only through a new code an admin made.
  Stmt(s.db,
       "INSERT INTO fleet_kiosks VALUES(?,?,?,?,NULL) ON CONFLICT(id) DO UPDATE SET hall=excluded.hall, "
       "region=excluded.region, enrolled_at=excluded.enrolled_at, decommissioned_at=NULL")
      .bind(kiosk, hall, region, c.now)
      .run();
  Json out = certificate_answer(s, cert.get(), kiosk);
  out["hall"] = hall;
  out["region"] = region;
  return {200, out};
}

// POST /v1/kiosk/certificate {csr}: the TLS handshake proved the current key; the CSR's key is the new one.
Reply h_renew(State& s, Ctx& c) {
  X509ReqPtr csr = parse_csr(string_field(c.body, "csr"));
  if (!csr) return error_reply(code::kCsrMalformed);
  if (!is_ec_p256(X509_REQ_get0_pubkey(csr.get()))) return error_reply(code::kCsrKeyType);
  X509Ptr cert = s.issue_kiosk_certificate(csr.get(), c.kiosk_id, c.now);
  if (!cert) return error_reply(code::kInternal, "the kiosk CA cannot sign");
  return {200, certificate_answer(s, cert.get(), c.kiosk_id)};
}

// GET /v1/kiosk/config-bundle: the last published bundle as it was given, with a strong ETag.
Reply h_bundle(State& s, Ctx& c) {
  Stmt q(s.db, "SELECT body, etag FROM bundles ORDER BY id DESC LIMIT 1");
  if (!q.row()) return error_reply(code::kBundleNone);
  const std::string etag = q.text(1);
  Reply r;
  r.headers.push_back({"ETag", etag});
  if (c.req.header("If-None-Match") == etag) {
    r.status = 304;
    r.raw = std::string();
    return r;
  }
  const Bytes body = q.blob(0);
  r.raw = std::string(body.begin(), body.end());
  r.content_type = "application/pkcs7-mime";
  return r;
}

}  // namespace

void add_enroll_routes(Routes& r) {
  r.accepting(Accepts::Anyone);
  r.post("/v1/enroll", "enroll", h_enroll, false);
  r.accepting(Accepts::Kiosk);
  r.post("/v1/kiosk/certificate", "kiosk.certificate", h_renew);
  r.get("/v1/kiosk/config-bundle", "kiosk.config_bundle", h_bundle);
}

}  // namespace reference
