// 续费成功: the new validity, the holder, and 请取走KEY. Taking the key out ends the session (the core
// wipes it); 【完成】 does the same.
#include <string>

#include "ui/renewal.hpp"

namespace ui {

std::optional<core::Event> draw_success(const core::SuccessView& v, SuccessScratch&, Ctx& c) {
  std::optional<core::Event> out;
  ImRect area = c.layout.content;
  const Actions actions = action_row(c, area, c.tr("success.done"));
  if (button(c, "success.done", actions.primary, {ButtonKind::Primary, FontRole::Title, true, false}))
    out = core::DoneTapped{};
  const float w = std::min(area.GetWidth(), 1300.0f);
  ImRect col = centered(area, ImVec2(w, area.GetHeight()));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImRect mark = centered(cut_top(col, 150.0f, metric::kGap), ImVec2(150, 150));
  const ImVec2 m = mark.GetCenter();
  dl->AddCircleFilled(m, 72.0f, to_u32(color::kOk), 48);
  dl->AddLine(ImVec2(m.x - 36, m.y + 2), ImVec2(m.x - 10, m.y + 28), to_u32(color::kOnPrimary), 12.0f);
  dl->AddLine(ImVec2(m.x - 10, m.y + 28), ImVec2(m.x + 38, m.y - 26), to_u32(color::kOnPrimary), 12.0f);
  text_line(c, "success.title", c.tr("success.title"), cut_top(col, 64.0f, metric::kGap),
            {FontRole::Title, color::kOk, Align::Center});

  // The new certificate, as the customer will show it to others.
  const float label_w = c.layout.portrait() ? 260.0f : 300.0f;
  const std::string validity =
      v.not_after > 0
          ? format(c.tr("keydetails.validity_value"), {{"from", date_cst(v.not_before)}, {"to", date_cst(v.not_after)}})
          : std::string{};
  struct Row {
    std::string_view key;
    std::string value;
  };
  const Row rows[] = {{"success.validity", validity},
                      {"keydetails.holder", v.holder},
                      {"keydetails.org", v.organisation},
                      {"keydetails.order", v.order_id}};
  float h = 40.0f;
  for (const auto& r : rows)
    if (!r.value.empty())
      h += paragraph_height(c, r.value, w - 40.0f - label_w - metric::kGap, FontRole::Body) + 14.0f;
  ImRect box = cut_top(col, h, metric::kGap);
  fill(box, color::kSurface, metric::kRounding);
  ImRect in = inset(box, 20.0f);
  for (const auto& r : rows) {
    if (r.value.empty()) continue;
    cut_top(in, field_row(c, r.key, r.value, in, label_w), 14.0f);
  }
  // 请取走KEY: the last thing, and the one that matters most now.
  ImRect take = cut_top(col, 96.0f);
  fill(take, color::kWarningSurface, metric::kRounding);
  text_line(c, "success.take_key", c.tr("success.take_key"), take, {FontRole::Title, color::kOnWarning, Align::Center});
  return out;
}

}  // namespace ui
