// Internal to platform_client: an Error of `kind` with the message key its contract code or its kind maps to.
#pragma once

#include <string>

#include "platform/error.hpp"

namespace platform {

Error make_error(ErrorKind kind, std::string detail, std::string code = {});

}  // namespace platform
