// Pieces the staff screens share (not a public header): the health colours and words, a status item's row,
// times as staff read them, the page's head with 【刷新】, the last action's result.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "../account_common.hpp"
#include "ui/account_screens.hpp"
#include "ui/renewal.hpp"
#include "ui/staff_screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui::staff {

inline constexpr float kRowPad = 20.0f;  // inside a list row's card
inline constexpr float kLineGap = 6.0f;  // between a row's lines

Rgb health_color(core::Health h);
std::string_view health_key(core::Health h);  // staff.health.green …

// A value that may be a message key (a journal's reason, a status value) shown in words when the language
// has it, else as it is.
std::string words(Ctx& c, std::string_view key_or_text);

// Data text (a detail, a value, an error from elsewhere) fit for a card `width` wide: at most 240
// characters, and one unbreakable run wider than the line (a hash, a path) cut to one line with "…", so a
// hostile string never spills out of its card.
std::string tame(Ctx& c, std::string_view text, float width, FontRole font);

// "2026-12-07 14:02:10" in China Standard Time, from unix milliseconds (the log's lines).
std::string time_cst_ms(std::int64_t ms);

// A status item as the Status page and the network test show it: a health badge, the label, the value;
// under the value what is wrong in words and the detail for the CA's support. The height it takes at
// `width` (measure) or draws at `r` (draw), inside a scrolling list.
float status_item_height(Ctx& c, const core::StatusItem& item, float width);
void status_item(Ctx& c, std::string_view key, const core::StatusItem& item, const ImRect& r);

// The page's title at the left and, where the page has one, its action at the right (【刷新】 where it
// loads; true in `tapped` when tapped); returns the rest of `area`.
ImRect page_head(Ctx& c, std::string_view title_key, ImRect area, std::string_view action_key, bool enabled,
                 bool& tapped);

// The last action's result, when it is this page's: a notice at the bottom of `area` (which loses that
// room); "正在处理…" while an action runs.
void result_line(Ctx& c, const MaintenanceView& v, core::MaintenancePage page, ImRect& area);

// A row of choice chips (one selected), equal widths; the index tapped, if any.
// Each chip's widget key is its label's message key.
std::optional<std::size_t> chips(Ctx& c, std::span<const std::string_view> label_keys, std::size_t selected,
                                 const ImRect& r, bool enabled = true);

// Each page of the maintenance screen (one file each).
std::optional<core::Event> status_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area);
std::optional<core::Event> business_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c,
                                         ImRect area);
std::optional<core::Event> devices_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area);
std::optional<core::Event> log_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area);
std::optional<core::Event> service_page(const MaintenanceView& v, MaintenanceScratch& s, Ctx& c, ImRect area);
// The full-screen tests over everything (the touch targets, the colour bars, white, black).
std::optional<core::Event> touch_test(const MaintenanceView& v, TouchTestScratch& s, Ctx& c);
std::optional<core::Event> screen_test(ScreenTestScratch& s, Ctx& c);

}  // namespace ui::staff
