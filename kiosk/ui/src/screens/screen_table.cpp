// Screen registration: one row per core::Screen, in the enum's order. A row names the screen's title, the
// core's view-model function for its phase, the function that draws it, its scratch in SessionScratch
// and the message keys it draws itself. The row's screen is the one of the view's phase, and the
// static_assert below refuses a missing or misplaced row; tests/ui checks each row's keys in both
// languages, that a screen draws no key its row (or a shared piece) does not declare, and that some
// layout test draws every screen.
#include <array>
#include <string>
#include <utility>
#include <variant>

#include "staff/staff_keys.hpp"
#include "ui/account_screens.hpp"
#include "ui/renewal.hpp"
#include "ui/screens.hpp"
#include "ui/staff_screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {
namespace {

// The current phase's screen: its view, drawn by its function with its scratch. (The table is indexed by
// screen, so the current phase is the view's.)
template <auto View, auto Draw, auto Scratch>
std::optional<core::Event> show(const core::Model& m, SessionScratch& s, Ctx& c) {
  return Draw(View(m, std::get<core::PhaseOf<View>>(m.flow)), s.*Scratch, c);
}

template <auto View, auto Draw, auto Scratch>
constexpr ScreenRow row(std::string_view title_key, std::span<const std::string_view> keys) {
  return {core::PhaseOf<View>::kScreen, title_key, &show<View, Draw, Scratch>, keys};
}

// The shell's own screens show no customer data: their views are the UI's.
HomeView home_view(const core::Model& m, const core::phase::Home&) {
  return {m.key.presence, m.key_left_since, core::service_view(m), core::announcement_of(m)};
}
HelpView help_view(const core::Model&, const core::phase::Help&) {
  return {};
}
ComingSoonView coming_soon_view(const core::Model&, const core::phase::ComingSoon&) {
  return {};
}

// ---- the keys each screen draws itself ----
constexpr std::string_view kHomeOwn[] = {
    "home.welcome", "home.renew", "home.renew.hint", "home.personal", "home.personal.hint",
    "home.insert_hint", "home.renew.paused", "home.personal.paused",
    // outside the service hours: when it opens (core::ServiceView)
    "service.opens.today", "service.opens.tomorrow", "service.opens.mon", "service.opens.tue",
    "service.opens.wed", "service.opens.thu", "service.opens.fri", "service.opens.sat", "service.opens.sun",
    // a KEY left in the reader (docs/staff.md)
    "home.key_left", "home.key_left.since"};
// and the reasons staff take the kiosk out of service for
constexpr auto kHome = staff::join(kHomeOwn, kStaffServiceReasons);
constexpr std::string_view kHelp[] = {"help.title", "help.q1", "help.a1", "help.q2", "help.a2", "help.q3",
                                      "help.a3",    "help.q4", "help.a4", "help.q5", "help.a5", "help.q6",
                                      "help.a6",    "help.q7", "help.a7", "help.q8", "help.a8"};
static_assert(std::size(kHelp) == 1 + 2 * kHelpQuestions);
constexpr std::string_view kComingSoon[] = {"coming_soon.title", "coming_soon.body"};
constexpr std::string_view kProducts[] = {
    "products.start", "products.loading",  "products.failed",        "products.hint",
    "products.free",  "products.per_year", "products.project_brand", "products.matches_key"};
constexpr std::string_view kKeyCheck[] = {"keycheck.read",    "keycheck.choose_again", "keycheck.product",
                                          "keycheck.reading", "keycheck.problem",      "keycheck.ok",
                                          "keycheck.insert",  "keycheck.next",         "keycheck.wait"};
constexpr std::string_view kPhone[] = {
    "phone.label",      "phone.placeholder",      "phone.get_code", "phone.sending",   "phone.resend_in",
    "phone.code.label", "phone.code.placeholder", "phone.next",     "phone.verifying", "phone.code_sent",
    "phone.intro"};
constexpr std::string_view kOrderList[] = {"order.submit",         "order.submitting", "order.method.label",
                                           "order.method.default", "order.list.label", "order.col.picture",
                                           "order.col.item",       "order.col.price",  "order.col.years",
                                           "order.col.subtotal",   "order.years",      "order.total",
                                           "order.free_note",      "order.pay_note"};
constexpr std::string_view kPayment[] = {"payment.new_order", "payment.cancel",       "payment.expired",
                                         "payment.preparing", "payment.qr_failed",    "payment.scan",
                                         "payment.amount",    "payment.expired_hint", "payment.expires_in",
                                         "payment.closing",   "payment.waiting",      "payment.order"};
constexpr std::string_view kKeyDetails[] = {
    "keydetails.confirm",        "keydetails.continue", "keydetails.read",      "keydetails.paid",
    "keydetails.resumed",        "keydetails.reading",  "keydetails.read_hint", "keydetails.intro",
    "keydetails.holder",         "keydetails.org",      "keydetails.serial",    "keydetails.validity",
    "keydetails.validity_value", "keydetails.issuer",   "keydetails.order"};
constexpr std::string_view kPin[] = {"pin.hint",      "pin.again_after_pull", "pin.placeholder",
                                     "pin.verifying", "pin.failed",           "pin.failed_hint",
                                     "pin.final_try", "pin.count_low",        "pin.length"};
constexpr std::string_view kProgress[] = {
    "progress.hint",           "progress.reused",         "progress.waiting_clock", "progress.step.login",
    "progress.step.stage_key", "progress.step.build_p10", "progress.step.submit",   "progress.step.install",
    "progress.step.finalize",  "progress.step.confirm",   "progress.step.done",     "progress.state.done",
    "progress.state.running",  "progress.state.pending",  "progress.time",          "progress.time_so_far",
    "time.seconds",            "time.minutes_seconds",    "time.about_seconds",     "time.about_minutes"};
constexpr std::string_view kKeyPulled[] = {"keypulled.other_key.title", "keypulled.body",
                                           "keypulled.other_key",       "keypulled.mid_rollover",
                                           "keypulled.reinsert",        "keypulled.order"};
constexpr std::string_view kSuccess[] = {
    "success.done",      "success.title",  "success.validity", "success.take_key",
    "keydetails.holder", "keydetails.org", "keydetails.order", "keydetails.validity_value"};
constexpr std::string_view kFailure[] = {"failure.retry",    "failure.done",     "failure.paid_note",
                                         "failure.order_no", "failure.recorded", "failure.not_yet_told", "failure.detail"};
constexpr std::string_view kLogin[] = {"login.method.password",
                                       "login.method.sms",
                                       "login.phone.label",
                                       "login.password.label",
                                       "login.code.label",
                                       "login.phone.placeholder",
                                       "login.password.placeholder",
                                       "login.code.placeholder",
                                       "login.get_code",
                                       "login.get_code_again",
                                       "login.sending",
                                       "login.resend_in",
                                       "login.submit",
                                       "login.submitting",
                                       "login.wait_button",
                                       "login.needs_code",
                                       "login.hint.first",
                                       "login.hint.sms"};
constexpr std::string_view kAccountHome[] = {
    "account.hello",   "account.level",        "account.my_business", "account.my_business.hint",
    "account.profile", "account.profile.hint", "account.password",    "account.password.hint"};
constexpr std::string_view kMyBusiness[] = {"business.loading",
                                            "business.error",
                                            "business.empty",
                                            "business.resuming",
                                            "business.continue",
                                            "business.continuing",
                                            "business.details",
                                            "business.needs_staff.next",
                                            "business.stopped",
                                            "business.stopped.paid",
                                            "business.stopped.stage_key",
                                            "business.stopped.build_p10",
                                            "business.stopped.nonce",
                                            "business.stopped.sign_proof",
                                            "business.stopped.submit",
                                            "business.stopped.install",
                                            "business.stopped.finalize",
                                            "business.stopped.confirm",
                                            "business.status.pending_payment",
                                            "business.status.paid",
                                            "business.status.issued",
                                            "business.status.installed",
                                            "business.status.closed",
                                            "business.status.expired",
                                            "business.status.needs_staff",
                                            "business.status.refund_requested",
                                            "order.next_step.go_to_counter"};
constexpr std::string_view kProfile[] = {
    "profile.username",          "profile.level",      "profile.registered",  "profile.real_name.label",
    "profile.phone.label",       "profile.code.label", "profile.email.label", "profile.real_name.placeholder",
    "profile.email.placeholder", "profile.submit",     "profile.saved",       "profile.phone_hint",
    "profile.keys_hint",         "login.get_code",     "login.resend_in",     "login.sending",
    "login.code.placeholder"};
constexpr std::string_view kChangePassword[] = {"password.forced",
                                                "password.current.label",
                                                "password.new.label",
                                                "password.confirm.label",
                                                "password.current.placeholder",
                                                "password.new.placeholder",
                                                "password.rules",
                                                "password.submit",
                                                "password.saved",
                                                "password.saved_hint",
                                                "password.back_to_centre"};

// ---- the table ----
using S = SessionScratch;
constexpr std::array<ScreenRow, core::kScreenCount> kRows = {
    row<home_view, draw_home, &S::home>("screen.home.title", kHome),
    row<help_view, draw_help, &S::help>("screen.help.title", kHelp),
    row<coming_soon_view, draw_coming_soon, &S::coming_soon>("screen.coming_soon.title", kComingSoon),
    // the renewal (ui/renewal.hpp)
    row<core::products_view, draw_products, &S::products>("screen.products.title", kProducts),
    row<core::key_check_view, draw_key_check, &S::key_check>("screen.key_check.title", kKeyCheck),
    row<core::phone_view, draw_phone, &S::phone>("screen.phone.title", kPhone),
    row<core::order_list_view, draw_order_list, &S::order_list>("screen.order_list.title", kOrderList),
    row<core::payment_view, draw_payment, &S::payment>("screen.payment.title", kPayment),
    row<core::key_details_view, draw_key_details, &S::key_details>("screen.key_details.title", kKeyDetails),
    row<core::pin_view, draw_pin, &S::pin>("screen.pin.title", kPin),
    row<core::progress_view, draw_progress, &S::progress>("screen.progress.title", kProgress),
    row<core::key_pulled_view, draw_key_pulled, &S::key_pulled>("screen.key_pulled.title", kKeyPulled),
    row<core::success_view, draw_success, &S::success>("screen.success.title", kSuccess),
    row<core::failure_view, draw_failure, &S::failure>("screen.failure.title", kFailure),
    // the personal centre (ui/account_screens.hpp)
    row<core::login_view, draw_login, &S::login>("screen.login.title", kLogin),
    row<core::account_home_view, draw_account_home, &S::account_home>("screen.account_home.title",
                                                                      kAccountHome),
    row<core::my_business_view, draw_my_business, &S::my_business>("screen.my_business.title", kMyBusiness),
    row<core::profile_view, draw_profile, &S::profile>("screen.profile.title", kProfile),
    row<core::change_password_view, draw_change_password, &S::change_password>("screen.change_password.title",
                                                                               kChangePassword),
    // hall staff (ui/staff_screens.hpp)
    row<staff_sign_in_view, draw_staff_sign_in, &S::staff_sign_in>("screen.staff_sign_in.title",
                                                                   staff::kStaffSignInKeys),
    row<maintenance_view, draw_maintenance, &S::maintenance>("screen.maintenance.title",
                                                             staff::kMaintenanceKeys),
    row<handover_view, draw_handover, &S::handover>("screen.handover.title", staff::kHandoverKeys),
};

template <std::size_t... I>
constexpr bool rows_in_screen_order(std::index_sequence<I...>) {
  return ((kRows[I].screen == static_cast<core::Screen>(I) && kRows[I].draw != nullptr &&
           !kRows[I].title_key.empty()) &&
          ...);
}
static_assert(rows_in_screen_order(std::make_index_sequence<core::kScreenCount>{}),
              "kRows holds one row per core::Screen, in the enum's order");

}  // namespace

std::span<const ScreenRow> screen_rows() {
  return kRows;
}

const ScreenRow& screen_row(core::Screen s) {
  return kRows[static_cast<std::size_t>(s)];
}

std::string_view screen_title_key(core::Screen s) {
  return screen_row(s).title_key;
}

std::optional<core::Event> draw_screen(const core::Model& m, SessionScratch& s, Ctx& c) {
  auto screen = screen_row(core::screen_of(m)).draw(m, s, c);
  // While a dialog is up only the dialog takes touches (its window covers the screen), so its intent wins.
  if (core::dialog_of(m) == core::Dialog::None) return screen;
  return draw_dialog(dialog_view(m), c);
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
      "idle.title",
      "idle.body",
      "idle.continue",
      "keypad.delete",
      "keypad.clear",
      "keypad.ok",
      "keypad.mask",
      // the core's dialogs (src/screens/renewal/dialog.cpp)
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
      "dialog.power.restart_app.title",
      "dialog.power.restart_app.body",
      "dialog.power.reboot.title",
      "dialog.power.reboot.body",
      "dialog.power.power_off.title",
      "dialog.power.power_off.body",
      // hall staff in the chrome (src/screens/chrome.cpp)
      "chrome.staff",
      "chrome.staff_exit",
      "chrome.staff_mode",
      "staff.entry.busy",
      // the personal centre's title row (src/screens/account_common.cpp)
      "account.logout",
  };
  for (auto& k : keyboard_keys()) keys.push_back(std::move(k));
  return keys;
}

}  // namespace ui
