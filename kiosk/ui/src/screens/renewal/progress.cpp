// 正在续费: every slow step of the rollover with its state (done, running, to come); the chrome shows
// "请勿拔出KEY" while a step runs. Under the running step, its time so far and what is usual for it on this
// key ("已用时 12秒，通常需要约1分钟"), once a second: a customer sees the kiosk is still working and how
// long to wait (only those characters are drawn again each second, docs/kiosk.md "Drawing only what
// changed").
#include <string>

#include "ui/renewal.hpp"

namespace ui {
namespace {

std::string_view step_key(core::RenewalStep s) {
  switch (s) {
    case core::RenewalStep::Login: return "progress.step.login";
    case core::RenewalStep::StageKey: return "progress.step.stage_key";
    case core::RenewalStep::BuildP10: return "progress.step.build_p10";
    case core::RenewalStep::RequestNonce:
    case core::RenewalStep::SignProof:
    case core::RenewalStep::Submit: return "progress.step.submit";
    case core::RenewalStep::Install: return "progress.step.install";
    case core::RenewalStep::Finalize: return "progress.step.finalize";
    case core::RenewalStep::Confirm: return "progress.step.confirm";
    case core::RenewalStep::Done: return "progress.step.done";
  }
  return "progress.step.done";
}

std::string seconds_text(Ctx& c, int s) {
  if (s < 60) return format(c.tr("time.seconds"), {{"seconds", std::to_string(s)}});
  return format(c.tr("time.minutes_seconds"),
                {{"minutes", std::to_string(s / 60)}, {"seconds", std::to_string(s % 60)}});
}

// What is usual, roughly: seconds below 45, whole minutes from there ("约1分钟").
std::string usual_text(Ctx& c, int s) {
  if (s < 45) return format(c.tr("time.about_seconds"), {{"seconds", std::to_string(s)}});
  return format(c.tr("time.about_minutes"), {{"minutes", std::to_string((s + 30) / 60)}});
}

}  // namespace

std::optional<core::Event> draw_progress(const core::ProgressView& v, ProgressScratch&, Ctx& c) {
  ImRect area = screen_title(c, "screen.progress.title", c.layout.content);
  const float w = std::min(area.GetWidth(), 1300.0f);
  ImRect col(area.Min, ImVec2(area.Min.x + w, area.Max.y));
  const std::string_view hint = c.tr("progress.hint");
  // The hint gives way to a notice when there is one (the banner says 请勿拔出KEY anyway).
  if (!v.reused_staged_key && !v.waiting_for_clock)
    paragraph(c, "progress.hint", hint, cut_top(col, paragraph_height(c, hint, w, FontRole::Body), metric::kGap),
              {FontRole::Body, color::kText, Align::Left});
  if (v.reused_staged_key)
    notice(c, "progress.reused", c.tr("progress.reused"),
           cut_top(col, notice_height(c, c.tr("progress.reused"), w), 16.0f), NoticeKind::Info);
  if (v.waiting_for_clock)
    notice(c, "progress.waiting_clock", c.tr("progress.waiting_clock"),
           cut_top(col, notice_height(c, c.tr("progress.waiting_clock"), w), 16.0f), NoticeKind::Warning);

  const float row_h = c.layout.portrait() ? 104.0f : 68.0f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (std::size_t i = 0; i < v.steps.size(); ++i) {
    const auto& st = v.steps[i];
    const std::string key = "progress.row" + std::to_string(i);
    ImRect row = cut_top(col, row_h, 6.0f);
    const bool running = st.state == core::StepState::Running;
    const bool done = st.state == core::StepState::Done;
    fill(row, running ? color::kSurface : color::kBackground, metric::kRounding);
    if (running) outline(row, color::kPrimary, metric::kRounding, 4.0f);
    ImRect in = inset(row, 20.0f, 0.0f);
    const ImRect mark = centered(cut_left(in, 48.0f, metric::kGap), ImVec2(48.0f, 48.0f));
    const ImVec2 m = mark.GetCenter();
    if (done) {
      dl->AddCircleFilled(m, 22.0f, to_u32(color::kOk), 32);
      dl->AddLine(ImVec2(m.x - 11, m.y + 1), ImVec2(m.x - 3, m.y + 9), to_u32(color::kOnPrimary), 5.0f);
      dl->AddLine(ImVec2(m.x - 3, m.y + 9), ImVec2(m.x + 12, m.y - 9), to_u32(color::kOnPrimary), 5.0f);
    } else if (running) {
      dl->AddCircle(m, 20.0f, to_u32(color::kPrimary), 32, 5.0f);
      dl->AddCircleFilled(m, 9.0f, to_u32(color::kPrimary), 24);
    } else {
      dl->AddCircle(m, 20.0f, to_u32(color::kBorder), 32, 3.0f);
    }
    const std::string_view state_key =
        done ? "progress.state.done" : running ? "progress.state.running" : "progress.state.pending";
    const float sw = std::max(160.0f, text_size(c, c.tr(state_key), FontRole::Body).x);
    text_line(c, key + ".state", c.tr(state_key), cut_right(in, sw, metric::kGap),
              {FontRole::Body, done ? color::kOk : running ? color::kPrimary : color::kTextMuted, Align::Right});
    text_line(c, key, c.tr(step_key(st.step)), in,
              {running ? FontRole::Title : FontRole::Body, done || running ? color::kText : color::kTextMuted,
               Align::Left});
    if (running && st.elapsed_s) {
      const std::string so_far = seconds_text(c, *st.elapsed_s);
      const std::string t =
          st.usual_s > 0
              ? format(c.tr("progress.time"), {{"elapsed", so_far}, {"usual", usual_text(c, st.usual_s)}})
              : format(c.tr("progress.time_so_far"), {{"elapsed", so_far}});
      const ImRect line = cut_top(col, 48.0f, 6.0f);
      text_line(c, key + ".time", t, inset(line, 88.0f, 0.0f), {FontRole::Body, color::kText, Align::Left});
    }
  }
  return std::nullopt;
}

}  // namespace ui
