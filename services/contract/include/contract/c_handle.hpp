// The RAII helper for C handles (STYLE.md rule 4), for services/: services/ may not include token/, so
// this is the same two lines as token::Free / token::CPtr.
//   using X509Ptr = contract::CPtr<X509, X509_free>;
#pragma once

#include <memory>

namespace contract {

template <auto F>
struct Free {
  void operator()(auto* p) const noexcept { F(p); }
};

template <typename T, auto F>
using CPtr = std::unique_ptr<T, Free<F>>;

}  // namespace contract
