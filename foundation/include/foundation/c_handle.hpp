// One RAII helper for C handles:
//   using X509Ptr = foundation::CPtr<X509, X509_free>;
#pragma once

#include <memory>

namespace foundation {

template <auto F>
struct Free {
  void operator()(auto* p) const noexcept { F(p); }
};

template <typename T, auto F>
using CPtr = std::unique_ptr<T, Free<F>>;

}  // namespace foundation
