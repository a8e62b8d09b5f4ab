// An Error of `kind` with its message key: the contract's key for a machine `code`, else the kind's own.
#pragma once

#include <string>

#include "platform/error.hpp"

namespace platform {

Error make_error(ErrorKind kind, std::string detail, std::string code = {});

}  // namespace platform
