#include "ui/input.hpp"

namespace ui {

void PointerInput::apply(ImGuiIO& io) {
  if (leave_next_) {
    leave_next_ = false;
    pos_ = kPointerAway;
  }
  while (!queue_.empty()) {
    const PointerEvent e = queue_.front();
    queue_.pop_front();
    if (e.kind == PointerEvent::Kind::Move) {
      if (down_) pos_ = e.pos;  // no hover without a finger: a mouse moving over the kiosk changes nothing
      continue;
    }
    if (e.kind == PointerEvent::Kind::Down) {
      if (down_) continue;  // a second finger while one is down
      down_ = true;
      pos_ = e.pos;
      break;
    }
    if (!down_) continue;
    down_ = false;
    pos_ = e.pos;
    leave_next_ = true;
    break;
  }
  io.MousePos = pos_;
  io.MouseDown[0] = down_;
}

void PointerInput::reset() {
  queue_.clear();
  down_ = false;
  leave_next_ = false;
  pos_ = kPointerAway;
}

}  // namespace ui
