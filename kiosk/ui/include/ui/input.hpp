// The pointer, as the app feeds it from SDL's finger and mouse events.
//
// ImGui 1.86 reads one pointer position and one button state per frame, so a quick tap (press and release
// in the same batch of events) would be lost. The queue hands ImGui one press or release per frame,
// with the moves before it; after a release the pointer stays one frame where it was lifted (the button
// under it fires on release) and then leaves the screen, so no hover sticks to a button.
#pragma once

#include <cfloat>
#include <deque>

#include <imgui.h>

namespace ui {

struct PointerEvent {
  enum class Kind { Down, Move, Up };
  Kind kind = Kind::Move;
  ImVec2 pos{0, 0};
};

inline const ImVec2 kPointerAway{-FLT_MAX, -FLT_MAX};

class PointerInput {
 public:
  void push(PointerEvent e) { queue_.push_back(e); }
  // Sets io.MousePos / io.MouseDown[0] for the next frame.
  void apply(ImGuiIO& io);
  // Another frame is needed to consume queued events or to take the pointer away.
  [[nodiscard]] bool pending() const { return !queue_.empty() || leave_next_; }
  [[nodiscard]] bool down() const { return down_; }
  void reset();

 private:
  std::deque<PointerEvent> queue_;
  bool down_ = false;
  bool leave_next_ = false;
  ImVec2 pos_ = kPointerAway;
};

}  // namespace ui
