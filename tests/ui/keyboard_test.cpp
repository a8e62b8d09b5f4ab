// The personal centre's on-screen keyboards by synthetic touch, with the app's real Chinese input engines
// (librime with Debian's luna_pinyin data, zinnia with the tegaki model): Latin letters, capitals, digits
// and every symbol into text and into a zeroizing secret; pinyin candidates, whole and partial; handwriting
// strokes on the pad; nothing learned between customers; the layout rules in both languages and
// orientations.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <set>
#include <string>

#include "ime.hpp"
#include "ui/keyboard.hpp"
#include "ui_test_support.hpp"

using ui::PointerEvent;

namespace {

struct Bench {
  ui_test::UiHarness h;
  ui::KeyboardScratch kb;
  std::string text;
  foundation::SecretBuffer secret;
  bool use_secret = false;
  bool no_ime = false;
  ui::KeyboardKind kind = ui::KeyboardKind::Latin;
  ui::KeyboardResult last = ui::KeyboardResult::None;
  core::Language language = core::Language::ZhCN;

  ImRect rect() const {
    const ImVec2 d = h.display();
    return d.x > d.y ? ImRect(ImVec2(860, 200), ImVec2(1860, 900))
                     : ImRect(ImVec2(40, 1100), ImVec2(1040, 1760));
  }
  void draw(ui::Ctx& c) {
    if (no_ime) c.ime = nullptr;
    ui::TextTarget t = use_secret ? ui::TextTarget(secret, 40) : ui::TextTarget(text, 20);
    ui::KeyboardOptions o;
    o.kind = kind;
    const auto r = ui::keyboard(c, "kb", rect(), kb, t, o);
    if (r != ui::KeyboardResult::None) last = r;
  }
  void settle() {
    for (int i = 0; i < 64; ++i) {
      h.frame_with([this](ui::Ctx& c) { draw(c); }, language);
      if (i >= 3 && !h.fonts().needs_rebuild()) break;
    }
  }
  void press_release(ImVec2 p) {
    h.pointer({PointerEvent::Kind::Down, p});
    h.pointer({PointerEvent::Kind::Up, p});
    h.settle_with([this](ui::Ctx& c) { draw(c); });
    settle();
  }
  void tap(std::string_view key) {
    settle();
    auto p = h.widgets().tap_point(key);
    REQUIRE_MESSAGE(p.has_value(), "no key " << std::string(key));
    press_release(*p);
  }
  const ui::WidgetInfo* find(std::string_view key) {
    settle();
    return h.widgets().find(key);
  }
  // Types on the Latin keyboard as a finger would: the symbols page and shift when a character needs them.
  void type(std::string_view s) {
    for (char ch : s) {
      auto k = ui::latin_key(ch);
      REQUIRE_MESSAGE(k.has_value(), "no key for " << ch);
      const bool on_symbols = find("kb.letters") != nullptr;
      if (k->symbols != on_symbols) tap(k->symbols ? "kb.symbols" : "kb.letters");
      if (k->shift) {
        const auto* w = find("kb." + k->name);
        REQUIRE(w);
        if (w->text == k->name) tap("kb.shift");  // still lower case: shift first
      }
      tap("kb." + k->name);
    }
  }
  // A stroke on the pad through these points (fractions of the pad).
  void stroke(std::initializer_list<ImVec2> points) {
    const auto* pad = find("kb.pad");
    REQUIRE(pad);
    const ImRect r = pad->rect;
    auto at = [&](ImVec2 f) { return ImVec2(r.Min.x + f.x * r.GetWidth(), r.Min.y + f.y * r.GetHeight()); };
    auto it = points.begin();
    h.pointer({PointerEvent::Kind::Down, at(*it)});
    h.settle_with([this](ui::Ctx& c) { draw(c); }, 1);
    for (++it; it != points.end(); ++it) {
      h.pointer({PointerEvent::Kind::Move, at(*it)});
      h.settle_with([this](ui::Ctx& c) { draw(c); }, 1);
    }
    h.pointer({PointerEvent::Kind::Up, at(*(points.end() - 1))});
    h.settle_with([this](ui::Ctx& c) { draw(c); });
    settle();
  }
  std::vector<std::string> shown_candidates() {
    settle();
    std::vector<std::string> out;
    for (int i = 0;; ++i) {
      const auto* w = h.widgets().find("kb.cand" + std::to_string(i));
      if (!w) break;
      out.push_back(w->text);
    }
    return out;
  }
  int candidate_index(std::string_view want) {
    const auto c = shown_candidates();
    for (std::size_t i = 0; i < c.size(); ++i)
      if (c[i] == want) return static_cast<int>(i);
    return -1;
  }
  void layout_ok(const std::string& what) {
    for (core::Language l : ui::kLanguages) {
      language = l;
      settle();
      for (const auto& p : h.problems()) FAIL_CHECK(what << " " << ui::language_code(l) << ": " << p);
    }
    language = core::Language::ZhCN;
  }
};

std::set<std::string> listing(const std::filesystem::path& dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    out.insert(e.path().string() + ":" + std::to_string(e.is_regular_file() ? e.file_size() : 0));
  return out;
}

}  // namespace

TEST_CASE("Latin keyboard: letters, one-shot capitals, digits and symbols into plain text") {
  Bench b;
  b.type("Li.Si_2024@mail-x.cn");
  CHECK(b.text == "Li.Si_2024@mail-x.cn");
  // Shift is one-shot: after the capital the keys read lower case again.
  CHECK(b.find("kb.q")->text == "q");
  // The length limit (20 characters here): a key beyond it types nothing.
  b.type("a");
  CHECK(b.text == "Li.Si_2024@mail-x.cn");
  b.tap("kb.backspace");
  CHECK(b.text == "Li.Si_2024@mail-x.c");
  b.tap("kb.done");
  CHECK(b.last == ui::KeyboardResult::Done);
}

TEST_CASE("Latin keyboard: every printable ASCII character into a secret, which no widget ever shows") {
  Bench b;
  b.use_secret = true;
  const std::string all = "!#$%&*+=?/()[]{}<>~^:;,'\"|\\`@.-_ aZ9";
  b.type(all);
  CHECK(b.secret.reveal() == all);
  for (const auto& w : b.h.widgets().all()) CHECK(w.text.size() <= 8);  // key labels only, never the secret
  b.tap("kb.backspace");
  CHECK(b.secret.reveal() == all.substr(0, all.size() - 1));
}

TEST_CASE("pinyin: letters give candidates; a whole or partial choice types its characters") {
  Bench b;
  b.kind = ui::KeyboardKind::Chinese;
  REQUIRE(b.h.ime().has_pinyin());
  CHECK_FALSE(b.h.ime().pinyin_loaded());  // nothing loaded until a candidate is wanted
  b.type("zhangsan");
  CHECK(b.kb.letters == "zhangsan");
  CHECK(b.text.empty());
  CHECK(b.h.ime().pinyin_loaded());
  auto cands = b.shown_candidates();
  REQUIRE_FALSE(cands.empty());
  CHECK(cands[0] == "张三");
  b.tap("kb.cand0");
  CHECK(b.text == "张三");
  CHECK(b.kb.letters.empty());
  CHECK(b.shown_candidates().empty());

  // A part: 张 for "zhang", then the candidates for what is left.
  b.tap("kb.clear");
  CHECK(b.text.empty());
  b.type("zhangsan");
  const int zhang = b.candidate_index("张");
  REQUIRE(zhang >= 0);
  b.tap("kb.cand" + std::to_string(zhang));
  CHECK(b.text == "张");
  CHECK(b.kb.letters == "san");
  const int san = b.candidate_index("三");
  REQUIRE(san >= 0);
  b.tap("kb.cand" + std::to_string(san));
  CHECK(b.text == "张三");

  // Backspace takes letters first, then characters; "·" joins names such as 买买提·艾力.
  b.type("li");
  b.tap("kb.backspace");
  CHECK(b.kb.letters == "l");
  b.tap("kb.backspace");
  b.tap("kb.backspace");
  CHECK(b.text == "张");
  b.tap("kb.middot");
  CHECK(b.text == "张·");
}

TEST_CASE("pinyin: pages of candidates, and nothing is learned from one customer for the next") {
  Bench b;
  b.kind = ui::KeyboardKind::Chinese;
  const auto rime_dir = std::filesystem::path(ui_test::build_assets()) / "rime";
  const auto before = listing(rime_dir);
  const auto first = b.h.ime().pinyin("lvxiaoming", 10);
  REQUIRE(first.size() >= 3);
  b.type("lvxiaoming");
  const auto page1 = b.shown_candidates();
  b.tap("kb.next");
  const auto page2 = b.shown_candidates();
  REQUIRE_FALSE(page2.empty());
  CHECK(page2[0] != page1[0]);
  b.tap("kb.prev");
  CHECK(b.shown_candidates() == page1);
  // Take a less likely candidate several times: a learning engine would move it up.
  for (int i = 0; i < 3; ++i) {
    const auto p = b.h.ime().pick("lvxiaoming", 2);
    CHECK_FALSE(p.text.empty());
  }
  CHECK(b.h.ime().pinyin("lvxiaoming", 10) == first);
  // And nothing was written next to the schema (no user dictionary, no deployment).
  CHECK(listing(rime_dir) == before);
}

TEST_CASE("handwriting: strokes on the pad give candidates; 重写 clears the ink") {
  Bench b;
  b.kind = ui::KeyboardKind::Chinese;
  REQUIRE(b.h.ime().has_handwriting());
  b.tap("kb.handwriting");
  REQUIRE(b.find("kb.pad"));
  CHECK(b.find("kb.pad_hint"));
  // 三: three horizontal strokes, the last the longest.
  b.stroke({ImVec2(0.25f, 0.25f), ImVec2(0.5f, 0.25f), ImVec2(0.75f, 0.25f)});
  CHECK(b.kb.ink.strokes.size() == 1);
  CHECK(b.kb.ink.strokes[0].size() >= 3);
  CHECK_FALSE(b.shown_candidates().empty());
  b.stroke({ImVec2(0.3f, 0.5f), ImVec2(0.7f, 0.5f)});
  b.stroke({ImVec2(0.15f, 0.78f), ImVec2(0.5f, 0.78f), ImVec2(0.85f, 0.78f)});
  CHECK(b.h.ime().handwriting_loaded());
  const int san = b.candidate_index("三");
  REQUIRE(san >= 0);
  CHECK(san <= 2);
  b.tap("kb.cand" + std::to_string(san));
  CHECK(b.text == "三");
  CHECK(b.kb.ink.empty());  // the pad is clear for the next character
  // 十, then 重写 before choosing.
  b.stroke({ImVec2(0.15f, 0.5f), ImVec2(0.85f, 0.5f)});
  b.stroke({ImVec2(0.5f, 0.12f), ImVec2(0.5f, 0.9f)});
  CHECK(b.shown_candidates().at(0) == "十");
  b.tap("kb.rewrite");
  CHECK(b.kb.ink.empty());
  CHECK(b.shown_candidates().empty());
  CHECK(b.text == "三");
}

TEST_CASE("without Chinese input engines the keyboard says so instead of offering dead keys") {
  Bench b;
  b.kind = ui::KeyboardKind::Chinese;
  b.no_ime = true;
  CHECK(b.find("kb.unavailable"));
  CHECK_FALSE(b.find("kb.a"));
  CHECK_FALSE(b.find("kb.pinyin")->enabled);
  CHECK_FALSE(b.find("kb.handwriting")->enabled);
}

TEST_CASE("the keyboards pass the layout rules in both languages and orientations") {
  for (ImVec2 display : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    Bench b;
    b.h.set_display(display);
    const std::string where = display.x > display.y ? "landscape" : "portrait";
    b.layout_ok("latin letters " + where);
    b.tap("kb.shift");
    b.layout_ok("latin shift " + where);
    b.tap("kb.symbols");
    b.layout_ok("latin symbols " + where);
    b.kind = ui::KeyboardKind::Chinese;
    b.kb = {};
    b.type("zhangsan");
    b.layout_ok("pinyin with candidates " + where);
    b.tap("kb.handwriting");
    b.stroke({ImVec2(0.2f, 0.5f), ImVec2(0.8f, 0.5f)});
    b.layout_ok("handwriting with candidates " + where);
  }
}
