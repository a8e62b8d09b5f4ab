// dev: a simulated fleet for the console's tests and benchmark (POST /v1/dev/fleet/seed): kiosks across
// regions and halls, each made in one state the console must show (docs/fleet.md, "The console").
#include <cstdint>
#include <string>

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

constexpr const char* kRegions[] = {"XJ-North", "XJ-South", "XJ-East"};
constexpr int kHallsPerRegion = 3;
// Names that must show as text, never as markup.
constexpr const char* kHostileHall = "<script>alert(\"hall\")</script> 'quoted' & \"more\"";
constexpr const char* kLongHall =
    "乌鲁木齐市天山区人民路政务服务中心数字证书自助服务大厅第二分厅东侧靠近三号窗口的自助服务区域";
constexpr const char* kHostileKiosk = "K-\"<img src=x onerror=alert(1)>\"";

Json heartbeat(const std::string& software, int config, const Json& health, int outbox, const Json& oos) {
  return {{"software_version", software}, {"config_version", config}, {"health", health},
          {"outbox_pending", outbox},     {"out_of_service", oos},    {"clock_skew_s", 0}};
}

Json health_ok() {
  Json h = Json::array();
  for (const char* p : {"platform", "clock", "journal", "drivers"}) h.push_back({{"part", p}, {"status", "ok"}});
  return h;
}

}  // namespace

// {count 1..20000, seed}: replaces every simulated kiosk (ids "SIM-…" and the hostile ones). Answers the
// plan: each kiosk with the state it was made in (green, amber, red, grey) and whether it is silent.
Reply h_dev_fleet_seed(State& s, Ctx& c) {
  const Json& b = c.body;
  const int count = b.contains("count") && b["count"].is_number_integer() ? b["count"].get<int>() : 200;
  if (count < 1 || count > 20000) return error_reply(code::kBadRequest, "count: 1 to 20000");
  Rng rng{b.contains("seed") && b["seed"].is_number_unsigned() ? b["seed"].get<std::uint64_t>() | 1 : 7};
  const UnixTime now = c.now;
  s.db.exec("BEGIN IMMEDIATE");
  s.db.exec("DELETE FROM heartbeats WHERE kiosk_id LIKE 'SIM-%' OR kiosk_id LIKE 'K-\"%'");
  s.db.exec("DELETE FROM fleet_kiosks WHERE id LIKE 'SIM-%' OR id LIKE 'K-\"%'");
  Json plan = Json::array();
  for (int i = 0; i < count; ++i) {
    const int region = i % 3;
    const int hall_no = (i / 3) % kHallsPerRegion;
    std::string hall = "H" + std::to_string(region * kHallsPerRegion + hall_no + 1);
    if (i == 1) hall = kHostileHall;
    if (i == 2) hall = kLongHall;
    std::string id = "SIM-" + std::to_string(10000 + i);
    if (i == 4) id = kHostileKiosk;
    // The state each kiosk is made in: most green, then amber, red, silent, never heard, decommissioned.
    const int roll = i < 8 ? 0 : rng.below(100);
    std::string expect = "green";
    bool silent = false, heard = true, decommissioned = false;
    Json hb = heartbeat("0.9.2", 42, health_ok(), 0, Json::array());
    UnixTime at = now - 30 - rng.below(240);
    if (roll >= 70 && roll < 78) {  // amber: undelivered messages, a degraded part, older software, late
      expect = "amber";
      switch (roll % 4) {
        case 0: hb["outbox_pending"] = 1 + rng.below(3); break;
        case 1: hb["health"][1] = {{"part", "clock"}, {"status", "degraded"}, {"detail", "skew 4 min"}}; break;
        case 2: hb["software_version"] = "0.9.1"; hb["config_version"] = 41; break;
        default: at = now - 3600 - rng.below(7200); break;
      }
    } else if (roll >= 78 && roll < 84) {  // red: out of service, or a driver down
      expect = "red";
      if (roll % 2 == 0)
        hb["out_of_service"] = Json::array({{{"source", "automatic"}, {"reason_key", "service.reason.platform"}}});
      else
        hb["health"][3] = {{"part", "drivers"}, {"status", "down"}, {"detail", "libhtpkcs11.so does not load"}};
    } else if (roll >= 84 && roll < 92) {  // red: not heard from for over a day
      expect = "red";
      silent = true;
      at = now - 90000 - rng.below(200000);
    } else if (roll >= 92 && roll < 96) {  // red: enrolled, never heard from
      expect = "red";
      silent = true;
      heard = false;
    } else if (roll >= 96) {
      expect = "grey";
      decommissioned = true;
    }
    Stmt(s.db, "INSERT INTO fleet_kiosks VALUES(?,?,?,?,?)")
        .bind(id, hall, std::string(kRegions[region]), now - 86400 * 30,
              decommissioned ? std::optional<std::int64_t>(now - 86400) : std::nullopt)
        .run();
    if (heard) Stmt(s.db, "INSERT INTO heartbeats VALUES(?,?,?)").bind(id, at, hb.dump()).run();
    plan.push_back({{"kiosk_id", id}, {"hall", hall}, {"region", kRegions[region]}, {"expect", expect},
                    {"silent", silent}});
  }
  s.db.exec("COMMIT");
  return {200, {{"kiosks", std::move(plan)}}};
}

}  // namespace reference
