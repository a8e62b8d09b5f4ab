#include "ui/registry.hpp"

#include <cfloat>
#include <cstdio>
#include <map>

namespace ui {

const WidgetInfo* WidgetRegistry::find(std::string_view key) const {
  for (auto it = items_.rbegin(); it != items_.rend(); ++it)
    if (it->key == key) return &*it;
  return nullptr;
}

std::optional<ImVec2> WidgetRegistry::tap_point(std::string_view key) const {
  const WidgetInfo* w = find(key);
  if (!w) return std::nullopt;
  ImRect v = w->visible;
  if (v.GetWidth() < 1.0f || v.GetHeight() < 1.0f) return std::nullopt;
  return v.GetCenter();
}

namespace {

std::string px(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", static_cast<double>(v));
  return buf;
}

bool overlaps(const ImRect& a, const ImRect& b) {
  const float ix = std::min(a.Max.x, b.Max.x) - std::max(a.Min.x, b.Min.x);
  const float iy = std::min(a.Max.y, b.Max.y) - std::max(a.Min.y, b.Min.y);
  return ix > 1.0f && iy > 1.0f;
}

}  // namespace

std::vector<LayoutProblem> check_layout(const WidgetRegistry& widgets, ImVec2 display,
                                        const LayoutRules& rules) {
  std::vector<LayoutProblem> out;
  std::map<std::string, int, std::less<>> seen;
  const auto& all = widgets.all();
  for (const auto& w : all) {
    if (++seen[w.key] == 2) out.push_back({w.key, "the key is used by more than one widget in the frame"});
    if (!w.text.empty() &&
        (w.text_size.x > w.text_room.x + rules.slack || w.text_size.y > w.text_room.y + rules.slack))
      out.push_back({w.key, "text \"" + w.text + "\" is " + px(w.text_size.x) + "×" + px(w.text_size.y) +
                                " px, its widget has room for " + px(w.text_room.x) + "×" +
                                (w.text_room.y >= FLT_MAX ? std::string("∞") : px(w.text_room.y))});
    if (w.interactive && (w.rect.GetWidth() + rules.slack < rules.touch_min ||
                          w.rect.GetHeight() + rules.slack < rules.touch_min))
      out.push_back({w.key, "touch target " + px(w.rect.GetWidth()) + "×" + px(w.rect.GetHeight()) +
                                " px is under " + px(rules.touch_min) + " px"});
    if (!w.in_list && (w.rect.Min.x < -rules.slack || w.rect.Min.y < -rules.slack ||
                       w.rect.Max.x > display.x + rules.slack || w.rect.Max.y > display.y + rules.slack))
      out.push_back({w.key, "lies outside the " + px(display.x) + "×" + px(display.y) + " screen"});
  }
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& a = all[i];
    if (!a.interactive || a.in_list) continue;
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      const auto& b = all[j];
      if (!b.interactive || b.in_list || b.layer != a.layer) continue;
      if (overlaps(a.rect, b.rect)) out.push_back({a.key, "overlaps " + b.key});
    }
  }
  return out;
}

std::string to_string(const LayoutProblem& p) {
  return p.key + ": " + p.what;
}

}  // namespace ui
