// kioskctl staff …: hall staff at a shell, talking to the running kiosk over the local staff channel
// (docs/staff.md, "The local staff channel"; docs/operations.md, "kioskctl staff"). Unlike `kioskctl status`,
// which judges the terminal by itself, these ask ca-kiosk: its status items, its out-of-service sources,
// its business that needs someone, its diagnostics bundle; and they act through it (out of service and
// back, a message sent now, a business handed to the counter), each action in its audit chain with the
// caller's user name.
#include <fmt/core.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "runtime/staff_text.hpp"
#include "sentences.hpp"
#include "staffchan/client.hpp"

namespace kioskctl {
namespace {

using staffchan::Json;

struct StaffOptions {
  std::string socket;  // --socket; empty: the configuration's, or the default
  std::string service_state;
  std::string reason;
  std::int64_t id = 0;
  std::string note;
  std::string out;
  bool upload = false;
};

// The channel's socket: --socket, else the configuration's (when it can be read), else the default.
runtime::StaffChannelConfig channel(const Globals& g, const StaffOptions& o) {
  runtime::StaffChannelConfig c;
  std::filesystem::path p = g.config_path;
  if (p.empty()) {
    const char* env = std::getenv("KIOSK_CONFIG");
    p = env && *env ? env : "/etc/ca-kiosk/kiosk.json";
  }
  if (!g.config_path.empty()) {
    auto cfg = load_config_or_report(g);  // named on the command line: its errors are said
    if (!cfg) fail(kConfig);
    c = cfg->staff_channel;
  } else if (auto cfg = runtime::load_config(p)) {
    c = cfg->staff_channel;
  }
  if (!o.socket.empty()) c.socket = o.socket;
  return c;
}

std::string text(std::string_view key) {
  return sentences().text(key);
}

// The exit code of a message key the kiosk answered with, and its sentence on stderr.
[[noreturn]] void refused(const runtime::StaffChannelConfig& c, const Json& answer) {
  const std::string key = answer.value("error", "");
  const std::string detail = answer.value("detail", "");
  fmt::print(stderr, "kioskctl: staff: {}{}\n", text(key), detail.empty() ? "" : " (" + detail + ")");
  if (key == "staff.channel.refused") {
    fmt::print(stderr, "  next: an administrator adds you to group {} (usermod -aG {} USER); log in again\n",
               c.group, c.group);
    fail(kStaffDenied);
  }
  if (key == "staff.channel.timeout") fail(kStaffNoKiosk);
  if (key == "error.platform.offline") fail(kPlatformOffline);
  if (key == "error.platform.timeout") fail(kPlatformTimeout);
  if (key == "error.platform.tls") fail(kPlatformTls);
  if (key == "error.platform.malformed") fail(kPlatformMalformed);
  if (key.starts_with("error.platform.")) fail(kPlatformRefused);
  if (key.starts_with("error.journal.")) fail(kJournal);
  fail(kStaffRefused);
}

// One request to the running kiosk; its answer when it says ok, else the command ends with the reason.
Json ask(const runtime::StaffChannelConfig& c, const Json& request, std::chrono::seconds timeout) {
  auto answer = staffchan::call(c.socket, request, timeout);
  if (!answer) {
    using Kind = staffchan::ClientError::Kind;
    switch (answer.error().kind) {
      case Kind::NoKiosk:
        fmt::print(stderr,
                   "kioskctl: staff: no kiosk is running here ({})\n  next: systemctl status ca-kiosk; "
                   "journalctl -u ca-kiosk; with the kiosk stopped, kioskctl status judges the terminal\n",
                   answer.error().detail);
        fail(kStaffNoKiosk);
      case Kind::Denied:
        fmt::print(stderr,
                   "kioskctl: staff: permission denied ({})\n  next: an administrator adds you to group {} "
                   "(usermod -aG {} USER); log in again\n",
                   answer.error().detail, c.group, c.group);
        fail(kStaffDenied);
      case Kind::Timeout:
        fmt::print(stderr, "kioskctl: staff: the kiosk did not answer: {}\n  next: journalctl -u ca-kiosk\n",
                   answer.error().detail);
        fail(kStaffNoKiosk);
      case Kind::Io:
      case Kind::Malformed:
        fmt::print(stderr, "kioskctl: staff: {}\n", answer.error().detail);
        fail(kFailure);
    }
  }
  if (!answer->value("ok", false)) refused(c, *answer);
  return *answer;
}

void print_sources(const Json& sources) {
  if (!sources.is_array() || sources.empty()) {
    fmt::print("in service: business can start\n");
    return;
  }
  for (const auto& s : sources)
    fmt::print("OUT OF SERVICE ({}): {}{}\n", s.value("source", ""), text(s.value("reason_key", "")),
               s.value("detail", "").empty() ? "" : " [" + s.value("detail", "") + "]");
}

void print_status(const Json& a) {
  fmt::print("kiosk: {}\n", a.value("overall", "?"));
  if (a.contains("detail")) fmt::print("({})\n", a.value("detail", ""));
  for (const auto& j : a.value("items", Json::array())) {
    const core::StatusItem i = staffchan::status_item_from(j);
    std::string health(core::to_string(i.health));
    if (i.health != core::Health::Green)
      for (auto& ch : health) ch = static_cast<char>(ch - 'a' + 'A');
    fmt::print("{:<6} {:<24} {}\n", health, text(i.label_key), i.value);
    if (!i.reason_key.empty()) fmt::print("       {}\n", text(i.reason_key));
    if (i.health != core::Health::Green && !i.detail.empty()) fmt::print("       ({})\n", i.detail);
  }
  print_sources(a.value("out_of_service", Json::array()));
}

void print_business(const Json& a) {
  const Json list = a.value("business", Json::array());
  if (list.empty()) {
    fmt::print("no business needs anyone\n");
    return;
  }
  fmt::print("{:>5}  {:<24} {:<12} {:<13} {:<18} {:<20} {}\n", "id", "order", "status", "phone", "stopped at",
             "since", "message for the platform");
  for (const auto& j : list) {
    const core::StaffBusiness b = staffchan::business_from(j);
    std::string message = b.outbox_id == 0 ? "-" : "#" + std::to_string(b.outbox_id) + " " + b.outbox_state;
    if (!b.outbox_error.empty()) message += ": " + b.outbox_error;
    fmt::print("{:>5}  {:<24} {:<12} {:<13} {:<18} {:<20} {}\n", b.business_id,
               b.order_id.empty() ? "-" : b.order_id, b.status, b.phone_masked,
               b.stopped_at.empty() ? "-" : b.stopped_at, runtime::utc_minute(b.since), message);
    if (!b.why.empty()) fmt::print("       why: {} ({})\n", text(b.why), b.why);
    if (b.can_continue) fmt::print("       the customer can continue it here with their KEY\n");
  }
}

void print(const Globals& g, const Json& a, void (*as_text)(const Json&)) {
  if (g.json_output)
    fmt::print("{}\n", a.dump(2, ' ', false, Json::error_handler_t::replace));
  else
    as_text(a);
}

}  // namespace

void add_staff_commands(CLI::App& app, Globals& g) {
  auto o = std::make_shared<StaffOptions>();
  CLI::App* staff = app.add_subcommand(
      "staff",
      "the running kiosk, over its local staff channel: status, out of service, business, diagnostics");
  staff->require_subcommand(1);
  staff->add_option("--socket", o->socket,
                    "the channel's socket (default: the configuration's staff_channel.socket)");

  staff->add_subcommand("status", "the running kiosk's status items and out-of-service sources")
      ->callback([&g, o] {
        const auto c = channel(g, *o);
        print(g, ask(c, {{"op", "status"}}, std::chrono::seconds(60)), print_status);
      });

  CLI::App* service =
      staff->add_subcommand("service", "take the kiosk out of service (out --reason R) or back (in)");
  service->add_option("state", o->service_state, "out or in")
      ->required()
      ->check(CLI::IsMember({"out", "in"}));
  service->add_option("--reason", o->reason, "out: repair, cleaning, network or other");
  service->callback([&g, o] {
    if (o->service_state == "out" && o->reason.empty()) {
      fmt::print(stderr, "kioskctl: staff service out needs --reason (repair, cleaning, network or other)\n");
      fail(kUsage);
    }
    const auto c = channel(g, *o);
    Json request{{"op", "service"}, {"state", o->service_state}};
    if (o->service_state == "out") request["reason"] = o->reason;
    const Json a = ask(c, request, std::chrono::seconds(30));
    print(g, a, [](const Json& j) {
      print_sources(j.value("out_of_service", Json::array()));
      if (j.contains("audit_error"))
        fmt::print(stderr, "warning: not recorded in the journal's audit chain: {}\n",
                   text(j.value("audit_error", "")));
    });
  });

  CLI::App* business =
      staff->add_subcommand("business", "the business that needs someone; send ID; counter ID --note N");
  business->callback([&g, o, business] {
    if (!business->get_subcommands().empty()) return;
    const auto c = channel(g, *o);
    print(g, ask(c, {{"op", "business"}}, std::chrono::seconds(30)), print_business);
  });
  business->add_subcommand("send", "send a message the platform has not acknowledged now (its # in the list)")
      ->callback([&g, o] {
        const auto c = channel(g, *o);
        const Json a = ask(c, {{"op", "send"}, {"outbox_id", o->id}}, std::chrono::seconds(120));
        print(g, a, [](const Json& j) {
          fmt::print("message #{}: {}{}\n", j.value("outbox_id", std::int64_t{0}), j.value("state", ""),
                     j.value("error", "").empty() ? "" : " (" + j.value("error", "") + ")");
        });
      })
      ->add_option("id", o->id, "the message's id")
      ->required();
  CLI::App* counter =
      business->add_subcommand("counter", "mark a business handed to the counter, with a note");
  counter->add_option("id", o->id, "the business's id")->required();
  counter->add_option("--note", o->note, "at most 200 characters; phone numbers in it are masked");
  counter->callback([&g, o] {
    const auto c = channel(g, *o);
    const Json a =
        ask(c, {{"op", "counter"}, {"business_id", o->id}, {"note", o->note}}, std::chrono::seconds(30));
    print(g, a, [](const Json&) { fmt::print("handed to the counter; it no longer shows in the list\n"); });
  });

  CLI::App* diag = staff->add_subcommand("diag", "the diagnostics bundle");
  diag->require_subcommand(1);
  CLI::App* export_cmd =
      diag->add_subcommand("export", "the diagnostics bundle to a file (--out) or stdout; --upload sends it");
  export_cmd->add_option("--out", o->out, "write it to this file (mode 0640) instead of stdout");
  export_cmd->add_flag("--upload", o->upload, "send it to the platform and print the id it gave it");
  export_cmd->callback([&g, o] {
    const auto c = channel(g, *o);
    if (!o->out.empty() || !o->upload) {
      const Json a = ask(c, {{"op", "diag"}}, std::chrono::seconds(60));
      const std::string bundle =
          a.value("bundle", Json::object()).dump(2, ' ', false, Json::error_handler_t::replace);
      if (o->out.empty()) {
        fmt::print("{}\n", bundle);
      } else {
        std::ofstream f(o->out, std::ios::binary | std::ios::trunc);
        f << bundle << "\n";
        f.close();
        if (!f) {
          fmt::print(stderr, "kioskctl: cannot write {}\n", o->out);
          fail(kFailure);
        }
        ::chmod(o->out.c_str(), 0640);
        fmt::print("diagnostics bundle written to {} ({} bytes)\n", o->out, bundle.size() + 1);
      }
    }
    if (o->upload) {
      const Json a = ask(c, {{"op", "diag"}, {"upload", true}}, std::chrono::seconds(120));
      if (g.json_output)
        fmt::print("{}\n", a.dump(2));
      else
        fmt::print("diagnostics bundle sent to the platform: {}\n", a.value("id", ""));
    }
  });
}

}  // namespace kioskctl
