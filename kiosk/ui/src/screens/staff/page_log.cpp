// 日志: the kiosk's latest events, newest first (already masked by the event log), filtered by level (all,
// warnings and errors, errors) and by business number (typed on the Latin keyboard, or chosen among the
// numbers the lines name). 【导出诊断包】 uploads a diagnostics bundle; its id shows when it comes back.
//
// Widget keys: staff.refresh, staff.log.level.all / .warning / .error, staff.log.business (the field),
// staff.log.business.clear, staff.log.list with staff.log.i (.meta, .message), staff.log.empty,
// staff.log.export, staff.result; choosing a business: staff.log.pick, staff.log.pick.i, staff.log.kb,
// staff.log.business.done.
#include <algorithm>

#include "staff_common.hpp"

namespace ui::staff {
namespace log_view {

constexpr std::string_view kLevels[] = {"staff.log.level.all", "staff.log.level.warning",
                                        "staff.log.level.error"};
constexpr std::size_t kPicks = 6;  // business numbers offered to choose from

bool shown(const core::LogLine& l, LogLevelFilter level, std::string_view business) {
  if (level == LogLevelFilter::Error && l.level != "error") return false;
  if (level == LogLevelFilter::WarningUp && l.level != "error" && l.level != "warning") return false;
  return business.empty() || l.business.find(business) != std::string::npos;
}

Rgb level_color(std::string_view level) {
  if (level == "error") return color::kDanger;
  if (level == "warning") return color::kOnWarning;
  return color::kText;
}

std::string meta(Ctx& c, const core::LogLine& l) {
  std::string m = time_cst_ms(l.time_ms) + " · ";
  const auto lvl = c.tr_if("staff.log.lvl." + l.level);
  m += lvl ? std::string(*lvl) : l.level;
  for (const std::string* part : {&l.component, &l.business, &l.step, &l.code})
    if (!part->empty()) m += " · " + *part;
  return m;
}

std::optional<core::Event> pick_business(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c,
                                         ImRect area) {
  const auto split = account::split_form(c, area, 540.0f, 600.0f);
  ImRect form = split.form;
  FieldStyle st;
  st.focused = true;
  st.placeholder_key = "staff.log.business.placeholder";
  entry_field(c, "staff.log.business.field", cut_top(form, account::kRowH, account::kRowGap),
              s.business_filter, st);
  text_line(c, "staff.log.pick", c.tr("staff.log.pick"), cut_top(form, 44.0f, account::kRowGap),
            {FontRole::Body, color::kTextMuted, Align::Left});
  std::vector<std::string> seen;
  for (const auto& l : v.log)
    if (!l.business.empty() && std::find(seen.begin(), seen.end(), l.business) == seen.end() &&
        seen.size() < kPicks)
      seen.push_back(l.business);
  const ImRect done_row = cut_bottom(form, metric::kButtonH, account::kRowGap);
  for (std::size_t i = 0; i < seen.size() && form.GetHeight() >= 72.0f; ++i) {
    const ImRect r = cut_top(form, 72.0f, account::kRowGap * 0.5f);
    if (button_text(c, "staff.log.pick." + std::to_string(i),
                    elide(c, seen[i], r.GetWidth() - 40.0f, FontRole::Body), r,
                    {ButtonKind::Secondary, FontRole::Body, true, s.business_filter == seen[i], 16.0f})) {
      s.business_filter = seen[i];
      s.typing_business = false;
    }
  }
  const auto cells = split_h(done_row, 2, metric::kGap);
  if (button(c, "staff.log.business.clear", cells[0])) s.business_filter.clear();
  if (button(c, "staff.log.business.done", cells[1], {ButtonKind::Primary, FontRole::Body, true, false}))
    s.typing_business = false;
  KeyboardOptions o;
  o.kind = KeyboardKind::Latin;
  if (keyboard(c, "staff.log.kb", split.keys, s.log_keyboard, TextTarget(s.business_filter, 64), o) ==
      KeyboardResult::Done)
    s.typing_business = false;
  return std::nullopt;
}

}  // namespace log_view

std::optional<core::Event> log_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area) {
  std::optional<core::Event> out;
  bool refresh = false;
  area = page_head(c, "staff.page.log", area, "staff.refresh", !v.log_loading, refresh);
  if (refresh) out = core::StaffRefreshTapped{};
  if (s.typing_business) return log_view::pick_business(v, s, c, area);

  // 【导出诊断包】 and what it gave, at the bottom.
  ImRect export_row = cut_bottom(area, metric::kButtonH, metric::kGap);
  const float ew = std::max(320.0f, button_width(c, c.tr("staff.log.export"), FontRole::Body));
  if (button(c, "staff.log.export", cut_right(export_row, ew),
             {ButtonKind::Primary, FontRole::Body, !v.busy, false}))
    out = core::StaffDiagnosticsTapped{};
  result_line(c, v, core::MaintenancePage::Log, area);

  // The filters.
  const bool portrait = c.layout.portrait();
  ImRect filters = cut_top(area, metric::kButtonH, metric::kGap);
  ImRect levels = portrait ? filters : cut_left(filters, filters.GetWidth() * 0.55f, metric::kGap);
  if (portrait) filters = cut_top(area, metric::kButtonH, metric::kGap);
  if (auto i = chips(c, log_view::kLevels, static_cast<std::size_t>(s.level), levels))
    s.level = static_cast<LogLevelFilter>(*i);
  {
    const float cw = std::max(140.0f, button_width(c, c.tr("staff.log.business.clear"), FontRole::Body));
    if (!s.business_filter.empty() &&
        button(c, "staff.log.business.clear", cut_right(filters, cw, metric::kGap)))
      s.business_filter.clear();
    const ImRect field =
        account::labelled(c, "staff.log.business", filters, account::label_width(c, {"staff.log.business"}));
    FieldStyle st;
    st.placeholder_key = "staff.log.business.placeholder";
    if (entry_field(c, "staff.log.business.field", field, s.business_filter, st)) s.typing_business = true;
  }

  if (v.log_loading && v.log.empty()) {
    text_line(c, "staff.loading", c.tr("staff.loading"), cut_top(area, 52.0f),
              {FontRole::Body, color::kTextMuted});
    return out;
  }
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < v.log.size(); ++i)
    if (log_view::shown(v.log[i], s.level, s.business_filter)) rows.push_back(i);
  // Newest first, whatever order the lines came in.
  std::stable_sort(rows.begin(), rows.end(),
                   [&](std::size_t a, std::size_t b) { return v.log[a].time_ms > v.log[b].time_ms; });
  if (rows.empty()) {
    paragraph(c, "staff.log.empty", c.tr("staff.log.empty"), area, {FontRole::Body, color::kTextMuted});
    return out;
  }
  begin_list(c, "staff.log.list", area, s.log_list);
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  const float text_w = width - 2 * kRowPad;
  for (std::size_t n = 0; n < rows.size(); ++n) {
    const core::LogLine& l = v.log[rows[n]];
    const std::string k = "staff.log." + std::to_string(n);
    const std::string m = tame(c, log_view::meta(c, l), text_w, FontRole::Body);
    const std::string msg = tame(c, l.message, text_w, FontRole::Body);
    const float mh = paragraph_height(c, m, text_w, FontRole::Body);
    const float bh = paragraph_height(c, msg, text_w, FontRole::Body);
    ImRect card = list_row(c, mh + kLineGap + bh + 2 * kRowPad);
    card.Max.x = card.Min.x + width;
    fill(card, color::kSurface, metric::kRounding);
    if (l.level == "error" || l.level == "warning")
      fill(ImRect(card.Min, ImVec2(card.Min.x + 8.0f, card.Max.y)), log_view::level_color(l.level), 4.0f);
    ImRect inner = inset(card, kRowPad);
    paragraph(c, k + ".meta", m, cut_top(inner, mh, kLineGap),
              {FontRole::Body, log_view::level_color(l.level), Align::Left});
    paragraph(c, k + ".message", msg, inner, {FontRole::Body, color::kText, Align::Left});
  }
  end_list(c, s.log_list);
  return out;
}

}  // namespace ui::staff
