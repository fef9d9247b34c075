#include "process.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace frugal::platform {

std::uint64_t peak_rss_bytes() noexcept {
  struct rusage usage {};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
#if defined(__APPLE__)
  return static_cast<std::uint64_t>(usage.ru_maxrss);  // bytes on macOS
#else
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // KiB on Linux and the BSDs
#endif
}

bool is_terminal(int fd) noexcept { return ::isatty(fd) == 1; }

}  // namespace frugal::platform
