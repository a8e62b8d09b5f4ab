// The staff screens' views, read from their core phases (ui/staff_screens.hpp). Nothing is judged here:
// the core decided what each phase holds; these only gather what the screens show.
#include "core/view.hpp"
#include "ui/staff_screens.hpp"

namespace ui {

StaffSignInView staff_sign_in_view(const core::Model& m, const core::phase::StaffSignIn& p) {
  StaffSignInView v;
  v.by_code = p.by_code;
  v.name = p.key.name;
  v.refusal_key = p.by_code ? std::string() : p.key.refusal_key;
  v.locked = !p.by_code && p.key.pin.locked;
  v.error_key = p.error_key;
  v.detail = p.detail;
  v.flags = p.key.pin;
  v.verifying = p.verifying;
  v.wait_seconds_left = core::seconds_left(m.now, p.wait_until);
  return v;
}

MaintenanceView maintenance_view(const core::Model& m, const core::phase::Maintenance& p) {
  MaintenanceView v;
  v.staff_name = p.staff.name;
  v.by_key = p.staff.by_key;
  v.signed_in_at = p.staff.since;
  v.page = p.page;
  v.status = p.status;
  v.status_loading = p.status_loading;
  v.business = p.business;
  v.business_loading = p.business_loading;
  v.log = p.log;
  v.log_loading = p.log_loading;
  v.test = p.test;
  v.key_report = p.key_report;
  v.network = p.network;
  v.testing = p.testing;
  v.test_error_key = p.test_error_key;
  v.key_present = m.key.presence != core::KeyPresence::NoKey;
  v.busy = p.busy;
  v.last_action = p.last_action;
  v.last_ok = p.last_ok;
  v.result_key = p.result_key;
  v.result_detail = p.result_detail;
  for (std::size_t i = 0; i < core::kServiceSources; ++i) {
    const core::ServiceSource src = core::kAllServiceSources[i];
    ServiceSourceRow& row = v.sources[i];
    row.source = src;
    if (const auto& r = m.service.sources.of(src)) {
      row.set = true;
      row.reason_key = r->reason_key;
      row.reason_text = m.language == core::Language::En ? r->text_en : r->text_zh_cn;
      row.detail = r->detail;
    }
  }
  v.out_of_service = m.service.sources.out();
  if (const auto& r = m.service.sources.of(core::ServiceSource::Staff)) v.staff_reason_key = r->reason_key;
  return v;
}

HandoverView handover_view(const core::Model& m, const core::phase::Handover& p) {
  HandoverView v;
  v.order_id = p.order_id;
  v.resuming = p.resuming;
  v.error_key = p.error_key;
  v.staff_key_in = m.key.presence != core::KeyPresence::NoKey && m.staff_key && !m.staff_key->name.empty() &&
                   m.staff_key->token == m.key.identity;
  return v;
}

}  // namespace ui
