// dev: a simulated fleet for the console's test and benchmark (POST /v1/dev/fleet/seed, docs/console.md):
// kiosks across regions and halls, each made in one state the console must show, with a day of heartbeat
// history, a cohort rollout of the configuration, and names that must show as text, never as markup.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

// A small deterministic generator: the same seed makes the same fleet.
struct Rng {
  std::uint64_t x;
  std::uint64_t next() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
};

constexpr const char* kRegions[] = {"XJ-North 北疆", "XJ-South 南疆", "XJ-East 东疆"};
constexpr int kRegionCount = 3;
constexpr const char* kHostileHall = "<script>alert(\"hall\")</script> 'quoted' & \"more\"";
constexpr const char* kLongHall =
    "乌鲁木齐市天山区人民路政务服务中心数字证书自助服务大厅第二分厅东侧靠近三号窗口的自助服务区域"
    "（夜间服务时段请走北门，节假日另行通知，详情请咨询现场工作人员或拨打服务热线）";
constexpr const char* kHostileKiosk = "SIM-\"<img src=x onerror=alert(1)>\"";
constexpr UnixTime kBeatS = 300;  // the simulated kiosks' heartbeat interval

Json health(const char* clock = "ok", const char* drivers = "ok", const char* detail = "") {
  Json h = Json::array();
  h.push_back({{"part", "platform"}, {"status", "ok"}});
  h.push_back({{"part", "clock"}, {"status", clock}});
  h.push_back({{"part", "journal"}, {"status", "ok"}});
  h.push_back({{"part", "drivers"}, {"status", drivers}});
  if (*detail) h[std::string_view(clock) != "ok" ? 1 : 3]["detail"] = detail;
  return h;
}

// What one simulated kiosk is: its last heartbeat, when, and what the console must make of it.
struct Sim {
  Json hb;
  UnixTime at = 0;
  std::string expect = "green";
  bool silent = false, heard = true, decommissioned = false;
};

Sim simulate(int i, int roll, bool cohort, Rng& rng, UnixTime now) {
  Sim k;
  k.hb = {{"software_version", "0.9.2"}, {"config_version", cohort ? 43 : 42},
          {"config_state", "applied"},   {"health", health()},
          {"clock_skew_s", 0},           {"outbox_pending", 0},
          {"pending_business", 0},       {"out_of_service", Json::array()}};
  k.at = now - 20 - rng.below(static_cast<int>(kBeatS - 40));
  if (i < 8) roll = 0;  // the hostile names stay green: the test finds them in the overview
  if (roll >= 62 && roll < 78) {
    k.expect = "amber";
    switch (roll % 8) {
      case 0:
        k.hb["outbox_pending"] = 1 + rng.below(3);
        break;
      case 1:
        k.hb["health"] = health("unknown", "ok", "no answer from the platform yet");
        break;
      case 2:
        k.hb["software_version"] = "0.9.1";
        k.hb["config_version"] = 41;
        break;
      case 3:
        k.at = now - 3600 - rng.below(7200);
        break;
      case 4:
        k.hb["config_state"] = "waiting";
        k.hb["config_version"] = 42;
        break;
      case 5:
        k.hb["config_state"] = "rolled_back";
        k.hb["config_state_detail"] = "health window: platform unreachable with the new settings";
        k.hb["config_version"] = 42;
        break;
      case 6:
        k.hb["pending_business"] = 1 + rng.below(2);
        break;
      default:
        k.hb["clock_skew_s"] = 420;
        break;
    }
  } else if (roll >= 78 && roll < 84) {
    k.expect = "red";
    if (roll % 2 == 0)
      k.hb["out_of_service"] = Json::array({{{"source", "automatic"},
                                             {"reason_key", "service.reason.platform"},
                                             {"detail", "platform: down"}}});
    else
      k.hb["health"] = health("ok", "down", "libhtpkcs11.so does not load");
  } else if (roll >= 84 && roll < 92) {
    k.expect = "red";
    k.silent = true;
    k.at = now - 90000 - rng.below(200000);
  } else if (roll >= 92 && roll < 96) {
    k.expect = "red";
    k.silent = true;
    k.heard = false;
  } else if (roll >= 96) {
    k.expect = "grey";
    k.decommissioned = true;
  }
  return k;
}

}  // namespace

// {count 1..20000, seed}: replaces every simulated kiosk (ids "SIM-…") and the hall counts. Answers the
// plan: each kiosk with the state it was made in (green, amber, red, grey) and whether it is silent.
Reply h_dev_fleet_seed(State& s, Ctx& c) {
  const Json& b = c.body;
  const int count = b.contains("count") && b["count"].is_number_integer() ? b["count"].get<int>() : 200;
  if (count < 1 || count > 20000) return error_reply(code::kBadRequest, "count: 1 to 20000");
  Rng rng{b.contains("seed") && b["seed"].is_number_unsigned() ? b["seed"].get<std::uint64_t>() | 1 : 7};
  const UnixTime now = c.now;
  const int halls_per_region = std::max(3, count / 600);
  // Each kiosk's recent heartbeats go through record_heartbeat (its detail and configuration history);
  // the rest of its day only into the hall counts.
  const int recorded = count > 2000 ? 3 : 8;
  std::map<std::pair<std::string, UnixTime>, std::int64_t> hours;
  s.db.exec("BEGIN IMMEDIATE");
  s.db.exec("DELETE FROM heartbeats WHERE kiosk_id LIKE 'SIM-%'");
  s.db.exec("DELETE FROM heartbeat_log WHERE kiosk_id LIKE 'SIM-%'");
  s.db.exec("DELETE FROM config_events WHERE kiosk_id LIKE 'SIM-%'");
  s.db.exec("DELETE FROM fleet_kiosks WHERE id LIKE 'SIM-%'");
  s.db.exec("DELETE FROM heartbeat_hours");
  Json plan = Json::array();
  for (int i = 0; i < count; ++i) {
    const int region = i % kRegionCount;
    const int hall_no = (i / kRegionCount) % halls_per_region;
    std::string hall = "H" + std::to_string(region * halls_per_region + hall_no + 1);
    if (i == 1) hall = kHostileHall;
    if (i == 2) hall = kLongHall;
    char num[16];
    std::snprintf(num, sizeof num, "%05d", i);
    const std::string id = i == 4 ? std::string(kHostileKiosk) : "SIM-" + std::string(num);
    const bool cohort = foundation::sha256(id)[0] < 77;  // the rollout's cohort: ~30 % by a hash of the id
    Sim k = simulate(i, rng.below(100), cohort, rng, now);
    Stmt(s.db, "INSERT INTO fleet_kiosks VALUES(?,?,?,?,?)")
        .bind(id, hall, std::string(kRegions[region]), now - 86400 * 30,
              k.decommissioned ? std::optional<std::int64_t>(now - 86400) : std::nullopt)
        .run();
    if (k.heard) {
      // A day of heartbeats every kBeatS up to the last; the configuration moved to 43 for the cohort
      // an hour and a half ago.
      const int beats =
          std::max(recorded, static_cast<int>(std::min<UnixTime>(86400, k.at - (now - 86400)) / kBeatS) + 1);
      for (int n = beats - 1; n >= 0; --n) {
        const UnixTime at = k.at - n * kBeatS;
        // Hall H2 lost its network from five to three hours ago: a gap in its chart.
        if (hall == "H2" && at > now - 5 * 3600 && at < now - 3 * 3600 && n >= recorded) continue;
        if (n >= recorded) {
          ++hours[{hall, at - at % 3600}];
          continue;
        }
        Json hb = k.hb;
        if (cohort && at < now - 5400 && hb["config_version"] == 43) hb["config_version"] = 42;
        if (hb["config_state"] != "applied" && n > 1) hb["config_state"] = "applied";
        s.record_heartbeat(id, at, hb);
      }
    }
    plan.push_back({{"kiosk_id", id},
                    {"hall", hall},
                    {"region", kRegions[region]},
                    {"expect", k.expect},
                    {"silent", k.silent},
                    {"config_version", k.heard ? k.hb["config_version"] : Json()}});
  }
  for (const auto& [key, n] : hours) s.count_heartbeats(key.first, key.second, n);
  s.db.exec("COMMIT");
  if (s.db.failed()) {
    const std::string why = s.db.error();
    s.db.reset_failure();
    s.db.exec("ROLLBACK");
    s.db.reset_failure();
    return error_reply(code::kInternal, why);
  }
  return {200, {{"now", now}, {"kiosks", std::move(plan)}}};
}

}  // namespace reference
