#pragma once
// Batch HAL extraction: many HAL streams of one ROM decompressed on a small
// pool of worker threads, each block's bytes handed to a consumer the
// caller provides (files, memory), with per-item results, serialized
// progress reports and cancellation.
//
// Hosted only: the implementation (src/assets/hal_batch.cpp) is compiled
// into frugal_assets on the posix platform alone (POSIX threads), as mem's
// DispatchThread is; a bare-metal build has this header but no
// hal_batch_decompress — loop over hal_decompress there.
//
// Memory: each worker owns one kHalMaxOutput (64 KiB) scratch buffer,
// charged to the tracker account kHalBatchAccount before it is allocated and
// released when the batch returns; nothing else is allocated per item (the
// caller owns the results). Peak: threads × 64 KiB plus the started
// threads' stacks (256 KiB of address space each, mapped, not tracked;
// little of it is touched).

#include <frugal/assets/batch_progress.hpp>
#include <frugal/assets/hal.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace frugal::assets {

/// The tracker account the workers' scratch buffers are charged to.
inline constexpr const char* kHalBatchAccount = "assets/hal_batch";

/// Where a batch stands and its progress callback (batch_progress.hpp): the
/// callback runs after every finished item, serialized, and returning false
/// cancels the batch (the workers finish the blocks they are decoding).
using HalBatchProgress = BatchProgress;
using HalBatchProgressFn = BatchProgressFn;

/// Receives one decoded block: its index in the batch, its offset and its
/// `block.decompressed` bytes (valid only during the call: the worker's
/// scratch). Called from the worker threads, concurrently for different
/// items (never twice for one item): it must be thread-safe. Workers other
/// than the calling thread run on 256 KiB stacks: the consumer must fit in
/// that. An error it returns becomes that item's result; the batch goes on.
using HalBatchConsumer =
    std::function<core::Result<void>(std::size_t index, std::uint64_t offset, std::span<const std::byte> bytes)>;

struct HalBatchOptions {
  /// Worker threads, at least 1; 1 decodes on the calling thread (no thread
  /// is started). Capped at the item count and at 64. Each costs 64 KiB of
  /// scratch.
  unsigned threads = 2;
  /// Tracker charged for the scratch (kHalBatchAccount); nullptr:
  /// mem::default_tracker(). Over its budget: fewer workers (as many as
  /// the budget allows, at least one), Errc::out_of_memory when not even one
  /// buffer fits.
  mem::MemoryTracker* tracker = nullptr;
  /// Optional (empty: no reports, no cancellation).
  HalBatchProgressFn progress;
  /// Optional (empty: blocks are decoded and checked, their bytes dropped).
  HalBatchConsumer consumer;
};

/// One item's outcome. Before the batch runs it, `result` holds the
/// "not attempted" error below.
struct HalBatchItem {
  std::uint64_t offset = 0;
  /// The block's sizes, or why it failed: hal_decompress's errors (the
  /// offending offset in Error::offset), the consumer's, or
  /// Errc::end_of_stream "HAL batch: not attempted (cancelled)".
  core::Result<HalBlock> result = core::make_error(core::Errc::end_of_stream, "HAL batch: not attempted (cancelled)");
};

/// What a batch did.
struct HalBatchSummary {
  std::size_t attempted = 0;  ///< items decoded (successfully or not); < total after cancellation
  std::size_t failed = 0;     ///< attempted items that failed
  std::uint64_t bytes = 0;    ///< decompressed bytes of the successful items
  unsigned threads = 0;       ///< workers that ran (fewer than asked under a tight budget)
  bool cancelled = false;     ///< the progress callback returned false
};

/// Decompresses the HAL stream at each of `offsets` (bytes in `source`)
/// into `results` (same size, same order: results[i] is offsets[i]'s), on
/// options.threads workers that take the next item in turn, and hands each
/// decoded block to options.consumer. One item's failure never stops the
/// others. Returns once every worker has stopped.
/// `source` must allow concurrent read_at calls when threads > 1
/// (FileSource, MemorySource, SubSource over those do; MappedFileSource,
/// BufferedSource and CountingSource do not: wrap those per thread, or use
/// threads = 1).
/// Errors (the batch did not run; `results` untouched):
/// Errc::invalid_argument (results.size() != offsets.size(), threads = 0);
/// the tracker's for the account (Errc::invalid_argument,
/// Errc::limit_exceeded); Errc::out_of_memory (not one scratch buffer fits
/// the budget or the heap). A thread that cannot be started is treated as a
/// worker the budget refused (the others do its share).
/// Thread-safety: the call itself is reentrant (batches on distinct results).
core::Result<HalBatchSummary> hal_batch_decompress(core::ByteSource& source, std::span<const std::uint64_t> offsets,
                                                   std::span<HalBatchItem> results,
                                                   const HalBatchOptions& options = {});

}  // namespace frugal::assets
