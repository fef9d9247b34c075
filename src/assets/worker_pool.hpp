#pragma once
// Internal (posix builds only, as the batches using it): items [0, total)
// handed out in turn to a few workers — the calling thread and threads
// started with pthread_create on small stacks — with in-order results (the
// item function writes item i's result at index i, and no index is given
// out twice), serialized progress and cancellation. What a worker needs
// of its own (scratch) the caller prepares per worker index beforehand.

#include <frugal/assets/batch_progress.hpp>

#include <cstddef>
#include <functional>

namespace frugal::assets::detail {

/// Stack of each started worker thread: 256 KiB of address space, not the
/// default 8 MiB (it counts on a 32-bit device); the system's default when
/// refused. Item functions must fit in it.
inline constexpr std::size_t kWorkerStackBytes = std::size_t{256} << 10;

/// What a run did.
struct PoolRun {
  std::size_t done = 0;    ///< items attempted (< total after cancellation)
  std::size_t failed = 0;  ///< attempted items whose function returned false
  unsigned threads = 0;    ///< workers that ran (a thread that cannot be started is left out)
  bool cancelled = false;  ///< `progress` returned false
};

/// Runs `item(worker, index)` once for each index in [0, total) on up to
/// `workers` workers (worker 0 is the calling thread; at least 1); `item`
/// returns whether the item succeeded and is called concurrently for
/// distinct indexes. `progress` (may be empty) is called after every item
/// under the run's lock. Returns once every worker has stopped.
PoolRun run_worker_pool(std::size_t total, std::size_t workers,
                        const std::function<bool(std::size_t worker, std::size_t index)>& item,
                        const BatchProgressFn& progress);

}  // namespace frugal::assets::detail
