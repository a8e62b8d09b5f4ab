#include "json_reader.hpp"

#include <utility>

#include "foundation/utf8.hpp"

namespace fleet::detail {

void fail(Refusal reason, std::string field, std::string detail) {
  throw Stop{Refused{reason, std::move(field), std::move(detail)}};
}

namespace {

// Thrown out of the parser's callback; the parser stops there instead of building the rest.
struct CallbackStop {
  std::string detail;
};

}  // namespace

json parse_strict(std::string_view text, std::size_t max_bytes, int max_depth) {
  if (text.size() > max_bytes)
    fail(Refusal::TooLarge, "",
         std::to_string(text.size()) + " bytes of JSON, at most " + std::to_string(max_bytes));
  std::vector<std::set<std::string>> keys;  // one set per open object
  auto check = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > max_depth) throw CallbackStop{"nested more than " + std::to_string(max_depth) + " deep"};
    switch (event) {
      case json::parse_event_t::object_start:
        keys.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case json::parse_event_t::key:
        if (!keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
          throw CallbackStop{"duplicate key \"" + parsed.get<std::string>() + "\""};
        break;
      default:
        break;
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), check, /*allow_exceptions=*/false);
  } catch (const CallbackStop& s) {
    malformed("", s.detail);
  }
  if (doc.is_discarded()) malformed("", "not valid JSON");
  return doc;
}

ObjectReader::ObjectReader(const json& value, std::string path) : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) malformed(path_, "must be a JSON object");
}

const json* ObjectReader::optional(std::string_view key) {
  seen_.emplace(key);
  auto it = value_.find(key);
  return it == value_.end() ? nullptr : &*it;
}

const json& ObjectReader::required(std::string_view key) {
  const json* v = optional(key);
  if (!v) malformed(path(key), "missing");
  return *v;
}

bool ObjectReader::has(std::string_view key) const {
  return value_.contains(key);
}

void ObjectReader::finish() const {
  for (const auto& [key, v] : value_.items())
    if (!seen_.contains(key)) malformed(path(key), "unknown key");
}

std::string ObjectReader::path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string index_path(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::int64_t read_int(const json& v, const std::string& field, std::int64_t lo, std::int64_t hi) {
  if (!v.is_number_integer()) malformed(field, "must be an integer");
  std::int64_t n = 0;
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi))
      out_of_range(field, std::to_string(u) + " is outside " + std::to_string(lo) + "–" + std::to_string(hi));
    n = static_cast<std::int64_t>(u);
  } else {
    n = v.get<std::int64_t>();
  }
  if (n < lo || n > hi)
    out_of_range(field, std::to_string(n) + " is outside " + std::to_string(lo) + "–" + std::to_string(hi));
  return n;
}

std::string read_string(const json& v, const std::string& field) {
  if (!v.is_string()) malformed(field, "must be a string");
  return v.get<std::string>();
}

bool read_bool(const json& v, const std::string& field) {
  if (!v.is_boolean()) malformed(field, "must be true or false");
  return v.get<bool>();
}

const json& read_array(const json& v, const std::string& field, std::size_t min_items,
                       std::size_t max_items) {
  if (!v.is_array()) malformed(field, "must be an array");
  if (v.size() < min_items || v.size() > max_items)
    out_of_range(field, std::to_string(v.size()) + " items, expected " + std::to_string(min_items) + "–" +
                            std::to_string(max_items));
  return v;
}

std::string read_id(const json& v, const std::string& field) {
  std::string s = read_string(v, field);
  bool ok = !s.empty() && s.size() <= 64;
  for (char c : s)
    ok = ok &&
         ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  if (!ok) out_of_range(field, "\"" + s + "\" is not an id (1–64 of A-Z a-z 0-9 _ -)");
  return s;
}

std::string read_text(const json& v, const std::string& field, std::size_t max_chars) {
  std::string s = read_string(v, field);
  if (!foundation::utf8_valid(s)) malformed(field, "not valid UTF-8");
  std::size_t chars = 0;
  bool control = false;
  foundation::for_each_codepoint(s, [&](char32_t c) {
    ++chars;
    if ((c < 0x20 && c != '\n') || (c >= 0x7F && c <= 0x9F)) control = true;
  });
  if (chars == 0 || chars > max_chars)
    out_of_range(field, std::to_string(chars) + " characters, expected 1–" + std::to_string(max_chars));
  if (control) out_of_range(field, "contains a control character");
  return s;
}

}  // namespace fleet::detail
