// The kiosk's files: the assets folder (language files, fonts, pictures, harness scripts) and PNG output.
// kiosk/ui does no I/O; everything it needs comes through here as bytes.
#pragma once

#include <expected>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ui/i18n.hpp"
#include "ui/image.hpp"

namespace app {

// A start-up failure: what is wrong and what to do. main() prints it and exits non-zero.
struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::expected<std::vector<unsigned char>, std::string> read_file(const std::filesystem::path& p);

// The assets folder: --assets, else $KIOSK_ASSETS, else the build tree's (set at configure time).
std::filesystem::path find_assets(const std::filesystem::path& from_option);

struct Assets {
  std::filesystem::path dir;
  ui::I18n i18n;
  std::vector<unsigned char> start_font;  // fonts/kiosk-start.otf
  std::filesystem::path extended_font;    // fonts/kiosk-extended.otf, read on first need
  std::filesystem::path pictures;         // pictures/<name>.png
};

// Reads the language files and the start font; throws StartupError naming the file and the fix.
Assets load_assets(const std::filesystem::path& dir);

// A read-only memory map: the larger font (5 MB) costs only the pages the rasteriser touches.
class MappedFile {
 public:
  static std::expected<MappedFile, std::string> open(const std::filesystem::path& p);
  MappedFile() = default;
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&& o) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();
  [[nodiscard]] std::span<const unsigned char> bytes() const { return {data_, size_}; }
  // Gives back the pages read so far (they stay in the page cache); the bytes stay readable and page in
  // again when next read.
  void release_pages() const;

 private:
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
};

// Decodes a PNG/JPEG (stb_image) into RGBA.
std::expected<ui::Image, std::string> decode_image(const std::vector<unsigned char>& bytes);
// Writes RGBA as PNG (stb_image_write).
std::expected<void, std::string> write_png(const std::filesystem::path& p, const ui::Image& img);

}  // namespace app
