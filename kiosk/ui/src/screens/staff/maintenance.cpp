// 维护 (docs/staff.md, "Maintenance mode"): the pages down a side bar (landscape) or as tabs (portrait) —
// 运行状态, 待处理业务, 设备检测, 日志, 服务 — and the chosen page beside them. The touch and screen tests
// take the whole screen over everything, the chrome included. 【退出维护】 is the chrome's; the core ends
// staff mode by itself after two minutes untouched or when the staff KEY is pulled.
//
// Widget keys: staff.page.status … staff.page.service (the pages), staff.who (how and since when staff
// signed in); each page's own in its file.
#include "staff_common.hpp"

namespace ui {
namespace maint_nav {

struct PageEntry {
  core::MaintenancePage page;
  std::string_view key;
};
constexpr PageEntry kPages[] = {{core::MaintenancePage::Status, "staff.page.status"},
                                {core::MaintenancePage::Business, "staff.page.business"},
                                {core::MaintenancePage::Devices, "staff.page.devices"},
                                {core::MaintenancePage::Log, "staff.page.log"},
                                {core::MaintenancePage::Service, "staff.page.service"}};

}  // namespace maint_nav

std::optional<core::Event> draw_maintenance(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  ImRect area = c.layout.content;
  const bool portrait = c.layout.portrait();
  ImRect nav =
      portrait ? cut_top(area, metric::kButtonH, metric::kGap) : cut_left(area, 300.0f, metric::kPad);
  if (!portrait) {
    // How and since when the staff member signed in, under the pages.
    const std::string who = std::string(c.tr(v.by_key ? "staff.by_key" : "staff.by_code"));
    const std::string since = format(c.tr("staff.since"), {{"time", format_cst(v.signed_in_at).substr(11)}});
    ImRect foot = cut_bottom(nav, 2 * 44.0f, metric::kGap);
    text_line(c, "staff.who", who, cut_top(foot, 44.0f), {FontRole::Body, color::kTextMuted, Align::Left});
    text_line(c, "staff.who.since", since, foot, {FontRole::Body, color::kTextMuted, Align::Left});
  }
  const auto cells = portrait
                         ? split_h(nav, static_cast<int>(std::size(maint_nav::kPages)), metric::kGap * 0.5f)
                         : std::vector<ImRect>{};
  for (std::size_t i = 0; i < std::size(maint_nav::kPages); ++i) {
    const auto& e = maint_nav::kPages[i];
    const ImRect r = portrait ? cells[i] : cut_top(nav, metric::kButtonH, metric::kGap * 0.5f);
    const bool on = v.page == e.page;
    if (button(c, e.key, r,
               {on ? ButtonKind::Primary : ButtonKind::Secondary, FontRole::Body, true, on, 12.0f}) &&
        !on)
      out = core::StaffPageChosen{e.page};
  }

  std::optional<core::Event> page;
  switch (v.page) {
    case core::MaintenancePage::Status:
      page = staff::status_page(v, s, c, area);
      break;
    case core::MaintenancePage::Business:
      page = staff::business_page(v, s, c, area);
      break;
    case core::MaintenancePage::Devices:
      page = staff::devices_page(v, s, c, area);
      break;
    case core::MaintenancePage::Log:
      page = staff::log_page(v, s, c, area);
      break;
    case core::MaintenancePage::Service:
      page = staff::service_page(v, s, c, area);
      break;
  }
  if (page) out = std::move(page);

  // The full-screen tests, over everything (their taps are theirs alone).
  if (v.page == core::MaintenancePage::Devices && v.test == core::DeviceTest::Touch) {
    if (auto e = staff::touch_test(v, s.touch, c)) out = std::move(e);
  } else {
    s.touch = {};  // the next touch test starts from its first target
  }
  if (v.page == core::MaintenancePage::Devices && v.test == core::DeviceTest::Screen) {
    if (auto e = staff::screen_test(s.screen, c)) out = std::move(e);
  } else {
    s.screen = {};
  }
  return out;
}

}  // namespace ui
