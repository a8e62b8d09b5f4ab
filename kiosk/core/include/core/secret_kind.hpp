// The secrets the customer types on a keypad. They go from the keypad's owner straight to the runtime
// (ui::Ctx::hand_over, runtime::Runtime::provide_secret), never through the model; this names which is
// which on both sides.
#pragma once

namespace core {

enum class SecretKind { Pin, SmsCode, Password, NewPassword };

}  // namespace core
