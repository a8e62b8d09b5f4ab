#include "staff_common.hpp"

#include <algorithm>
#include <cfloat>
#include <ctime>

#include "foundation/utf8.hpp"

namespace ui::staff {
namespace status_common {

constexpr std::size_t kDataChars = 240;

}  // namespace status_common

std::string tame(Ctx& c, std::string_view text, float width, FontRole font) {
  std::string capped;
  std::size_t n = 0;
  std::size_t end = text.size();
  foundation::for_each_codepoint_at(text, [&](char32_t, std::size_t pos, std::size_t) {
    if (n++ == status_common::kDataChars) end = std::min(end, pos);
  });
  capped = std::string(text.substr(0, end));
  if (end < text.size()) capped += "…";
  c.fonts.want(capped, font);
  if (wrap_text(c.fonts.font(font), capped, width).overflow <= 0) return capped;
  return elide(c, capped, width, font);
}

namespace status_common {

constexpr float kBadgeW = 130.0f;
constexpr float kBadgeH = 44.0f;

float label_width(const Ctx& c) {
  return c.layout.portrait() ? 250.0f : 320.0f;
}

struct ItemText {
  std::string label;
  std::string value;
  std::string reason;
  std::string detail;
};

ItemText item_text(Ctx& c, const core::StatusItem& item, float value_w) {
  ItemText t;
  t.label = elide(c, words(c, item.label_key), label_width(c), FontRole::Body);
  t.value = tame(c, item.value, value_w, FontRole::Body);
  if (!item.reason_key.empty()) t.reason = tame(c, words(c, item.reason_key), value_w, FontRole::Body);
  if (!item.detail.empty()) t.detail = tame(c, item.detail, value_w, FontRole::Body);
  return t;
}

// From a row's top to its first line of text, so that line sits in the middle of the badge.
float lead(Ctx& c) {
  return (kBadgeH - c.fonts.font(FontRole::Body)->FontSize) * 0.5f;
}

float value_width(const Ctx& c, float width) {
  return width - 2 * kRowPad - kBadgeW - label_width(c) - 2 * metric::kGap;
}

}  // namespace status_common

Rgb health_color(core::Health h) {
  switch (h) {
    case core::Health::Green:
      return color::kOk;
    case core::Health::Amber:
      return color::kOnWarning;
    case core::Health::Red:
      return color::kDanger;
  }
  return color::kDanger;
}

std::string_view health_key(core::Health h) {
  switch (h) {
    case core::Health::Green:
      return "staff.health.green";
    case core::Health::Amber:
      return "staff.health.amber";
    case core::Health::Red:
      return "staff.health.red";
  }
  return "staff.health.red";
}

std::string words(Ctx& c, std::string_view key_or_text) {
  if (auto t = c.tr_if(key_or_text)) return std::string(*t);
  return std::string(key_or_text);
}

std::string time_cst_ms(std::int64_t ms) {
  const std::time_t local = static_cast<std::time_t>(ms / 1000 + 8 * 3600);
  std::tm tm{};
  gmtime_r(&local, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

float status_item_height(Ctx& c, const core::StatusItem& item, float width) {
  const float vw = status_common::value_width(c, width);
  const status_common::ItemText t = status_common::item_text(c, item, vw);
  float h = paragraph_height(c, t.value.empty() ? std::string_view(" ") : std::string_view(t.value), vw,
                             FontRole::Body);
  if (!t.reason.empty()) h += kLineGap + paragraph_height(c, t.reason, vw, FontRole::Body);
  if (!t.detail.empty()) h += kLineGap + paragraph_height(c, t.detail, vw, FontRole::Body);
  return std::max(status_common::kBadgeH, status_common::lead(c) + h) + 2 * kRowPad;
}

void status_item(Ctx& c, std::string_view key, const core::StatusItem& item, const ImRect& r) {
  const std::string k(key);
  fill(r, color::kSurface, metric::kRounding);
  if (item.health != core::Health::Green)
    fill(ImRect(r.Min, ImVec2(r.Min.x + 8.0f, r.Max.y)), health_color(item.health), 4.0f);
  ImRect inner = inset(r, kRowPad);
  const float vw = status_common::value_width(c, r.GetWidth());
  const status_common::ItemText t = status_common::item_text(c, item, vw);
  // The badge: the health in a word on its colour (never colour alone).
  const ImRect badge = cut_left(inner, status_common::kBadgeW, metric::kGap);
  const ImRect pill(badge.Min, ImVec2(badge.Max.x, badge.Min.y + status_common::kBadgeH));
  const bool amber = item.health == core::Health::Amber;
  fill(pill, amber ? color::kWarningSurface : health_color(item.health), status_common::kBadgeH * 0.5f);
  if (amber) outline(pill, color::kOnWarning, status_common::kBadgeH * 0.5f, 2.0f);
  text_line(c, k + ".health", c.tr(health_key(item.health)), pill,
            {FontRole::Body, amber ? color::kOnWarning : color::kOnPrimary, Align::Center});
  const ImRect label = cut_left(inner, status_common::label_width(c), metric::kGap);
  text_line(c, k + ".label", t.label,
            ImRect(label.Min, ImVec2(label.Max.x, label.Min.y + status_common::kBadgeH)),
            {FontRole::Body, color::kText, Align::Left});
  // The value's first line on the badge's and the label's middle.
  ImRect value = inner;
  value.Min.y += status_common::lead(c);
  if (!t.value.empty()) {
    const float h = paragraph_height(c, t.value, vw, FontRole::Body);
    paragraph(c, k + ".value", t.value, cut_top(value, h, kLineGap),
              {FontRole::Body, color::kText, Align::Left});
  } else {
    cut_top(value, c.fonts.font(FontRole::Body)->FontSize, kLineGap);
  }
  if (!t.reason.empty()) {
    const float h = paragraph_height(c, t.reason, vw, FontRole::Body);
    paragraph(c, k + ".reason", t.reason, cut_top(value, h, kLineGap),
              {FontRole::Body, health_color(item.health), Align::Left});
  }
  if (!t.detail.empty())
    paragraph(c, k + ".detail", t.detail, value, {FontRole::Body, color::kTextMuted, Align::Left});
}

ImRect page_head(Ctx& c, std::string_view title_key, ImRect area, std::string_view action_key, bool enabled,
                 bool& tapped) {
  ImRect row = cut_top(area, metric::kButtonH, metric::kGap);
  if (!action_key.empty()) {
    const float w = std::max(200.0f, button_width(c, c.tr(action_key), FontRole::Body));
    if (button(c, action_key, cut_right(row, w, metric::kGap),
               {ButtonKind::Secondary, FontRole::Body, enabled, false}))
      tapped = true;
  }
  text_line(c, "staff.page_title", c.tr(title_key), row, {FontRole::Title, color::kText, Align::Left});
  return area;
}

namespace status_common {

std::optional<core::MaintenancePage> page_of_result(const MaintenanceView& v) {
  if (v.last_action) {
    switch (*v.last_action) {
      case core::StaffActionKind::SendNow:
      case core::StaffActionKind::HandToCounter:
        return core::MaintenancePage::Business;
      case core::StaffActionKind::UploadDiagnostics:
        return core::MaintenancePage::Log;
      case core::StaffActionKind::SyncNow:
      case core::StaffActionKind::RestartApp:
      case core::StaffActionKind::Reboot:
      case core::StaffActionKind::PowerOff:
        return core::MaintenancePage::Service;
    }
  }
  if (v.result_key.starts_with("staff.service.")) return core::MaintenancePage::Service;
  if (v.result_key.starts_with("staff.devices.")) return core::MaintenancePage::Devices;
  return std::nullopt;
}

}  // namespace status_common

void result_line(Ctx& c, const MaintenanceView& v, core::MaintenancePage page, ImRect& area) {
  if (status_common::page_of_result(v) != page) return;
  if (v.busy) {
    text_line(c, "staff.busy", c.tr("staff.busy"), cut_bottom(area, 52.0f, metric::kGap),
              {FontRole::Body, color::kPrimary, Align::Left});
    return;
  }
  if (v.result_key.empty()) return;
  std::string text = words(c, v.result_key);
  if (!v.result_detail.empty())
    text += format(c.tr("staff.result.detail"),
                   {{"detail", tame(c, v.result_detail, area.GetWidth() * 0.5f, FontRole::Body)}});
  // The core's own results (out of service, the touch test) carry no action; a runtime's says whether it
  // worked.
  const NoticeKind kind = !v.last_action ? NoticeKind::Info : v.last_ok ? NoticeKind::Ok : NoticeKind::Error;
  notice(c, "staff.result", text, cut_bottom(area, notice_height(c, text, area.GetWidth()), metric::kGap),
         kind);
}

std::optional<std::size_t> chips(Ctx& c, std::span<const std::string_view> label_keys, std::size_t selected,
                                 const ImRect& r, bool enabled) {
  std::optional<std::size_t> out;
  const auto cells = split_h(r, static_cast<int>(label_keys.size()), metric::kGap * 0.5f);
  for (std::size_t i = 0; i < label_keys.size(); ++i) {
    const ButtonKind kind = i == selected ? ButtonKind::Primary : ButtonKind::Secondary;
    if (button(c, label_keys[i], cells[i], {kind, FontRole::Body, enabled, false, 12.0f}) && i != selected)
      out = i;
  }
  return out;
}

}  // namespace ui::staff
