#include "core/view.hpp"

#include "core/update.hpp"

namespace core {
namespace {

const Renewal kNoRenewal{};
const Renewal& renewal_of(const Model& m) { return m.renewal ? *m.renewal : kNoRenewal; }
const LoginForm kNoLogin{};
const LoginForm& login_of(const Model& m) { return m.login ? *m.login : kNoLogin; }
const Account kNoAccount{};
const Account& account_of(const Model& m) { return m.account ? *m.account : kNoAccount; }

bool paid(const Renewal& r) {
  return r.order && (r.order->status == OrderStatus::Paid || r.order->status == OrderStatus::Issued ||
                     r.order->status == OrderStatus::Installed);
}

}  // namespace

int seconds_left(Millis now, Millis deadline) {
  if (deadline <= now) return 0;
  return static_cast<int>((deadline - now + 999) / 1000);
}

ChromeView chrome_view(const Model& m) {
  ChromeView v;
  v.screen = m.screen;
  v.dialog = m.dialog;
  v.language = m.language;
  v.key = m.key.presence;
  v.key_brand_name = m.key.brand_name;
  v.idle_overlay = m.idle_overlay;
  v.idle_seconds_left = m.idle_overlay ? seconds_left(m.now, m.idle_deadline) : 0;
  v.session = m.session;
  const Renewal& r = renewal_of(m);
  switch (m.screen) {
    case Screen::Help:
    case Screen::ComingSoon:
    case Screen::Products:
    case Screen::KeyCheck:
    case Screen::Phone:
    case Screen::OrderList:
      v.can_go_home = true;
      v.can_go_back = true;
      break;
    case Screen::Success:
    case Screen::Failure:
      v.can_go_home = true;
      break;
    case Screen::KeyPulled:
      v.can_go_home = !paid(r);
      break;
    case Screen::Payment:
      v.can_go_back = true;  // asks first, then closes the order
      break;
    case Screen::Login:
    case Screen::MyBusiness:
    case Screen::Profile:
      v.can_go_home = true;  // home from the personal centre logs out
      v.can_go_back = true;
      break;
    case Screen::AccountHome:
      v.can_go_home = true;
      break;
    case Screen::ChangePassword:
      v.can_go_home = true;
      v.can_go_back = m.account && !m.account->must_change_password;
      break;
    default:
      break;
  }
  v.do_not_remove_key = m.renewal && (r.step_running || r.reading_key) &&
                        (m.screen == Screen::Progress || m.screen == Screen::Pin || m.screen == Screen::KeyDetails ||
                         m.screen == Screen::KeyCheck);
  return v;
}

ProductsView products_view(const Model& m) {
  ProductsView v;
  v.loading = m.catalog.loading;
  v.failed = m.catalog.failed;
  const Renewal& r = renewal_of(m);
  for (const auto& p : m.catalog.products) {
    ProductCard c;
    c.id = p.id;
    c.title = p.title;
    c.project_name = p.project_name;
    c.brand_name = p.brand_name;
    c.picture = p.picture;
    c.price_per_year = p.price_per_year;
    c.selected = p.id == r.product_id;
    c.matches_key = m.key.presence == KeyPresence::Recognised && m.key.brand_id == p.brand_id;
    v.cards.push_back(std::move(c));
  }
  v.can_start = chosen_product(m) != nullptr;
  return v;
}

KeyCheckView key_check_view(const Model& m) {
  KeyCheckView v;
  const Renewal& r = renewal_of(m);
  v.reading = r.reading_key;
  v.problem_key = r.reading_key ? std::string{} : r.key_problem_key;
  if (const Product* p = chosen_product(m)) {
    v.product_title = p->title;
    v.expected_brand = p->brand_name;
  }
  v.key_present = m.key.presence != KeyPresence::NoKey;
  return v;
}

PhoneView phone_view(const Model& m) {
  PhoneView v;
  const PhoneStep& p = renewal_of(m).phone;
  v.phone = p.phone;
  v.sending = p.sms == SmsState::Sending;
  v.verifying = p.sms == SmsState::Verifying;
  v.code_sent = p.code_sent_once;
  v.resend_seconds_left = seconds_left(m.now, p.resend_at);
  v.can_send = !v.sending && !v.verifying && v.resend_seconds_left == 0;
  v.code_length = p.code_length;
  v.error_key = p.error_key;
  return v;
}

OrderListView order_list_view(const Model& m) {
  OrderListView v;
  const Renewal& r = renewal_of(m);
  v.years = r.years;
  v.submitting = r.ordering;
  if (const Product* p = chosen_product(m)) {
    OrderRow row{p->picture, p->title, p->price_per_year, r.years, p->price_per_year * r.years};
    v.total = row.subtotal;
    v.rows.push_back(std::move(row));
    v.allowed_years = p->allowed_years;
  }
  return v;
}

PaymentView payment_view(const Model& m) {
  PaymentView v;
  const Renewal& r = renewal_of(m);
  if (r.order) {
    v.order_id = r.order->id;
    v.code_url = r.order->code_url;
    v.amount = r.order->amount;
    v.seconds_left = r.order->expires_at > m.wall ? static_cast<int>(r.order->expires_at - m.wall) : 0;
    v.expired = r.qr_expired || r.order->status == OrderStatus::Expired;
  }
  v.closing = r.closing_order;
  return v;
}

KeyDetailsView key_details_view(const Model& m) {
  KeyDetailsView v;
  const Renewal& r = renewal_of(m);
  v.reading = r.reading_key;
  v.ok = r.key_ok && !r.reading_key;
  v.cert = r.cert;
  v.problem_key = r.reading_key ? std::string{} : r.key_problem_key;
  v.show_read_hint = r.show_read_hint && !r.reading_key;
  v.paid_banner = paid(r) && !r.resumed;
  v.resumed = r.resumed;
  if (r.order) v.order_id = r.order->id;
  return v;
}

PinView pin_view(const Model& m) {
  PinView v;
  const Renewal& r = renewal_of(m);
  v.flags = r.pin;
  v.last_failed = r.pin_failed;
  v.verifying = r.step_running && r.step == RenewalStep::Login;
  v.again_after_pull = r.resume_step.has_value() && !r.resumed;
  return v;
}

ProgressView progress_view(const Model& m) {
  ProgressView v;
  const Renewal& r = renewal_of(m);
  for (auto s : {RenewalStep::StageKey, RenewalStep::BuildP10, RenewalStep::Submit, RenewalStep::Install,
                 RenewalStep::Finalize, RenewalStep::Confirm}) {
    ProgressStep ps{s, StepState::Pending};
    // RequestNonce and SignProof are shown as part of Submit (the customer sees "提交申请").
    auto shown = [](RenewalStep x) {
      return x == RenewalStep::RequestNonce || x == RenewalStep::SignProof ? RenewalStep::Submit : x;
    };
    auto cur = shown(r.step);
    if (static_cast<int>(s) < static_cast<int>(cur))
      ps.state = StepState::Done;
    else if (s == cur)
      ps.state = r.step == RenewalStep::Done ? StepState::Done : StepState::Running;
    v.steps.push_back(ps);
  }
  v.waiting_for_clock = r.waiting_until.has_value();
  v.reused_staged_key = r.staged_key_reused;
  return v;
}

KeyPulledView key_pulled_view(const Model& m) {
  KeyPulledView v;
  const Renewal& r = renewal_of(m);
  v.other_key = r.other_key_inserted;
  v.mid_rollover = r.pulled_from == Screen::Progress;
  if (r.order) v.order_id = r.order->id;
  return v;
}

SuccessView success_view(const Model& m) {
  SuccessView v;
  const Renewal& r = renewal_of(m);
  if (r.cert) {
    v.holder = r.cert->holder;
    v.organisation = r.cert->organisation;
  }
  v.not_before = r.new_not_before;
  v.not_after = r.new_not_after;
  if (r.order) v.order_id = r.order->id;
  return v;
}

FailureView failure_view(const Model& m) {
  FailureView v;
  const Renewal& r = renewal_of(m);
  if (r.failure) v.failure = *r.failure;
  if (r.order) v.order_id = r.order->id;
  v.paid = paid(r);
  return v;
}

LoginView login_view(const Model& m) {
  LoginView v;
  const LoginForm& f = login_of(m);
  v.method = f.method;
  v.needs_code = f.needs_code;
  v.code_field = f.method == LoginMethod::Sms || f.needs_code;
  v.code_phone = f.phone.phone;
  v.sending = f.phone.sms == SmsState::Sending;
  v.code_sent = f.phone.code_sent_once;
  v.resend_seconds_left = seconds_left(m.now, f.phone.resend_at);
  v.can_send = !v.sending && v.resend_seconds_left == 0 && !f.submitting;
  v.code_length = f.phone.code_length;
  v.submitting = f.submitting;
  v.wait_seconds_left = seconds_left(m.now, f.wait_until);
  v.error_key = f.error_key.empty() ? f.phone.error_key : f.error_key;
  return v;
}

AccountHomeView account_home_view(const Model& m) {
  AccountHomeView v;
  const Account& a = account_of(m);
  v.display_name = a.profile.real_name.empty() ? a.profile.username : a.profile.real_name;
  v.member_level = a.profile.member_level;
  v.must_change_password = a.must_change_password;
  return v;
}

MyBusinessView my_business_view(const Model& m) {
  MyBusinessView v;
  const Account& a = account_of(m);
  for (const auto& b : a.business) {
    BusinessRow r;
    r.order_id = b.order_id;
    r.product_title = b.product_title.empty() ? b.product_id : b.product_title;
    r.created_at = b.created_at;
    r.amount = b.amount;
    r.years = b.years;
    r.status = b.status;
    r.can_continue = b.can_continue;
    r.needs_staff_reason = b.needs_staff_reason;
    r.stopped_at_key = b.stopped_at_key;
    r.resuming = a.resuming && a.resume_order_id == b.order_id;
    v.rows.push_back(std::move(r));
  }
  v.loading = a.business_loading;
  v.error_key = a.business_error_key;
  v.resuming = a.resuming;
  v.resume_error_key = a.resume_error_key;
  return v;
}

ProfileView profile_view(const Model& m) {
  ProfileView v;
  const Account& a = account_of(m);
  const ProfileForm& f = a.profile_form;
  v.profile = a.profile;
  v.saving = f.saving;
  v.saved = f.saved;
  v.problem_keys = f.problem_keys;
  v.error_key = f.error_key;
  v.code_phone = f.new_phone.phone;
  v.sending = f.new_phone.sms == SmsState::Sending;
  v.code_sent = f.new_phone.code_sent_once;
  v.resend_seconds_left = seconds_left(m.now, f.new_phone.resend_at);
  v.can_send = !v.sending && v.resend_seconds_left == 0 && !f.saving;
  v.code_length = f.new_phone.code_length;
  v.phone_error_key = f.new_phone.error_key;
  return v;
}

ChangePasswordView change_password_view(const Model& m) {
  ChangePasswordView v;
  const Account& a = account_of(m);
  v.forced = a.must_change_password;
  v.saving = a.password_form.saving;
  v.saved = a.password_form.saved;
  v.problem_keys = a.password_form.problem_keys;
  v.phone = a.profile.phone;
  return v;
}

}  // namespace core
