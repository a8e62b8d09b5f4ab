// What the platform suite's test files (api_*_test.cpp, account_test.cpp) share: the names they use
// and two checks.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "contract/codes.hpp"
#include "support.hpp"

using namespace platform_test;
namespace code = contract::code;
using contract::OrderStatus;
using contract::SmsPurpose;
using platform::ErrorKind;
using platform::new_idempotency_key;

#define CHECK_OK(r) REQUIRE_MESSAGE((r).has_value(), ((r) ? std::string() : (r).error().to_string()))
#define CHECK_CODE(r, c)                                           \
  do {                                                             \
    const auto& r_ = (r);                                          \
    REQUIRE_FALSE(r_.has_value());                                 \
    CHECK_MESSAGE(r_.error().is(c), r_.error().to_string());       \
    CHECK(r_.error().message_key == contract::message_key_for(c)); \
  } while (0)
