#pragma once
// Internal (posix builds only, as the batches using it): items [0, total)
// handed out in turn to a few workers — the calling thread and threads
// started with pthread_create on small stacks — with in-order results (the
// item function writes item i's result at index i, and no index is given
// out twice), serialized progress and cancellation. What a worker needs
// of its own (scratch) the caller prepares per worker index beforehand.

#include <frugal/assets/batch_progress.hpp>

#include <cstddef>

namespace frugal::assets::detail {

/// Stack of each started worker thread: 256 KiB of address space, not the
/// default 8 MiB (it counts on a 32-bit device); the system's default when
/// refused. Item functions must fit in it.
inline constexpr std::size_t kWorkerStackBytes = std::size_t{256} << 10;

/// Workers started at most, whatever is asked: more only add stacks.
inline constexpr std::size_t kMaxWorkers = 64;

/// A non-owning reference to an item function `bool(worker, index)`. Not a
/// std::function: wrapping a lambda of several captures would allocate with
/// a throwing, untracked new, and this module builds without exceptions.
class ItemFn {
 public:
  template <class F>
  ItemFn(const F& f) noexcept  // NOLINT(google-explicit-constructor): a lambda converts as to std::function
      : object_(&f), call_([](const void* o, std::size_t w, std::size_t i) { return (*static_cast<const F*>(o))(w, i); }) {}
  bool operator()(std::size_t worker, std::size_t index) const { return call_(object_, worker, index); }

 private:
  const void* object_;
  bool (*call_)(const void*, std::size_t, std::size_t);
};

/// What a run did.
struct PoolRun {
  std::size_t done = 0;    ///< items attempted (< total after cancellation)
  std::size_t failed = 0;  ///< attempted items whose function returned false
  unsigned threads = 0;    ///< workers that ran (a thread that cannot be started is left out)
  bool cancelled = false;  ///< `progress` returned false
};

/// Runs `item(worker, index)` once for each index in [0, total) on up to
/// `workers` workers (worker 0 is the calling thread; at least 1, at most
/// kMaxWorkers); `item` (which must outlive the call)
/// returns whether the item succeeded and is called concurrently for
/// distinct indexes. `progress` (may be empty) is called after every item
/// under the run's lock. Returns once every worker has stopped.
PoolRun run_worker_pool(std::size_t total, std::size_t workers,
                        ItemFn item,
                        const BatchProgressFn& progress);

}  // namespace frugal::assets::detail
