// 待处理业务: this kiosk's business that needs someone (needs_staff, paid and unfinished, or with a platform
// message not delivered or refused), one card each: the business number and its status, the product, the
// masked phone and since when, where it stopped and why, the platform message's state. Actions:
// 【立即发送】 (the message now), 【转人工窗口】 with a note for the counter (presets, or typed on the
// Chinese keyboard), 【继续办理】 (the customer's own flow takes it over: staff mode ends). Staff never see a
// PIN, a code or a whole phone number.
//
// Widget keys: staff.refresh, staff.business.list, per row i staff.biz.i (.order, .status, .meta,
// .stopped, .why, .outbox, .handed), staff.biz.send.i, staff.biz.counter.i, staff.biz.continue.i; the note:
// staff.note.title, staff.note.field, staff.note.preset.*, staff.note.confirm, staff.note.cancel, the
// keyboard staff.note.kb; staff.result, staff.busy.
#include "staff_common.hpp"

namespace ui::staff {
namespace biz_page {

constexpr std::string_view kPresets[] = {"staff.note.preset.at_counter", "staff.note.preset.key_broken",
                                         "staff.note.preset.later"};
constexpr std::size_t kNoteMax = 200;  // characters; the core keeps at most 600 bytes of it

struct RowText {
  std::string order;
  std::string status;
  std::string meta;
  std::string stopped;
  std::string why;
  std::string outbox;
  bool outbox_refused = false;
};

RowText row_text(Ctx& c, const core::StaffBusiness& b, float w) {
  RowText t;
  t.order = elide(c, format(c.tr("staff.business.order"), {{"order", b.order_id}}), w * 0.65f - metric::kGap,
                  FontRole::Body);
  // The journal's status in words when it is one the kiosk knows, else as the journal wrote it.
  const auto known = b.status.empty() ? std::nullopt : c.tr_if("staff.business.status." + b.status);
  t.status = elide(c, known ? std::string(*known) : b.status, w * 0.35f - metric::kGap, FontRole::Body);
  std::string meta = b.product_id;
  if (!b.phone_masked.empty())
    meta += (meta.empty() ? "" : " · ") + format(c.tr("staff.business.phone"), {{"phone", b.phone_masked}});
  if (b.since > 0)
    meta +=
        (meta.empty() ? "" : " · ") + format(c.tr("staff.business.since"), {{"time", format_cst(b.since)}});
  t.meta = tame(c, meta, w, FontRole::Body);
  if (!b.stopped_at.empty())
    t.stopped = tame(c, format(c.tr("staff.business.stopped"), {{"step", words(c, b.stopped_at)}}), w,
                     FontRole::Body);
  if (!b.why.empty())
    t.why = tame(c, format(c.tr("staff.business.why"), {{"why", words(c, b.why)}}), w, FontRole::Body);
  if (!b.outbox_state.empty()) {
    t.outbox_refused = b.outbox_state == "refused";
    t.outbox = tame(
        c,
        format(c.tr(t.outbox_refused ? "staff.business.outbox.refused" : "staff.business.outbox.pending"),
               {{"error", b.outbox_error.empty() ? std::string("-") : b.outbox_error}}),
        w, FontRole::Body);
  }
  return t;
}

float lines_height(Ctx& c, const RowText& t, float w, bool handed) {
  float h = 44.0f;
  for (const std::string* s : {&t.meta, &t.stopped, &t.why, &t.outbox})
    if (!s->empty()) h += kLineGap + paragraph_height(c, *s, w, FontRole::Body);
  if (handed) h += kLineGap + 44.0f;
  return h;
}

std::optional<core::Event> note_editor(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area) {
  std::optional<core::Event> out;
  std::string order;
  for (const auto& b : v.business)
    if (b.business_id == *s.note_for) order = b.order_id;
  const auto split = account::split_form(c, area, 540.0f, 600.0f);
  ImRect form = split.form;
  const float w = form.GetWidth();
  text_line(c, "staff.note.title",
            format(c.tr("staff.note.title"), {{"order", elide(c, order, w * 0.5f, FontRole::Body)}}),
            cut_top(form, 52.0f, account::kRowGap), {FontRole::Body, color::kText, Align::Left});
  text_line(c, "staff.note.label", c.tr("staff.note.label"), cut_top(form, 44.0f, 4.0f),
            {FontRole::Body, color::kTextMuted, Align::Left});
  FieldStyle st;
  st.focused = true;
  st.placeholder_key = "staff.note.placeholder";
  entry_field(c, "staff.note.field", cut_top(form, account::kRowH, account::kRowGap), s.note, st);
  for (auto preset : kPresets)
    if (button(c, preset, cut_top(form, 72.0f, account::kRowGap * 0.75f),
               {ButtonKind::Secondary, FontRole::Body, true, false, 16.0f}))
      s.note = std::string(c.tr(preset));
  ImRect row = cut_bottom(form, metric::kButtonH, 0.0f);
  const auto cells = split_h(row, 2, metric::kGap);
  if (button(c, "staff.note.cancel", cells[0])) s.note_for.reset();
  if (button(c, "staff.note.confirm", cells[1], {ButtonKind::Primary, FontRole::Body, !v.busy, false}) &&
      s.note_for) {
    out = core::StaffCounterTapped{*s.note_for, s.note};
    s.note_for.reset();
    s.note.clear();
  }
  KeyboardOptions o;
  o.kind = KeyboardKind::Chinese;
  keyboard(c, "staff.note.kb", split.keys, s.note_keyboard, TextTarget(s.note, kNoteMax), o);
  return out;
}

}  // namespace biz_page

std::optional<core::Event> business_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c,
                                         ImRect area) {
  std::optional<core::Event> out;
  if (s.note_for) return biz_page::note_editor(v, s, c, area);
  bool refresh = false;
  area = page_head(c, "staff.page.business", area, "staff.refresh", !v.business_loading, refresh);
  if (refresh) out = core::StaffRefreshTapped{};
  result_line(c, v, core::MaintenancePage::Business, area);
  if (v.business_loading && v.business.empty()) {
    text_line(c, "staff.loading", c.tr("staff.loading"), cut_top(area, 52.0f),
              {FontRole::Body, color::kTextMuted});
    return out;
  }
  if (v.business.empty()) {
    paragraph(c, "staff.business.empty", c.tr("staff.business.empty"), area,
              {FontRole::Body, color::kTextMuted});
    return out;
  }

  begin_list(c, "staff.business.list", area, s.business_list);
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  const float button_w = std::max({220.0f, button_width(c, c.tr("staff.business.send_now"), FontRole::Body),
                                   button_width(c, c.tr("staff.business.counter"), FontRole::Body),
                                   button_width(c, c.tr("staff.business.continue"), FontRole::Body)});
  const float text_w = width - 2 * kRowPad - button_w - metric::kGap;
  for (std::size_t i = 0; i < v.business.size(); ++i) {
    const core::StaffBusiness& b = v.business[i];
    const std::string k = "staff.biz." + std::to_string(i);
    const std::string n = std::to_string(i);
    const biz_page::RowText t = biz_page::row_text(c, b, text_w);
    const bool send = b.outbox_id != 0;
    const bool counter = !b.handed_to_counter;
    const int buttons = (send ? 1 : 0) + (counter ? 1 : 0) + (b.can_continue ? 1 : 0);
    const float right_h = static_cast<float>(buttons) * (metric::kButtonH + metric::kGap * 0.5f);
    const float h =
        std::max(biz_page::lines_height(c, t, text_w, b.handed_to_counter), right_h) + 2 * kRowPad;
    ImRect card = list_row(c, h);
    card.Max.x = card.Min.x + width;
    fill(card, color::kSurface, metric::kRounding);
    if (b.status == "needs_staff" || t.outbox_refused)
      fill(ImRect(card.Min, ImVec2(card.Min.x + 8.0f, card.Max.y)), color::kDanger, 4.0f);
    ImRect inner = inset(card, kRowPad);
    ImRect right = cut_right(inner, button_w, metric::kGap);
    ImRect head = cut_top(inner, 44.0f, kLineGap);
    const ImRect status_r = cut_right(head, head.GetWidth() * 0.35f, metric::kGap);
    text_line(c, k + ".order", t.order, head, {FontRole::Body, color::kText, Align::Left});
    text_line(c, k + ".status", t.status, status_r,
              {FontRole::Body, b.status == "needs_staff" ? color::kDanger : color::kOnWarning, Align::Right});
    auto line = [&](std::string_view key, const std::string& text, Rgb colour) {
      if (text.empty()) return;
      paragraph(c, key, text, cut_top(inner, paragraph_height(c, text, text_w, FontRole::Body), kLineGap),
                {FontRole::Body, colour, Align::Left});
    };
    line(k + ".meta", t.meta, color::kTextMuted);
    line(k + ".stopped", t.stopped, color::kText);
    line(k + ".why", t.why, color::kText);
    line(k + ".outbox", t.outbox, t.outbox_refused ? color::kDanger : color::kOnWarning);
    if (b.handed_to_counter)
      text_line(c, k + ".handed", c.tr("staff.business.handed"), cut_top(inner, 44.0f),
                {FontRole::Body, color::kOk, Align::Left});
    const ButtonStyle act{ButtonKind::Secondary, FontRole::Body, !v.busy, false};
    if (send && button_text(c, "staff.biz.send." + n, c.tr("staff.business.send_now"),
                            cut_top(right, metric::kButtonH, metric::kGap * 0.5f), act))
      out = core::StaffSendNowTapped{b.outbox_id};
    if (counter && button_text(c, "staff.biz.counter." + n, c.tr("staff.business.counter"),
                               cut_top(right, metric::kButtonH, metric::kGap * 0.5f), act)) {
      s.note_for = b.business_id;
      s.note.clear();
    }
    if (b.can_continue && button_text(c, "staff.biz.continue." + n, c.tr("staff.business.continue"),
                                      cut_top(right, metric::kButtonH, metric::kGap * 0.5f),
                                      {ButtonKind::Primary, FontRole::Body, !v.busy, false}))
      out = core::StaffContinueTapped{b.order_id};
  }
  end_list(c, s.business_list);
  return out;
}

}  // namespace ui::staff
