// UI-only state of the renewal's screens, one struct per screen, members of ui::SessionScratch (replaced
// with the session: the keypads' SecretBuffers zero themselves, nothing reaches the next customer).
#pragma once

#include "ui/keypad.hpp"
#include "ui/widgets.hpp"

namespace ui {

struct ProductsScratch {
  ListScratch list;
};
struct KeyCheckScratch {};
struct PhoneScratch {
  KeypadScratch phone;  // the number being typed (personal data, not a secret; wiped all the same)
  KeypadScratch code;   // the SMS code: handed to the runtime on submit
  bool on_code = false;        // the keypad types into the code field
  bool moved_to_code = false;  // moved there once, when the first code was sent
  bool seeded = false;         // the number field took the model's number once (e.g. after 返回)
};
struct OrderListScratch {};
struct PaymentScratch {};
struct KeyDetailsScratch {};
struct PinScratch {
  KeypadScratch pin;  // handed to the runtime on submit
  int entries = 0;    // PINs submitted in this session: a shuffled keypad gets a new order for each
};
struct ProgressScratch {};
struct KeyPulledScratch {};
struct SuccessScratch {};
struct FailureScratch {};

}  // namespace ui
