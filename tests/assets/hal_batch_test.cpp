// Batch HAL extraction: results equal sequential hal_decompress on 1, 2 and 4
// threads, per-item errors, cancellation, progress, the scratch's charge.
// Suite HalBatch also runs under ThreadSanitizer (the tsan test preset).

#include <frugal/assets/hal_batch.hpp>

#include "support/hal_compressor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace frugal::assets {
namespace {

using core::Errc;

// A ROM of `count` HAL streams back to back, each decoding to 16-2000 bytes
// of a pattern of its own (runs, increasing bytes and noise, so every
// command kind shows up), with a 0xFF pad byte between them.
struct BatchRom {
  explicit BatchRom(std::size_t count) {
    std::uint32_t state = 12345;
    auto next = [&state] {
      state = state * 1103515245u + 12345u;
      return state >> 16;
    };
    for (std::size_t i = 0; i < count; ++i) {
      std::vector<std::byte> data(16 + next() % 1985);
      for (std::size_t j = 0; j < data.size(); ++j) {
        const unsigned kind = static_cast<unsigned>((j / 64 + i) % 3);
        data[j] = static_cast<std::byte>(kind == 0 ? i & 0xFF : kind == 1 ? (j + i) & 0xFF : next() & 0xFF);
      }
      offsets.push_back(bytes.size());
      const auto stream = test::hal_compress(data);
      bytes.insert(bytes.end(), stream.begin(), stream.end());
      bytes.push_back(std::byte{0xFF});
      decoded.push_back(std::move(data));
    }
  }
  std::vector<std::byte> bytes;
  std::vector<std::uint64_t> offsets;
  std::vector<std::vector<std::byte>> decoded;
};

const BatchRom& rom1000() {
  static const BatchRom rom(1000);
  return rom;
}

// Runs a batch whose consumer keeps every block's bytes by index.
struct Collected {
  std::vector<HalBatchItem> items;
  std::vector<std::vector<std::byte>> bytes;
  std::vector<int> calls;  // consumer calls per index
  core::Result<HalBatchSummary> summary = core::make_error(Errc::io, "not run");
};

Collected run(core::ByteSource& source, std::span<const std::uint64_t> offsets, HalBatchOptions options) {
  Collected c;
  c.items.resize(offsets.size());
  c.bytes.resize(offsets.size());
  c.calls.resize(offsets.size());
  options.consumer = [&c](std::size_t index, std::uint64_t, std::span<const std::byte> b) -> core::Result<void> {
    c.bytes[index].assign(b.begin(), b.end());  // each index by one worker only
    ++c.calls[index];
    return core::ok();
  };
  c.summary = hal_batch_decompress(source, offsets, c.items, options);
  return c;
}

class HalBatchThreads : public ::testing::TestWithParam<unsigned> {};

TEST_P(HalBatchThreads, EqualsSequentialDecodes) {
  const BatchRom& rom = rom1000();
  core::MemorySource source(rom.bytes);
  mem::MemoryTracker tracker;
  HalBatchOptions options;
  options.threads = GetParam();
  options.tracker = &tracker;
  const Collected c = run(source, rom.offsets, options);
  ASSERT_TRUE(c.summary) << c.summary.error().message;
  EXPECT_EQ(c.summary->attempted, 1000u);
  EXPECT_EQ(c.summary->failed, 0u);
  EXPECT_EQ(c.summary->threads, GetParam());
  EXPECT_FALSE(c.summary->cancelled);
  std::uint64_t total = 0;
  std::vector<std::byte> out(kHalMaxOutput);
  for (std::size_t i = 0; i < rom.offsets.size(); ++i) {
    SCOPED_TRACE(i);
    auto seq = hal_decompress(source, rom.offsets[i], out);
    ASSERT_TRUE(seq);
    ASSERT_TRUE(c.items[i].result) << c.items[i].result.error().message;
    EXPECT_EQ(c.items[i].offset, rom.offsets[i]);
    EXPECT_EQ(c.items[i].result->decompressed, seq->decompressed);
    EXPECT_EQ(c.items[i].result->compressed, seq->compressed);
    EXPECT_EQ(c.calls[i], 1);
    ASSERT_EQ(c.bytes[i].size(), seq->decompressed);
    EXPECT_TRUE(std::equal(c.bytes[i].begin(), c.bytes[i].end(), out.begin()));
    EXPECT_EQ(c.bytes[i], rom.decoded[i]);
    total += seq->decompressed;
  }
  EXPECT_EQ(c.summary->bytes, total);
  // The scratch is released when the batch returns, and was charged while it ran.
  auto account = tracker.account(kHalBatchAccount);
  ASSERT_TRUE(account);
  EXPECT_EQ(account->current(), 0u);
  EXPECT_EQ(account->peak(), GetParam() * kHalMaxOutput);
}

INSTANTIATE_TEST_SUITE_P(HalBatch, HalBatchThreads, ::testing::Values(1u, 2u, 4u));

TEST(HalBatch, ABadOffsetFailsAloneTheOthersSucceed) {
  BatchRom rom(20);
  // A stream starting with a forward copy (command 4) reads output not written yet.
  const std::uint64_t bad = rom.bytes.size();
  rom.bytes.push_back(std::byte{0x80});
  rom.bytes.push_back(std::byte{0x00});
  rom.bytes.push_back(std::byte{0x00});
  rom.bytes.push_back(std::byte{0xFF});
  std::vector<std::uint64_t> offsets = rom.offsets;
  offsets.insert(offsets.begin() + 7, bad);
  offsets.push_back(rom.bytes.size() + 100);  // past the end: the input ends at once
  core::MemorySource source(rom.bytes);
  mem::MemoryTracker tracker;
  HalBatchOptions options;
  options.threads = 3;
  options.tracker = &tracker;
  const Collected c = run(source, offsets, options);
  ASSERT_TRUE(c.summary);
  EXPECT_EQ(c.summary->attempted, 22u);
  EXPECT_EQ(c.summary->failed, 2u);
  ASSERT_FALSE(c.items[7].result);
  EXPECT_EQ(c.items[7].offset, bad);
  EXPECT_EQ(c.items[7].result.error().code, Errc::malformed);
  EXPECT_STREQ(c.items[7].result.error().message, "HAL: copy from output not written yet");
  EXPECT_EQ(c.calls[7], 0);  // no bytes handed on for a failed block
  ASSERT_FALSE(c.items[21].result);
  EXPECT_STREQ(c.items[21].result.error().message, "HAL: input ends before the 0xFF end marker");
  for (std::size_t i = 0; i < 20; ++i) {
    const std::size_t at = i < 7 ? i : i + 1;
    ASSERT_TRUE(c.items[at].result) << at;
    EXPECT_EQ(c.bytes[at], rom.decoded[i]) << at;
  }
}

TEST(HalBatch, AConsumerErrorBecomesThatItemsResult) {
  BatchRom rom(10);
  core::MemorySource source(rom.bytes);
  std::vector<HalBatchItem> items(rom.offsets.size());
  HalBatchOptions options;
  options.threads = 2;
  options.consumer = [&rom](std::size_t index, std::uint64_t offset, std::span<const std::byte>) -> core::Result<void> {
    EXPECT_EQ(offset, rom.offsets[index]);
    if (index == 4) return core::Error{Errc::io, "disk full", core::Error::kNoOffset, 28};
    return core::ok();
  };
  auto summary = hal_batch_decompress(source, rom.offsets, items, options);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->failed, 1u);
  ASSERT_FALSE(items[4].result);
  EXPECT_EQ(items[4].result.error().code, Errc::io);
  EXPECT_EQ(items[4].result.error().os_error, 28);
  for (std::size_t i = 0; i < items.size(); ++i)
    if (i != 4) {
      EXPECT_TRUE(items[i].result) << i;
    }
}

TEST(HalBatch, ProgressIsSerializedMonotonicAndEndsAtTotal) {
  const BatchRom& rom = rom1000();
  core::MemorySource source(rom.bytes);
  std::vector<std::uint64_t> offsets = rom.offsets;
  offsets[500] = rom.bytes.size() + 1;  // one failure
  std::vector<HalBatchItem> items(offsets.size());
  std::vector<HalBatchProgress> seen;
  std::atomic<int> inside{0};
  bool overlapped = false;
  HalBatchOptions options;
  options.threads = 4;
  options.progress = [&](const HalBatchProgress& p) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    seen.push_back(p);  // unsynchronized on purpose: the batch serializes the calls
    inside.fetch_sub(1);
    return true;
  };
  auto summary = hal_batch_decompress(source, offsets, items, options);
  ASSERT_TRUE(summary);
  EXPECT_FALSE(overlapped);
  ASSERT_EQ(seen.size(), offsets.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].done, i + 1);
    EXPECT_EQ(seen[i].total, offsets.size());
    if (i > 0) {
      EXPECT_GE(seen[i].failed, seen[i - 1].failed);
    }
  }
  EXPECT_EQ(seen.back().done, seen.back().total);
  EXPECT_EQ(seen.back().failed, 1u);
  EXPECT_EQ(summary->failed, 1u);
}

TEST(HalBatch, CancellationStopsEarly) {
  const BatchRom& rom = rom1000();
  core::MemorySource source(rom.bytes);
  for (unsigned threads : {1u, 2u, 4u}) {
    SCOPED_TRACE(threads);
    std::vector<HalBatchItem> items(rom.offsets.size());
    std::size_t calls = 0;
    std::atomic<std::size_t> consumed{0};
    HalBatchOptions options;
    options.threads = threads;
    options.progress = [&calls](const HalBatchProgress& p) {
      ++calls;
      return p.done < 10;  // cancel at the 10th item
    };
    options.consumer = [&consumed](std::size_t, std::uint64_t, std::span<const std::byte>) -> core::Result<void> {
      ++consumed;
      return core::ok();
    };
    auto summary = hal_batch_decompress(source, rom.offsets, items, options);
    ASSERT_TRUE(summary);
    EXPECT_TRUE(summary->cancelled);
    EXPECT_EQ(calls, 10u);  // none after the one that cancelled
    // Each worker finishes at most the item it had taken.
    EXPECT_GE(summary->attempted, 10u);
    EXPECT_LE(summary->attempted, 10u + threads - 1);
    EXPECT_EQ(consumed.load(), summary->attempted);
    std::size_t not_attempted = 0;
    for (const HalBatchItem& item : items) {
      if (item.result) continue;
      EXPECT_EQ(item.result.error().code, Errc::end_of_stream);
      EXPECT_STREQ(item.result.error().message, "HAL batch: not attempted (cancelled)");
      ++not_attempted;
    }
    EXPECT_EQ(not_attempted, rom.offsets.size() - summary->attempted);
  }
}

TEST(HalBatch, ATightBudgetMeansFewerWorkers) {
  const BatchRom& rom = rom1000();
  core::MemorySource source(rom.bytes);
  // Room for two scratch buffers (and a little more), not four.
  mem::MemoryTracker tracker(mem::TrackerOptions{.budget = 2 * kHalMaxOutput + 1000});
  HalBatchOptions options;
  options.threads = 4;
  options.tracker = &tracker;
  const Collected c = run(source, rom.offsets, options);
  ASSERT_TRUE(c.summary) << c.summary.error().message;
  EXPECT_EQ(c.summary->threads, 2u);
  EXPECT_EQ(c.summary->failed, 0u);
  EXPECT_EQ(c.bytes[999], rom.decoded[999]);
  auto account = tracker.account(kHalBatchAccount);
  EXPECT_EQ(account->peak(), 2 * kHalMaxOutput);
  EXPECT_EQ(account->current(), 0u);
}

TEST(HalBatch, NoRoomForOneScratchIsOutOfMemory) {
  const BatchRom& rom = rom1000();
  core::MemorySource source(rom.bytes);
  mem::MemoryTracker tracker(mem::TrackerOptions{.budget = kHalMaxOutput - 1});
  std::vector<HalBatchItem> items(rom.offsets.size());
  HalBatchOptions options;
  options.tracker = &tracker;
  auto summary = hal_batch_decompress(source, rom.offsets, items, options);
  ASSERT_FALSE(summary);
  EXPECT_EQ(summary.error().code, Errc::out_of_memory);
  EXPECT_EQ(tracker.total(), 0u);
  EXPECT_EQ(items[1].offset, 0u);  // untouched (rom.offsets[1] is not 0)
  EXPECT_NE(rom.offsets[1], 0u);
}

TEST(HalBatch, BadArgumentsAndEmptyBatches) {
  const BatchRom rom(3);
  core::MemorySource source(rom.bytes);
  std::vector<HalBatchItem> items(2);
  auto r = hal_batch_decompress(source, rom.offsets, items);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  items.resize(3);
  HalBatchOptions options;
  options.threads = 0;
  r = hal_batch_decompress(source, rom.offsets, items, options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
  r = hal_batch_decompress(source, {}, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->attempted, 0u);
  // More threads than items: one per item.
  options.threads = 8;
  r = hal_batch_decompress(source, rom.offsets, items, options);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->threads, 3u);
  EXPECT_EQ(r->failed, 0u);
}

}  // namespace
}  // namespace frugal::assets
