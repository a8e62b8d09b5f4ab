// 运行状态: the worst health first (运行正常 / 需要关注 / 有故障, green, amber, red), then each item the
// runtime reported: its health in a word on its colour, the label, the value, what is wrong in words and the
// detail for the CA's support. 【刷新】 asks again.
//
// Widget keys: staff.refresh, staff.status.overall, staff.status.list, per item i staff.item.i (.health,
// .label, .value, .reason, .detail), staff.status.empty, staff.loading.
#include "staff_common.hpp"

namespace ui::staff {

std::optional<core::Event> status_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area) {
  std::optional<core::Event> out;
  bool refresh = false;
  area = page_head(c, "staff.page.status", area, "staff.refresh", !v.status_loading, refresh);
  if (refresh) out = core::StaffRefreshTapped{};
  if (v.status_loading && v.status.empty()) {
    text_line(c, "staff.loading", c.tr("staff.loading"), cut_top(area, 52.0f),
              {FontRole::Body, color::kTextMuted});
    return out;
  }
  if (v.status.empty()) {
    paragraph(c, "staff.status.empty", c.tr("staff.status.empty"), area, {FontRole::Body, color::kTextMuted});
    return out;
  }
  const core::Health worst = core::overall(v.status);
  const std::string_view overall_key = worst == core::Health::Green   ? "staff.status.overall.green"
                                       : worst == core::Health::Amber ? "staff.status.overall.amber"
                                                                      : "staff.status.overall.red";
  ImRect head = cut_top(area, 72.0f, metric::kGap);
  const bool amber = worst == core::Health::Amber;
  fill(head, amber ? color::kWarningSurface : health_color(worst), metric::kRounding);
  ImRect inner = inset(head, metric::kPad, 0.0f);
  if (v.status_loading)
    text_line(c, "staff.loading", c.tr("staff.loading"), cut_right(inner, 240.0f),
              {FontRole::Body, amber ? color::kOnWarning : color::kOnPrimary, Align::Right});
  text_line(c, "staff.status.overall", c.tr(overall_key), inner,
            {FontRole::Title, amber ? color::kOnWarning : color::kOnPrimary, Align::Left});

  begin_list(c, "staff.status.list", area, s.status_list);
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  for (std::size_t i = 0; i < v.status.size(); ++i) {
    ImRect r = list_row(c, status_item_height(c, v.status[i], width));
    r.Max.x = r.Min.x + width;
    status_item(c, "staff.item." + std::to_string(i), v.status[i], r);
  }
  end_list(c, s.status_list);
  return out;
}

}  // namespace ui::staff
