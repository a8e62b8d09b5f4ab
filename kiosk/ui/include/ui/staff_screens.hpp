// Hall staff's screens (docs/staff.md, "Maintenance mode"): the sign-in (a staff KEY's PIN, or a
// maintenance code), the maintenance screen with its pages (status, business that needs someone, device
// tests, the log, service), and the customer's screen after staff handed a business back (insert its KEY).
// None of them is reachable from a customer's screen: 【维护】 shows only while a staff KEY is in, and the
// code's way in is a gesture only staff are told of (the chrome, docs/staff.md).
//
// As every screen, each is a function of a const view and its scratch, plus the frame's Ctx, registered in
// src/screens/screen_table.cpp. The views are the UI's (like home's): each is read from its core phase and
// the model's service sources and KEY, which the staff pages show as they stand.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/model.hpp"
#include "core/service.hpp"
#include "core/staff.hpp"
#include "foundation/secret.hpp"
#include "ui/ctx.hpp"
#include "ui/keyboard.hpp"
#include "ui/keypad.hpp"
#include "ui/widgets.hpp"

namespace ui {

// The reasons staff can take the kiosk out of service for, in the order the Service page offers them; the
// customer reads their text on home (assets/i18n/service.*.json).
inline constexpr std::string_view kStaffServiceReasons[] = {
    "service.reason.staff.repair", "service.reason.staff.cleaning", "service.reason.staff.network",
    "service.reason.staff.other"};

// ---- views ------------------------------------------------------------------------------------------------
struct StaffSignInView {
  bool by_code = false;
  std::string name;         // by KEY: the certificate's CN
  std::string refusal_key;  // by KEY: refused before any PIN (staff.refused.*): no keypad
  bool locked = false;      // by KEY: the KEY refuses every login
  std::string error_key;    // the last refusal, wrong PIN or code error, in words
  std::string detail;       // for staff: which certificate, which date
  core::PinFlags flags;     // by KEY: as last read
  bool verifying = false;
  int wait_seconds_left = 0;  // by code: throttled
};

// One out-of-service source as the Service page shows it.
struct ServiceSourceRow {
  core::ServiceSource source = core::ServiceSource::Staff;
  bool set = false;
  std::string reason_key;
  std::string reason_text;  // the source's own words in the current language, when it has them
  std::string detail;
};

struct MaintenanceView {
  std::string staff_name;
  bool by_key = false;
  core::UnixSeconds signed_in_at = 0;
  core::MaintenancePage page = core::MaintenancePage::Status;
  std::vector<core::StatusItem> status;
  bool status_loading = false;
  std::vector<core::StaffBusiness> business;
  bool business_loading = false;
  std::vector<core::LogLine> log;  // newest first
  bool log_loading = false;
  core::DeviceTest test = core::DeviceTest::None;
  std::optional<core::KeyReport> key_report;
  std::optional<core::NetworkReport> network;
  bool testing = false;
  std::string test_error_key;
  bool key_present = false;  // a KEY is in the reader (the key-reader test)
  bool busy = false;
  std::optional<core::StaffActionKind> last_action;
  bool last_ok = false;
  std::string result_key;
  std::string result_detail;
  std::array<ServiceSourceRow, core::kServiceSources> sources{};
  bool out_of_service = false;
  std::string staff_reason_key;  // the staff source's reason, when set
};

struct HandoverView {
  std::string order_id;
  bool resuming = false;
  std::string error_key;
  bool staff_key_in = false;  // the staff member's KEY is still in the reader
};

StaffSignInView staff_sign_in_view(const core::Model& m, const core::phase::StaffSignIn& p);
MaintenanceView maintenance_view(const core::Model& m, const core::phase::Maintenance& p);
HandoverView handover_view(const core::Model& m, const core::phase::Handover& p);

// ---- scratch ----------------------------------------------------------------------------------------------
struct StaffSignInScratch {
  enum class Field { Name, Code };
  Field focus = Field::Name;
  KeypadScratch pin;              // by KEY: handed to the runtime on 【确定】
  std::string staff_id;           // by code: the staff ID ([A-Za-z0-9._-], the platform's)
  foundation::SecretBuffer code;  // by code: handed over on 【登录】
  KeyboardScratch keyboard;
};

// The touch test: each target's tap, as the screen saw it.
struct TouchTap {
  ImVec2 offset{0, 0};  // from the target's centre
  bool hit = false;
};
struct TouchTestScratch {
  std::vector<TouchTap> taps;  // one per target, in order
  bool reported = false;       // TouchTestDone sent for these taps
};
struct ScreenTestScratch {
  int pattern = 0;  // 0 colour bars, 1 full white, 2 full black
};

enum class LogLevelFilter { All, WarningUp, Error };

struct MaintenanceScratch {
  ListScratch status_list;
  ListScratch business_list;
  ListScratch log_list;
  ListScratch key_list;
  // Business: 【转人工窗口】's note, for one business at a time.
  std::optional<std::int64_t> note_for;  // the business being handed to the counter
  std::string note;
  KeyboardScratch note_keyboard;
  // Log: the filters.
  LogLevelFilter level = LogLevelFilter::All;
  std::string business_filter;
  bool typing_business = false;
  KeyboardScratch log_keyboard;
  // Service: the reason chosen for 【暂停服务】 (an index into kStaffServiceReasons).
  std::size_t reason = 0;
  std::string reason_from;  // the staff source's reason it was last taken from (it follows a change)
  TouchTestScratch touch;
  ScreenTestScratch screen;
};

struct HandoverScratch {};

// ---- screens ----------------------------------------------------------------------------------------------
std::optional<core::Event> draw_staff_sign_in(const StaffSignInView& v, StaffSignInScratch& s, Ctx& c);
std::optional<core::Event> draw_maintenance(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c);
std::optional<core::Event> draw_handover(const HandoverView& v, HandoverScratch& s, Ctx& c);

// The touch test's targets on a display: centres, as fractions of the screen placed where fingers and
// calibration go wrong (corners, edges, the middle). Tests tap them.
std::vector<ImVec2> touch_targets(ImVec2 display);
inline constexpr float kTouchHitRadius = 30.0f;  // the kiosk's smallest touch target is 60 px across

// What the QR test encodes: the same symbol size as a payment's code (29 modules), plain text, so a phone
// shows it instead of opening anything.
inline constexpr std::string_view kQrTestText = "CN-CA KIOSK QR TEST 0123456789";

}  // namespace ui
