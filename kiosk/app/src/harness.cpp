#include "harness.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <sstream>

#include "process_stats.hpp"
#include "ui/i18n.hpp"
#include "ui/keyboard.hpp"
#include "ui/registry.hpp"

namespace app {
namespace {

struct Verb {
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args;
  std::string_view usage;
};

constexpr Verb kVerbs[] = {
    {"size", 1, 1, "size WxH"},
    {"tap", 1, 1, "tap KEY|X,Y"},
    {"drag", 2, 2, "drag KEY|X,Y DX,DY"},
    {"press", 1, 1, "press KEY|X,Y"},
    {"move", 1, 1, "move X,Y"},
    {"release", 0, 0, "release"},
    {"shot", 1, 1, "shot NAME"},
    {"expect", 2, 2, "expect screen NAME | language CODE | overlay on|off | widget KEY | no-widget KEY"},
    {"wait", 2, 3, "wait screen NAME [MS] | wait widget|enabled KEY [MS] | wait key recognised|none [MS]"},
    {"advance", 1, 1, "advance SECONDS"},
    {"hold", 1, 1, "hold SECONDS"},
    {"frames", 1, 1, "frames N"},
    {"memory", 0, 0, "memory"},
    {"key", 1, 3, "key none | recognised BRAND_ID NAME | not-recognised | driver-missing"},
    {"echo", 0, 1, "echo TEXT"},
    {"type", 2, 2, "type KEY TEXT"},
    {"type-code", 2, 2, "type-code KEY PHONE"},
    {"stroke", 3, 64, "stroke KEY X,Y X,Y ..."},
    {"hook", 1, 1, "hook NAME"},
    {"tap-text", 2, 2, "tap-text KEY_PREFIX TEXT"},
};

template <typename T>
bool parse_number(std::string_view s, T& out) {
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && p == end;
}

bool parse_pair(std::string_view s, char sep, float& a, float& b) {
  const auto at = s.find(sep);
  if (at == std::string_view::npos) return false;
  return parse_number(s.substr(0, at), a) && parse_number(s.substr(at + 1), b);
}

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string join(const std::vector<std::string>& v, std::size_t from) {
  std::string s;
  for (std::size_t i = from; i < v.size(); ++i) {
    if (!s.empty()) s.push_back(' ');
    s += v[i];
  }
  return s;
}

// The interactive widgets on screen, for a "no widget" message that says what there is instead.
std::string tappable(const App& app) {
  std::string s;
  for (const auto& w : app.widgets().all())
    if (w.interactive) s += (s.empty() ? "" : ", ") + w.key;
  return s;
}

class Runner {
 public:
  Runner(App& app, const std::filesystem::path& out, std::FILE* log, const HarnessHooks& hooks)
      : app_(app), out_(out), log_(log), hooks_(hooks) {}

  HarnessResult run(const std::function<std::optional<Step>()>& next) {
    std::error_code ec;
    std::filesystem::create_directories(out_, ec);
    app_.settle();
    while (const auto step = next()) {
      const Step& s = *step;
      ++result_.steps;
      std::string note;
      std::string error;
      bool fatal = false;
      exec(s, note, error, fatal);
      std::fprintf(log_, "[%02d] %-44s", result_.steps, s.source.c_str());
      if (error.empty()) {
        std::fprintf(log_, " ok  %s%s\n", note.c_str(), state().c_str());
      } else {
        ++result_.failures;
        std::fprintf(log_, " FAILED: %s\n", error.c_str());
      }
      std::fflush(log_);
      if (fatal) {
        std::fprintf(log_, "stopping: the steps after this one depend on it\n");
        break;
      }
    }
    std::fprintf(log_, "%d steps, %d failed, %zu screenshots in %s\n", result_.steps, result_.failures,
                 result_.shots.size(), out_.string().c_str());
    return result_;
  }

 private:
  std::string state() const {
    const auto& m = app_.model();
    return std::string("[") + std::string(core::screen_name(core::screen_of(m))) + ", " +
           std::string(ui::language_code(m.language)) + (m.idle_overlay ? ", idle overlay" : "") + "]";
  }

  std::optional<ImVec2> target(const std::string& t, std::string& error) {
    float x = 0;
    float y = 0;
    if (parse_pair(t, ',', x, y)) return ImVec2(x, y);
    app_.settle();
    auto p = app_.widgets().tap_point(t);
    if (!p) {
      const auto* w = app_.widgets().find(t);
      error = w ? "widget \"" + t + "\" is scrolled out of view"
                : "no widget \"" + t + "\" on this screen (tappable: " + tappable(app_) + ")";
    }
    return p;
  }

  void exec(const Step& s, std::string& note, std::string& error, bool& fatal) {
    using Kind = ui::PointerEvent::Kind;
    const auto& a = s.args;
    if (s.verb == "size") {
      float w = 0;
      float h = 0;
      parse_pair(a[0], 'x', w, h);
      app_.resize(static_cast<int>(w), static_cast<int>(h));
      app_.settle();
    } else if (s.verb == "tap" || s.verb == "press") {
      auto p = target(a[0], error);
      if (!p) {
        fatal = true;
        return;
      }
      char buf[48];
      std::snprintf(buf, sizeof buf, "(%.0f,%.0f) ", static_cast<double>(p->x), static_cast<double>(p->y));
      note = buf;
      app_.pointer({Kind::Down, *p});
      last_ = *p;
      if (s.verb == "tap") app_.pointer({Kind::Up, *p});
      app_.settle();
    } else if (s.verb == "move") {
      float x = 0;
      float y = 0;
      parse_pair(a[0], ',', x, y);
      last_ = ImVec2(x, y);
      app_.pointer({Kind::Move, last_});
      app_.settle();
    } else if (s.verb == "release") {
      app_.pointer({Kind::Up, last_});
      app_.settle();
    } else if (s.verb == "drag") {
      auto p = target(a[0], error);
      if (!p) {
        fatal = true;
        return;
      }
      float dx = 0;
      float dy = 0;
      parse_pair(a[1], ',', dx, dy);
      app_.pointer({Kind::Down, *p});
      app_.settle();
      constexpr int kSteps = 12;
      for (int i = 1; i <= kSteps; ++i) {
        const float f = static_cast<float>(i) / kSteps;
        app_.pointer({Kind::Move, ImVec2(p->x + dx * f, p->y + dy * f)});
        app_.settle();
      }
      app_.pointer({Kind::Up, ImVec2(p->x + dx, p->y + dy)});
      app_.settle();
    } else if (s.verb == "shot") {
      shot(a[0], note, error);
    } else if (s.verb == "expect") {
      expect(a, error);
    } else if (s.verb == "wait") {
      int ms = 5000;
      if (a.size() > 2) parse_number(a[2], ms);
      const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
      if (a[0] == "widget" || a[0] == "enabled") {
        const bool need_enabled = a[0] == "enabled";
        auto there = [&] {
          const auto* w = app_.widgets().find(a[1]);
          return w && (!need_enabled || w->enabled);
        };
        app_.settle();
        while (!there() && std::chrono::steady_clock::now() < end) {
          app_.pump(50);
          app_.settle();
        }
        if (!there())
          error = (app_.widgets().find(a[1]) ? "widget " + a[1] + " stays disabled" : "no widget " + a[1]) +
                  " (tappable: " + tappable(app_) + ")";
        return;
      }
      if (a[0] == "key") {
        const auto want_key = a[1] == "none" ? core::KeyPresence::NoKey : core::KeyPresence::Recognised;
        while (app_.model().key.presence != want_key && std::chrono::steady_clock::now() < end) app_.pump(50);
        app_.settle();
        if (app_.model().key.presence != want_key) error = "the key is not " + a[1];
        return;
      }
      auto want = screen_from_name(a[1]);
      while (core::screen_of(app_.model()) != *want && std::chrono::steady_clock::now() < end) app_.pump(50);
      app_.settle();
      if (core::screen_of(app_.model()) != *want)
        error = "still on " + std::string(core::screen_name(core::screen_of(app_.model())));
    } else if (s.verb == "advance") {
      double secs = 0;
      parse_number(a[0], secs);
      app_.advance(static_cast<core::Millis>(secs * 1000));
      app_.pump(0);
      app_.settle();
    } else if (s.verb == "hold") {
      double secs = 0;
      parse_number(a[0], secs);
      app_.settle();
      const auto frames = app_.frames_drawn();
      const double pixels = app_.damage_stats().pixels;
      const double cpu = cpu_seconds();
      app_.hold(static_cast<int>(secs * 1000));
      const auto drawn = app_.frames_drawn() - frames;
      const SDL_Rect out = app_.output();
      const double share = drawn == 0
                               ? 0.0
                               : 100.0 * (app_.damage_stats().pixels - pixels) / static_cast<double>(drawn) /
                                     (static_cast<double>(out.w) * static_cast<double>(out.h));
      char buf[160];
      std::snprintf(
          buf, sizeof buf,
          "%llu frames (%.1f %% of the screen drawn each), %.3f CPU-s in %.0f s (%.3f %% of a core) ",
          static_cast<unsigned long long>(drawn), share, cpu_seconds() - cpu, secs,
          100.0 * (cpu_seconds() - cpu) / secs);
      note = buf;
    } else if (s.verb == "frames") {
      int n = 0;
      parse_number(a[0], n);
      app_.settle();
      const auto before = app_.frames_drawn();
      for (int i = 0; i < n; ++i) {
        app_.redraw_all();  // whole frames: what a screen costs to draw from nothing
        app_.want_frames(1);
        app_.settle(1);
      }
      const auto& all = app_.times().frame_cpu_ms;
      const auto drawn = std::min<std::size_t>(all.size(), static_cast<std::size_t>(app_.frames_drawn() - before));
      std::vector<double> v(all.end() - static_cast<std::ptrdiff_t>(drawn), all.end());
      std::sort(v.begin(), v.end());
      char buf[160];
      if (v.empty()) {
        std::snprintf(buf, sizeof buf, "no frames drawn ");
      } else {
        const auto [anon_kb, file_kb] = rss_kb();
        std::snprintf(buf, sizeof buf,
                      "%zu frames: whole frame CPU median %.2f ms p90 %.2f ms max %.2f ms, RSS now %.1f MB "
                      "(anon %.1f + file %.1f) ",
                      v.size(), v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 9 / 10)], v.back(),
                      static_cast<double>(anon_kb + file_kb) / 1024.0, static_cast<double>(anon_kb) / 1024.0,
                      static_cast<double>(file_kb) / 1024.0);
      }
      note = buf;
    } else if (s.verb == "memory") {
      // What the process holds: RSS by kind, the C heap in use (glibc's count, arenas and mmapped blocks),
      // and of that SQLite's own.
      const auto [anon_kb, file_kb] = rss_kb();
      char buf[200];
      std::snprintf(buf, sizeof buf, "memory: rss_anon_kb %ld rss_file_kb %ld heap_kb %zu sqlite_kb %lld ",
                    anon_kb, file_kb, heap_kb(), sqlite_kb());
      note = buf;
    } else if (s.verb == "key") {
      core::KeyStatus k;
      if (a[0] == "none") {
        k.presence = core::KeyPresence::NoKey;
      } else if (a[0] == "recognised" && a.size() == 3) {
        k.presence = core::KeyPresence::Recognised;
        k.brand_id = a[1];
        k.brand_name = a[2];
        k.identity = {"demo", "demo", "HARNESS-0001"};
      } else if (a[0] == "not-recognised") {
        k.presence = core::KeyPresence::NotRecognised;
        k.identity = {"other", "other", "HARNESS-0002"};
      } else if (a[0] == "driver-missing") {
        k.presence = core::KeyPresence::DriverMissing;
      } else {
        error = "usage: key none | recognised BRAND_ID NAME | not-recognised | driver-missing";
        return;
      }
      app_.dispatch(core::KeyStatusChanged{k});
      app_.settle();
    } else if (s.verb == "echo") {
      note = a.empty() ? "" : a[0] + " ";
    } else if (s.verb == "type") {
      fatal = !type(a[0], a[1], error);
    } else if (s.verb == "type-code") {
      if (!hooks_.sms_code) {
        error = "this environment has no SMS outbox (type-code needs the demo's or a test's platform)";
        fatal = true;
        return;
      }
      // The kiosk's 【获取验证码】 first gets the platform's answer: the code is in the outbox by then.
      auto sending = [&] {
        return std::visit(
            [](const auto& p) {
              auto busy = [](const core::PhoneStep& ph) { return ph.sms == core::SmsState::Sending; };
              if constexpr (requires { p.form.phone; })
                return busy(p.form.phone);  // the login
              else if constexpr (requires { p.form.new_phone; })
                return busy(p.form.new_phone);  // a changed phone in 个人信息
              else if constexpr (requires { p.renewal.phone; })
                return busy(p.renewal.phone);
              else
                return false;
            },
            app_.model().flow);
      };
      const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (sending() && std::chrono::steady_clock::now() < end) app_.pump(50);
      app_.settle();
      auto code = hooks_.sms_code(a[1]);
      if (!code) {
        error = "no SMS code for " + a[1] + ": " + code.error();
        fatal = true;
        return;
      }
      fatal = !type(a[0], *code, error);
    } else if (s.verb == "tap-text") {
      app_.settle();
      const ui::WidgetInfo* hit = nullptr;
      for (const auto& w : app_.widgets().all())
        if (w.interactive && w.key.starts_with(a[0]) && w.text == a[1]) {
          hit = &w;
          break;
        }
      if (!hit) {
        error = "no widget " + a[0] + "… says \"" + a[1] + "\"";
        fatal = true;
        return;
      }
      const std::string key = hit->key;
      note = key + " ";
      fatal = !tap_key(key, error);
    } else if (s.verb == "stroke") {
      stroke(a, error, fatal);
    } else if (s.verb == "hook") {
      auto it = hooks_.named.find(a[0]);
      if (it == hooks_.named.end()) {
        error = "this environment has no hook \"" + a[0] + "\"";
        fatal = true;
        return;
      }
      if (auto r = it->second(); !r) {
        error = a[0] + ": " + r.error();
        fatal = true;
      }
      app_.settle();
    }
  }

  // Taps `key` (a widget key) as a finger would; false when it is not on screen.
  bool tap_key(const std::string& key, std::string& error) {
    auto p = target(key, error);
    if (!p) return false;
    app_.pointer({ui::PointerEvent::Kind::Down, *p});
    app_.pointer({ui::PointerEvent::Kind::Up, *p});
    app_.settle();
    return true;
  }

  // The keys of keyboard / keypad `kb` that type `text`: digits and letters by name, the symbols page and
  // shift when a character needs them (ui::latin_key).
  bool type(const std::string& kb, std::string_view text, std::string& error) {
    for (char ch : text) {
      auto k = ui::latin_key(ch);
      if (!k) {
        error = std::string("no key types '") + ch + "'";
        return false;
      }
      app_.settle();
      const bool on_symbols = app_.widgets().find(kb + ".letters") != nullptr;
      if (k->symbols != on_symbols && !tap_key(kb + (k->symbols ? ".symbols" : ".letters"), error)) return false;
      if (k->shift) {
        const auto* w = app_.widgets().find(kb + "." + k->name);
        if (w && w->text == k->name && !tap_key(kb + ".shift", error)) return false;
      }
      if (!tap_key(kb + "." + k->name, error)) return false;
    }
    return true;
  }

  void stroke(const std::vector<std::string>& a, std::string& error, bool& fatal) {
    app_.settle();
    const auto* w = app_.widgets().find(a[0]);
    if (!w) {
      error = "no widget \"" + a[0] + "\" (tappable: " + tappable(app_) + ")";
      fatal = true;
      return;
    }
    const ImRect r = w->rect;
    std::vector<ImVec2> pts;
    for (std::size_t i = 1; i < a.size(); ++i) {
      float x = 0;
      float y = 0;
      parse_pair(a[i], ',', x, y);
      pts.emplace_back(r.Min.x + x * r.GetWidth(), r.Min.y + y * r.GetHeight());
    }
    using Kind = ui::PointerEvent::Kind;
    app_.pointer({Kind::Down, pts[0]});
    app_.settle();
    for (std::size_t i = 1; i < pts.size(); ++i) {
      constexpr int kSteps = 4;  // a finger's movement arrives in small steps
      for (int k = 1; k <= kSteps; ++k) {
        const float f = static_cast<float>(k) / kSteps;
        app_.pointer({Kind::Move, ImVec2(pts[i - 1].x + (pts[i].x - pts[i - 1].x) * f,
                                         pts[i - 1].y + (pts[i].y - pts[i - 1].y) * f)});
        app_.settle();
      }
    }
    app_.pointer({Kind::Up, pts.back()});
    app_.settle();
  }

  void shot(const std::string& name, std::string& note, std::string& error) {
    app_.settle();
    const ui::Image img = app_.screenshot();
    char file[160];
    std::snprintf(file, sizeof file, "%02zu-%s.png", result_.shots.size() + 1, name.c_str());
    const auto path = out_ / file;
    if (auto w = write_png(path, img); !w) {
      error = w.error();
      return;
    }
    result_.shots.push_back(path);
    note = path.filename().string() + " ";
    std::string problems;
    for (const auto& p : ui::check_layout(app_.widgets(), app_.display()))
      problems += "\n       " + ui::to_string(p);
    for (const auto& k : app_.missing_keys()) problems += "\n       missing text for key " + k;
    if (!problems.empty()) error = "layout problems on " + path.filename().string() + ":" + problems;
  }

  void expect(const std::vector<std::string>& a, std::string& error) {
    const auto& m = app_.model();
    const std::string what = a[0];
    const std::string arg = a.size() > 1 ? a[1] : "";
    if (what == "screen") {
      if (core::screen_of(m) != screen_from_name(arg))
        error = "screen is " + std::string(core::screen_name(core::screen_of(m)));
    } else if (what == "language") {
      if (ui::language_code(m.language) != arg)
        error = "language is " + std::string(ui::language_code(m.language));
    } else if (what == "overlay") {
      if (m.idle_overlay != (arg == "on"))
        error = std::string("the idle overlay is ") + (m.idle_overlay ? "on" : "off");
    } else if (what == "widget") {
      if (!app_.widgets().find(arg)) error = "no widget " + arg;
    } else if (what == "no-widget") {
      if (app_.widgets().find(arg)) error = "widget " + arg + " is drawn";
    }
  }

  App& app_;
  std::filesystem::path out_;
  std::FILE* log_;
  const HarnessHooks& hooks_;
  HarnessResult result_;
  ImVec2 last_{0, 0};
};

}  // namespace

std::optional<core::Screen> screen_from_name(std::string_view name) {
  for (std::size_t i = 0; i < core::kScreenCount; ++i)
    if (core::screen_name(static_cast<core::Screen>(i)) == name) return static_cast<core::Screen>(i);
  return std::nullopt;
}

std::optional<Step> parse_line(int line_no, std::string_view line, std::vector<std::string>& errors) {
  if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  auto words = split_words(line);
  if (words.empty()) return std::nullopt;
  Step s;
  s.line = line_no;
  s.verb = words[0];
  const Verb* verb = nullptr;
  for (const auto& v : kVerbs)
    if (v.name == s.verb) verb = &v;
  const std::size_t errors_before = errors.size();
  auto fail = [&](const std::string& why) {
    errors.push_back("line " + std::to_string(line_no) + ": " + why);
  };
  if (!verb) {
    fail("unknown command \"" + s.verb + "\"");
    return std::nullopt;
  }
  if (s.verb == "echo") {
    if (words.size() > 1) s.args.push_back(join(words, 1));
  } else {
    s.args.assign(words.begin() + 1, words.end());
  }
  if (s.args.size() < verb->min_args || s.args.size() > verb->max_args) {
    fail("usage: " + std::string(verb->usage));
    return std::nullopt;
  }
  float f1 = 0;
  float f2 = 0;
  double d = 0;
  if (s.verb == "size" && !parse_pair(s.args[0], 'x', f1, f2)) fail("usage: size WxH (e.g. 1920x1080)");
  if ((s.verb == "drag" && !parse_pair(s.args[1], ',', f1, f2)) ||
      (s.verb == "move" && !parse_pair(s.args[0], ',', f1, f2)))
    fail("usage: " + std::string(verb->usage) + " (numbers)");
  if (s.verb == "frames" && (!parse_number(s.args[0], d) || d < 1))
    fail("usage: frames N (a count, at least 1)");
  if ((s.verb == "advance" || s.verb == "hold") && (!parse_number(s.args[0], d) || d < 0))
    fail("usage: " + std::string(verb->usage) + " (seconds, a number)");
  if (s.verb == "wait" && s.args[0] == "key" && s.args[1] != "recognised" && s.args[1] != "none")
    fail("usage: wait key recognised|none [MS]");
  if (s.verb == "wait" && s.args[0] != "screen" && s.args[0] != "widget" && s.args[0] != "enabled" &&
      s.args[0] != "key")
    fail("usage: " + std::string(verb->usage));
  if (s.verb == "stroke")
    for (std::size_t i = 1; i < s.args.size(); ++i)
      if (!parse_pair(s.args[i], ',', f1, f2)) fail("usage: " + std::string(verb->usage) + " (fractions)");
  if (((s.verb == "wait" && s.args[0] == "screen") || (s.verb == "expect" && s.args[0] == "screen")) &&
      (s.args.size() < 2 || !screen_from_name(s.args[1])))
    fail(
        "unknown screen; one of Home, Help, ComingSoon, Products, KeyCheck, Phone, OrderList, Payment, "
        "KeyDetails, "
        "Pin, Progress, KeyPulled, Success, Failure, Login, AccountHome, MyBusiness, Profile, "
        "ChangePassword");
  if (s.verb == "expect" && s.args[0] != "screen" && s.args[0] != "language" && s.args[0] != "overlay" &&
      s.args[0] != "widget" && s.args[0] != "no-widget")
    fail("usage: " + std::string(verb->usage));
  s.source = join(words, 0);
  if (errors.size() != errors_before) return std::nullopt;
  return s;
}

std::expected<std::vector<Step>, std::vector<std::string>> parse_script(std::string_view text) {
  std::vector<Step> steps;
  std::vector<std::string> errors;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    const std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (auto s = parse_line(++line_no, line, errors)) steps.push_back(std::move(*s));
  }
  if (!errors.empty()) return std::unexpected(std::move(errors));
  return steps;
}

HarnessResult run_steps(App& app, const std::function<std::optional<Step>()>& next,
                        const std::filesystem::path& out_dir, std::FILE* log, const HarnessHooks& hooks) {
  Runner r(app, out_dir, log, hooks);
  return r.run(next);
}

HarnessResult run_script(App& app, const std::vector<Step>& steps, const std::filesystem::path& out_dir,
                         std::FILE* log, const HarnessHooks& hooks) {
  std::size_t i = 0;
  return run_steps(
      app,
      [&]() -> std::optional<Step> {
        return i < steps.size() ? std::optional<Step>(steps[i++]) : std::nullopt;
      },
      out_dir, log, hooks);
}

}  // namespace app
