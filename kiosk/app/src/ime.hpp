// The engines behind the on-screen keyboard's Chinese input (ui::InputMethods): pinyin through librime,
// handwriting through zinnia.
//
// Both load lazily, on the first candidate a customer asks for, and are released when the session ends,
// so start-up and the renewal pay nothing for them (librime alone links ~20 libraries, +100 ms and +8 MB
// at exec; its tables and zinnia's 26 MB model are mapped only while a customer uses them). librime is opened with dlopen for that reason; zinnia is small and
// linked. Data (Debian packages, see deploy/dev.sh):
//   - rime-data-luna-pinyin: /usr/share/rime-data, its prebuilt prism and table under build/;
//   - assets/rime/kiosk_pinyin.schema.yaml: the kiosk's own schema (no user dictionary: nothing learned);
//   - tegaki-zinnia-simplified-chinese: /usr/share/tegaki/models/zinnia/handwriting-zh_CN.model.
// A missing piece is reported once through the log and the keyboard offers what works.
//
// librime is a process-wide singleton: it is set up once per process (the first engine's directories
// win) and never finalised; each ImeEngines has its own Rime session. UI thread only.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "events/event_log.hpp"
#include "ui/ime.hpp"

namespace app {

struct ImeOptions {
  std::filesystem::path rime_shared_dir = "/usr/share/rime-data";
  std::filesystem::path rime_schema_dir;  // assets/rime
  std::filesystem::path zinnia_model = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model";
  std::string rime_library = "librime.so.1";
  events::Channel events;  // a missing piece, once
};

class ImeEngines final : public ui::InputMethods {
 public:
  explicit ImeEngines(ImeOptions options);
  ~ImeEngines() override;
  ImeEngines(const ImeEngines&) = delete;
  ImeEngines& operator=(const ImeEngines&) = delete;

  [[nodiscard]] bool has_pinyin() const override;
  [[nodiscard]] bool has_handwriting() const override;
  std::vector<std::string> pinyin(std::string_view letters, std::size_t max) override;
  ui::PinyinPick pick(std::string_view letters, std::size_t index) override;
  std::vector<std::string> handwriting(const ui::Ink& ink, std::size_t max) override;

  // Lets go of the loaded engines (the Rime session and its tables, zinnia's model) until the next use: the
  // app calls it when a customer's session ends, so their memory goes back and nothing of one customer's
  // typing stays in an engine for the next.
  void release();

  // Loaded yet (tests and benchmarks)?
  [[nodiscard]] bool pinyin_loaded() const;
  [[nodiscard]] bool handwriting_loaded() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace app
