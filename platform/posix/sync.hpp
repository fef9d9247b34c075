#pragma once
// Threads, locks, atomics and the clock for hosted platforms (std::thread
// underneath). The bare-metal twin is platform/baremetal/sync.hpp; CMake puts
// the chosen folder on the include path. Internal to frugal.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace frugal::platform {

inline constexpr bool kHasThreads = true;

template <typename T>
using Atomic = std::atomic<T>;

using Mutex = std::mutex;
using LockGuard = std::lock_guard<std::mutex>;
using UniqueLock = std::unique_lock<std::mutex>;

/// For critical sections of a few instructions (the tracker's counters):
/// spins briefly, then yields, so a preempted holder on a single core is
/// not waited out spinning.
class SpinLock {
 public:
  void lock() noexcept {
    for (unsigned spins = 0; flag_.test_and_set(std::memory_order_acquire); ++spins)
      if (spins >= 64) std::this_thread::yield();
  }
  void unlock() noexcept { flag_.clear(std::memory_order_release); }

 private:
  std::atomic_flag flag_ = ATOMIC_FLAG_INIT;
};
using SpinGuard = std::lock_guard<SpinLock>;

/// Waits on a UniqueLock; wait_for takes ticks.
class CondVar {
 public:
  void notify_all() noexcept { cv_.notify_all(); }
  template <typename Pred>
  void wait(UniqueLock& lock, Pred pred) {
    cv_.wait(lock, pred);
  }
  template <typename Pred>
  bool wait_for(UniqueLock& lock, std::uint64_t ticks, Pred pred) {
    return cv_.wait_for(lock, std::chrono::microseconds(ticks), pred);
  }

 private:
  std::condition_variable cv_;
};

/// Identifies the calling thread (for "is this the thread running X?").
using ThreadId = std::thread::id;
inline ThreadId this_thread_id() noexcept { return std::this_thread::get_id(); }

/// Monotonic clock in ticks; on hosted platforms a tick is a microsecond.
inline constexpr std::uint64_t kTicksPerSecond = 1'000'000;
inline std::uint64_t ticks_now() noexcept {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace frugal::platform
