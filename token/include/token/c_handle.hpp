// One RAII helper for every kind of C handle, so each is freed by the one function that frees it:
//   using X509Ptr = std::unique_ptr<X509, token::Free<X509_free>>;
#pragma once

#include <memory>

namespace token {

template <auto F>
struct Free {
  void operator()(auto* p) const noexcept { F(p); }
};

template <typename T, auto F>
using CPtr = std::unique_ptr<T, Free<F>>;

}  // namespace token
