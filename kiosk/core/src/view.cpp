#include "core/view.hpp"

#include <algorithm>

#include "core/messages.hpp"
#include "core/update.hpp"
#include "internal.hpp"

namespace core {
namespace {

bool paid(const Order& o) {
  return detail::order_paid(o);
}

}  // namespace

int seconds_left(Millis now, Millis deadline) {
  if (deadline <= now) return 0;
  return static_cast<int>((deadline - now + 999) / 1000);
}

ServiceView service_view(const Model& m) {
  ServiceView v;
  const OutOfServiceReason* r = m.service.sources.reason();
  if (!r) return v;
  v.out = true;
  v.reason_key = r->reason_key.empty() ? std::string(msg::kServiceReasonOther) : r->reason_key;
  v.reason_text = m.language == Language::En ? r->text_en : r->text_zh_cn;
  v.next_key = std::string(msg::kServiceNext);
  if (!r->opens_day.empty()) {
    v.opens_key = "service.opens." + r->opens_day;
    v.opens_time = r->opens_time;
  }
  return v;
}

std::string announcement_of(const Model& m) {
  return m.language == Language::En ? m.settings.announcement_en : m.settings.announcement_zh_cn;
}

ChromeView chrome_view(const Model& m) {
  ChromeView v;
  v.screen = screen_of(m);
  v.dialog = dialog_of(m);
  v.language = m.language;
  v.key = m.key.presence;
  v.key_brand_name = m.key.brand_name;
  v.idle_overlay = m.idle_overlay;
  v.idle_seconds_left = m.idle_overlay ? seconds_left(m.now, m.idle_deadline) : 0;
  v.session = m.session;
  switch (v.screen) {
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
      v.can_go_home = !paid(std::get<phase::KeyPulled>(m.flow).paid.order);
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
      v.can_go_back = !std::get<phase::ChangePassword>(m.flow).centre.account.must_change_password;
      break;
    default:
      break;
  }
  // "请勿拔出KEY" while the token is read or a step runs on it.
  if (const auto* p = std::get_if<phase::KeyCheck>(&m.flow)) v.do_not_remove_key = p->reading;
  if (const auto* p = std::get_if<phase::KeyDetails>(&m.flow)) v.do_not_remove_key = p->reading;
  v.do_not_remove_key = v.do_not_remove_key || detail::token_busy(m);
  v.staff_mode = in_staff_mode(m);
  v.staff_entry = !v.staff_mode && v.screen != Screen::StaffSignIn && m.staff_key &&
                  !m.staff_key->name.empty() && m.staff_key->token == m.key.identity &&
                  m.key.presence != KeyPresence::NoKey;
  if (v.staff_entry) v.staff_entry_refused_key = m.staff_entry_refused_key;
  if (v.screen == Screen::StaffSignIn || v.screen == Screen::Handover) v.can_go_home = true;
  return v;
}

// ---- the renewal ----
ProductsView products_view(const Model& m, const phase::Products& p) {
  ProductsView v;
  v.loading = m.catalog.loading;
  v.failed = m.catalog.failed;
  // The fleet's products in its order (docs/fleet.md): one the catalog lacks is not shown; none set: the
  // catalog's, in its order.
  std::vector<const Product*> shown;
  if (m.settings.products.empty()) {
    for (const auto& prod : m.catalog.products) shown.push_back(&prod);
  } else {
    for (const auto& id : m.settings.products)
      for (const auto& prod : m.catalog.products)
        if (prod.id == id) shown.push_back(&prod);
  }
  for (const Product* pp : shown) {
    const Product& prod = *pp;
    ProductCard c;
    c.id = prod.id;
    c.title = prod.title;
    c.project_name = prod.project_name;
    c.brand_name = prod.brand_name;
    c.picture = prod.picture;
    c.price_per_year = prod.price_per_year;
    c.selected = prod.id == p.renewal.product_id;
    c.matches_key = m.key.presence == KeyPresence::Recognised && m.key.brand_id == prod.brand_id;
    v.cards.push_back(std::move(c));
  }
  v.can_start = detail::chosen_product(m, p.renewal) != nullptr;
  return v;
}

KeyCheckView key_check_view(const Model& m, const phase::KeyCheck& p) {
  KeyCheckView v;
  v.reading = p.reading;
  v.problem_key = p.reading ? std::string{} : p.problem_key;
  if (const Product* prod = detail::chosen_product(m, p.renewal)) {
    v.product_title = prod->title;
    v.expected_brand = prod->brand_name;
  }
  v.key_present = m.key.presence != KeyPresence::NoKey;
  return v;
}

PhoneView phone_view(const Model& m, const phase::Phone& p) {
  PhoneView v;
  const PhoneStep& ph = p.renewal.phone;
  v.phone = ph.phone;
  v.sending = ph.sms == SmsState::Sending;
  v.verifying = ph.sms == SmsState::Verifying;
  v.code_sent = ph.code_sent_once;
  v.resend_seconds_left = seconds_left(m.now, ph.resend_at);
  v.can_send = !v.sending && !v.verifying && v.resend_seconds_left == 0;
  v.code_length = ph.code_length;
  v.error_key = ph.error_key;
  return v;
}

OrderListView order_list_view(const Model& m, const phase::OrderList& p) {
  OrderListView v;
  const Renewal& r = p.renewal;
  v.years = r.years;
  v.submitting = p.submitting;
  if (const Product* prod = detail::chosen_product(m, r)) {
    OrderRow row{prod->picture, prod->title, prod->price_per_year, r.years, prod->price_per_year * r.years};
    v.total = row.subtotal;
    v.rows.push_back(std::move(row));
    v.allowed_years = prod->allowed_years;
  }
  return v;
}

PaymentView payment_view(const Model& m, const phase::Payment& p) {
  PaymentView v;
  v.order_id = p.order.id;
  v.code_url = p.order.code_url;
  v.amount = p.order.amount;
  v.seconds_left = p.order.expires_at > m.wall ? static_cast<int>(p.order.expires_at - m.wall) : 0;
  v.expired = p.qr_expired || p.order.status == OrderStatus::Expired;
  v.closing = p.closing;
  return v;
}

KeyDetailsView key_details_view(const Model&, const phase::KeyDetails& p) {
  KeyDetailsView v;
  v.reading = p.reading;
  v.ok = p.key_ok && !p.reading;
  v.cert = p.paid.key.cert;
  v.problem_key = p.reading ? std::string{} : p.problem_key;
  v.show_read_hint = p.show_read_hint && !p.reading;
  v.paid_banner = paid(p.paid.order) && !p.paid.resumed;
  v.resumed = p.paid.resumed;
  v.order_id = p.paid.order.id;
  return v;
}

PinView pin_view(const Model&, const phase::Pin& p) {
  PinView v;
  v.flags = p.paid.key.pin;
  v.last_failed = p.paid.pin_failed;
  v.verifying = p.verifying;
  v.again_after_pull = p.paid.resume_step.has_value() && !p.paid.resumed;
  return v;
}

ProgressView progress_view(const Model& m, const phase::Progress& p) {
  ProgressView v;
  // RequestNonce and SignProof are shown as part of Submit (the customer sees "提交申请").
  const RenewalStep cur = progress_step(p.paid.step);
  for (auto s : {RenewalStep::StageKey, RenewalStep::BuildP10, RenewalStep::Submit, RenewalStep::Install,
                 RenewalStep::Finalize, RenewalStep::Confirm}) {
    ProgressStep ps{s, StepState::Pending};
    if (static_cast<int>(s) < static_cast<int>(cur))
      ps.state = StepState::Done;
    else if (s == cur)
      ps.state = p.paid.step == RenewalStep::Done ? StepState::Done : StepState::Running;
    if (ps.state == StepState::Running && p.timed == s) {
      ps.elapsed_s = static_cast<int>(std::max<Millis>(0, m.now - p.timed_since) / 1000);
      Millis usual = 0;
      for (std::size_t i = 0; i < kRenewalStepCount; ++i)
        if (progress_step(static_cast<RenewalStep>(i)) == s) usual += p.usual.usual[i];
      ps.usual_s = static_cast<int>((usual + 500) / 1000);
      if (usual > 0 && ps.usual_s == 0) ps.usual_s = 1;
    }
    v.steps.push_back(ps);
  }
  v.waiting_for_clock = p.waiting_until.has_value();
  v.reused_staged_key = p.paid.staged_key_reused;
  return v;
}

KeyPulledView key_pulled_view(const Model&, const phase::KeyPulled& p) {
  KeyPulledView v;
  v.other_key = p.other_key;
  v.mid_rollover = p.from == phase::KeyPulled::From::Progress;
  v.order_id = p.paid.order.id;
  return v;
}

SuccessView success_view(const Model&, const phase::Success& p) {
  SuccessView v;
  v.holder = p.paid.key.cert.holder;
  v.organisation = p.paid.key.cert.organisation;
  v.not_before = p.paid.new_not_before;
  v.not_after = p.paid.new_not_after;
  v.order_id = p.paid.order.id;
  return v;
}

FailureView failure_view(const Model&, const phase::Failure& p) {
  FailureView v;
  v.failure = p.failure;
  if (const auto* r = std::get_if<Paid>(&p.at)) {
    v.order_id = r->order.id;
    v.paid = paid(r->order);
  }
  return v;
}

// ---- the personal centre ----
LoginView login_view(const Model& m, const phase::Login& p) {
  LoginView v;
  const LoginForm& f = p.form;
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

AccountHomeView account_home_view(const Model&, const phase::AccountHome& p) {
  AccountHomeView v;
  const Account& a = p.centre.account;
  v.display_name = a.profile.real_name.empty() ? a.profile.username : a.profile.real_name;
  v.member_level = a.profile.member_level;
  v.must_change_password = a.must_change_password;
  return v;
}

MyBusinessView my_business_view(const Model&, const phase::MyBusiness& p) {
  MyBusinessView v;
  const PersonalCentre& pc = p.centre;
  for (const auto& b : pc.business) {
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
    r.resuming = pc.resuming && pc.resume_order_id == b.order_id;
    v.rows.push_back(std::move(r));
  }
  v.loading = pc.business_loading;
  v.error_key = pc.business_error_key;
  v.resuming = pc.resuming;
  v.resume_error_key = pc.resume_error_key;
  return v;
}

ProfileView profile_view(const Model& m, const phase::Profile& p) {
  ProfileView v;
  const ProfileForm& f = p.form;
  v.profile = p.centre.account.profile;
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

ChangePasswordView change_password_view(const Model&, const phase::ChangePassword& p) {
  ChangePasswordView v;
  const Account& a = p.centre.account;
  v.forced = a.must_change_password;
  v.saving = p.form.saving;
  v.saved = p.form.saved;
  v.problem_keys = p.form.problem_keys;
  v.phone = a.profile.phone;
  return v;
}

}  // namespace core
