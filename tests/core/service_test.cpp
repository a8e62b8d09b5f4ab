// In service or not (core/service.hpp): the sources, each setting and clearing only its own, the precedence
// of their reasons, the platform check's hysteresis, the checks as events, and the start events refused
// while out of service — the customer already on the way taken home, a paid renewal left alone.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/messages.hpp"
#include "core/service.hpp"
#include "driver.hpp"

using namespace core_test;

namespace {

OutOfServiceReason why(std::string key) {
  OutOfServiceReason r;
  r.reason_key = std::move(key);
  return r;
}

CheckResult ok(Check c) {
  return {c, CheckState::Ok, ""};
}
CheckResult failing(Check c, std::string detail = "down") {
  return {c, CheckState::Failing, std::move(detail)};
}
CheckResult unknown(Check c) {
  return {c, CheckState::Unknown, ""};
}

// Every check passing, with the platform's result as given.
ServiceChecked round(CheckState platform) {
  return ServiceChecked{
      {{Check::Platform, platform, ""}, ok(Check::Clock), ok(Check::Journal), ok(Check::Drivers)}};
}

}  // namespace

TEST_CASE(
    "the out-of-service sources: each sets and clears only its own; the first set in precedence shows") {
  struct Op {
    bool set;
    ServiceSource source;
  };
  struct Row {
    const char* what;
    std::vector<Op> ops;
    std::optional<ServiceSource> shown;           // nullopt: in service
    std::array<bool, kServiceSources> set_after;  // staff, fleet, hours, automatic
  };
  using S = ServiceSource;
  const std::vector<Row> rows{
      {"nothing set: in service", {}, std::nullopt, {false, false, false, false}},
      {"automatic alone", {{true, S::Automatic}}, S::Automatic, {false, false, false, true}},
      {"staff over automatic",
       {{true, S::Automatic}, {true, S::Staff}},
       S::Staff,
       {true, false, false, true}},
      {"staff clears its own: automatic stays and shows",
       {{true, S::Automatic}, {true, S::Staff}, {false, S::Staff}},
       S::Automatic,
       {false, false, false, true}},
      {"automatic clears its own: staff's stays",
       {{true, S::Staff}, {true, S::Automatic}, {false, S::Automatic}},
       S::Staff,
       {true, false, false, false}},
      {"fleet over hours over automatic",
       {{true, S::Automatic}, {true, S::Hours}, {true, S::Fleet}},
       S::Fleet,
       {false, true, true, true}},
      {"hours over automatic",
       {{true, S::Hours}, {true, S::Automatic}},
       S::Hours,
       {false, false, true, true}},
      {"clearing a source that is not set changes nothing",
       {{true, S::Fleet}, {false, S::Staff}, {false, S::Hours}, {false, S::Automatic}},
       S::Fleet,
       {false, true, false, false}},
      {"every source set, then cleared one by one in another order",
       {{true, S::Staff},
        {true, S::Fleet},
        {true, S::Hours},
        {true, S::Automatic},
        {false, S::Fleet},
        {false, S::Staff},
        {false, S::Automatic},
        {false, S::Hours}},
       std::nullopt,
       {false, false, false, false}},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    OutOfService o;
    for (const auto& op : row.ops) {
      if (op.set)
        o.set(op.source, why("service.reason." + std::string(to_string(op.source))));
      else
        o.clear(op.source);
    }
    CHECK(o.out() == row.shown.has_value());
    CHECK(o.shown() == row.shown);
    if (row.shown) {
      REQUIRE(o.reason());
      CHECK(o.reason()->reason_key == "service.reason." + std::string(to_string(*row.shown)));
    } else {
      CHECK(o.reason() == nullptr);
    }
    for (std::size_t i = 0; i < kServiceSources; ++i) {
      CAPTURE(to_string(kAllServiceSources[i]));
      CHECK(o.of(kAllServiceSources[i]).has_value() == row.set_after[i]);
    }
  }
}

TEST_CASE("a source's new reason replaces only its own") {
  OutOfService o;
  o.set(ServiceSource::Fleet, why("service.reason.other"));
  o.set(ServiceSource::Automatic, why(std::string(msg::kServiceReasonPlatform)));
  o.set(ServiceSource::Automatic, why(std::string(msg::kServiceReasonClock)));
  CHECK(o.of(ServiceSource::Automatic)->reason_key == msg::kServiceReasonClock);
  CHECK(o.of(ServiceSource::Fleet)->reason_key == "service.reason.other");
  CHECK(o.reason()->reason_key == "service.reason.other");
}

TEST_CASE("hysteresis: one failure does not go out, N in a row do; M successes in a row come back") {
  struct Row {
    const char* what;
    int out_after, back_after;
    std::string observations;  // 'x' failed, 'o' passed
    std::string down_after;    // down after each observation: '1' or '0'
  };
  const std::vector<Row> rows{
      {"one lost answer", 3, 2, "oxoo", "0000"},
      {"two, then an answer", 3, 2, "xxoxx", "00000"},
      {"three in a row go out", 3, 2, "xxx", "001"},
      {"one success does not come back", 3, 2, "xxxox", "00111"},
      {"two successes in a row do", 3, 2, "xxxoo", "00110"},
      {"a failure between successes starts the count again", 3, 2, "xxxoxoo", "0011110"},
      {"out and back, twice", 2, 1, "xxoxxo", "010010"},
      {"N = M = 1 follows every answer", 1, 1, "xoxo", "1010"},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    Hysteresis h;
    std::string got;
    for (char o : row.observations) {
      const bool before = h.down;
      const bool changed = h.observe(o == 'o', row.out_after, row.back_after);
      CHECK(changed == (h.down != before));
      got += h.down ? '1' : '0';
    }
    CHECK(got == row.down_after);
  }
}

TEST_CASE("the checks as events: the platform through its hysteresis, the others at once; Unknown keeps") {
  Driver d;
  d.send(round(CheckState::Failing));
  d.send(round(CheckState::Failing));
  CHECK_FALSE(d.m.service.sources.out());  // two of three
  CHECK_FALSE(service_view(d.m).out);
  CHECK(d.effect<ServiceChanged>() == nullptr);
  d.send(round(CheckState::Failing));
  REQUIRE(d.m.service.sources.shown() == ServiceSource::Automatic);
  CHECK(d.m.service.sources.reason()->reason_key == msg::kServiceReasonPlatform);
  REQUIRE(d.effect<ServiceChanged>());  // the runtime hears it (its log, the heartbeat)
  CHECK(d.effect<ServiceChanged>()->sources.out());
  const auto v = service_view(d.m);
  CHECK(v.out);
  CHECK(v.reason_key == msg::kServiceReasonPlatform);
  CHECK(v.next_key == msg::kServiceNext);

  // Unknown (the platform's when a TLS failure was the clock's) changes nothing; neither does a repeat.
  d.send(ServiceChecked{{unknown(Check::Platform), unknown(Check::Clock)}});
  CHECK(d.m.service.platform.down);
  CHECK(d.effect<ServiceChanged>() == nullptr);

  // The clock goes wrong too: it shows first, both are named for staff.
  d.send(ServiceChecked{{failing(Check::Platform), failing(Check::Clock, "skew 400 s")}});
  CHECK(d.m.service.sources.reason()->reason_key == msg::kServiceReasonClock);
  CHECK(d.m.service.sources.reason()->detail == "clock, platform");
  CHECK(d.m.service.checks[1].detail == "skew 400 s");

  d.send(round(CheckState::Ok));
  CHECK(d.m.service.sources.out());  // the clock is fine again, the platform needs two in a row
  CHECK(d.m.service.sources.reason()->reason_key == msg::kServiceReasonPlatform);
  d.send(round(CheckState::Ok));
  CHECK_FALSE(d.m.service.sources.out());
  REQUIRE(d.effect<ServiceChanged>());
  CHECK_FALSE(d.effect<ServiceChanged>()->sources.out());

  // The journal and the drivers take it out at the first failure (a disk does not flap).
  d.send(ServiceChecked{{failing(Check::Journal, "12 MiB free")}});
  CHECK(d.m.service.sources.reason()->reason_key == msg::kServiceReasonJournal);
  d.send(ServiceChecked{{ok(Check::Journal), failing(Check::Drivers, "haitai: module missing")}});
  CHECK(d.m.service.sources.reason()->reason_key == msg::kServiceReasonDrivers);
  d.send(ServiceChecked{{ok(Check::Drivers)}});
  CHECK_FALSE(d.m.service.sources.out());
}

TEST_CASE("staff, fleet and hours by their events; the automatic source is the checks' alone") {
  Driver d;
  d.send(ServiceSourceSet{ServiceSource::Automatic, why("service.reason.staff")});
  CHECK_FALSE(d.m.service.sources.out());
  d.send(ServiceSourceSet{ServiceSource::Staff, why(std::string(msg::kServiceReasonStaff))});
  CHECK(d.m.service.sources.shown() == ServiceSource::Staff);
  for (int i = 0; i < 3; ++i) d.send(round(CheckState::Failing));
  d.send(ServiceSourceCleared{ServiceSource::Automatic});  // ignored: only the checks clear it
  CHECK(d.m.service.sources.of(ServiceSource::Automatic).has_value());
  d.send(ServiceSourceCleared{ServiceSource::Staff});
  CHECK(d.m.service.sources.shown() == ServiceSource::Automatic);

  // A fleet's own words, in the customer's language.
  OutOfServiceReason fleet;
  fleet.text_zh_cn = "本厅今日盘点，暂停服务";
  fleet.text_en = "The hall is closed for stocktaking today";
  d.send(ServiceSourceSet{ServiceSource::Fleet, fleet});
  auto v = service_view(d.m);
  CHECK(v.reason_key == msg::kServiceReasonOther);
  CHECK(v.reason_text == "本厅今日盘点，暂停服务");
  d.send(LanguageChosen{Language::En});
  CHECK(service_view(d.m).reason_text == "The hall is closed for stocktaking today");
}

TEST_CASE("out of service: no business starts; the customer on the way goes home; a paid one goes on") {
  Driver d;
  auto go_out = [&] {
    d.send(ServiceSourceSet{ServiceSource::Staff, why(std::string(msg::kServiceReasonStaff))});
  };
  go_out();
  d.send(RenewTapped{});
  CHECK(d.screen() == Screen::Home);
  CHECK(d.fx.empty());
  d.send(PersonalCentreTapped{});
  CHECK(d.screen() == Screen::Home);
  CHECK(d.fx.empty());
  d.send(ServiceSourceCleared{ServiceSource::Staff});
  d.send(RenewTapped{});
  CHECK(d.screen() == Screen::Products);  // recovered by itself: the same tap works again

  // Products: 【开始续费】 refused, home says why.
  d.send(ProductChosen{"gov-haitai-renew"});
  go_out();
  const auto session = d.m.session;
  d.send(StartRenewalTapped{});
  CHECK(d.screen() == Screen::Home);
  CHECK(d.m.session == session + 1);
  CHECK(d.effect<ReadKey>() == nullptr);
  CHECK(d.effect<WipeSession>());

  // The order list: 【提交】 refused before any order exists.
  d.send(ServiceSourceCleared{ServiceSource::Staff});
  d.to_order_list("feitian");
  go_out();
  d.send(SubmitOrderTapped{});
  CHECK(d.screen() == Screen::Home);
  CHECK(d.count_all<CreateOrder>() == 0);

  // A paid renewal is not interrupted: its steps go on, its result is taken.
  d.send(ServiceSourceCleared{ServiceSource::Staff});
  d.to_key_details_free();
  go_out();
  d.confirm_and_roll_over();
  CHECK(d.screen() == Screen::Success);
  // And elsewhere the start events mean what they always meant (nothing): no wipe on the success screen.
  const auto before = d.m;
  d.send(RenewTapped{});
  d.send(StartRenewalTapped{});
  CHECK(d.m == before);
}
