// QR code → pixels, with libqrencode. Encoded once per URL (the app keeps the texture for the session).
#pragma once

#include <expected>
#include <string_view>

#include "ui/image.hpp"

namespace ui {

enum class QrError { Empty, TooLong, EncodeFailed };
std::string_view to_string(QrError e);

struct QrOptions {
  int module_px = 8;      // an integer ≥ 6 so every module is crisp and large enough to scan
  int quiet_modules = 4;  // the standard's quiet zone
};

// Byte mode, ECC level M. Dark modules black, the rest (and the quiet zone) white.
std::expected<Image, QrError> qr_image(std::string_view text, const QrOptions& options = {});

// The module count of the symbol for `text` (29 for a WeChat code_url), for layout.
std::expected<int, QrError> qr_modules(std::string_view text);
// The module size, in whole pixels and at least 6, at which the code of `text` with its quiet zone fits in
// `side` pixels: how the payment screen sizes its code (and the staff's QR test, to match it).
int qr_module_px(std::string_view text, float side);

}  // namespace ui
