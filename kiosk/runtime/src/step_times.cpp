#include "step_times.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <system_error>

#include <nlohmann/json.hpp>

#include "step_journal.hpp"

namespace runtime {
namespace {

using Json = nlohmann::json;

std::optional<core::RenewalStep> step_named(std::string_view name) {
  for (std::size_t i = 0; i < core::kRenewalStepCount; ++i) {
    const auto s = static_cast<core::RenewalStep>(i);
    if (step_name(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace

StepTimes::StepTimes(std::filesystem::path path, events::Channel events)
    : path_(std::move(path)), events_(std::move(events)) {
  std::ifstream in(path_);
  if (!in) return;  // nothing measured yet
  try {
    const Json j = Json::parse(in);
    for (const auto& [kind, steps] : j.at("kinds").items())
      for (const auto& [name, list] : steps.items()) {
        const auto step = step_named(name);
        if (!step) continue;
        auto& kept = measured_[kind][static_cast<std::size_t>(*step)];
        for (const auto& ms : list)
          if (ms.is_number_integer() && ms.get<core::Millis>() >= 0) kept.push_back(ms.get<core::Millis>());
        if (kept.size() > kKept) kept.erase(kept.begin(), kept.end() - static_cast<std::ptrdiff_t>(kKept));
      }
  } catch (const Json::exception& e) {
    measured_.clear();
    events_.warning("the steps' usual durations in " + path_.string() + " cannot be read (" + e.what() +
                        "): the defaults until new ones are measured",
                    {.step = "step_times"});
  }
}

core::Millis StepTimes::default_ms(domain::KeyAlgorithm algorithm, core::RenewalStep step) {
  const bool rsa = algorithm == domain::KeyAlgorithm::Rsa2048;
  switch (step) {
    case core::RenewalStep::StageKey:
      return rsa ? 60'000 : 10'000;
    case core::RenewalStep::BuildP10:
      return rsa ? 5'000 : 3'000;
    case core::RenewalStep::RequestNonce:
      return 1'000;
    case core::RenewalStep::SignProof:
      return rsa ? 5'000 : 3'000;
    case core::RenewalStep::Submit:
      return 3'000;
    case core::RenewalStep::Install:
      return 5'000;
    case core::RenewalStep::Finalize:
      return 3'000;
    case core::RenewalStep::Confirm:
      return 1'000;
    case core::RenewalStep::Login:
    case core::RenewalStep::Done:
      return 0;
  }
  return 0;
}

std::string StepTimes::kind_of(const core::TokenIdentity& token, domain::KeyAlgorithm algorithm) {
  return token.manufacturer + " / " + token.model + " / " + std::string(domain::to_string(algorithm));
}

core::StepTimes StepTimes::usual(const core::TokenIdentity& token, domain::KeyAlgorithm algorithm) const {
  core::StepTimes t;
  const auto it = measured_.find(kind_of(token, algorithm));
  for (std::size_t i = 0; i < core::kRenewalStepCount; ++i) {
    const auto step = static_cast<core::RenewalStep>(i);
    t.usual[i] = default_ms(algorithm, step);
    if (it == measured_.end() || it->second[i].empty()) continue;
    std::vector<core::Millis> v = it->second[i];
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    t.usual[i] = v[v.size() / 2];
  }
  return t;
}

void StepTimes::record(const core::TokenIdentity& token, domain::KeyAlgorithm algorithm,
                       core::RenewalStep step, core::Millis ms) {
  auto& kept = measured_[kind_of(token, algorithm)][static_cast<std::size_t>(step)];
  kept.push_back(ms);
  if (kept.size() > kKept) kept.erase(kept.begin());
  save();
}

void StepTimes::save() const {
  Json kinds = Json::object();
  for (const auto& [kind, steps] : measured_) {
    Json j = Json::object();
    for (std::size_t i = 0; i < core::kRenewalStepCount; ++i)
      if (!steps[i].empty()) j[std::string(step_name(static_cast<core::RenewalStep>(i)))] = steps[i];
    kinds[kind] = std::move(j);
  }
  const std::string text = Json{{"version", 1}, {"kinds", std::move(kinds)}}.dump(1) + "\n";
  const std::filesystem::path tmp = path_.string() + ".new";
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      events_.warning(
          "cannot write " + tmp.string() + ": the steps' durations are kept until the kiosk stops",
          {.step = "step_times"});
      return;
    }
  }
  std::filesystem::rename(tmp, path_, ec);
  if (ec) events_.warning("cannot replace " + path_.string() + ": " + ec.message(), {.step = "step_times"});
}

}  // namespace runtime
