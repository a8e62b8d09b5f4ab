#include "app.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <span>

#include <time.h>

#include <imgui.h>
#include <imgui_impl_sdlrenderer.h>

#include "core/update.hpp"

namespace app {
namespace {

double ms_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

App::App(AppConfig config, runtime::Runtime& runtime)
    : config_(std::move(config)), runtime_(runtime), dispatcher_(runtime) {
  events_ = config_.events;
  if (!events_) {
    own_events_ = std::make_unique<events::EventLog>();
    own_events_->add_sink(std::make_shared<events::StreamSink>(stderr));
    events_ = own_events_.get();
  }
  app_events_ = events::Channel(events_, "app");
  chime_ = std::make_unique<Chime>(app_events_);
  if (!config_.seed) config_.seed = [] { return static_cast<std::uint32_t>(std::random_device{}()); };
  mark("app");
  init_display();
  mark("display");
  wake_event_ = SDL_RegisterEvents(1);

  IMGUI_CHECKVERSION();
  imgui_ = ImGui::CreateContext();
  ui::configure_imgui(ImGui::GetIO(), ImGui::GetStyle());
  ImGui_ImplSDLRenderer_Init(renderer_);

  ui::GlyphSet start = ui::base_glyphs();
  start.add_all(config_.assets.i18n.glyphs());
  const auto& start_font = config_.assets.start_font;
  fonts_ = std::make_unique<ui::FontBook>(
      std::span<const unsigned char>(start_font.data(), start_font.size()), std::move(start),
      [this]() -> ui::FontBook::Bytes {
        auto mapped = MappedFile::open(config_.assets.extended_font);
        if (!mapped) {
          events::Channel(events_, "fonts")
              .warning("the larger font is missing (" + mapped.error() + "): rare characters show as boxes",
                       {.step = "load"});
          return {};
        }
        extended_font_ = std::move(*mapped);
        return extended_font_.bytes();
      },
      events::Channel(events_, "fonts"));
  upload_fonts();
  mark("fonts");

  textures_ = std::make_unique<SdlTextures>(renderer_, config_.assets.pictures,
                                            events::Channel(events_, "textures"), &generations_);
  ImeOptions io;
  io.rime_schema_dir = config_.assets.dir / "rime";
  io.events = events::Channel(events_, "ime");
  ime_ = std::make_unique<ImeEngines>(std::move(io));  // loads nothing until a customer needs it
  ui::ShellOptions so;
  so.ime = ime_.get();
  so.demo_panel = config_.demo_panel;
  so.shuffle_pin_keypad = config_.shuffle_pin_keypad;
  so.seed = config_.seed;
  shell_ = std::make_unique<ui::Shell>(config_.assets.i18n, *fonts_, *textures_, so);

  runtime_.set_waker([this] { wake(); });
  model_ = core::initial_model(config_.settings, now_ms(), wall_now());
  session_ = model_.session;
  auto started = core::start(std::move(model_));
  model_ = std::move(started.model);
  dispatcher_.run(model_, started.effects);
  last_frame_ = std::chrono::steady_clock::now();
  want_frames(1);
  mark("model");
}

FrameTimes::FrameTimes() {
  for (auto* v : {&imgui_cpu_ms, &frame_cpu_ms, &frame_ms}) v->reserve(2 * kKept);
}

void FrameTimes::add(double imgui_cpu, double frame_cpu, double frame_wall) {
  for (auto* v : {&imgui_cpu_ms, &frame_cpu_ms, &frame_ms}) {
    if (v->size() == 2 * kKept) v->erase(v->begin(), v->begin() + kKept);
  }
  imgui_cpu_ms.push_back(imgui_cpu);
  frame_cpu_ms.push_back(frame_cpu);
  frame_ms.push_back(frame_wall);
}

void App::mark(const char* phase) {
  startup_.emplace_back(phase, ms_between(config_.started, std::chrono::steady_clock::now()));
}

App::~App() {
  runtime_.set_waker({});
  shell_.reset();
  ime_.reset();
  textures_.reset();
  if (imgui_) {
    destroy_font_texture();
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui::DestroyContext(imgui_);
  }
  destroy_display();
  SDL_Quit();
}

// ---- input ----------------------------------------------------------------------------------------------
void App::pointer(ui::PointerEvent e) {
  pointer_.push(e);
  if (e.kind == ui::PointerEvent::Kind::Down) activity_pending_ = true;
  // A move only needs its own frame (a list follows the finger); a press or release also needs ImGui to
  // settle its active/hovered state.
  want_frames(e.kind == ui::PointerEvent::Kind::Move ? 1 : kSettleFrames);
}

void App::handle(const SDL_Event& ev) {
  using Kind = ui::PointerEvent::Kind;
  switch (ev.type) {
    case SDL_QUIT:
      // A window closed. Full screen there is no way out for a customer: only the service's stop ends the
      // kiosk (request_stop(), from SIGTERM). A developer's window closes the same safe way.
      if (config_.mode == DisplayMode::Windowed) request_stop();
      break;
    case SDL_KEYDOWN:
      // Development only: a production kiosk has no keyboard, and must not close from one.
      if (config_.mode == DisplayMode::Windowed && ev.key.keysym.sym == SDLK_ESCAPE) request_stop();
      break;
    case SDL_WINDOWEVENT:
      if (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) update_scale();
      if (ev.window.event == SDL_WINDOWEVENT_EXPOSED || ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
          ev.window.event == SDL_WINDOWEVENT_SHOWN || ev.window.event == SDL_WINDOWEVENT_RESTORED) {
        redraw_all_ = true;  // the window's pixels may be gone: all of them again
        want_frames(1);
      }
      break;
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_FINGERUP: {
      // One finger drives the pointer; others are ignored until it lifts.
      if (ev.type == SDL_FINGERDOWN && !finger_) finger_ = ev.tfinger.fingerId;
      if (!finger_ || *finger_ != ev.tfinger.fingerId) break;
      // Finger positions are fractions of the window (of the surface, headless).
      int w = surface_ ? surface_->w : 0;
      int h = surface_ ? surface_->h : 0;
      if (window_) SDL_GetWindowSize(window_, &w, &h);
      const ImVec2 p(ev.tfinger.x * static_cast<float>(w) / scale_,
                     ev.tfinger.y * static_cast<float>(h) / scale_);
      const Kind k = ev.type == SDL_FINGERDOWN ? Kind::Down : ev.type == SDL_FINGERUP ? Kind::Up : Kind::Move;
      if (k == Kind::Up) finger_.reset();
      pointer({k, p});
      break;
    }
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
      if (ev.button.which == SDL_TOUCH_MOUSEID || ev.button.button != SDL_BUTTON_LEFT) break;
      pointer({ev.type == SDL_MOUSEBUTTONDOWN ? Kind::Down : Kind::Up,
               ImVec2(static_cast<float>(ev.button.x) / scale_, static_cast<float>(ev.button.y) / scale_)});
      break;
    case SDL_MOUSEMOTION:
      if (ev.motion.which == SDL_TOUCH_MOUSEID || (ev.motion.state & SDL_BUTTON_LMASK) == 0) break;
      pointer({Kind::Move,
               ImVec2(static_cast<float>(ev.motion.x) / scale_, static_cast<float>(ev.motion.y) / scale_)});
      break;
    default:
      break;  // the runtime's wake event needs nothing here: service() drains the runtime anyway
  }
}

void App::wake() {
  if (config_.mode == DisplayMode::Headless) {
    {
      std::lock_guard lock(wake_mutex_);
      woken_ = true;
    }
    wake_cv_.notify_one();
    return;
  }
  SDL_Event ev{};
  ev.type = wake_event_;
  SDL_PushEvent(&ev);  // thread-safe
}

void App::wait(int timeout) {
  SDL_Event ev;
  if (config_.mode == DisplayMode::Headless) {
    // SDL_WaitEventTimeout polls every millisecond when there is no video device; wait on our own.
    std::unique_lock lock(wake_mutex_);
    if (timeout < 0)
      wake_cv_.wait(lock, [&] { return woken_; });
    else if (timeout > 0)
      wake_cv_.wait_for(lock, std::chrono::milliseconds(timeout), [&] { return woken_; });
    woken_ = false;
    lock.unlock();
    while (SDL_PollEvent(&ev)) handle(ev);
    return;
  }
  const int got = timeout < 0 ? SDL_WaitEvent(&ev) : SDL_WaitEventTimeout(&ev, timeout);
  if (got) handle(ev);
  while (SDL_PollEvent(&ev)) handle(ev);
}

// ---- the loop -------------------------------------------------------------------------------------------
core::Millis App::now_ms() const {
  if (config_.stepped_clock) return config_.stepped_clock->elapsed_ms() + skew_;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               config_.started)
             .count() +
         skew_;
}

core::UnixSeconds App::wall_now() const {
  if (config_.stepped_clock) return config_.stepped_clock->wall() + skew_ / 1000 + wall_skew_;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
             .count() +
         skew_ / 1000 + wall_skew_;
}

void App::advance(core::Millis ms) {
  if (config_.stepped_clock)
    config_.stepped_clock->advance(ms);  // the runtime reads it too
  else
    skew_ += ms;
  want_frames(1);
}

void App::want_frames(int n) {
  frames_wanted_ = std::max(frames_wanted_, n);
}

bool App::settled() const {
  return frames_wanted_ == 0 && !pointer_.pending() && !activity_pending_ && !fonts_->needs_rebuild();
}

int App::timeout_ms() const {
  if (!settled()) return 0;
  int t = -1;
  if (wake_at_) t = static_cast<int>(std::clamp<core::Millis>(*wake_at_ - now_ms(), 0, 24 * 3600 * 1000));
  if (config_.heartbeat_every) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat_ -
                                                                            std::chrono::steady_clock::now());
    const int h = static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 24 * 3600 * 1000));
    t = t < 0 ? h : std::min(t, h);
  }
  return t;
}

void App::request_stop() {
  (void)runtime_.stop_at_safe_point();  // at once: a result arriving before the loop's pass starts nothing
  stop_requested_ = true;
  wake();
}

void App::heartbeat() {
  if (!config_.heartbeat_every) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_heartbeat_) return;
  next_heartbeat_ = now + *config_.heartbeat_every;
  if (config_.on_heartbeat) config_.on_heartbeat();
}

void App::apply(const core::Event& e, runtime::Secrets secrets) {
  const bool key_left = model_.key_left_since.has_value();
  auto u = dispatcher_.dispatch(std::move(model_), e, std::move(secrets));
  model_ = std::move(u.model);
  // 请取走您的KEY: the chime goes with the reminder, once per session that ended with a KEY in.
  if (!key_left && model_.key_left_since) (void)chime_->play();
  // Staff's 【重启程序】: the safe stop; the service manager starts the kiosk again (Restart=always).
  if (const auto* d = std::get_if<core::StaffActionDone>(&e);
      d && d->ok && d->kind == core::StaffActionKind::RestartApp)
    request_stop();
  if (model_.session != session_) {
    session_ = model_.session;
    textures_->drop_images();  // the customer's QR goes with them
    ime_->release();           // and the keyboard's engines, until the next customer types
  }
}

void App::replace_model(core::Model m) {
  skew_ += m.now - now_ms();
  wall_skew_ += m.wall - wall_now();
  model_ = std::move(m);
  if (model_.session != session_) {
    session_ = model_.session;
    textures_->drop_images();
  }
  want_frames(kSettleFrames);
}

void App::dispatch(const core::Event& e, runtime::Secrets secrets) {
  apply(e, std::move(secrets));
  want_frames(kSettleFrames);
}

void App::post(std::function<void()> task) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(task));
  }
  wake();
}

void App::service() {
  if (stop_requested_ && !stopping_) {
    stopping_ = true;
    app_events_.info("stopping: no new step starts; the kiosk ends when the current one reaches its end",
                     {.step = "stop"});
    if (config_.on_stop) config_.on_stop();
    (void)runtime_.stop_at_safe_point();  // from here on nothing new starts
  }
  heartbeat();
  const core::Millis now = now_ms();
  const bool due = wake_at_ && now >= *wake_at_;
  apply(core::Tick{now, wall_now()});
  if (due) want_frames(1);
  if (activity_pending_) {
    activity_pending_ = false;
    dispatch(core::Activity{});
  }
  for (const auto& e : runtime_.drain()) dispatch(e);
  std::vector<std::function<void()>> posted;
  {
    std::lock_guard lock(posted_mutex_);
    posted.swap(posted_);
  }
  for (auto& task : posted) task();
  if (frames_wanted_ > 0 || pointer_.pending() || fonts_->needs_rebuild()) {
    if (fonts_->needs_rebuild()) upload_fonts();
    draw();
    if (frames_wanted_ > 0) --frames_wanted_;
  }
  wake_at_ = core::next_wakeup(model_);
  if (stopping_ && runtime_.stop_at_safe_point()) quit_ = true;
}

int App::run() {
  want_frames(1);
  while (!quit_) {
    wait(timeout_ms());
    service();
  }
  return 0;
}

bool App::pump(int wait_ms) {
  int t = timeout_ms();
  if (wait_ms >= 0) t = t < 0 ? wait_ms : std::min(t, wait_ms);
  wait(t);
  const auto before = frames_;
  service();
  return frames_ != before;
}

int App::settle(int max_frames) {
  const auto before = frames_;
  for (int i = 0; i < max_frames && !settled(); ++i) {
    wait(0);
    service();
  }
  return static_cast<int>(frames_ - before);
}

void App::hold(int ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!quit_) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    int t = timeout_ms();
    t = t < 0 ? static_cast<int>(left) : std::min<int>(t, static_cast<int>(left));
    wait(t);
    service();
  }
}

ui::Image App::screenshot() {
  capture_ = true;
  want_frames(1);
  draw();
  if (frames_wanted_ > 0) --frames_wanted_;
  return std::move(captured_);
}

void App::draw() {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_ms();
  ImGuiIO& io = ImGui::GetIO();
  pointer_.apply(io);
  io.DisplaySize = logical_;
  io.DeltaTime = static_cast<float>(std::clamp(ms_between(last_frame_, t0) / 1000.0, 1e-4, 1.0));
  last_frame_ = t0;
  const double c1 = thread_cpu_ms();
  textures_->begin_frame();
  ui::FrameResult result = shell_->frame(model_);
  if (fonts_->needs_rebuild()) {
    // The frame met characters the atlas lacks (a name from a certificate): add them and lay the frame out
    // again before anything is shown, so no placeholder box flashes. The second pass sees the same pointer
    // state, so a tap is not reported twice.
    upload_fonts();
    ui::FrameResult again = shell_->frame(model_);
    for (auto& sec : again.secrets) result.secrets.push_back(std::move(sec));
    for (auto& e : again.events) result.events.push_back(std::move(e));
  }
  const double c2 = thread_cpu_ms();
  if (frames_ == 0) mark("imgui");
  const bool raster =
      capture_ || !(config_.mode == DisplayMode::Headless && config_.rasterise_only_screenshots);
  rasterised_ = raster;
  if (raster) rasterise();
  if (frames_ == 0) mark("raster");
  if (capture_) {
    capture_ = false;
    int w = 0;
    int h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    captured_.width = w;
    captured_.height = h;
    captured_.rgba.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4, 0);
    // Read at the output's size, not the layout's, and all of it: ImGui's backend leaves the viewport it
    // found, which at a scale below 1 is a pixel short of the output (SDL_RenderGetViewport rounds it down).
    SDL_RenderSetScale(renderer_, 1.0f, 1.0f);
    SDL_RenderSetViewport(renderer_, nullptr);
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_RGBA32, captured_.rgba.data(), w * 4) != 0)
      app_events_.error(sdl_error("reading the frame back"), {.step = "screenshot"});
    SDL_RenderSetScale(renderer_, scale_, scale_);
  }
  present();
  const auto t3 = std::chrono::steady_clock::now();
  const double c3 = thread_cpu_ms();
  ++frames_;
  times_.add(c2 - c1, c3 - c0, ms_between(t0, t3));
  if (frames_ == 1) {
    mark("first frame");
    if (on_first_frame) on_first_frame();
  }
  if (on_frame) on_frame(frames_);

  // Each event with the secrets it names; one no event names is wiped with `typed` at the end of this.
  runtime::Secrets typed;
  for (auto& s : result.secrets) typed.put(s.slot, std::move(s.secret));
  for (const auto& e : result.events) dispatch(e, typed.take(core::secrets_named(e)));
  if (fonts_->needs_rebuild()) want_frames(1);
}

}  // namespace app
