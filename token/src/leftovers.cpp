// remove_leftovers(): what an interrupted key generation or certificate write of this renewal left on the
// key, found by comparison with the inventory taken before its first key generation.
#include <algorithm>
#include <set>
#include <utility>

#include "inventory_internal.hpp"
#include "keys.hpp"
#include "rollover_internal.hpp"

namespace token {

using namespace detail;

namespace {

using Flags = std::pair<std::optional<bool>, std::optional<bool>>;

Flags flags_of(const ObjectPrint& p) {
  return {p.local, p.sensitive};
}

// What the renewal's writes could have left: its own CKA_ID or none, its pending label or none, and a key
// of the staged type that no certificate on the key uses, or a certificate for the staged key.
struct Ours {
  Bytes id;
  std::string pending_label;
  std::string key_type;
  std::string staged_value;       // SHA-256 of the staged key's public value
  std::set<std::string> carried;  // the public values of every certificate on the key

  [[nodiscard]] bool provably(const Found& f) const {
    const ObjectPrint& p = f.print;
    if (!(p.id.empty() || p.id == id) || !(p.label.empty() || p.label == pending_label)) return false;
    switch (p.kind) {
      case ObjectKind::PublicKey:
      case ObjectKind::PrivateKey:
        // A key that reads back as generated on the key but carries neither the renewal's CKA_ID nor its
        // label is no evidence: the renewal names its keys before the token marks them generated (SoftHSM
        // writes CKA_LOCAL last), and a nameless generated key is what other software may leave.
        if (p.local.value_or(false) && p.id.empty() && p.label.empty()) return false;
        return p.key_type == key_type && (p.value_sha256.empty() || !carried.contains(p.value_sha256));
      case ObjectKind::Certificate:
        return !f.cert_der.empty() && !staged_value.empty() && f.cert_key_sha256 == staged_value;
      case ObjectKind::Other:
      case ObjectKind::Unreadable:
        return false;
    }
    return false;
  }
};

}  // namespace

Result<LeftoverReport> remove_leftovers(Session& s, const RenewalRef& ref,
                                        std::span<const ObjectPrint> before) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  auto st = scan(s, ref);
  if (!st) return std::unexpected(st.error());
  if (st->priv == CK_INVALID_HANDLE || st->pub == CK_INVALID_HANDLE)
    return fail_with<LeftoverReport>(ErrorCode::RenewalOutOfOrder, "no key staged for this renewal");
  auto staged = public_key_of(s, st->pub, st->key_type);
  if (!staged) return std::unexpected(staged.error());

  Ours ours{st->id, ref.pending_label(), key_type_name(st->key_type), public_value_sha256(staged->get()), {}};
  std::set<CK_OBJECT_HANDLE> own{st->priv, st->pub};
  own.insert(st->certs.begin(), st->certs.end());

  auto found = survey(s);
  if (!found) return std::unexpected(found.error());
  for (const Found& f : *found)
    if (!f.cert_key_sha256.empty()) ours.carried.insert(f.cert_key_sha256);

  // The candidates: objects that are not the renewal's own, minus those `before` accounts for.
  std::vector<const Found*> pool;
  for (const Found& f : *found)
    if (!own.contains(f.handle)) pool.push_back(&f);
  std::vector<const Found*> fresh;
  LeftoverReport report;
  std::vector<bool> seen(pool.size(), false);
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (seen[i]) continue;
    const ObjectPrint& p = pool[i]->print;
    std::vector<std::size_t> alike;
    for (std::size_t j = i; j < pool.size(); ++j)
      if (!seen[j] && pool[j]->print.same_object(p)) {
        alike.push_back(j);
        seen[j] = true;
      }
    std::set<Flags> flags_before;
    std::size_t had = 0;
    for (const ObjectPrint& b : before)
      if (b.same_object(p)) {
        ++had;
        flags_before.insert(flags_of(b));
      }
    if (alike.size() <= had) continue;  // all there before
    if (had == 0) {
      for (std::size_t j : alike) fresh.push_back(pool[j]);
      continue;
    }
    // More than before. New for certain: those whose flags no earlier one had. The rest of the surplus
    // cannot be told from what was there: reported, never removed.
    const std::size_t surplus = alike.size() - had;
    std::vector<std::size_t> unseen, seen_flags;
    for (std::size_t j : alike)
      (flags_before.contains(flags_of(pool[j]->print)) ? seen_flags : unseen).push_back(j);
    if (unseen.size() > surplus) {  // an earlier one changed its flags: nothing is certain
      for (std::size_t k = 0; k < surplus; ++k) report.left.push_back(pool[alike[k]]->print);
      continue;
    }
    for (std::size_t j : unseen) fresh.push_back(pool[j]);
    for (std::size_t k = 0; k < surplus - unseen.size(); ++k)
      report.left.push_back(pool[seen_flags[k]]->print);
  }

  for (const Found* f : fresh) {
    if (!ours.provably(*f)) {
      report.left.push_back(f->print);
      continue;
    }
    auto d = SessionAccess::destroy(s, f->handle);
    if (!d && d.error().drops_handles()) return std::unexpected(d.error());
    (d ? report.removed : report.left).push_back(f->print);
  }
  return report;
}

}  // namespace token
