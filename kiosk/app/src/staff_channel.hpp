// The running kiosk's end of the local staff channel (docs/staff.md, "The local staff channel"):
// kioskctl staff … asks, this answers. The server (kiosk/staffchan) accepts and reads on threads of its own;
// what needs the flow core's model (the out-of-service sources, taking the kiosk out of service and back)
// is handed to the app's loop (App::post) and answered there, so the frame loop never waits for a socket;
// what the runtime answers (the status items, the business, the diagnostics bundle) runs on the
// connection's thread through Runtime::staff_desk().
//
// Every action is recorded in the journal's audit chain with the peer as its actor ("unix:<user>"):
// service out and in here (staff.service_out / staff.service_in), sending a message and handing a business to
// the counter by the runtime, exporting and uploading the bundle here (staff.diag_export /
// staff.diag_upload).
#pragma once

#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "events/event_log.hpp"
#include "runtime/runtime.hpp"
#include "staffchan/server.hpp"

namespace app {

class App;
struct LoopWaits;  // staff_channel.cpp

class StaffChannel {
 public:
  struct Options {
    std::filesystem::path socket;
    std::string group;
    events::EventLog* events = nullptr;            // the kiosk's log, as "staff"
    std::chrono::milliseconds loop_timeout{5000};  // how long a request waits for the loop's answer
  };
  // Listens on `socket`; errors in words. `app` and `runtime` outlive the channel (destroy it first).
  static std::expected<std::unique_ptr<StaffChannel>, std::string> start(App& app, runtime::Runtime& runtime,
                                                                         Options options);
  ~StaffChannel();
  StaffChannel(const StaffChannel&) = delete;
  StaffChannel& operator=(const StaffChannel&) = delete;

  [[nodiscard]] const staffchan::Server& server() const { return *server_; }

 private:
  StaffChannel(App& app, runtime::Runtime& runtime, Options options);
  // On a connection's thread.
  staffchan::Json handle(const staffchan::Peer& peer, const staffchan::Json& request);
  staffchan::Json status();
  staffchan::Json service(const staffchan::Peer& peer, const staffchan::Json& request);
  staffchan::Json diag(const staffchan::Peer& peer, bool upload);
  // `f` run on the app's loop, its answer back here; nullopt when the loop did not take it within
  // loop_timeout (or the channel is stopping).
  std::optional<staffchan::Json> on_loop(std::function<staffchan::Json(App&)> f);

  App& app_;
  runtime::Runtime& runtime_;
  Options o_;
  events::Channel log_;
  std::shared_ptr<LoopWaits> waits_;  // shared with the tasks posted to the loop
  std::unique_ptr<staffchan::Server> server_;
};

}  // namespace app
