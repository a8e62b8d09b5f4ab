// kioskctl platform ...: talk to the CA platform with this kiosk's identity (the configuration's
// platform.base_url, ca_file, client_cert, client_key and timeouts). For hall staff: check the link,
// look at orders, send a test SMS; for developers: drive the reference platform (dev ... commands need
// a platform started with --dev).
#include <fmt/core.h>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "contract/codes.hpp"
#include "contract/json.hpp"
#include "exit_codes.hpp"
#include "foundation/base64.hpp"
#include "foundation/secret.hpp"
#include "journal/journal.hpp"
#include "kiosk_version.hpp"
#include "platform/client.hpp"
#include "platform/dev.hpp"
#include "runtime/platform_options.hpp"
#include "runtime/staff_text.hpp"
#include "sentences.hpp"

namespace kioskctl {

int platform_exit_code(const platform::Error& e) {
  switch (e.kind) {
    case platform::ErrorKind::Offline:
      return kPlatformOffline;
    case platform::ErrorKind::Timeout:
      return kPlatformTimeout;
    case platform::ErrorKind::Tls:
      return kPlatformTls;
    case platform::ErrorKind::Http:
      return kPlatformRefused;
    case platform::ErrorKind::Malformed:
      return kPlatformMalformed;
    case platform::ErrorKind::Config:
      return kConfig;
  }
  return kFailure;
}

std::string platform_next_step(const platform::Error& e) {
  std::string next;
  switch (e.kind) {
    case platform::ErrorKind::Offline:
      next = "check the network and that the platform runs at platform.base_url";
      break;
    case platform::ErrorKind::Timeout:
      next = "the platform is slow or unreachable; try again, then check the network";
      break;
    case platform::ErrorKind::Tls:
      next = e.certificate_time
                 ? "a certificate is outside its validity window by one side's clock: check this kiosk's "
                   "clock (timedatectl, chronyc tracking), then the certificates' dates"
                 : "check platform.ca_file (the platform CA) and this kiosk's client_cert/client_key";
      break;
    case platform::ErrorKind::Http:
      if (!e.code.empty())
        next = "the platform refused: " + sentences().text(e.message_key);
      else if (e.http_status >= 300 && e.http_status < 400)
        next = "set platform.base_url to the platform's own address (the answer redirects elsewhere)";
      else if (e.http_status >= 500)
        next = "the platform failed on its side; try again later, then tell the platform's operators";
      else
        next = "is platform.base_url the platform's /v1/? (the answer is not the platform's)";
      break;
    case platform::ErrorKind::Malformed:
      next = "the answer could not be understood; is base_url the platform's /v1/?";
      break;
    case platform::ErrorKind::Config:
      next = "fix the configuration";
      break;
  }
  return next;
}

namespace {

using platform::ErrorKind;

struct PlatformArgs {
  std::string idempotency_key;  // --idempotency-key: reuse one to resume a scripted call
  std::string phone, purpose = "renewal", code_env;
  std::string product, verification, cert_file, manufacturer, model, serial, fapiao_title, fapiao_tax;
  int years = 1;
  std::string order_id, reason, detail, out_file, signing_key;
  int wait_s = 0;
  // dev
  std::string project, brand, pubkey_file, org, org_unit, cn;
  int days = 30;
  long long clock_set = -1, clock_advance = 0;
  std::string fault_endpoint, fault_mode;
  int fault_count = 1, fault_delay_ms = 0;
  std::string fingerprint;
};

[[noreturn]] void report(const platform::Error& e) {
  fmt::print(stderr, "kioskctl: platform: {}\n  next: {}\n", e.to_string(), platform_next_step(e));
  fail(platform_exit_code(e));
}

template <typename T>
T ok_or_report(platform::Result<T> r) {
  if (!r) report(r.error());
  return std::move(*r);
}
inline void ok_or_report(platform::Result<void> r) {
  if (!r) report(r.error());
}

platform::Client make_client(const Globals& g) {
  auto cfg = load_config_or_report(g);
  if (!cfg) fail(kConfig);
  return ok_or_report(platform::Client::create(runtime::client_options(*cfg)));
}

std::string key_of(const PlatformArgs& a) {
  return a.idempotency_key.empty() ? platform::new_idempotency_key() : a.idempotency_key;
}

contract::SmsPurpose purpose_of(const std::string& s) {
  contract::SmsPurpose p{};
  if (!contract::parse(s, p)) {
    fmt::print(stderr, "kioskctl: --purpose must be renewal, login or change_phone\n");
    fail(kUsage);
  }
  return p;
}

std::string date(contract::UnixTime t) {
  time_t tt = static_cast<time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

using runtime::yuan;

void print_json(const contract::Json& j) {
  fmt::print("{}\n", j.dump(2, ' ', false, contract::Json::error_handler_t::replace));
}

void print_order(const Globals& g, const contract::Order& o) {
  if (g.json_output) return print_json(contract::encode(o));
  fmt::print("order      {}\n", o.id);
  fmt::print("status     {}\n", contract::to_string(o.status));
  fmt::print("product    {} × {} year(s)\n", o.product_id, o.years);
  fmt::print("amount     {}\n", yuan(o.amount_fen));
  fmt::print("created    {}\n", date(o.created_at));
  if (o.status == contract::OrderStatus::PendingPayment) fmt::print("pay by     {}\n", date(o.expires_at));
  if (!o.code_url.empty()) fmt::print("code_url   {}\n", o.code_url);
  if (o.paid_at) fmt::print("paid       {}\n", date(*o.paid_at));
  fmt::print("key        {} {} {}\n", o.token.manufacturer, o.token.model, o.token.serial);
  fmt::print("old cert   sha256 {}\n", o.old_cert_sha256);
  if (o.needs_staff_reason)
    fmt::print("needs staff {} (next: {})\n", *o.needs_staff_reason, o.needs_staff_next_step.value_or(""));
  if (o.certificate) fmt::print("issued     certificate of {} bytes\n", o.certificate->size());
}

// A secret from the environment variable named by --code-env, or else one line from stdin (a prompt on a
// terminal). Never from the command line, where ps shows it.
foundation::SecretBuffer read_secret(const std::string& env_name, const char* prompt) {
  foundation::SecretBuffer s;
  if (!env_name.empty()) {
    const foundation::SecretBuffer* e = env_secret(env_name);
    if (!e) {
      fmt::print(stderr, "kioskctl: ${} is not set\n", env_name);
      fail(kUsage);
    }
    return e->clone();
  }
  if (isatty(0)) fmt::print(stderr, "{}", prompt);
  int c;
  while (s.size() < 4096 && (c = std::getchar()) != EOF && c != '\n') s.push_back(static_cast<char>(c));
  return s;
}

contract::Bytes read_certificate(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "kioskctl: cannot read {}\n", file);
    fail(kUsage);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto begin = text.find("-----BEGIN CERTIFICATE-----");
  if (begin == std::string::npos) return contract::Bytes(text.begin(), text.end());  // DER
  auto end = text.find("-----END CERTIFICATE-----", begin);
  std::string b64;
  for (std::size_t i = begin + 27; i < end && i < text.size(); ++i)
    if (!std::isspace(static_cast<unsigned char>(text[i]))) b64 += text[i];
  auto der = foundation::base64_decode(b64);
  if (!der) {
    fmt::print(stderr, "kioskctl: {} is not a PEM or DER certificate\n", file);
    fail(kUsage);
  }
  return *der;
}

std::string read_text(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "kioskctl: cannot read {}\n", file);
    fail(kUsage);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_pem(const std::string& file, const contract::Bytes& der) {
  std::string b64 = foundation::base64_encode(der);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out << b64.substr(i, 64) << '\n';
  out << "-----END CERTIFICATE-----\n";
  if (!out) {
    fmt::print(stderr, "kioskctl: cannot write {}\n", file);
    fail(kFailure);
  }
}

}  // namespace

void report_platform_error(const platform::Error& e) {
  report(e);
}

void add_platform_commands(CLI::App& app, Globals& g) {
  auto args = std::make_shared<PlatformArgs>();
  PlatformArgs& a = *args;
  CLI::App* p = app.add_subcommand("platform", "talk to the CA platform with this kiosk's identity");
  p->require_subcommand(1);
  auto keyed = [&a](CLI::App* c) {
    c->add_option("--idempotency-key", a.idempotency_key,
                  "reuse a key (resume a call whose answer was lost)");
  };

  CLI::App* ping = p->add_subcommand(
      "ping", "check the link: TLS with this kiosk's certificate, latency, catalog version");
  ping->callback([&g, args] {
    auto client = make_client(g);
    auto t0 = std::chrono::steady_clock::now();
    auto cat = ok_or_report(client.catalog());
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("platform ok: {} ({} ms, catalog {}, {} products)\n", client.options().base_url, ms,
               cat.version, cat.products.size());
  });

  CLI::App* catalog = p->add_subcommand("catalog", "projects, brands and products with prices");
  catalog->callback([&g, args] {
    auto client = make_client(g);
    auto cat = ok_or_report(client.catalog());
    if (g.json_output) return print_json(contract::encode(cat));
    fmt::print("catalog {}\n\nproducts:\n", cat.version);
    for (const auto& pr : cat.products) {
      std::string years;
      for (int y : pr.allowed_years) years += (years.empty() ? "" : ",") + std::to_string(y);
      fmt::print(
          "  {}\n    {}\n    {} per year, years {}, {}, window {} days before to {} days after expiry, old "
          "key: {}\n",
          pr.id, pr.display_name,
          pr.price_fen_per_year == 0 ? std::string("free") : yuan(pr.price_fen_per_year), years,
          domain::to_string(pr.key_algorithm), pr.renewal_days_before, pr.renewal_days_after,
          domain::to_string(pr.old_key_policy));
    }
    fmt::print("\nbrands:\n");
    for (const auto& b : cat.brands)
      fmt::print("  {:10} {} (token {} / {}, module {})\n", b.id, b.display_name, b.manufacturer, b.model,
                 b.module_hint);
    fmt::print("\nprojects:\n");
    for (const auto& pj : cat.projects) fmt::print("  {:18} {}\n", pj.id, pj.display_name);
  });

  CLI::App* send = p->add_subcommand("sms-send", "send a verification code to a phone");
  send->add_option("phone", a.phone, "11-digit mobile number")->required();
  send->add_option("--purpose", a.purpose, "renewal (default), login or change_phone");
  keyed(send);
  send->callback([&g, args] {
    auto client = make_client(g);
    auto sent = ok_or_report(client.sms_send({args->phone, purpose_of(args->purpose)}, key_of(*args)));
    if (g.json_output) return print_json(contract::encode(sent));
    fmt::print("sent a {}-digit code to {} (valid {} s; a new one after {} s)\n", sent.code_length,
               args->phone, sent.expires_in_s, sent.resend_after_s);
  });

  CLI::App* verify = p->add_subcommand("sms-verify", "verify a code; prints the phone verification token");
  verify->add_option("phone", a.phone)->required();
  verify->add_option("--purpose", a.purpose, "renewal (default) or change_phone");
  verify->add_option("--code-env", a.code_env, "read the code from this environment variable (else stdin)");
  refuse_secret_option(*verify, "--code", "give it on stdin or with --code-env NAME");
  keyed(verify);
  verify->callback([&g, args] {
    auto client = make_client(g);
    foundation::SecretBuffer code = read_secret(args->code_env, "code: ");
    auto v =
        ok_or_report(client.sms_verify(args->phone, purpose_of(args->purpose), code.reveal(), key_of(*args)));
    if (g.json_output) return print_json(contract::encode(v));
    fmt::print("{}\n", v.verification_token);
    fmt::print(stderr, "(valid until {})\n", date(v.expires_at));
  });

  CLI::App* create = p->add_subcommand("order-create", "create a renewal order bound to a certificate");
  create->add_option("--product", a.product, "product id (kioskctl platform catalog)")->required();
  create->add_option("--years", a.years, "years to buy (default 1)");
  create->add_option("--cert", a.cert_file, "the certificate being renewed (PEM or DER file)")->required();
  create->add_option("--manufacturer", a.manufacturer, "the key's CK_TOKEN_INFO manufacturer")->required();
  create->add_option("--model", a.model, "the key's model")->required();
  create->add_option("--serial", a.serial, "the key's serial number")->required();
  create->add_option("--verification", a.verification,
                     "a token from sms-verify (or give --phone, and the code on stdin or with --code-env)");
  create->add_option("--phone", a.phone, "verify this phone first (the code read from stdin, or --code-env)");
  create->add_option("--code-env", a.code_env,
                     "read the SMS code for --phone from this environment variable");
  refuse_secret_option(*create, "--code", "give it on stdin or with --code-env NAME");
  create->add_option("--fapiao-title", a.fapiao_title, "e-invoice title (reserved)");
  create->add_option("--fapiao-tax-number", a.fapiao_tax, "e-invoice tax number (reserved)");
  keyed(create);
  create->callback([&g, args] {
    auto client = make_client(g);
    contract::OrderCreateRequest r;
    r.product_id = args->product;
    r.years = args->years;
    r.old_certificate = read_certificate(args->cert_file);
    r.token = {args->manufacturer, args->model, args->serial};
    if (!args->fapiao_title.empty()) r.fapiao_title = args->fapiao_title;
    if (!args->fapiao_tax.empty()) r.fapiao_tax_number = args->fapiao_tax;
    r.verification_token = args->verification;
    if (r.verification_token.empty()) {
      if (args->phone.empty()) {
        fmt::print(
            stderr,
            "kioskctl: give --verification TOKEN, or --phone (and the code on stdin or with --code-env)\n");
        fail(kUsage);
      }
      foundation::SecretBuffer code = read_secret(args->code_env, "code: ");
      r.verification_token = ok_or_report(client.sms_verify(args->phone, contract::SmsPurpose::Renewal,
                                                            code.reveal(), platform::new_idempotency_key()))
                                 .verification_token;
    }
    std::string key = key_of(*args);
    if (!g.json_output) fmt::print(stderr, "idempotency key {} (pass --idempotency-key to resume)\n", key);
    print_order(g, ok_or_report(client.order_create(r, key)));
  });

  CLI::App* order = p->add_subcommand("order", "show an order (optionally wait for a change of status)");
  order->add_option("id", a.order_id)->required();
  order->add_option("--wait", a.wait_s, "long-poll up to this many seconds (≤ 60) for a change");
  order->callback([&g, args] {
    auto client = make_client(g);
    contract::Order o = ok_or_report(client.order_get(args->order_id));
    if (args->wait_s > 0)
      o = ok_or_report(client.order_wait(args->order_id, o.status, std::chrono::seconds(args->wait_s)));
    print_order(g, o);
  });

  CLI::App* close = p->add_subcommand("order-close", "close an unpaid order (refused when it was paid)");
  close->add_option("id", a.order_id)->required();
  keyed(close);
  close->callback([&g, args] {
    print_order(g, ok_or_report(make_client(g).order_close(args->order_id, key_of(*args))));
  });

  CLI::App* staff = p->add_subcommand("needs-staff", "hand a paid order to the counter (needs_staff)");
  staff->add_option("id", a.order_id)->required();
  staff->add_option("--reason", a.reason, "machine reason: pin_locked, token_full, platform_refused, ...")
      ->required();
  staff->add_option("--detail", a.detail, "for the counter staff (no PINs, no codes)");
  keyed(staff);
  staff->callback([&g, args] {
    print_order(g, ok_or_report(make_client(g).order_needs_staff(args->order_id, {args->reason, args->detail},
                                                                 key_of(*args))));
  });

  CLI::App* cert = p->add_subcommand("certificate", "fetch the certificate issued for an order");
  cert->add_option("id", a.order_id)->required();
  cert->add_option("--out", a.out_file, "write it as PEM to this file");
  cert->callback([&g, args] {
    auto issued = ok_or_report(make_client(g).certificate_get(args->order_id));
    if (g.json_output) return print_json(contract::encode(issued));
    fmt::print("serial {}\nvalid  {} → {}\n", issued.serial, date(issued.not_before), date(issued.not_after));
    if (!args->out_file.empty()) {
      write_pem(args->out_file, issued.certificate);
      fmt::print("written to {}\n", args->out_file);
    }
  });

  CLI::App* hb = p->add_subcommand("heartbeat", "send a heartbeat; prints the kiosk id the platform sees");
  keyed(hb);
  hb->callback([&g, args] {
    auto ack = ok_or_report(make_client(g).heartbeat(
        {std::string("kioskctl ") + kiosk_version(), 0, {{"kioskctl", "ok", "manual heartbeat"}}},
        key_of(*args)));
    if (g.json_output) return print_json(contract::encode(ack));
    fmt::print("platform sees kiosk {}; its time {}; configuration version {}\n", ack.kiosk_id,
               date(ack.server_time), ack.config_version);
  });

  CLI::App* config = p->add_subcommand("config", "fetch the signed kiosk configuration and verify it");
  config->add_option("--signing-key", a.signing_key, "the platform's config-signing public key (PEM)")
      ->required();
  config->callback([&g, args] {
    auto sc = ok_or_report(make_client(g).kiosk_config());
    auto payload = ok_or_report(platform::verify_signed_config(
        sc, args->signing_key, static_cast<contract::UnixTime>(std::time(nullptr))));
    if (g.json_output) return print_json(contract::encode(payload));
    fmt::print("signature ok; version {}, expires {}\n", payload.version, date(payload.expires_at));
    for (const auto& [k, v] : payload.endpoints) fmt::print("  {} = {}\n", k, v);
  });

  // ---- dev: the reference platform's dev endpoints
  CLI::App* dev = p->add_subcommand(
      "dev", "reference platform with --dev: pay, SMS outbox, seed certificates, clock, faults");
  dev->require_subcommand(1);
  CLI::App* pay = dev->add_subcommand("pay", "scan and pay an order (stands in for WeChat Pay)");
  pay->add_option("id", a.order_id)->required();
  pay->callback([&g, args] {
    auto client = make_client(g);
    print_order(g, ok_or_report(platform::dev::pay(client, args->order_id)));
  });
  CLI::App* outbox = dev->add_subcommand("outbox", "the SMS sent (the gateway stand-in)");
  outbox->add_option("phone", a.phone, "only this phone");
  outbox->callback([&g, args] {
    auto client = make_client(g);
    for (const auto& m : ok_or_report(platform::dev::sms_outbox(client, args->phone)))
      fmt::print("{}  {}  {:12}  {}\n", date(m.at), m.phone, m.purpose, m.code);
  });
  CLI::App* seed =
      dev->add_subcommand("seed", "issue a customer certificate for a public key (project, brand, expiry)");
  seed->add_option("--project", a.project)->required();
  seed->add_option("--brand", a.brand)->required();
  seed->add_option("--pubkey", a.pubkey_file, "public key PEM file")->required();
  seed->add_option("--org", a.org, "O (Chinese is fine)")->required();
  seed->add_option("--unit", a.org_unit, "OU");
  seed->add_option("--cn", a.cn, "CN")->required();
  seed->add_option("--days", a.days, "days until it expires (negative: expired)");
  seed->add_option("--out", a.out_file, "write the certificate (PEM) here")->required();
  seed->callback([&g, args] {
    auto client = make_client(g);
    platform::dev::SeedRequest r;
    r.org = args->org;
    r.org_unit = args->org_unit;
    r.common_name = args->cn;
    r.public_key = read_text(args->pubkey_file);
    r.project = args->project;
    r.brand = args->brand;
    auto now = static_cast<contract::UnixTime>(std::time(nullptr));
    r.not_after = now + static_cast<contract::UnixTime>(args->days) * 86400;
    r.not_before = r.not_after - 365 * 86400;
    auto s = ok_or_report(platform::dev::seed_certificate(client, r));
    write_pem(args->out_file, s.certificate);
    fmt::print("serial {} sha256 {}\nwritten to {}\n", s.serial, s.sha256, args->out_file);
  });
  CLI::App* clock = dev->add_subcommand("clock", "show or move the platform's clock");
  clock->add_option("--set", a.clock_set, "UNIX seconds");
  clock->add_option("--advance", a.clock_advance, "seconds (negative goes back)");
  clock->callback([&g, args] {
    auto client = make_client(g);
    contract::UnixTime now = 0;
    if (args->clock_set >= 0)
      now = ok_or_report(platform::dev::set_clock(client, args->clock_set));
    else
      now = ok_or_report(platform::dev::advance_clock(client, args->clock_advance));
    fmt::print("platform time {} ({})\n", date(now), now);
  });
  CLI::App* fault = dev->add_subcommand("fault", "fail, drop, delay or throw in an endpoint's next calls");
  fault->add_option("endpoint", a.fault_endpoint, "operation name, e.g. orders.create, renewal.submit")
      ->required();
  fault->add_option("mode", a.fault_mode, "fail | drop | delay | throw")->required();
  fault->add_option("--count", a.fault_count, "how many calls (default 1)");
  fault->add_option("--delay-ms", a.fault_delay_ms, "for delay");
  fault->callback([&g, args] {
    auto client = make_client(g);
    ok_or_report(platform::dev::set_fault(client, args->fault_endpoint, args->fault_mode, args->fault_count,
                                          args->fault_delay_ms));
    fmt::print("fault set: {} {} × {}\n", args->fault_endpoint, args->fault_mode, args->fault_count);
  });
  CLI::App* records = dev->add_subcommand("records", "orders with their issuances and payments");
  records->add_option("--cert-sha256", a.fingerprint, "only orders for this certificate");
  records->callback([&g, args] {
    auto client = make_client(g);
    auto r = ok_or_report(platform::dev::records(client, args->fingerprint));
    for (const auto& o : r.orders)
      fmt::print("{}  {:16} {:>10}  issuances {}  payments {}  kiosk {}\n", o.id, o.status,
                 yuan(o.amount_fen), o.issuances, o.payments, o.kiosk_id);
    fmt::print("{} orders, {} issuances, {} payments\n", r.orders.size(), r.issuances, r.payments);
  });
}

}  // namespace kioskctl
