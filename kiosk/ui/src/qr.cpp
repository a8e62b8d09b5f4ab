#include "ui/qr.hpp"

#include <algorithm>
#include <cerrno>
#include <string>

#include <qrencode.h>

#include "foundation/c_handle.hpp"

namespace ui {
namespace {

using QrPtr = foundation::CPtr<QRcode, QRcode_free>;

std::expected<QrPtr, QrError> encode(std::string_view text) {
  if (text.empty()) return std::unexpected(QrError::Empty);
  const std::string s(text);  // libqrencode wants a NUL-terminated string
  QrPtr code(QRcode_encodeString8bit(s.c_str(), 0, QR_ECLEVEL_M));
  if (!code) return std::unexpected(errno == ERANGE ? QrError::TooLong : QrError::EncodeFailed);
  return code;
}

}  // namespace

std::string_view to_string(QrError e) {
  switch (e) {
    case QrError::Empty:
      return "nothing to encode";
    case QrError::TooLong:
      return "text too long for a QR code";
    case QrError::EncodeFailed:
      return "QR encoding failed";
  }
  return "?";
}

std::expected<int, QrError> qr_modules(std::string_view text) {
  auto code = encode(text);
  if (!code) return std::unexpected(code.error());
  return (*code)->width;
}

std::expected<Image, QrError> qr_image(std::string_view text, const QrOptions& o) {
  auto code = encode(text);
  if (!code) return std::unexpected(code.error());
  const int modules = (*code)->width;
  const int px = std::max(1, o.module_px);
  const int quiet = std::max(0, o.quiet_modules);
  const int side = (modules + 2 * quiet) * px;
  Image img;
  img.width = side;
  img.height = side;
  img.rgba.assign(static_cast<std::size_t>(side) * static_cast<std::size_t>(side) * 4, 0xFF);
  const unsigned char* data = (*code)->data;
  for (int my = 0; my < modules; ++my)
    for (int mx = 0; mx < modules; ++mx) {
      if ((data[my * modules + mx] & 1) == 0) continue;  // bit 0: dark module
      for (int y = 0; y < px; ++y) {
        const auto row = static_cast<std::size_t>((quiet + my) * px + y) * static_cast<std::size_t>(side);
        for (int x = 0; x < px; ++x) {
          const auto at = (row + static_cast<std::size_t>((quiet + mx) * px + x)) * 4;
          img.rgba[at] = img.rgba[at + 1] = img.rgba[at + 2] = 0;
        }
      }
    }
  return img;
}

int qr_module_px(std::string_view text, float side) {
  const auto modules = qr_modules(text);
  const int total = (modules ? *modules : 29) + 8;  // 4 modules of quiet zone each side
  return std::max(6, static_cast<int>(side) / total);
}

}  // namespace ui
