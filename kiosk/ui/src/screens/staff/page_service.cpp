// 服务: in service or not, and every source that takes the kiosk out (staff, the fleet's plan, the service
// hours, the automatic checks) with its reason in the customer's words; staff's own on/off with a reason
// from a fixed list (the customer reads it on home); 【立即同步】 (the fleet's configuration and a heartbeat
// now); 【重启程序】, 【重启终端】, 【关机】, each asked once more (core::Dialog::ConfirmPower).
//
// Widget keys: staff.service.state, staff.service.sources, staff.source.<name> (.label, .reason, .detail),
// staff.service.reason_pick, the reasons staff.service.reason.repair …, staff.service.out, staff.service.in,
// staff.service.sync, staff.service.sync.hint, staff.service.power, staff.service.restart_app,
// staff.service.reboot, staff.service.power_off; staff.result, staff.busy.
#include <algorithm>
#include <numeric>

#include "staff_common.hpp"

namespace ui::staff {
namespace service_view {

constexpr std::string_view kReasonLabels[] = {"staff.service.reason.repair",
                                              "staff.service.reason.cleaning",
                                              "staff.service.reason.network", "staff.service.reason.other"};
static_assert(std::size(kReasonLabels) == std::size(kStaffServiceReasons));

std::string_view source_key(core::ServiceSource s) {
  switch (s) {
    case core::ServiceSource::Staff:
      return "staff.service.source.staff";
    case core::ServiceSource::Fleet:
      return "staff.service.source.fleet";
    case core::ServiceSource::Hours:
      return "staff.service.source.hours";
    case core::ServiceSource::Automatic:
      return "staff.service.source.automatic";
  }
  return "staff.service.source.automatic";
}

void sources(const MaintenanceView& v, Ctx& c, ImRect& col) {
  const float w = col.GetWidth();
  const float label_w = std::min(260.0f, w * 0.35f);
  const float text_w = w - label_w - metric::kGap;
  text_line(c, "staff.service.sources", c.tr("staff.service.sources"), cut_top(col, 44.0f, 8.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  for (const ServiceSourceRow& row : v.sources) {
    const std::string k = "staff.source." + std::string(core::to_string(row.source));
    const std::string reason =
        !row.set ? std::string(c.tr("staff.service.source.none"))
                 : tame(c, row.reason_text.empty() ? words(c, row.reason_key) : row.reason_text, text_w,
                        FontRole::Body);
    const std::string detail =
        row.set && !row.detail.empty() ? tame(c, row.detail, text_w, FontRole::Body) : "";
    const float rh = paragraph_height(c, reason, text_w, FontRole::Body);
    const float dh = detail.empty() ? 0.0f : paragraph_height(c, detail, text_w, FontRole::Body) + 4.0f;
    ImRect r = cut_top(col, std::max(44.0f, rh + dh), 12.0f);
    const ImRect label = cut_left(r, label_w, metric::kGap);
    text_line(c, k + ".label", c.tr(source_key(row.source)),
              ImRect(label.Min, ImVec2(label.Max.x, label.Min.y + c.fonts.font(FontRole::Body)->FontSize)),
              {FontRole::Body, color::kText, Align::Left});
    paragraph(c, k + ".reason", reason, cut_top(r, rh, 4.0f),
              {FontRole::Body, row.set ? color::kDanger : color::kTextMuted, Align::Left});
    if (!detail.empty())
      paragraph(c, k + ".detail", detail, r, {FontRole::Body, color::kTextMuted, Align::Left});
  }
}

// Buttons side by side at their labels' widths when they fit `r`, else one above the other (the rest of
// `r` below is returned through `r`).
std::vector<ImRect> button_row(Ctx& c, std::span<const std::string_view> keys, ImRect& r) {
  std::vector<float> widths;
  for (auto k : keys) widths.push_back(std::max(200.0f, text_size(c, c.tr(k), FontRole::Body).x + 2 * 16.0f));
  const float need = std::accumulate(widths.begin(), widths.end(), 0.0f) +
                     metric::kGap * static_cast<float>(keys.size() - 1);
  std::vector<ImRect> out;
  if (need <= r.GetWidth()) {
    ImRect row = cut_top(r, metric::kButtonH, metric::kGap);
    for (float w : widths) out.push_back(cut_left(row, w, metric::kGap));
  } else {
    for (std::size_t i = 0; i < keys.size(); ++i)
      out.push_back(cut_top(r, metric::kButtonH, metric::kGap * 0.5f));
  }
  return out;
}

}  // namespace service_view

std::optional<core::Event> service_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c,
                                        ImRect area) {
  std::optional<core::Event> out;
  // 【立即同步】 in the page's head: the fleet's configuration and a heartbeat now.
  bool sync = false;
  area = page_head(c, "staff.page.service", area, "staff.service.sync", !v.busy, sync);
  if (sync) out = core::StaffSyncTapped{};
  result_line(c, v, core::MaintenancePage::Service, area);
  const bool portrait = c.layout.portrait();
  ImRect left = area;
  ImRect right = portrait ? area : cut_right(left, (area.GetWidth() - metric::kPad) * 0.5f, metric::kPad);

  text_line(c, "staff.service.state",
            c.tr(v.out_of_service ? "staff.service.now_out" : "staff.service.now_in"),
            cut_top(left, 64.0f, metric::kGap),
            {FontRole::Title, v.out_of_service ? color::kDanger : color::kOk, Align::Left});
  service_view::sources(v, c, left);
  // What 【立即同步】 does, under the sources when there is room for it.
  const std::string_view hint = c.tr("staff.service.sync.hint");
  const float hint_h = paragraph_height(c, hint, left.GetWidth(), FontRole::Body);
  if (left.GetHeight() >= hint_h + metric::kGap)
    paragraph(c, "staff.service.sync.hint", hint, cut_top(left, hint_h, metric::kGap),
              {FontRole::Body, color::kTextMuted, Align::Left});
  if (portrait) {
    right = left;
    cut_top(right, metric::kPad);
  }

  // The reason chosen follows the staff source's whenever that changes (the first when it is not set);
  // staff choose another before 【更改原因】.
  if (v.staff_reason_key != s.reason_from) {
    s.reason_from = v.staff_reason_key;
    s.reason = 0;
    for (std::size_t i = 0; i < std::size(kStaffServiceReasons); ++i)
      if (v.staff_reason_key == kStaffServiceReasons[i]) s.reason = i;
  }
  text_line(c, "staff.service.reason_pick", c.tr("staff.service.reason_pick"), cut_top(right, 44.0f, 8.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  const std::span<const std::string_view> labels(service_view::kReasonLabels);
  if (portrait) {
    if (auto i = chips(c, labels, s.reason, cut_top(right, 72.0f, metric::kGap))) s.reason = *i;
  } else {
    if (auto i = chips(c, labels.first(2), s.reason, cut_top(right, 72.0f, 12.0f))) s.reason = *i;
    const std::size_t second = s.reason >= 2 ? s.reason - 2 : std::size(kStaffServiceReasons);
    if (auto i = chips(c, labels.subspan(2), second, cut_top(right, 72.0f, metric::kGap))) s.reason = *i + 2;
  }
  const bool staff_out = !v.staff_reason_key.empty();
  {
    constexpr std::string_view kOnOff[] = {"staff.service.out", "staff.service.in"};
    const auto cells = split_h(cut_top(right, metric::kButtonH, metric::kPad), 2, metric::kGap);
    const bool same = staff_out && v.staff_reason_key == kStaffServiceReasons[s.reason];
    if (button_text(c, kOnOff[0], c.tr(staff_out ? "staff.service.change" : "staff.service.out"), cells[0],
                    {ButtonKind::Danger, FontRole::Body, !same, false}))
      out = core::StaffServiceOutTapped{std::string(kStaffServiceReasons[s.reason])};
    if (button(c, kOnOff[1], cells[1], {ButtonKind::Primary, FontRole::Body, staff_out, false}))
      out = core::StaffServiceInTapped{};
  }
  text_line(c, "staff.service.power", c.tr("staff.service.power"), cut_top(right, 44.0f, 8.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  constexpr std::string_view kPower[] = {"staff.service.restart_app", "staff.service.reboot",
                                         "staff.service.power_off"};
  constexpr core::PowerAction kActions[] = {core::PowerAction::RestartApp, core::PowerAction::Reboot,
                                            core::PowerAction::PowerOff};
  const auto cells = service_view::button_row(c, kPower, right);
  for (std::size_t i = 0; i < std::size(kPower); ++i)
    if (button(c, kPower[i], cells[i],
               {i == 2 ? ButtonKind::Danger : ButtonKind::Secondary, FontRole::Body, !v.busy, false, 16.0f}))
      out = core::StaffPowerTapped{kActions[i]};
  return out;
}

}  // namespace ui::staff
