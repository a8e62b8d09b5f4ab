// A zeroizing buffer for PINs, SMS codes and passwords.
//
// Fixed capacity, so the bytes never move behind our back (a growing std::string would leave copies in
// freed memory). Wiped with explicit_bzero on clear, on move-from and on destruction. Not copyable; not
// printable: there is no operator<< and no conversion to std::string, so a secret cannot reach a log line
// or an exception message by accident. Header-only and standard-library-only so every layer can hold one.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <string_view>

namespace token {

class SecretBuffer {
public:
  static constexpr std::size_t kCapacity = 128;

  SecretBuffer() noexcept = default;
  explicit SecretBuffer(std::string_view s) noexcept { assign(s); }
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  SecretBuffer(SecretBuffer&& o) noexcept { take(o); }
  SecretBuffer& operator=(SecretBuffer&& o) noexcept {
    if (this != &o) {
      clear();
      take(o);
    }
    return *this;
  }
  ~SecretBuffer() { clear(); }

  // Appends one character; false (and nothing stored) when full.
  bool push_back(char c) noexcept {
    if (size_ >= kCapacity) return false;
    bytes_[size_++] = c;
    return true;
  }
  void pop_back() noexcept {
    if (size_ > 0) bytes_[--size_] = '\0';
  }
  void assign(std::string_view s) noexcept {
    clear();
    for (char c : s)
      if (!push_back(c)) break;
  }
  void clear() noexcept {
    explicit_bzero(bytes_.data(), bytes_.size());
    size_ = 0;
  }
  [[nodiscard]] SecretBuffer clone() const noexcept {
    SecretBuffer c;
    std::memcpy(c.bytes_.data(), bytes_.data(), size_);
    c.size_ = size_;
    return c;
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] bool full() const noexcept { return size_ >= kCapacity; }
  // For the one C call that needs the bytes (C_Login, a request body). Never keep the view.
  [[nodiscard]] const char* data() const noexcept { return bytes_.data(); }
  [[nodiscard]] std::string_view reveal() const noexcept { return {bytes_.data(), size_}; }
  [[nodiscard]] bool all_digits() const noexcept {
    for (std::size_t i = 0; i < size_; ++i)
      if (bytes_[i] < '0' || bytes_[i] > '9') return false;
    return true;
  }
  // Constant-time comparison.
  [[nodiscard]] bool equals(const SecretBuffer& o) const noexcept {
    unsigned diff = static_cast<unsigned>(size_ ^ o.size_);
    for (std::size_t i = 0; i < kCapacity; ++i)
      diff |= static_cast<unsigned>(static_cast<unsigned char>(bytes_[i]) ^ static_cast<unsigned char>(o.bytes_[i]));
    return diff == 0;
  }

private:
  void take(SecretBuffer& o) noexcept {
    std::memcpy(bytes_.data(), o.bytes_.data(), o.size_);
    size_ = o.size_;
    o.clear();
  }

  std::array<char, kCapacity> bytes_{};
  std::size_t size_ = 0;
};

}  // namespace token
