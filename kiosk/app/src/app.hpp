// ca-kiosk's application object: the SDL window (or an offscreen surface), the SDL_Renderer and ImGui's
// renderer backend, the pointer, the fonts' texture, the clock, the model, and the loop that ties them to
// the flow core and the runtime.
//
// The loop (run()):
//   1. wait in SDL_WaitEventTimeout until input, the core's next_wakeup() (a countdown's next second, the
//      idle deadline), or a runtime wake (an SDL user event pushed by the runtime's waker); headless, on a
//      condition variable instead (SDL's wait polls every millisecond without a video device);
//   2. send core::Tick{now, wall} (so every event meets a current clock), core::Activity after a touch,
//      then every result the runtime has (runtime.drain());
//   3. draw a frame only if something asked for one: input (and two settle frames after it), an event
//      that changed the model, a due wakeup (one frame), a font rebuild, an expose;
//   4. the frame's events go to core::update in order, each with the secrets whose slots it names
//      (runtime::Dispatcher); the effects go to runtime.run(effect, model.session, the secrets they name),
//      and a secret nobody asked for is wiped at once.
// Idle on home nothing asks: 0 frames per second.
#pragma once

#include <SDL.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/events.hpp"
#include "core/model.hpp"
#include "chime.hpp"
#include "damage.hpp"
#include "events/event_log.hpp"
#include "files.hpp"
#include "ime.hpp"
#include "raster.hpp"
#include "runtime/dispatcher.hpp"
#include "runtime/runtime.hpp"
#include "textures.hpp"
#include "ui/fonts.hpp"
#include "ui/input.hpp"
#include "ui/shell.hpp"

namespace app {

enum class DisplayMode { Fullscreen, Windowed, Headless };
enum class RendererKind { Software, OpenGl };

// The seeded demo's clock (`ca-kiosk --demo --headless --demo-seed N`): it stands at `start` (unix
// seconds) and moves only when the harness advances it, so every countdown and date on screen is the same
// in every run however long the runtime's work takes. Read from any thread (the runtime asks it the time).
class SteppedClock {
 public:
  explicit SteppedClock(core::UnixSeconds start) : start_(start) {}
  [[nodiscard]] core::Millis elapsed_ms() const { return elapsed_ms_.load(); }
  [[nodiscard]] core::UnixSeconds wall() const { return start_ + elapsed_ms_.load() / 1000; }
  void advance(core::Millis ms) { elapsed_ms_ += ms; }

 private:
  core::UnixSeconds start_;
  std::atomic<core::Millis> elapsed_ms_{0};
};

struct AppConfig {
  DisplayMode mode = DisplayMode::Fullscreen;
  int width = 1920;  // windowed and headless
  int height = 1080;
  RendererKind renderer = RendererKind::Software;
  Assets assets;
  core::Settings settings;
  bool shuffle_pin_keypad = false;
  std::function<std::uint32_t()> seed;          // per session; default: std::random_device
  // The event log the app records in as "app", "fonts", "textures" and "ime" (kiosk/events); not owned, it
  // outlives the app. Null: a log of the app's own, written to stderr.
  events::EventLog* events = nullptr;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // Headless only: rasterise just the frames that are read back (screenshots). ImGui and the loop run for
  // every frame as usual; tests use it to stay fast, the CLI harness rasterises everything.
  bool rasterise_only_screenshots = false;
  // `--demo`: the demo's panel (demo_panel.hpp), drawn above every screen.
  std::function<void(ui::Ctx&, const core::Model&)> demo_panel;
  // The seeded demo only: the app's clocks (the model's monotonic and wall time) read this instead of the
  // system's, and advance() moves it. Null: the system's clocks.
  std::shared_ptr<SteppedClock> stepped_clock;
  // The service manager's watchdog (docs/packaging.md, "The units"): run() calls on_heartbeat from the
  // loop at least this often, also when idle (the wait is cut short for it), never while the loop is
  // blocked. Unset: no heartbeat, an idle loop sleeps until something happens.
  std::optional<std::chrono::milliseconds> heartbeat_every;
  std::function<void()> on_heartbeat;
  // Called on the loop's thread when the safe stop begins (request_stop()): the service says STOPPING=1.
  std::function<void()> on_stop;
  // The software renderer draws only what changed (docs/kiosk.md, "Drawing only what changed"). Off: whole
  // frames through ImGui's SDL_Renderer backend, as the OpenGL renderer always does (the tests' reference).
  bool damage_tracking = true;
  // Tests: after every frame drawn in part, draw it whole as well and compare the two byte for byte; and
  // every frame SoftwareRaster drew, drawn again by ImGui's SDL_Renderer backend, compared the same way
  // (damage_stats() counts the frames that differ). Triples the cost of a frame.
  bool check_damage = false;
};

// What the software path drew (docs/kiosk.md, "Drawing only what changed").
struct DamageStats {
  std::uint64_t frames = 0;   // rasterised by SoftwareRaster
  std::uint64_t whole = 0;    // of which drawn whole (a screen or language change, a resize, the first)
  std::uint64_t nothing = 0;  // of which nothing changed: no pixel drawn, nothing presented
  double pixels = 0;          // output pixels drawn, over all frames
  // check_damage: the frames compared, and the first few that differed ("frame N, screen, pixel x,y ...").
  std::uint64_t checked = 0;
  std::uint64_t mismatched = 0;
  // check_damage: every frame SoftwareRaster drew against ImGui's own backend's whole frame.
  std::uint64_t backend_checked = 0;
  std::uint64_t backend_mismatched = 0;
  std::vector<std::string> mismatches;
};

// Per frame, in milliseconds, for the last frames drawn (at least kKept, at most twice that: a day's frames
// must not pile up in a kiosk that runs for months). The room for twice kKept is taken at once, so the
// memory is the same from the first frame to the millionth (no reallocation as they fill: docs/benchmarks.md,
// "Renewal soak"). CPU times are this thread's (CLOCK_THREAD_CPUTIME_ID), so other processes on a shared
// machine do not inflate them; wall times are what a customer would wait.
struct FrameTimes {
  static constexpr std::size_t kKept = 8192;
  FrameTimes();
  std::vector<double> imgui_cpu_ms;  // NewFrame → Render
  std::vector<double> frame_cpu_ms;  // pointer → present, including the software rasteriser
  std::vector<double> frame_ms;      // the same, wall clock
  void add(double imgui_cpu, double frame_cpu, double frame_wall);
};

class App {
 public:
  App(AppConfig config, runtime::Runtime& runtime);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // The interactive loop, until the safe stop ends it (request_stop(); Escape or closing the window in
  // --windowed).
  int run();
  void quit() { quit_ = true; }
  // The safe stop (docs/packaging.md, "Stopping safely"); thread-safe, the SIGTERM watcher calls it. At its
  // next pass the loop calls on_stop, tells the runtime that no effect may start any more, and ends once
  // the runtime says the running step reached its end. Until then it draws and pings as usual.
  void request_stop();
  [[nodiscard]] bool stopping() const { return stopping_; }

  // ---- stepping: the harness and the tests drive the same loop ----
  void pointer(ui::PointerEvent e);
  // Waits up to `wait_ms` (-1 = until something happens, 0 = not at all), then one pass of the loop.
  // True when it drew a frame.
  bool pump(int wait_ms);
  // Passes of the loop without waiting until nothing asks for a frame; returns the frames drawn.
  int settle(int max_frames = 40);
  // Runs the real loop for `ms` of wall time (the idle measurement).
  void hold(int ms);
  // The kiosk's clock jumps (idle timeouts without waiting for them); with a stepped clock, that clock.
  void advance(core::Millis ms);
  // The event into the core (with the secrets typed for it), and a frame asked for.
  void dispatch(const core::Event& e, runtime::Secrets secrets = {});
  // `task` run on the loop's thread at its next pass, after the runtime's events (the staff channel's
  // requests: staff_channel.hpp). Any thread; the loop is woken.
  void post(std::function<void()> task);
  void want_frames(int n);
  void resize(int width, int height);
  // Draws one frame and reads it back (RGBA, the renderer's output size).
  ui::Image screenshot();

  [[nodiscard]] const core::Model& model() const { return model_; }
  // Tests and the screenshot tool only: show this model as it is (no effects run); the app's clocks
  // continue from the model's. A new session in it gets new scratch, as after a wipe.
  void replace_model(core::Model m);
  [[nodiscard]] const ui::WidgetRegistry& widgets() const { return shell_->widgets(); }
  [[nodiscard]] const std::vector<std::string>& missing_keys() const { return shell_->missing_keys(); }
  [[nodiscard]] ImVec2 display() const { return logical_; }
  // The output's pixels (the window's or the offscreen surface's).
  [[nodiscard]] SDL_Rect output() const;
  [[nodiscard]] std::uint64_t frames_drawn() const { return frames_; }
  [[nodiscard]] const FrameTimes& times() const { return times_; }
  [[nodiscard]] const DamageStats& damage_stats() const { return damage_stats_; }
  // The rectangles (output pixels) the last frame drew and presented; one covering everything when it was
  // drawn whole, none when nothing changed.
  [[nodiscard]] const std::vector<SDL_Rect>& last_damage() const { return damage_rects_; }
  // The next frame is drawn whole (benchmarks of a whole frame; an expose).
  void redraw_all() { redraw_all_ = true; }
  [[nodiscard]] const ui::AtlasStats& atlas() const { return fonts_->stats(); }
  [[nodiscard]] ui::FontBook& fonts() { return *fonts_; }
  [[nodiscard]] ui::Shell& shell() { return *shell_; }
  [[nodiscard]] ImeEngines& ime() { return *ime_; }
  // Secrets kept for a later effect (the PIN while the final-try question is open; tests).
  [[nodiscard]] std::size_t secrets_held() const { return dispatcher_.held(); }
  // Nothing pending: no frame wanted, no pointer events queued.
  [[nodiscard]] bool settled() const;
  // The KEY reminder's chimes played (a terminal without sound plays none; tests).
  [[nodiscard]] int chimes() const { return chime_ ? chime_->played() : 0; }
  // Called once, right after the first frame is presented, and after every frame (benchmarks).
  std::function<void()> on_first_frame;
  std::function<void(std::uint64_t frame)> on_frame;
  // The event log (the staff screen reads its ring: events().last(n)).
  [[nodiscard]] events::EventLog& events() const { return *events_; }
  // Where start-up time went: (phase, ms since the process started), in order.
  [[nodiscard]] const std::vector<std::pair<std::string, double>>& startup() const { return startup_; }

 private:
  static constexpr int kSettleFrames = 2;  // after input or a change: ImGui's hover/active state, then steady
  static std::string sdl_error(const char* what);
  void init_display();
  void destroy_display();
  void build_fonts();
  void upload_fonts();
  void destroy_font_texture();
  void update_scale();
  void handle(const SDL_Event& ev);
  void wait(int timeout_ms);
  int timeout_ms() const;
  void service();
  void draw();
  void rasterise();
  void check_frame(SDL_Surface* target);
  void check_against_backend(SDL_Surface* target);
  void present();
  // core::update + effects, without asking for a frame
  void apply(const core::Event& e, runtime::Secrets secrets = {});
  core::Millis now_ms() const;
  core::UnixSeconds wall_now() const;
  void wake();

  AppConfig config_;
  std::unique_ptr<events::EventLog> own_events_;  // when the configuration names no log
  events::EventLog* events_ = nullptr;
  events::Channel app_events_;  // "app"
  std::unique_ptr<Chime> chime_;
  runtime::Runtime& runtime_;
  runtime::Dispatcher dispatcher_;
  SDL_Window* window_ = nullptr;
  SDL_Surface* surface_ = nullptr;  // headless target
  SDL_Renderer* renderer_ = nullptr;
  SDL_Texture* font_texture_ = nullptr;  // the atlas, made by upload_fonts()
  TextureGenerations generations_;       // before textures_: SdlTextures reports to it
  SoftwareRaster raster_;
  DamageTracker damage_;
  std::vector<SDL_Rect> damage_rects_;
  DamageStats damage_stats_;
  bool redraw_all_ = true;
  bool rasterised_ = false;  // this frame's pixels were drawn
  std::optional<core::Screen> drawn_screen_;
  core::Language drawn_language_{};
  std::uint32_t wake_event_ = 0;
  ImGuiContext* imgui_ = nullptr;
  std::unique_ptr<ui::FontBook> fonts_;
  MappedFile extended_font_;
  std::unique_ptr<SdlTextures> textures_;
  std::unique_ptr<ImeEngines> ime_;
  std::unique_ptr<ui::Shell> shell_;
  ui::PointerInput pointer_;
  std::optional<SDL_FingerID> finger_;
  float scale_ = 1.0f;
  ImVec2 logical_{1920, 1080};
  core::Model model_;
  std::optional<core::Millis> wake_at_;
  core::Millis skew_ = 0;
  core::UnixSeconds wall_skew_ = 0;  // replace_model(): the wall clock continues from the model's
  int frames_wanted_ = 0;
  bool activity_pending_ = false;
  bool quit_ = false;
  std::atomic<bool> stop_requested_{false};
  bool stopping_ = false;
  std::chrono::steady_clock::time_point next_heartbeat_{};
  void heartbeat();
  bool capture_ = false;
  ui::Image captured_;
  std::uint64_t frames_ = 0;
  std::uint64_t session_ = 0;
  FrameTimes times_;
  std::vector<std::pair<std::string, double>> startup_;
  void mark(const char* phase);
  std::chrono::steady_clock::time_point last_frame_;
  std::mutex wake_mutex_;
  std::condition_variable wake_cv_;
  bool woken_ = false;
  std::mutex posted_mutex_;
  std::vector<std::function<void()>> posted_;  // post()'s tasks, under posted_mutex_
};

}  // namespace app
