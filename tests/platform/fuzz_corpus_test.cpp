// A fuzz target run as a normal test (every build, no clang needed): platform_fuzz_corpus over the response
// parsers (fuzz/fuzz_responses.cpp, seeds in tests/platform/corpus), config_fuzz_corpus over the
// configuration parser (fuzz/fuzz_config.cpp, seeds in tests/platform/config-corpus). Every seed, then
// deterministic mutations of them (bit flips, byte edits, truncations, splices, repeated chunks) and
// generated hostile inputs. KIOSK_FUZZ_SWEEP=1 or KIOSK_FULL_SWEEP=1 runs many more mutations. A failure is
// an abort() inside the target (or a sanitizer report in the sanitizer build); the counts are printed.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

// The seeds a corpus must at least have (a corpus that went missing must not pass as "no failures").
#ifndef KIOSK_FUZZ_MIN_SEEDS
#define KIOSK_FUZZ_MIN_SEEDS 20
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int run(const std::string& s) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

std::vector<std::string> load_corpus() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(KIOSK_FUZZ_CORPUS)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  return out;
}

std::string mutate(const std::string& seed, const std::vector<std::string>& all, std::mt19937_64& rng) {
  std::string s = seed;
  auto pick = [&](std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng() % n); };
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 8) {
      case 0:  // flip a bit
        if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:  // replace a byte by a JSON-significant one
        if (!s.empty()) s[pick(s.size())] = "{}[]\",:0-e.\\ntf\xff"[rng() % 17];
        break;
      case 2:  // insert
        s.insert(pick(s.size() + 1), 1, static_cast<char>(rng() % 256));
        break;
      case 3:  // delete a run
        if (!s.empty()) {
          std::size_t at = pick(s.size());
          s.erase(at, 1 + pick(16));
        }
        break;
      case 4:  // truncate
        s.resize(pick(s.size() + 1));
        break;
      case 5: {  // splice with another seed
        const std::string& o = all[pick(all.size())];
        std::size_t at = pick(s.size() + 1), from = pick(o.size() + 1);
        s = s.substr(0, at) + o.substr(from);
        break;
      }
      case 6: {  // repeat a chunk
        if (!s.empty()) {
          std::size_t at = pick(s.size()), len = 1 + pick(std::min<std::size_t>(32, s.size() - at));
          std::string chunk = s.substr(at, len);
          for (int i = 0; i < 1 + static_cast<int>(rng() % 8); ++i) s.insert(at, chunk);
        }
        break;
      }
      default: {  // swap a number for an extreme one
        static const char* kNums[] = {"-1",
                                      "0",
                                      "1e308",
                                      "18446744073709551616",
                                      "-9223372036854775809",
                                      "2.5",
                                      "9223372036854775807",
                                      "null",
                                      "true",
                                      "\"\"",
                                      "[]",
                                      "{}"};
        std::size_t at = s.find_first_of("0123456789", pick(s.size() + 1));
        if (at != std::string::npos) s.replace(at, 1, kNums[rng() % 12]);
        break;
      }
    }
  }
  return s;
}

}  // namespace

TEST_CASE("fuzz corpus: every seed, then mutations, through the target") {
  auto corpus = load_corpus();
  REQUIRE(corpus.size() >= KIOSK_FUZZ_MIN_SEEDS);
  for (const auto& s : corpus) CHECK(run(s) == 0);

  bool full = std::getenv("KIOSK_FUZZ_SWEEP") || std::getenv("KIOSK_FULL_SWEEP");
  int per_seed = full ? 20000 : 1500;
  std::mt19937_64 rng(20261125);
  std::size_t runs = 0;
  for (const auto& seed : corpus)
    for (int i = 0; i < per_seed; ++i) {
      run(mutate(seed, corpus, rng));
      ++runs;
    }

  // Generated hostile shapes.
  std::vector<std::string> hostile = {
      std::string(1 << 20, '['),
      std::string(1 << 16, '{'),
      std::string(4 << 20, '['),  // past the configuration's size cap
      "{\"a\":" + std::string(1 << 16, '[') + std::string(1 << 16, ']') + "}",
      "\"" + std::string(1 << 20, 'a') + "\"",
      "[" + std::string(200000, '1') + "]",
      std::string("{\"orders\":[") +
          [] {
            std::string s;
            for (int i = 0; i < 5000; ++i) s += "{},";
            return s + "{}";
          }() +
          "]}",
      std::string("\xef\xbb\xbf{}"),
      std::string("{\"a\":1}garbage"),
      std::string(4096, '\0'),
  };
  for (const auto& h : hostile) {
    run(h);
    ++runs;
  }
  MESSAGE("fuzz corpus: " << corpus.size() << " seeds, " << runs << " generated inputs, 0 failures");
}
