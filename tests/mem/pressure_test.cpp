// Pressure levels and their delivery: thresholds, escalation, cooldown,
// re-notification, pressure sources, subscriptions, wait_for_work.
#include <frugal/mem/manual_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include "mem/helpers.hpp"
#include "support/death_test.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace frugal::mem {
namespace {

using core::Errc;
using test::budget_options;
using test::Clock;
using test::dispatch_until;
using test::eventually;
using test::kBudget;
using test::kPatience;
using test::LevelLog;
using test::open_account;
using namespace std::chrono_literals;
using Levels = std::vector<PressureLevel>;

constexpr PressureLevel kNormal = PressureLevel::normal;
constexpr PressureLevel kHigh = PressureLevel::high;
constexpr PressureLevel kCritical = PressureLevel::critical;

// With kBudget = 1000 and the default thresholds.
constexpr std::size_t kHighBytes = 750;
constexpr std::size_t kCriticalBytes = 950;

// Short enough for tests, long enough that "right away" is well inside it.
constexpr std::uint32_t kCooldownMs = 150;
constexpr auto kCooldown = std::chrono::milliseconds(kCooldownMs);

// A tracker with one account and one recording subscriber.
class PressureTest : public testing::Test {
 protected:
  explicit PressureTest(const TrackerOptions& options = budget_options(kBudget, kCooldownMs))
      : tracker(options), account(open_account(tracker, "a")), subscription(tracker.subscribe(log.callback())) {}

  MemoryTracker tracker;
  Account account;
  LevelLog log;
  Subscription subscription;
};

// ---- levels from the budget ------------------------------------------------------

struct LevelCase {
  const char* name;
  std::size_t budget;
  std::uint8_t high_percent;
  std::uint8_t critical_percent;
  std::size_t total;
  PressureLevel expected;
};

class BudgetLevel : public testing::TestWithParam<LevelCase> {};

TEST_P(BudgetLevel, FollowsTheThresholds) {
  const LevelCase& c = GetParam();
  TrackerOptions options = budget_options(c.budget);
  options.high_percent = c.high_percent;
  options.critical_percent = c.critical_percent;
  MemoryTracker tracker(options);
  LevelLog log;
  const Subscription subscription = tracker.subscribe(log.callback());
  open_account(tracker, "a").charge(c.total);

  EXPECT_EQ(tracker.current_level(), c.expected);
  EXPECT_EQ(tracker.dispatch(), c.expected);
  EXPECT_EQ(log.levels(), c.expected == kNormal ? Levels{} : Levels{c.expected});
}

constexpr std::size_t kHugeBudget = std::numeric_limits<std::size_t>::max() / 2;

INSTANTIATE_TEST_SUITE_P(
    Pressure, BudgetLevel,
    testing::Values(LevelCase{"empty", 1000, 70, 90, 0, kNormal},
                    LevelCase{"just_below_70", 1000, 70, 90, 699, kNormal},
                    LevelCase{"at_70", 1000, 70, 90, 700, kHigh},
                    LevelCase{"just_below_90", 1000, 70, 90, 899, kHigh},
                    LevelCase{"at_90", 1000, 70, 90, 900, kCritical},
                    LevelCase{"past_the_budget", 1000, 70, 90, 5000, kCritical},
                    LevelCase{"custom_just_below_50", 1000, 50, 80, 499, kNormal},
                    LevelCase{"custom_at_50", 1000, 50, 80, 500, kHigh},
                    LevelCase{"custom_just_below_80", 1000, 50, 80, 799, kHigh},
                    LevelCase{"custom_at_80", 1000, 50, 80, 800, kCritical},
                    LevelCase{"percent_rounds_down", 10, 75, 95, 7, kHigh},
                    // budget × percent overflows size_t on 32- and 64-bit targets alike.
                    LevelCase{"huge_budget", kHugeBudget, 70, 90, kHugeBudget / 100 * 95, kCritical},
                    LevelCase{"no_budget", 0, 70, 90, 1'000'000'000, kNormal}),
    test::CaseName());

TEST(Pressure, DefaultThresholdsAre70And90Percent) {
  const TrackerOptions options;
  EXPECT_EQ(options.high_percent, 70);
  EXPECT_EQ(options.critical_percent, 90);
  EXPECT_EQ(options.budget, 0u);
  EXPECT_EQ(options.renotify_ms, 0u);
}

TEST(Pressure, LevelNamesAreStable) {
  EXPECT_STREQ(pressure_level_name(kNormal), "normal");
  EXPECT_STREQ(pressure_level_name(kHigh), "high");
  EXPECT_STREQ(pressure_level_name(kCritical), "critical");
}

// ---- escalation ---------------------------------------------------------------------

TEST_F(PressureTest, EscalationIsDeliveredAtTheNextDispatchNeverInsideCharge) {
  account.charge(kHighBytes);
  EXPECT_TRUE(account.try_charge(10));
  EXPECT_EQ(log.size(), 0u) << "charge() delivered";
  EXPECT_EQ(tracker.current_level(), kHigh);
  EXPECT_EQ(tracker.level(), kNormal) << "level() is what was delivered, not the level now";

  EXPECT_EQ(tracker.dispatch(), kHigh);
  EXPECT_EQ(log.levels(), Levels{kHigh});
  EXPECT_EQ(log.deliveries()[0].thread, std::this_thread::get_id()) << "callbacks run on the dispatching thread";
  EXPECT_EQ(tracker.level(), kHigh);

  EXPECT_EQ(tracker.dispatch(), kHigh);
  EXPECT_EQ(log.size(), 1u) << "the same level was delivered twice";
}

TEST_F(PressureTest, LevelsPassedBetweenTwoDispatchesAreMerged) {
  account.charge(kHighBytes);
  account.charge(kCriticalBytes - kHighBytes);
  EXPECT_EQ(tracker.dispatch(), kCritical);
  EXPECT_EQ(log.levels(), Levels{kCritical});
}

TEST_F(PressureTest, HighThenCriticalAreBothDeliveredWhenDispatchedBetween) {
  account.charge(kHighBytes);
  tracker.dispatch();
  account.charge(kCriticalBytes - kHighBytes);
  tracker.dispatch();
  EXPECT_EQ(log.levels(), (Levels{kHigh, kCritical}));
}

// ---- de-escalation -------------------------------------------------------------------

struct DropCase {
  const char* name;
  std::size_t from;  // bytes held, then
  std::size_t to;    // bytes held after the drop
  PressureLevel upper;
  PressureLevel lower;
};

class DeEscalation : public PressureTest, public testing::WithParamInterface<DropCase> {};

TEST_P(DeEscalation, IsDeliveredOnlyAfterTheCooldown) {
  const DropCase& c = GetParam();
  account.charge(c.from);
  ASSERT_EQ(tracker.dispatch(), c.upper);

  const auto dropped_at = Clock::now();
  account.release(c.from - c.to);
  EXPECT_EQ(tracker.current_level(), c.lower);
  tracker.dispatch();
  if (Clock::now() - dropped_at < kCooldown) {
    EXPECT_EQ(log.size(), 1u) << "the lower level was delivered before the cooldown";
  }

  ASSERT_TRUE(dispatch_until(tracker, log, 2)) << "the lower level was never delivered";
  EXPECT_EQ(log.levels(), (Levels{c.upper, c.lower}));
  EXPECT_GE(log.deliveries()[1].at - dropped_at, kCooldown);
  EXPECT_EQ(tracker.level(), c.lower);
}

INSTANTIATE_TEST_SUITE_P(Pressure, DeEscalation,
                         testing::Values(DropCase{"critical_to_high", kCriticalBytes, kHighBytes, kCritical, kHigh},
                                         DropCase{"critical_to_normal", kCriticalBytes, 0, kCritical, kNormal},
                                         DropCase{"high_to_normal", kHighBytes, 100, kHigh, kNormal}),
                         test::CaseName());

TEST_F(PressureTest, LevelThatComesBackDuringTheCooldownIsNotDeliveredAgain) {
  account.charge(kHighBytes);
  tracker.dispatch();
  account.release(kHighBytes);
  tracker.dispatch();  // starts the cooldown
  account.charge(kHighBytes);
  tracker.dispatch();
  std::this_thread::sleep_for(2 * kCooldown);
  tracker.dispatch();
  EXPECT_EQ(log.levels(), Levels{kHigh});

  // A later drop starts a cooldown of its own.
  const auto dropped_at = Clock::now();
  account.release(kHighBytes);
  ASSERT_TRUE(dispatch_until(tracker, log, 2));
  EXPECT_EQ(log.levels(), (Levels{kHigh, kNormal}));
  EXPECT_GE(log.deliveries()[1].at - dropped_at, kCooldown);
}

// Regression (failed before the fix): src/mem/memory_tracker.cpp:119-124 (TrackerState::due): the cooldown
// clock (below_since) starts at the first drop below the delivered level and
// is not restarted when the level falls further. critical → high → (just
// before the cooldown ends) normal delivers normal at once, though normal has
// held for a fraction of cooldown_ms; the header promises "a lower level only
// once it has held for TrackerOptions::cooldown_ms". Expected: high when the
// first cooldown ends (or nothing), normal only cooldown_ms after it began.
class LongCooldown : public PressureTest {
 protected:
  static constexpr std::uint32_t kLongCooldownMs = 600;
  static constexpr auto kLongCooldown = std::chrono::milliseconds(kLongCooldownMs);
  LongCooldown() : PressureTest(budget_options(kBudget, kLongCooldownMs)) {}
};

TEST_F(LongCooldown, LowerLevelIsDeliveredOnlyAfterItHeldForTheCooldown) {
  account.charge(kCriticalBytes);
  tracker.dispatch();
  account.release(kCriticalBytes - kHighBytes);
  tracker.dispatch();  // critical → high: the cooldown starts
  std::this_thread::sleep_for(kLongCooldown - 100ms);

  const auto normal_since = Clock::now();
  account.release(kHighBytes);
  std::this_thread::sleep_for(200ms);  // the first cooldown is over; normal has held for 200 ms
  ASSERT_TRUE(eventually([&] {
    tracker.dispatch();
    return tracker.level() == kNormal;
  }));
  for (const test::Delivery& d : log.deliveries()) {
    if (d.level != kNormal) continue;
    EXPECT_GE(d.at - normal_since, kLongCooldown)
        << "normal delivered after holding for "
        << std::chrono::duration_cast<std::chrono::milliseconds>(d.at - normal_since).count() << " ms";
  }
  EXPECT_EQ(test::first_repeat(log.levels()), log.size());
}

// ---- re-notification ----------------------------------------------------------------------

class Renotification : public PressureTest {
 protected:
  static constexpr std::uint32_t kRenotifyMs = 60;
  Renotification() : PressureTest(budget_options(kBudget, 30, kRenotifyMs)) {}
};

TEST_F(Renotification, RepeatsTheLevelWhileAboveNormalOnly) {
  account.charge(kHighBytes);
  tracker.dispatch();
  ASSERT_TRUE(dispatch_until(tracker, log, 3));
  test::expect_repeated(log.deliveries(), 3, kHigh, std::chrono::milliseconds(kRenotifyMs));

  account.release(kHighBytes);
  ASSERT_TRUE(eventually([&] {
    tracker.dispatch();
    return tracker.level() == kNormal;
  }));
  const std::size_t delivered = log.size();
  EXPECT_EQ(log.levels().back(), kNormal);
  const auto end = Clock::now() + 4 * std::chrono::milliseconds(kRenotifyMs);
  while (Clock::now() < end) tracker.dispatch();
  EXPECT_EQ(log.size(), delivered) << "normal was re-notified";
}

TEST_F(PressureTest, NoRenotificationByDefault) {
  account.charge(kCriticalBytes);
  const auto end = Clock::now() + 200ms;
  while (Clock::now() < end) tracker.dispatch();
  EXPECT_EQ(log.levels(), Levels{kCritical});
}

// ---- pressure sources --------------------------------------------------------------------

// A ManualPressureSource added to `tracker` for the scope.
class ScopedSource {
 public:
  explicit ScopedSource(MemoryTracker& tracker) : tracker_(tracker), source_(&tracker) {
    EXPECT_TRUE(tracker_.add_source(source_));
  }
  ~ScopedSource() { tracker_.remove_source(source_); }
  ScopedSource(const ScopedSource&) = delete;
  ScopedSource& operator=(const ScopedSource&) = delete;
  ManualPressureSource& operator*() { return source_; }
  ManualPressureSource* operator->() { return &source_; }

 private:
  MemoryTracker& tracker_;
  ManualPressureSource source_;
};

TEST_F(PressureTest, DeliveredLevelIsTheHighestOfTheBudgetAndTheSources) {
  ScopedSource source(tracker);
  account.charge(kHighBytes);
  EXPECT_EQ(tracker.dispatch(), kHigh);

  source->set(kCritical);
  EXPECT_EQ(source->level(), kCritical);
  EXPECT_EQ(tracker.current_level(), kCritical);
  EXPECT_EQ(tracker.level(), kHigh);
  EXPECT_EQ(tracker.dispatch(), kCritical);

  source->set(kNormal);  // the budget still says high
  EXPECT_EQ(tracker.current_level(), kHigh);
  ASSERT_TRUE(dispatch_until(tracker, log, 3));

  account.release(kHighBytes);
  source->set(kHigh);  // now the source alone keeps it high
  EXPECT_EQ(tracker.current_level(), kHigh);
  tracker.dispatch();
  EXPECT_EQ(log.levels(), (Levels{kHigh, kCritical, kHigh}));
}

TEST_F(PressureTest, RemovedSourceNoLongerCounts) {
  ManualPressureSource source(&tracker);
  ASSERT_TRUE(tracker.add_source(source));
  source.set(kCritical);
  EXPECT_EQ(tracker.current_level(), kCritical);
  tracker.remove_source(source);
  EXPECT_EQ(tracker.current_level(), kNormal);
  tracker.remove_source(source);  // removing twice is harmless
  EXPECT_EQ(tracker.dispatch(), kNormal);
  EXPECT_EQ(log.size(), 0u);
}

TEST(PressureSources, AtMostMaxSources) {
  std::vector<ManualPressureSource> sources(MemoryTracker::kMaxSources + 1);  // outlive the tracker
  MemoryTracker tracker;
  for (std::size_t i = 0; i < MemoryTracker::kMaxSources; ++i) EXPECT_TRUE(tracker.add_source(sources[i]));
  const auto refused = tracker.add_source(sources.back());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::limit_exceeded);

  tracker.remove_source(sources[3]);
  EXPECT_TRUE(tracker.add_source(sources.back()));
  sources.back().set(kHigh);
  EXPECT_EQ(tracker.current_level(), kHigh);
}

// A source whose level changes between any two reads, as a PSI source's
// does when its window runs out, or a ManualPressureSource set from another
// thread while the tracker reads it.
class FlickeringSource final : public PressureSource {
 public:
  PressureLevel level() const noexcept override { return reads_.fetch_add(1) % 2 == 0 ? kCritical : kNormal; }

 private:
  mutable std::atomic<unsigned> reads_{0};
};

// Regression (failed before the fix): src/mem/memory_tracker.cpp:105 (TrackerState::current_level) calls
// s->level() twice: once to compare, once to assign. When the source's level
// drops between the two reads, the result is the second read, even below
// the budget's level: here the budget says high and the source flickers
// critical/normal, and current_level() returns normal. Expected: at least
// the budget's level (read each source once).
TEST(PressureSources, CurrentLevelIsNeverBelowTheBudgetLevel) {
  FlickeringSource source;
  MemoryTracker tracker(budget_options());
  open_account(tracker, "a").charge(kHighBytes);
  ASSERT_TRUE(tracker.add_source(source));
  for (int i = 0; i < 4; ++i) EXPECT_GE(tracker.current_level(), kHigh) << "read " << i;
}

// ---- subscriptions --------------------------------------------------------------------------

TEST_F(PressureTest, DestroyedSubscriptionIsNotCalledAgain) {
  LevelLog other;
  auto moved = std::make_optional(tracker.subscribe(other.callback()));
  Subscription kept = std::move(*moved);  // a moved subscription stays subscribed
  EXPECT_TRUE(kept);
  EXPECT_FALSE(*moved);
  moved.reset();
  account.charge(kHighBytes);
  tracker.dispatch();
  EXPECT_EQ(other.levels(), Levels{kHigh});

  kept.reset();
  EXPECT_FALSE(kept);
  account.charge(kCriticalBytes - kHighBytes);
  tracker.dispatch();
  EXPECT_EQ(other.levels(), Levels{kHigh});
  EXPECT_EQ(log.levels(), (Levels{kHigh, kCritical}));
}

TEST_F(PressureTest, UnsubscribingInsideItsOwnCallback) {
  int calls = 0;
  Subscription self;
  self = tracker.subscribe([&](PressureLevel) {
    ++calls;
    self.reset();  // must neither deadlock nor wait for itself
  });
  LevelLog later;  // subscribed after: still called in the same delivery
  const Subscription later_subscription = tracker.subscribe(later.callback());

  account.charge(kHighBytes);
  tracker.dispatch();
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(self);
  account.charge(kCriticalBytes - kHighBytes);
  tracker.dispatch();
  EXPECT_EQ(calls, 1) << "called after unsubscribing";
  EXPECT_EQ(later.levels(), (Levels{kHigh, kCritical}));
}

TEST_F(PressureTest, UnsubscribingFromAnotherThreadWaitsForTheRunningCallback) {
  std::latch entered(1);
  std::atomic<bool> returned{false};
  Subscription slow = tracker.subscribe([&](PressureLevel) {
    entered.count_down();
    std::this_thread::sleep_for(200ms);  // reset() below is called meanwhile
    returned = true;
  });
  account.charge(kHighBytes);
  std::thread dispatcher([&] { tracker.dispatch(); });
  entered.wait();
  slow.reset();
  EXPECT_TRUE(returned) << "reset() returned while the callback was still running";
  dispatcher.join();
}

TEST_F(PressureTest, CallbackThatReleasesMemoryNeitherDeadlocksNorRecurses) {
  Charge cache(account, kCriticalBytes);
  int depth = 0;
  int max_depth = 0;
  const Subscription shrinker = tracker.subscribe([&](PressureLevel level) {
    max_depth = std::max(max_depth, ++depth);
    if (level == kCritical) cache.reset();  // the level drops to normal from inside the delivery
    --depth;
  });
  EXPECT_EQ(tracker.dispatch(), kCritical);
  EXPECT_EQ(max_depth, 1);
  EXPECT_EQ(tracker.total(), 0u);
  EXPECT_EQ(tracker.current_level(), kNormal);
  EXPECT_EQ(log.levels(), Levels{kCritical});  // normal waits for its cooldown
  ASSERT_TRUE(dispatch_until(tracker, log, 2));
  EXPECT_EQ(log.levels(), (Levels{kCritical, kNormal}));
}

TEST_F(PressureTest, EscalationCausedInsideACallbackIsDeliveredWithoutRecursion) {
  int depth = 0;
  int max_depth = 0;
  const Subscription grower = tracker.subscribe([&](PressureLevel level) {
    max_depth = std::max(max_depth, ++depth);
    if (level == kHigh) account.charge(kCriticalBytes - kHighBytes);
    --depth;
  });
  account.charge(kHighBytes);
  EXPECT_EQ(tracker.dispatch(), kCritical);
  EXPECT_EQ(max_depth, 1);
  EXPECT_EQ(log.levels(), (Levels{kHigh, kCritical}));
}

TEST_F(PressureTest, DispatchFromInsideACallbackReturnsAtOnce) {
  int depth = 0;
  int max_depth = 0;
  std::optional<PressureLevel> inner;
  const Subscription recursive = tracker.subscribe([&](PressureLevel) {
    max_depth = std::max(max_depth, ++depth);
    inner = tracker.dispatch();
    --depth;
  });
  account.charge(kHighBytes);
  EXPECT_EQ(tracker.dispatch(), kHigh);
  EXPECT_EQ(max_depth, 1);
  EXPECT_EQ(inner, kHigh);
  EXPECT_EQ(log.levels(), Levels{kHigh});
}

TEST(Pressure, CallbackThatKeepsMakingWorkDoesNotKeepDispatchForever) {
  // Re-notification due every millisecond and a callback slower than that:
  // there is always something due, yet dispatch() returns.
  MemoryTracker tracker(budget_options(kBudget, kCooldownMs, 1));
  std::atomic<int> calls{0};
  const Subscription slow = tracker.subscribe([&](PressureLevel) {
    ++calls;
    std::this_thread::sleep_for(2ms);
  });
  open_account(tracker, "a").charge(kHighBytes);
  EXPECT_EQ(tracker.dispatch(), kHigh);
  EXPECT_GE(calls, 1);
  EXPECT_LT(calls, 1000);
}

TEST_F(PressureTest, SubscribingInsideACallback) {
  LevelLog late;
  std::optional<Subscription> late_subscription;
  const Subscription subscriber = tracker.subscribe([&](PressureLevel) {
    if (!late_subscription) late_subscription = tracker.subscribe(late.callback());
  });
  account.charge(kHighBytes);
  tracker.dispatch();
  ASSERT_TRUE(late_subscription);
  account.charge(kCriticalBytes - kHighBytes);
  tracker.dispatch();
  ASSERT_GE(late.size(), 1u);
  EXPECT_EQ(late.levels().back(), kCritical);
  EXPECT_EQ(test::first_repeat(late.levels()), late.size());
}

// Regression (failed before the fix): src/mem/memory_tracker.cpp:177 (unsubscribe) and :158 (deliver)
// destroy the Subscriber, and with it the callback and everything it
// captured, while holding subscribers_mutex. When a capture owns another
// Subscription (a component subscribed twice, a listener group), its
// destructor calls unsubscribe(), which locks subscribers_mutex again on the
// same thread: self-deadlock (and erase_if re-entered on the same vector).
// Expected: callbacks are destroyed after the lock is released. The alarm
// turns the hang into a failure.
TEST(SubscriptionDeathTest, DroppingACallbackWhoseCaptureOwnsASubscription) {
  GTEST_FLAG_SET(death_test_style, test::kIsolatedDeathTestStyle);
  EXPECT_EXIT(
      {
        alarm(3);
        MemoryTracker tracker;
        auto inner = std::make_shared<Subscription>(tracker.subscribe([](PressureLevel) {}));
        Subscription outer = tracker.subscribe([keep = std::move(inner)](PressureLevel) {});
        outer.reset();  // drops the callback; its capture unsubscribes `inner`
        std::_Exit(0);
      },
      testing::ExitedWithCode(0), "");
}

// ---- wait_for_work --------------------------------------------------------------------------

// Runs wait_for_work(20 s) on a thread, calls `poke` once the thread waits,
// and returns how long after the poke the wait ended.
template <typename Poke>
Clock::duration wait_ended_after(MemoryTracker& tracker, Poke poke) {
  std::latch started(1);
  Clock::time_point ended;
  std::thread waiter([&] {
    started.count_down();
    tracker.wait_for_work(20'000);
    ended = Clock::now();
  });
  started.wait();
  std::this_thread::sleep_for(20ms);  // most likely inside the wait now (if not, the wake-up is not lost either)
  const auto poked = Clock::now();
  poke();
  waiter.join();
  return ended - poked;
}

TEST_F(PressureTest, WaitForWorkReturnsPromptlyAfterWake) {
  EXPECT_LT(wait_ended_after(tracker, [&] { tracker.wake(); }), kPatience);
}

TEST_F(PressureTest, WaitForWorkReturnsPromptlyAfterAChargeThatChangesTheLevel) {
  EXPECT_LT(wait_ended_after(tracker, [&] { account.charge(kHighBytes); }), kPatience);
}

TEST_F(PressureTest, WaitForWorkReturnsPromptlyWhenASourceChanges) {
  ScopedSource source(tracker);
  tracker.wait_for_work(0);  // consumes the wake-up from add_source
  EXPECT_LT(wait_ended_after(tracker, [&] { source->set(kCritical); }), kPatience);
}

TEST_F(PressureTest, WaitForWorkReturnsWhenTheCooldownEnds) {
  account.charge(kHighBytes);
  tracker.dispatch();
  const auto dropped_at = Clock::now();
  account.release(kHighBytes);
  tracker.dispatch();        // the cooldown starts
  tracker.wait_for_work(0);  // consumes the wake-up from release
  tracker.wait_for_work(20'000);
  EXPECT_GE(Clock::now() - dropped_at, kCooldown);
  EXPECT_LT(Clock::now() - dropped_at, kPatience);
  EXPECT_EQ(tracker.dispatch(), kNormal);
}

TEST_F(PressureTest, WaitForWorkTimesOutWhenNothingHappens) {
  account.charge(100);  // no level change: no wake-up
  const auto start = Clock::now();
  tracker.wait_for_work(150);
  EXPECT_GE(Clock::now() - start, 150ms);
  EXPECT_LT(Clock::now() - start, kPatience);
}

// Regression (failed before the fix): src/mem/memory_tracker.cpp:467-470 (wait_for_work): while a lower
// level waits for its cooldown, due() never re-notifies (target < last), so
// last_delivery stays old; wait_for_work still computes the re-notification
// as overdue and waits 0 ticks. A dispatcher (DispatchThread) then spins on
// a CPU until the cooldown ends. With renotify_ms = 10 s and cooldown_ms =
// 1 s, any drop in the last second before a re-notification spins for up
// to a second. Expected: no re-notification is due while the level is below
// the delivered one; wait until the cooldown ends.
TEST(WaitForWork, DoesNotSpinWhenARenotificationFallsDueDuringACooldown) {
  MemoryTracker tracker(budget_options(kBudget, /*cooldown_ms=*/3000, /*renotify_ms=*/50));
  Account account = open_account(tracker, "a");
  account.charge(kHighBytes);
  tracker.dispatch();
  account.release(kHighBytes);
  tracker.dispatch();                    // the cooldown starts: nothing falls due for 3 s
  std::this_thread::sleep_for(100ms);    // past the re-notification of high
  tracker.wait_for_work(0);              // consumes the wake-up from release

  int rounds = 0;  // what DispatchThread does, for half a second
  for (const auto end = Clock::now() + 500ms; Clock::now() < end; ++rounds) {
    tracker.dispatch();
    tracker.wait_for_work(200);
  }
  EXPECT_LE(rounds, 20) << "wait_for_work returned at once " << rounds << " times: the dispatcher spins";
}

}  // namespace
}  // namespace frugal::mem
