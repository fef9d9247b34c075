// Worker pool for the batches (see worker_pool.hpp). Threads are started
// with pthread_create, whose failure is an error code: the module builds
// without exceptions, so std::thread's std::system_error would terminate.
#include "assets/worker_pool.hpp"

#include <pthread.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <new>

namespace frugal::assets::detail {

namespace {

struct Pool {
  Pool(std::size_t total_in, ItemFn item_in, const BatchProgressFn& progress_in) noexcept
      : total(total_in), item(item_in), progress(progress_in) {}

  const std::size_t total;
  const ItemFn item;
  const BatchProgressFn& progress;

  std::atomic<std::size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::mutex mutex;  // guards the counters below and serializes `progress`
  std::size_t done = 0;
  std::size_t failed = 0;

  // Takes items until none is left or the run is cancelled.
  void work(std::size_t worker) {
    while (!cancelled.load(std::memory_order_relaxed)) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= total) return;
      const bool ok = item(worker, i);
      std::lock_guard<std::mutex> lock(mutex);
      ++done;
      if (!ok) ++failed;
      if (progress && !cancelled.load(std::memory_order_relaxed) && !progress(BatchProgress{done, total, failed}))
        cancelled.store(true, std::memory_order_relaxed);
    }
  }
};

struct Thread {
  Pool* pool = nullptr;
  std::size_t worker = 0;
  pthread_t handle{};
  bool started = false;

  static void* run(void* self) {
    auto* t = static_cast<Thread*>(self);
    t->pool->work(t->worker);
    return nullptr;
  }
};

}  // namespace

PoolRun run_worker_pool(std::size_t total, std::size_t workers, ItemFn item, const BatchProgressFn& progress) {
  Pool pool(total, item, progress);
  if (workers > total) workers = total;
  if (workers > kMaxWorkers) workers = kMaxWorkers;
  // Worker 0 is the calling thread; the others get threads of their own
  // (none when their bookkeeping cannot be allocated: the caller works alone).
  std::unique_ptr<Thread[]> threads(workers > 1 ? new (std::nothrow) Thread[workers] : nullptr);
  unsigned running = 1;
  if (threads) {
    pthread_attr_t attr;
    const bool have_attr = pthread_attr_init(&attr) == 0;
    if (have_attr) (void)pthread_attr_setstacksize(&attr, kWorkerStackBytes);
    for (std::size_t i = 1; i < workers; ++i) {
      threads[i].pool = &pool;
      threads[i].worker = i;
      if (pthread_create(&threads[i].handle, have_attr ? &attr : nullptr, &Thread::run, &threads[i]) != 0) break;
      threads[i].started = true;
      ++running;
    }
    if (have_attr) pthread_attr_destroy(&attr);
  }
  pool.work(0);
  if (threads)
    for (std::size_t i = 1; i < workers; ++i)
      if (threads[i].started) pthread_join(threads[i].handle, nullptr);
  return PoolRun{pool.done, pool.failed, running, pool.cancelled.load()};
}

}  // namespace frugal::assets::detail
