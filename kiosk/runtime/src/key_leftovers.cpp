#include "key_leftovers.hpp"

#include "runtime/key_report.hpp"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "foundation/hex.hpp"
#include "foundation/utf8.hpp"
#include "step_journal.hpp"

namespace runtime {
namespace {

using Json = nlohmann::json;

Json to_json(const token::ObjectPrint& p) {
  Json o{{"kind", std::string(token::to_string(p.kind))}};
  if (!p.key_type.empty()) o["key_type"] = p.key_type;
  if (!p.id.empty()) o["id"] = foundation::hex_encode(p.id);
  // The JSON library refuses bytes that are not UTF-8; a label is a token's bytes.
  if (foundation::utf8_valid(p.label))
    o["label"] = p.label;
  else
    o["label_hex"] =
        foundation::hex_encode(reinterpret_cast<const std::uint8_t*>(p.label.data()), p.label.size());
  if (!p.value_sha256.empty()) o["value"] = p.value_sha256;
  if (p.local) o["local"] = *p.local;
  if (p.sensitive) o["sensitive"] = *p.sensitive;
  return o;
}

std::optional<token::ObjectPrint> from_json(const Json& o) {
  if (!o.is_object() || !o.contains("kind") || !o["kind"].is_string()) return std::nullopt;
  auto kind = token::object_kind_from_string(o["kind"].get<std::string>());
  if (!kind) return std::nullopt;
  token::ObjectPrint p;
  p.kind = *kind;
  auto text = [&](const char* k) {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  p.key_type = text("key_type");
  if (auto id = foundation::hex_decode(text("id"))) p.id = *id;
  p.label = text("label");
  if (auto raw = foundation::hex_decode(text("label_hex")); raw && !raw->empty())
    p.label.assign(raw->begin(), raw->end());
  p.value_sha256 = text("value");
  if (o.contains("local") && o["local"].is_boolean()) p.local = o["local"].get<bool>();
  if (o.contains("sensitive") && o["sensitive"].is_boolean()) p.sensitive = o["sensitive"].get<bool>();
  return p;
}

Json list_json(const std::vector<token::ObjectPrint>& list) {
  Json a = Json::array();
  for (const auto& p : list) a.push_back(to_json(p));
  return a;
}

std::vector<token::ObjectPrint> list_from(const Json& a) {
  std::vector<token::ObjectPrint> out;
  if (!a.is_array()) return out;
  for (const auto& o : a)
    if (auto p = from_json(o)) out.push_back(std::move(*p));
  return out;
}

Json parse(std::string_view text) {
  return Json::parse(text.begin(), text.end(), nullptr, false);
}

}  // namespace

std::string before_json(const std::vector<token::ObjectPrint>& before) {
  return Json{{"before", list_json(before)}}.dump();
}

std::optional<std::vector<token::ObjectPrint>> recorded_before(const std::vector<journal::Step>& steps) {
  for (const auto& s : steps) {
    if (s.name != step_name(core::RenewalStep::StageKey) || s.phase != "intent") continue;
    Json d = parse(s.data);
    if (d.is_object() && d.contains("before") && d["before"].is_array()) return list_from(d["before"]);
  }
  return std::nullopt;
}

bool creation_interrupted(const std::vector<journal::Step>& steps) {
  for (core::RenewalStep step : {core::RenewalStep::StageKey, core::RenewalStep::Install}) {
    int begun = 0, finished = 0;
    for (const auto& s : steps) {
      if (s.name != step_name(step)) continue;
      if (s.phase == "intent") ++begun;
      if (s.phase == "done") ++finished;
    }
    if (begun > finished) return true;
  }
  return false;
}

std::string merge_report(std::string_view kept, const token::LeftoverReport& now) {
  std::vector<token::ObjectPrint> removed;
  if (Json k = parse(kept); k.is_object() && k.contains("removed")) removed = list_from(k["removed"]);
  removed.insert(removed.end(), now.removed.begin(), now.removed.end());
  return Json{{"removed", list_json(removed)}, {"left", list_json(now.left)}}.dump();
}

std::vector<std::string> report_lines(std::string_view kept) {
  std::vector<std::string> out;
  Json k = parse(kept);
  if (!k.is_object()) return out;
  const auto removed = k.contains("removed") ? list_from(k["removed"]) : std::vector<token::ObjectPrint>{};
  const auto left = k.contains("left") ? list_from(k["left"]) : std::vector<token::ObjectPrint>{};
  if (!removed.empty())
    out.push_back(
        fmt::format("removed from the key ({}), left by this renewal's interrupted key generation or "
                    "certificate write:",
                    removed.size()));
  for (const auto& p : removed) out.push_back("  - " + p.describe());
  if (!left.empty())
    out.push_back(
        fmt::format("new on the key since the renewal began, not provably the renewal's, left alone ({}); "
                    "check them with the customer before anything is deleted:",
                    left.size()));
  for (const auto& p : left) out.push_back("  - " + p.describe());
  return out;
}

std::vector<std::string> key_report_lines(journal::Journal& journal, std::int64_t business) {
  auto kept = journal.get(business, StepJournal::key(Datum::KeyLeftovers));
  if (!kept || !*kept) return {};
  return report_lines(**kept);
}

}  // namespace runtime
