#include "staffchan/protocol.hpp"

#include <algorithm>

namespace staffchan {

PeerVerdict judge_peer(uid_t peer_uid, std::span<const gid_t> peer_groups, uid_t own_uid,
                       std::optional<gid_t> staff_gid) {
  if (peer_uid == 0) return PeerVerdict::Root;
  if (peer_uid == own_uid) return PeerVerdict::Owner;
  if (staff_gid && std::find(peer_groups.begin(), peer_groups.end(), *staff_gid) != peer_groups.end())
    return PeerVerdict::StaffGroup;
  return PeerVerdict::Refused;
}

std::string_view to_string(PeerVerdict v) {
  switch (v) {
    case PeerVerdict::Root:
      return "root";
    case PeerVerdict::Owner:
      return "owner";
    case PeerVerdict::StaffGroup:
      return "staff group";
    case PeerVerdict::Refused:
      return "refused";
  }
  return "refused";
}

Json refusal(std::string_view key, std::string_view detail) {
  return {{"ok", false}, {"error", key}, {"detail", detail}};
}

Json to_json(const core::StatusItem& i) {
  return {{"id", i.id},       {"health", core::to_string(i.health)}, {"label_key", i.label_key},
          {"value", i.value}, {"reason_key", i.reason_key},          {"detail", i.detail}};
}

Json to_json(const core::StaffBusiness& b) {
  return {{"business_id", b.business_id},
          {"order_id", b.order_id},
          {"product_id", b.product_id},
          {"phone_masked", b.phone_masked},
          {"status", b.status},
          {"stopped_at", b.stopped_at},
          {"why", b.why},
          {"since", b.since},
          {"outbox_id", b.outbox_id},
          {"outbox_state", b.outbox_state},
          {"outbox_error", b.outbox_error},
          {"can_continue", b.can_continue},
          {"handed_to_counter", b.handed_to_counter}};
}

Json to_json(const core::OutOfService& s) {
  Json out = Json::array();
  for (core::ServiceSource src : core::kAllServiceSources)
    if (const auto& r = s.of(src))
      out.push_back({{"source", core::to_string(src)}, {"reason_key", r->reason_key}, {"detail", r->detail}});
  return out;
}

core::StatusItem status_item_from(const Json& j) {
  core::StatusItem i;
  if (!j.is_object()) return i;
  i.id = j.value("id", "");
  const std::string h = j.value("health", "red");
  i.health = h == "green" ? core::Health::Green : h == "amber" ? core::Health::Amber : core::Health::Red;
  i.label_key = j.value("label_key", "");
  i.value = j.value("value", "");
  i.reason_key = j.value("reason_key", "");
  i.detail = j.value("detail", "");
  return i;
}

core::StaffBusiness business_from(const Json& j) {
  core::StaffBusiness b;
  if (!j.is_object()) return b;
  b.business_id = j.value("business_id", std::int64_t{0});
  b.order_id = j.value("order_id", "");
  b.product_id = j.value("product_id", "");
  b.phone_masked = j.value("phone_masked", "");
  b.status = j.value("status", "");
  b.stopped_at = j.value("stopped_at", "");
  b.why = j.value("why", "");
  b.since = j.value("since", std::int64_t{0});
  b.outbox_id = j.value("outbox_id", std::int64_t{0});
  b.outbox_state = j.value("outbox_state", "");
  b.outbox_error = j.value("outbox_error", "");
  b.can_continue = j.value("can_continue", false);
  b.handed_to_counter = j.value("handed_to_counter", false);
  return b;
}

}  // namespace staffchan
