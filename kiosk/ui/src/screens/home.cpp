// Home: 【证书续费】 and 【个人中心】, as two large tiles; language and help are in the chrome. Out of
// service (core/service.hpp) both tiles say 暂停服务 and take no tap, and a notice below says why in the
// customer's words and where to go instead; the key badge in the chrome still works. The fleet's
// announcement, when it set one, stands under the welcome.
#include "ui/account_screens.hpp"
#include "ui/i18n.hpp"
#include "ui/renewal.hpp"
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

std::optional<core::Event> draw_home(const HomeView& v, HomeScratch&, Ctx& c) {
  std::optional<core::Event> out;
  ImRect area = c.layout.content;
  if (v.key_left_since) {
    // A session ended with a KEY in the reader: the reminder takes the welcome's place, large, in the
    // warning colours, with the time it was left (docs/staff.md, "A KEY left behind").
    const std::string since = format(c.tr("home.key_left.since"), {{"time", format_cst(*v.key_left_since)}});
    const float side = c.layout.portrait() ? 0.0f : metric::kPad;
    const float width = area.GetWidth() - 2 * side - 2 * metric::kPad;
    const float h = 72.0f + 8.0f + paragraph_height(c, since, width, FontRole::Body) + 2 * metric::kGap;
    const ImRect box = inset(cut_top(area, h, metric::kGap), side, 0.0f);
    fill(box, color::kWarningSurface, metric::kRounding);
    outline(box, color::kOnWarning, metric::kRounding, 4.0f);
    ImRect inner = inset(box, metric::kPad, metric::kGap);
    ImRect head = cut_top(inner, 72.0f, 8.0f);
    draw_icon(Icon::Warning, cut_left(head, 64.0f, metric::kGap), color::kOnWarning);
    text_line(c, "home.key_left", c.tr("home.key_left"), head,
              {FontRole::Title, color::kOnWarning, Align::Left});
    paragraph(c, "home.key_left.since", since, inner, {FontRole::Body, color::kOnWarning, Align::Left});
  } else {
    text_line(c, "home.welcome", c.tr("home.welcome"), cut_top(area, 72.0f, metric::kPad),
              {FontRole::Title, color::kText, Align::Center});
  }
  const bool open = !v.service.out;
  if (!v.announcement.empty()) {
    // The fleet's announcement, an admin's own words in the customer's language (docs/fleet.md).
    const float side = c.layout.portrait() ? 0.0f : metric::kPad;
    const float width = area.GetWidth() - 2 * side;
    const ImRect box =
        inset(cut_top(area, notice_height(c, v.announcement, width), metric::kPad), side, 0.0f);
    notice(c, "home.announcement", v.announcement, box, NoticeKind::Info);
  }
  if (open) {
    const ImRect hint = cut_bottom(area, 56.0f, metric::kPad);
    // The insert hint matters most while no key is in: then it is in the text colour, else muted.
    text_line(c, "home.insert_hint", c.tr("home.insert_hint"), hint,
              {FontRole::Body, v.key == core::KeyPresence::NoKey ? color::kText : color::kTextMuted,
               Align::Center});
  } else {
    const std::string_view reason =
        v.service.reason_text.empty() ? c.tr(v.service.reason_key) : std::string_view(v.service.reason_text);
    // Outside the service hours home says when it opens, then where to go meanwhile.
    const std::string next =
        v.service.opens_key.empty()
            ? std::string(c.tr(v.service.next_key))
            : format(c.tr(v.service.opens_key),
                     {{"time", v.service.opens_time}, {"next", c.tr(v.service.next_key)}});
    const float side = c.layout.portrait() ? 0.0f : metric::kPad;  // in line with the tiles
    const float width = area.GetWidth() - 2 * side;
    const float h =
        notice_height(c, reason, width) + metric::kGap + paragraph_height(c, next, width, FontRole::Body);
    ImRect box = inset(cut_bottom(area, h, metric::kPad), side, 0.0f);
    box.Min.y += notice(c, "home.service.reason", reason, box, NoticeKind::Warning) + metric::kGap;
    paragraph(c, "home.service.next", next, box, {FontRole::Body, color::kText, Align::Left});
  }
  const auto tiles = c.layout.portrait()
                         ? split_v(inset(area, 0.0f, metric::kPad), 2, metric::kPad * 1.5f)
                         : split_h(inset(area, metric::kPad, metric::kPad), 2, metric::kPad * 1.5f);
  if (tile(c, "home.renew", open ? "home.renew.hint" : "home.renew.paused", tiles[0], ButtonKind::Primary,
           Icon::Key, open))
    out = core::RenewTapped{};
  if (tile(c, "home.personal", open ? "home.personal.hint" : "home.personal.paused", tiles[1],
           ButtonKind::Secondary, Icon::Person, open))
    out = core::PersonalCentreTapped{};
  return out;
}

}  // namespace ui
