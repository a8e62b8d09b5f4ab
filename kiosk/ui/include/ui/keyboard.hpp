// The full on-screen keyboards of the personal centre, and the entry field they type into.
//
//   - Latin: letters (with a one-shot shift), digits and every printable ASCII symbol, for e-mail addresses
//     and passwords;
//   - Chinese, for real names: pinyin (letters in, candidates from ui::InputMethods in a bar above the keys,
//     paged) and handwriting (a writing pad; after each stroke the candidates for the ink so far), which
//     older customers often prefer; "·" for names such as 买买提·艾力.
//
// Nothing typed goes through ImGui's InputText (it keeps copies and an undo history) or through the core:
// the keyboard edits a TextTarget, which is a std::string in the screen's scratch or, for a password, a
// zeroizing foundation::SecretBuffer. The keyboard's own state (mode, shift, the pinyin letters, the ink, the
// candidates) is in its KeyboardScratch, inside the screen's scratch, replaced with the session.
//
// Widget keys, under the keyboard's key K: K.a … K.z, K.d0 … K.d9, symbols by name (K.at, K.dot, K.hyphen,
// K.underscore, K.exclaim …: latin_key() gives each character's), K.shift, K.symbols / K.letters,
// K.space, K.backspace, K.done; Chinese: K.pinyin, K.handwriting, K.cand0 … (the candidates shown),
// K.prev, K.next, K.middot, K.pad (the writing pad), K.rewrite.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <imgui.h>
#include <imgui_internal.h>

#include "foundation/secret.hpp"
#include "ui/ctx.hpp"
#include "ui/ime.hpp"

namespace ui {

// Where the keys type: plain text counted in characters (UTF-8), or a secret counted in bytes (ASCII).
class TextTarget {
 public:
  TextTarget(std::string& text, std::size_t max_chars) : text_(&text), max_(max_chars) {}
  TextTarget(foundation::SecretBuffer& secret, std::size_t max_chars) : secret_(&secret), max_(max_chars) {}
  // Appends the whole of `utf8`, or nothing when it would not fit; true when appended.
  bool append(std::string_view utf8);
  void backspace();  // the last character (a whole UTF-8 sequence)
  void clear();
  [[nodiscard]] std::size_t chars() const;
  [[nodiscard]] bool empty() const { return chars() == 0; }
  [[nodiscard]] bool secret() const { return secret_ != nullptr; }

 private:
  std::string* text_ = nullptr;
  foundation::SecretBuffer* secret_ = nullptr;
  std::size_t max_ = 64;
};

enum class KeyboardKind { Latin, Chinese };
enum class KeyboardMode { Letters, Symbols, Pinyin, Handwriting };

struct KeyboardScratch {
  std::optional<KeyboardMode> mode;  // unset: the kind's first mode
  bool shift = false;                // one-shot: the next letter is a capital
  // Chinese
  std::string letters;                  // pinyin typed, not yet turned into characters
  std::vector<std::string> candidates;  // for `letters`, or for `ink`
  std::string candidates_for;           // the letters they were asked for ("" after handwriting)
  std::size_t first = 0;                // the first candidate shown
  std::vector<std::size_t> earlier;     // where the earlier pages began (【上一页】)
  Ink ink;
  bool drawing = false;  // a finger is writing on the pad
};

struct KeyboardOptions {
  KeyboardKind kind = KeyboardKind::Latin;
  std::string_view done_key = "keyboard.done";
};

enum class KeyboardResult { None, Edited, Done };

KeyboardResult keyboard(Ctx& c, std::string_view key, const ImRect& r, KeyboardScratch& s, TextTarget target,
                        const KeyboardOptions& o = {});

// The key that types `ch` on the Latin keyboard: its name (K.<name>), whether it is on the symbols page,
// and whether it needs shift. nullopt for a character the keyboard does not have.
struct LatinKey {
  std::string name;
  bool symbols = false;
  bool shift = false;
};
std::optional<LatinKey> latin_key(char ch);

// ---- the entry field ----------------------------------------------------------------------------------
struct FieldStyle {
  bool focused = false;              // the keyboard types here: a thick outline
  std::string_view placeholder_key;  // shown muted while empty
  std::string_view composing;        // pinyin letters not yet chosen, shown after the text
  bool invalid = false;              // a red outline (the form's error names the field)
};
// A labelled box showing `shown` (for a password: mask characters, see masked()); the text's tail when it
// is longer than the box. Registered as a button under `key` (tap = focus), the text under key + ".text".
// True when tapped.
bool entry_field(Ctx& c, std::string_view key, const ImRect& r, std::string_view shown,
                 const FieldStyle& s = {});
// `n` mask characters (keypad.mask), for a secret's field.
std::string masked(Ctx& c, std::size_t n);

// Every message key the keyboards use (the i18n completeness test).
std::vector<std::string> keyboard_keys();

}  // namespace ui
