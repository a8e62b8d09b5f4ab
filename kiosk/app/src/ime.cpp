#include "ime.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string_view>

#include <rime_api.h>
#include <zinnia.h>

#include "foundation/c_handle.hpp"

namespace app {
namespace {

using Recognizer = foundation::CPtr<zinnia_recognizer_t, zinnia_recognizer_destroy>;
using Character = foundation::CPtr<zinnia_character_t, zinnia_character_destroy>;
using ZinniaResult = foundation::CPtr<zinnia_result_t, zinnia_result_destroy>;

// librime keeps process-wide state (its modules, glog, the deployer), so it is set up once per process
// whatever the number of engines; the struct outlives every engine (the traits' strings stay valid).
struct RimeProcess {
  RimeApi* api = nullptr;
  std::string error;  // why it is not available
  std::string shared_dir;
  std::string schema_dir;
  std::atomic<int> sessions{0};  // Rime sessions alive in any engine
};

RimeProcess& process_state() {
  static RimeProcess p;
  return p;
}

// At exit, librime's process-wide state (its service, modules and their components) is let go with
// finalize(), so the process ends clean (a leak checker sees nothing of it); not while a session could
// still use it (an engine outliving main).
void finalize_rime() {
  RimeProcess& p = process_state();
  if (p.api && p.api->finalize && p.sessions.load() == 0) {
    p.api->finalize();
    p.api = nullptr;
  }
}

RimeProcess& rime_process(const ImeOptions& o) {
  RimeProcess& p = process_state();
  static std::once_flag once;
  std::call_once(once, [&] {
    // Never closed: librime's static state must outlive every session.
    void* lib = dlopen(o.rime_library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      p.error = "cannot load " + o.rime_library + " (Debian librime1): " + dlerror();
      return;
    }
    using GetApi = RimeApi* (*)();
    auto get_api = reinterpret_cast<GetApi>(dlsym(lib, "rime_get_api"));
    RimeApi* api = get_api ? get_api() : nullptr;
    if (!api || !api->setup || !api->initialize || !api->create_session || !api->simulate_key_sequence ||
        !api->candidate_list_begin || !api->select_candidate || !api->get_commit || !api->get_context) {
      p.error = o.rime_library + " does not offer the Rime API this kiosk needs (librime 1.8)";
      return;
    }
    p.shared_dir = o.rime_shared_dir.string();
    p.schema_dir = o.rime_schema_dir.string();
    RimeTraits t{};
    t.data_size = static_cast<int>(sizeof(RimeTraits) - sizeof(t.data_size));
    t.shared_data_dir = p.shared_dir.c_str();
    // The kiosk schema is kept compiled in assets/rime, so nothing is deployed: that folder is both the
    // staging directory and the (never written) user data directory. The dictionary's prism and table come
    // prebuilt from the shared directory.
    t.user_data_dir = p.schema_dir.c_str();
    t.staging_dir = p.schema_dir.c_str();
    t.distribution_name = "ca-kiosk";
    t.distribution_code_name = "ca-kiosk";
    t.distribution_version = "1";
    t.app_name = "rime.ca-kiosk";
    t.min_log_level = 3;  // FATAL only: no log files, and nothing typed in any log
    api->setup(&t);
    api->initialize(&t);
    p.api = api;
    std::atexit(finalize_rime);
  });
  return p;
}

bool pinyin_letters(std::string_view s) {
  return !s.empty() && s.size() <= 48 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// After a partial choice Rime's preedit is the chosen characters followed by the letters still open,
// spelled with delimiters ("张 san" / "缕析ao ming"): split it there.
ui::PinyinPick split_preedit(std::string_view preedit) {
  ui::PinyinPick p;
  std::size_t i = 0;
  while (i < preedit.size()) {
    const char c = preedit[i];
    if ((c >= 'a' && c <= 'z') || c == ' ' || c == '\'') break;
    ++i;
  }
  p.text = std::string(preedit.substr(0, i));
  for (char c : preedit.substr(i))
    if (c >= 'a' && c <= 'z') p.rest.push_back(c);
  return p;
}

}  // namespace

struct ImeEngines::Impl {
  ImeOptions opt;
  bool pinyin_data = false;
  bool handwriting_data = false;
  // Rime
  RimeApi* rime = nullptr;
  RimeSessionId session = 0;
  bool rime_failed = false;
  // zinnia
  Recognizer recognizer;
  bool zinnia_failed = false;

  void log(const std::string& s) const { opt.events.warning(s, {.step = "load"}); }

  bool ensure_rime() {
    if (session) return true;
    if (rime_failed || !pinyin_data) return false;
    RimeProcess& p = rime_process(opt);
    if (!p.api) {
      rime_failed = true;
      log("pinyin input unavailable: " + p.error);
      return false;
    }
    rime = p.api;
    session = rime->create_session();
    if (session) ++p.sessions;
    if (!session || !rime->select_schema(session, "kiosk_pinyin")) {
      log("pinyin input unavailable: Rime cannot open the schema kiosk_pinyin in " + p.schema_dir);
      drop_session();
      rime_failed = true;
      return false;
    }
    return true;
  }

  void drop_session() {
    if (!session) return;
    rime->destroy_session(session);
    session = 0;
    --process_state().sessions;
  }

  void type(std::string_view letters) {
    rime->clear_composition(session);
    const std::string keys(letters);
    rime->simulate_key_sequence(session, keys.c_str());
  }

  bool ensure_zinnia() {
    if (recognizer) return true;
    if (zinnia_failed || !handwriting_data) return false;
    recognizer.reset(zinnia_recognizer_new());
    if (!recognizer || !zinnia_recognizer_open(recognizer.get(), opt.zinnia_model.c_str())) {
      log("handwriting input unavailable: cannot open " + opt.zinnia_model.string() +
          (recognizer ? std::string(": ") + zinnia_recognizer_strerror(recognizer.get()) : std::string()));
      recognizer.reset();
      zinnia_failed = true;
      return false;
    }
    return true;
  }
};

ImeEngines::ImeEngines(ImeOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  std::error_code ec;
  const auto& o = impl_->opt;
  impl_->pinyin_data =
      std::filesystem::exists(o.rime_schema_dir / "kiosk_pinyin.schema.yaml", ec) &&
      std::filesystem::exists(o.rime_shared_dir / "build" / "luna_pinyin_simp.prism.bin", ec) &&
      std::filesystem::exists(o.rime_shared_dir / "build" / "luna_pinyin.table.bin", ec);
  impl_->handwriting_data = std::filesystem::exists(o.zinnia_model, ec);
  if (!impl_->pinyin_data)
    impl_->log("pinyin input unavailable: install rime-data-luna-pinyin and check assets/rime");
  if (!impl_->handwriting_data)
    impl_->log("handwriting input unavailable: install tegaki-zinnia-simplified-chinese");
}

ImeEngines::~ImeEngines() {
  release();
}

void ImeEngines::release() {
  impl_->drop_session();
  impl_->recognizer.reset();
}

bool ImeEngines::has_pinyin() const {
  return impl_->pinyin_data && !impl_->rime_failed;
}
bool ImeEngines::has_handwriting() const {
  return impl_->handwriting_data && !impl_->zinnia_failed;
}
bool ImeEngines::pinyin_loaded() const {
  return impl_->session != 0;
}
bool ImeEngines::handwriting_loaded() const {
  return impl_->recognizer != nullptr;
}

std::vector<std::string> ImeEngines::pinyin(std::string_view letters, std::size_t max) {
  std::vector<std::string> out;
  if (!pinyin_letters(letters) || !impl_->ensure_rime()) return out;
  RimeApi* api = impl_->rime;
  impl_->type(letters);
  RimeCandidateListIterator it{};
  if (api->candidate_list_begin(impl_->session, &it)) {
    while (out.size() < max && api->candidate_list_next(&it))
      if (it.candidate.text) out.emplace_back(it.candidate.text);
    api->candidate_list_end(&it);
  }
  api->clear_composition(impl_->session);
  return out;
}

ui::PinyinPick ImeEngines::pick(std::string_view letters, std::size_t index) {
  ui::PinyinPick p;
  if (!pinyin_letters(letters) || !impl_->ensure_rime()) return p;
  RimeApi* api = impl_->rime;
  impl_->type(letters);
  if (!api->select_candidate(impl_->session, index)) {
    api->clear_composition(impl_->session);
    p.rest = std::string(letters);
    return p;
  }
  RimeCommit commit{};
  commit.data_size = static_cast<int>(sizeof(RimeCommit) - sizeof(commit.data_size));
  if (api->get_commit(impl_->session, &commit)) {
    // The whole input was covered: Rime committed it.
    if (commit.text) p.text = commit.text;
    api->free_commit(&commit);
  } else {
    RimeContext ctx{};
    ctx.data_size = static_cast<int>(sizeof(RimeContext) - sizeof(ctx.data_size));
    if (api->get_context(impl_->session, &ctx)) {
      if (ctx.composition.preedit) p = split_preedit(ctx.composition.preedit);
      api->free_context(&ctx);
    }
  }
  api->clear_composition(impl_->session);
  return p;
}

std::vector<std::string> ImeEngines::handwriting(const ui::Ink& ink, std::size_t max) {
  std::vector<std::string> out;
  if (ink.empty() || !impl_->ensure_zinnia()) return out;
  constexpr float kScale = 1000.0f;
  Character ch(zinnia_character_new());
  if (!ch) return out;
  zinnia_character_set_width(ch.get(), static_cast<std::size_t>(kScale));
  zinnia_character_set_height(ch.get(), static_cast<std::size_t>(kScale));
  std::size_t id = 0;
  for (const auto& stroke : ink.strokes) {
    if (stroke.empty()) continue;
    for (const auto& pt : stroke)
      zinnia_character_add(ch.get(), id, static_cast<int>(std::clamp(pt.x, 0.0f, 1.0f) * kScale),
                           static_cast<int>(std::clamp(pt.y, 0.0f, 1.0f) * kScale));
    ++id;
  }
  if (id > 0) {
    if (ZinniaResult r{zinnia_recognizer_classify(impl_->recognizer.get(), ch.get(), max)}) {
      for (std::size_t i = 0; i < zinnia_result_size(r.get()) && out.size() < max; ++i)
        if (const char* v = zinnia_result_value(r.get(), i)) out.emplace_back(v);
    }
  }
  return out;
}

}  // namespace app
