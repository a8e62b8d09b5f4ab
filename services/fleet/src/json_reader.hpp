// Strict reading of the signed JSON the fleet library parses (the settings document, the root rotation
// document, the trust state). Readers throw Stop with the refusal naming the field; each public parse
// function catches it at its boundary and returns it as a value, so a reader returns its value plainly
// instead of an expected at every one of the hundred fields.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fleet/refusal.hpp"

namespace fleet::detail {

using json = nlohmann::json;

struct Stop {
  Refused refused;
};

[[noreturn]] void fail(Refusal reason, std::string field, std::string detail);
[[noreturn]] inline void malformed(std::string field, std::string detail) {
  fail(Refusal::MalformedJson, std::move(field), std::move(detail));
}
[[noreturn]] inline void out_of_range(std::string field, std::string detail) {
  fail(Refusal::SettingOutOfRange, std::move(field), std::move(detail));
}

// One JSON value: no trailing text, no duplicate keys (two verifiers reading the first or the last of a
// duplicate would see different documents), at most max_depth deep, at most max_bytes.
json parse_strict(std::string_view text, std::size_t max_bytes, int max_depth);

// A JSON object read key by key; keys never asked for are unknown, and finish() refuses the first of them
// (a misspelt key silently ignored is how a fleet ends up running on defaults).
class ObjectReader {
 public:
  ObjectReader(const json& value, std::string path);
  const json* optional(std::string_view key);
  const json& required(std::string_view key);
  [[nodiscard]] bool has(std::string_view key) const;
  void finish() const;
  [[nodiscard]] std::string path(std::string_view key) const;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  const json& value_;
  std::string path_;
  std::set<std::string, std::less<>> seen_;
};

std::string index_path(const std::string& path, std::size_t i);

// Integers only (60.0 and "60" are not 60), inside [lo, hi] or SettingOutOfRange.
std::int64_t read_int(const json& v, const std::string& field, std::int64_t lo, std::int64_t hi);
std::string read_string(const json& v, const std::string& field);
bool read_bool(const json& v, const std::string& field);
const json& read_array(const json& v, const std::string& field, std::size_t min_items, std::size_t max_items);
// An identifier: 1–64 of [A-Za-z0-9_-] (product, brand, family ids).
std::string read_id(const json& v, const std::string& field);
// Text shown to a customer: valid UTF-8, 1–max_chars code points, no control character but '\n'.
std::string read_text(const json& v, const std::string& field, std::size_t max_chars);

}  // namespace fleet::detail
