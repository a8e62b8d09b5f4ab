// The business that needs someone, and staff's actions on it (docs/staff.md, "Business that needs
// someone"): read from the journal, each action in its audit chain with the staff member who took it.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "foundation/utf8.hpp"
#include "runtime_impl.hpp"

namespace runtime {
namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// A note as the journal may keep it: every phone number masked (its middle four digits starred), also one
// written in groups ("138 1234 5678", "138-1234-5678") or run together with other digits, which the log's
// masking (whole runs of digits) would not see. Masking a number that only looks like a phone costs nothing.
std::string mask_note(std::string_view note) {
  std::string out(note);
  for (std::size_t i = 0; i < out.size();) {
    if (!digit(out[i])) {
      ++i;
      continue;
    }
    // A run of digits with single spaces or hyphens between them; where each digit is.
    std::vector<std::size_t> at;
    std::string digits;
    std::size_t end = i;
    while (end < out.size()) {
      if (digit(out[end])) {
        at.push_back(end);
        digits += out[end++];
      } else if ((out[end] == ' ' || out[end] == '-') && end + 1 < out.size() && digit(out[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    for (std::size_t k = 0; k + 11 <= digits.size(); ++k)
      if (domain::valid_phone(std::string_view(digits).substr(k, 11)))
        for (std::size_t m = k + 3; m < k + 7; ++m) out[at[m]] = '*';
    i = end;
  }
  return out;
}

std::size_t characters(std::string_view s) {
  std::size_t n = 0;
  foundation::for_each_codepoint(s, [&](char32_t) { ++n; });
  return n;
}

bool can_continue(const journal::Business& b) {
  // A paid renewal the customer's own flow finishes here (their KEY, their PIN); one with the counter
  // (needs_staff) is the counter's.
  return b.kind == "renewal" && b.counter_at == 0 &&
         (b.status == journal::Status::Paid || b.status == journal::Status::Issued ||
          b.status == journal::Status::Installed);
}

}  // namespace

std::vector<core::StaffBusiness> KioskRuntime::staff_business() {
  return impl_->journal->with([](journal::Journal& j) {
    std::vector<core::StaffBusiness> out;
    std::map<std::int64_t, journal::OutboxMessage> waiting;  // each business's oldest message not delivered
    if (auto messages = j.outbox(false))
      for (const auto& m : *messages) waiting.try_emplace(m.business_id, m);
    std::vector<journal::Business> list;
    if (auto open = j.unfinished_businesses()) list = std::move(*open);
    for (const auto& [id, m] : waiting)
      if (std::none_of(list.begin(), list.end(), [&](const auto& b) { return b.id == id; }))
        if (auto b = j.business(id)) list.push_back(std::move(*b));
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (const auto& b : list) {
      if (b.counter_at > 0) continue;  // handed to the counter: readable in the journal, no longer here
      core::StaffBusiness s;
      s.business_id = b.id;
      s.order_id = b.order_id;
      s.product_id = b.product_id;
      s.phone_masked = b.phone_masked;
      s.status = std::string(journal::to_string(b.status));
      s.stopped_at = b.last_step.empty() ? std::string() : b.last_step + " " + b.last_phase;
      s.why = b.needs_staff_reason;
      if (s.why.empty() && b.last_phase == "failed")
        if (auto steps = j.steps(b.id); steps && !steps->empty()) {
          const auto data = nlohmann::json::parse(steps->back().data, nullptr, false);
          if (data.is_object()) s.why = data.value("error", data.value("refused", std::string()));
        }
      s.since = b.updated_at;
      if (auto w = waiting.find(b.id); w != waiting.end()) {
        s.outbox_id = w->second.id;
        s.outbox_state = std::string(journal::to_string(w->second.state));
        s.outbox_error = w->second.last_error;
      }
      s.can_continue = can_continue(b);
      out.push_back(std::move(s));
    }
    return out;
  });
}

std::expected<StaffSendResult, std::string> KioskRuntime::staff_send_now(std::string_view actor,
                                                                         std::int64_t outbox_id) {
  auto found = impl_->journal->with([&](journal::Journal& j) { return j.outbox_message(outbox_id); });
  if (!found) return std::unexpected(std::string(found.error().message_key()));
  if (!*found) return std::unexpected(std::string("staff.error.no_message"));
  const journal::OutboxMessage m = **found;
  // Recorded before it is sent: the audit chain says who asked even when the send never returns.
  const std::string detail =
      nlohmann::json{{"outbox_id", m.id}, {"kind", m.kind}, {"order", m.order_id}}.dump();
  if (auto a = impl_->journal->with(
          [&](journal::Journal& j) { return j.staff_action(actor, "send_now", detail, m.business_id); });
      !a)
    return std::unexpected(std::string(a.error().message_key()));
  StaffSendResult r{m.id, std::string(journal::to_string(m.state)), m.last_error};
  if (m.state != journal::OutboxState::Pending) return r;  // delivered, or refused for good: never again
  const OutboxResult sent = impl_->outbox->deliver_business(m.business_id, m.id);
  r.state = std::string(journal::to_string(sent.state));
  r.error = sent.error ? sent.error->to_string() : std::string();
  if (sent.state != journal::OutboxState::Delivered && r.error.empty())
    if (auto now = impl_->journal->with([&](journal::Journal& j) { return j.outbox_message(m.id); });
        now && *now)
      r.error = (*now)->last_error;
  return r;
}

std::expected<void, std::string> KioskRuntime::staff_hand_to_counter(std::string_view actor,
                                                                     std::int64_t business_id,
                                                                     std::string_view note) {
  if (characters(note) > kCounterNoteMaxChars)
    return std::unexpected(std::string("staff.error.note_too_long"));
  const std::string masked = mask_note(note);
  auto r = impl_->journal->with(
      [&](journal::Journal& j) { return j.hand_to_counter(business_id, actor, masked); });
  if (r) return {};
  if (r.error().code == journal::ErrorCode::NotFound)
    return std::unexpected(std::string("staff.error.no_business"));
  return std::unexpected(std::string(r.error().message_key()));
}

std::expected<void, std::string> KioskRuntime::staff_audit(std::string_view actor, std::string_view action,
                                                           std::string_view detail_json) {
  auto r =
      impl_->journal->with([&](journal::Journal& j) { return j.staff_action(actor, action, detail_json); });
  if (!r) return std::unexpected(std::string(r.error().message_key()));
  return {};
}

}  // namespace runtime
