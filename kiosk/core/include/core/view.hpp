// View-models: what each screen shows, derived from the model. Screens take one of these (const) and
// return intents; they never see the model itself. Text is by message key; names and numbers are data.
#pragma once

#include <string>
#include <vector>

#include "core/messages.hpp"
#include "core/model.hpp"
#include "core/types.hpp"

namespace core {

// Around every screen: language, the key badge, the idle overlay, the open dialog.
struct ChromeView {
  Screen screen = Screen::Home;
  Dialog dialog = Dialog::None;
  Language language = Language::ZhCN;
  KeyPresence key = KeyPresence::NoKey;
  std::string key_brand_name;
  bool idle_overlay = false;
  int idle_seconds_left = 0;
  bool can_go_home = false;  // a 【返回首页】 is offered
  bool can_go_back = false;  // a 【返回】 is offered
  bool do_not_remove_key = false;  // "请勿拔出KEY" (a token operation is running)
  // A staff KEY is in: 【维护】 is offered (refused with this message while a step with side effects runs).
  bool staff_entry = false;
  std::string staff_entry_refused_key;
  bool staff_mode = false;  // the maintenance screens: 【退出维护】 instead of home and back
  std::uint64_t session = 0;
};

struct ProductCard {
  std::string id;
  std::string title;
  std::string project_name;
  std::string brand_name;
  std::string picture;
  Fen price_per_year = 0;
  bool selected = false;
  bool matches_key = false;  // the inserted key is of this brand
};
struct ProductsView {
  std::vector<ProductCard> cards;
  bool loading = false;
  bool failed = false;
  bool can_start = false;  // 【开始续费】 enabled
};

struct KeyCheckView {
  bool reading = false;
  std::string problem_key;  // red text; empty while reading or when fine
  std::string product_title;
  std::string expected_brand;
  bool key_present = false;
};

struct PhoneView {
  std::string phone;  // the number the code went to (the keypad's scratch holds what is being typed)
  bool sending = false;
  bool verifying = false;
  bool code_sent = false;
  bool can_send = false;        // 【获取验证码】 enabled (not counting down)
  int resend_seconds_left = 0;  // "请在49秒后重新发送"
  int code_length = 6;
  std::string error_key;
};

struct OrderRow {
  std::string picture;
  std::string title;
  Fen unit_price = 0;
  int years = 1;
  Fen subtotal = 0;
};
struct OrderListView {
  std::vector<OrderRow> rows;
  Fen total = 0;
  std::vector<int> allowed_years;
  int years = 1;
  bool submitting = false;
  // WeChat Pay is the default and, for now, the only method.
  std::string payment_method_key = std::string(msg::kOrderMethodWechat);
};

struct PaymentView {
  std::string order_id;
  std::string code_url;
  Fen amount = 0;
  int seconds_left = 0;
  bool expired = false;  // the QR is gone; 【重新下单】
  bool closing = false;
};

struct KeyDetailsView {
  bool reading = false;
  bool ok = false;                 // 【确认续费】 enabled
  CertSummary cert;                // the certificate the order is bound to
  std::string problem_key;         // red text
  bool show_read_hint = false;     // the red hint after the read-failure dialog
  bool paid_banner = false;        // 订单支付成功
  bool resumed = false;            // 继续操作: 【继续续费】 without the one-chance confirmation again
  std::string order_id;
};

struct PinView {
  PinFlags flags;
  bool last_failed = false;  // 产生签名证书P10申请书失败 — the PIN may be wrong
  bool verifying = false;
  bool again_after_pull = false;  // the key was pulled: type the PIN again to continue
  int min_length = 4;
  int max_length = 16;
};

enum class StepState { Pending, Running, Done };
struct ProgressStep {
  RenewalStep step = RenewalStep::StageKey;
  StepState state = StepState::Pending;
  // The running row, once the runtime said it began: whole seconds so far, and what is usual for it on this
  // key (0: not known).
  std::optional<int> elapsed_s;
  int usual_s = 0;
};
struct ProgressView {
  std::vector<ProgressStep> steps;
  bool waiting_for_clock = false;
  bool reused_staged_key = false;
};

struct KeyPulledView {
  bool other_key = false;
  bool mid_rollover = false;  // the PIN will be asked again
  std::string order_id;
};

struct SuccessView {
  std::string holder;
  std::string organisation;
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  std::string order_id;
};

struct FailureView {
  Failure failure;
  std::string order_id;  // the business number for the counter
  bool paid = false;
};

// ---- the personal centre (docs/kiosk.md) ----
struct LoginView {
  LoginMethod method = LoginMethod::Password;
  bool needs_code = false;   // the default password was typed: it needs an SMS code to that phone as well
  bool code_field = false;   // a code is asked for (login by SMS, or needs_code)
  std::string code_phone;    // the number the last code went to (the form's scratch holds what is typed)
  bool sending = false;
  bool code_sent = false;
  bool can_send = false;         // 【获取验证码】 enabled (not counting down, not sending)
  int resend_seconds_left = 0;   // "请在49秒后重新发送"
  int code_length = 6;
  bool submitting = false;
  int wait_seconds_left = 0;     // throttled: 【登录】 comes back after this countdown
  std::string error_key;         // the form's problem, else the SMS step's
};

struct AccountHomeView {
  std::string display_name;  // the real name, else the username
  std::string member_level;  // 普通用户
  bool must_change_password = false;
};

struct BusinessRow {
  std::string order_id;
  std::string product_title;
  UnixSeconds created_at = 0;
  Fen amount = 0;
  int years = 1;
  OrderStatus status = OrderStatus::PendingPayment;
  bool can_continue = false;       // 【继续操作】
  std::string needs_staff_reason;  // a message key: what the counter does
  std::string stopped_at_key;      // begun on this kiosk: the step where it stopped (message key)
  bool resuming = false;           // this row's 【继续操作】 is under way
};
struct MyBusinessView {
  std::vector<BusinessRow> rows;
  bool loading = false;
  std::string error_key;         // the list could not be loaded
  bool resuming = false;         // a 【继续操作】 is under way (every row's button waits)
  std::string resume_error_key;  // e.g. insert the key of that business
};

struct ProfileView {
  Profile profile;           // as the platform has it (the form's scratch holds the edits)
  bool saving = false;
  bool saved = false;        // 修改成功
  std::vector<std::string> problem_keys;  // every rule broken, in words (checked by the core)
  std::string error_key;                  // the platform's answer
  // A changed phone is verified by a code sent to the new number.
  std::string code_phone;
  bool sending = false;
  bool code_sent = false;
  bool can_send = false;
  int resend_seconds_left = 0;
  int code_length = 6;
  std::string phone_error_key;
};

struct ChangePasswordView {
  bool forced = false;  // after a default-password login: nothing else until it is changed
  bool saving = false;
  bool saved = false;   // 修改成功
  std::vector<std::string> problem_keys;  // every rule broken, in words
  std::string phone;    // the account's phone: the new password must not be derived from it
};

// In service or not (core/service.hpp), as home says it: 暂停服务 with the reason in the customer's words
// and where to go instead.
struct ServiceView {
  bool out = false;
  std::string reason_key;   // the shown source's reason (message key) ...
  std::string reason_text;  // ... or its own words in the customer's language, when it has them
  std::string next_key;     // where to go instead: the counter
  std::string opens_key;    // when it opens again ("service.opens.mon", with {time}); empty: not known
  std::string opens_time;   // "09:00"
};

ChromeView chrome_view(const Model& m);
ServiceView service_view(const Model& m);
// The fleet's announcement (docs/fleet.md) in the customer's language, written by an admin in both; empty
// when there is none.
std::string announcement_of(const Model& m);
// Each screen's view-model, from the phase that shows it (core::phase, in core/model.hpp).
ProductsView products_view(const Model& m, const phase::Products& p);
KeyCheckView key_check_view(const Model& m, const phase::KeyCheck& p);
PhoneView phone_view(const Model& m, const phase::Phone& p);
OrderListView order_list_view(const Model& m, const phase::OrderList& p);
PaymentView payment_view(const Model& m, const phase::Payment& p);
KeyDetailsView key_details_view(const Model& m, const phase::KeyDetails& p);
PinView pin_view(const Model& m, const phase::Pin& p);
ProgressView progress_view(const Model& m, const phase::Progress& p);
KeyPulledView key_pulled_view(const Model& m, const phase::KeyPulled& p);
SuccessView success_view(const Model& m, const phase::Success& p);
FailureView failure_view(const Model& m, const phase::Failure& p);
LoginView login_view(const Model& m, const phase::Login& p);
AccountHomeView account_home_view(const Model& m, const phase::AccountHome& p);
MyBusinessView my_business_view(const Model& m, const phase::MyBusiness& p);
ProfileView profile_view(const Model& m, const phase::Profile& p);
ChangePasswordView change_password_view(const Model& m, const phase::ChangePassword& p);

// The phase a view-model function is for: PhaseOf<phone_view> is phase::Phone.
template <typename F>
struct ViewPhase;
template <typename V, typename P>
struct ViewPhase<V (*)(const Model&, const P&)> {
  using type = P;
};
template <auto View>
using PhaseOf = typename ViewPhase<decltype(View)>::type;

// Seconds left to a monotonic deadline, rounded up (a countdown shows 1 until the very end).
int seconds_left(Millis now, Millis deadline);

}  // namespace core
