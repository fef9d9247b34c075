#pragma once
// Bare metal, one thread: locks do nothing, atomics are plain values (no
// libatomic on Cortex-M0), waits return at once. The clock is the embedder's:
// define frugal_ticks_now() returning a monotonic tick count and set
// FRUGAL_TICKS_PER_SECOND at build time (default 1000: a millisecond tick).
// Internal to frugal.

#include <cstdint>

#ifndef FRUGAL_TICKS_PER_SECOND
#define FRUGAL_TICKS_PER_SECOND 1000
#endif

extern "C" std::uint64_t frugal_ticks_now(void);

namespace frugal::platform {

inline constexpr bool kHasThreads = false;

/// The subset of std::atomic frugal uses, as a plain value (memory-order
/// arguments accepted and ignored).
template <typename T>
class Atomic {
 public:
  constexpr Atomic(T v = T{}) noexcept : v_(v) {}
  template <typename... Order>
  T load(Order...) const noexcept {
    return v_;
  }
  template <typename... Order>
  void store(T v, Order...) noexcept {
    v_ = v;
  }
  T exchange(T v) noexcept {
    T old = v_;
    v_ = v;
    return old;
  }
  template <typename... Order>
  T fetch_add(T d, Order...) noexcept {
    T old = v_;
    v_ = static_cast<T>(v_ + d);
    return old;
  }
  template <typename... Order>
  T fetch_sub(T d, Order...) noexcept {
    T old = v_;
    v_ = static_cast<T>(v_ - d);
    return old;
  }
  template <typename... Order>
  bool compare_exchange_weak(T& expected, T desired, Order...) noexcept {
    if (v_ != expected) {
      expected = v_;
      return false;
    }
    v_ = desired;
    return true;
  }

 private:
  T v_;
};

struct Mutex {
  void lock() noexcept {}
  void unlock() noexcept {}
};
struct LockGuard {
  explicit LockGuard(Mutex&) noexcept {}
};
using SpinLock = Mutex;
using SpinGuard = LockGuard;
struct UniqueLock {
  explicit UniqueLock(Mutex&) noexcept {}
  void lock() noexcept {}
  void unlock() noexcept {}
};

/// With one thread nobody else can make a predicate true: waits return.
class CondVar {
 public:
  void notify_all() noexcept {}
  template <typename Pred>
  void wait(UniqueLock&, Pred) {}
  template <typename Pred>
  bool wait_for(UniqueLock&, std::uint64_t, Pred pred) {
    return pred();
  }
};

using ThreadId = int;
inline ThreadId this_thread_id() noexcept { return 0; }

inline constexpr std::uint64_t kTicksPerSecond = FRUGAL_TICKS_PER_SECOND;
inline std::uint64_t ticks_now() noexcept { return frugal_ticks_now(); }

}  // namespace frugal::platform
