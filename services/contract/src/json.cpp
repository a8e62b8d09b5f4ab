#include "contract/json.hpp"

#include <cstdint>
#include <limits>

namespace contract {
namespace {

// Nesting depth of JSON text, outside strings. Cheap, and keeps a hostile "[[[[" away from the parser.
bool depth_ok(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return false;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    }
  }
  return true;
}

}  // namespace

bool parse_json_text(std::string_view text, Json& out, std::string& why) {
  if (text.empty()) {
    why = "empty body";
    return false;
  }
  if (!depth_ok(text)) {
    why = "nested too deeply";
    return false;
  }
  out = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (out.is_discarded()) {
    why = "not valid JSON";
    return false;
  }
  return true;
}

bool is_code_shaped(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  return true;
}

}  // namespace contract
