// Step 5: the final labels, and with domain::OldKeyPolicy::Delete the old key and certificate retired.
#include <algorithm>
#include <chrono>

#include "rollover_internal.hpp"

namespace token {

using namespace detail;

Result<FinalizeResult> finalize(Session& s, const RenewalRef& ref, const FinalizeOptions& options) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  StepGuard step(s);
  FinalizeResult result;
  const std::string pending = ref.pending_label();

  // What is there: from this session's memory (it installed the certificate) or from the token.
  Bytes id;
  CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE, pub = CK_INVALID_HANDLE, cert_handle = CK_INVALID_HANDLE;
  std::vector<CK_OBJECT_HANDLE> relabel;  // still pending, in the order to relabel: keys, certificate last
  std::string final_label = options.final_label;
  bool was_finalised = false;
  Bytes cert_der;
  RolloverCache* c = cached(s, ref);
  if (c != nullptr && !c->certs.empty() && !c->cert_der.empty()) {
    id = c->id;
    priv = c->priv;
    pub = c->pub;
    cert_handle = c->certs.front();
    cert_der = c->cert_der;
    relabel = {priv, pub, cert_handle};
  } else {
    auto st = scan(s, ref);
    if (!st) return std::unexpected(st.error());
    if (st->stage == RenewalStage::Nothing || st->stage == RenewalStage::KeyStaged)
      return fail_with<FinalizeResult>(ErrorCode::RenewalOutOfOrder,
                                       "no new certificate installed for this renewal");
    id = st->id;
    priv = st->priv;
    pub = st->pub;
    cert_handle = st->certs.front();
    was_finalised = st->stage == RenewalStage::Finalised;
    if (was_finalised)
      final_label = st->cert_label;  // the certificate is relabelled last: it has the final one
    // No label at all: a token that writes a new object's attributes one by one stopped before the label.
    for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE})
      for (const Obj& o : st->objects)
        if (o.cls == cls && (o.label == pending || o.label.empty())) relabel.push_back(o.handle);
    auto v = SessionAccess::attribute(s, cert_handle, CKA_VALUE);
    if (!v) return std::unexpected(v.error());
    if (*v) cert_der = **v;
  }
  auto cert = parse_certificate(cert_der);
  if (!cert) return std::unexpected(cert.error());

  // The old certificate (still there unless a Delete finalisation got past its relabelling).
  Bytes old_id;
  std::vector<CK_OBJECT_HANDLE> old_certs;
  bool old_looked_up = false;
  auto find_old = [&]() -> Result<void> {
    if (old_looked_up) return {};
    old_looked_up = true;
    auto found = certificates_with_fingerprint(s, c != nullptr && c->old_known ? c->old_id : Bytes{},
                                               ref.old_fingerprint);
    if (!found) return std::unexpected(found.error());
    old_certs = std::move(*found);
    if (!old_certs.empty()) {
      auto oc = read_certificate(s, old_certs.front());
      if (!oc) return std::unexpected(oc.error());
      old_id = oc->key_id;
      if (final_label.empty()) final_label = oc->label;
    }
    return {};
  };

  if (!was_finalised) {
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(options.now);
    if (cert->not_before > now)
      return fail_with<FinalizeResult>(ErrorCode::CertificateNotYetValid,
                                       "the new certificate is not valid yet: the old one stays in use");
    if (final_label.empty()) {
      if (c != nullptr && c->old_known) {
        final_label = c->old_label;
      } else if (auto f = find_old(); !f) {
        return std::unexpected(f.error());
      }
    }
    // Labels we make up ourselves fit any token's limit; the old certificate's label the token took already.
    if (final_label.empty()) final_label = fit_label(cert->subject.common_name);
    if (final_label.empty() || final_label == pending)
      final_label = fit_label("CN-CA-KIOSK " + cert->serial_hex);
  }

  bool work = false;
  for (CK_OBJECT_HANDLE h : relabel) {
    if (auto r = SessionAccess::set_label(s, h, final_label); !r) return std::unexpected(r.error());
    work = true;
  }

  if (options.old_key_policy == domain::OldKeyPolicy::Delete) {
    if (auto f = find_old(); !f) return std::unexpected(f.error());
    if (!old_id.empty() && old_id != id) {
      // Keep the old key while any other certificate still pairs with it.
      auto sharing = objects_with_id(s, CKO_CERTIFICATE, old_id);
      if (!sharing) return std::unexpected(sharing.error());
      bool shared = std::any_of(sharing->begin(), sharing->end(), [&](CK_OBJECT_HANDLE h) {
        return std::find(old_certs.begin(), old_certs.end(), h) == old_certs.end();
      });
      if (!shared) {
        // Keys first, certificate last: a crash in between leaves the certificate to find them by.
        for (CK_OBJECT_CLASS cls : {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}) {
          auto keys = objects_with_id(s, cls, old_id);
          if (!keys) return std::unexpected(keys.error());
          for (CK_OBJECT_HANDLE k : *keys) {
            if (auto d = SessionAccess::destroy(s, k); !d) return std::unexpected(d.error());
            work = true;
          }
        }
      }
    }
    for (CK_OBJECT_HANDLE h : old_certs) {
      if (auto d = SessionAccess::destroy(s, h); !d) return std::unexpected(d.error());
      work = true;
    }
    result.old_deleted = true;
  }

  if (c != nullptr) c->certs.clear();  // no longer pending: this session's memory of it is done
  cert->key_id = id;
  cert->label = final_label;
  cert->public_key_found = pub != CK_INVALID_HANDLE;
  cert->private_key_found = priv != CK_INVALID_HANDLE;
  result.certificate = std::move(*cert);
  result.already_complete = was_finalised && !work;
  step.done();
  return result;
}

}  // namespace token
