// Which secrets an event brings, an effect uses and the model keeps (core/secret_slot.hpp): slots only.
// Whatever is not listed here names no secret, so a secret handed over with it is wiped, never kept.
#include <optional>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/model.hpp"

namespace core {
namespace {

struct Slots {
  std::vector<SecretSlot> out;
  void add(const SecretSlot& s) { out.push_back(s); }
  void add(const std::optional<SecretSlot>& s) {
    if (s) out.push_back(*s);
  }

  void operator()(const CodeSubmitted& e) { add(e.code); }
  void operator()(const PinSubmitted& e) { add(e.pin); }
  void operator()(const LoginSubmitted& e) {
    add(e.password);
    add(e.code);
  }
  void operator()(const ProfileSubmitted& e) { add(e.code); }
  void operator()(const PasswordSubmitted& e) {
    add(e.current);
    add(e.next);
  }
  void operator()(const StaffPinSubmitted& e) { add(e.pin); }
  void operator()(const StaffCodeSubmitted& e) { add(e.code); }

  void operator()(const VerifySms& e) { add(e.code); }
  void operator()(const RunStep& e) { add(e.pin); }
  void operator()(const AccountLogin& e) {
    add(e.password);
    add(e.code);
  }
  void operator()(const SaveProfile& e) { add(e.code); }
  void operator()(const ChangePassword& e) {
    add(e.current);
    add(e.next);
  }

  void operator()(const StaffKeySignIn& e) { add(e.pin); }
  void operator()(const StaffCodeSignIn& e) { add(e.code); }

  void operator()(const phase::Pin& p) { add(p.final_try_pin); }
  void operator()(const phase::StaffSignIn& p) { add(p.final_try_pin); }

  template <typename T>
  void operator()(const T&) {}
};

template <typename Variant>
std::vector<SecretSlot> slots_of(const Variant& v) {
  Slots s;
  std::visit(s, v);
  return std::move(s.out);
}

}  // namespace

std::vector<SecretSlot> secrets_named(const Event& e) {
  return slots_of(e);
}

std::vector<SecretSlot> secrets_used(const Effect& e) {
  return slots_of(e);
}

std::vector<SecretSlot> secrets_held(const Model& m) {
  return slots_of(m.flow);
}

}  // namespace core
