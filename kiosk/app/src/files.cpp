#include "files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb_image.h>
#include <stb_image_write.h>

#include "foundation/c_handle.hpp"

#ifndef KIOSK_BUILD_ASSETS_DIR
#define KIOSK_BUILD_ASSETS_DIR ""
#endif

namespace app {

namespace {
using FilePtr = foundation::CPtr<std::FILE, ::fclose>;
}

std::expected<std::vector<unsigned char>, std::string> read_file(const std::filesystem::path& p) {
  FilePtr f(std::fopen(p.c_str(), "rb"));
  if (!f) return std::unexpected(p.string() + ": " + std::strerror(errno));
  std::vector<unsigned char> out;
  unsigned char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.insert(out.end(), buf, buf + n);
  if (std::ferror(f.get())) return std::unexpected(p.string() + ": read error");
  return out;
}

std::expected<MappedFile, std::string> MappedFile::open(const std::filesystem::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(p.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size <= 0) {
    ::close(fd);
    return std::unexpected(p.string() + ": empty or unreadable");
  }
  void* m = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file
  if (m == MAP_FAILED) return std::unexpected(p.string() + ": mmap: " + std::strerror(errno));
  // stb_truetype reads a few glyphs scattered over the file: no readahead around them.
  madvise(m, static_cast<std::size_t>(st.st_size), MADV_RANDOM);
  MappedFile f;
  f.data_ = static_cast<const unsigned char*>(m);
  f.size_ = static_cast<std::size_t>(st.st_size);
  return f;
}

void MappedFile::release_pages() const {
  if (data_) madvise(const_cast<unsigned char*>(data_), size_, MADV_DONTNEED);
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    if (data_) munmap(const_cast<unsigned char*>(data_), size_);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) munmap(const_cast<unsigned char*>(data_), size_);
}

std::filesystem::path find_assets(const std::filesystem::path& from_option) {
  if (!from_option.empty()) return from_option;
  if (const char* env = std::getenv("KIOSK_ASSETS"); env && *env) return env;
  return KIOSK_BUILD_ASSETS_DIR;
}

namespace {

// Every assets/i18n file of the language (the base <code>.json and the parts <part>.<code>.json), merged.
ui::Strings load_language(const std::filesystem::path& dir, core::Language language) {
  const auto i18n = dir / "i18n";
  std::vector<std::filesystem::path> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(i18n, ec))
    if (ui::language_of_file(entry.path().filename().string()) == language) paths.push_back(entry.path());
  if (ec && ec != std::errc::no_such_file_or_directory)
    throw StartupError("cannot read the language folder " + i18n.string() + ": " + ec.message());
  std::sort(paths.begin(), paths.end());  // the same order on every machine: errors read the same
  const std::string code(ui::language_code(language));
  if (paths.empty())
    throw StartupError("no language file for " + code + " in " + i18n.string() +
                       ": check --assets (or $KIOSK_ASSETS) points at the kiosk's assets folder");
  std::vector<ui::LanguageFile> files;
  for (const auto& p : paths) {
    auto bytes = read_file(p);
    if (!bytes) throw StartupError("cannot read the language file " + bytes.error());
    files.push_back({p.filename().string(), std::string(bytes->begin(), bytes->end())});
  }
  auto s = ui::Strings::parse_files(files);
  if (!s) {
    std::string msg = "the " + code + " language files in " + i18n.string() + " have errors:";
    for (const auto& e : s.error()) msg += "\n  " + e;
    throw StartupError(msg);
  }
  return std::move(*s);
}

}  // namespace

Assets load_assets(const std::filesystem::path& dir) {
  std::error_code ec;
  const bool is_dir = !dir.empty() && std::filesystem::is_directory(dir, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)  // e.g. a parent folder the kiosk's user cannot enter
    throw StartupError("cannot read the assets folder " + dir.string() + ": " + ec.message());
  if (!is_dir)
    throw StartupError("no assets folder at \"" + dir.string() +
                       "\": pass --assets DIR or set $KIOSK_ASSETS (the build puts one in build/assets)");
  Assets a;
  a.dir = dir;
  a.i18n = ui::I18n(load_language(dir, core::Language::ZhCN), load_language(dir, core::Language::En));
  auto font = read_file(dir / "fonts" / "kiosk-start.otf");
  if (!font)
    throw StartupError("cannot read the start font " + font.error() +
                       ": it is made at build time by pyftsubset (Debian fonttools) from fonts-noto-cjk");
  a.start_font = std::move(*font);
  a.extended_font = dir / "fonts" / "kiosk-extended.otf";
  a.pictures = dir / "pictures";
  return a;
}

std::expected<ui::Image, std::string> decode_image(const std::vector<unsigned char>& bytes) {
  int w = 0;
  int h = 0;
  int channels = 0;
  using StbiPtr = foundation::CPtr<stbi_uc, stbi_image_free>;
  StbiPtr px(stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &channels, 4));
  if (!px)
    return std::unexpected(std::string(stbi_failure_reason() ? stbi_failure_reason() : "not an image"));
  ui::Image img;
  img.width = w;
  img.height = h;
  img.rgba.assign(px.get(), px.get() + static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  return img;
}

std::expected<void, std::string> write_png(const std::filesystem::path& p, const ui::Image& img) {
  if (img.empty()) return std::unexpected(std::string("empty image"));
  if (stbi_write_png(p.c_str(), img.width, img.height, 4, img.rgba.data(), img.width * 4) == 0)
    return std::unexpected(p.string() + ": cannot write the PNG");
  return {};
}

}  // namespace app
