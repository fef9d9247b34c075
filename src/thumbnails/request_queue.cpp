#include <frugal/thumbnails/request_queue.hpp>

#include <condition_variable>
#include <mutex>
#include <new>
#include <pthread.h>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace frugal::thumbnails {

using core::Errc;
using core::make_error;

namespace {

core::Error cancelled_error() { return make_error(Errc::cancelled, "thumbnail request cancelled"); }

}  // namespace

struct RequestQueue::Impl {
  struct Waiter {
    RequestId id;
    Priority priority;
    Completion done;
  };
  struct Job {
    explicit Job(const CacheKey& key_in) : key(key_in) {}
    CacheKey key;
    Producer produce;  // the first request's
    std::vector<Waiter> waiters;
    Priority priority = Priority::background;
    std::uint64_t seq = 0;  // submission order of the first request
    bool running = false;
  };
  // Highest priority first, then oldest.
  using ReadyKey = std::tuple<int, std::uint64_t, Job*>;
  static ReadyKey ready_key(Job& job) { return {-static_cast<int>(job.priority), job.seq, &job}; }

  explicit Impl(const RequestQueueOptions& options_in) : options(options_in) {}

  // Recomputes a job's priority from its waiters; re-sorts it if pending.
  // Called with the lock held (the erase/insert pair cannot fail: the node
  // is reused through extract).
  void update_priority(Job& job) {
    Priority top = Priority::background;
    for (const Waiter& w : job.waiters)
      if (w.priority > top) top = w.priority;
    if (top == job.priority) return;
    if (job.running) {
      job.priority = top;
      return;
    }
    auto node = ready.extract(ready_key(job));
    job.priority = top;
    node.value() = ready_key(job);
    ready.insert(std::move(node));
  }

  // Looks in the caches, else runs the producer and fills them.
  core::Result<Blob> serve(Job& job) {
    if (options.l1) {
      if (Blob blob = options.l1->get(job.key)) {
        count(&RequestStats::l1_hits);
        return blob;
      }
    }
    if (options.l2) {
      auto stored = options.l2->get(job.key);
      if (stored && *stored) {
        count(&RequestStats::l2_hits);
        if (options.l1) (void)options.l1->put(job.key, *stored);  // L1 full or refused: served anyway
        return std::move(*stored);
      }
    }
    count(&RequestStats::misses);
    core::Result<std::vector<std::byte>> made = job.produce();
    if (!made) {
      count(&RequestStats::failed);
      return made.error();
    }
    auto blob = make_blob(std::move(*made));
    if (!blob) {
      count(&RequestStats::failed);
      return blob.error();
    }
    count(&RequestStats::produced);
    if (options.l2) (void)options.l2->put(job.key, **blob);  // a failed write costs a later miss only
    if (options.l1) (void)options.l1->put(job.key, *blob);
    return blob;
  }

  void count(std::uint64_t RequestStats::*field) {
    std::lock_guard<std::mutex> lock(mutex);
    ++(stats.*field);
  }

  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stopping || !ready.empty(); });
      if (stopping) return;
      Job& job = *std::get<2>(*ready.begin());
      ready.erase(ready.begin());
      job.running = true;
      lock.unlock();
      const core::Result<Blob> result = serve(job);
      lock.lock();
      std::vector<Waiter> waiters = std::move(job.waiters);
      for (const Waiter& w : waiters) requests.erase(w.id);
      auto owned = jobs.extract(job.key);  // destroyed outside the lock
      lock.unlock();
      for (Waiter& w : waiters) w.done(w.id, result);
      waiters.clear();
      owned = {};
      lock.lock();
    }
  }

  const RequestQueueOptions options;
  mutable std::mutex mutex;
  std::condition_variable wake;
  // Guarded by mutex.
  std::unordered_map<CacheKey, std::unique_ptr<Job>, CacheKeyHash> jobs;  // pending and running
  std::set<ReadyKey> ready;                                               // pending
  std::unordered_map<RequestId, Job*> requests;
  RequestStats stats;
  RequestId next_id = 1;
  std::uint64_t next_seq = 0;
  bool stopping = false;
  std::vector<pthread_t> threads;  // started ones; written by create() and shutdown() only

  static void* run_worker(void* impl) {
    static_cast<Impl*>(impl)->work();
    return nullptr;
  }
};

core::Result<std::unique_ptr<RequestQueue>> RequestQueue::create(const RequestQueueOptions& options) {
  if (options.workers == 0) return make_error(Errc::invalid_argument, "thumbnail queue: no worker threads");
  if (options.workers > kMaxWorkers) return make_error(Errc::invalid_argument, "thumbnail queue: more than kMaxWorkers threads");
  std::unique_ptr<RequestQueue> queue;
  try {
    queue.reset(new RequestQueue(std::make_unique<Impl>(options)));
    queue->impl_->threads.reserve(options.workers);
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "thumbnail queue: no memory for the queue");
  }
  Impl& m = *queue->impl_;
  pthread_attr_t attr;
  const bool have_attr = pthread_attr_init(&attr) == 0;
  if (have_attr) (void)pthread_attr_setstacksize(&attr, kWorkerStackBytes);
  int failed = 0;
  for (unsigned i = 0; i < options.workers && failed == 0; ++i) {
    pthread_t handle{};
    failed = pthread_create(&handle, have_attr ? &attr : nullptr, &Impl::run_worker, &m);
    if (failed == 0) m.threads.push_back(handle);  // reserved: cannot throw
  }
  if (have_attr) pthread_attr_destroy(&attr);
  if (failed != 0) {
    core::Error error = make_error(Errc::io, "thumbnail queue: cannot start a worker thread");
    error.os_error = failed;
    return error;  // the destructor joins those started
  }
  return queue;
}

RequestQueue::RequestQueue(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
RequestQueue::~RequestQueue() { shutdown(); }

core::Result<RequestId> RequestQueue::submit(const CacheKey& key, Priority priority, Producer produce,
                                             Completion done) {
  if (!produce || !done) return make_error(Errc::invalid_argument, "thumbnail queue: empty callback");
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  if (m.stopping) return make_error(Errc::cancelled, "thumbnail queue: shut down");
  try {
    const RequestId id = m.next_id;
    auto [it, added] = m.jobs.try_emplace(key);
    Impl::Job* job = nullptr;
    if (added) {
      try {
        it->second = std::make_unique<Impl::Job>(key);
        job = it->second.get();
        job->produce = std::move(produce);
        job->priority = priority;
        job->seq = m.next_seq++;
        job->waiters.push_back(Impl::Waiter{id, priority, std::move(done)});
        m.requests.emplace(id, job);
        m.ready.insert(Impl::ready_key(*job));
      } catch (...) {
        m.requests.erase(id);
        m.jobs.erase(it);
        throw;
      }
    } else {
      job = it->second.get();
      job->waiters.push_back(Impl::Waiter{id, priority, std::move(done)});
      try {
        m.requests.emplace(id, job);
      } catch (...) {
        job->waiters.pop_back();
        throw;
      }
      m.update_priority(*job);
      ++m.stats.coalesced;
    }
    ++m.next_id;
    ++m.stats.submitted;
    m.wake.notify_one();
    return id;
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "thumbnail queue: no memory for a request");
  }
}

bool RequestQueue::reprioritize(RequestId id, Priority priority) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  const auto found = m.requests.find(id);
  if (found == m.requests.end() || found->second->running) return false;
  Impl::Job& job = *found->second;
  for (Impl::Waiter& w : job.waiters)
    if (w.id == id) w.priority = priority;
  m.update_priority(job);
  return true;
}

bool RequestQueue::cancel(RequestId id) {
  Impl& m = *impl_;
  Completion done;
  std::unique_ptr<Impl::Job> dropped;  // destroyed outside the lock
  {
    std::lock_guard<std::mutex> lock(m.mutex);
    const auto found = m.requests.find(id);
    if (found == m.requests.end()) return false;
    Impl::Job& job = *found->second;
    m.requests.erase(found);
    for (auto w = job.waiters.begin(); w != job.waiters.end(); ++w) {
      if (w->id != id) continue;
      done = std::move(w->done);
      job.waiters.erase(w);
      break;
    }
    if (job.waiters.empty() && !job.running) {
      m.ready.erase(Impl::ready_key(job));
      dropped = std::move(m.jobs.extract(job.key).mapped());
    } else if (!job.waiters.empty()) {
      m.update_priority(job);
    }
    ++m.stats.cancelled;
  }
  done(id, cancelled_error());
  return true;
}

void RequestQueue::shutdown() {
  Impl& m = *impl_;
  // Allocates nothing (it runs in the destructor): the pending jobs move to
  // a local set, stay owned by `jobs` while their completions run (their
  // request ids are gone, so a concurrent cancel() cannot reach them).
  std::set<Impl::ReadyKey> pending;
  {
    std::lock_guard<std::mutex> lock(m.mutex);
    if (m.stopping && m.threads.empty()) return;
    m.stopping = true;
    pending.swap(m.ready);
    for (const Impl::ReadyKey& r : pending)
      for (const Impl::Waiter& w : std::get<2>(r)->waiters) {
        m.requests.erase(w.id);
        ++m.stats.cancelled;
      }
  }
  m.wake.notify_all();
  for (const Impl::ReadyKey& r : pending)
    for (Impl::Waiter& w : std::get<2>(r)->waiters) w.done(w.id, cancelled_error());
  {
    std::lock_guard<std::mutex> lock(m.mutex);
    for (const Impl::ReadyKey& r : pending) {
      const CacheKey key = std::get<2>(r)->key;  // not a reference into the erased job
      m.jobs.erase(key);
    }
  }
  for (const pthread_t t : m.threads) pthread_join(t, nullptr);
  m.threads.clear();
}

RequestStats RequestQueue::stats() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stats;
}

std::size_t RequestQueue::outstanding() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->requests.size();
}

}  // namespace frugal::thumbnails
