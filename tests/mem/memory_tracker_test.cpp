// Accounts, charges, peaks, budget and hard limits, the Charge helper.
#include <frugal/mem/memory_tracker.hpp>

#include "mem/helpers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace frugal::mem {
namespace {

using core::Errc;
using test::budget_options;
using test::kBudget;
using test::open_account;

// Every figure the tracker reports, to compare before and after an operation.
struct Figures {
  std::vector<std::tuple<std::string, std::size_t, std::size_t>> accounts;  // name, current, peak
  std::size_t total;
  std::size_t peak_total;
  bool operator==(const Figures&) const = default;
};

Figures figures(const MemoryTracker& tracker) {
  Figures f{{}, tracker.total(), tracker.peak_total()};
  for (std::size_t i = 0; i < tracker.account_count(); ++i) {
    const AccountStats s = tracker.account_stats(i);
    f.accounts.emplace_back(s.name, s.current, s.peak);
  }
  return f;
}

std::vector<std::string> account_names(const MemoryTracker& tracker) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < tracker.account_count(); ++i) names.emplace_back(tracker.account_stats(i).name);
  return names;
}

// ---- accounts ------------------------------------------------------------------

TEST(MemoryTracker, NestedPathCreatesItsAncestors) {
  MemoryTracker tracker;
  const Account c = open_account(tracker, "a/b/c");
  EXPECT_TRUE(c);
  EXPECT_STREQ(c.name(), "a/b/c");
  EXPECT_EQ(account_names(tracker), (std::vector<std::string>{"a", "a/b", "a/b/c"}));
}

TEST(MemoryTracker, ChargesToAChildCountInItsAncestorsAndTheTotal) {
  MemoryTracker tracker;
  Account c = open_account(tracker, "a/b/c");
  Account b = open_account(tracker, "a/b");
  Account sibling = open_account(tracker, "a/x");
  Account other = open_account(tracker, "z");
  const Account a = open_account(tracker, "a");

  c.charge(100);
  b.charge(10);
  sibling.charge(1);
  other.charge(1000);
  EXPECT_EQ(c.current(), 100u);
  EXPECT_EQ(b.current(), 110u);
  EXPECT_EQ(sibling.current(), 1u);
  EXPECT_EQ(a.current(), 111u);
  EXPECT_EQ(other.current(), 1000u);
  EXPECT_EQ(tracker.total(), 1111u);

  c.release(100);
  other.release(400);
  EXPECT_EQ(c.current(), 0u);
  EXPECT_EQ(b.current(), 10u);
  EXPECT_EQ(a.current(), 11u);
  EXPECT_EQ(other.current(), 600u);
  EXPECT_EQ(tracker.total(), 611u);
  // Peaks remember the highest figures.
  EXPECT_EQ(c.peak(), 100u);
  EXPECT_EQ(b.peak(), 110u);
  EXPECT_EQ(a.peak(), 111u);
  EXPECT_EQ(other.peak(), 1000u);
  EXPECT_EQ(tracker.peak_total(), 1111u);
}

TEST(MemoryTracker, PeaksRiseWithChargesAndResetToCurrent) {
  MemoryTracker tracker;
  Account child = open_account(tracker, "p/q");
  const Account parent = open_account(tracker, "p");
  child.charge(300);
  child.release(200);
  child.charge(50);  // 150 now, 300 at most
  EXPECT_EQ(child.peak(), 300u);
  EXPECT_EQ(parent.peak(), 300u);
  EXPECT_EQ(tracker.peak_total(), 300u);

  tracker.reset_peaks();
  EXPECT_EQ(child.peak(), 150u);
  EXPECT_EQ(parent.peak(), 150u);
  EXPECT_EQ(tracker.peak_total(), 150u);
  child.charge(10);
  EXPECT_EQ(child.peak(), 160u);
  EXPECT_EQ(tracker.peak_total(), 160u);
}

TEST(MemoryTracker, SamePathGivesTheSameAccount) {
  MemoryTracker tracker;
  Account first = open_account(tracker, "mp4/sample_tables");
  const Account again = open_account(tracker, "mp4/sample_tables");
  EXPECT_EQ(tracker.account_count(), 2u);
  EXPECT_EQ(first.name(), again.name());  // the same node
  first.charge(42);
  EXPECT_EQ(again.current(), 42u);
  first.release(42);
}

TEST(MemoryTracker, HardLimitIsSetOnCreationOrByALaterCall) {
  MemoryTracker tracker;
  open_account(tracker, "x", 100);
  open_account(tracker, "y");
  EXPECT_EQ(tracker.account_stats(0).hard_limit, 100u);
  EXPECT_EQ(tracker.account_stats(1).hard_limit, 0u);
  open_account(tracker, "y", 50);
  open_account(tracker, "x");  // no limit given: kept
  EXPECT_EQ(tracker.account_stats(0).hard_limit, 100u);
  EXPECT_EQ(tracker.account_stats(1).hard_limit, 50u);
}

TEST(MemoryTracker, AccountStatsComeInCreationOrderParentsFirst) {
  MemoryTracker tracker;
  Account b = open_account(tracker, "b");
  Account ax = open_account(tracker, "a/x", 500);
  open_account(tracker, "b/y");
  open_account(tracker, "a");  // exists already
  b.charge(7);
  ax.charge(30);
  ax.release(10);

  ASSERT_EQ(account_names(tracker), (std::vector<std::string>{"b", "a", "a/x", "b/y"}));
  const AccountStats s = tracker.account_stats(2);
  EXPECT_EQ(s.current, 20u);
  EXPECT_EQ(s.peak, 30u);
  EXPECT_EQ(s.hard_limit, 500u);
  EXPECT_EQ(tracker.account_stats(0).current, 7u);
  EXPECT_EQ(tracker.account_stats(1).current, 20u);
  EXPECT_EQ(tracker.account_stats(3).current, 0u);
}

TEST(MemoryTracker, LongestAllowedName) {
  MemoryTracker tracker;
  const std::string name(MemoryTracker::kMaxNameLength, 'n');
  EXPECT_STREQ(open_account(tracker, name).name(), name.c_str());
}

class InvalidAccountPath : public testing::TestWithParam<std::string> {};

TEST_P(InvalidAccountPath, IsRefusedAndCreatesNothing) {
  MemoryTracker tracker;
  const auto account = tracker.account(GetParam());
  ASSERT_FALSE(account);
  EXPECT_EQ(account.error().code, Errc::invalid_argument);
  EXPECT_EQ(tracker.account_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(MemoryTracker, InvalidAccountPath,
                         testing::Values("", "/", "/a", "a/", "a//b", "a/b/", "//",
                                         std::string(MemoryTracker::kMaxNameLength + 1, 'n'),
                                         "a/" + std::string(MemoryTracker::kMaxNameLength - 1, 'n')));

TEST(MemoryTracker, MoreThanMaxAccountsIsLimitExceeded) {
  MemoryTracker tracker;
  for (std::size_t i = 0; i < MemoryTracker::kMaxAccounts; ++i) open_account(tracker, "acc" + std::to_string(i));
  EXPECT_EQ(tracker.account_count(), MemoryTracker::kMaxAccounts);

  const auto one_more = tracker.account("one_more");
  ASSERT_FALSE(one_more);
  EXPECT_EQ(one_more.error().code, Errc::limit_exceeded);
  EXPECT_EQ(tracker.account_count(), MemoryTracker::kMaxAccounts);
  // Existing accounts are still found.
  EXPECT_TRUE(tracker.account("acc0"));
}

// ---- try_charge --------------------------------------------------------------------

// A tracker with accounts "a" and "a/b", some bytes already on "a/b", and
// one try_charge.
struct TryChargeCase {
  const char* name;
  std::size_t budget;
  std::size_t limit_a;   // hard limit of "a"; 0 = none
  std::size_t limit_ab;  // hard limit of "a/b"; 0 = none
  std::size_t held;      // charged to "a/b" first
  const char* path;      // where try_charge goes
  std::size_t bytes;
  bool fits;
};

class TryCharge : public testing::TestWithParam<TryChargeCase> {};

TEST_P(TryCharge, ChargesWithinLimitsAndChangesNothingWhenRefused) {
  const TryChargeCase& c = GetParam();
  MemoryTracker tracker(budget_options(c.budget));
  open_account(tracker, "a", c.limit_a);
  Account ab = open_account(tracker, "a/b", c.limit_ab);
  Account target = open_account(tracker, c.path);
  ab.charge(c.held);
  const Figures before = figures(tracker);
  const std::size_t target_before = target.current();

  const auto result = target.try_charge(c.bytes);
  EXPECT_EQ(static_cast<bool>(result), c.fits);
  if (c.fits) {
    EXPECT_EQ(tracker.total(), before.total + c.bytes);
    EXPECT_EQ(target.current(), target_before + c.bytes);
    EXPECT_EQ(target.peak(), target.current());
    EXPECT_EQ(tracker.peak_total(), tracker.total());
    EXPECT_EQ(tracker.account_stats(0).current, c.held + c.bytes);  // "a" holds everything
  } else {
    EXPECT_EQ(result.error().code, Errc::out_of_memory);
    EXPECT_EQ(figures(tracker), before) << "a refused try_charge changed a current or a peak";
  }
}

INSTANTIATE_TEST_SUITE_P(
    MemoryTracker, TryCharge,
    testing::Values(TryChargeCase{"fills_the_budget_exactly", 1000, 0, 0, 400, "a/b", 600, true},
                    TryChargeCase{"passes_the_budget_by_one", 1000, 0, 0, 400, "a/b", 601, false},
                    TryChargeCase{"bigger_than_the_whole_budget", 1000, 0, 0, 0, "a/b", 1001, false},
                    TryChargeCase{"no_budget_no_limit", 0, 0, 0, 400, "a/b", 1'000'000, true},
                    TryChargeCase{"reaches_its_own_limit", 0, 0, 100, 40, "a/b", 60, true},
                    TryChargeCase{"passes_its_own_limit", 0, 0, 100, 40, "a/b", 61, false},
                    TryChargeCase{"reaches_the_parent_limit", 0, 100, 0, 40, "a/b", 60, true},
                    TryChargeCase{"passes_the_parent_limit", 0, 100, 0, 40, "a/b", 61, false},
                    TryChargeCase{"sibling_passes_the_parent_limit", 0, 100, 0, 40, "a/c", 61, false},
                    TryChargeCase{"grandchild_passes_the_grandparent_limit", 0, 100, 0, 40, "a/b/c", 61, false},
                    TryChargeCase{"within_limits_but_past_the_budget", 500, 1000, 1000, 400, "a/b", 101, false},
                    TryChargeCase{"parent_limit_is_stricter_than_the_budget", 1000, 300, 0, 200, "a/c", 101,
                                  false}),
    test::CaseName());

TEST(MemoryTracker, TryChargeIsRefusedWhenUnconditionalChargesPassedTheLimit) {
  MemoryTracker tracker(budget_options());
  Account a = open_account(tracker, "a", 100);
  a.charge(150);  // charge() does not check
  EXPECT_EQ(a.current(), 150u);
  EXPECT_FALSE(a.try_charge(1));
  a.release(150);
  EXPECT_TRUE(a.try_charge(100));
  a.release(100);
}

TEST(MemoryTracker, UntrackedAccountIsANoOp) {
  MemoryTracker tracker(budget_options());
  Account untracked;
  EXPECT_FALSE(untracked);
  EXPECT_STREQ(untracked.name(), "");
  untracked.charge(5000);
  EXPECT_TRUE(untracked.try_charge(1'000'000'000));
  untracked.release(1'000'000'000);  // nothing charged, nothing checked
  EXPECT_EQ(untracked.current(), 0u);
  EXPECT_EQ(untracked.peak(), 0u);
  EXPECT_EQ(tracker.total(), 0u);
  EXPECT_EQ(default_tracker().total(), 0u);
}

TEST(MemoryTrackerDeathTest, ReleasingMoreThanChargedIsAProgrammerError) {
  MemoryTracker tracker;
  Account a = open_account(tracker, "a");
  a.charge(10);
  EXPECT_DEATH(a.release(11), "assertion failed");
}

// ---- Charge --------------------------------------------------------------------

class ChargeTest : public testing::Test {
 protected:
  MemoryTracker tracker{budget_options()};
  Account account = open_account(tracker, "c");
};

TEST_F(ChargeTest, HoldsItsBytesForItsLifetime) {
  {
    const Charge charge(account, 300);
    EXPECT_EQ(charge.bytes(), 300u);
    EXPECT_EQ(account.current(), 300u);
    EXPECT_STREQ(charge.account().name(), "c");
  }
  EXPECT_EQ(account.current(), 0u);
  EXPECT_EQ(tracker.total(), 0u);
}

TEST_F(ChargeTest, TryMakeRespectsTheBudget) {
  auto fits = Charge::try_make(account, kBudget);
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->bytes(), kBudget);
  const auto refused = Charge::try_make(account, 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::out_of_memory);
  EXPECT_EQ(account.current(), kBudget);
}

TEST_F(ChargeTest, TryResizeGrowsWithinTheBudgetAndShrinksAlways) {
  auto made = Charge::try_make(account, 500);
  ASSERT_TRUE(made);
  Charge& charge = *made;

  const auto refused = charge.try_resize(kBudget + 1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::out_of_memory);
  EXPECT_EQ(charge.bytes(), 500u);
  EXPECT_EQ(account.current(), 500u);
  EXPECT_EQ(account.peak(), 500u);

  EXPECT_TRUE(charge.try_resize(kBudget));
  EXPECT_EQ(account.current(), kBudget);
  EXPECT_TRUE(charge.try_resize(100));
  EXPECT_EQ(charge.bytes(), 100u);
  EXPECT_EQ(account.current(), 100u);
}

TEST_F(ChargeTest, ResizeIsUnconditional) {
  Charge charge(account, 10);
  charge.resize(2 * kBudget);
  EXPECT_EQ(account.current(), 2 * kBudget);
  charge.resize(5);
  EXPECT_EQ(account.current(), 5u);
  charge.reset();
  EXPECT_EQ(charge.bytes(), 0u);
  EXPECT_EQ(account.current(), 0u);
}

TEST_F(ChargeTest, MovesHandOverTheBytes) {
  Charge first(account, 100);
  Charge second(std::move(first));
  EXPECT_EQ(first.bytes(), 0u);  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(second.bytes(), 100u);
  EXPECT_EQ(account.current(), 100u);

  Charge third(account, 40);
  third = std::move(second);  // releases the 40 it held
  EXPECT_EQ(third.bytes(), 100u);
  EXPECT_EQ(account.current(), 100u);

  first = Charge(account, 7);
  EXPECT_EQ(account.current(), 107u);
  first = Charge();
  third = Charge();
  EXPECT_EQ(account.current(), 0u);
}

}  // namespace
}  // namespace frugal::mem
