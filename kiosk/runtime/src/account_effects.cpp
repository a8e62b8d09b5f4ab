// The personal centre: login (password, SMS code, or both for a default password), 我的业务 (the
// platform's list merged with this kiosk's journal), the profile, the password, logout.
#include "domain/account.hpp"
#include "runtime_impl.hpp"

namespace runtime {

void KioskRuntime::Impl::account_login(const core::AccountLogin& e, std::uint64_t s) {
  auto password = take(e.password);
  auto code = take(e.code);
  const std::string kiosk_session = opt.config.kiosk_id + ":" + run_id + ":" + std::to_string(s);
  platform::Result<contract::Session> r;
  if (e.method == core::LoginMethod::Sms) {
    r = api().login_sms(e.phone, code ? code->reveal() : std::string_view{}, kiosk_session,
                        platform::new_idempotency_key());
  } else {
    std::optional<std::string_view> c;
    if (e.with_code && code) c = code->reveal();
    r = api().login_password(e.phone, password ? password->reveal() : std::string_view{}, c, kiosk_session,
                             platform::new_idempotency_key());
  }
  if (!r) {
    const auto& err = r.error();
    events.warning(err.to_string(), {.step = "account.login", .code = err.message_key});
    push(core::LoginFailed{s, err.message_key, err.retry_after_s.value_or(0),
                           err.is("account.sms_code_required")});
    return;
  }
  account_token.assign(r->token);
  events.info(domain::mask_phone(e.phone) + " logged in", {.step = "account.login"});
  core::Profile p;
  p.account_id = r->account_id;
  p.phone = e.phone;
  p.username = e.phone;
  if (!r->must_change_password)
    if (auto prof = api().profile(account_token.reveal())) p = to_core(*prof);
  push(core::LoggedIn{s, r->must_change_password, p});
}

void KioskRuntime::Impl::load_business(std::uint64_t s) {
  auto list = api().business(account_token.reveal());
  if (!list) {
    push(core::BusinessLoadFailed{s, list.error().message_key});
    return;
  }
  if (!catalog)
    if (auto c = api().catalog()) catalog = *c;
  std::vector<core::BusinessItem> items;
  for (const auto& o : list->orders) {
    core::BusinessItem it;
    it.order_id = o.id;
    it.product_id = o.product_id;
    if (catalog)
      if (const auto* p = catalog->product(o.product_id)) it.product_title = p->display_name;
    it.created_at = o.created_at;
    it.amount = o.amount_fen;
    it.years = o.years;
    it.status = to_core(o.status);
    it.can_continue = contract::is_unfinished(o.status);
    if (o.needs_staff_next_step) it.needs_staff_reason = *o.needs_staff_next_step;
    merge_journal(it);
    items.push_back(std::move(it));
  }
  push(core::BusinessLoaded{s, std::move(items)});
}

// 我的业务 is the platform's list merged with this kiosk's journal, which knows two things the platform
// may not: where an unfinished renewal begun here stopped (shown, so the customer and the counter know),
// and a paid renewal this kiosk sent to the counter while the platform could not be told (no 【继续操作】
// then: the counter handles it, as the customer is told).
void KioskRuntime::Impl::merge_journal(core::BusinessItem& it) {
  auto found = journal->by_order(it.order_id);
  if (!found) return;
  const journal::Business& b = *found;
  if (!it.can_continue) return;
  if (b.status == journal::Status::NeedsStaff) {
    it.status = core::OrderStatus::NeedsStaff;
    it.can_continue = false;
    return;
  }
  for (const auto& [step, name] : kRolloverStepNames)
    if (journaled(step) && b.last_step == name) it.stopped_at_key = "business.stopped." + b.last_step;
  if (it.stopped_at_key.empty() && b.status == journal::Status::Paid)
    it.stopped_at_key = "business.stopped.paid";  // paid here, the rollover not begun
}

void KioskRuntime::Impl::save_profile(const core::SaveProfile& e, std::uint64_t s) {
  contract::ProfileUpdate u;
  u.real_name = e.real_name;
  u.email = e.email;
  if (e.phone_changed) {
    auto code = take(e.code);
    auto v = api().sms_verify(e.phone, contract::SmsPurpose::ChangePhone,
                              code ? code->reveal() : std::string_view{}, platform::new_idempotency_key());
    if (!v) {
      events.warning(v.error().to_string(), {.step = "account.profile", .code = v.error().message_key});
      push(core::ProfileFailed{s, v.error().message_key});
      return;
    }
    u.new_phone = e.phone;
    u.phone_verification_token = v->verification_token;
  }
  auto p = api().profile_update(account_token.reveal(), u, platform::new_idempotency_key());
  if (!p) {
    events.warning(p.error().to_string(), {.step = "account.profile", .code = p.error().message_key});
    push(core::ProfileFailed{s, p.error().message_key});
    return;
  }
  events.info("profile saved", {.step = "account.profile"});
  push(core::ProfileSaved{s, to_core(*p)});
}

void KioskRuntime::Impl::change_password(const core::ChangePassword& e, std::uint64_t s) {
  auto current = take(e.current);
  auto next = take(e.next);
  if (!current || !next) {
    push(core::PasswordRejected{s, "password.error.current_empty"});
    return;
  }
  auto r = api().password_change(account_token.reveal(), current->reveal(), next->reveal(),
                                 platform::new_idempotency_key());
  if (!r) {
    events.warning(r.error().to_string(), {.step = "account.password", .code = r.error().message_key});
    push(core::PasswordRejected{s, r.error().message_key});
    return;
  }
  events.info("password changed", {.step = "account.password"});
  push(core::PasswordChanged{s});
}

void KioskRuntime::Impl::logout() {
  if (!account_token.empty()) (void)api().logout(account_token.reveal(), platform::new_idempotency_key());
  account_token.clear();
}

}  // namespace runtime
