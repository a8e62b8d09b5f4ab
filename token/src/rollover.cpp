// The renewal's reference and labels, the names of stages, and find_renewal(). The five steps
// live in rollover_<step>.cpp, what they share in rollover_internal.cpp.
#include "token/rollover.hpp"

#include <algorithm>

#include "foundation/hex.hpp"
#include "rollover_internal.hpp"

namespace token {

using namespace detail;

namespace {

bool valid_order_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

}  // namespace

Result<RenewalRef> RenewalRef::make(std::string_view order_id, std::string_view old_sha256_hex) {
  if (!valid_order_id(order_id))
    return fail_with<RenewalRef>(ErrorCode::InvalidArgument, "order id must be 1–64 of A-Z a-z 0-9 - _");
  bool hex = old_sha256_hex.size() == 64 &&
             std::all_of(old_sha256_hex.begin(), old_sha256_hex.end(),
                         [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  if (!hex)
    return fail_with<RenewalRef>(ErrorCode::InvalidArgument, "fingerprint must be 64 lower-case hex digits");
  return RenewalRef{std::string(order_id), std::string(old_sha256_hex)};
}

// 30 bytes: tokens that cap CKA_LABEL cap it at 32 (the size of a token's own label) or more. The CKA_ID
// already ties the objects to the renewal; the label only says "pending" and which renewal at a glance.
std::string RenewalRef::pending_label() const {
  const Bytes id = key_id_for(*this);
  return std::string(kPendingLabelPrefix) + foundation::hex_encode(std::span(id).first(8));
}

std::string fit_label(std::string_view s) {
  if (s.size() <= kMaxLabelBytes) return std::string(s);
  std::size_t n = kMaxLabelBytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 character
  return std::string(s.substr(0, n));
}

std::string_view to_string(RenewalStage s) noexcept {
  switch (s) {
    case RenewalStage::Nothing:
      return "nothing";
    case RenewalStage::KeyStaged:
      return "key-staged";
    case RenewalStage::CertificateInstalled:
      return "certificate-installed";
    case RenewalStage::Finalised:
      return "finalised";
  }
  return "?";
}

Result<RenewalState> find_renewal(Session& s, const RenewalRef& ref) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  auto st = scan(s, ref);
  if (!st) return std::unexpected(st.error());
  RenewalState out;
  out.stage = st->stage;
  out.staged_pairs = static_cast<unsigned>(std::count_if(
      st->objects.begin(), st->objects.end(), [](const Obj& o) { return o.cls == CKO_PRIVATE_KEY; }));
  if (st->stage == RenewalStage::Nothing) return out;
  out.key_id = st->id;
  if (st->priv != CK_INVALID_HANDLE) out.algorithm = algorithm_of(st->key_type);
  if (!st->certs.empty()) {
    auto c = read_certificate(s, st->certs.front());
    if (!c) return std::unexpected(c.error());
    out.new_certificate = std::move(*c);
  }
  if (st->stage == RenewalStage::Finalised) {
    out.finalisation_complete = std::none_of(st->objects.begin(), st->objects.end(), [&](const Obj& o) {
      return o.label == ref.pending_label() || o.label.empty();
    });
    auto old = certificates_with_fingerprint(s, {}, ref.old_fingerprint);
    if (!old) return std::unexpected(old.error());
    out.old_certificate_present = !old->empty();
  } else {
    out.old_certificate_present = true;  // nothing is retired before finalisation
  }
  return out;
}

}  // namespace token
