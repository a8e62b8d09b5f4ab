// Screen registration: core::Screen → the function that draws it, with the core's view for it.
#include "ui/account_screens.hpp"
#include "ui/renewal.hpp"
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {
namespace {

// While a dialog is up only the dialog takes touches (its window covers the screen), so its intent wins.
std::optional<core::Event> with_dialog(const core::Model& m, std::optional<core::Event> screen, Ctx& c) {
  if (m.dialog == core::Dialog::None) return screen;
  return draw_dialog(dialog_view(m), c);
}

}  // namespace

std::optional<core::Event> draw_screen(const core::Model& m, SessionScratch& s, Ctx& c) {
  switch (m.screen) {
    case core::Screen::Home:
      return draw_home(HomeView{m.key.presence}, s.home, c);
    case core::Screen::Help:
      return draw_help(HelpView{}, s.help, c);
    case core::Screen::ComingSoon:
      return draw_coming_soon(ComingSoonView{}, s.coming_soon, c);
    // The renewal (ui/renewal.hpp); a core dialog is drawn over the screen that opened it.
    case core::Screen::Products:
      return with_dialog(m, draw_products(core::products_view(m), s.products, c), c);
    case core::Screen::KeyCheck:
      return with_dialog(m, draw_key_check(core::key_check_view(m), s.key_check, c), c);
    case core::Screen::Phone:
      return with_dialog(m, draw_phone(core::phone_view(m), s.phone, c), c);
    case core::Screen::OrderList:
      return with_dialog(m, draw_order_list(core::order_list_view(m), s.order_list, c), c);
    case core::Screen::Payment:
      return with_dialog(m, draw_payment(core::payment_view(m), s.payment, c), c);
    case core::Screen::KeyDetails:
      return with_dialog(m, draw_key_details(core::key_details_view(m), s.key_details, c), c);
    case core::Screen::Pin:
      return with_dialog(m, draw_pin(core::pin_view(m), s.pin, c), c);
    case core::Screen::Progress:
      return with_dialog(m, draw_progress(core::progress_view(m), s.progress, c), c);
    case core::Screen::KeyPulled:
      return with_dialog(m, draw_key_pulled(core::key_pulled_view(m), s.key_pulled, c), c);
    case core::Screen::Success:
      return with_dialog(m, draw_success(core::success_view(m), s.success, c), c);
    case core::Screen::Failure:
      return with_dialog(m, draw_failure(core::failure_view(m), s.failure, c), c);
    // The personal centre (docs/kiosk.md).
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
      "app.title",        "chrome.back",        "chrome.home",          "chrome.help",
      "chrome.lang.zh",   "chrome.lang.en",     "chrome.do_not_remove", "key.none",
      "key.recognised",   "key.not_recognised", "key.driver_missing",   "home.welcome",
      "home.renew",       "home.renew.hint",    "home.personal",        "home.personal.hint",
      "home.insert_hint", "help.title",         "coming_soon.title",    "coming_soon.body",
      "idle.title",       "idle.body",          "idle.continue",        "keypad.delete",
      "keypad.clear",     "keypad.ok",          "keypad.mask",          "order.method.wechat",
  };
  for (int i = 1; i <= kHelpQuestions; ++i) {
    keys.push_back("help.q" + std::to_string(i));
    keys.push_back("help.a" + std::to_string(i));
  }
  for (core::Screen s : all_screens()) keys.emplace_back(screen_title_key(s));
  return keys;
}

}  // namespace ui
