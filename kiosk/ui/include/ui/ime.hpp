// Chinese input for the on-screen keyboard: pinyin candidates and handwriting recognition.
//
// The engines behind it (librime for pinyin, zinnia for handwriting) open their dictionaries and models
// from disk themselves, so they cannot live in kiosk/ui (no file I/O here). The app implements this
// interface (kiosk/app/src/ime.*) and the keyboard reaches it through Ctx::ime; tests use the same
// implementation. Every call is stateless from the keyboard's side: what has been typed lives in the
// screen's scratch (replaced with the session), and the engines learn nothing (no user dictionary), so one
// customer's name never shows up as a candidate for the next.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ui {

// Handwriting: strokes in the writing pad, each point as a fraction of the pad's width and height (0..1).
struct InkPoint {
  float x = 0;
  float y = 0;
};
using Stroke = std::vector<InkPoint>;
struct Ink {
  std::vector<Stroke> strokes;
  [[nodiscard]] bool empty() const { return strokes.empty(); }
};

// A pinyin candidate taken: the characters it adds and the letters it left for the next choice
// ("zhangsan", 张 → rest "san"; 张三 → rest "").
struct PinyinPick {
  std::string text;
  std::string rest;
};

class InputMethods {
 public:
  virtual ~InputMethods() = default;
  // Whether the engine's data is installed (the keyboard offers only what works).
  [[nodiscard]] virtual bool has_pinyin() const = 0;
  [[nodiscard]] virtual bool has_handwriting() const = 0;
  // Candidates for these letters (a–z only), best first, at most `max`. Empty when none or unavailable.
  virtual std::vector<std::string> pinyin(std::string_view letters, std::size_t max) = 0;
  // Candidate `index` of pinyin(letters): its text and the letters it did not cover.
  virtual PinyinPick pick(std::string_view letters, std::size_t index) = 0;
  // The characters this ink may be, best first, at most `max`.
  virtual std::vector<std::string> handwriting(const Ink& ink, std::size_t max) = 0;
};

}  // namespace ui
