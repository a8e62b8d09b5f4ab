// The runtime's state and its effects, one file each: the order's (order_effects.cpp: catalog, key read,
// SMS, order create / watch / close, needs staff), the rollover's (rollover_effects.cpp), the personal
// centre's (account_effects.cpp) and the resume's (resume_effects.cpp); kiosk_runtime.cpp has the lanes,
// the queue, the secrets and the dispatch of every effect.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/effects.hpp"
#include "core/events.hpp"
#include "fleet_agent.hpp"
#include "lane.hpp"
#include "mapping.hpp"
#include "outbox.hpp"
#include "owner_lock.hpp"
#include "platform/client.hpp"
#include "runtime/kiosk_runtime.hpp"
#include "runtime/staff_sign_in.hpp"
#include "service_monitor.hpp"
#include "staff/crl_store.hpp"
#include "step_journal.hpp"
#include "step_times.hpp"
#include "token/certificate.hpp"
#include "token/rollover.hpp"
#include "token/session.hpp"
#include "token_hub.hpp"

namespace runtime {

struct KioskRuntime::Impl {
  RuntimeOptions opt;
  std::function<std::int64_t()> wall;
  std::unique_ptr<events::EventLog> own_events;  // when the options name no log
  events::Channel events;                        // "runtime"

  // ---- the result queue
  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::vector<core::Event> queue;
  std::function<void()> waker;

  // ---- the secrets given with effects that have not taken them yet (run(), by slot)
  std::mutex secret_mutex;
  Secrets secrets;

  // ---- shared parts
  std::optional<OwnerLock> owner;      // this process drives the kiosk's business (released last)
  std::optional<StepJournal> journal;  // locks itself
  std::optional<StepTimes> step_times;   // the steps' usual durations, next to the journal (business lane)
  std::unique_ptr<OutboxSender> outbox;  // its own thread and platform client
  std::unique_ptr<TokenHub> hub;
  std::unique_ptr<ServiceMonitor> monitor;   // the service checks and the heartbeat (when asked for)
  std::unique_ptr<FleetAgent> fleet;         // the fleet's configuration (when asked for)
  std::optional<contract::Catalog> catalog;  // business lane

  // ---- the business lane's own state (only that thread touches it)
  std::optional<platform::Client> client;
  std::optional<token::Session> session;
  core::TokenIdentity session_token;
  std::map<std::string, token::CertInfo> certs;  // read from the key, by fingerprint
  foundation::SecretBuffer phone_token;          // the platform's proof that the customer owns the phone
  foundation::SecretBuffer account_token;        // the personal centre's bearer token
  // Names this run of the kiosk in the platform's per-session login throttle: the core's session numbers
  // start again at 1 after a restart, and the next customer must not inherit a locked "session 1".
  const std::string run_id = platform::new_idempotency_key();
  std::optional<std::int64_t> business;  // this session's business in the journal

  // ---- the poll lane's own client
  std::optional<platform::Client> poll_client;

  std::atomic<bool> stopping{false};
  // The safe stop (stop_at_safe_point): no effect starts once it is set; the poll client's long poll ends
  // on it (ClientOptions::cancel). business_busy: an effect is running on the business lane.
  std::atomic<bool> stop_requested{false};
  std::mutex stop_mutex;
  bool business_busy = false;  // under stop_mutex
  std::thread watcher;
  std::mutex watcher_mutex;
  std::condition_variable watcher_cv;
  bool recheck_key = false;  // under watcher_mutex: poll now, and report even an unchanged status
  std::unique_ptr<Lane> business_lane;
  std::unique_ptr<Lane> poll_lane;

  // ---- plumbing (kiosk_runtime.cpp)
  void push(core::Event e);
  void wake_owner();  // the waker, without an event (the safe stop's moment)
  // The secret given for this slot with the effect, gone from here; nullopt when none (or wiped meanwhile).
  std::optional<foundation::SecretBuffer> take(const std::optional<core::SecretSlot>& slot);
  void clear_secrets();
  platform::Client& api() { return *client; }
  // The platform's time (unix seconds): this machine's clock plus the offset the platform's last answer
  // showed (its Date header); wall() before any answer. Business lane only.
  std::int64_t platform_now();
  void drop_session();
  // A session on the inserted key (or the one with `want`), reusing the open one when it is the same key.
  token::Result<token::Session*> ensure_session(const std::optional<core::TokenIdentity>& want);
  void recheck_key_now();
  void watch_tokens();
  void wipe();
  // Runs one effect on the business lane: one overload per effect (kiosk_runtime.cpp's Dispatch).
  void execute(const core::Effect& effect, std::uint64_t s);

  // ---- the order (order_effects.cpp)
  void load_catalog(std::uint64_t s);
  void read_key(std::uint64_t s);
  void send_sms(const core::SendSms& e, std::uint64_t s);
  void verify_sms(const core::VerifySms& e, std::uint64_t s);
  void create_order(const core::CreateOrder& e, std::uint64_t s);
  void mark_paid(const std::string& order_id, contract::OrderStatus status);
  void watch_order(const core::WatchOrder& e, std::uint64_t s);
  void close_order(const core::CloseOrder& e, std::uint64_t s);
  void mark_needs_staff(const core::MarkNeedsStaff& e, std::uint64_t s);
  // Records that the business needs staff (status, step, a needs_staff message in the outbox, and `with`'s
  // writes, in one transaction) and has the outbox deliver it now. True when the platform acknowledged
  // it. When the journal cannot record it, the platform is told directly (best effort).
  bool tell_needs_staff(std::int64_t biz, const std::string& order_id, const std::string& reason_key,
                        const std::function<journal::Result<void>(StepJournal::Business&)>& with = {});

  // ---- the rollover (rollover_effects.cpp)
  void run_step(const core::RunStep& e, std::uint64_t s);
  void login(const core::RunStep& e, std::uint64_t s);
  void step_failed(std::uint64_t s, const core::RunStep& e, core::StepErrorKind kind, std::string key,
                   std::string detail, core::PinFlags pin = {});
  void token_failed(std::uint64_t s, const core::RunStep& e, const token::Error& err, std::int64_t biz);
  void platform_failed(std::uint64_t s, const core::RunStep& e, const platform::Error& err, std::int64_t biz);
  // The journal could not record what the step needed: the business stops here (StepFailed Journal).
  void journal_failed(std::uint64_t s, const core::RunStep& e, const journal::Error& err);
  // The journal's business for the order (a business begun on another kiosk gets one here).
  std::optional<std::int64_t> business_of(const core::RunStep& e);
  // What happens to the old key: the kiosk configuration's product family (the project) when it names
  // one, else the catalog's product, else keep.
  domain::OldKeyPolicy policy_for(const std::string& product_id);
  // Before finalize, after an interrupted key generation or certificate write: removes what it left on the
  // key and keeps the report for staff (key_leftovers.hpp). Fails only when the key went.
  token::Result<void> clean_key(token::Session& ts, const token::RenewalRef& ref, std::int64_t biz);
  // The old certificate the renewal is bound to, from this read or fresh from the token.
  token::Result<token::CertInfo> old_cert(token::Session& ts, const std::string& fp);

  // ---- the personal centre (account_effects.cpp)
  void account_login(const core::AccountLogin& e, std::uint64_t s);
  void load_business(std::uint64_t s);
  void merge_journal(core::BusinessItem& it);
  void save_profile(const core::SaveProfile& e, std::uint64_t s);
  void change_password(const core::ChangePassword& e, std::uint64_t s);
  void logout();

  // ---- the resume (resume_effects.cpp)
  void resume_business(const core::ResumeBusiness& e, std::uint64_t s);

  // ---- hall staff (staff_effects.cpp; docs/staff.md)
  KioskRuntime* self = nullptr;  // its StaffDesk (the maintenance screens' data and actions)
  std::optional<staff::Trust> staff_trust;  // the configuration's staff section; none: no staff KEY opens
  std::optional<staff::CrlStore> crl_store;
  std::optional<StaffKey> staff_key_read;   // business lane: the KEY CheckStaffKey judged
  // An audit entry for a staff action (a failure to write it is logged, never silent).
  void audit_staff(const std::string& actor, std::string_view action, const std::string& detail,
                   std::int64_t biz = 0);
  // The staff CRL fetched from the platform and kept when newer; false when nothing new was kept.
  bool refresh_crl();
  void check_staff_key(const core::CheckStaffKey& e);
  void staff_key_sign_in(const core::StaffKeySignIn& e, std::uint64_t s);
  void staff_code_sign_in(const core::StaffCodeSignIn& e, std::uint64_t s);
  void record_staff_action(const core::RecordStaffAction& e);
  void load_staff_status(std::uint64_t s);
  void load_staff_business(std::uint64_t s);
  void load_staff_log(std::uint64_t s);
  void staff_action(const core::StaffAction& e, std::uint64_t s);
  void inspect_key(std::uint64_t s);
  void test_network(std::uint64_t s);
};

}  // namespace runtime
