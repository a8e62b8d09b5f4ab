#include "token/module.hpp"

#include <dlfcn.h>
#include <fmt/core.h>
#include <openssl/err.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "p11.hpp"

namespace token {
namespace {

// One instance per library path in this process: C_Initialize may be called once per process, and one
// lock must cover every call into the module.
std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, std::weak_ptr<detail::ModuleCore>>& registry() {
  static std::map<std::string, std::weak_ptr<detail::ModuleCore>> r;
  return r;
}

void destroy_core(detail::ModuleCore* c) noexcept {
  std::lock_guard lock(registry_mutex());
  if (c->fl != nullptr && c->owns_init && c->fl->C_Finalize != nullptr) c->fl->C_Finalize(nullptr);
  if (c->dl != nullptr) dlclose(c->dl);
  auto it = registry().find(c->key);
  if (it != registry().end() && it->second.expired()) registry().erase(it);
  delete c;
}

}  // namespace

namespace detail {

Result<TokenInfo> read_token_info(ModuleCore& core, CK_SLOT_ID slot) {
  CK_TOKEN_INFO raw{};
  CK_RV rv = core.call(&CK_FUNCTION_LIST::C_GetTokenInfo, slot, &raw);
  if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetTokenInfo"));
  return token_info_from(slot, raw);
}

Result<Mechanisms> read_mechanisms(ModuleCore& core, CK_SLOT_ID slot, std::span<const CK_MECHANISM_TYPE> only) {
  // The mechanism list can change size between the two calls only on a token swap; retry once.
  std::vector<CK_MECHANISM_TYPE> types;
  for (int attempt = 0; attempt < 2; ++attempt) {
    CK_ULONG n = 0;
    CK_RV rv = core.call(&CK_FUNCTION_LIST::C_GetMechanismList, slot, static_cast<CK_MECHANISM_TYPE_PTR>(nullptr), &n);
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetMechanismList"));
    types.resize(n);
    rv = core.call(&CK_FUNCTION_LIST::C_GetMechanismList, slot, types.data(), &n);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetMechanismList"));
    types.resize(n);
    break;
  }
  Mechanisms m;
  m.list.reserve(types.size());
  for (CK_MECHANISM_TYPE t : types) {
    if (!only.empty() && std::find(only.begin(), only.end(), t) == only.end()) continue;
    CK_MECHANISM_INFO info{};
    CK_RV rv = core.call(&CK_FUNCTION_LIST::C_GetMechanismInfo, slot, t, &info);
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetMechanismInfo"));
    m.list.push_back({t, info.ulMinKeySize, info.ulMaxKeySize, info.flags});
  }
  return m;
}

}  // namespace detail

Module::Module(std::shared_ptr<detail::ModuleCore> core) noexcept : core_(std::move(core)) {}
Module::Module(Module&&) noexcept = default;
Module& Module::operator=(Module&&) noexcept = default;
Module::~Module() = default;

const std::filesystem::path& Module::path() const noexcept { return core_->path; }

Result<Module> Module::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return std::unexpected(make_error(ErrorCode::ModuleMissing, fmt::format("no file {}", path.string())));
  std::string key = std::filesystem::canonical(path, ec).string();
  if (ec) key = path.string();

  std::lock_guard lock(registry_mutex());
  if (auto it = registry().find(key); it != registry().end())
    if (auto existing = it->second.lock()) return Module(std::move(existing));

  void* dl = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (dl == nullptr) {
    const char* why = dlerror();
    return std::unexpected(make_error(ErrorCode::ModuleLoadFailed,
                                      fmt::format("dlopen {}: {}", path.string(), why ? why : "?")));
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(dl, "C_GetFunctionList"));
  CK_FUNCTION_LIST_PTR fl = nullptr;
  CK_RV rv = get_list != nullptr ? get_list(&fl) : CKR_FUNCTION_NOT_SUPPORTED;
  if (rv != CKR_OK || fl == nullptr || fl->C_Initialize == nullptr) {
    dlclose(dl);
    Error e = error_from_rv(rv, "C_GetFunctionList");
    e.code = ErrorCode::ModuleLoadFailed;
    return std::unexpected(std::move(e));
  }
  // CKF_OS_LOCKING_OK: the module may use OS threads and locks; we also serialise every call ourselves.
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  rv = fl->C_Initialize(&args);
  // SoftHSM (and other OpenSSL-based modules) leave entries in OpenSSL's per-thread error queue.
  ERR_clear_error();
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    dlclose(dl);
    Error e = error_from_rv(rv, "C_Initialize");
    e.code = ErrorCode::ModuleLoadFailed;
    return std::unexpected(std::move(e));
  }
  auto* raw = new detail::ModuleCore;
  raw->path = path;
  raw->key = key;
  raw->dl = dl;
  raw->fl = fl;
  raw->owns_init = rv == CKR_OK;
  std::shared_ptr<detail::ModuleCore> core(raw, destroy_core);
  registry()[key] = core;
  return Module(std::move(core));
}

Result<ModuleInfo> Module::info() const {
  CK_INFO raw{};
  CK_RV rv = core_->call(&CK_FUNCTION_LIST::C_GetInfo, &raw);
  if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetInfo"));
  ModuleInfo i;
  i.manufacturer = detail::blank_padded_text(raw.manufacturerID, sizeof raw.manufacturerID);
  i.description = detail::blank_padded_text(raw.libraryDescription, sizeof raw.libraryDescription);
  i.library_version = fmt::format("{}.{}", raw.libraryVersion.major, raw.libraryVersion.minor);
  i.cryptoki_version = fmt::format("{}.{}", raw.cryptokiVersion.major, raw.cryptokiVersion.minor);
  return i;
}

Result<std::vector<CK_SLOT_ID>> Module::slots_with_token() const {
  std::vector<CK_SLOT_ID> slots;
  for (int attempt = 0; attempt < 3; ++attempt) {
    CK_ULONG n = 0;
    CK_RV rv = core_->call(&CK_FUNCTION_LIST::C_GetSlotList, CK_BBOOL{CK_TRUE}, static_cast<CK_SLOT_ID_PTR>(nullptr), &n);
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetSlotList"));
    slots.resize(n);
    if (n == 0) return slots;
    rv = core_->call(&CK_FUNCTION_LIST::C_GetSlotList, CK_BBOOL{CK_TRUE}, slots.data(), &n);
    if (rv == CKR_BUFFER_TOO_SMALL) continue;  // a token arrived between the two calls
    if (rv != CKR_OK) return std::unexpected(error_from_rv(rv, "C_GetSlotList"));
    slots.resize(n);
    return slots;
  }
  return std::unexpected(make_error(ErrorCode::DeviceError, "C_GetSlotList: slot list keeps changing"));
}

Result<TokenInfo> Module::token_info(CK_SLOT_ID slot) const { return detail::read_token_info(*core_, slot); }

Result<std::vector<TokenInfo>> Module::tokens() const {
  auto slots = slots_with_token();
  if (!slots) return std::unexpected(slots.error());
  std::vector<TokenInfo> out;
  for (CK_SLOT_ID s : *slots) {
    auto t = detail::read_token_info(*core_, s);
    if (!t) {
      if (t.error().code == ErrorCode::TokenRemoved) continue;
      return std::unexpected(t.error());
    }
    if (t->initialized) out.push_back(std::move(*t));
  }
  return out;
}

Result<Mechanisms> Module::mechanisms(CK_SLOT_ID slot) const { return detail::read_mechanisms(*core_, slot); }

Result<TokenInfo> Module::find_token(const TokenIdentity& id) const {
  auto all = tokens();
  if (!all) return std::unexpected(all.error());
  for (auto& t : *all)
    if (t.identity == id) return std::move(t);
  if (all->empty()) return std::unexpected(make_error(ErrorCode::TokenAbsent, "no token present"));
  return std::unexpected(make_error(ErrorCode::WrongToken, fmt::format("expected {}, found {}", id.to_string(),
                                                                        all->front().identity.to_string())));
}

Result<TokenInfo> Module::find_token_by_label(std::string_view label) const {
  auto all = tokens();
  if (!all) return std::unexpected(all.error());
  for (auto& t : *all)
    if (t.label == label) return std::move(t);
  if (all->empty()) return std::unexpected(make_error(ErrorCode::TokenAbsent, "no token present"));
  return std::unexpected(make_error(ErrorCode::WrongToken, fmt::format("no token labelled \"{}\"", label)));
}

std::vector<RegisteredModule> registered_modules(const std::vector<std::filesystem::path>& dirs_in) {
  std::vector<std::filesystem::path> dirs = dirs_in;
  if (dirs.empty()) dirs = {TOKEN_P11KIT_CONFIG_DIR, "/etc/pkcs11/modules"};
  std::vector<RegisteredModule> out;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().extension() == ".module") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f);
      std::string line;
      while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (line.starts_with('#') || colon == std::string::npos) continue;
        std::string k = line.substr(0, colon);
        if (k != "module") continue;
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        v.erase(v.find_last_not_of(" \t\r") + 1);
        RegisteredModule m;
        m.name = f.stem().string();
        m.path = v;
        if (m.path.is_relative()) m.path = std::filesystem::path(TOKEN_P11KIT_MODULE_DIR) / m.path;
        m.exists = std::filesystem::is_regular_file(m.path, ec);
        // A later directory (/etc) overrides a module of the same name.
        auto same = std::find_if(out.begin(), out.end(), [&](const RegisteredModule& o) { return o.name == m.name; });
        if (same != out.end())
          *same = std::move(m);
        else
          out.push_back(std::move(m));
        break;
      }
    }
  }
  return out;
}

}  // namespace token
