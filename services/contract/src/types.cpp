#include "contract/types.hpp"

#include <array>
#include <utility>

namespace contract {
namespace {

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
  for (const auto& [e, n] : table)
    if (e == v) return n;
  return "unknown";
}
template <typename E, std::size_t N>
bool value_of(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s, E& out) {
  for (const auto& [e, n] : table)
    if (n == s) {
      out = e;
      return true;
    }
  return false;
}

constexpr std::array<std::pair<SmsPurpose, std::string_view>, 3> kSmsPurposes{{
    {SmsPurpose::Renewal, "renewal"},
    {SmsPurpose::Login, "login"},
    {SmsPurpose::ChangePhone, "change_phone"},
}};
constexpr std::array<std::pair<OrderStatus, std::string_view>, 8> kOrderStatuses{{
    {OrderStatus::PendingPayment, "pending_payment"},
    {OrderStatus::Paid, "paid"},
    {OrderStatus::Issued, "issued"},
    {OrderStatus::Installed, "installed"},
    {OrderStatus::Closed, "closed"},
    {OrderStatus::Expired, "expired"},
    {OrderStatus::NeedsStaff, "needs_staff"},
    {OrderStatus::RefundRequested, "refund_requested"},
}};

template <typename T>
const T* find_by_id(const std::vector<T>& v, std::string_view id) {
  for (const auto& x : v)
    if (x.id == id) return &x;
  return nullptr;
}

}  // namespace

std::string_view to_string(SmsPurpose v) {
  return name_of(kSmsPurposes, v);
}
std::string_view to_string(OrderStatus v) {
  return name_of(kOrderStatuses, v);
}
bool parse(std::string_view s, SmsPurpose& out) {
  return value_of(kSmsPurposes, s, out);
}
bool parse(std::string_view s, OrderStatus& out) {
  return value_of(kOrderStatuses, s, out);
}

bool is_unfinished(OrderStatus s) {
  return s == OrderStatus::Paid || s == OrderStatus::Issued;
}
bool is_paid_or_later(OrderStatus s) {
  return s == OrderStatus::Paid || s == OrderStatus::Issued || s == OrderStatus::Installed ||
         s == OrderStatus::NeedsStaff || s == OrderStatus::RefundRequested;
}

const Project* Catalog::project(std::string_view id) const {
  return find_by_id(projects, id);
}
const Brand* Catalog::brand(std::string_view id) const {
  return find_by_id(brands, id);
}
const Product* Catalog::product(std::string_view id) const {
  return find_by_id(products, id);
}

}  // namespace contract
