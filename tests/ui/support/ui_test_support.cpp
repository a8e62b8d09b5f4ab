#include "ui_test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <utility>

#include "core/update.hpp"
#include "ui/style.hpp"

namespace ui_test {

std::string source_assets() {
  return KIOSK_SOURCE_ASSETS;
}
std::string build_assets() {
  return KIOSK_TEST_ASSETS;
}

std::vector<unsigned char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ui::I18n load_i18n() {
  auto parse = [](core::Language language) {
    std::vector<ui::LanguageFile> files;
    for (const auto& name : language_files(language)) {
      auto bytes = read_bytes(source_assets() + "/i18n/" + name);
      files.push_back({name, std::string(bytes.begin(), bytes.end())});
    }
    REQUIRE_MESSAGE(!files.empty(), "no language file for " << ui::language_code(language));
    auto s = ui::Strings::parse_files(files);
    if (!s)
      for (const auto& e : s.error()) FAIL_CHECK(e);
    REQUIRE_MESSAGE(s.has_value(), ui::language_code(language) << " language files do not parse");
    return std::move(*s);
  };
  return ui::I18n(parse(core::Language::ZhCN), parse(core::Language::En));
}

std::vector<std::string> language_files(core::Language language) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(source_assets() + "/i18n"))
    if (ui::language_of_file(e.path().filename().string()) == language) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

UiHarness::UiHarness(ImVec2 display) : display_(display), i18n_(load_i18n()) {
  ctx_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(ctx_);
  ui::configure_imgui(ImGui::GetIO(), ImGui::GetStyle());
  start_font_ = read_bytes(build_assets() + "/fonts/kiosk-start.otf");
  ui::GlyphSet start = ui::base_glyphs();
  start.add_all(i18n_.glyphs());
  fonts_ = std::make_unique<ui::FontBook>(
      std::span<const unsigned char>(start_font_.data(), start_font_.size()), std::move(start),
      [this]() -> ui::FontBook::Bytes {
        extended_font_ = read_bytes(build_assets() + "/fonts/kiosk-extended.otf");
        return {extended_font_.data(), extended_font_.size()};
      },
      events::Channel(&events_, "fonts"));
  fonts_->build(*ImGui::GetIO().Fonts);
  ImGui::GetIO().FontDefault = fonts_->font(ui::FontRole::Body);
  app::ImeOptions io;
  io.rime_schema_dir = build_assets() + "/rime";
  io.events = events::Channel(&events_, "ime");
  ime_ = std::make_unique<app::ImeEngines>(std::move(io));
  ui::ShellOptions o;
  o.seed = [] { return 4242u; };
  o.ime = ime_.get();
  shell_ = std::make_unique<ui::Shell>(i18n_, *fonts_, textures_, o);
}

UiHarness::~UiHarness() {
  shell_.reset();
  ime_.reset();
  ImGui::DestroyContext(ctx_);
}

ui::FrameResult UiHarness::frame(const core::Model& m) {
  ImGui::SetCurrentContext(ctx_);
  if (fonts_->needs_rebuild()) {
    fonts_->build(*ImGui::GetIO().Fonts);
    ImGui::GetIO().FontDefault = fonts_->font(ui::FontRole::Body);
  }
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = display_;
  io.DeltaTime = 1.0f / 60.0f;
  pointer_.apply(io);
  last_was_bare_ = false;
  return shell_->frame(m);
}

void UiHarness::frame_with(const std::function<void(ui::Ctx&)>& draw, core::Language language) {
  ImGui::SetCurrentContext(ctx_);
  if (fonts_->needs_rebuild()) {
    fonts_->build(*ImGui::GetIO().Fonts);
    ImGui::GetIO().FontDefault = fonts_->font(ui::FontRole::Body);
  }
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = display_;
  io.DeltaTime = 1.0f / 60.0f;
  pointer_.apply(io);
  last_was_bare_ = true;
  bare_widgets_.clear();
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(display_);
  ImGui::Begin("###test.window", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
  ui::Ctx c(i18n_.of(language), *fonts_, bare_widgets_, textures_, ui::make_layout(display_, false));
  c.ime = ime_.get();
  draw(c);
  ImGui::End();
  ImGui::Render();
}

void UiHarness::settle_with(const std::function<void(ui::Ctx&)>& draw, int frames) {
  for (int i = 0; i < 64 && (i < frames || pointer_.pending()); ++i) frame_with(draw);
}

std::vector<core::Event> UiHarness::settle(const core::Model& m, int frames) {
  std::vector<core::Event> out;
  for (int i = 0; i < 64 && (i < frames || pointer_.pending() || fonts_->needs_rebuild()); ++i) {
    auto r = frame(m);
    for (auto& e : r.events) out.push_back(std::move(e));
    for (auto& sec : r.secrets) secrets_.push_back(std::move(sec));
  }
  return out;
}

std::vector<core::Event> UiHarness::tap_at(const core::Model& m, ImVec2 p) {
  pointer_.push({ui::PointerEvent::Kind::Down, p});
  pointer_.push({ui::PointerEvent::Kind::Up, p});
  return settle(m);
}

std::vector<core::Event> UiHarness::tap(const core::Model& m, std::string_view key) {
  auto p = widgets().tap_point(key);
  if (!p) {
    std::string there;
    for (const auto& w : widgets().all())
      if (w.interactive) there += w.key + " ";
    FAIL("no widget " << std::string(key) << " to tap; there are: " << there);
    return {};
  }
  return tap_at(m, *p);
}

std::vector<core::Event> UiHarness::drag(const core::Model& m, ImVec2 from, ImVec2 by, int steps) {
  std::vector<core::Event> out;
  auto take = [&](std::vector<core::Event> v) {
    for (auto& e : v) out.push_back(std::move(e));
  };
  pointer_.push({ui::PointerEvent::Kind::Down, from});
  take(settle(m, 1));
  for (int i = 1; i <= steps; ++i) {
    const float f = static_cast<float>(i) / static_cast<float>(steps);
    pointer_.push({ui::PointerEvent::Kind::Move, ImVec2(from.x + by.x * f, from.y + by.y * f)});
    take(settle(m, 1));
  }
  pointer_.push({ui::PointerEvent::Kind::Up, ImVec2(from.x + by.x, from.y + by.y)});
  take(settle(m));
  return out;
}

std::vector<std::string> UiHarness::problems() const {
  std::vector<std::string> out;
  for (const auto& p : ui::check_layout(widgets(), display_)) out.push_back(ui::to_string(p));
  for (const auto& k : shell_->missing_keys()) out.push_back("no text for key " + k);
  return out;
}

std::vector<std::string> check_all_layouts(UiHarness& h, core::Model m) {
  std::vector<std::string> out;
  const ImVec2 saved = h.display();
  for (ImVec2 display : {ImVec2(1920, 1080), ImVec2(1080, 1920)}) {
    h.set_display(display);
    std::map<std::string, ImGuiID> ids[2];
    int li = 0;
    for (core::Language lang : ui::kLanguages) {
      m.language = lang;
      h.settle(m, 3);
      char prefix[64];
      std::snprintf(prefix, sizeof prefix, "%s %.0fx%.0f: ", std::string(ui::language_code(lang)).c_str(),
                    static_cast<double>(display.x), static_cast<double>(display.y));
      for (const auto& p : h.problems()) out.push_back(prefix + p);
      for (const auto& w : h.widgets().all())
        if (w.interactive) ids[li][w.key] = w.id;
      ++li;
    }
    if (ids[0] != ids[1]) {
      for (const auto& [k, id] : ids[0]) {
        auto it = ids[1].find(k);
        if (it == ids[1].end())
          out.push_back("widget " + k + " is drawn in zh-CN but not in en");
        else if (it->second != id)
          out.push_back("widget " + k + " changes its ImGui ID with the language");
      }
      for (const auto& [k, id] : ids[1])
        if (!ids[0].count(k)) out.push_back("widget " + k + " is drawn in en but not in zh-CN");
    }
  }
  h.set_display(saved);
  return out;
}

namespace {

// The phase of `screen`, as it is when nothing has happened in it yet.
template <std::size_t... I>
core::Flow phase_at_rest(core::Screen screen, std::index_sequence<I...>) {
  core::Flow out;
  (void)((static_cast<std::size_t>(screen) == I && (out = core::Flow(std::in_place_index<I>), true)) || ...);
  return out;
}

}  // namespace

core::Model model_on(core::Screen screen, core::Language language) {
  core::Model m = core::initial_model(core::Settings{}, 1'000'000, 1'750'000'000);
  m.flow = phase_at_rest(screen, std::make_index_sequence<core::kScreenCount>{});
  m.language = language;
  return m;
}

}  // namespace ui_test
