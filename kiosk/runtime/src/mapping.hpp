// Conversions between the token layer's, the platform contract's and the core's value types.
#pragma once

#include <string>

#include "contract/types.hpp"
#include "core/effects.hpp"
#include "core/events.hpp"
#include "core/types.hpp"
#include "platform/error.hpp"
#include "runtime/config.hpp"
#include "token/certificate.hpp"
#include "token/error.hpp"
#include "token/rollover.hpp"

namespace runtime {

core::PinFlags to_core(const token::PinFlags& f);
core::CertSummary to_core(const token::CertInfo& c);
core::OrderStatus to_core(contract::OrderStatus s);
core::Order to_core(const contract::Order& o);
std::vector<core::Product> to_core(const contract::Catalog& c);
core::Profile to_core(const contract::Profile& p);
contract::SmsPurpose to_contract(core::SmsPurpose p);

// How a failed step reads to the core: which way the customer goes.
core::StepErrorKind step_error_kind(const token::Error& e);
core::StepErrorKind step_error_kind(const platform::Error& e);

}  // namespace runtime
