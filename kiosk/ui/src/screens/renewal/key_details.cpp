// 确认KEY信息: after payment the key is read again and its certificate shown —
// holder, organisation, serial, validity — with 【确认续费】. A read failure opens the read-failure dialog
// (core::Dialog::KeyReadFailed); after it, the red text and 【读取证书】.
#include <string>

#include "ui/renewal.hpp"

namespace ui {

std::optional<core::Event> draw_key_details(const core::KeyDetailsView& v, KeyDetailsScratch&, Ctx& c) {
  std::optional<core::Event> out;
  ImRect area = screen_title(c, "screen.key_details.title", c.layout.content);
  const std::string_view confirm_key = v.resumed ? "keydetails.continue" : "keydetails.confirm";
  const bool offer_read = !v.reading && (!v.ok || v.show_read_hint);
  const Actions actions = action_row(c, area, c.tr(confirm_key), offer_read ? c.tr("keydetails.read") : "");
  if (button(c, "keydetails.confirm", actions.primary, {ButtonKind::Primary, FontRole::Title, v.ok, false}))
    out = core::ConfirmRenewalTapped{};
  if (offer_read && button(c, "keydetails.read", actions.secondary)) out = core::ReadKeyTapped{};

  const float w = std::min(area.GetWidth(), 1400.0f);
  ImRect col(area.Min, ImVec2(area.Min.x + w, area.Max.y));
  if (v.paid_banner)
    notice(c, "keydetails.paid", c.tr("keydetails.paid"), cut_top(col, notice_height(c, c.tr("keydetails.paid"), w), 16.0f),
           NoticeKind::Ok);
  if (v.resumed)
    notice(c, "keydetails.resumed", c.tr("keydetails.resumed"),
           cut_top(col, notice_height(c, c.tr("keydetails.resumed"), w), 16.0f), NoticeKind::Info);

  if (v.reading) {
    text_line(c, "keydetails.reading", c.tr("keydetails.reading"), cut_top(col, 64.0f, 16.0f),
              {FontRole::Title, color::kText, Align::Left});
  } else if (!v.problem_key.empty() && (v.show_read_hint || !v.ok)) {
    // The red hint with 【读取证书】 to retry, and why in words.
    const std::string_view hint = c.tr("keydetails.read_hint");
    paragraph(c, "keydetails.read_hint", hint,
              cut_top(col, paragraph_height(c, hint, w, FontRole::Title), 16.0f),
              {FontRole::Title, color::kDanger, Align::Left});
    const std::string_view why = c.tr(v.problem_key);
    notice(c, "keydetails.why", why, cut_top(col, notice_height(c, why, w), 16.0f), NoticeKind::Error);
  } else if (v.ok) {
    const std::string_view intro = c.tr("keydetails.intro");
    paragraph(c, "keydetails.intro", intro, cut_top(col, paragraph_height(c, intro, w, FontRole::Body), 16.0f),
              {FontRole::Body, color::kText, Align::Left});
  }

  if (!v.reading) {
    const core::CertSummary& cert = v.cert;
    ImRect table = col;
    const float label_w = c.layout.portrait() ? 240.0f : 280.0f;
    struct Row {
      std::string_view key;
      std::string value;
    };
    const Row rows[] = {
        {"keydetails.holder", cert.holder},
        {"keydetails.org", cert.organisation},
        {"keydetails.serial", cert.serial_hex},
        {"keydetails.validity",
         format(c.tr("keydetails.validity_value"), {{"from", date_cst(cert.not_before)}, {"to", date_cst(cert.not_after)}})},
        {"keydetails.issuer", cert.issuer},
        {"keydetails.order", v.order_id},
    };
    float h = 2 * 20.0f;
    for (const auto& r : rows)
      if (!r.value.empty())
        h += std::max(c.fonts.font(FontRole::Body)->FontSize,
                      paragraph_height(c, r.value, w - 40.0f - label_w - metric::kGap, FontRole::Body)) + 14.0f;
    const ImRect box = cut_top(table, h);
    fill(box, color::kSurface, metric::kRounding);
    ImRect in = inset(box, 20.0f);
    for (const auto& r : rows) {
      if (r.value.empty()) continue;
      const float used = field_row(c, r.key, r.value, in, label_w);
      cut_top(in, used, 14.0f);
    }
  }
  return out;
}

}  // namespace ui
