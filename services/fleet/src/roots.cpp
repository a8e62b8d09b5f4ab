#include "fleet/roots.hpp"

#include <openssl/pem.h>

#include <algorithm>

#include "foundation/base64.hpp"
#include "json_reader.hpp"
#include "pki.hpp"
#include "rotation_format.hpp"

namespace fleet {

namespace {

std::unexpected<Refused> invalid(std::string detail, std::string field = {}) {
  return std::unexpected(Refused{Refusal::RootRotationInvalid, std::move(field), std::move(detail)});
}

detail::X509StackPtr stack_of(const RootSet& a, const RootSet* b) {
  detail::X509StackPtr s(sk_X509_new_null());
  for (const RootSet* set : {&a, b}) {
    if (!set) continue;
    for (const auto& der : set->roots)
      if (auto cert = detail::x509_from_der(der)) sk_X509_push(s.get(), cert.release());
  }
  return s;
}

// Index of the root whose DER equals the certificate's, or -1.
int index_of(const RootSet& set, X509* cert) {
  const foundation::Bytes der = detail::der_of(cert);
  for (std::size_t i = 0; i < set.roots.size(); ++i)
    if (set.roots[i] == der) return static_cast<int>(i);
  return -1;
}

}  // namespace

RootChain RootChain::from_installed(RootSet installed) {
  RootChain c;
  c.current = installed;
  c.installed = std::move(installed);
  return c;
}

std::expected<RootSet, Refused> check_root_set(RootSet set) {
  const std::size_t n = set.roots.size();
  if (n == 0 || n > kMaxRoots)
    return invalid(std::to_string(n) + " roots, expected 1–" + std::to_string(kMaxRoots), "roots");
  if (set.threshold < 1 || static_cast<std::size_t>(set.threshold) > n)
    return invalid("threshold " + std::to_string(set.threshold) + " of " + std::to_string(n) + " roots",
                   "threshold");
  if (set.sequence < 1) return invalid("sequence must be at least 1", "sequence");
  std::vector<detail::X509Ptr> certs;
  for (std::size_t i = 0; i < n; ++i) {
    auto cert = detail::x509_from_der(set.roots[i]);
    const std::string field = "roots[" + std::to_string(i) + "]";
    if (!cert) return invalid("not one DER certificate", field);
    if (!detail::is_root_ca(cert.get()))
      return invalid(detail::subject_of(cert.get()) + " is not a self-signed CA for certificates and CRLs",
                     field);
    for (const auto& other : certs)
      if (detail::same_identity(other.get(), cert.get()))
        return invalid(detail::subject_of(cert.get()) + " has the subject or key of another root", field);
    certs.push_back(std::move(cert));
  }
  return set;
}

std::expected<RootSet, Refused> load_root_set_pem(const std::filesystem::path& pem, int threshold,
                                                  std::uint64_t sequence) {
  detail::BioPtr bio(BIO_new_file(pem.c_str(), "r"));
  if (!bio) {
    detail::clear_openssl_errors();
    return invalid("cannot read " + pem.string());
  }
  RootSet set{sequence, threshold, {}};
  while (detail::X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)})
    set.roots.push_back(detail::der_of(cert.get()));
  detail::clear_openssl_errors();  // the end of the file reads as an error
  return check_root_set(std::move(set));
}

namespace detail {

std::string rotation_json(const RootSet& next) {
  json roots = json::array();
  for (const auto& r : next.roots) roots.push_back(foundation::base64_encode(r));
  return json{
      {"type", kRotationType}, {"sequence", next.sequence}, {"threshold", next.threshold}, {"roots", roots}}
      .dump();
}

RootSet read_rotation_json(std::string_view text) {
  try {
    json doc = parse_strict(text, 64 * 1024, 4);
    ObjectReader r(doc, "");
    if (read_string(r.required("type"), "type") != kRotationType)
      malformed("type", "not " + std::string(kRotationType));
    RootSet set;
    set.sequence = static_cast<std::uint64_t>(read_int(r.required("sequence"), "sequence", 1, 1'000'000'000));
    set.threshold = static_cast<int>(read_int(r.required("threshold"), "threshold", 1, kMaxRoots));
    const json& roots = read_array(r.required("roots"), "roots", 1, kMaxRoots);
    for (std::size_t i = 0; i < roots.size(); ++i) {
      auto der = foundation::base64_decode(read_string(roots[i], index_path("roots", i)));
      if (!der) malformed(index_path("roots", i), "not base64");
      set.roots.push_back(std::move(*der));
    }
    r.finish();
    return set;
  } catch (const Stop& s) {
    // Whatever the JSON reader found, this is a bad rotation document.
    throw Stop{Refused{Refusal::RootRotationInvalid, s.refused.field, s.refused.detail}};
  }
}

}  // namespace detail

std::optional<std::uint64_t> rotation_sequence(std::span<const std::uint8_t> der) {
  auto sd = detail::read_signed_data(der, kMaxRotationBytes);
  if (!sd) return std::nullopt;
  try {
    return detail::read_rotation_json(detail::raw_content(*sd)).sequence;
  } catch (const detail::Stop&) {
    return std::nullopt;
  }
}

std::expected<RootSet, Refused> verify_rotation(const RootSet& current, std::span<const std::uint8_t> der) {
  auto sd = detail::read_signed_data(der, kMaxRotationBytes);
  if (!sd) return std::unexpected(sd.error());
  if (sd->signer_infos == 0)
    return std::unexpected(Refused{Refusal::Unsigned, "", "a rotation without signatures"});
  RootSet next;
  try {
    next = detail::read_rotation_json(detail::raw_content(*sd));
  } catch (const detail::Stop& s) {
    return std::unexpected(s.refused);
  }
  if (next.sequence != current.sequence + 1)
    return std::unexpected(Refused{Refusal::RootRotationSkipped, "sequence",
                                   "rotation " + std::to_string(next.sequence) + " after root set " +
                                       std::to_string(current.sequence) + ": expected " +
                                       std::to_string(current.sequence + 1)});
  auto checked_set = check_root_set(next);
  if (!checked_set) return std::unexpected(checked_set.error());

  detail::X509StackPtr known = stack_of(current, &next);
  auto sigs = detail::check_signatures(*sd, known.get());
  if (!sigs) {
    if (sigs.error().reason == Refusal::SignerUntrusted)
      return invalid("signed by a certificate that is neither a current nor a new root");
    return std::unexpected(sigs.error());
  }
  std::vector<bool> current_signed(current.roots.size(), false), next_signed(next.roots.size(), false);
  for (const auto& signer : sigs->signers) {
    int c = index_of(current, signer.get()), n = index_of(next, signer.get());
    if (c < 0 && n < 0)
      return invalid("signed by " + detail::subject_of(signer.get()) + ", neither a current nor a new root");
    if (c >= 0) current_signed[static_cast<std::size_t>(c)] = true;
    if (n >= 0) next_signed[static_cast<std::size_t>(n)] = true;
  }
  int current_count = 0;
  for (bool b : current_signed) current_count += b ? 1 : 0;
  if (current_count < current.threshold)
    return std::unexpected(Refused{Refusal::RootThresholdNotMet, "",
                                   std::to_string(current_count) + " of the current roots signed, " +
                                       std::to_string(current.threshold) + " needed"});
  for (std::size_t i = 0; i < next.roots.size(); ++i) {
    bool added = std::find(current.roots.begin(), current.roots.end(), next.roots[i]) == current.roots.end();
    if (added && !next_signed[i]) {
      auto cert = detail::x509_from_der(next.roots[i]);
      return invalid("the new root " + detail::subject_of(cert.get()) + " did not sign its own rotation",
                     "roots[" + std::to_string(i) + "]");
    }
  }
  return next;
}

std::expected<RootChain, Refused> advance(const RootChain& chain,
                                          std::span<const foundation::Bytes> rotations) {
  RootChain out = chain;
  for (const auto& der : rotations) {
    auto seq = rotation_sequence(der);
    if (seq && *seq <= out.current.sequence) continue;
    auto next = verify_rotation(out.current, der);
    if (!next) return std::unexpected(next.error());
    out.rotations.push_back(der);
    out.current = std::move(*next);
  }
  return out;
}

}  // namespace fleet
