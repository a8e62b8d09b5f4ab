// The pieces the renewal's screens share: formatting, cards, notices, field rows, pictures, the action row.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <ctime>
#include <string>

#include "ui/renewal.hpp"

namespace ui {
namespace {}  // namespace

// ---- formatting ------------------------------------------------------------------------------------------
std::string money(core::Fen fen) {
  const bool negative = fen < 0;
  const core::Fen a = negative ? -fen : fen;
  std::string s = negative ? "-¥" : "¥";
  s += std::to_string(a / 100);
  if (a % 100 != 0) {
    const auto cents = a % 100;
    s += cents < 10 ? ".0" : ".";
    s += std::to_string(cents);
  }
  return s;
}

std::string date_cst(core::UnixSeconds t) {
  const std::time_t shifted = static_cast<std::time_t>(t + 8 * 3600);
  std::tm tm{};
  gmtime_r(&shifted, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::string mm_ss(int seconds) {
  seconds = std::max(0, seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", seconds / 60, seconds % 60);
  return buf;
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() != 11) return std::string(phone);
  return std::string(phone.substr(0, 3)) + "****" + std::string(phone.substr(7));
}

std::string picture_name(std::string_view asset) {
  if (asset.size() > 4 && asset.substr(asset.size() - 4) == ".png") asset.remove_suffix(4);
  return std::string(asset);
}

// ---- pieces
// ------------------------------------------------------------------------------------------------
bool card(Ctx& c, std::string_view key, const ImRect& r, bool selected, bool enabled) {
  const ImGuiID id = widget_id(key);
  const bool shown = ImGui::ItemAdd(r, id);
  bool hovered = false;
  bool held = false;
  bool pressed = false;
  if (shown && enabled)
    pressed = ImGui::ButtonBehavior(r, id, &hovered, &held, ImGuiButtonFlags_PressedOnClickRelease);
  const bool tap =
      pressed && ImGui::GetIO().MouseDragMaxDistanceSqr[0] <= metric::kTapSlop * metric::kTapSlop;
  if (shown) {
    fill(r, held && hovered ? color::kSecondaryPressed : color::kSurface, metric::kRounding);
    if (selected)
      outline(r, color::kPrimary, metric::kRounding, 6.0f);
    else
      outline(r, color::kBorder, metric::kRounding, 2.0f);
  }
  record_widget(c, key, id, r, WidgetKind::Button, {}, {0, 0}, {0, 0}, true, enabled);
  return tap;
}

namespace {

struct NoticeStyle {
  Rgb bg;
  Rgb fg;
  Icon icon;
};

NoticeStyle notice_style(NoticeKind k) {
  switch (k) {
    case NoticeKind::Error:
      return {color::kSurface, color::kDanger, Icon::Warning};
    case NoticeKind::Warning:
      return {color::kWarningSurface, color::kOnWarning, Icon::Warning};
    case NoticeKind::Ok:
      return {color::kSurface, color::kOk, Icon::None};
    case NoticeKind::Info:
      return {color::kSurface, color::kText, Icon::None};
  }
  return {color::kSurface, color::kText, Icon::None};
}

constexpr float kNoticePad = 20.0f;
constexpr float kNoticeIcon = 40.0f;

}  // namespace

float notice_height(Ctx& c, std::string_view text, float width) {
  if (text.empty()) return 0.0f;
  const float text_w = width - 2 * kNoticePad - kNoticeIcon - 16.0f;
  return paragraph_height(c, text, text_w, FontRole::Body) + 2 * kNoticePad;
}

float notice(Ctx& c, std::string_view key, std::string_view text, const ImRect& r, NoticeKind kind) {
  if (text.empty()) return 0.0f;
  const NoticeStyle st = notice_style(kind);
  const float h = notice_height(c, text, r.GetWidth());
  const ImRect box(r.Min, ImVec2(r.Max.x, r.Min.y + h));
  fill(box, st.bg, metric::kRounding);
  outline(box,
          kind == NoticeKind::Error ? color::kDanger
          : kind == NoticeKind::Ok  ? color::kOk
                                    : color::kBorder,
          metric::kRounding, kind == NoticeKind::Error || kind == NoticeKind::Ok ? 3.0f : 2.0f);
  ImRect inner = inset(box, kNoticePad);
  const ImRect icon = cut_left(inner, kNoticeIcon, 16.0f);
  if (st.icon != Icon::None)
    draw_icon(st.icon, ImRect(icon.Min, ImVec2(icon.Max.x, icon.Min.y + kNoticeIcon)), st.fg);
  else
    ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(icon.GetCenter().x, icon.Min.y + kNoticeIcon * 0.5f),
                                                9.0f, to_u32(st.fg));
  paragraph(c, key, text, inner, {FontRole::Body, st.fg, Align::Left});
  return h;
}

float field_row(Ctx& c, std::string_view key, std::string_view value, const ImRect& r, float label_w) {
  ImRect row = r;
  const ImRect label = cut_left(row, label_w, metric::kGap);
  const std::string label_key = std::string(key) + ".label";
  const float h = std::max(c.fonts.font(FontRole::Body)->FontSize,
                           paragraph_height(c, value, row.GetWidth(), FontRole::Body));
  text_line(c, label_key, c.tr(key),
            ImRect(label.Min, ImVec2(label.Max.x, label.Min.y + c.fonts.font(FontRole::Body)->FontSize)),
            {FontRole::Body, color::kTextMuted, Align::Left});
  paragraph(c, std::string(key) + ".value", value, ImRect(row.Min, ImVec2(row.Max.x, row.Min.y + h)),
            {FontRole::Body, color::kText, Align::Left});
  return h;
}

void product_picture(Ctx& c, std::string_view key, std::string_view asset, const ImRect& r) {
  const Texture t = asset.empty() ? Texture{} : c.textures.picture(picture_name(asset));
  if (!t.valid() || t.width <= 0 || t.height <= 0) {
    const float s = std::min(r.GetWidth(), r.GetHeight());
    draw_icon(Icon::Key, centered(r, ImVec2(s, s)), color::kPrimary);
    return;
  }
  // Scaled down to fit (never up: the pictures are drawn for the largest place they appear).
  const float scale = std::min(
      {1.0f, r.GetWidth() / static_cast<float>(t.width), r.GetHeight() / static_cast<float>(t.height)});
  const ImVec2 size(std::floor(static_cast<float>(t.width) * scale),
                    std::floor(static_cast<float>(t.height) * scale));
  image(c, key, t, centered(r, size));
}

Actions action_row(Ctx& c, ImRect& area, std::string_view primary_label, std::string_view secondary_label) {
  Actions a;
  ImRect row = cut_bottom(area, metric::kPrimaryH, metric::kGap);
  const float pw = std::max(420.0f, button_width(c, primary_label, FontRole::Title));
  a.primary = cut_right(row, std::min(pw, row.GetWidth()), metric::kGap);
  if (!secondary_label.empty()) {
    const float sw = std::max(320.0f, button_width(c, secondary_label, FontRole::Body));
    a.secondary = centered(cut_right(row, std::min(sw, row.GetWidth()), metric::kGap),
                           ImVec2(std::min(sw, row.GetWidth()), metric::kButtonH));
  }
  return a;
}

}  // namespace ui

namespace ui {

std::vector<std::string> renewal_keys() {
  return {
      "products.start",
      "products.loading",
      "products.failed",
      "products.hint",
      "products.free",
      "products.per_year",
      "products.project_brand",
      "products.matches_key",
      "keycheck.read",
      "keycheck.choose_again",
      "keycheck.product",
      "keycheck.reading",
      "keycheck.problem",
      "keycheck.ok",
      "keycheck.insert",
      "keycheck.next",
      "keycheck.wait",
      "phone.label",
      "phone.placeholder",
      "phone.get_code",
      "phone.sending",
      "phone.resend_in",
      "phone.code.label",
      "phone.code.placeholder",
      "phone.next",
      "phone.verifying",
      "phone.code_sent",
      "phone.intro",
      "order.submit",
      "order.submitting",
      "order.method.label",
      "order.method.default",
      "order.list.label",
      "order.col.picture",
      "order.col.item",
      "order.col.price",
      "order.col.years",
      "order.col.subtotal",
      "order.years",
      "order.total",
      "order.free_note",
      "order.pay_note",
      "payment.new_order",
      "payment.cancel",
      "payment.expired",
      "payment.preparing",
      "payment.qr_failed",
      "payment.scan",
      "payment.amount",
      "payment.expired_hint",
      "payment.expires_in",
      "payment.closing",
      "payment.waiting",
      "payment.order",
      "keydetails.confirm",
      "keydetails.continue",
      "keydetails.read",
      "keydetails.paid",
      "keydetails.resumed",
      "keydetails.reading",
      "keydetails.read_hint",
      "keydetails.intro",
      "keydetails.holder",
      "keydetails.org",
      "keydetails.serial",
      "keydetails.validity",
      "keydetails.validity_value",
      "keydetails.issuer",
      "keydetails.order",
      "pin.hint",
      "pin.again_after_pull",
      "pin.placeholder",
      "pin.verifying",
      "pin.failed",
      "pin.failed_hint",
      "pin.final_try",
      "pin.count_low",
      "pin.length",
      "progress.hint",
      "progress.reused",
      "progress.waiting_clock",
      "progress.step.login",
      "progress.step.stage_key",
      "progress.step.build_p10",
      "progress.step.submit",
      "progress.step.install",
      "progress.step.finalize",
      "progress.step.confirm",
      "progress.step.done",
      "progress.state.done",
      "progress.state.running",
      "progress.state.pending",
      "keypulled.other_key.title",
      "keypulled.body",
      "keypulled.other_key",
      "keypulled.mid_rollover",
      "keypulled.reinsert",
      "keypulled.order",
      "success.done",
      "success.title",
      "success.validity",
      "success.take_key",
      "failure.retry",
      "failure.done",
      "failure.paid_note",
      "failure.order_no",
      "failure.recorded",
      "failure.not_yet_told",
      "failure.detail",
      "dialog.ok",
      "dialog.cancel",
      "dialog.confirm_renewal.title",
      "dialog.confirm_renewal.body",
      "dialog.key_read_failed.title",
      "dialog.key_read_failed.body",
      "dialog.final_try.title",
      "dialog.final_try.body",
      "dialog.final_try.ok",
      "dialog.cancel_payment.title",
      "dialog.cancel_payment.body",
      "dialog.cancel_payment.ok",
      "dialog.cancel_payment.back",
      "dialog.paid.title",
      "dialog.paid.body",
  };
}

}  // namespace ui
