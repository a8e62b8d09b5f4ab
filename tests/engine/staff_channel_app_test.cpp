// The local staff channel end to end (docs/staff.md, "The local staff channel"): the real ca-kiosk app
// (offscreen) with the real runtime against the reference platform over mutual TLS, its channel on a real
// Unix socket in a temp folder, requests from this process's threads and from kioskctl as a process, while
// the app's loop runs here. Out of service and back (home says 暂停服务 with the staff's reason, then opens
// again), the status with the staff source, business and diagnostics (exported and uploaded, found on the
// platform), every action in the journal's audit chain with its actor; the rule on peers, and a peer that is
// not allowed refused on the socket itself; a canary: a phone, an SMS code and a password typed through the
// kiosk appear in no bundle.
#include <doctest/doctest.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <grp.h>
#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "app_kiosk.hpp"
#include "engine_env.hpp"
#include "platform/dev.hpp"
#include "staff_channel.hpp"
#include "staffchan/client.hpp"
#include "staffchan/protocol.hpp"

using namespace enginetest;
using staffchan::Json;

namespace {

constexpr const char* kFast =
    R"("service": {"check_s": 1, "heartbeat_s": 60, "platform_out_after": 2, "platform_back_after": 2})";

class Kiosk : public AppKiosk {
 public:
  explicit Kiosk(EngineEnv& env)
      : AppKiosk(env.config_path(), env.dir() / "shots", {}, /*service_monitor=*/true), env_(env) {
    hooks().sms_code = [this](const std::string& phone) -> std::expected<std::string, std::string> {
      auto out = platform::dev::sms_outbox(env_.client(), phone);
      if (!out) return std::unexpected(out.error().to_string());
      if (out->empty()) return std::unexpected(std::string("no code in the outbox"));
      codes.push_back(out->back().code);
      return out->back().code;
    };
    const auto dir = env.dir() / "run";
    std::filesystem::create_directories(dir);
    socket = dir / "staff.sock";
    auto ch = app::StaffChannel::start(app(), runtime(), {socket, "ca-kiosk-staff", &events()});
    REQUIRE_MESSAGE(ch.has_value(), (ch ? std::string() : ch.error()));
    channel = std::move(*ch);
  }
  ~Kiosk() { channel.reset(); }

  // One request over the socket from another thread, the app's loop running here meanwhile.
  Json ask(const Json& request) {
    auto answer = std::async(std::launch::async,
                             [&] { return staffchan::call(socket, request, std::chrono::seconds(60)); });
    REQUIRE(wait([&] { return answer.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready; },
                 90'000));
    auto a = answer.get();
    REQUIRE_MESSAGE(a.has_value(), (a ? std::string() : a.error().detail));
    return *a;
  }
  // kioskctl as a process, the loop running here meanwhile.
  Run kioskctl(const std::vector<std::string>& args) {
    auto run = std::async(std::launch::async, [&] { return env_.kioskctl(args); });
    REQUIRE(wait([&] { return run.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready; },
                 120'000));
    return run.get();
  }
  // The audit entries of type `type` naming `actor`, newest first.
  std::vector<Json> audited(const std::string& type, const std::string& actor) {
    std::vector<Json> out;
    runtime().with_journal([&](journal::Journal& j) {
      auto tail = j.audit_tail(200);
      REQUIRE(tail.has_value());
      for (const auto& e : *tail) {
        const Json data = Json::parse(e.data, nullptr, false);
        if (e.type == type && data.is_object() && data.value("actor", "") == actor) out.push_back(data);
      }
      CHECK(j.verify_chain().has_value());
    });
    return out;
  }

  std::filesystem::path socket;
  std::unique_ptr<app::StaffChannel> channel;
  std::vector<std::string> codes;

 private:
  EngineEnv& env_;
};

bool tile_enabled(AppKiosk& k, const char* key) {
  k.app().settle();
  const auto* w = k.app().widgets().find(key);
  REQUIRE_MESSAGE(w, key << " is not drawn");
  return w->enabled;
}

bool has_source(const Json& sources, const std::string& source, const std::string& reason_key) {
  for (const auto& s : sources)
    if (s.value("source", "") == source && s.value("reason_key", "") == reason_key) return true;
  return false;
}

}  // namespace

TEST_CASE("the rule on peers: root, the kiosk's own user and the staff group's members; nobody else") {
  using staffchan::judge_peer;
  using staffchan::PeerVerdict;
  const std::vector<gid_t> staff{100, 4242}, others{100, 200};
  CHECK(judge_peer(0, others, 1000, 4242) == PeerVerdict::Root);
  CHECK(judge_peer(1000, others, 1000, 4242) == PeerVerdict::Owner);
  CHECK(judge_peer(1001, staff, 1000, 4242) == PeerVerdict::StaffGroup);
  CHECK(judge_peer(1001, others, 1000, 4242) == PeerVerdict::Refused);
  CHECK(judge_peer(1001, staff, 1000, std::nullopt) == PeerVerdict::Refused);  // no such group here
  CHECK(judge_peer(1001, {}, 1000, 4242) == PeerVerdict::Refused);
}

TEST_CASE(
    "kioskctl staff: out of service with a reason and back, status, business, diagnostics; each audited") {
  EngineEnv env;
  env.set_config_extra(kFast);
  Kiosk k(env);
  struct stat st {};
  REQUIRE(::stat(k.socket.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0660);
  REQUIRE(core::screen_of(k.model()) == core::Screen::Home);
  CHECK(tile_enabled(k, "home.renew"));

  // Out of service by staff, from this process (root): home says 暂停服务 with the staff's reason.
  Json a = k.ask({{"op", "service"}, {"state", "out"}, {"reason", "repair"}});
  REQUIRE_MESSAGE(a.value("ok", false), a.dump());
  CHECK(has_source(a["out_of_service"], "staff", "service.reason.staff.repair"));
  CHECK_FALSE(a.contains("audit_error"));
  REQUIRE(k.model().service.sources.of(core::ServiceSource::Staff).has_value());
  CHECK(k.model().service.sources.of(core::ServiceSource::Staff)->detail == "unix:root");
  CHECK(k.text("home.renew.paused") == "暂停服务");
  CHECK(k.text("home.service.reason") == "暂停服务：本机正在维修。");
  CHECK_FALSE(tile_enabled(k, "home.renew"));
  CHECK(k.ask({{"op", "service"}, {"state", "out"}, {"reason", "lunch"}}).value("error", "") ==
        "staff.channel.unknown_reason");
  CHECK(k.ask({{"op", "nonsense"}}).value("error", "") == "staff.channel.bad_request");

  // The status shows the staff source; kioskctl prints it with the words of the language files.
  a = k.ask({{"op", "status"}});
  REQUIRE(a.value("ok", false));
  CHECK(has_source(a["out_of_service"], "staff", "service.reason.staff.repair"));
  CHECK(a["items"].size() >= 11);
  CHECK(a.value("overall", "") != "green");
  Run r = k.kioskctl({"--lang", "en", "staff", "--socket", k.socket.string(), "status"});
  CHECK_MESSAGE(r.rc == 0, r.output);
  CHECK_MESSAGE(r.output.find("OUT OF SERVICE (staff): Out of service: this kiosk is being repaired.") !=
                    std::string::npos,
                r.output);
  CHECK_MESSAGE(r.output.find("This kiosk's certificate") != std::string::npos, r.output);

  // Back in service through kioskctl: home opens again.
  r = k.kioskctl({"staff", "--socket", k.socket.string(), "service", "in"});
  CHECK_MESSAGE(r.rc == 0, r.output);
  CHECK_MESSAGE(r.output.find("in service: business can start") != std::string::npos, r.output);
  CHECK_FALSE(k.model().service.sources.of(core::ServiceSource::Staff).has_value());
  CHECK(k.text("home.renew.hint") == "为KEY中的单位证书续期");
  CHECK(tile_enabled(k, "home.renew"));
  r = k.kioskctl({"staff", "--socket", k.socket.string(), "service", "out"});
  CHECK(r.rc == 2);  // a reason is required

  // The business list (none), a message that does not exist, a business that does not exist.
  a = k.ask({{"op", "business"}});
  REQUIRE(a.value("ok", false));
  CHECK(a["business"].empty());
  CHECK(k.ask({{"op", "send"}, {"outbox_id", 77}}).value("error", "") == "staff.error.no_message");
  r = k.kioskctl({"staff", "--socket", k.socket.string(), "business", "counter", "99", "--note", "x"});
  CHECK_MESSAGE(r.rc == 57, r.output);

  // The diagnostics bundle: exported to a file by kioskctl, and uploaded; the platform has it.
  const auto file = env.dir() / "bundle.json";
  r = k.kioskctl({"staff", "--socket", k.socket.string(), "diag", "export", "--out", file.string()});
  CHECK_MESSAGE(r.rc == 0, r.output);
  const Json bundle = Json::parse(testsupport::read_file(file), nullptr, false);
  REQUIRE(bundle.is_object());
  CHECK(bundle.value("kiosk_id", "") == "DEV-KIOSK-01");
  CHECK(bundle.value("schema", 0) == 1);
  CHECK(bundle["status"].size() >= 11);
  CHECK(bundle["journal"].value("integrity", "") == "ok");
  CHECK_FALSE(bundle["events"].empty());
  a = k.ask({{"op", "diag"}, {"upload", true}});
  REQUIRE_MESSAGE(a.value("ok", false), a.dump());
  const std::string id = a.value("id", "");
  CHECK(id.starts_with("D"));
  auto admin = platform::Client::create(env.admin_options());
  REQUIRE(admin.has_value());
  auto listed = admin->call("GET", "admin/kiosks/DEV-KIOSK-01/diagnostics", nullptr);
  REQUIRE_MESSAGE(listed.has_value(), listed.error().to_string());
  REQUIRE((*listed)["diagnostics"].size() == 1);
  CHECK((*listed)["diagnostics"][0].value("id", "") == id);
  auto stored = admin->call("GET", "admin/diagnostics/" + id, nullptr);
  REQUIRE(stored.has_value());
  CHECK(stored->value("kiosk_id", "") == "DEV-KIOSK-01");
  CHECK((*stored)["status"].size() == bundle["status"].size());

  // Every action in the audit chain, naming who took it.
  const auto out = k.audited("staff.service_out", "unix:root");
  REQUIRE(out.size() == 1);
  CHECK(out[0].value("reason", "") == "repair");
  CHECK(k.audited("staff.service_in", "unix:root").size() == 1);
  CHECK(k.audited("staff.diag_export", "unix:root").size() == 1);
  const auto up = k.audited("staff.diag_upload", "unix:root");
  REQUIRE(up.size() == 1);
  CHECK(up[0].value("id", "") == id);
}

TEST_CASE("kioskctl staff: no kiosk running, and a peer that is not allowed, each said with the next step") {
  EngineEnv env;
  Run r = env.kioskctl({"staff", "--socket", (env.dir() / "none.sock").string(), "status"});
  CHECK(r.rc == 55);
  CHECK_MESSAGE(r.output.find("no kiosk is running here") != std::string::npos, r.output);
  CHECK(r.output.find("next: systemctl status ca-kiosk") != std::string::npos);

  Kiosk k(env);
  // Nobody (uid 65534) gets past the socket's mode only when it is opened to all; then SO_PEERCRED refuses.
  REQUIRE(::chmod(k.socket.parent_path().c_str(), 0755) == 0);
  REQUIRE(::chmod(env.dir().c_str(), 0755) == 0);
  REQUIRE(::chmod(k.socket.c_str(), 0666) == 0);
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    auto a = staffchan::call(k.socket, {{"op", "status"}}, std::chrono::seconds(20));
    const std::string text = a ? a->dump() : "client error: " + a.error().detail;
    (void)!::write(pipefd[1], text.data(), text.size());
    ::_exit(0);
  }
  ::close(pipefd[1]);
  int status = 0;
  bool reaped = false;  // waitpid answers the child's end once
  REQUIRE(k.wait([&] { return reaped = reaped || ::waitpid(pid, &status, WNOHANG) == pid; }, 60'000));
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;)
    text.append(buf, static_cast<std::size_t>(n));
  ::close(pipefd[0]);
  CHECK(WEXITSTATUS(status) == 0);
  const Json a = Json::parse(text, nullptr, false);
  CHECK_MESSAGE(a.value("error", "") == "staff.channel.refused", text);
  CHECK_MESSAGE(a.value("detail", "").find("uid 65534") != std::string::npos, text);
  CHECK(k.event_text().find("uid 65534 (nobody) refused") != std::string::npos);
  // Nothing was done for it: no audit entry names it.
  CHECK(k.audited("staff.service_out", "unix:nobody").empty());
}

TEST_CASE(
    "canary: a phone, an SMS code and a password typed through the kiosk are in no diagnostics bundle") {
  EngineEnv env;
  Kiosk k(env);
  const std::string phone = kPhone, password = "Wrong!2024";
  std::string printed;
  CHECK_MESSAGE(k.run(fmt::format(R"(tap home.personal
tap login.method.sms
type login.pad {0}
tap login.get_code
type-code login.pad {0}
tap login.submit
wait screen AccountHome
tap account.logout
expect screen Home
tap home.personal
expect screen Login
type login.pad {0}
tap login.password
type login.kb {1}
tap login.submit
wait widget login.error
)",
                                  phone, password),
                      printed) == 0,
                printed);
  REQUIRE_FALSE(k.codes.empty());
  const Json a = k.ask({{"op", "diag"}});
  REQUIRE(a.value("ok", false));
  const std::string bundle = a["bundle"].dump();
  CHECK(a["bundle"]["events"].size() > 5);  // a check of nothing would pass
  std::vector<std::string> secrets{phone, password};
  secrets.insert(secrets.end(), k.codes.begin(), k.codes.end());
  const auto found = canary::found(bundle, secrets);
  CHECK_MESSAGE(found.empty(), "secrets in the bundle: " << canary::joined(found) << "\n" << bundle);
  CHECK(bundle.find("138****5678") != std::string::npos);  // the phone, as the log keeps it
  k.check_no_secrets(secrets);
}
