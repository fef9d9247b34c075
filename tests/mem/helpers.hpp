#pragma once
// Helpers shared by the mem tests: a subscriber that records what it is
// delivered (with when and on which thread), waiting with a deadline, and
// account creation that fails the test instead of asserting.
//
// Timing policy: the test machines are shared and noisy. Tests assert
// ordering and lower bounds the implementation guarantees (a de-escalation is
// never delivered before its cooldown), and only generous upper bounds
// (kPatience) on anything that has to happen "soon".

#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace frugal::mem {
// gtest prints levels by name.
inline void PrintTo(PressureLevel level, std::ostream* os) { *os << pressure_level_name(level); }
}  // namespace frugal::mem

namespace frugal::test {

using mem::Account;
using mem::MemoryTracker;
using mem::PressureCallback;
using mem::PressureLevel;
using mem::TrackerOptions;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Upper bound for anything that should happen "promptly".
inline constexpr std::chrono::milliseconds kPatience = 5s;

/// A budget that makes percentages easy to read: 700 bytes is 70%.
inline constexpr std::size_t kBudget = 1000;

inline TrackerOptions budget_options(std::size_t budget = kBudget, std::uint32_t cooldown_ms = 1000,
                                     std::uint32_t renotify_ms = 0) {
  TrackerOptions options;
  options.budget = budget;
  options.cooldown_ms = cooldown_ms;
  options.renotify_ms = renotify_ms;
  return options;
}

/// tracker.account(path, hard_limit), failing the test (and returning an
/// untracked account) when it is refused.
inline Account open_account(MemoryTracker& tracker, std::string_view path, std::size_t hard_limit = 0) {
  auto account = tracker.account(path, hard_limit);
  EXPECT_TRUE(account) << "account(\"" << path << "\") refused: "
                       << (account ? "" : account.error().message);
  return account ? *account : Account{};
}

/// Names parameterized tests after their case's `name` field.
struct CaseName {
  template <typename Case>
  std::string operator()(const testing::TestParamInfo<Case>& param_info) const {
    return param_info.param.name;
  }
};

/// One delivery as a subscriber saw it.
struct Delivery {
  PressureLevel level;
  Clock::time_point at;
  std::thread::id thread;
};

/// A subscriber callback that records every delivery; thread-safe.
class LevelLog {
 public:
  PressureCallback callback() {
    return [this](PressureLevel level) { record(level); };
  }

  void record(PressureLevel level) {
    {
      std::lock_guard lock(mutex_);
      deliveries_.push_back({level, Clock::now(), std::this_thread::get_id()});
    }
    cv_.notify_all();
  }

  std::vector<Delivery> deliveries() const {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }

  std::vector<PressureLevel> levels() const {
    std::lock_guard lock(mutex_);
    std::vector<PressureLevel> out;
    for (const Delivery& d : deliveries_) out.push_back(d.level);
    return out;
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return deliveries_.size();
  }

  /// Waits until at least `n` deliveries have arrived; false after `timeout`.
  bool wait_for_size(std::size_t n, std::chrono::milliseconds timeout = kPatience) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return deliveries_.size() >= n; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::vector<Delivery> deliveries_;
};

/// The first `n` deliveries are all `level`, each `interval` after the one
/// before (re-notification). The tracker keeps the interval between its
/// decisions; a callback's timestamp comes after its decision, by a latency
/// that varies with scheduling (seen: 0.07 ms more for one delivery than the
/// next under qemu-user, where tests also run two at a time on two cores),
/// hence a slack of a fifth of the interval: early enough to catch a
/// re-notification that ignores the interval.
inline void expect_repeated(const std::vector<Delivery>& deliveries, std::size_t n, PressureLevel level,
                            std::chrono::milliseconds interval) {
  const std::chrono::milliseconds kCallbackLatency = interval / 5;
  ASSERT_GE(deliveries.size(), n);
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(deliveries[i].level, level) << "delivery " << i;
    if (i > 0) {
      EXPECT_GE(deliveries[i].at - deliveries[i - 1].at, interval - kCallbackLatency) << "delivery " << i;
    }
  }
}

/// Index of the first level equal to the one before it; levels.size() when
/// no level follows itself.
inline std::size_t first_repeat(const std::vector<PressureLevel>& levels) {
  for (std::size_t i = 1; i < levels.size(); ++i)
    if (levels[i] == levels[i - 1]) return i;
  return levels.size();
}

/// Polls `pred` every few milliseconds until it holds; false after `timeout`.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = kPatience) {
  const auto deadline = Clock::now() + timeout;
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

/// Calls tracker.dispatch() until `log` holds `n` deliveries (the owner's
/// dispatch loop, without a DispatchThread); false after `timeout`.
inline bool dispatch_until(MemoryTracker& tracker, const LevelLog& log, std::size_t n,
                           std::chrono::milliseconds timeout = kPatience) {
  return eventually(
      [&] {
        tracker.dispatch();
        return log.size() >= n;
      },
      timeout);
}

}  // namespace frugal::test
