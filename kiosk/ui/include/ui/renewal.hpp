// The renewal's screens (docs/kiosk.md, "The renewal on screen") and the pieces they share: money and
// dates as the customer reads them, cards, notices, the step list and the core's dialogs.
//
// Each screen is a function of the core's view-model for it and its scratch (ui/renewal_scratch.hpp),
// registered in src/screens/screen_table.cpp. Like every screen, it returns the customer's
// intent; the PIN and the SMS code go beside it through Ctx::hand_over(), the event naming only their slot.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/events.hpp"
#include "core/view.hpp"
#include "ui/ctx.hpp"
#include "ui/renewal_scratch.hpp"
#include "ui/screens.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace ui {

// ---- the screens -----------------------------------------------------------------------------------------
std::optional<core::Event> draw_products(const core::ProductsView& v, ProductsScratch& s, Ctx& c);
std::optional<core::Event> draw_key_check(const core::KeyCheckView& v, KeyCheckScratch& s, Ctx& c);
std::optional<core::Event> draw_phone(const core::PhoneView& v, PhoneScratch& s, Ctx& c);
std::optional<core::Event> draw_order_list(const core::OrderListView& v, OrderListScratch& s, Ctx& c);
std::optional<core::Event> draw_payment(const core::PaymentView& v, PaymentScratch& s, Ctx& c);
std::optional<core::Event> draw_key_details(const core::KeyDetailsView& v, KeyDetailsScratch& s, Ctx& c);
std::optional<core::Event> draw_pin(const core::PinView& v, PinScratch& s, Ctx& c);
std::optional<core::Event> draw_progress(const core::ProgressView& v, ProgressScratch& s, Ctx& c);
std::optional<core::Event> draw_key_pulled(const core::KeyPulledView& v, KeyPulledScratch& s, Ctx& c);
std::optional<core::Event> draw_success(const core::SuccessView& v, SuccessScratch& s, Ctx& c);
std::optional<core::Event> draw_failure(const core::FailureView& v, FailureScratch& s, Ctx& c);

// The core's dialogs (core::Dialog), over whatever screen opened them. `problem_key` is the reason a key
// read failed (KeyReadFailed); `power` what staff asked of the terminal (ConfirmPower).
struct DialogView {
  core::Dialog dialog = core::Dialog::None;
  std::string problem_key;
  core::PowerAction power = core::PowerAction::RestartApp;
};
std::optional<core::Event> draw_dialog(const DialogView& v, Ctx& c);
DialogView dialog_view(const core::Model& m);

// ---- formatting --------------------------------------------------------------------------------------------
// ¥300, ¥0, ¥12.50 (whole yuan are written without decimals).
std::string money(core::Fen fen);
// 2026-12-15 in China Standard Time (UTC+8, no daylight saving): the date on the customer's certificate.
std::string date_cst(core::UnixSeconds t);
// 09:41 (minutes:seconds) for a countdown.
std::string mm_ss(int seconds);
// 138****5678
std::string mask_phone(std::string_view phone);
// "products/haitai-key.png" → "products/haitai-key" (TextureSource::picture wants no extension).
std::string picture_name(std::string_view asset);

// ---- pieces ------------------------------------------------------------------------------------------------
// A tappable card (background, border; thicker and primary when selected): registered as a Button with no
// text of its own, so the screen draws its content over it. True once, on release.
bool card(Ctx& c, std::string_view key, const ImRect& r, bool selected, bool enabled = true);

enum class NoticeKind { Error, Warning, Ok, Info };
// A boxed message with an icon, wrapped to r's width; returns the height used (draws nothing for empty text).
float notice(Ctx& c, std::string_view key, std::string_view text, const ImRect& r, NoticeKind kind);
float notice_height(Ctx& c, std::string_view text, float width);

// "证书持有人  张三": a muted label and its value on one line (value wrapped when long); returns the height.
float field_row(Ctx& c, std::string_view key, std::string_view value, const ImRect& r, float label_w);

// A product picture, scaled down to fit r (whole pixels), or a neutral key icon when there is none.
void product_picture(Ctx& c, std::string_view key, std::string_view asset, const ImRect& r);

// The main action at the bottom right (primary, large) and an optional second one at its left.
struct Actions {
  ImRect primary;
  ImRect secondary;
};
Actions action_row(Ctx& c, ImRect& area, std::string_view primary_label, std::string_view secondary_label = {});

}  // namespace ui
