// Home: 【证书续费】 and 【个人中心】, as two large tiles; language and help are in the chrome.
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

std::optional<core::Event> draw_home(const HomeView& v, HomeScratch&, Ctx& c) {
  std::optional<core::Event> out;
  ImRect area = c.layout.content;
  text_line(c, "home.welcome", c.tr("home.welcome"), cut_top(area, 72.0f, metric::kPad),
            {FontRole::Title, color::kText, Align::Center});
  const ImRect hint = cut_bottom(area, 56.0f, metric::kPad);
  // The insert hint matters most while no key is in: then it is in the text colour, else muted.
  text_line(
      c, "home.insert_hint", c.tr("home.insert_hint"), hint,
      {FontRole::Body, v.key == core::KeyPresence::NoKey ? color::kText : color::kTextMuted, Align::Center});
  const auto tiles = c.layout.portrait()
                         ? split_v(inset(area, 0.0f, metric::kPad), 2, metric::kPad * 1.5f)
                         : split_h(inset(area, metric::kPad, metric::kPad), 2, metric::kPad * 1.5f);
  if (tile(c, "home.renew", "home.renew.hint", tiles[0], ButtonKind::Primary, Icon::Key))
    out = core::RenewTapped{};
  if (tile(c, "home.personal", "home.personal.hint", tiles[1], ButtonKind::Secondary, Icon::Person))
    out = core::PersonalCentreTapped{};
  return out;
}

}  // namespace ui
