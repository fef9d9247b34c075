// Allocation through the tracker: the pmr adapter and the fallible buffer.
#include <frugal/mem/tracked_resource.hpp>

#include "mem/helpers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory_resource>
#include <string>
#include <utility>
#include <vector>

namespace frugal::mem {
namespace {

using core::Errc;
using test::budget_options;
using test::kBudget;
using test::open_account;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizedHeap = true;  // huge requests abort instead of returning nullptr
#else
constexpr bool kSanitizedHeap = false;
#endif

// An upstream resource that counts the bytes it has handed out.
class CountingResource final : public std::pmr::memory_resource {
 public:
  std::size_t outstanding() const { return outstanding_; }
  std::size_t peak() const { return peak_; }
  std::size_t allocations() const { return allocations_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    void* p = std::pmr::new_delete_resource()->allocate(bytes, alignment);
    outstanding_ += bytes;
    peak_ = std::max(peak_, outstanding_);
    ++allocations_;
    return p;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
    outstanding_ -= bytes;
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::size_t outstanding_ = 0;
  std::size_t peak_ = 0;
  std::size_t allocations_ = 0;
};

// ---- TrackedResource ------------------------------------------------------------------

class TrackedResourceTest : public testing::Test {
 protected:
  // What the account holds is exactly what the upstream handed out.
  void expect_charged_as_allocated(const std::string& step) const {
    EXPECT_EQ(account.current(), upstream.outstanding()) << step;
  }
  // Everything went back, and the account saw the upstream's peak.
  void expect_all_returned() const {
    EXPECT_EQ(upstream.outstanding(), 0u);
    EXPECT_EQ(account.current(), 0u);
    EXPECT_EQ(tracker.total(), 0u);
    EXPECT_GT(upstream.allocations(), 1u);
    EXPECT_EQ(account.peak(), upstream.peak());
    EXPECT_EQ(tracker.peak_total(), upstream.peak());
  }

  MemoryTracker tracker;
  Account account = open_account(tracker, "pmr");
  CountingResource upstream;
  TrackedResource resource{account, &upstream};
};

TEST_F(TrackedResourceTest, VectorIsChargedWhatTheUpstreamHandsOut) {
  {
    std::pmr::vector<std::uint64_t> v(&resource);
    for (std::uint64_t i = 0; i < 1000; ++i) {
      v.push_back(i);
      expect_charged_as_allocated("push_back " + std::to_string(i));
    }
    EXPECT_GE(account.current(), 1000 * sizeof(std::uint64_t));
    v.resize(10);
    v.shrink_to_fit();
    expect_charged_as_allocated("shrink_to_fit");
    EXPECT_LT(account.current(), 1000 * sizeof(std::uint64_t));
  }
  expect_all_returned();
}

TEST_F(TrackedResourceTest, StringsAndNestedContainersAreCharged) {
  {
    std::pmr::vector<std::pmr::string> lines(&resource);  // the strings use the same resource
    for (int i = 0; i < 50; ++i) {
      lines.emplace_back(100 + static_cast<std::size_t>(i), 'x');  // past the small-string buffer
      lines.back() += std::string(200, 'y');
      expect_charged_as_allocated("line " + std::to_string(i));
    }
    EXPECT_GE(account.current(), 50 * 300u);
    lines.erase(lines.begin(), lines.begin() + 25);
    expect_charged_as_allocated("erase");
  }
  expect_all_returned();
}

TEST_F(TrackedResourceTest, PoolOnTopIsChargedForItsChunks) {
  {
    std::pmr::unsynchronized_pool_resource pool(&resource);
    {
      std::pmr::vector<std::pmr::vector<char>> blocks(&pool);
      for (int i = 0; i < 200; ++i) blocks.emplace_back(64, 'b');
      expect_charged_as_allocated("pool");
      EXPECT_GE(account.current(), 200 * 64u);
    }
    pool.release();
    expect_charged_as_allocated("release");
  }
  expect_all_returned();
}

TEST_F(TrackedResourceTest, ChargesAreUnconditional) {
  MemoryTracker small(budget_options(kBudget));
  TrackedResource tight(open_account(small, "tight"), &upstream);
  std::pmr::vector<char> v(2 * kBudget, 'z', &tight);  // past the budget: the level rises, nothing fails
  EXPECT_EQ(small.total(), upstream.outstanding());
  EXPECT_GE(small.total(), 2 * kBudget);
  EXPECT_EQ(small.current_level(), PressureLevel::critical);
}

TEST_F(TrackedResourceTest, EqualOnlyToItself) {
  const TrackedResource twin(account, &upstream);
  EXPECT_TRUE(resource.is_equal(resource));
  EXPECT_FALSE(resource.is_equal(twin));
  EXPECT_FALSE(resource.is_equal(upstream));
  EXPECT_STREQ(resource.account().name(), "pmr");
}

TEST(TrackedResource, DefaultUpstreamIsNewDelete) {
  MemoryTracker tracker;
  TrackedResource resource(open_account(tracker, "heap"));
  {
    std::pmr::vector<int> v(1000, 7, &resource);
    EXPECT_EQ(tracker.total(), 1000 * sizeof(int));
  }
  EXPECT_EQ(tracker.total(), 0u);
}

// ---- TrackedBuffer -----------------------------------------------------------------------

class TrackedBufferTest : public testing::Test {
 protected:
  MemoryTracker tracker{budget_options(kBudget)};
  Account account = open_account(tracker, "buf");
};

TEST_F(TrackedBufferTest, AllocatesAndChargesWithinTheBudget) {
  auto buffer = TrackedBuffer::try_allocate(account, 600);
  ASSERT_TRUE(buffer);
  EXPECT_EQ(buffer->size(), 600u);
  ASSERT_EQ(buffer->span().size(), 600u);
  std::fill(buffer->span().begin(), buffer->span().end(), std::byte{0xab});  // writable (ASan checks the bounds)
  const TrackedBuffer& read_only = *buffer;
  EXPECT_EQ(read_only.span().back(), std::byte{0xab});
  EXPECT_EQ(account.current(), 600u);
  EXPECT_EQ(tracker.total(), 600u);
}

TEST_F(TrackedBufferTest, ReleasesOnDestruction) {
  {
    auto buffer = TrackedBuffer::try_allocate(account, 400);
    ASSERT_TRUE(buffer);
    EXPECT_EQ(account.current(), 400u);
  }
  EXPECT_EQ(account.current(), 0u);
  EXPECT_EQ(account.peak(), 400u);
}

TEST_F(TrackedBufferTest, MovesKeepOneChargeAndMoveAssignmentReleasesTheOldOne) {
  auto first = TrackedBuffer::try_allocate(account, 600);
  auto second = TrackedBuffer::try_allocate(account, 300);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(account.current(), 900u);

  TrackedBuffer moved(std::move(*second));
  EXPECT_EQ(moved.size(), 300u);
  EXPECT_EQ(account.current(), 900u);

  *first = std::move(moved);  // the 600 bytes go back
  EXPECT_EQ(first->size(), 300u);
  EXPECT_EQ(account.current(), 300u);

  *first = TrackedBuffer();
  EXPECT_EQ(first->size(), 0u);
  EXPECT_EQ(account.current(), 0u);
}

TEST_F(TrackedBufferTest, ZeroBytes) {
  auto empty = TrackedBuffer::try_allocate(account, 0);
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->size(), 0u);
  EXPECT_TRUE(empty->span().empty());
  EXPECT_EQ(account.current(), 0u);
}

TEST(TrackedBuffer, UntrackedAccountAllocates) {
  auto buffer = TrackedBuffer::try_allocate(Account{}, 128);
  ASSERT_TRUE(buffer);
  EXPECT_EQ(buffer->size(), 128u);
}

TEST(TrackedBuffer, HeapRefusalIsOutOfMemoryAndChargesNothing) {
  if (kSanitizedHeap) GTEST_SKIP() << "sanitizer allocators abort on impossible sizes";
  MemoryTracker tracker;  // no budget: only the heap can refuse
  Account account = open_account(tracker, "huge");
  // Past PTRDIFF_MAX: refused by the allocator on 32- and 64-bit targets alike
  // (half of size_t's range can be granted in a 32-bit process).
  const std::size_t past_ptrdiff = std::size_t{std::numeric_limits<std::ptrdiff_t>::max()} + 1;
  const auto refused = TrackedBuffer::try_allocate(account, past_ptrdiff);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::out_of_memory);
  EXPECT_EQ(account.current(), 0u);
  EXPECT_EQ(tracker.total(), 0u);
}

// An account "a/b" (hard limits on "a" and "a/b"), bytes held already, one try_allocate.
struct RefusalCase {
  const char* name;
  std::size_t budget;
  std::size_t limit_a;
  std::size_t limit_ab;
  std::size_t held;
  std::size_t bytes;
};

class TrackedBufferRefused : public testing::TestWithParam<RefusalCase> {};

TEST_P(TrackedBufferRefused, IsOutOfMemoryAndChargesNothing) {
  const RefusalCase& c = GetParam();
  MemoryTracker tracker(budget_options(c.budget));
  const Account a = open_account(tracker, "a", c.limit_a);
  Account ab = open_account(tracker, "a/b", c.limit_ab);
  ab.charge(c.held);

  const auto refused = TrackedBuffer::try_allocate(ab, c.bytes);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::out_of_memory);
  EXPECT_EQ(ab.current(), c.held);
  EXPECT_EQ(a.current(), c.held);
  EXPECT_EQ(tracker.total(), c.held);
  EXPECT_EQ(tracker.peak_total(), c.held);

  // One byte less fits.
  auto fits = TrackedBuffer::try_allocate(ab, c.bytes - 1);
  ASSERT_TRUE(fits);
  EXPECT_EQ(tracker.total(), c.held + c.bytes - 1);
}

INSTANTIATE_TEST_SUITE_P(TrackedBuffer, TrackedBufferRefused,
                         testing::Values(RefusalCase{"past_the_budget", 1000, 0, 0, 500, 501},
                                         RefusalCase{"bigger_than_the_budget", 1000, 0, 0, 0, 1001},
                                         RefusalCase{"past_its_hard_limit", 0, 0, 100, 30, 71},
                                         RefusalCase{"past_the_parent_hard_limit", 0, 200, 0, 150, 51}),
                         test::CaseName());

}  // namespace
}  // namespace frugal::mem
