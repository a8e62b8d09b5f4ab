// The fleet console's page (docs/console.md): three static files under /admin/, for fleet admins only.
// They are admin routes, so dispatch() refuses every other peer as it does on the admin API; http.cpp
// adds the Content-Security-Policy and the no-store and nosniff headers to every admin answer.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "routes.hpp"
#include "state.hpp"

namespace reference {
namespace {

std::filesystem::path console_dir(const ServerOptions& o) {
  return o.console_dir.empty() ? std::filesystem::path(KIOSK_CONSOLE_DIR) : o.console_dir;
}

Reply file_reply(const State& s, const std::string& name) {
  // Only the three names the route patterns allow reach here: no path from the request is joined.
  const char* type = name.ends_with(".js")    ? "text/javascript; charset=utf-8"
                     : name.ends_with(".css") ? "text/css; charset=utf-8"
                                              : "text/html; charset=utf-8";
  std::ifstream in(console_dir(s.opt) / name, std::ios::binary);
  if (!in) return error_reply(code::kNotFound, "the console's files are not installed");
  std::stringstream text;
  text << in.rdbuf();
  Reply r;
  r.raw = text.str();
  r.content_type = type;
  return r;
}

Reply h_index(State& s, Ctx&) {
  return file_reply(s, "index.html");
}

Reply h_file(State& s, Ctx& c) {
  return file_reply(s, c.param());
}

// /admin without the slash: the page's relative links need the directory form.
Reply h_directory(State&, Ctx&) {
  Reply r{301, Json::object()};
  r.headers.emplace_back("Location", "/admin/");
  return r;
}

}  // namespace

void add_console_routes(Routes& r) {
  r.accepting(Accepts::Admin);
  r.get("/admin", "console.page", h_directory);
  r.get("/admin/", "console.page", h_index);
  r.get("/admin/(index\\.html|console\\.js|console\\.css)", "console.page", h_file);
}

}  // namespace reference
