// The demo's world as ca-kiosk sees it (`ca-kiosk --demo`): what runs around the kiosk on this machine —
// the reference platform in-process on loopback with a throwaway PKI, a SoftHSM "customer key" behind the
// fault module — and the demo panel's actions (marked 演示 on screen). Implemented in libkiosk_demo.so
// (kiosk/demo/src/world.cpp), which ca-kiosk loads only with --demo, so a production kiosk never links the
// reference platform. Standard library only: ca-kiosk's side includes nothing else of the demo.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace demo {

enum class KeyKind { Paid, Free };  // 飞天诚信KEY, RSA-2048, ¥300/year | 海泰KEY, EC P-256, ¥0

// A seeded world (`ca-kiosk --demo --demo-seed N`): the platform's ids (order numbers, serials, payment
// links, SMS codes) come from the seed, and its clock stands still at this time (2026-03-02 09:30 Beijing
// time) but for advance_platform_clock(); the customer's certificates are dated from it. The kiosk's own
// clocks start there too (kiosk/app), so every screen of a walk-through is the same from run to run.
inline constexpr std::int64_t kSeededStart = 1772415000;

class Controls {
 public:
  virtual ~Controls() = default;

  // The kiosk configuration (JSON) for the real runtime: this platform, the brands behind the fault module.
  [[nodiscard]] virtual std::filesystem::path config_path() const = 0;

  // The newest SMS in the platform's outbox as "phone code", empty when none ("the customer's phone").
  virtual std::string latest_sms() = 0;
  // The newest code sent to `phone` (harness verb type-code).
  virtual std::expected<std::string, std::string> code_for(const std::string& phone) = 0;
  // 【模拟扫码支付】: pays the open order of the key's certificate (dev pay). The error says why not
  // (no open order, expired, already paid).
  virtual std::expected<void, std::string> pay() = 0;

  // 【拔出/插入 KEY】 through the fault module.
  [[nodiscard]] virtual bool key_inserted() const = 0;
  virtual void set_key_inserted(bool inserted) = 0;
  // The reader has one port: 【插入员工KEY】 puts the hall's staff KEY (王芳, PIN 123456, valid for this
  // kiosk's hall under the platform's dev staff CA) in it instead of the customer's; pulling it leaves the
  // port empty. set_key_inserted(true) puts the customer's key back.
  [[nodiscard]] virtual bool staff_key_inserted() const = 0;
  virtual void set_staff_key_inserted(bool inserted) = 0;
  // Fault-module rules under the key's identity (e.g. "pull C_GenerateKeyPair 1 after"); "" clears them.
  virtual void set_key_faults(const std::string& rules) = 0;

  // A fresh customer key: the token re-initialised, a pair of the kind's algorithm generated on it and a
  // certificate of 内蒙古自治区政府采购中心 / 张三 from the platform's issuing CA, expiring in 20 days. The
  // key is pulled meanwhile and inserted again at the end.
  virtual std::expected<void, std::string> new_key(KeyKind kind) = 0;
  [[nodiscard]] virtual KeyKind key_kind() const = 0;

  // The platform's orders for the current key's certificate, oldest first: (order id, status as in the
  // contract: pending_payment, paid, issued, installed, closed, expired, needs_staff, ...). Tests.
  virtual std::vector<std::pair<std::string, std::string>> orders() = 0;
  // The platform's clock moved forward by `seconds` (orders expire by it); 0 puts it back to real time
  // (to kSeededStart in a seeded world).
  virtual std::expected<void, std::string> advance_platform_clock(long long seconds) = 0;
};

}  // namespace demo

namespace events {
class EventLog;
}

// libkiosk_demo.so's entry point. The world records what it does in `events` (kiosk/events) as "demo"
// (never a secret); the log outlives the world. Null + `error` when the world
// cannot be built (SoftHSM or the fault module missing, no free port). Deleting the Controls stops the
// platform and removes every temporary file.
extern "C" demo::Controls* kiosk_demo_create(events::EventLog* events, std::string* error);
// The same world, seeded (kSeededStart): the demo's reproducible walk-through. Never a production path.
extern "C" demo::Controls* kiosk_demo_create_seeded(events::EventLog* events, std::uint64_t seed,
                                                    std::string* error);
