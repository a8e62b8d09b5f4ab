// The secrets the customer types (PIN, SMS code, passwords), by name only. The screen that collects one
// hands the buffer over beside its event (ui::Ctx::hand_over) and puts the buffer's slot in the event; the
// core copies the slot into the effect that uses the secret; the driver (runtime::Dispatcher) gives the
// runtime the secret together with that effect and wipes, at once, a secret no effect names. The secret
// itself never passes through the core: a slot is a kind and a number.
#pragma once

#include <cstdint>

namespace core {

enum class SecretKind { Pin, SmsCode, Password, NewPassword, MaintenanceCode };

struct SecretSlot {
  SecretKind kind = SecretKind::Pin;
  std::uint32_t id = 0;  // given by whoever hands the secret over, unique among the secrets in flight
  friend bool operator==(const SecretSlot&, const SecretSlot&) = default;
};

}  // namespace core
