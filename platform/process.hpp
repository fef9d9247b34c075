#pragma once
// Process facts for the frugal command, implemented per platform
// (platform/posix/process.cpp). Internal to frugal.

#include <cstdint>

namespace frugal::platform {

/// Peak resident set size of this process in bytes (0 when unknown).
std::uint64_t peak_rss_bytes() noexcept;

/// True when file descriptor `fd` is a terminal.
bool is_terminal(int fd) noexcept;

}  // namespace frugal::platform
