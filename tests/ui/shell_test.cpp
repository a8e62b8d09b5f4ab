// The shell's screens drawn in both languages and orientations, as the customer meets them.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "core/update.hpp"
#include "screen_states.hpp"
#include "ui/qr.hpp"
#include "ui/screens.hpp"
#include "ui_test_support.hpp"

namespace {

core::Model step(core::Model m, const core::Event& e) {
  return core::update(std::move(m), e).model;
}

void check_layouts(ui_test::UiHarness& h, const core::Model& m, const std::string& what) {
  for (const auto& p : ui_test::check_all_layouts(h, m)) FAIL_CHECK(what << ": " << p);
}

core::KeyStatus key(core::KeyPresence p) {
  core::KeyStatus k;
  k.presence = p;
  if (p == core::KeyPresence::Recognised) {
    k.brand_id = "haitai";
    k.brand_name = "海泰KEY";
    k.identity = {"Haitai", "HaiKey", "0001"};
  }
  return k;
}

}  // namespace

TEST_CASE("every shell screen passes the layout rules in both languages and orientations") {
  ui_test::UiHarness h;
  for (const auto& s : ui_test::home_states()) check_layouts(h, s.model, s.name);
  // Every screen at rest too (its phase with empty data), whatever its flow.
  for (const auto& row : ui::screen_rows())
    check_layouts(h, ui_test::model_on(row.screen), "screen " + std::string(row.title_key));
  core::Model idle = ui_test::model_on(core::Screen::Products);
  idle.idle_overlay = true;
  idle.idle_deadline = idle.now + 20'000;
  check_layouts(h, idle, "idle overlay");
  core::Model busy = ui_test::model_on(core::Screen::Progress);
  std::get<core::phase::Progress>(busy.flow).running = true;  // "请勿拔出KEY"
  check_layouts(h, busy, "do-not-remove banner");
  h.settle(busy);
  CHECK(h.widgets().find("chrome.do_not_remove"));
}

TEST_CASE("every screen is registered once, with a title, and some layout test draws it") {
  // The layout tests draw every state of ui_test::screen_states(): home's here, the renewal's in
  // ui_renewal_screens_test, the personal centre's in ui_account_screens_test.
  const auto rows = ui::screen_rows();
  REQUIRE(rows.size() == core::kScreenCount);
  std::map<core::Screen, int> drawn;
  for (const auto& s : ui_test::screen_states()) ++drawn[core::screen_of(s.model)];
  for (std::size_t i = 0; i < core::kScreenCount; ++i) {
    const auto screen = static_cast<core::Screen>(i);
    CAPTURE(core::screen_name(screen));
    CHECK(rows[i].screen == screen);
    CHECK(&ui::screen_row(screen) == &rows[i]);
    const bool draws = rows[i].draw != nullptr;
    CHECK(draws);
    CHECK(rows[i].title_key.starts_with("screen."));
    CHECK_MESSAGE(drawn[screen] > 0, "no layout test draws " << core::screen_name(screen));
  }
}

TEST_CASE("home: the two services, help, and the language switch keep the session and the screen") {
  ui_test::UiHarness h;
  core::Model m = ui_test::model_on(core::Screen::Home);
  h.settle(m);
  const auto session = m.session;
  auto e = h.tap(m, "chrome.lang.en");
  REQUIRE(e.size() == 1);
  m = step(m, e[0]);
  CHECK(m.language == core::Language::En);
  CHECK(m.session == session);
  h.settle(m);
  CHECK(h.widgets().find("home.renew")->text == "Renew certificate");
  // Tapping the language already chosen does nothing.
  CHECK(h.tap(m, "chrome.lang.en").empty());

  e = h.tap(m, "chrome.help");
  REQUIRE(e.size() == 1);
  m = step(m, e[0]);
  CHECK(core::screen_of(m) == core::Screen::Help);
  h.settle(m);
  m = step(m, h.tap(m, "chrome.back").at(0));
  CHECK(core::screen_of(m) == core::Screen::Home);
  h.settle(m);
  m = step(m, h.tap(m, "home.personal").at(0));
  CHECK(core::screen_of(m) == core::Screen::Login);
  h.settle(m);
  m = step(m, h.tap(m, "chrome.home").at(0));
  CHECK(core::screen_of(m) == core::Screen::Home);
  m.language = core::Language::En;  // leaving the personal centre wiped the session (and the language)
  h.settle(m);
  m = step(m, h.tap(m, "home.renew").at(0));
  CHECK(core::screen_of(m) == core::Screen::Products);
  CHECK(m.language == core::Language::En);
}

TEST_CASE("the key badge says what the token layer reports") {
  ui_test::UiHarness h;
  core::Model m = ui_test::model_on(core::Screen::Home);
  h.settle(m);
  CHECK(h.widgets().find("chrome.key_status")->text == "未插入KEY");
  m = step(m, core::KeyStatusChanged{key(core::KeyPresence::Recognised)});
  h.settle(m);
  CHECK(h.widgets().find("chrome.key_status")->text == "已识别：海泰KEY");
  m = step(m, core::KeyStatusChanged{key(core::KeyPresence::DriverMissing)});
  m.language = core::Language::En;
  h.settle(m);
  CHECK(h.widgets().find("chrome.key_status")->text == "KEY driver missing: ask staff");
  // Visible on every screen, not only home.
  m = step(m, core::HelpTapped{});
  h.settle(m);
  CHECK(h.widgets().find("chrome.key_status"));
}

TEST_CASE("the idle overlay sits over the screen: only 【继续】 acts, the screen below takes no tap") {
  ui_test::UiHarness h;
  core::Model m = ui_test::model_on(core::Screen::Home);
  m = step(m, core::RenewTapped{});
  m = step(m, core::Tick{m.now + 61'000, m.wall + 61});
  REQUIRE(m.idle_overlay);
  h.settle(m);
  const auto* sec = h.widgets().find("idle.seconds");
  REQUIRE(sec);
  CHECK(sec->text == "20");
  // The back button lies under the scrim.
  const auto* back = h.widgets().find("chrome.back");
  REQUIRE(back);
  CHECK(h.tap_at(m, back->rect.GetCenter()).empty());
  auto e = h.tap(m, "idle.continue");
  REQUIRE(e.size() == 1);
  CHECK(std::holds_alternative<core::ContinueTapped>(e[0]));
  m = step(m, e[0]);
  CHECK_FALSE(m.idle_overlay);
}

TEST_CASE("a new session gets new scratch: the help list starts at the top again") {
  ui_test::UiHarness h;
  core::Model m = ui_test::model_on(core::Screen::Help, core::Language::En);
  h.settle(m);
  const auto* list = h.widgets().find("help.list");
  REQUIRE(list);
  h.drag(m, list->rect.GetCenter(), ImVec2(0, -300));
  REQUIRE(h.shell().scratch());
  CHECK(h.shell().scratch()->help.list.scroll > 100.0f);
  // Marks in fields no screen of this session touched: a shell that renumbered the old scratch, or reset
  // only what the help screen uses, would keep them. Replaced means every field starts fresh.
  ui::SessionScratch* before = h.shell().scratch();
  before->pin.pin.value.assign("123456");
  before->pin.entries = 3;
  before->seed = 7;
  m.session += 1;  // what a wipe does
  h.settle(m);
  const ui::SessionScratch* after = h.shell().scratch();
  REQUIRE(after);
  CHECK(after->session == m.session);
  CHECK(after->help.list.scroll == 0.0f);
  CHECK(after->pin.pin.value.empty());
  CHECK(after->pin.entries == 0);
  CHECK(after->seed == 4242u);  // the harness's seed, asked for again for the new scratch
}

TEST_CASE("a key with no text is drawn as the key itself and reported") {
  ui_test::UiHarness h;
  auto draw = [](ui::Ctx& c) {
    ui::text_line(c, "test.line", c.tr("no.such_key"), ImRect(ImVec2(100, 100), ImVec2(900, 160)));
  };
  h.settle_with(draw);
  CHECK(h.widgets().find("test.line")->text == "no.such_key");
}

TEST_CASE("QR pixels: ECC M, a quiet zone of 4 modules, integer module size") {
  const std::string url = "weixin://wxpay/bizpayurl?pr=AbCdEfG12";
  auto modules = ui::qr_modules(url);
  REQUIRE(modules.has_value());
  CHECK(*modules == 29);  // a WeChat code_url is version 3 at ECC M: 29×29
  auto img = ui::qr_image(url, {.module_px = 8, .quiet_modules = 4});
  REQUIRE(img.has_value());
  CHECK(img->width == (29 + 8) * 8);
  auto px = [&](int x, int y) {
    return img->rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(img->width) +
                      static_cast<std::size_t>(x)) *
                     4];
  };
  for (int i = 0; i < 32; ++i) CHECK(px(i, i) == 0xFF);  // quiet zone: white
  CHECK(px(32, 32) == 0x00);                             // the finder pattern's corner: dark
  CHECK(px(32 + 7, 32 + 7) == 0x00);
  CHECK_FALSE(ui::qr_image("").has_value());
}

TEST_CASE("a QR texture is made once per URL and drawn as a registered image of whole modules") {
  ui_test::UiHarness h;
  const std::string url = "weixin://wxpay/bizpayurl?pr=AbCdEfG12";
  ui::Texture seen;
  auto draw = [&](ui::Ctx& c) {
    seen = ui::qr_texture(c, url, 8);
    ui::image(c, "payment.qr", seen, ui::centered(c.layout.content, ImVec2(static_cast<float>(seen.width),
                                                                               static_cast<float>(seen.height))));
  };
  h.settle_with(draw);
  REQUIRE(seen.valid());
  CHECK(seen.width == 37 * 8);
  const auto* w = h.widgets().find("payment.qr");
  REQUIRE(w);
  CHECK(w->rect.GetWidth() == doctest::Approx(296.0f));
  CHECK(w->rect.Min.x == std::floor(w->rect.Min.x));  // on whole pixels
  h.settle_with(draw);
  CHECK(h.textures().images_made == 1);  // encoded once for all those frames
  auto draw_empty = [&](ui::Ctx& c) { seen = ui::qr_texture(c, "", 8); };
  h.settle_with(draw_empty);
  CHECK_FALSE(seen.valid());
}
