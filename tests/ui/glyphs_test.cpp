// Characters: the start atlas, characters added at run time, the placeholder, line breaking.
#include <doctest/doctest.h>

#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ui/fonts.hpp"
#include "ui/glyphs.hpp"
#include "ui/widgets.hpp"
#include "ui_test_support.hpp"

TEST_CASE("a glyph set gives ImGui's ranges and keeps what lies beyond the BMP aside") {
  ui::GlyphSet g;
  g.add_text("abc续续");
  g.add(0x20000);
  CHECK(g.size() == 4);
  CHECK(g.contains(U'续'));
  CHECK_FALSE(g.contains(0x20000));
  CHECK(g.beyond_bmp() == std::vector<char32_t>{0x20000});
  CHECK(g.ranges() == std::vector<ImWchar>{'a', 'c', 0x7EED, 0x7EED, 0});
  g.remove(U'b');
  CHECK(g.ranges() == std::vector<ImWchar>{'a', 'a', 'c', 'c', 0x7EED, 0x7EED, 0});
}

TEST_CASE("the start atlas holds every character of both language files, at both sizes, within 1024x1024") {
  ui_test::UiHarness h;
  const ui::GlyphSet all = h.i18n().glyphs();
  REQUIRE(all.size() > 200);
  for (auto role : {ui::FontRole::Body, ui::FontRole::Title})
    for (char32_t c : all.codepoints())
      CHECK_MESSAGE(h.fonts().font(role)->FindGlyphNoFallback(static_cast<ImWchar>(c)) != nullptr,
                    "U+" << std::hex << static_cast<unsigned>(c) << " missing from the start atlas");
  CHECK(h.fonts().stats().width <= 1024);
  CHECK(h.fonts().stats().height <= 1024);
  CHECK_FALSE(h.fonts().needs_rebuild());
  CHECK(h.fonts().want("证书续费 Renew 0123456789"));
}

TEST_CASE("a name with new characters adds them to the atlas between frames") {
  ui_test::UiHarness h;
  const std::string name = "内蒙古鑫垚煊科技有限公司";  // 鑫垚煊 are in no UI string
  CHECK_FALSE(h.fonts().has(U'鑫'));
  CHECK_FALSE(h.fonts().want(name));
  CHECK(h.fonts().needs_rebuild());
  const auto before = h.fonts().stats().glyphs;
  auto stats = h.fonts().build(*ImGui::GetIO().Fonts);
  CHECK(stats.glyphs > before);
  CHECK(h.fonts().has(U'鑫'));
  CHECK(h.fonts().font(ui::FontRole::Body)->FindGlyphNoFallback(U'垚') != nullptr);
  CHECK(h.fonts().want(name));  // nothing missing now
  CHECK_FALSE(h.fonts().needs_rebuild());
  // Added for the size it was asked at; the title size asks on its own.
  CHECK_FALSE(h.fonts().want(name, ui::FontRole::Title));
}

namespace {
// ImGui's heap, counted: what it holds now and at most since reset (malloc_usable_size, so frees of blocks
// made before the count began only lower these two, never raise them), and all it asked for.
struct ImGuiHeap {
  static inline std::int64_t now = 0;
  static inline std::int64_t peak = 0;
  static inline std::int64_t total = 0;  // all it asked for
  static void* alloc(std::size_t n, void*) {
    void* p = std::malloc(n);
    total += static_cast<std::int64_t>(n);
    if (p) now += static_cast<std::int64_t>(malloc_usable_size(p));
    peak = std::max(peak, now);
    return p;
  }
  static void release(void* p, void*) {
    if (p) now -= static_cast<std::int64_t>(malloc_usable_size(p));
    std::free(p);
  }
};
}  // namespace

TEST_CASE("adding characters reads the larger font in place: no copy of its 5 MB per size, none kept") {
  ui_test::UiHarness h;
  CHECK_FALSE(h.fonts().want("内蒙古鑫垚煊科技有限公司"));
  CHECK_FALSE(h.fonts().want("鑫垚煊", ui::FontRole::Title));  // both sizes: ImGui 1.86 would copy twice
  ImGuiMemAllocFunc old_alloc = nullptr;
  ImGuiMemFreeFunc old_free = nullptr;
  void* old_user = nullptr;
  ImGui::GetAllocatorFunctions(&old_alloc, &old_free, &old_user);
  ImGuiHeap::now = ImGuiHeap::peak = ImGuiHeap::total = 0;
  ImGui::SetAllocatorFunctions(&ImGuiHeap::alloc, &ImGuiHeap::release);
  ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
  const auto stats = h.fonts().build(atlas);
  ImGui::SetAllocatorFunctions(old_alloc, old_free, old_user);
  REQUIRE(h.fonts().has(U'鑫'));
  const std::int64_t font_bytes = 5 * 1000 * 1000;  // kiosk-extended.otf is ~5.1 MB
  // The atlas's own pixels and glyph tables are well under a megabyte at this size; one copy of the font
  // alone would be 5 MB.
  CHECK_MESSAGE(ImGuiHeap::peak < font_bytes / 2, "ImGui's heap grew by " << ImGuiHeap::peak << " bytes");
  CHECK(ImGuiHeap::total > static_cast<std::int64_t>(stats.width) * stats.height);  // it did see the atlas
  CHECK(atlas.ConfigData.empty());  // nothing left that points at the caller's bytes
}

TEST_CASE("a character beyond the BMP is a visible placeholder and is logged by code point only") {
  ui_test::UiHarness h;
  const std::string name = "证书\xF0\xA0\x80\x80服务";  // U+20000 (CJK Extension B) among UI characters
  CHECK_FALSE(h.fonts().want(name));
  CHECK_FALSE(h.fonts().needs_rebuild());  // nothing to add: it cannot be drawn, so no rebuild loop
  REQUIRE(h.log().size() == 1);
  CHECK(h.log()[0].find("U+20000") != std::string::npos);
  CHECK(h.log()[0].find("证书") == std::string::npos);  // never the text: names are personal data
  CHECK(h.fonts().unavailable().beyond_bmp() == std::vector<char32_t>{0x20000});
  // ImGui decodes it as U+FFFD, which is our drawn box: it has a glyph, and it is the fallback.
  ImFont* f = h.fonts().font(ui::FontRole::Body);
  const ImFontGlyph* g = f->FindGlyphNoFallback(static_cast<ImWchar>(ui::FontBook::kPlaceholder));
  REQUIRE(g != nullptr);
  CHECK(g->Visible);
  CHECK(g->X1 - g->X0 > 10.0f);
  CHECK(f->FallbackChar == static_cast<ImWchar>(ui::FontBook::kPlaceholder));
  CHECK(f->CalcTextSizeA(f->FontSize, 1e9f, -1, "\xF0\xA0\x80\x80").x > 10.0f);  // takes room: visible
  h.fonts().want(name);
  CHECK(h.log().size() == 1);  // once
}

TEST_CASE("a BMP character in neither font is a placeholder too, reported once, with no rebuild loop") {
  ui_test::UiHarness h;
  CHECK_FALSE(h.fonts().want("\xEA\x80\x80"));  // U+A000, a Yi syllable: not in Noto Sans CJK SC
  CHECK(h.fonts().needs_rebuild());
  h.fonts().build(*ImGui::GetIO().Fonts);
  CHECK_FALSE(h.fonts().has(0xA000));
  CHECK(h.fonts().unavailable().contains(0xA000));
  CHECK_FALSE(h.fonts().want("\xEA\x80\x80"));
  CHECK_FALSE(h.fonts().needs_rebuild());
  REQUIRE_FALSE(h.log().empty());
  CHECK(h.log().back().find("U+A000") != std::string::npos);
}

TEST_CASE("line breaking: CJK anywhere, never inside KEY or a number, never before closing punctuation") {
  ui_test::UiHarness h;
  ImFont* f = h.fonts().font(ui::FontRole::Body);
  const std::string text =
      "在首页点击【证书续费】，选择项目和KEY品牌，点击【开始续费】，验证手机13800138000，扫码支付。";
  for (float width : {180.0f, 240.0f, 300.0f, 420.0f, 610.0f}) {
    const auto w = ui::wrap_text(f, text, width);
    CHECK(w.overflow == 0.0f);
    std::string joined;
    for (const auto& line : w.lines) {
      CHECK(line.width <= width + 0.5f);
      CHECK(line.text.find("，") != 0);  // no line starts with a comma
      CHECK(line.text.find("。") != 0);
      const auto n = line.text.size();
      CHECK_FALSE((n >= 3 && line.text.substr(n - 3) == "【"));  // no line ends with an opening bracket
      joined += line.text;
    }
    CHECK(joined == text);
    CHECK(joined.find("KEY") != std::string::npos);
    for (const auto& line : w.lines) {
      // "KEY" and the phone number are never cut.
      CHECK_FALSE((line.text.ends_with("K") || line.text.ends_with("KE")));
      CHECK_FALSE((line.text.starts_with("EY") || line.text.starts_with("Y品")));
    }
  }
  const auto en = ui::wrap_text(f, "Insert your KEY first, then tap Renew certificate", 300.0f);
  CHECK(en.lines.size() > 1);
  for (const auto& line : en.lines) {
    CHECK_FALSE(line.text.starts_with(" "));
    CHECK_FALSE(line.text.ends_with(" "));
  }
  const auto nl = ui::wrap_text(f, "一\n二", 1000.0f);
  CHECK(nl.lines.size() == 2);
  const auto too_long = ui::wrap_text(f, "https://platform.example-ca.cn/v1/orders/0123456789abcdef", 200.0f);
  CHECK(too_long.overflow > 200.0f);  // reported, so check_layout flags it
}
