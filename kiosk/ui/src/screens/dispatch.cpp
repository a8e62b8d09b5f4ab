// Screen registration: core::Screen → the function that draws it, with the core's view for it.
#include "ui/account_screens.hpp"
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

std::optional<core::Event> draw_screen(const core::Model& m, SessionScratch& s, Ctx& c) {
  switch (m.screen) {
    case core::Screen::Home:
      return draw_home(HomeView{m.key.presence}, s.home, c);
    case core::Screen::Help:
      return draw_help(HelpView{}, s.help, c);
    case core::Screen::ComingSoon:
      return draw_coming_soon(ComingSoonView{}, s.coming_soon, c);
    // The renewal (issue 6) replaces these placeholders, one file per screen, e.g.
    //   case core::Screen::Products: return draw_products(core::products_view(m), s.products, c);
    case core::Screen::Products:
    case core::Screen::KeyCheck:
    case core::Screen::Phone:
    case core::Screen::OrderList:
    case core::Screen::Payment:
    case core::Screen::KeyDetails:
    case core::Screen::Pin:
    case core::Screen::Progress:
    case core::Screen::KeyPulled:
    case core::Screen::Success:
    case core::Screen::Failure:
      return draw_placeholder(PlaceholderView{m.screen}, c);
    // The personal centre (issue 7).
    case core::Screen::Login:
      return draw_login(core::login_view(m), s.login, c);
    case core::Screen::AccountHome:
      return draw_account_home(core::account_home_view(m), s.account_home, c);
    case core::Screen::MyBusiness:
      return draw_my_business(core::my_business_view(m), s.my_business, c);
    case core::Screen::Profile:
      return draw_profile(core::profile_view(m), s.profile, c);
    case core::Screen::ChangePassword:
      return draw_change_password(core::change_password_view(m), s.change_password, c);
  }
  return std::nullopt;
}

std::span<const core::Screen> all_screens() {
  using S = core::Screen;
  static constexpr S kAll[] = {S::Home,        S::Help,       S::ComingSoon, S::Products,      S::KeyCheck,
                               S::Phone,       S::OrderList,  S::Payment,    S::KeyDetails,    S::Pin,
                               S::Progress,    S::KeyPulled,  S::Success,    S::Failure,       S::Login,
                               S::AccountHome, S::MyBusiness, S::Profile,    S::ChangePassword};
  return kAll;
}

std::string_view screen_title_key(core::Screen s) {
  switch (s) {
    case core::Screen::Home:
      return "screen.home.title";
    case core::Screen::Help:
      return "screen.help.title";
    case core::Screen::ComingSoon:
      return "screen.coming_soon.title";
    case core::Screen::Products:
      return "screen.products.title";
    case core::Screen::KeyCheck:
      return "screen.key_check.title";
    case core::Screen::Phone:
      return "screen.phone.title";
    case core::Screen::OrderList:
      return "screen.order_list.title";
    case core::Screen::Payment:
      return "screen.payment.title";
    case core::Screen::KeyDetails:
      return "screen.key_details.title";
    case core::Screen::Pin:
      return "screen.pin.title";
    case core::Screen::Progress:
      return "screen.progress.title";
    case core::Screen::KeyPulled:
      return "screen.key_pulled.title";
    case core::Screen::Success:
      return "screen.success.title";
    case core::Screen::Failure:
      return "screen.failure.title";
    case core::Screen::Login:
      return "screen.login.title";
    case core::Screen::AccountHome:
      return "screen.account_home.title";
    case core::Screen::MyBusiness:
      return "screen.my_business.title";
    case core::Screen::Profile:
      return "screen.profile.title";
    case core::Screen::ChangePassword:
      return "screen.change_password.title";
  }
  return "screen.home.title";
}

ImRect screen_title(Ctx& c, std::string_view key, ImRect content) {
  text_line(c, key, c.tr(key), cut_top(content, 64.0f, metric::kGap),
            {FontRole::Title, color::kText, Align::Left});
  return content;
}

std::vector<std::string> shell_keys() {
  std::vector<std::string> keys = {
      "app.title",
      "chrome.back",
      "chrome.home",
      "chrome.help",
      "chrome.lang.zh",
      "chrome.lang.en",
      "chrome.do_not_remove",
      "key.none",
      "key.recognised",
      "key.not_recognised",
      "key.driver_missing",
      "home.welcome",
      "home.renew",
      "home.renew.hint",
      "home.personal",
      "home.personal.hint",
      "home.insert_hint",
      "help.title",
      "coming_soon.title",
      "coming_soon.body",
      "placeholder.body",
      "idle.title",
      "idle.body",
      "idle.continue",
      "keypad.delete",
      "keypad.clear",
      "keypad.ok",
      "keypad.mask",
      "order.method.wechat",
  };
  for (int i = 1; i <= kHelpQuestions; ++i) {
    keys.push_back("help.q" + std::to_string(i));
    keys.push_back("help.a" + std::to_string(i));
  }
  for (core::Screen s : all_screens()) keys.emplace_back(screen_title_key(s));
  return keys;
}

}  // namespace ui
