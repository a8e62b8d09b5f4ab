// 个人中心: who is logged in, and the three things the personal centre offers —
// 我的业务 (with 【继续操作】), 个人信息, 修改密码 — as large tiles; 【退出登录】 at the top.
//
// Widget keys: account.my_business, account.profile, account.password, account.logout.
#include "account_common.hpp"

namespace ui {

std::optional<core::Event> draw_account_home(const core::AccountHomeView& v, AccountHomeScratch&, Ctx& c) {
  std::optional<core::Event> out;
  bool logout = false;
  ImRect area = account::title_row(c, "screen.account_home.title", c.layout.content, logout);
  const std::string hello = format(c.tr("account.hello"), {{"name", v.display_name}});
  text_line(c, "account.hello", hello, cut_top(area, 56.0f, metric::kGap * 0.5f),
            {FontRole::Body, color::kText, Align::Left});
  const std::string level = format(c.tr("account.level"), {{"level", v.member_level}});
  text_line(c, "account.level", level, cut_top(area, 48.0f, metric::kGap),
            {FontRole::Body, color::kTextMuted, Align::Left});
  const auto tiles = c.layout.portrait() ? split_v(inset(area, 0.0f, metric::kGap), 3, metric::kPad)
                                         : split_h(inset(area, 0.0f, metric::kGap), 3, metric::kPad);
  if (tile(c, "account.my_business", "account.my_business.hint", tiles[0], ButtonKind::Primary, Icon::Key))
    out = core::MyBusinessTapped{};
  if (tile(c, "account.profile", "account.profile.hint", tiles[1], ButtonKind::Secondary, Icon::Person))
    out = core::ProfileTapped{};
  if (tile(c, "account.password", "account.password.hint", tiles[2], ButtonKind::Secondary, Icon::Help))
    out = core::ChangePasswordTapped{};
  if (logout) out = core::LogoutTapped{};
  return out;
}

}  // namespace ui
