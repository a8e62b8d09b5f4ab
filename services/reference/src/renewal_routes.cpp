// The renewal of a paid order: a nonce, the submitted P10 with the old key's proof (one issuance per
// order and key), and the issued certificate.
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

constexpr int kNonceValidS = 1800;

contract::IssuedCertificate issued_of(State& s, std::string_view order_id) {
  contract::IssuedCertificate out;
  Stmt q(s.db,
         "SELECT der, serial, not_before, not_after FROM issuances WHERE order_id=? ORDER BY id LIMIT 1");
  q.bind(order_id);
  if (q.row()) {
    out.order_id = std::string(order_id);
    out.certificate = q.blob(0);
    out.serial = q.text(1);
    out.not_before = q.i64(2);
    out.not_after = q.i64(3);
    out.chain.push_back(der_of(s.issuing_ca.get()));
  }
  return out;
}

Reply h_nonce(State& s, Ctx& c) {
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  if (!contract::is_unfinished(o->status)) return state_error(o->status);
  Bytes nonce = random_bytes(32);
  Stmt(s.db, "UPDATE orders SET nonce=?, nonce_expires_at=? WHERE id=?")
      .bind(nonce, c.now + kNonceValidS, o->id)
      .run();
  return {200, contract::encode(contract::RenewalNonce{o->id, nonce, c.now + kNonceValidS})};
}

Reply h_submit(State& s, Ctx& c) {
  Db& db = s.db;
  auto req = body_as<contract::RenewalSubmitRequest>(c);
  if (!req) return req.error();
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  if (!contract::is_unfinished(o->status)) return state_error(o->status);
  const contract::Product* product = s.catalog.product(o->product_id);
  if (!product) return error_reply(code::kProductUnknown, o->product_id);

  Stmt n(db, "SELECT nonce, nonce_expires_at FROM orders WHERE id=?");
  n.bind(o->id);
  if (!n.row() || n.null(0) || n.i64(1) <= c.now) return error_reply(code::kNonceMissing);
  Bytes nonce = n.blob(0);

  const unsigned char* p = req->p10.data();
  X509ReqPtr p10(d2i_X509_REQ(nullptr, &p, static_cast<long>(req->p10.size())));
  ERR_clear_error();
  if (!p10 || p != req->p10.data() + req->p10.size()) return error_reply(code::kP10Malformed);
  EVP_PKEY* new_key = X509_REQ_get0_pubkey(p10.get());
  if (!new_key) return error_reply(code::kP10Malformed, "no public key");
  bool self_ok = X509_REQ_verify(p10.get(), new_key) == 1;
  ERR_clear_error();
  if (!self_ok) return error_reply(code::kP10SignatureInvalid);

  Stmt oc(db, "SELECT der, project, brand, not_after, revoked FROM customer_certs WHERE sha256=?");
  oc.bind(o->old_cert_sha256);
  if (!oc.row()) return error_reply(code::kInternal, "bound certificate missing");
  // Revoked after the order was paid (a reported loss, say): its key may no longer vouch for a new one.
  if (oc.i64(4) != 0) return error_reply(code::kCertificateRevoked);
  X509Ptr old = cert_from_der(oc.blob(0));
  std::string project = oc.text(1), brand = oc.text(2);
  UnixTime old_not_after = oc.i64(3);
  if (!old) return error_reply(code::kInternal, "bound certificate unreadable");
  if (der_of_name(X509_REQ_get_subject_name(p10.get())) != der_of_name(X509_get_subject_name(old.get())))
    return error_reply(code::kSubjectMismatch);
  if (key_type_of(new_key) != domain::to_string(product->key_algorithm))
    return error_reply(code::kP10KeyType, key_type_of(new_key));
  if (!verify_sha256(X509_get0_pubkey(old.get()), renewal_proof_der(o->id, req->p10, nonce), req->proof))
    return error_reply(code::kProofInvalid);

  Bytes spki = der_of_pubkey(new_key);
  Stmt prev(db, "SELECT spki FROM issuances WHERE order_id=? ORDER BY id LIMIT 1");
  prev.bind(o->id);
  if (prev.row()) {
    if (prev.blob(0) != spki) return error_reply(code::kOtherKey);
    return {200,
            contract::encode(issued_of(s, o->id))};  // the same key: the same certificate, no second issuance
  }

  Bytes serial = s.id_bytes("serial", 16);
  serial[0] &= 0x7f;
  if (serial[0] == 0) serial[0] = 1;
  CertSpec spec;
  spec.subject = X509_REQ_get_subject_name(p10.get());
  spec.public_key = new_key;
  spec.issuer = s.issuing_ca.get();
  spec.issuer_key = s.issuing_key.get();
  spec.serial = serial;
  spec.not_before = c.now - kNotBeforeBackdateS;
  spec.not_after = add_years(std::max(c.now, old_not_after), o->years);
  X509Ptr cert = make_certificate(spec);
  if (!cert) return error_reply(code::kInternal, "issuing failed");
  Bytes der = der_of(cert.get());
  std::string serial_hex = foundation::hex_encode(serial);
  Stmt(db,
       "INSERT INTO issuances(order_id, der, spki, serial, not_before, not_after, at) VALUES(?,?,?,?,?,?,?)")
      .bind(o->id, der, spki, serial_hex, spec.not_before, spec.not_after, c.now)
      .run();
  Stmt(db,
       "INSERT INTO customer_certs(serial, sha256, der, project, brand, not_before, not_after, key_type) "
       "VALUES(?,?,?,?,?,?,?,?)")
      .bind(serial_hex, foundation::sha256_hex(der), der, project, brand, spec.not_before, spec.not_after,
            key_type_of(new_key))
      .run();
  Stmt(db, "UPDATE customer_certs SET renewed_by=? WHERE sha256=?").bind(o->id, o->old_cert_sha256).run();
  Stmt(db, "UPDATE orders SET status='issued', issued_at=? WHERE id=?").bind(c.now, o->id).run();
  return {200, contract::encode(issued_of(s, o->id))};
}

Reply h_certificate(State& s, Ctx& c) {
  auto o = s.load_order(c.param(), c.now);
  if (!o) return error_reply(code::kOrderNotFound);
  auto issued = issued_of(s, o->id);
  if (issued.certificate.empty()) return error_reply(code::kNotIssued);
  return {200, contract::encode(issued)};
}

}  // namespace

void add_renewal_routes(Routes& r) {
  const std::string id(kIdPattern);
  r.post("/v1/orders/" + id + "/renewal/nonce", "renewal.nonce", h_nonce);
  r.post("/v1/orders/" + id + "/renewal/submit", "renewal.submit", h_submit);
  r.get("/v1/orders/" + id + "/certificate", "renewal.certificate", h_certificate);
}

}  // namespace reference
