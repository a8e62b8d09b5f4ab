// A zeroizing buffer for secrets: PINs, SMS codes, passwords, and the platform's bearer and verification
// tokens (a JWT runs to kilobytes).
//
// It grows as it is filled and never truncates. Every block it gives up (when it grows, on move-assignment,
// on destruction) is wiped before it goes back to the allocator, and clear() and pop_back() wipe what they
// drop, so no byte of a secret is left in freed memory. Not copyable (clone() says so where a copy is meant);
// not printable: there is no operator<< and no conversion to std::string, so a secret cannot reach a log
// line or an exception message by accident. The bytes are always followed by a '\0' (c_str() for the C calls
// that want one). Header-only and standard-library-only so every layer can hold one.
//
// The allocator is a template parameter so a test can watch the blocks given up; it must be stateless.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <utility>

namespace foundation {

// Overwrites n bytes at p with zeros. The writes are volatile, so the optimiser cannot drop them as dead
// stores before a free, and the fence keeps the code after from being moved ahead of them.
inline void wipe(void* p, std::size_t n) noexcept {
  volatile unsigned char* v = static_cast<volatile unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) v[i] = 0;
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

template <typename Allocator = std::allocator<char>>
class BasicSecretBuffer {
  using Traits = std::allocator_traits<Allocator>;
  static_assert(std::is_same_v<typename Traits::value_type, char>, "a buffer of char");
  static_assert(Traits::is_always_equal::value, "a move hands the block over: stateless allocators only");

 public:
  BasicSecretBuffer() noexcept = default;
  explicit BasicSecretBuffer(std::string_view s) { append(s); }
  BasicSecretBuffer(const BasicSecretBuffer&) = delete;
  BasicSecretBuffer& operator=(const BasicSecretBuffer&) = delete;
  BasicSecretBuffer(BasicSecretBuffer&& o) noexcept { take(o); }
  BasicSecretBuffer& operator=(BasicSecretBuffer&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~BasicSecretBuffer() { release(); }

  void push_back(char c) { append(std::string_view(&c, 1)); }
  void append(std::string_view s) {
    if (s.empty()) return;
    if (s.size() < capacity_ - size_) {  // room for `s` and the '\0' (none while there is no block)
      std::memcpy(data_ + size_, s.data(), s.size());
      size_ += s.size();
      return;
    }
    // A new block: the old bytes, then `s` (which may lie in the old block), then the old block is wiped.
    if (s.size() >= Traits::max_size(alloc_) - size_) throw std::length_error("SecretBuffer too long");
    const std::size_t need = size_ + s.size() + 1;
    const std::size_t cap = std::max({kMinCapacity, capacity_ * 2, need});
    char* p = Traits::allocate(alloc_, cap);
    std::memset(p, 0, cap);
    if (size_ > 0) std::memcpy(p, data_, size_);
    std::memcpy(p + size_, s.data(), s.size());
    release();
    data_ = p;
    capacity_ = cap;
    size_ = need - 1;
  }
  void pop_back() noexcept {
    if (size_ > 0) wipe(data_ + --size_, 1);
  }
  void assign(std::string_view s) {
    const std::less<const char*> before;
    if (data_ != nullptr && !before(s.data(), data_) &&
        before(s.data(), data_ + capacity_)) {  // part of itself
      BasicSecretBuffer tmp(s);
      *this = std::move(tmp);
      return;
    }
    clear();
    append(s);
  }
  // Wipes the bytes; the (wiped) block stays for the next secret.
  void clear() noexcept {
    if (data_ != nullptr) wipe(data_, capacity_);
    size_ = 0;
  }
  [[nodiscard]] BasicSecretBuffer clone() const { return BasicSecretBuffer(reveal()); }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  // For the one C call that needs the bytes (C_Login, a request body). Never keep the pointer. Never null,
  // and '\0'-terminated.
  [[nodiscard]] const char* data() const noexcept { return data_ != nullptr ? data_ : ""; }
  [[nodiscard]] const char* c_str() const noexcept { return data(); }
  [[nodiscard]] std::string_view reveal() const noexcept { return {data(), size_}; }
  [[nodiscard]] bool all_digits() const noexcept {
    for (std::size_t i = 0; i < size_; ++i)
      if (data_[i] < '0' || data_[i] > '9') return false;
    return true;
  }
  // Constant time in the contents (the time depends on the lengths only).
  template <typename A>
  [[nodiscard]] bool equals(const BasicSecretBuffer<A>& o) const noexcept {
    const std::string_view a = reveal(), b = o.reveal();
    unsigned diff = a.size() == b.size() ? 0u : 1u;
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      const auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0u;
      const auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0u;
      diff |= x ^ y;
    }
    return diff == 0;
  }

 private:
  static constexpr std::size_t kMinCapacity = 32;

  void take(BasicSecretBuffer& o) noexcept {
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
    capacity_ = std::exchange(o.capacity_, 0);
  }
  // Wipes and frees the block.
  void release() noexcept {
    if (data_ != nullptr) {
      wipe(data_, capacity_);
      Traits::deallocate(alloc_, data_, capacity_);
    }
    data_ = nullptr;
    size_ = 0;
    capacity_ = 0;
  }

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;  // bytes in the block, one more than the most it holds (room for the '\0')
  [[no_unique_address]] Allocator alloc_{};
};

using SecretBuffer = BasicSecretBuffer<>;

}  // namespace foundation
