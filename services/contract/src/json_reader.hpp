// The decoder's field reader: one JSON object read field by field, the first problem kept as "path.field:
// what". Internal to the contract library (json_decode.cpp).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "contract/json.hpp"
#include "foundation/base64.hpp"

namespace contract::detail {

// Reads one JSON object field by field; the first problem is kept in `why` as "path.field: what".
class Reader {
 public:
  Reader(const Json& j, std::string& why, std::string path = {}) : j_(j), why_(why), path_(std::move(path)) {
    if (!j_.is_object()) fail("", "must be an object");
  }

  [[nodiscard]] bool ok() const { return ok_; }

  void fail(std::string_view key, std::string_view what) {
    if (!ok_) return;
    ok_ = false;
    std::string name = path_;
    if (!key.empty()) name += name.empty() ? std::string(key) : "." + std::string(key);
    why_ = name.empty() ? std::string(what) : name + ": " + std::string(what);
  }

  // nullptr when absent or null (after recording the error if required).
  const Json* field(std::string_view key, bool required) {
    if (!ok_) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) {
      if (required) fail(key, "missing");
      return nullptr;
    }
    return &*it;
  }

  void str(std::string_view key, std::string& out, bool required = true, std::size_t max = kMaxStringBytes) {
    const Json* v = field(key, required);
    if (!v) return;
    if (!v->is_string()) return fail(key, "must be a string");
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max) return fail(key, "too long");
    out = s;
  }
  void opt_str(std::string_view key, std::optional<std::string>& out, std::size_t max = kMaxStringBytes) {
    if (!field(key, false)) {
      out.reset();
      return;
    }
    std::string s;
    str(key, s, true, max);
    if (ok_) out = std::move(s);
  }

  template <typename T>
  void integer(std::string_view key, T& out, std::int64_t min, std::int64_t max, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    std::int64_t n = 0;
    if (v->is_number_unsigned()) {
      auto u = v->get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return fail(key, "out of range");
      n = static_cast<std::int64_t>(u);
    } else if (v->is_number_integer()) {
      n = v->get<std::int64_t>();
    } else {
      return fail(key, "must be a whole number");
    }
    if (n < min || n > max) return fail(key, "out of range");
    out = static_cast<T>(n);
  }
  void opt_time(std::string_view key, std::optional<UnixTime>& out) {
    if (!field(key, false)) {
      out.reset();
      return;
    }
    UnixTime t = 0;
    integer(key, t, 0, kMaxTime);
    if (ok_) out = t;
  }
  void time(std::string_view key, UnixTime& out, bool required = true) {
    integer(key, out, 0, kMaxTime, required);
  }

  void boolean(std::string_view key, bool& out, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    if (!v->is_boolean()) return fail(key, "must be true or false");
    out = v->get<bool>();
  }

  void bytes(std::string_view key, Bytes& out, std::size_t min = 0, std::size_t max = kMaxStringBytes) {
    std::string s;
    str(key, s, true, max * 4 / 3 + 4);
    if (!ok_) return;
    auto b = foundation::base64_decode(s);
    if (!b) return fail(key, "must be base64");
    if (b->size() < min || b->size() > max) return fail(key, "wrong length");
    out = std::move(*b);
  }
  void opt_bytes(std::string_view key, std::optional<Bytes>& out) {
    if (!field(key, false)) {
      out.reset();
      return;
    }
    Bytes b;
    bytes(key, b);
    if (ok_) out = std::move(b);
  }

  template <typename E>
  void enumeration(std::string_view key, E& out, bool required = true) {
    std::string s;
    str(key, s, required, 64);
    if (!ok_ || s.empty()) return;
    if (!parse(s, out)) fail(key, "unknown value");
  }

  template <typename T>
  void object(std::string_view key, T& out, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    std::string inner;
    if (!decode(*v, out, inner)) fail(key, inner);
  }

  template <typename T>
  void list(std::string_view key, std::vector<T>& out, bool required = true) {
    const Json* v = field(key, required);
    if (!v) return;
    if (!v->is_array()) return fail(key, "must be a list");
    if (v->size() > kMaxListItems) return fail(key, "too many items");
    out.clear();
    out.reserve(v->size());
    for (std::size_t i = 0; i < v->size(); ++i) {
      T item{};
      std::string inner;
      if (!decode_item((*v)[i], item, inner))
        return fail(std::string(key) + "[" + std::to_string(i) + "]", inner);
      out.push_back(std::move(item));
    }
  }

  static constexpr UnixTime kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

 private:
  template <typename T>
  static bool decode_item(const Json& j, T& out, std::string& why) {
    if constexpr (std::is_same_v<T, int>) {
      if (!j.is_number_integer() || j.get<std::int64_t>() < 0 || j.get<std::int64_t>() > 100) {
        why = "must be a small whole number";
        return false;
      }
      out = j.get<int>();
      return true;
    } else if constexpr (std::is_same_v<T, Bytes>) {
      if (!j.is_string() || j.get_ref<const std::string&>().size() > kMaxStringBytes) {
        why = "must be a base64 string";
        return false;
      }
      auto b = foundation::base64_decode(j.get_ref<const std::string&>());
      if (!b) {
        why = "must be base64";
        return false;
      }
      out = std::move(*b);
      return true;
    } else {
      return decode(j, out, why);
    }
  }

  const Json& j_;
  std::string& why_;
  std::string path_;
  bool ok_ = true;
};

}  // namespace contract::detail
