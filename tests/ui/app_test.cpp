// The real ca-kiosk app, offscreen: the event-driven loop, synthetic touches, the harness, screenshots.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "app.hpp"
#include "deferred_runtime.hpp"
#include "files.hpp"
#include "harness.hpp"
#include "renewal_states.hpp"
#include "ui/qr.hpp"
#include "ui/style.hpp"
#include "ui_test_support.hpp"

namespace {

// Records the effects and the secrets that came with each; answers what a test pushes, waking the loop as
// the real runtime does.
class TestRuntime final : public runtime::Runtime {
 public:
  int secrets = 0;
  void run(const core::Effect& e, std::uint64_t, runtime::Secrets s) override {
    std::lock_guard lock(m_);
    effects.emplace_back(core::effect_name(e));
    secrets += static_cast<int>(s.size());
    for (const auto& slot : core::secrets_used(e))
      if (auto v = s.take(slot)) given.emplace_back(core::effect_name(e), std::string(v->reveal()));
  }
  void set_waker(std::function<void()> wake) override {
    std::lock_guard lock(m_);
    wake_ = std::move(wake);
  }
  std::vector<core::Event> drain() override {
    std::lock_guard lock(m_);
    return std::exchange(queue_, {});
  }
  bool wait(int) override { return false; }
  // From any thread, like a worker finishing.
  void push(core::Event e) {
    std::function<void()> wake;
    {
      std::lock_guard lock(m_);
      queue_.push_back(std::move(e));
      wake = wake_;
    }
    if (wake) wake();
  }
  std::vector<std::string> effects;
  std::vector<std::pair<std::string, std::string>> given;  // (effect, the secret it was given)

 private:
  std::mutex m_;
  std::vector<core::Event> queue_;
  std::function<void()> wake_;
};

app::AppConfig headless(int w = 1920, int h = 1080) {
  app::AppConfig c;
  c.mode = app::DisplayMode::Headless;
  c.width = w;
  c.height = h;
  c.assets = app::load_assets(ui_test::build_assets());
  c.seed = [] { return 7u; };
  static events::EventLog quiet;  // no sink: the tests here read no event
  c.events = &quiet;
  return c;
}

void tap(app::App& a, std::string_view key) {
  a.settle();
  auto p = a.widgets().tap_point(key);
  REQUIRE_MESSAGE(p.has_value(), "no widget " << std::string(key));
  a.pointer({ui::PointerEvent::Kind::Down, *p});
  a.pointer({ui::PointerEvent::Kind::Up, *p});
  a.settle();
}

std::filesystem::path temp_dir(const char* name) {
  auto d = std::filesystem::temp_directory_path() /
           (std::string("kiosk-ui-test-") + name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace

TEST_CASE("idle on home, the loop draws nothing") {
  TestRuntime rt;
  app::App a(headless(), rt);
  a.settle();
  CHECK(a.frames_drawn() >= 1);
  CHECK(core::screen_of(a.model()) == core::Screen::Home);
  const auto frames = a.frames_drawn();
  a.hold(1500);
  CHECK(a.frames_drawn() == frames);  // 0 frames per second
}

TEST_CASE("a countdown on screen draws about one frame per second, no more") {
  TestRuntime rt;
  app::App a(headless(), rt);
  tap(a, "home.renew");
  REQUIRE(core::screen_of(a.model()) == core::Screen::Products);
  a.advance(60'500);
  a.pump(0);
  a.settle();
  REQUIRE(a.model().idle_overlay);
  const auto frames = a.frames_drawn();
  a.hold(2600);
  const auto drawn = a.frames_drawn() - frames;
  CHECK(drawn >= 2);
  CHECK(drawn <= 4);
}

TEST_CASE("a runtime result from another thread wakes the loop and is drawn") {
  TestRuntime rt;
  app::App a(headless(), rt);
  a.settle();
  const auto frames = a.frames_drawn();
  core::KeyStatus k;
  k.presence = core::KeyPresence::Recognised;
  k.brand_id = "haitai";
  k.brand_name = "海泰KEY";
  std::thread worker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    rt.push(core::KeyStatusChanged{k});
  });
  a.pump(5000);  // blocks until the wake, not 5 s
  worker.join();
  a.settle();
  CHECK(a.model().key.presence == core::KeyPresence::Recognised);
  CHECK(a.frames_drawn() > frames);
  CHECK(a.widgets().find("chrome.key_status")->text == "已识别：海泰KEY");
}

TEST_CASE("a synthetic tap in the real app acts once, sends Activity, and the effects reach the runtime") {
  TestRuntime rt;
  app::App a(headless(), rt);
  CHECK(rt.effects == std::vector<std::string>{"LoadCatalog"});  // core::start
  a.advance(5'000);
  tap(a, "home.renew");
  CHECK(core::screen_of(a.model()) == core::Screen::Products);
  CHECK(a.model().last_activity >= 5'000);
  tap(a, "chrome.home");  // leaving the renewal wipes the session
  CHECK(core::screen_of(a.model()) == core::Screen::Home);
  CHECK(rt.effects.back() == "WipeSession");
}

TEST_CASE("the PIN reaches the runtime only with its Login step; typed before a dismissed question, wiped") {
  TestRuntime rt;
  app::App a(headless(), rt);
  const auto states = ui_test::renewal_states();
  auto it = std::find_if(states.begin(), states.end(),
                         [](const auto& s) { return s.name == "pin-wrong-final-try"; });
  REQUIRE(it != states.end());
  a.replace_model(it->model);  // the key says the next wrong PIN locks it
  auto enter = [&](std::string_view pin) {
    for (char d : pin) tap(a, std::string("keypad.d") + d);
    tap(a, "keypad.ok");
    a.settle();
  };
  enter("123456");
  REQUIRE(core::dialog_of(a.model()) == core::Dialog::FinalPinTry);
  CHECK(rt.secrets == 0);  // not yet asked for: held by the app's dispatcher, not in the runtime
  CHECK(a.secrets_held() == 1);
  tap(a, "dialog.cancel");
  a.settle();
  CHECK(core::dialog_of(a.model()) == core::Dialog::None);
  CHECK(a.secrets_held() == 0);  // nobody will use it: wiped
  CHECK(rt.secrets == 0);
  enter("654321");
  tap(a, "dialog.ok");
  a.settle();
  CHECK(a.secrets_held() == 0);
  CHECK(rt.given == std::vector<std::pair<std::string, std::string>>{{"RunStep", "654321"}});
  CHECK(rt.secrets == 1);
}

TEST_CASE("SDL finger and mouse events become taps; synthetic mouse events from touch are ignored") {
  TestRuntime rt;
  app::App a(headless(), rt);
  a.settle();
  const auto p = a.widgets().tap_point("home.renew");
  REQUIRE(p.has_value());
  auto push = [](SDL_Event e) { REQUIRE(SDL_PushEvent(&e) == 1); };
  SDL_Event e{};
  e.type = SDL_FINGERDOWN;
  e.tfinger.fingerId = 7;
  e.tfinger.x = p->x / 1920.0f;
  e.tfinger.y = p->y / 1080.0f;
  push(e);
  SDL_Event second = e;  // a second finger meanwhile is ignored
  second.tfinger.fingerId = 8;
  second.tfinger.x = 0.99f;
  push(second);
  SDL_Event mouse{};  // SDL's mouse event made from the same touch
  mouse.type = SDL_MOUSEBUTTONDOWN;
  mouse.button.which = SDL_TOUCH_MOUSEID;
  mouse.button.button = SDL_BUTTON_LEFT;
  push(mouse);
  e.type = SDL_FINGERUP;
  push(e);
  a.pump(0);
  a.settle();
  CHECK(core::screen_of(a.model()) == core::Screen::Products);

  tap(a, "chrome.home");
  REQUIRE(core::screen_of(a.model()) == core::Screen::Home);
  a.settle();
  const auto q = a.widgets().tap_point("home.personal");
  REQUIRE(q.has_value());
  SDL_Event m{};
  m.type = SDL_MOUSEBUTTONDOWN;
  m.button.which = 0;
  m.button.button = SDL_BUTTON_LEFT;
  m.button.x = static_cast<int>(q->x);
  m.button.y = static_cast<int>(q->y);
  push(m);
  m.type = SDL_MOUSEBUTTONUP;
  push(m);
  a.pump(0);
  a.settle();
  CHECK(core::screen_of(a.model()) == core::Screen::Login);
}

TEST_CASE("new characters in a name reach the atlas between frames") {
  TestRuntime rt;
  app::App a(headless(), rt);
  a.settle();
  CHECK(a.atlas().added == 0);
  core::KeyStatus k;
  k.presence = core::KeyPresence::Recognised;
  k.brand_name = "鑫垚KEY";
  a.dispatch(core::KeyStatusChanged{k});
  a.settle();
  CHECK(a.atlas().added >= 2);
  CHECK(a.fonts().has(U'鑫'));
  CHECK(a.settled());
}

TEST_CASE("screenshots follow the display, in both orientations") {
  TestRuntime rt;
  app::App a(headless(), rt);
  a.settle();
  auto img = a.screenshot();
  CHECK(img.width == 1920);
  CHECK(img.height == 1080);
  auto at = [&](const ui::Image& i, int x, int y) {
    const auto o =
        (static_cast<std::size_t>(y) * static_cast<std::size_t>(i.width) + static_cast<std::size_t>(x)) * 4;
    return ui::Rgb{i.rgba[o], i.rgba[o + 1], i.rgba[o + 2]};
  };
  CHECK(at(img, 5, 5).r == ui::color::kBar.r);
  CHECK(at(img, 5, 5).b == ui::color::kBar.b);
  a.resize(1080, 1920);
  a.settle();
  CHECK(a.display().x == 1080);
  img = a.screenshot();
  CHECK(img.width == 1080);
  CHECK(img.height == 1920);
  for (const auto& p : ui::check_layout(a.widgets(), a.display())) FAIL_CHECK(ui::to_string(p));
}

TEST_CASE("the shell's harness script runs clean and writes every screenshot") {
  TestRuntime rt;
  auto config = headless();
  config.rasterise_only_screenshots = true;
  app::App a(std::move(config), rt);
  // As ca-kiosk --headless runs it: checked whole, then read a line at a time as it runs.
  const std::filesystem::path script = ui_test::source_assets() + "/harness/shell.txt";
  REQUIRE(app::check_script_file(script).empty());
  const auto out = temp_dir("shots");
  std::FILE* log = std::tmpfile();
  const auto r = app::run_script_file(a, script, out, log);
  std::rewind(log);
  std::string printed;
  char buf[512];
  while (std::fgets(buf, sizeof buf, log)) printed += buf;
  std::fclose(log);
  CHECK_MESSAGE(r.failures == 0, printed);
  CHECK(r.shots.size() >= 12);
  for (const auto& s : r.shots) CHECK(std::filesystem::file_size(s) > 10'000);
  CHECK(printed.find("[01] size 1920x1080") != std::string::npos);
  std::filesystem::remove_all(out);
}

TEST_CASE("a script error names its line") {
  auto bad = app::parse_script("size 1920x1080\nfly home\ntap\nexpect screen Nowhere\nadvance soon\n");
  REQUIRE_FALSE(bad.has_value());
  REQUIRE(bad.error().size() == 4);
  CHECK(bad.error()[0].starts_with("line 2: unknown command"));
  CHECK(bad.error()[1].starts_with("line 3: usage: tap"));
  CHECK(bad.error()[2].starts_with("line 4: unknown screen"));
  CHECK(bad.error()[3].starts_with("line 5: usage: advance"));
  // The same from a file, checked without keeping its steps; a file that is not there says so.
  const auto dir = temp_dir("script");
  std::ofstream(dir / "bad.txt") << "size 1920x1080\nfly home\ntap\nexpect screen Nowhere\nadvance soon\n";
  CHECK(app::check_script_file(dir / "bad.txt") == bad.error());
  const auto missing = app::check_script_file(dir / "missing.txt");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].starts_with("cannot read"));
  std::filesystem::remove_all(dir);
  auto ok = app::parse_script(
      "# comment\n\ntap home.renew  # trailing\nkey recognised haitai 海泰KEY\necho hello world\n");
  REQUIRE(ok.has_value());
  CHECK(ok->size() == 3);
  CHECK((*ok)[2].args == std::vector<std::string>{"hello world"});
}

TEST_CASE("the deferred runtime keeps what came before the real one, in order, then goes straight through") {
  app::DeferredRuntime d;
  int woken = 0;
  d.set_waker([&] { ++woken; });
  d.run(core::LoadCatalog{}, 1, {});
  runtime::Secrets pin;
  const core::SecretSlot slot{core::SecretKind::Pin, 1};
  pin.put(slot, foundation::SecretBuffer("123456"));
  core::RunStep login;
  login.pin = slot;
  d.run(login, 1, std::move(pin));
  d.run(core::ReadKey{}, 1, {});
  CHECK(d.drain().empty());
  CHECK_FALSE(d.attached());
  auto real = std::make_unique<TestRuntime>();
  TestRuntime* r = real.get();
  d.attach(std::move(real));
  CHECK(d.attached());
  CHECK(r->effects == std::vector<std::string>{"LoadCatalog", "RunStep", "ReadKey"});
  CHECK(r->given == std::vector<std::pair<std::string, std::string>>{{"RunStep", "123456"}});
  d.run(core::WipeSession{}, 2, {});
  CHECK(r->effects.back() == "WipeSession");
  r->push(core::KeyStatusChanged{});
  CHECK(woken == 1);  // the waker given before attach() is the real runtime's now
  CHECK(d.drain().size() == 1);
}

TEST_CASE("headless outside the demo is refused") {
  const int rc = std::system(CA_KIOSK_BIN " --headless --script /dev/null >/dev/null 2>&1");
  REQUIRE(WIFEXITED(rc));
  CHECK(WEXITSTATUS(rc) == 2);
}

namespace {

// ca-kiosk with `args`, as a user who cannot enter `locked` (a folder of mode 000; as root, run as nobody);
// its exit status and what it wrote to stderr. The program and its modules are copied into `bin` first:
// the build tree may sit below a folder only its owner may enter (a clone in `mktemp -d`).
std::pair<int, std::string> kiosk_locked_out(const std::filesystem::path& bin, const std::filesystem::path& locked,
                                             const std::string& env, const std::string& args) {
  std::filesystem::permissions(locked, std::filesystem::perms::none);
  const std::filesystem::path err = locked.parent_path() / "stderr";
  const std::string as = geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  const int rc = std::system((as + "env " + env + " " + (bin / "ca-kiosk").string() + " " + args +
                              " >/dev/null 2>" + err.string())
                                 .c_str());
  std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
  auto bytes = app::read_file(err);
  return {rc, bytes ? std::string(bytes->begin(), bytes->end()) : std::string()};
}

}  // namespace

TEST_CASE("an assets folder or demo module the kiosk's user cannot read: one line and exit 3, no terminate") {
  std::string t = (std::filesystem::temp_directory_path() / "kiosk-locked-XXXXXX").string();
  REQUIRE(mkdtemp(t.data()));
  const std::filesystem::path dir = t;
  std::filesystem::permissions(dir, std::filesystem::perms::all);  // nobody may write stderr here
  std::filesystem::create_directories(dir / "locked" / "assets");
  // What nobody may read: the program, the modules it loads from beside itself, and the test's assets.
  const std::filesystem::path bin = dir / "bin";
  std::filesystem::create_directories(bin);
  const std::filesystem::path exe = CA_KIOSK_BIN;
  for (const char* f : {"ca-kiosk", "libkiosk_runtime.so"})
    if (std::filesystem::exists(exe.parent_path() / f)) std::filesystem::copy_file(exe.parent_path() / f, bin / f);
  std::filesystem::copy_file(KIOSK_DEMO_MODULE, bin / "libkiosk_demo.so");
  std::filesystem::copy(KIOSK_TEST_ASSETS, dir / "assets", std::filesystem::copy_options::recursive);
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    std::filesystem::permissions(e.path(),
                                 std::filesystem::perms::others_read | std::filesystem::perms::group_read |
                                     (e.is_directory() || e.path().parent_path() == bin
                                          ? std::filesystem::perms::others_exec | std::filesystem::perms::group_exec
                                          : std::filesystem::perms::none),
                                 std::filesystem::perm_options::add);
  {
    auto [rc, err] = kiosk_locked_out(bin, dir / "locked", "",
                                      "--demo --headless --assets " + (dir / "locked" / "assets").string());
    CAPTURE(err);
    REQUIRE(WIFEXITED(rc));
    CHECK(WEXITSTATUS(rc) == 3);
    CHECK(err.find("cannot read the assets folder") != std::string::npos);
    CHECK(err.find("ermission denied") != std::string::npos);
    CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  }
  {
    std::filesystem::copy_file(KIOSK_DEMO_MODULE, dir / "locked" / "libkiosk_demo.so");
    auto [rc, err] = kiosk_locked_out(bin, dir / "locked",
                                      "KIOSK_DEMO_MODULE=" + (dir / "locked" / "libkiosk_demo.so").string(),
                                      "--demo --headless --assets " + (dir / "assets").string());
    CHECK(err.find("libkiosk_demo.so") != std::string::npos);
    CAPTURE(err);
    REQUIRE(WIFEXITED(rc));
    CHECK(WEXITSTATUS(rc) == 3);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a QR code made by kiosk/ui, drawn through an SDL texture, scans back to its URL (zbarimg)") {
  const std::string url = "weixin://wxpay/bizpayurl?pr=Kiosk42x";
  auto img = ui::qr_image(url, {.module_px = 6, .quiet_modules = 4});
  REQUIRE(img.has_value());
  // As the app draws it: a texture, copied onto a software-rendered surface at twice its size.
  SDL_Surface* surface = SDL_CreateRGBSurfaceWithFormat(0, 640, 640, 32, SDL_PIXELFORMAT_ARGB8888);
  SDL_Renderer* r = SDL_CreateSoftwareRenderer(surface);
  REQUIRE(r);
  SDL_SetRenderDrawColor(r, 0xF3, 0xF5, 0xF8, 0xFF);
  SDL_RenderClear(r);
  {
    app::TexturePtr tex = app::make_texture(r, *img);
    REQUIRE(tex);
    const SDL_Rect dst{20, 20, img->width * 2, img->height * 2};
    SDL_RenderCopy(r, tex.get(), nullptr, &dst);
  }
  ui::Image shot;
  shot.width = 640;
  shot.height = 640;
  shot.rgba.resize(640 * 640 * 4);
  REQUIRE(SDL_RenderReadPixels(r, nullptr, SDL_PIXELFORMAT_RGBA32, shot.rgba.data(), 640 * 4) == 0);
  SDL_DestroyRenderer(r);
  SDL_FreeSurface(surface);
  const auto dir = temp_dir("qr");
  const auto png = dir / "qr.png";
  REQUIRE(app::write_png(png, shot).has_value());
  const std::string cmd = "zbarimg --raw -q " + png.string() + " > " + (dir / "out.txt").string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto decoded = app::read_file(dir / "out.txt");
  REQUIRE(decoded.has_value());
  std::string s(decoded->begin(), decoded->end());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  CHECK(s == url);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the frame times kept stay bounded however long the kiosk runs") {
  app::FrameTimes t;
  // Their room is taken once: the memory does not move with the frames drawn.
  const std::size_t room = t.frame_cpu_ms.capacity();
  const double* where = t.frame_cpu_ms.data();
  CHECK(room >= 2 * app::FrameTimes::kKept);
  for (int i = 0; i < 5 * static_cast<int>(app::FrameTimes::kKept) + 3; ++i) t.add(i, i, i);
  CHECK(t.frame_cpu_ms.capacity() == room);
  CHECK(t.frame_cpu_ms.data() == where);
  CHECK(t.imgui_cpu_ms.capacity() == t.frame_ms.capacity());
  CHECK(t.frame_cpu_ms.size() >= app::FrameTimes::kKept);
  CHECK(t.frame_cpu_ms.size() <= 2 * app::FrameTimes::kKept);
  CHECK(t.imgui_cpu_ms.size() == t.frame_ms.size());
  CHECK(t.frame_ms.back() == 5 * static_cast<double>(app::FrameTimes::kKept) + 2);
}
