// The language files: both parse, both have every key, and every key anything in the kiosk produces.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "contract/codes.hpp"
#include "core/messages.hpp"
#include "journal/journal.hpp"
#include "power/logind.hpp"
#include "runtime/device_tests.hpp"
#include "runtime/staff_desk.hpp"
#include "screen_states.hpp"
#include "staffchan/protocol.hpp"
#include "token/error.hpp"
#include "ui/i18n.hpp"
#include "ui/screens.hpp"
#include "ui_test_support.hpp"

namespace {

struct KeyList {
  std::string source;
  std::vector<std::string> keys;
};

// The keys of the layers below the screens: the core's, the token layer's, the platform's, the journal's.
// A layer whose errors reach the customer adds its list here.
std::vector<KeyList> producer_keys() {
  std::vector<KeyList> lists;
  KeyList core_keys{"core::msg::all_keys()", {}};
  for (auto k : core::msg::all_keys()) core_keys.keys.emplace_back(k);
  lists.push_back(std::move(core_keys));
  // Keys the core puts in view-models as defaults (core/view.hpp).
  lists.push_back({"core view-model defaults", {"order.method.wechat"}});
  // The token layer's errors (docs/token.md, "Errors"): every ErrorCode's key.
  KeyList token_keys{"token::message_key()", {}};
  for (int i = 0; i <= static_cast<int>(token::ErrorCode::DeviceError); ++i)
    token_keys.keys.emplace_back(token::message_key(static_cast<token::ErrorCode>(i)));
  token_keys.keys.emplace_back("error.token.device");  // the runtime's name for an unknown step's failure
  token_keys.keys.emplace_back("error.token.pin_missing");  // a login with no PIN handed over (runtime.hpp)
  lists.push_back(std::move(token_keys));
  // The platform's: every machine code (error.platform.<code>) and the client's own (the personal centre
  // shows them as they come; so does the renewal).
  KeyList platform_keys{"contract::all_codes() and contract::key", {}};
  for (const auto& c : contract::all_codes()) platform_keys.keys.push_back(contract::message_key_for(c.code));
  for (auto k : {contract::key::kOffline, contract::key::kTimeout, contract::key::kTls, contract::key::kMalformed,
                 contract::key::kServerError, contract::key::kHttp, contract::key::kConfig})
    platform_keys.keys.emplace_back(k);
  lists.push_back(std::move(platform_keys));
  // The journal's (the runtime passes them on when it cannot record a step).
  KeyList journal_keys{"journal::Error::message_key()", {}};
  for (auto code : {journal::ErrorCode::CannotOpen, journal::ErrorCode::Corrupt, journal::ErrorCode::TooNew,
                    journal::ErrorCode::Io, journal::ErrorCode::NotFound, journal::ErrorCode::Chain})
    journal_keys.keys.emplace_back(journal::Error{code, 0, {}}.message_key());
  lists.push_back(std::move(journal_keys));
  // The maintenance screens' device tests and the terminal's power (staff read them; docs/staff.md).
  KeyList network_keys{"runtime::network_test_keys()", {}};
  for (auto k : runtime::network_test_keys()) network_keys.keys.emplace_back(k);
  lists.push_back(std::move(network_keys));
  KeyList power_keys{"power::message_key()", {}};
  for (auto code : {power::ErrorCode::NoBus, power::ErrorCode::Refused, power::ErrorCode::NotAllowed,
                    power::ErrorCode::Failed})
    power_keys.keys.emplace_back(power::message_key(code));
  lists.push_back(std::move(power_keys));
  // What the runtime shows hall staff (runtime/staff_desk.hpp): the status items' labels and reasons, the
  // actions' errors, and the customer's words for each reason staff take the kiosk out of service.
  KeyList staff_keys{"runtime/staff_desk.hpp", {}};
  for (const auto& list : {std::span<const std::string_view>(runtime::kStaffStatusLabelKeys),
                           std::span<const std::string_view>(runtime::kStaffReasonKeys),
                           std::span<const std::string_view>(runtime::kStaffErrorKeys)})
    for (auto k : list) staff_keys.keys.emplace_back(k);
  for (auto r : runtime::kStaffServiceReasons)
    staff_keys.keys.push_back("service.reason.staff." + std::string(r));
  for (auto k : staffchan::kChannelKeys)
    staff_keys.keys.emplace_back(k);  // the local staff channel's refusals
  lists.push_back(std::move(staff_keys));
  return lists;
}

// Every list of message keys a language file must cover: each screen's row (its title and the keys it
// draws), the shell's shared pieces, and the layers below.
std::vector<KeyList> required_keys() {
  std::vector<KeyList> lists;
  for (const auto& row : ui::screen_rows()) {
    KeyList l{"the row of core::Screen::" + std::string(core::screen_name(row.screen)),
              {std::string(row.title_key)}};
    for (auto k : row.keys) l.keys.emplace_back(k);
    lists.push_back(std::move(l));
  }
  lists.push_back({"ui::shell_keys()", ui::shell_keys()});
  for (auto& l : producer_keys()) lists.push_back(std::move(l));
  return lists;
}

}  // namespace

TEST_CASE("both languages parse and hold the same keys, file by file") {
  const ui::I18n i18n = ui_test::load_i18n();
  const auto zh = i18n.of(core::Language::ZhCN).keys();
  const auto en = i18n.of(core::Language::En).keys();
  CHECK(zh.size() > 50);
  const std::set<std::string> zs(zh.begin(), zh.end());
  const std::set<std::string> es(en.begin(), en.end());
  for (const auto& k : zs) CHECK_MESSAGE(es.count(k), "no en text for " << k);
  for (const auto& k : es) CHECK_MESSAGE(zs.count(k), "no zh-CN text for " << k);
  // Each part (zh-CN.json / en.json, account.zh-CN.json / account.en.json, ...) comes in both languages
  // with the same keys, so a key is found where its area keeps it.
  std::map<std::string, std::set<std::string>> parts[2];
  int li = 0;
  for (core::Language l : ui::kLanguages) {
    for (const auto& name : ui_test::language_files(l)) {
      auto bytes = ui_test::read_bytes(ui_test::source_assets() + "/i18n/" + name);
      auto s = ui::Strings::parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      REQUIRE_MESSAGE(s.has_value(), name << " does not parse");
      auto keys = s->keys();
      parts[li][ui::language_file_part(name)] = std::set<std::string>(keys.begin(), keys.end());
    }
    ++li;
  }
  CHECK(parts[0].count(""));     // the base files
  CHECK(parts[0].size() >= 2);  // and at least one area's
  for (const auto& [part, keys] : parts[0]) {
    const std::string name = part.empty() ? std::string("the base file") : part;
    REQUIRE_MESSAGE(parts[1].count(part), name << " has no en file");
    CHECK_MESSAGE(keys == parts[1][part], name << ": zh-CN and en hold different keys");
  }
  for (const auto& [part, keys] : parts[1]) CHECK_MESSAGE(parts[0].count(part), part << " has no zh-CN file");
}

TEST_CASE("language files by name, merged per language; a key in two files is refused") {
  CHECK(ui::language_of_file("zh-CN.json") == core::Language::ZhCN);
  CHECK(ui::language_of_file("account.zh-CN.json") == core::Language::ZhCN);
  CHECK(ui::language_of_file("account.en.json") == core::Language::En);
  CHECK_FALSE(ui::language_of_file("account.fr.json").has_value());
  CHECK_FALSE(ui::language_of_file("zh-CN.txt").has_value());
  CHECK(ui::language_file_part("account.en.json") == "account");
  CHECK(ui::language_file_part("en.json").empty());
  auto ok = ui::Strings::parse_files({{"en.json", R"({"a.b": "x"})"}, {"account.en.json", R"({"c.d": "y"})"}});
  REQUIRE(ok.has_value());
  CHECK(ok->text("a.b") == "x");
  CHECK(ok->text("c.d") == "y");
  auto dup = ui::Strings::parse_files({{"en.json", R"({"a.b": "x"})"}, {"account.en.json", R"({"a.b": "y"})"}});
  REQUIRE_FALSE(dup.has_value());
  REQUIRE(dup.error().size() == 1);
  CHECK(dup.error()[0] == "account.en.json: a.b is also in en.json (each key lives in one file)");
  auto bad = ui::Strings::parse_files({{"en.json", R"({"a.b": "x"})"}, {"account.en.json", R"({"e.f": 1})"}});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error() == std::vector<std::string>{"account.en.json: e.f: must be a string"});
}

TEST_CASE("every key a screen's row, the shell and the layers below declare has text in both languages") {
  const ui::I18n i18n = ui_test::load_i18n();
  for (const auto& list : required_keys())
    for (const auto& key : list.keys)
      for (core::Language l : ui::kLanguages)
        CHECK_MESSAGE(i18n.of(l).contains(key),
                      ui::language_code(l) << ".json has no " << key << " (from " << list.source << ")");
}

TEST_CASE("a text uses the same {placeholders} in both languages") {
  const ui::I18n i18n = ui_test::load_i18n();
  for (const auto& key : i18n.of(core::Language::ZhCN).keys()) {
    const auto* en = i18n.of(core::Language::En).find(key);
    if (!en) continue;
    CHECK_MESSAGE(ui::placeholders(i18n.of(core::Language::ZhCN).text(key)) == ui::placeholders(*en), key);
  }
}

TEST_CASE("a bad language file is refused with every problem named") {
  auto r = ui::Strings::parse(
      R"({"home.renew": 5, "Bad Key": "x", "a.b": "cut##here", "c.d": "{open", "e.f": "ok"})");
  REQUIRE_FALSE(r.has_value());
  const auto& errors = r.error();
  CHECK(errors.size() == 4);
  std::string all;
  for (const auto& e : errors) all += e + "\n";
  CHECK(all.find("home.renew: must be a string") != std::string::npos);
  CHECK(all.find("Bad Key") != std::string::npos);
  CHECK(all.find("a.b") != std::string::npos);
  CHECK(all.find("c.d") != std::string::npos);
  CHECK_FALSE(ui::Strings::parse("[1, 2]").has_value());
  CHECK_FALSE(ui::Strings::parse("{not json").has_value());
}

TEST_CASE("text by key, with placeholders, and labels with stable IDs") {
  auto s = ui::Strings::parse(R"({"idle.body": "{seconds} 秒后返回", "key.recognised": "已识别：{brand}"})");
  REQUIRE(s.has_value());
  CHECK(ui::format(s->text("idle.body"), {{"seconds", "20"}}) == "20 秒后返回");
  CHECK(ui::format(s->text("key.recognised"), {{"brand", "海泰KEY"}}) == "已识别：海泰KEY");
  CHECK(ui::format("{a} {b}", {{"a", "1"}}) == "1 {b}");
  CHECK(s->text("no.such_key") == "no.such_key");  // shown as itself, never blank
  CHECK(ui::label_id("证书续费", "home.renew") == "证书续费###home.renew");
  CHECK(ui::placeholders("{b} and {a}") == std::vector<std::string>{"a", "b"});
  CHECK(ui::valid_key("home.renew.hint"));
  CHECK_FALSE(ui::valid_key("home"));
  CHECK_FALSE(ui::valid_key("Home.renew"));
  CHECK_FALSE(ui::valid_key("home..renew"));
}

TEST_CASE(
    "a screen draws no key that neither its row, the shell's shared pieces nor the layers below declare") {
  std::set<std::string, std::less<>> shared;
  for (auto& k : ui::shell_keys()) shared.insert(std::move(k));
  for (const auto& l : producer_keys()) shared.insert(l.keys.begin(), l.keys.end());
  ui_test::UiHarness h;
  std::map<core::Screen, int> checked;
  for (const auto& s : ui_test::screen_states()) {
    const ui::ScreenRow& row = ui::screen_row(core::screen_of(s.model));
    std::set<std::string, std::less<>> declared(row.keys.begin(), row.keys.end());
    declared.emplace(row.title_key);
    for (core::Language l : ui::kLanguages) {
      std::vector<std::string> seen;
      ui::SessionScratch scratch(s.model.session, 1);
      auto draw = [&](ui::Ctx& c) {
        c.keys_seen = &seen;
        row.draw(s.model, scratch, c);
        c.keys_seen = nullptr;
      };
      h.frame_with(draw, l);
      h.frame_with(draw, l);
      CHECK_MESSAGE(!seen.empty(), s.name << " drew no text");
      for (const auto& k : seen)
        CHECK_MESSAGE((declared.contains(k) || shared.contains(k)),
                      s.name << ": " << k << " is drawn by " << core::screen_name(row.screen)
                             << " but its row does not declare it");
    }
    ++checked[row.screen];
  }
  CHECK(checked.size() == core::kScreenCount);
}
