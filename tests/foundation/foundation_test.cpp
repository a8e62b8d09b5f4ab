// foundation/: the zeroizing secret buffer, hex, base64, UTF-8 and SHA-256, and that foundation/ includes
// nothing but the standard library.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "foundation/base64.hpp"
#include "foundation/c_handle.hpp"
#include "foundation/hex.hpp"
#include "foundation/secret.hpp"
#include "foundation/sha256.hpp"
#include "foundation/utf8.hpp"

using foundation::Bytes;

namespace {

Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

// An allocator that copies each block it is given back before freeing it: what a buffer leaves in memory.
struct Released {
  static inline std::vector<std::string> blocks;
  static inline int allocations = 0;
  static void reset() {
    blocks.clear();
    allocations = 0;
  }
};
template <typename T>
struct RecordingAllocator {
  using value_type = T;
  using is_always_equal = std::true_type;
  RecordingAllocator() = default;
  template <typename U>
  RecordingAllocator(const RecordingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    ++Released::allocations;
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    Released::blocks.emplace_back(reinterpret_cast<const char*>(p), n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  friend bool operator==(const RecordingAllocator&, const RecordingAllocator&) { return true; }
};
using RecordedSecret = foundation::BasicSecretBuffer<RecordingAllocator<char>>;

bool all_zero(std::string_view block) {
  return std::all_of(block.begin(), block.end(), [](char c) { return c == '\0'; });
}

// A JWT-shaped bearer token of `n` characters.
std::string long_token(std::size_t n) {
  std::string t = "eyJhbGciOiJSUzI1NiJ9.";
  for (std::size_t i = 0; t.size() < n; ++i)
    t += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i % 64];
  return t;
}

}  // namespace

// ---- SecretBuffer
// ------------------------------------------------------------------------------------------

TEST_CASE("a secret buffer holds a 4 KB bearer token whole, pushed or assigned") {
  const std::string token = long_token(4096);
  foundation::SecretBuffer pushed;
  for (char c : token) pushed.push_back(c);
  CHECK(pushed.size() == 4096);
  CHECK(pushed.reveal() == token);
  CHECK(std::string_view(pushed.c_str()) == token);  // '\0'-terminated

  foundation::SecretBuffer assigned(token);
  CHECK(assigned.reveal() == token);
  assigned.assign(token + token);
  CHECK(assigned.reveal() == token + token);
  CHECK(assigned.equals(assigned.clone()));

  foundation::SecretBuffer appended;
  appended.append(std::string_view(token).substr(0, 100));
  appended.append(std::string_view(token).substr(100));
  CHECK(appended.equals(pushed));
}

TEST_CASE("the recording allocator sees what a block held when it is freed (the check below can fail)") {
  Released::reset();
  { std::vector<char, RecordingAllocator<char>> v(64, 'x'); }
  REQUIRE(Released::blocks.size() == 1);
  CHECK(Released::blocks[0] == std::string(64, 'x'));
}

TEST_CASE("every block a secret buffer gives up is wiped first: growth, move-assignment, destruction") {
  Released::reset();
  const std::string token = long_token(4096);
  {
    RecordedSecret s;
    for (char c : token) s.push_back(c);
    CHECK(s.reveal() == token);
    // 32, 64, … 4096 were outgrown: each given up, each wiped.
    CHECK(Released::blocks.size() >= 7);
    CHECK(Released::allocations == static_cast<int>(Released::blocks.size()) + 1);
    for (const auto& b : Released::blocks) CHECK(all_zero(b));

    const std::size_t before = Released::blocks.size();
    RecordedSecret other("123456");
    s = std::move(other);  // s's 4 KB block goes
    REQUIRE(Released::blocks.size() == before + 1);
    CHECK(Released::blocks.back().size() > 4096);
    CHECK(all_zero(Released::blocks.back()));
    CHECK(s.reveal() == "123456");
    CHECK(other.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  }
  REQUIRE(!Released::blocks.empty());
  for (const auto& b : Released::blocks) CHECK(all_zero(b));  // including the one destroyed last
}

TEST_CASE("a move hands the block over: nothing copied, nothing freed") {
  Released::reset();
  RecordedSecret a("a secret of some length");
  const char* block = a.data();
  RecordedSecret b(std::move(a));
  CHECK(b.data() == block);
  CHECK(b.reveal() == "a secret of some length");
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move)
  CHECK(Released::blocks.empty());
  CHECK(Released::allocations == 1);
}

TEST_CASE("clear and pop_back wipe what they drop; the block stays") {
  foundation::SecretBuffer s("987654");
  const char* block = s.data();
  s.pop_back();
  CHECK(s.reveal() == "98765");
  CHECK(block[5] == '\0');
  const std::size_t cap = s.capacity();
  s.clear();
  CHECK(s.empty());
  CHECK(s.data() == block);
  CHECK(all_zero(std::string_view(block, cap)));
  s.push_back('1');
  CHECK(s.reveal() == "1");
}

TEST_CASE("an empty secret buffer: no block, a non-null empty C string") {
  Released::reset();
  {
    RecordedSecret s;
    CHECK(s.empty());
    CHECK(s.data() != nullptr);
    CHECK(std::string_view(s.c_str()).empty());
    s.append("");
    s.pop_back();
    CHECK(s.capacity() == 0);
  }
  CHECK(Released::allocations == 0);
}

TEST_CASE("assign from the buffer's own bytes") {
  foundation::SecretBuffer s("0123456789");
  s.assign(s.reveal().substr(2, 4));
  CHECK(s.reveal() == "2345");
  s.append(s.reveal());  // grows while reading itself
  CHECK(s.reveal() == "23452345");
  std::string big = long_token(100);
  s.assign(big);
  s.append(s.reveal());
  CHECK(s.reveal() == big + big);
}

TEST_CASE("secret comparison and digits") {
  foundation::SecretBuffer a("123456"), b("123456"), c("123457"), d("12345"), e("1234567");
  CHECK(a.equals(b));
  CHECK_FALSE(a.equals(c));
  CHECK_FALSE(a.equals(d));
  CHECK_FALSE(a.equals(e));
  CHECK_FALSE(d.equals(a));
  CHECK(foundation::SecretBuffer().equals(foundation::SecretBuffer()));
  CHECK_FALSE(foundation::SecretBuffer().equals(a));
  CHECK(a.all_digits());
  CHECK_FALSE(foundation::SecretBuffer("12a4").all_digits());
  CHECK(foundation::SecretBuffer().all_digits());
}

TEST_CASE("a secret buffer cannot be copied or printed by accident") {
  static_assert(!std::is_copy_constructible_v<foundation::SecretBuffer>);
  static_assert(!std::is_copy_assignable_v<foundation::SecretBuffer>);
  static_assert(!std::is_convertible_v<foundation::SecretBuffer, std::string>);
  static_assert(std::is_nothrow_move_constructible_v<foundation::SecretBuffer>);
  static_assert(std::is_nothrow_move_assignable_v<foundation::SecretBuffer>);
  CHECK(true);
}

TEST_CASE("wipe zeroes what it is given and nothing beyond") {
  char buf[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
  foundation::wipe(buf + 2, 4);
  CHECK(std::string_view(buf, 8) == std::string_view("ab\0\0\0\0gh", 8));
}

// ---- CPtr ------------------------------------------------------------------------------------------------

namespace {
int g_freed = 0;
void free_int(int* p) {
  ++g_freed;
  delete p;
}
}  // namespace

TEST_CASE("CPtr frees its handle once, with the function it names") {
  g_freed = 0;
  {
    foundation::CPtr<int, free_int> p(new int(7));
    CHECK(*p == 7);
    foundation::CPtr<int, free_int> q(std::move(p));
    CHECK(g_freed == 0);
  }
  CHECK(g_freed == 1);
  { foundation::CPtr<int, free_int> none; }
  CHECK(g_freed == 1);  // unique_ptr does not call the deleter on null
}

// ---- hex -------------------------------------------------------------------------------------------------

TEST_CASE("hex: lower-case out, either case in, strict") {
  CHECK(foundation::hex_encode(Bytes{}) == "");
  CHECK(foundation::hex_encode(Bytes{0x00, 0x01, 0xab, 0xff}) == "0001abff");
  const std::uint8_t raw[] = {0xde, 0xad, 0xbe, 0xef};
  CHECK(foundation::hex_encode(raw, sizeof raw) == "deadbeef");
  CHECK(foundation::hex_decode("DEADbeef") == Bytes{0xde, 0xad, 0xbe, 0xef});
  CHECK(foundation::hex_decode("") == Bytes{});
  CHECK_FALSE(foundation::hex_decode("abc"));    // odd
  CHECK_FALSE(foundation::hex_decode("0g"));     // not hex
  CHECK_FALSE(foundation::hex_decode("0x12"));   // no prefix
  CHECK_FALSE(foundation::hex_decode("12 34"));  // no spaces
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  const std::string text = foundation::hex_encode(all);
  CHECK(text.size() == 512);
  CHECK(foundation::hex_decode(text) == all);
  CHECK(foundation::hex_digit_value('F') == 15);
  CHECK(foundation::hex_digit_value('/') == -1);
}

// ---- base64 ----------------------------------------------------------------------------------------------

TEST_CASE("base64: the RFC 4648 vectors both ways") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(foundation::base64_encode(bytes_of(plain)) == encoded);
    CHECK(foundation::base64_decode(encoded) == bytes_of(plain));
  }
  const std::uint8_t raw[] = {0xfb, 0xff};
  CHECK(foundation::base64_encode(raw, sizeof raw) == "+/8=");
}

TEST_CASE("base64: strict decoding") {
  CHECK_FALSE(foundation::base64_decode("Zg="));       // not a multiple of 4
  CHECK_FALSE(foundation::base64_decode("Zg"));        // unpadded
  CHECK_FALSE(foundation::base64_decode("Z==="));      // '=' too early in the quantum
  CHECK_FALSE(foundation::base64_decode("Zg==Zm8="));  // padding before the end
  CHECK_FALSE(foundation::base64_decode("Zm=v"));      // a character after '='
  CHECK_FALSE(foundation::base64_decode("Zm9v\n"));    // no line breaks
  CHECK_FALSE(foundation::base64_decode("Zm 9"));      // no spaces
  CHECK_FALSE(foundation::base64_decode("-_8="));      // not the URL alphabet
  CHECK_FALSE(foundation::base64_decode("Zm9-Yg=="));  //
  CHECK_FALSE(foundation::base64_decode("Zm9vY==="));  // three '='s
  CHECK_FALSE(foundation::base64_decode("Zm9\xc3"));   // not ASCII
  Bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(255 - i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const Bytes part(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK(foundation::base64_decode(foundation::base64_encode(part)) == part);
  }
}

TEST_CASE("base64url: the URL alphabet, no padding") {
  const std::uint8_t raw[] = {0xfb, 0xff};
  CHECK(foundation::base64url_encode(std::span(raw)) == "-_8");
  CHECK(foundation::base64url_encode(bytes_of("f")) == "Zg");
  CHECK(foundation::base64url_encode(bytes_of("fo")) == "Zm8");
  CHECK(foundation::base64url_encode(bytes_of("foo")) == "Zm9v");
  CHECK(foundation::base64url_encode(Bytes(24, 0xff)).size() == 32);
}

// ---- UTF-8 -----------------------------------------------------------------------------------------------

TEST_CASE("UTF-8: every length, and the boundaries of each") {
  const std::pair<std::string_view, char32_t> ok[] = {
      {"\x41", U'A'},
      {"\x7F", 0x7F},
      {"\xC2\x80", 0x80},
      {"\xC2\xA5", U'¥'},
      {"\xDF\xBF", 0x7FF},
      {"\xE0\xA0\x80", 0x800},
      {"\xE7\xBB\xAD", U'续'},
      {"\xED\x9F\xBF", 0xD7FF},
      {"\xEE\x80\x80", 0xE000},
      {"\xEF\xBF\xBF", 0xFFFF},
      {"\xF0\x90\x80\x80", 0x10000},
      {"\xF0\xA0\x80\x80", 0x20000},
      {"\xF4\x8F\xBF\xBF", 0x10FFFF},
  };
  for (auto [text, cp] : ok) {
    CAPTURE(static_cast<std::uint32_t>(cp));
    const foundation::Utf8Char u = foundation::utf8_decode_at(text, 0);
    CHECK(u.valid);
    CHECK(u.code_point == cp);
    CHECK(u.size == text.size());
    CHECK(foundation::utf8_valid(text));
    std::string back;
    foundation::append_utf8(back, cp);
    CHECK(back == text);
  }
  CHECK(foundation::utf8_valid(""));
  CHECK(foundation::utf8_valid("续费 renewal ¥100 \xF0\x9F\x94\x91"));
  CHECK(foundation::decode_utf8("A续") == std::vector<char32_t>{U'A', U'续'});
}

TEST_CASE("UTF-8: malformed sequences are one U+FFFD per byte and invalid") {
  constexpr char32_t R = foundation::kReplacementCharacter;
  const std::pair<std::string_view, std::vector<char32_t>> bad[] = {
      {"\x80", {R}},                                     // a lone continuation byte
      {"\xBF\x41", {R, U'A'}},                           //
      {"\xFF", {R}},                                     // never in UTF-8
      {"\xF8\x88\x80\x80\x80", {R, R, R, R, R}},         // the old 5-byte form
      {"\xC0\xAF", {R, R}},                              // overlong '/'
      {"\xC1\xBF", {R, R}},                              // overlong U+7F
      {"\xE0\x80\xAF", {R, R, R}},                       // overlong '/', 3 bytes
      {"\xE0\x9F\xBF", {R, R, R}},                       // overlong U+7FF
      {"\xF0\x80\x80\xAF", {R, R, R, R}},                // overlong '/', 4 bytes
      {"\xF0\x8F\xBF\xBF", {R, R, R, R}},                // overlong U+FFFF
      {"\xED\xA0\x80", {R, R, R}},                       // U+D800, a surrogate
      {"\xED\xBF\xBF", {R, R, R}},                       // U+DFFF
      {"\xED\xA0\xBD\xED\xB8\x80", {R, R, R, R, R, R}},  // a CESU-8 surrogate pair
      {"\xF4\x90\x80\x80", {R, R, R, R}},                // U+110000, past the end
      {"\xF5\x80\x80\x80", {R, R, R, R}},                //
      {"\xE7\xBB", {R, R}},                              // truncated at the end
      {"\xF0\x9F\x94", {R, R, R}},                       //
      {"\xE7\xBBx", {R, R, U'x'}},                       // truncated by an ASCII byte
      {"a\xC2", {U'a', R}},                              //
      {"\xE7\x41\x41", {R, U'A', U'A'}},                 // a bad continuation: the next bytes stand alone
  };
  for (const auto& [text, want] : bad) {
    CAPTURE(foundation::hex_encode(bytes_of(text)));
    CHECK_FALSE(foundation::utf8_valid(text));
    CHECK(foundation::decode_utf8(text) == want);
    CHECK(foundation::utf8_decode_at(text, 0).valid == (want.front() != R));
  }
}

TEST_CASE("UTF-8: positions, and encoding what cannot be encoded") {
  std::vector<std::pair<std::size_t, std::size_t>> at;
  foundation::for_each_codepoint_at(
      "a续\xFF\xF0\x9F\x94\x91",
      [&](char32_t, std::size_t pos, std::size_t len) { at.emplace_back(pos, len); });
  CHECK(at == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {1, 3}, {4, 1}, {5, 4}});
  std::string s;
  foundation::append_utf8(s, 0xD800);
  foundation::append_utf8(s, 0x110000);
  CHECK(s == "\xEF\xBF\xBD\xEF\xBF\xBD");
  static_assert(foundation::utf8_valid("\xE7\xBB\xAD"));  // usable at compile time
  static_assert(!foundation::utf8_valid("\xC0\x80"));
}

// ---- SHA-256 ---------------------------------------------------------------------------------------------

TEST_CASE("SHA-256: the FIPS 180 vectors, as bytes and as hex") {
  CHECK(foundation::sha256_hex(std::string_view("")) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(foundation::sha256_hex(std::string_view("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(foundation::sha256_hex(bytes_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const foundation::Sha256 d = foundation::sha256(bytes_of("abc"));
  CHECK(d == foundation::sha256(std::string_view("abc")));
  CHECK(d[0] == 0xba);
  CHECK(d[31] == 0xad);
  CHECK(foundation::hex_encode(d) == foundation::sha256_hex(std::string_view("abc")));
}

// ---- purity ----------------------------------------------------------------------------------------------

TEST_CASE("foundation/ includes nothing but the standard library and itself") {
  // Standard headers have neither a '.' nor a '/'; our own are foundation/… and must exist here.
  const std::filesystem::path root(KIOSK_FOUNDATION_DIR);
  int headers = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".hpp") continue;
    ++headers;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::string_view l(line);
      l.remove_prefix(std::min(l.find_first_not_of(" \t"), l.size()));
      if (!l.starts_with("#")) continue;
      l.remove_prefix(1);
      l.remove_prefix(std::min(l.find_first_not_of(" \t"), l.size()));
      if (!l.starts_with("include")) continue;
      const auto open = l.find_first_of("<\"");
      REQUIRE(open != std::string_view::npos);
      const auto close = l.find(l[open] == '<' ? '>' : '"', open + 1);
      REQUIRE(close != std::string_view::npos);
      const std::string header(l.substr(open + 1, close - open - 1));
      CAPTURE(entry.path().string());
      CAPTURE(header);
      if (l[open] == '<') {
        CHECK(header.find_first_of("./") == std::string::npos);
      } else {
        REQUIRE(header.starts_with("foundation/"));
        CHECK((std::filesystem::exists(root / "include" / header) ||
               std::filesystem::exists(root / "digest" / "include" / header)));
      }
    }
  }
  CHECK(headers >= 7);
}
