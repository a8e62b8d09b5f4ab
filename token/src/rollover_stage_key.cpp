// Step 1: the new key pair, staged on the token under the renewal's CKA_ID and the pending label.
#include <fmt/core.h>

#include "keys.hpp"
#include "rollover_internal.hpp"

namespace token {

using namespace detail;

Result<StagedKey> stage_key(Session& s, const RenewalRef& ref, const CertInfo& old_cert,
                            domain::KeyAlgorithm algorithm) {
  if (auto a = SessionAccess::check_logged_in(s); !a) return std::unexpected(a.error());
  if (auto a = check_ref(ref, old_cert); !a) return std::unexpected(a.error());
  StepGuard step(s);
  auto remember_old = [&](RolloverCache& c) {
    c.old_known = true;
    c.old_id = old_cert.key_id;
    c.old_label = old_cert.label;
  };
  if (RolloverCache* c = cached(s, ref)) {
    step.done();
    return StagedKey{c->id, algorithm_of(c->key_type), c->spki, ref.pending_label(), true};
  }
  auto st = scan(s, ref);
  if (!st) return std::unexpected(st.error());

  if (st->priv != CK_INVALID_HANDLE && st->pub != CK_INVALID_HANDLE) {
    // A resumed renewal: the pair generated before the crash is the one the P10 (maybe already sent) uses.
    auto always = check_protected(s, st->priv);
    if (always) {
      auto key = public_key_of(s, st->pub, st->key_type);
      if (!key) return std::unexpected(key.error());
      Bytes spki = spki_of(key->get());
      if (st->stage != RenewalStage::Finalised) remember_old(remember(s, ref, *st, spki, *always));
      step.done();
      return StagedKey{st->id, algorithm_of(st->key_type), std::move(spki), ref.pending_label(), true};
    }
    // A pair that does not read back protected never left this function, so nothing was signed with it:
    // a generation interrupted on a token that writes a new key's attributes after it creates the key
    // (SoftHSM: CKA_LOCAL and the key's value last). It goes, like a half, unless a certificate is there.
    if (always.error().code != ErrorCode::KeyNotProtected || !st->certs.empty())
      return std::unexpected(always.error());
  }
  if (!st->certs.empty())
    return fail_with<StagedKey>(ErrorCode::RenewalOutOfOrder,
                                "this renewal's certificate is there but its key is gone");

  // A half (or an unfinished pair) left by an interrupted generation on a token that does not create pairs
  // atomically. What such a generation left without the renewal's CKA_ID, remove_leftovers() finds.
  for (const Obj& o : st->objects)
    if (auto d = SessionAccess::destroy(s, o.handle); !d) return std::unexpected(d.error());

  auto mechs = SessionAccess::mechanisms(s);
  if (!mechs) return std::unexpected(mechs.error());
  if (!mechs->supports(algorithm))
    return fail_with<StagedKey>(ErrorCode::MechanismUnsupported,
                                fmt::format("token cannot generate and sign with {}", to_string(algorithm)));

  const Bytes& id = st->id;
  const std::string label = ref.pending_label();
  const CK_KEY_TYPE key_type = algorithm == domain::KeyAlgorithm::Rsa2048 ? CKK_RSA : CKK_EC;
  auto pair = generate_pair(s, algorithm, id, label, old_cert.subject.der);
  if (!pair) return std::unexpected(pair.error());
  const CK_OBJECT_HANDLE hpub = pair->pub, hpriv = pair->priv;

  auto always = check_protected(s, hpriv);
  if (!always) {
    (void)SessionAccess::destroy(s, hpriv);
    (void)SessionAccess::destroy(s, hpub);
    return std::unexpected(always.error());
  }
  auto key = public_key_of(s, hpub, key_type);
  if (!key) return std::unexpected(key.error());
  Bytes spki = spki_of(key->get());
  Staged made;
  made.id = id;
  made.priv = hpriv;
  made.pub = hpub;
  made.key_type = key_type;
  remember_old(remember(s, ref, made, spki, *always));
  step.done();
  return StagedKey{id, algorithm, std::move(spki), label, false};
}

}  // namespace token
