#pragma once
// What needs an operating system: pressure from the kernel (Linux PSI,
// MemAvailable) and a thread that runs the tracker's dispatch. Hosted
// platforms only (platform/posix, platform/linux).

#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstdint>
#include <memory>

namespace frugal::mem {

/// Linux pressure stall information (Documentation/accounting/psi.rst):
/// triggers on /proc/pressure/memory (or a cgroup's memory.pressure), one
/// for "some" stalls (→ high) and one for "full" stalls (→ critical), each
/// watched with poll(POLLPRI) on a thread of its own. A level holds for one
/// window after its last event, then falls back (the tracker's cooldown
/// comes on top). Defaults: a 2 s window, which unprivileged processes may
/// use (the kernel wants multiples of 2 s without CAP_SYS_RESOURCE); "some"
/// at 200 ms per window (systemd's MEMORY_PRESSURE default) and "full" at
/// 1.4 s (Android lmkd's 70% critical threshold).
struct PsiOptions {
  const char* path = "/proc/pressure/memory";  ///< read during make_psi_source only
  std::uint32_t some_stall_us = 200'000;
  std::uint32_t full_stall_us = 1'400'000;
  std::uint32_t window_us = 2'000'000;
};

/// MemAvailable / MemTotal from /proc/meminfo, sampled on a thread: below
/// `high_percent` → high, below `critical_percent` → critical. For kernels
/// without PSI.
struct MeminfoOptions {
  const char* path = "/proc/meminfo";  ///< copied: the source keeps its own
  std::uint32_t interval_ms = 1000;
  std::uint8_t high_percent = 10;
  std::uint8_t critical_percent = 5;
};

/// An OS pressure source running its own watcher thread (Linux only; other
/// platforms get Errc::unsupported from the factories). Stops on destruction.
class OsPressureSource : public PressureSource {
 public:
  ~OsPressureSource() override = default;
};

/// Registers the PSI triggers. Errors: Errc::unsupported when the file is
/// missing (no PSI, non-Linux) or refuses a trigger (EINVAL for a window the
/// process may not use, EPERM, EBUSY); Errc::io otherwise.
core::Result<std::unique_ptr<OsPressureSource>> make_psi_source(MemoryTracker& tracker, const PsiOptions& options = {});

/// Starts sampling /proc/meminfo. Errors: Errc::unsupported when it is
/// missing or has no MemAvailable line.
core::Result<std::unique_ptr<OsPressureSource>> make_meminfo_source(MemoryTracker& tracker,
                                                                    const MeminfoOptions& options = {});

/// Runs tracker.dispatch() on a thread of its own: when a charge changes the
/// level, when a source wakes it, and when a cooldown or re-notification
/// falls due. Stops (and joins) on destruction. Hosted platforms only.
class DispatchThread {
 public:
  explicit DispatchThread(MemoryTracker& tracker);
  ~DispatchThread();
  DispatchThread(const DispatchThread&) = delete;
  DispatchThread& operator=(const DispatchThread&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::mem
