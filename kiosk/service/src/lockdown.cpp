#include "service/lockdown.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace service {

std::string lock_down_process() {
  std::string failed;
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0)
    failed += std::string("RLIMIT_CORE: ") + std::strerror(errno) + "; ";
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    failed += std::string("PR_SET_DUMPABLE: ") + std::strerror(errno) + "; ";
  return failed;
}

}  // namespace service
