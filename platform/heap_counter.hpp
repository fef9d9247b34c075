#pragma once
// All heap use of the process, counted by interposing malloc and friends
// (platform/linux/heap_counter.cpp; glibc's documented "replacing malloc"
// route, forwarding to __libc_malloc & co.). It sees what the tracker cannot:
// libopus, libFLAC, alsa-lib, the C++ runtime. Linked into the frugal
// command and the tests. Unavailable under AddressSanitizer/ThreadSanitizer
// (they own malloc) and off glibc. Internal to frugal.

#include <cstdint>

namespace frugal::platform {

struct HeapCounts {
  bool available = false;
  std::uint64_t current = 0;      ///< bytes allocated now (malloc_usable_size)
  std::uint64_t peak = 0;         ///< the most at any time
  std::uint64_t allocations = 0;  ///< calls that allocated
};

HeapCounts heap_counts() noexcept;

/// Sets the peak to the current figure, so the next peak measures one
/// operation (tests and benchmarks, one thread at a time).
void reset_heap_peak() noexcept;

}  // namespace frugal::platform
