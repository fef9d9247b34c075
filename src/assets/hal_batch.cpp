// Batch HAL extraction on worker threads (posix builds only: see
// include/frugal/assets/hal_batch.hpp); the threads are worker_pool's.
#include <frugal/assets/hal_batch.hpp>

#include "assets/worker_pool.hpp"

#include <algorithm>
#include <memory>
#include <new>

namespace frugal::assets {

using core::Errc;
using core::make_error;

namespace {

struct Scratch {
  mem::Charge charge;                    // the buffer, charged first
  std::unique_ptr<std::byte[]> buffer;   // kHalMaxOutput bytes
};

}  // namespace

core::Result<HalBatchSummary> hal_batch_decompress(core::ByteSource& source, std::span<const std::uint64_t> offsets,
                                                   std::span<HalBatchItem> results, const HalBatchOptions& options) {
  if (results.size() != offsets.size())
    return make_error(Errc::invalid_argument, "HAL batch: results and offsets differ in size");
  if (options.threads == 0) return make_error(Errc::invalid_argument, "HAL batch: no worker threads asked for");
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account(kHalBatchAccount));

  HalBatchSummary summary;
  if (offsets.empty()) return summary;
  const std::size_t wanted = std::min({offsets.size(), std::size_t{options.threads}, detail::kMaxWorkers});

  // Scratch for as many workers as the budget and the heap allow, each
  // charged before it is allocated.
  std::unique_ptr<Scratch[]> scratch(new (std::nothrow) Scratch[wanted]);
  if (!scratch) return make_error(Errc::out_of_memory, "HAL batch: no memory for the workers");
  std::size_t count = 0;
  for (; count < wanted; ++count) {
    auto charge = mem::Charge::try_make(account, kHalMaxOutput);
    if (!charge) break;
    scratch[count].buffer.reset(new (std::nothrow) std::byte[kHalMaxOutput]);
    if (!scratch[count].buffer) break;  // its charge goes with `charge`
    scratch[count].charge = std::move(*charge);
  }
  if (count == 0) return make_error(Errc::out_of_memory, "HAL batch: no room for one 64 KiB scratch buffer");

  for (std::size_t i = 0; i < offsets.size(); ++i) results[i] = HalBatchItem{offsets[i]};
  const auto decode = [&](std::size_t worker, std::size_t i) {
    const std::span<std::byte> buffer(scratch[worker].buffer.get(), kHalMaxOutput);
    core::Result<HalBlock> r = hal_decompress(source, offsets[i], buffer);
    if (r && options.consumer) {
      core::Result<void> consumed = options.consumer(i, offsets[i], buffer.first(r->decompressed));
      if (!consumed) r = consumed.error();
    }
    const bool ok = static_cast<bool>(r);
    results[i].result = std::move(r);  // each index is written by one worker only
    return ok;
  };
  const detail::PoolRun run = detail::run_worker_pool(offsets.size(), count, decode, options.progress);

  summary.attempted = run.done;
  summary.failed = run.failed;
  for (const HalBatchItem& item : results)
    if (item.result) summary.bytes += item.result->decompressed;
  summary.threads = run.threads;
  summary.cancelled = run.cancelled;
  return summary;
}

}  // namespace frugal::assets
