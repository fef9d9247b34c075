// Batch HAL extraction on worker threads (posix builds only: see
// include/frugal/assets/hal_batch.hpp). Threads are started with
// pthread_create, whose failure is an error code: the module builds without
// exceptions, so std::thread's std::system_error would terminate.
#include <frugal/assets/hal_batch.hpp>

#include <pthread.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

namespace frugal::assets {

using core::Errc;
using core::make_error;

namespace {

constexpr std::size_t kWorkerStackBytes = std::size_t{256} << 10;

struct Batch {
  Batch(core::ByteSource& source_in, std::span<const std::uint64_t> offsets_in, std::span<HalBatchItem> results_in,
        const HalBatchOptions& options_in) noexcept
      : source(source_in), offsets(offsets_in), results(results_in), options(options_in) {}

  core::ByteSource& source;
  std::span<const std::uint64_t> offsets;
  std::span<HalBatchItem> results;
  const HalBatchOptions& options;

  std::atomic<std::size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::mutex mutex;  // guards the counters below and serializes options.progress
  std::size_t done = 0;
  std::size_t failed = 0;
  std::uint64_t bytes = 0;

  // Takes items until none is left or the batch is cancelled.
  void work(std::span<std::byte> scratch) {
    const std::size_t total = offsets.size();
    while (!cancelled.load(std::memory_order_relaxed)) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= total) return;
      core::Result<HalBlock> r = hal_decompress(source, offsets[i], scratch);
      if (r && options.consumer) {
        core::Result<void> consumed = options.consumer(i, offsets[i], scratch.first(r->decompressed));
        if (!consumed) r = consumed.error();
      }
      const bool ok = static_cast<bool>(r);
      const std::uint64_t n = ok ? r->decompressed : 0;
      results[i].result = std::move(r);  // each index is written by one worker only

      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      if (!ok) ++failed;
      bytes += n;
      if (options.progress && !cancelled.load(std::memory_order_relaxed) &&
          !options.progress(HalBatchProgress{done, total, failed}))
        cancelled.store(true, std::memory_order_relaxed);
    }
  }
};

struct Worker {
  Batch* batch = nullptr;
  mem::Charge charge;                     // the scratch, charged first
  std::unique_ptr<std::byte[]> scratch;   // kHalMaxOutput bytes
  pthread_t thread{};
  bool started = false;

  static void* run(void* self) {
    auto* w = static_cast<Worker*>(self);
    w->batch->work(std::span<std::byte>(w->scratch.get(), kHalMaxOutput));
    return nullptr;
  }
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
  const std::size_t wanted =
      offsets.size() < std::size_t{options.threads} ? offsets.size() : std::size_t{options.threads};

  // Workers the budget and the heap allow, each charged before its scratch
  // is allocated.
  std::unique_ptr<Worker[]> workers(new (std::nothrow) Worker[wanted]);
  if (!workers) return make_error(Errc::out_of_memory, "HAL batch: no memory for the workers");
  std::size_t count = 0;
  for (; count < wanted; ++count) {
    auto charge = mem::Charge::try_make(account, kHalMaxOutput);
    if (!charge) break;
    workers[count].scratch.reset(new (std::nothrow) std::byte[kHalMaxOutput]);
    if (!workers[count].scratch) break;  // its charge goes with `charge`
    workers[count].charge = std::move(*charge);
  }
  if (count == 0) return make_error(Errc::out_of_memory, "HAL batch: no room for one 64 KiB scratch buffer");

  for (std::size_t i = 0; i < offsets.size(); ++i) results[i] = HalBatchItem{offsets[i]};
  Batch batch(source, offsets, results, options);
  // Worker 0 is the calling thread; the others get threads of their own.
  // Small stacks (kWorkerStackBytes, not the default 8 MiB of address space
  // each: it counts on a 32-bit device); the system's default when refused.
  pthread_attr_t attr;
  const bool have_attr = pthread_attr_init(&attr) == 0;
  if (have_attr) (void)pthread_attr_setstacksize(&attr, kWorkerStackBytes);
  unsigned running = 1;
  for (std::size_t i = 1; i < count; ++i) {
    workers[i].batch = &batch;
    if (pthread_create(&workers[i].thread, have_attr ? &attr : nullptr, &Worker::run, &workers[i]) != 0) break;
    workers[i].started = true;
    ++running;
  }
  if (have_attr) pthread_attr_destroy(&attr);
  batch.work(std::span<std::byte>(workers[0].scratch.get(), kHalMaxOutput));
  for (std::size_t i = 1; i < count; ++i)
    if (workers[i].started) pthread_join(workers[i].thread, nullptr);

  summary.attempted = batch.done;
  summary.failed = batch.failed;
  summary.bytes = batch.bytes;
  summary.threads = running;
  summary.cancelled = batch.cancelled.load();
  return summary;
}

}  // namespace frugal::assets
