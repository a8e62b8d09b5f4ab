#include "demo_panel.hpp"

#include <imgui.h>

#include "ui/i18n.hpp"
#include "ui/style.hpp"
#include "ui/widgets.hpp"

namespace app {
namespace {

// The panel's own colours: a warm band nobody mistakes for the kiosk's screens.
constexpr ui::Rgb kDemoBand{0x7A, 0x2E, 0x8E};
constexpr ui::Rgb kOnDemoBand{0xFF, 0xFF, 0xFF};

void begin_window(const char* id, const ImRect& r) {
  ImGui::SetNextWindowPos(r.Min);
  ImGui::SetNextWindowSize(r.GetSize());
  ImGui::Begin(id, nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NoScrollWithMouse);
}

void draw(ui::Ctx& c, const core::Model& m, demo::Controls& controls, DemoPanelState& st) {
  using namespace ui;
  const Layout& l = c.layout;
  // The tab: in the bottom bar's middle (free on every screen in landscape); in portrait at the right end
  // of the key badge's strip (the bottom bar is full there), the card opening below it.
  const float cx = l.display.x * 0.5f;
  const bool portrait = l.portrait();
  const ImRect tab = portrait ? ImRect(ImVec2(l.display.x - metric::kPad - 220.0f, l.status.Min.y + 2.0f),
                                       ImVec2(l.display.x - metric::kPad, l.status.Max.y - 4.0f))
                              : ImRect(ImVec2(cx - 110.0f, l.bottom_bar.GetCenter().y - metric::kButtonH * 0.5f),
                                       ImVec2(cx + 110.0f, l.bottom_bar.GetCenter().y + metric::kButtonH * 0.5f));
  const float card_w = portrait ? l.display.x - 2 * metric::kPad : 760.0f;
  const float card_h = 560.0f;
  const ImRect card = portrait ? ImRect(ImVec2(metric::kPad, tab.Max.y + 16.0f),
                                        ImVec2(metric::kPad + card_w, tab.Max.y + 16.0f + card_h))
                               : ImRect(ImVec2(cx - card_w * 0.5f, tab.Min.y - 16.0f - card_h),
                                        ImVec2(cx + card_w * 0.5f, tab.Min.y - 16.0f));
  ImRect whole = tab;
  if (st.open) whole.Add(card);
  begin_window("###demo.panel", whole);

  fill(tab, kDemoBand, metric::kRounding);
  if (button_text(c, "demo.tab", c.tr(st.open ? "demo.tab.close" : "demo.tab.open"), inset(tab, 6.0f),
                  {ButtonKind::OnBar, FontRole::Body, true, st.open, 12.0f})) {
    st.open = !st.open;
    st.result_key.clear();
    if (st.open) st.sms = controls.latest_sms();
  }
  if (st.open) {
    st.sms = controls.latest_sms();  // drawn only while open: one loopback request per frame
    fill(card, color::kSurface, metric::kRounding);
    outline(card, kDemoBand, metric::kRounding, 6.0f);
    ImRect in = inset(card, 28.0f, 20.0f);
    ImRect band = cut_top(in, 64.0f, 12.0f);
    fill(band, kDemoBand, metric::kRounding);
    text_line(c, "demo.title", c.tr("demo.title"), inset(band, 16.0f, 0.0f),
              {FontRole::Title, kOnDemoBand, Align::Center});
    const std::string sms = st.sms.empty() ? std::string(c.tr("demo.sms.none"))
                                           : ui::format(c.tr("demo.sms"), {{"phone", st.sms.substr(0, st.sms.find(' '))},
                                                                           {"code", st.sms.substr(st.sms.find(' ') + 1)}});
    text_line(c, "demo.sms", sms, cut_top(in, 56.0f, 12.0f), {FontRole::Title, color::kText, Align::Left});
    if (button(c, "demo.pay", cut_top(in, metric::kButtonH, 16.0f), {ButtonKind::Primary, FontRole::Body})) {
      auto r = controls.pay();
      st.result_key = r ? "demo.paid" : (r.error().find("no order") != std::string::npos ? "demo.no_order"
                                                                                           : "demo.pay_failed");
    }
    // As the kiosk sees it: a fault rule may have pulled the key without the panel (mid-rollover).
    const bool in_now = controls.key_inserted() && m.key.presence != core::KeyPresence::NoKey;
    if (button(c, in_now ? "demo.key.pull" : "demo.key.insert", cut_top(in, metric::kButtonH, 16.0f))) {
      controls.set_key_inserted(!in_now);
      st.result_key = in_now ? "demo.key.pulled" : "demo.key.inserted";
    }
    // The hall's staff KEY in the one port instead (the customer's key is out meanwhile).
    const bool staff_in = controls.staff_key_inserted();
    if (button(c, staff_in ? "demo.staff.pull" : "demo.staff.insert", cut_top(in, metric::kButtonH, 16.0f))) {
      controls.set_staff_key_inserted(!staff_in);
      st.result_key = staff_in ? "demo.staff.pulled" : "demo.staff.inserted";
    }
    const auto halves = split_h(cut_top(in, metric::kButtonH, 16.0f), 2, 16.0f);
    if (button(c, "demo.new_key.paid", halves[0])) {
      auto r = controls.new_key(demo::KeyKind::Paid);
      st.result_key = r ? "demo.new_key.done" : "demo.new_key.failed";
    }
    if (button(c, "demo.new_key.free", halves[1])) {
      auto r = controls.new_key(demo::KeyKind::Free);
      st.result_key = r ? "demo.new_key.done" : "demo.new_key.failed";
    }
    if (!st.result_key.empty())
      paragraph(c, "demo.result", c.tr(st.result_key), in, {FontRole::Body, color::kTextMuted, Align::Left});
  }
  ImGui::End();
}

}  // namespace

std::function<void(ui::Ctx&, const core::Model&)> demo_panel(DemoPanelState& state) {
  return [&state](ui::Ctx& c, const core::Model& m) {
    if (state.controls) draw(c, m, *state.controls, state);
  };
}

HarnessHooks demo_hooks(demo::Controls& d) {
  HarnessHooks h;
  h.sms_code = [&d](const std::string& phone) { return d.code_for(phone); };
  h.named["new-key-paid"] = [&d] { return d.new_key(demo::KeyKind::Paid); };
  h.named["new-key-free"] = [&d] { return d.new_key(demo::KeyKind::Free); };
  h.named["pull-during-keygen"] = [&d]() -> std::expected<void, std::string> {
    d.set_key_faults("pull C_GenerateKeyPair 1 after");
    return {};
  };
  return h;
}

}  // namespace app
