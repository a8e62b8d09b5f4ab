// The headless harness (`ca-kiosk --demo --headless`): a script of synthetic touches, run on the real app
// with an offscreen renderer, that writes a PNG of each screen it passes and prints each step.
//
// Script: one command per line; '#' starts a comment. A TARGET is a widget's message key ("home.renew":
// the centre of its visible part in the frame just drawn) or screen coordinates "X,Y" in layout pixels.
//
//   size WxH                 lay out on a WxH display (1920x1080 landscape, 1080x1920 portrait)
//   tap TARGET               press and release there (the release acts), then let the frames settle
//   drag TARGET DX,DY        press, move by DX,DY in steps, release (lists scroll; nothing is tapped)
//   press TARGET | move X,Y | release   the same, one part at a time
//   shot NAME                PNG of the screen to OUT/NN-NAME.png, and check_layout() on that frame:
//                            text wider than its widget, small targets, overlaps, missing keys fail the step
//   expect screen NAME       the model's screen (Home, Help, ComingSoon, Products, ... as core::Screen)
//   expect language CODE     zh-CN | en
//   expect overlay on|off    the idle overlay
//   expect widget KEY        drawn in the last frame (expect no-widget KEY: not drawn)
//   wait screen NAME [MS]    run the loop (runtime results arrive) until that screen; fail after MS (5000)
//   advance SECONDS          the kiosk's clock jumps forward (idle timeouts without waiting)
//   hold SECONDS             run the real event loop that long untouched; prints frames drawn and CPU time
//   frames N                 draw N whole frames of the current screen; prints their CPU median/p90/max
//   memory                   prints RSS (anonymous, file-backed), the C heap in use and SQLite's share
//   key none | recognised BRAND_ID NAME | not-recognised | driver-missing
//                            as if the token layer's hot-plug polling reported it
//   echo TEXT                print TEXT
//   type KEY TEXT            tap the keys of the keyboard or keypad KEY that type TEXT (no spaces in TEXT):
//                            digits KEY.d0…, letters KEY.a… (shift and the symbols page as needed)
//   type-code KEY PHONE      type the SMS code last sent to PHONE (once the kiosk has the platform's answer
//                            to 【获取验证码】; the hooks read the platform's outbox)
//   stroke KEY X,Y X,Y ...   a finger's stroke across the widget KEY (a writing pad), points as fractions
//                            of it (0..1)
//   wait widget KEY [MS]     run the loop until the widget KEY is drawn (a runtime result arrived)
//   wait enabled KEY [MS]    the same, until it is drawn enabled (a button that waits for a result)
//   wait key recognised|none [MS]   run the loop until the hot-plug polling reports a recognised key / none
//   tap-text PREFIX TEXT     tap the first widget whose key starts with PREFIX and whose text is TEXT (a
//                            candidate of the Chinese keyboard, a product by its name)
//   hook NAME                run the environment's hook NAME (e.g. interrupt-renewal); fails without one
//
// The renewal's walk-through extends this with its own script and, where needed, new verbs.
#pragma once

#include <cstdio>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app.hpp"

namespace app {

struct Step {
  int line = 0;
  std::string verb;
  std::vector<std::string> args;
  std::string source;  // the line as written
};

// Parses a script; errors name the line and say what the verb expects.
std::expected<std::vector<Step>, std::vector<std::string>> parse_script(std::string_view text);
// One line of a script (the `line_no`-th): its step, or none for a blank line or a comment, or none with
// what is wrong added to `errors`.
std::optional<Step> parse_line(int line_no, std::string_view line, std::vector<std::string>& errors);
// What is wrong with the script in a file, every line checked and none kept (empty: nothing); a file that
// cannot be read says so.
std::vector<std::string> check_script_file(const std::filesystem::path& script);

struct HarnessResult {
  int steps = 0;
  int failures = 0;
  std::vector<std::filesystem::path> shots;
};

// What the environment around the kiosk provides to a script: the SMS codes the platform sent (no phone
// here) and named actions (the demo's or a test's).
struct HarnessHooks {
  std::function<std::expected<std::string, std::string>(const std::string& phone)> sms_code;  // the newest
  std::map<std::string, std::function<std::expected<void, std::string>()>, std::less<>> named;
};

// Runs the steps in order; a failed step is reported and the script goes on (so one run shows every
// problem), except when the target of a touch is missing (what follows would be meaningless).
HarnessResult run_script(App& app, const std::vector<Step>& steps, const std::filesystem::path& out_dir,
                         std::FILE* log, const HarnessHooks& hooks = {});
// The same with each step from `next` (none: the end).
HarnessResult run_steps(App& app, const std::function<std::optional<Step>()>& next,
                        const std::filesystem::path& out_dir, std::FILE* log, const HarnessHooks& hooks = {});
// The same with the steps of a file read one line at a time as they run (check it first with
// check_script_file): the harness holds one step, not the script, so a long soak measures the kiosk's
// memory rather than its script's (11,500 steps for 500 renewals, about 3 MB parsed whole:
// docs/benchmarks.md, "Renewal soak").
HarnessResult run_script_file(App& app, const std::filesystem::path& script,
                              const std::filesystem::path& out_dir, std::FILE* log,
                              const HarnessHooks& hooks = {});

// The screen an `expect screen` / `wait screen` names (core::screen_name's spelling), if any.
std::optional<core::Screen> screen_from_name(std::string_view name);

}  // namespace app
