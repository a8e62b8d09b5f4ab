// Diagnostics bundles (docs/platform.md, "Diagnostics bundles"; docs/staff.md, "The diagnostics bundle"):
// a kiosk's staff send one, the platform keeps it as sent under DIR/diagnostics/<kiosk id>/<id>.json with a
// row of the diagnostics table, and the fleet's admins list and read them.
#include <fstream>
#include <iterator>

#include "foundation/hex.hpp"
#include "foundation/sha256.hpp"
#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

constexpr int kMaxListedBundles = 100;

std::filesystem::path bundle_file(const State& s, std::string_view kiosk_id, std::string_view id) {
  return s.opt.data_dir / "diagnostics" / std::string(kiosk_id) / (std::string(id) + ".json");
}

// POST /v1/kiosk/diagnostics: the body is the bundle; 201 {id, received_at, bytes}.
Reply h_upload(State& s, Ctx& c) {
  const std::string& text = c.req.body;
  if (text.size() > contract::kMaxDiagnosticsBytes) return error_reply(code::kDiagnosticsTooLarge);
  const Json& b = c.body;
  const bool ok = b.is_object() && b.contains("schema") && b["schema"].is_number_integer() &&
                  b["schema"].get<std::int64_t>() >= 1 && b.contains("kiosk_id") &&
                  b["kiosk_id"].is_string() && b.contains("software_version") &&
                  b["software_version"].is_string() && b.contains("time") && b["time"].is_number_integer();
  if (!ok) return error_reply(code::kDiagnosticsMalformed, "schema, kiosk_id, software_version and time");
  const std::string id = "D" + foundation::hex_encode(s.id_bytes("diagnostics", 8));
  const auto file = bundle_file(s, c.kiosk_id, id);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return error_reply(code::kInternal, "cannot store the bundle");
  const auto bytes = static_cast<std::int64_t>(text.size());
  Stmt(s.db, "INSERT INTO diagnostics VALUES(?,?,?,?,?)")
      .bind(id, c.kiosk_id, c.now, bytes, foundation::sha256_hex(std::string_view(text)))
      .run();
  return {201, contract::encode(contract::DiagnosticsReceipt{id, c.now, bytes})};
}

// GET /v1/admin/kiosks/{id}/diagnostics: what that kiosk sent, newest first.
Reply h_list(State& s, Ctx& c) {
  const std::string kiosk = c.param();
  Json list = Json::array();
  Stmt q(s.db,
         "SELECT id, received_at, bytes, sha256 FROM diagnostics WHERE kiosk_id=? ORDER BY received_at DESC, "
         "rowid DESC LIMIT ?");
  q.bind(kiosk, kMaxListedBundles);
  while (q.row())
    list.push_back(
        {{"id", q.text(0)}, {"received_at", q.i64(1)}, {"bytes", q.i64(2)}, {"sha256", q.text(3)}});
  return {200, {{"kiosk_id", kiosk}, {"diagnostics", list}}};
}

// GET /v1/admin/diagnostics/{id}: one bundle as the kiosk sent it.
Reply h_read(State& s, Ctx& c) {
  Stmt q(s.db, "SELECT kiosk_id FROM diagnostics WHERE id=?");
  q.bind(c.param());
  if (!q.row()) return error_reply(code::kDiagnosticsUnknown);
  std::ifstream in(bundle_file(s, q.text(0), c.param()), std::ios::binary);
  if (!in) return error_reply(code::kDiagnosticsUnknown, "the stored file is gone");
  Reply r;
  r.raw = std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  r.content_type = "application/json";
  return r;
}

}  // namespace

void add_diagnostics_routes(Routes& r) {
  r.accepting(Accepts::Kiosk);
  r.post("/v1/kiosk/diagnostics", "kiosk.diagnostics", h_upload);
  r.accepting(Accepts::Admin);
  r.get("/v1/admin/kiosks/" + std::string(kIdPattern) + "/diagnostics", "admin.kiosk_diagnostics", h_list);
  r.get("/v1/admin/diagnostics/" + std::string(kIdPattern), "admin.diagnostics", h_read);
}

}  // namespace reference
