// The maintenance screen's pages, drawn headless: each page's taps give the intents the core expects, the
// touch test records hits and misses with their offsets, the screen test steps through its patterns, the
// log filters, the note for the counter, the service switches and the power dialog.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/update.hpp"
#include "staff_states.hpp"
#include "ui/qr.hpp"
#include "ui/screens.hpp"
#include "ui/staff_screens.hpp"
#include "ui_test_support.hpp"

namespace {

using ui_test::step;

core::Model named(const std::string& name) {
  for (const auto& s : ui_test::staff_states())
    if (s.name == name) return s.model;
  FAIL("no state " << name);
  return {};
}

using ui_test::find;

int count_prefix(const ui::WidgetRegistry& w, std::string_view prefix, std::string_view suffix) {
  int n = 0;
  for (const auto& x : w.all())
    if (x.key.starts_with(prefix) && x.key.ends_with(suffix)) ++n;
  return n;
}

void no_problems(ui_test::UiHarness& h, const core::Model& m, const std::string& what) {
  for (const auto& p : ui_test::check_all_layouts(h, m)) FAIL_CHECK(what << ": " << p);
}

}  // namespace

TEST_CASE(
    "the pages: a tap chooses one, 【刷新】 loads it again; status says the worst first, then each item") {
  ui_test::UiHarness h;
  core::Model m = named("maint-status-red");
  h.settle(m);
  CHECK(h.widgets().find("staff.status.overall")->text == "有故障");
  CHECK(h.widgets().find("staff.item.0.health")->text == "故障");
  CHECK(h.widgets().find("staff.item.0.label")->text == "证书服务平台");
  CHECK(h.widgets().find("staff.item.0.reason")->text == "连不上证书服务平台。请检查网线和网络，仍不行请联系CA技术支持。");
  CHECK(h.widgets().find("staff.item.1.health")->text == "注意");
  CHECK(h.widgets().find("staff.item.14.label")->text.starts_with("runtime."));  // shown as it came
  auto e = h.tap(m, "staff.refresh");
  REQUIRE(find<core::StaffRefreshTapped>(e));
  e = h.tap(m, "staff.page.business");
  const auto* page = find<core::StaffPageChosen>(e);
  REQUIRE(page);
  CHECK(page->page == core::MaintenancePage::Business);
  m.language = core::Language::En;
  h.settle(named("maint-status-green"));
  CHECK(h.widgets().find("staff.status.overall")->text == "运行正常");
  h.settle(named("maint-status-amber"));
  CHECK(h.widgets().find("staff.status.overall")->text == "需要关注");
}

TEST_CASE("business: 【立即发送】, 【继续办理】, and 【转人工窗口】 with a note for the counter") {
  ui_test::UiHarness h;
  core::Model m = named("maint-business-rows");
  h.settle(m);
  CHECK(h.widgets().find("staff.biz.0.order")->text == "业务号 R20261207-0041");
  CHECK(h.widgets().find("staff.biz.0.status")->text == "待人工处理");
  CHECK(h.widgets().find("staff.biz.0.outbox")->text.starts_with("平台拒收"));
  CHECK(h.widgets().find("staff.biz.2.handed"));
  CHECK_FALSE(h.widgets().find("staff.biz.counter.2"));  // already with the counter
  CHECK_FALSE(h.widgets().find("staff.biz.continue.0"));
  CHECK(h.widgets().find("staff.biz.0.meta")->text.find("138****5678") != std::string::npos);
  auto e = h.tap(m, "staff.biz.send.0");
  const auto* send = find<core::StaffSendNowTapped>(e);
  REQUIRE(send);
  CHECK(send->outbox_id == 9);
  e = h.tap(m, "staff.biz.continue.1");
  const auto* cont = find<core::StaffContinueTapped>(e);
  REQUIRE(cont);
  CHECK(cont->order_id == "R20261207-0042");

  // The note: a preset, then the editor in every language and orientation, then the hand-over.
  CHECK(h.tap(m, "staff.biz.counter.0").empty());
  h.settle(m);
  REQUIRE(h.widgets().find("staff.note.field"));
  CHECK(h.widgets().find("staff.note.title")->text == "转人工窗口：业务号 R20261207-0041");
  h.tap(m, "staff.note.preset.key_broken");
  no_problems(h, m, "note editor");
  h.settle(m);
  e = h.tap(m, "staff.note.confirm");
  const auto* counter = find<core::StaffCounterTapped>(e);
  REQUIRE(counter);
  CHECK(counter->business_id == 41);
  CHECK(counter->note == "KEY无法读取，需柜台检查");
  h.settle(m);
  CHECK(h.widgets().find("staff.business.list"));  // back to the list

  // While an action runs every action waits; its result shows, in red when it failed.
  m = named("maint-business-sending");
  h.settle(m);
  CHECK_FALSE(h.widgets().find("staff.biz.send.0")->enabled);
  CHECK(h.widgets().find("staff.busy"));
  h.settle(named("maint-business-send-failed"));
  CHECK(h.widgets().find("staff.result")->text.find("order.not_paid") != std::string::npos);
}

TEST_CASE("devices: the tests, the KEY reader's report, the QR at a payment code's size, the network") {
  ui_test::UiHarness h;
  core::Model m = named("maint-devices");
  h.settle(m);
  for (auto [key, test] : {std::pair{"staff.devices.touch", core::DeviceTest::Touch},
                           std::pair{"staff.devices.screen", core::DeviceTest::Screen},
                           std::pair{"staff.devices.key", core::DeviceTest::KeyReader},
                           std::pair{"staff.devices.qr", core::DeviceTest::Qr},
                           std::pair{"staff.devices.network", core::DeviceTest::Network}}) {
    const auto e = h.tap(m, key);
    const auto* chosen = find<core::DeviceTestChosen>(e);
    REQUIRE(chosen);
    CHECK(chosen->test == test);
  }
  h.settle(named("maint-devices-key-waiting"));
  CHECK(h.widgets().find("staff.key.insert"));
  m = named("maint-devices-key-report");
  h.settle(m);
  CHECK(h.widgets().find("staff.key.token.value")->text == "Feitian ePass3003 #2091A0C4D3");
  CHECK(h.widgets().find("staff.key.pin.value")->text == "已输错过");
  CHECK(h.widgets().find("staff.key.mechanisms.value")->text.find("CKM_SM4_ECB") != std::string::npos);
  CHECK(h.widgets().find("staff.key.cert.0.value")->text.find("张三") != std::string::npos);
  CHECK(h.widgets().find("staff.key.cert.1.value")->text.find("无私钥") != std::string::npos);
  const auto back = h.tap(m, "staff.devices.back");
  REQUIRE(find<core::DeviceTestChosen>(back));
  CHECK(find<core::DeviceTestChosen>(back)->test == core::DeviceTest::None);
  h.settle(named("maint-devices-key-error"));
  CHECK(h.widgets().find("staff.key.error"));

  m = named("maint-devices-qr");
  h.settle(m);
  const auto* qr = h.widgets().find("staff.qr.image");
  REQUIRE(qr);
  CHECK(ui::qr_modules(ui::kQrTestText).value() == 29);  // a payment code's size
  CHECK(std::fmod(qr->rect.GetWidth(), 37.0f) == 0.0f);  // whole modules, 29 + the quiet zone
  CHECK(qr->rect.GetWidth() / 37.0f >= 6.0f);
  CHECK(h.widgets().find("staff.qr.text")->text == ui::kQrTestText);

  m = named("maint-devices-network");
  h.settle(m);
  CHECK(h.widgets().find("staff.net.2.reason")->text.find("加密连接失败") != std::string::npos);
  const auto again = h.tap(m, "staff.network.again");
  REQUIRE(find<core::DeviceTestChosen>(again));
  CHECK(find<core::DeviceTestChosen>(again)->test == core::DeviceTest::Network);
}

TEST_CASE(
    "the touch test: targets over the whole screen, hits and misses with their offsets, then the outcome") {
  for (ImVec2 display : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    CAPTURE(display.x);
    ui_test::UiHarness h(display);
    core::Model m = named("maint-devices-touch");
    h.settle(m);
    const auto targets = ui::touch_targets(display);
    REQUIRE(targets.size() == 12);
    // Corners and edges are among them.
    CHECK(targets.front().x < 120.0f);
    CHECK(targets.front().y < 160.0f);
    CHECK(targets.back().x > display.x - 120.0f);
    CHECK(targets.back().y > display.y - 160.0f);
    REQUIRE(h.widgets().find("staff.touch.target.11"));
    for (const auto& p : h.problems()) FAIL_CHECK("touch test: " << p);
    // The screen below takes no tap: 【退出维护】 lies under the test.
    const auto* exit = h.widgets().find("chrome.staff_exit");
    REQUIRE(exit);
    std::vector<core::Event> got = h.tap_at(m, exit->rect.GetCenter());
    CHECK(got.empty());
    got.clear();
    // Ten taps on target, one 20 px off (still a hit), one 50 px off (a miss); a tap on the words counts
    // for nothing. (The tap on 【退出维护】 above was the first target's: it lies off every target.)
    h.settle(m);
    const float first =
        std::hypot(exit->rect.GetCenter().x - targets[0].x, exit->rect.GetCenter().y - targets[0].y);
    for (std::size_t i = 1; i < targets.size(); ++i) {
      ImVec2 p = targets[i];
      if (i == 3) p.x += 20.0f;
      if (i == 7) p.y -= 50.0f;
      if (i == 5) {
        const auto* words = h.widgets().find("staff.touch.intro");
        REQUIRE(words);
        CHECK(h.tap_at(m, words->rect.GetCenter()).empty());
      }
      for (auto& e : h.tap_at(m, p)) got.push_back(std::move(e));
    }
    const auto* done = find<core::TouchTestDone>(got);
    REQUIRE(done);
    CHECK(got.size() == 1);
    CHECK(done->targets == 12);
    CHECK(done->misses == (first > ui::kTouchHitRadius ? 2 : 1));
    CHECK(done->max_offset_px == doctest::Approx(std::max(first, 50.0f)));
    CHECK(done->mean_offset_px == doctest::Approx((first + 20.0f + 50.0f) / 12.0f));
    h.settle(m);
    CHECK(h.widgets().find("staff.touch.summary"));
    CHECK(h.widgets().find("staff.touch.verdict")->text.starts_with("有未点中"));
    for (const auto& p : h.problems()) FAIL_CHECK("touch result: " << p);
    // 【再测一次】 starts over; 【完成】 goes back to the tests.
    CHECK(h.tap(m, "staff.touch.again").empty());
    h.settle(m);
    CHECK(h.widgets().find("staff.touch.intro")->text == "请点击亮起的靶点（1/12）");
    const auto stop = h.tap(m, "staff.touch.stop");
    REQUIRE(find<core::DeviceTestChosen>(stop));
  }
}

TEST_CASE("the screen test: colour bars, full white, full black, then back to the tests") {
  ui_test::UiHarness h;
  core::Model m = named("maint-devices-screen");
  h.settle(m);
  REQUIRE(h.widgets().find("staff.screen.hint"));
  CHECK(h.tap_at(m, ImVec2(100, 1000)).empty());  // → white
  h.settle(m);
  CHECK_FALSE(h.widgets().find("staff.screen.hint"));
  CHECK(h.tap_at(m, ImVec2(960, 540)).empty());  // → black
  const auto e = h.tap_at(m, ImVec2(960, 540));  // → back
  REQUIRE(find<core::DeviceTestChosen>(e));
  CHECK(find<core::DeviceTestChosen>(e)->test == core::DeviceTest::None);
  // 【结束检测】 on the bars ends it at once.
  h.settle(m);
  REQUIRE(h.widgets().find("staff.screen.stop"));
  CHECK(find<core::DeviceTestChosen>(h.tap(m, "staff.screen.stop")));
}

TEST_CASE("log: newest first, filtered by level and by business number (typed or chosen); 导出诊断包") {
  ui_test::UiHarness h;
  core::Model m = named("maint-log");
  h.settle(m);
  CHECK(count_prefix(h.widgets(), "staff.log.", ".message") == 7);
  CHECK(h.widgets().find("staff.log.0.message")->text == "step install failed: CKR_DEVICE_MEMORY");
  h.tap(m, "staff.log.level.warning");
  h.settle(m);
  CHECK(count_prefix(h.widgets(), "staff.log.", ".message") == 3);
  h.tap(m, "staff.log.level.error");
  h.settle(m);
  CHECK(count_prefix(h.widgets(), "staff.log.", ".message") == 1);
  h.tap(m, "staff.log.level.all");
  // Chosen among the numbers the lines name.
  h.tap(m, "staff.log.business.field");
  h.settle(m);
  REQUIRE(h.widgets().find("staff.log.pick.0"));
  no_problems(h, m, "choosing a business number");
  h.settle(m);
  h.tap(m, "staff.log.pick.0");
  h.settle(m);
  CHECK(count_prefix(h.widgets(), "staff.log.", ".message") == 2);
  // Typed: a part of the number is enough.
  h.tap(m, "staff.log.business.clear");
  h.tap(m, "staff.log.business.field");
  for (const char* k : {"staff.log.kb.d0", "staff.log.kb.d0", "staff.log.kb.d4", "staff.log.kb.d2"})
    h.tap(m, k);
  h.tap(m, "staff.log.business.done");
  h.settle(m);
  CHECK(count_prefix(h.widgets(), "staff.log.", ".message") == 1);
  const auto e = h.tap(m, "staff.log.export");
  REQUIRE(find<core::StaffDiagnosticsTapped>(e));
  h.settle(named("maint-log-exported"));
  CHECK(h.widgets().find("staff.result")->text.find("DIAG-20261207-0042") != std::string::npos);
}

TEST_CASE(
    "service: out of service with a reason from the list and back, sync, and the power actions asked first") {
  ui_test::UiHarness h;
  core::Model m = named("maint-service-in");
  h.settle(m);
  CHECK(h.widgets().find("staff.service.state")->text == "本机正在服务");
  CHECK_FALSE(h.widgets().find("staff.service.in")->enabled);
  h.tap(m, "staff.service.reason.network");
  auto e = h.tap(m, "staff.service.out");
  const auto* out = find<core::StaffServiceOutTapped>(e);
  REQUIRE(out);
  CHECK(out->reason_key == "service.reason.staff.network");
  m = step(m, *out);
  h.settle(m);
  CHECK(h.widgets().find("staff.service.state")->text == "本机已暂停服务");
  CHECK(h.widgets().find("staff.source.staff.reason")->text ==
        "暂停服务：本机的网络正在检修。");
  CHECK(h.widgets().find("staff.result")->text.starts_with("已暂停服务"));
  CHECK_FALSE(h.widgets().find("staff.service.out")->enabled);  // the same reason again: nothing to change
  e = h.tap(m, "staff.service.in");
  REQUIRE(find<core::StaffServiceInTapped>(e));
  CHECK(find<core::StaffSyncTapped>(h.tap(m, "staff.service.sync")));
  for (auto [key, action] : {std::pair{"staff.service.restart_app", core::PowerAction::RestartApp},
                             std::pair{"staff.service.reboot", core::PowerAction::Reboot},
                             std::pair{"staff.service.power_off", core::PowerAction::PowerOff}}) {
    const auto p = h.tap(m, key);
    REQUIRE(find<core::StaffPowerTapped>(p));
    CHECK(find<core::StaffPowerTapped>(p)->action == action);
  }
  // The question, over the page: 【确定】 goes on, 【取消】 does not.
  m = named("maint-service-reboot-dialog");
  h.settle(m);
  CHECK(h.widgets().find("dialog.title")->text == "重启终端");
  CHECK(find<core::DialogDismissed>(h.tap(m, "dialog.cancel")));
  CHECK(find<core::DialogConfirmed>(h.tap(m, "dialog.ok")));
  h.settle(named("maint-service-power-off-dialog"));
  CHECK(h.widgets().find("dialog.title")->text == "关机");
  // Every source at once, each with its reason.
  h.settle(named("maint-service-every-source"));
  CHECK(h.widgets().find("staff.source.fleet.reason")->text == "本厅今日进行系统升级，暂停自助服务。");
  CHECK(h.widgets().find("staff.source.hours.reason")->text == "暂停服务：现在不是本机的服务时间。");
  CHECK(h.widgets().find("staff.source.automatic.detail"));
}
