// The frame around every screen: what the kiosk is, the key's status, the language switch; at the bottom
// the way back and home (or help, on home); and "请勿拔出KEY" while a token operation runs. For hall staff
// (docs/staff.md): 【维护】 while a staff KEY is in, the maintenance code's gesture on the title, and in
// staff mode 维护模式 with the staff member's name and 【退出维护】 as the only way out.
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

ChromeExtras chrome_extras(const core::Model& m) {
  ChromeExtras x;
  x.now = m.now;
  if (const auto* p = std::get_if<core::phase::Maintenance>(&m.flow)) x.staff_name = p->staff.name;
  return x;
}

std::vector<core::Event> draw_chrome(const core::ChromeView& v, const ChromeExtras& x, ChromeScratch& s,
                                     Ctx& c) {
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
  ImRect strip = l.portrait() ? inset(l.status, metric::kPad, 0.0f) : ImRect();
  if (l.portrait()) {
    fill(l.status, color::kSurface);
    fill(ImRect(ImVec2(l.status.Min.x, l.status.Max.y - 2.0f), l.status.Max), color::kBorder);
  }
  // 【维护】 only while a staff KEY is in (the core says so): beside the key badge, which names that KEY.
  if (v.staff_entry) {
    const float w = button_width(c, c.tr("chrome.staff"), FontRole::Body);
    ImRect& host = l.portrait() ? strip : bar;
    const ImRect r = centered(cut_right(host, w, metric::kGap), ImVec2(w, 64.0f));
    if (button(c, "chrome.staff", r, {ButtonKind::Secondary, FontRole::Body, true, false}))
      out.emplace_back(core::MaintenanceTapped{});
  }
  if (l.portrait()) {
    draw_key_badge(v, c, strip, Align::Left);
  } else {
    const float badge_w = std::min(bar.GetWidth() * 0.5f, 640.0f);
    draw_key_badge(v, c, cut_right(bar, badge_w, metric::kGap), Align::Right);
  }
  if (v.staff_mode) {
    // 维护模式 and who: the name is the certificate's CN or the code's staff ID, cut to the bar.
    const std::string_view pattern = c.tr("chrome.staff_mode");
    const float room = bar.GetWidth() - text_size(c, format(pattern, {{"name", ""}}), FontRole::Title).x;
    const std::string name = elide(c, x.staff_name, std::max(0.0f, room), FontRole::Title);
    text_line(c, "chrome.staff_mode", format(pattern, {{"name", name}}), bar,
              {FontRole::Title, color::kOnBar, Align::Left});
  } else {
    text_line(c, "app.title", c.tr("app.title"), bar, {FontRole::Title, color::kOnBar, Align::Left});
    // The maintenance code's way in: five taps on the title within 3 s (docs/staff.md). The title looks
    // and acts like text to a customer; nothing shows a tap on it.
    const ImGuiID id = widget_id("chrome.title");
    bool hovered = false;
    bool held = false;
    const bool pressed =
        ImGui::ItemAdd(bar, id) &&
        ImGui::ButtonBehavior(bar, id, &hovered, &held, ImGuiButtonFlags_PressedOnClickRelease);
    record_widget(c, "chrome.title", id, bar, WidgetKind::Button, {}, {0, 0}, {0, 0}, true, true);
    if (pressed && ImGui::GetIO().MouseDragMaxDistanceSqr[0] <= metric::kTapSlop * metric::kTapSlop) {
      std::erase_if(s.title_taps, [&](core::Millis t) { return x.now - t >= kStaffGestureWindowMs; });
      s.title_taps.push_back(x.now);
      if (static_cast<int>(s.title_taps.size()) >= kStaffGestureTaps) {
        s.title_taps.clear();
        if (v.screen != core::Screen::StaffSignIn) out.emplace_back(core::StaffCodeRequested{});
      }
    }
  }

  // ---- why 【维护】 cannot open now ----
  if (!v.staff_entry_refused_key.empty() && l.notice.GetHeight() > 0) {
    fill(l.notice, color::kWarningSurface);
    fill(ImRect(ImVec2(l.notice.Min.x, l.notice.Max.y - 2.0f), l.notice.Max), color::kBorder);
    const ImRect box = inset(l.notice, metric::kPad, 0.0f);
    const std::string_view why = c.tr(v.staff_entry_refused_key);
    const float h = paragraph_height(c, why, box.GetWidth(), FontRole::Body);
    paragraph(c, "chrome.staff_refused", why, centered(box, ImVec2(box.GetWidth(), h)),
              {FontRole::Body, color::kOnWarning, Align::Left});
  }

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
  if (v.staff_mode) {
    // Staff mode has one way out, which signs the staff member out (audited) and wipes the session.
    const float w = std::max(nav_w, button_width(c, c.tr("chrome.staff_exit"), FontRole::Body));
    if (button(c, "chrome.staff_exit", cut_right(bottom, w, metric::kGap)))
      out.emplace_back(core::StaffExitTapped{});
    return out;
  }
  if (v.can_go_back && button(c, "chrome.back", cut_left(bottom, nav_w, metric::kGap)))
    out.emplace_back(core::BackTapped{});
  if (v.can_go_home && button(c, "chrome.home", cut_right(bottom, nav_w, metric::kGap)))
    out.emplace_back(core::HomeTapped{});
  if (v.screen == core::Screen::Home && button(c, "chrome.help", cut_right(bottom, nav_w, metric::kGap)))
    out.emplace_back(core::HelpTapped{});
  return out;
}

}  // namespace ui
