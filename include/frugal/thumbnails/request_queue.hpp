#pragma once
// Thumbnail requests served by a small pool of worker threads: each request
// names a CacheKey, a priority, a producer (makes the blob when neither
// cache has it: decode + downscale + encode, on a worker) and a completion
// callback. A worker looks in L1 (MemoryCache), then L2 (DiskCache), then
// runs the producer and stores its result in L2 and L1. Requests for a key
// already pending or running join that job (coalescing): the producer runs
// once and every request completes with the same blob.

#include <frugal/core/result.hpp>
#include <frugal/thumbnails/blob.hpp>
#include <frugal/thumbnails/cache_key.hpp>
#include <frugal/thumbnails/disk_cache.hpp>
#include <frugal/thumbnails/memory_cache.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace frugal::thumbnails {

/// Which requests a worker takes first: visible ones (on screen now), then
/// nearby ones (about to scroll in), then background ones; ties in order of
/// submission (FIFO).
enum class Priority : std::uint8_t { background = 0, nearby = 1, visible = 2 };

/// Names a request for reprioritize() and cancel(); never 0.
using RequestId = std::uint64_t;

/// Makes a thumbnail's bytes on a miss. Runs on a worker thread, without any
/// lock of the queue held; must not throw. Its error completes the request.
using Producer = std::function<core::Result<std::vector<std::byte>>()>;

/// Called exactly once per request, with the blob or an error: on a worker
/// thread when the request is served; Errc::cancelled on the thread calling
/// cancel() or shutdown() (before it returns) when withdrawn. Must not throw;
/// may call submit(), reprioritize() and cancel() (not shutdown()).
using Completion = std::function<void(RequestId, const core::Result<Blob>&)>;

struct RequestQueueOptions {
  /// Worker threads (1 to RequestQueue::kMaxWorkers).
  unsigned workers = 2;
  /// The caches to look in and fill; either may be null (not used). They
  /// must outlive the queue.
  MemoryCache* l1 = nullptr;
  DiskCache* l2 = nullptr;
};

/// Counters of a RequestQueue. l1_hits + l2_hits + misses counts jobs served
/// (a job serves every request coalesced into it).
struct RequestStats {
  std::uint64_t submitted = 0;  ///< submit() calls accepted
  std::uint64_t coalesced = 0;  ///< of those, joined a job already pending or running
  std::uint64_t l1_hits = 0;    ///< jobs served from the memory cache
  std::uint64_t l2_hits = 0;    ///< jobs served from the disk cache
  std::uint64_t misses = 0;     ///< jobs that ran the producer
  std::uint64_t produced = 0;   ///< producer runs that succeeded
  std::uint64_t failed = 0;     ///< producer runs that failed (or whose blob could not be made)
  std::uint64_t cancelled = 0;  ///< requests completed with Errc::cancelled
};

class RequestQueue {
 public:
  /// Most worker threads a queue starts (each takes kWorkerStackBytes of
  /// address space; thumbnailing is bound by a few cores anyway).
  static constexpr unsigned kMaxWorkers = 8;
  /// Stack of each worker thread (pthread_create, as assets' worker pool):
  /// 512 KiB of address space, not the default 8 MiB, which counts on a
  /// 32-bit device. Producers run on it: a decoder must keep its large state
  /// on the heap (libjpeg's does; its frames are a few KiB — not measured
  /// here, hence twice the 256 KiB of assets' pool). The system's default
  /// when the attribute is refused.
  static constexpr std::size_t kWorkerStackBytes = std::size_t{512} << 10;

  /// Starts `options.workers` threads. Errors: Errc::invalid_argument for no
  /// workers or more than kMaxWorkers; Errc::out_of_memory; Errc::io (os_error) when a thread cannot
  /// be started.
  static core::Result<std::unique_ptr<RequestQueue>> create(const RequestQueueOptions& options);

  /// shutdown().
  ~RequestQueue();
  RequestQueue(const RequestQueue&) = delete;
  RequestQueue& operator=(const RequestQueue&) = delete;

  /// Queues a request (or joins the job of the same key, raising its
  /// priority to `priority` if higher). `produce` and `done` must be set.
  /// Errors (`done` is then not called): Errc::invalid_argument for an empty
  /// callback; Errc::cancelled after shutdown(); Errc::out_of_memory.
  core::Result<RequestId> submit(const CacheKey& key, Priority priority, Producer produce, Completion done);

  /// Changes a pending request's priority (its job takes the highest of its
  /// requests'). Returns false when `id` is unknown or already running or done.
  bool reprioritize(RequestId id, Priority priority);

  /// Withdraws a request not yet completed: its completion is called with
  /// Errc::cancelled before cancel() returns. A job left without requests is
  /// dropped if not running yet; a running one finishes (and fills the
  /// caches). Returns false when `id` is unknown or already completed.
  bool cancel(RequestId id);

  /// Stops taking requests, completes every pending one with Errc::cancelled
  /// (on this thread), lets running jobs finish, and joins the workers.
  /// Idempotent. Not from a completion or producer.
  void shutdown();

  RequestStats stats() const;
  /// Requests not completed yet (pending or running).
  std::size_t outstanding() const;

  // Thread-safety: every member except shutdown() and the destructor may be
  // called from any thread, completions and producers included.

 private:
  struct Impl;
  explicit RequestQueue(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::thumbnails
