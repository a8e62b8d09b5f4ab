// 选择续费产品: project + brand with picture and price per year, pre-selected from the
// inserted key's brand; 【开始续费】 (图 3-1-3).
#include <algorithm>
#include <string>

#include "ui/renewal.hpp"

namespace ui {
namespace {

std::string card_key(std::string_view product_id) {
  std::string k = "products.card.";
  for (char ch : product_id) k.push_back(ch == '-' || ch == '.' ? '_' : ch);
  return k;
}

}  // namespace

std::optional<core::Event> draw_products(const core::ProductsView& v, ProductsScratch& s, Ctx& c) {
  std::optional<core::Event> out;
  ImRect area = screen_title(c, "screen.products.title", c.layout.content);
  const Actions actions = action_row(c, area, c.tr("products.start"));
  if (button(c, "products.start", actions.primary, {ButtonKind::Primary, FontRole::Title, v.can_start, false}))
    out = core::StartRenewalTapped{};

  if (v.cards.empty()) {
    // Still loading, or the platform could not be reached.
    const std::string_view key = v.failed ? "products.failed" : "products.loading";
    if (v.failed)
      notice(c, key, c.tr(key), cut_top(area, notice_height(c, c.tr(key), area.GetWidth())), NoticeKind::Error);
    else
      text_line(c, key, c.tr(key), cut_top(area, 64.0f), {FontRole::Body, color::kTextMuted, Align::Left});
    return out;
  }
  text_line(c, "products.hint", c.tr("products.hint"), cut_top(area, 48.0f, metric::kGap),
            {FontRole::Body, color::kTextMuted, Align::Left});

  const bool portrait = c.layout.portrait();
  begin_list(c, "products.list", area, s.list);
  const float width = area.GetWidth() - ImGui::GetStyle().ScrollbarSize - 8.0f;
  for (const auto& p : v.cards) {
    const std::string key = card_key(p.id);
    const float pic_w = portrait ? 200.0f : 256.0f;
    const float text_w = width - 56.0f - pic_w - 32.0f - (portrait ? 0.0f : 300.0f + metric::kGap);
    const float title_h = paragraph_height(c, p.title, text_w, FontRole::Title);
    const float text_h = title_h + 8.0f + 48.0f + (portrait ? 60.0f + (p.matches_key ? 44.0f : 0.0f) : 0.0f);
    const float row_h = std::max(232.0f, text_h + 48.0f + metric::kGap);
    ImRect row = list_row(c, row_h);
    ImRect r(row.Min, ImVec2(row.Min.x + width, row.Max.y - metric::kGap));
    if (card(c, key, r, p.selected)) out = core::ProductChosen{p.id};
    ImRect inner = inset(r, 28.0f, 24.0f);
    // The text block is centred vertically beside the picture.
    const float spare = inner.GetHeight() - text_h;
    const ImRect picture_box = cut_left(inner, pic_w, 32.0f);
    if (spare > 0) inner = inset(inner, 0.0f, spare * 0.5f);
    product_picture(c, key + ".picture", p.picture, picture_box);
    // Price at the right (landscape) or under the title (portrait).
    const std::string price = p.price_per_year == 0
                                  ? std::string(c.tr("products.free"))
                                  : format(c.tr("products.per_year"), {{"price", money(p.price_per_year)}});
    ImRect price_box;
    if (!portrait) price_box = cut_right(inner, 300.0f, metric::kGap);
    paragraph(c, key + ".title", p.title, cut_top(inner, title_h, 8.0f),
              {FontRole::Title, color::kText, Align::Left});
    text_line(c, key + ".project",
              format(c.tr("products.project_brand"), {{"project", p.project_name}, {"brand", p.brand_name}}),
              cut_top(inner, 44.0f, 4.0f), {FontRole::Body, color::kTextMuted, Align::Left});
    if (portrait) price_box = cut_top(inner, 56.0f, 4.0f);
    text_line(c, key + ".price", price, cut_top(price_box, 56.0f, 4.0f),
              {FontRole::Title, color::kPrimary, portrait ? Align::Left : Align::Right});
    if (p.matches_key) {
      ImRect badge = portrait ? cut_top(inner, 44.0f) : cut_top(price_box, 44.0f);
      text_line(c, key + ".matches", c.tr("products.matches_key"), badge,
                {FontRole::Body, color::kOk, portrait ? Align::Left : Align::Right});
    }
  }
  end_list(c, s.list);
  return out;
}

}  // namespace ui
