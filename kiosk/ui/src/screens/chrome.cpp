// The frame around every screen: what the kiosk is, the key's status, the language switch; at the bottom
// the way back and home (or help, on home); and "请勿拔出KEY" while a token operation runs.
#include <algorithm>
#include <string>

#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {
namespace {

struct Badge {
  std::string text;
  Rgb dot;
};

Badge key_badge(const core::ChromeView& v, Ctx& c) {
  switch (v.key) {
    case core::KeyPresence::NoKey:
      return {std::string(c.tr("key.none")), color::kTextMuted};
    case core::KeyPresence::Recognised:
      return {format(c.tr("key.recognised"), {{"brand", v.key_brand_name}}), color::kOk};
    case core::KeyPresence::NotRecognised:
      return {std::string(c.tr("key.not_recognised")), color::kDanger};
    case core::KeyPresence::DriverMissing:
      return {std::string(c.tr("key.driver_missing")), color::kDanger};
  }
  return {};
}

// The badge: a white pill with a key icon in the status colour, so it reads on the dark bar and in the
// portrait status strip alike.
void draw_key_badge(const core::ChromeView& v, Ctx& c, const ImRect& area, Align align) {
  const Badge b = key_badge(v, c);
  const ImVec2 ts = text_size(c, b.text, FontRole::Body);
  const float h = 64.0f;
  const float icon = 44.0f;
  const float w = std::min(area.GetWidth(), ts.x + icon + 3 * 18.0f);
  float x = area.Min.x;
  if (align == Align::Right) x = area.Max.x - w;
  if (align == Align::Center) x = area.Min.x + (area.GetWidth() - w) * 0.5f;
  const ImRect pill(ImVec2(x, area.GetCenter().y - h * 0.5f), ImVec2(x + w, area.GetCenter().y + h * 0.5f));
  fill(pill, color::kSurface, h * 0.5f);
  if (align != Align::Right || v.key == core::KeyPresence::NoKey)
    outline(pill, color::kBorder, h * 0.5f, 2.0f);
  ImRect inner = inset(pill, 18.0f, 0.0f);
  draw_icon(Icon::Key, centered(cut_left(inner, icon, 18.0f), ImVec2(icon, icon)), b.dot);
  text_line(c, "chrome.key_status", b.text, inner, {FontRole::Body, color::kText, Align::Left});
}

}  // namespace

std::vector<core::Event> draw_chrome(const core::ChromeView& v, Ctx& c) {
  std::vector<core::Event> out;
  const Layout& l = c.layout;

  // ---- top bar ----
  fill(l.top_bar, color::kBar);
  ImRect bar = inset(l.top_bar, metric::kPad, 0.0f);
  const float lang_w = std::max(button_width(c, c.tr("chrome.lang.zh"), FontRole::Body),
                                button_width(c, c.tr("chrome.lang.en"), FontRole::Body));
  const ImRect lang_en = centered(cut_right(bar, lang_w, 12.0f), ImVec2(lang_w, 72.0f));
  const ImRect lang_zh = centered(cut_right(bar, lang_w, metric::kGap * 2), ImVec2(lang_w, 72.0f));
  const bool zh = v.language == core::Language::ZhCN;
  if (button(c, "chrome.lang.zh", lang_zh, {ButtonKind::OnBar, FontRole::Body, true, zh}) && !zh)
    out.emplace_back(core::LanguageChosen{core::Language::ZhCN});
  if (button(c, "chrome.lang.en", lang_en, {ButtonKind::OnBar, FontRole::Body, true, !zh}) && zh)
    out.emplace_back(core::LanguageChosen{core::Language::En});
  if (l.portrait()) {
    fill(l.status, color::kSurface);
    fill(ImRect(ImVec2(l.status.Min.x, l.status.Max.y - 2.0f), l.status.Max), color::kBorder);
    draw_key_badge(v, c, inset(l.status, metric::kPad, 0.0f), Align::Left);
  } else {
    const float badge_w = std::min(bar.GetWidth() * 0.5f, 640.0f);
    draw_key_badge(v, c, cut_right(bar, badge_w, metric::kGap), Align::Right);
  }
  text_line(c, "app.title", c.tr("app.title"), bar, {FontRole::Title, color::kOnBar, Align::Left});

  // ---- "请勿拔出KEY" ----
  if (v.do_not_remove_key) {
    fill(l.banner, color::kDanger);
    ImRect b = inset(l.banner, metric::kPad, 0.0f);
    text_line(c, "chrome.do_not_remove", c.tr("chrome.do_not_remove"), b,
              {FontRole::Title, color::kOnDanger, Align::Center});
  }

  // ---- bottom bar ----
  fill(l.bottom_bar, color::kSurface);
  fill(ImRect(l.bottom_bar.Min, ImVec2(l.bottom_bar.Max.x, l.bottom_bar.Min.y + 2.0f)), color::kBorder);
  ImRect bottom = inset(l.bottom_bar, metric::kPad, (metric::kBottomBarH - metric::kButtonH) * 0.5f);
  const float nav_w = l.portrait() ? 300.0f : 320.0f;
  if (v.can_go_back && button(c, "chrome.back", cut_left(bottom, nav_w, metric::kGap)))
    out.emplace_back(core::BackTapped{});
  if (v.can_go_home && button(c, "chrome.home", cut_right(bottom, nav_w, metric::kGap)))
    out.emplace_back(core::HomeTapped{});
  if (v.screen == core::Screen::Home && button(c, "chrome.help", cut_right(bottom, nav_w, metric::kGap)))
    out.emplace_back(core::HelpTapped{});
  return out;
}

}  // namespace ui
