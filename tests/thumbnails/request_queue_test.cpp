// The request queue: priority order on one worker, coalescing, cancel,
// reprioritize, shutdown, the caches in front of the producer, errors, stats.

#include <frugal/thumbnails/request_queue.hpp>

#include "support/temp_dir.hpp"
#include "thumbnails/key_of.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <string>
#include <vector>

namespace frugal::thumbnails {
namespace {

using core::Errc;

std::vector<std::byte> bytes_of(std::uint64_t n) { return std::vector<std::byte>(64 + n, std::byte(n & 0xFF)); }

// A gate a producer waits at until the test opens it.
class Gate {
 public:
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void wait_until_waited_on() {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return waiting_ > 0; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

// Completions recorded in order, with a wait for a count.
class Recorder {
 public:
  struct Done {
    RequestId id;
    bool ok;
    Errc code;
    std::size_t bytes;
    Blob blob;
  };
  Completion completion() {
    return [this](RequestId id, const core::Result<Blob>& r) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.push_back(r ? Done{id, true, Errc::io, (*r)->size(), *r} : Done{id, false, r.error().code, 0, nullptr});
      cv_.notify_all();
    };
  }
  std::vector<Done> wait_for(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [&] { return done_.size() >= n; });
    return done_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Done> done_;
};

std::unique_ptr<RequestQueue> make_queue(unsigned workers, MemoryCache* l1 = nullptr, DiskCache* l2 = nullptr) {
  auto q = RequestQueue::create(RequestQueueOptions{workers, l1, l2});
  EXPECT_TRUE(q);
  return std::move(*q);
}

Producer producing(std::uint64_t n, std::atomic<int>* runs = nullptr) {
  return [n, runs]() -> core::Result<std::vector<std::byte>> {
    if (runs) ++*runs;
    return bytes_of(n);
  };
}

TEST(RequestQueue, VisibleRequestsGoFirstThenFifo) {
  auto q = make_queue(1);
  Gate gate;
  Recorder rec;
  std::mutex order_mutex;
  std::vector<std::uint64_t> order;
  auto recording = [&](std::uint64_t n) -> Producer {
    return [&, n]() -> core::Result<std::vector<std::byte>> {
      {
        std::lock_guard<std::mutex> lock(order_mutex);
        order.push_back(n);
      }
      return bytes_of(n);
    };
  };
  // Request 0 holds the only worker while the others queue up.
  ASSERT_TRUE(q->submit(key_of(0), Priority::background, [&]() -> core::Result<std::vector<std::byte>> {
    gate.wait();
    return bytes_of(0);
  }, rec.completion()));
  gate.wait_until_waited_on();
  ASSERT_TRUE(q->submit(key_of(1), Priority::background, recording(1), rec.completion()));
  ASSERT_TRUE(q->submit(key_of(2), Priority::nearby, recording(2), rec.completion()));
  ASSERT_TRUE(q->submit(key_of(3), Priority::visible, recording(3), rec.completion()));
  ASSERT_TRUE(q->submit(key_of(4), Priority::background, recording(4), rec.completion()));
  ASSERT_TRUE(q->submit(key_of(5), Priority::visible, recording(5), rec.completion()));
  gate.open();
  rec.wait_for(6);
  EXPECT_EQ(order, (std::vector<std::uint64_t>{3, 5, 2, 1, 4}));
  EXPECT_EQ(q->outstanding(), 0u);
}

TEST(RequestQueue, ReprioritizeMovesAPendingRequest) {
  auto q = make_queue(1);
  Gate gate;
  Recorder rec;
  std::vector<std::uint64_t> order;  // written by the one worker only
  auto recording = [&](std::uint64_t n) -> Producer {
    return [&, n]() -> core::Result<std::vector<std::byte>> {
      order.push_back(n);
      return bytes_of(n);
    };
  };
  auto blocker = q->submit(key_of(0), Priority::visible, [&]() -> core::Result<std::vector<std::byte>> {
    gate.wait();
    return bytes_of(0);
  }, rec.completion());
  ASSERT_TRUE(blocker);
  gate.wait_until_waited_on();
  auto a = q->submit(key_of(1), Priority::visible, recording(1), rec.completion());
  auto b = q->submit(key_of(2), Priority::background, recording(2), rec.completion());
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(q->reprioritize(*b, Priority::visible));   // same level as a: FIFO keeps a first
  EXPECT_TRUE(q->reprioritize(*a, Priority::background));  // now b first
  EXPECT_FALSE(q->reprioritize(*blocker, Priority::background));  // running
  EXPECT_FALSE(q->reprioritize(9999, Priority::visible));
  gate.open();
  rec.wait_for(3);
  EXPECT_EQ(order, (std::vector<std::uint64_t>{2, 1}));
}

TEST(RequestQueue, DuplicateKeysCoalesceIntoOneProducerRun) {
  auto q = make_queue(2);
  Gate gate;
  Recorder rec;
  std::atomic<int> runs{0};
  ASSERT_TRUE(q->submit(key_of(7), Priority::nearby, [&]() -> core::Result<std::vector<std::byte>> {
    ++runs;
    gate.wait();
    return bytes_of(7);
  }, rec.completion()));
  gate.wait_until_waited_on();  // running: later requests join it
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q->submit(key_of(7), Priority::visible, producing(7, &runs), rec.completion()));
  gate.open();
  const auto done = rec.wait_for(4);
  EXPECT_EQ(runs.load(), 1);
  for (const auto& d : done) {
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(d.blob, done[0].blob);  // the very same blob
  }
  const RequestStats s = q->stats();
  EXPECT_EQ(s.submitted, 4u);
  EXPECT_EQ(s.coalesced, 3u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.produced, 1u);
}

TEST(RequestQueue, CancelCompletesWithCancelledAndDropsAnUnwantedJob) {
  auto q = make_queue(1);
  Gate gate;
  Recorder rec;
  std::atomic<int> runs{0};
  ASSERT_TRUE(q->submit(key_of(0), Priority::visible, [&]() -> core::Result<std::vector<std::byte>> {
    gate.wait();
    return bytes_of(0);
  }, rec.completion()));
  gate.wait_until_waited_on();
  auto lone = q->submit(key_of(1), Priority::visible, producing(1, &runs), rec.completion());
  auto shared1 = q->submit(key_of(2), Priority::visible, producing(2, &runs), rec.completion());
  auto shared2 = q->submit(key_of(2), Priority::visible, producing(2, &runs), rec.completion());
  ASSERT_TRUE(lone && shared1 && shared2);
  EXPECT_TRUE(q->cancel(*lone));
  EXPECT_FALSE(q->cancel(*lone));  // once
  EXPECT_TRUE(q->cancel(*shared1));  // key 2 still wanted by shared2
  auto done = rec.wait_for(2);
  EXPECT_EQ(done[0].id, *lone);
  EXPECT_FALSE(done[0].ok);
  EXPECT_EQ(done[0].code, Errc::cancelled);
  EXPECT_EQ(done[1].id, *shared1);
  EXPECT_EQ(done[1].code, Errc::cancelled);
  gate.open();
  done = rec.wait_for(4);
  EXPECT_EQ(runs.load(), 1);  // key 2 only
  EXPECT_TRUE(done[3].ok);
  EXPECT_EQ(done[3].id, *shared2);
  EXPECT_EQ(q->stats().cancelled, 2u);
  EXPECT_EQ(q->outstanding(), 0u);
}

TEST(RequestQueue, WorkersRunOnSmallStacksAndAreCapped) {
  auto q = make_queue(1);
  Recorder rec;
  std::size_t stack_bytes = 0;
  ASSERT_TRUE(q->submit(key_of(1), Priority::visible, [&]() -> core::Result<std::vector<std::byte>> {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
      (void)pthread_attr_getstacksize(&attr, &stack_bytes);
      pthread_attr_destroy(&attr);
    }
    return bytes_of(1);
  }, rec.completion()));
  rec.wait_for(1);
  // At least what was asked; sanitizers add their own room, yet far below
  // the default 8 MiB.
  EXPECT_GE(stack_bytes, RequestQueue::kWorkerStackBytes);
  EXPECT_LT(stack_bytes, std::size_t{2} << 20);
  auto too_many = RequestQueue::create(RequestQueueOptions{RequestQueue::kMaxWorkers + 1});
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, Errc::invalid_argument);
  EXPECT_TRUE(RequestQueue::create(RequestQueueOptions{RequestQueue::kMaxWorkers}));
}

TEST(RequestQueue, ShutdownCancelsPendingLetsRunningFinish) {
  auto q = make_queue(1);
  Gate gate;
  Recorder rec;
  auto running = q->submit(key_of(0), Priority::visible, [&]() -> core::Result<std::vector<std::byte>> {
    gate.wait();
    return bytes_of(0);
  }, rec.completion());
  ASSERT_TRUE(running);
  gate.wait_until_waited_on();
  // The pending requests' cancellations run on this thread inside shutdown(),
  // after it marked the queue stopping and took the pending jobs, and before
  // it joins: opening the gate from the first one lets the worker finish key 0
  // with nothing left to take (no timing involved).
  const Completion record = rec.completion();
  Completion open_then_record = [&gate, record](RequestId id, const core::Result<Blob>& r) {
    gate.open();
    record(id, r);
  };
  for (std::uint64_t i = 1; i <= 3; ++i) ASSERT_TRUE(q->submit(key_of(i), Priority::visible, producing(i), open_then_record));
  q->shutdown();
  const auto done = rec.wait_for(4);
  std::size_t cancelled = 0, served = 0;
  for (const auto& d : done) {
    if (d.ok) {
      EXPECT_EQ(d.id, *running);
      ++served;
    } else {
      EXPECT_EQ(d.code, Errc::cancelled);
      ++cancelled;
    }
  }
  EXPECT_EQ(served, 1u);
  EXPECT_EQ(cancelled, 3u);
  EXPECT_EQ(q->stats().cancelled, 3u);
  auto late = q->submit(key_of(9), Priority::visible, producing(9), rec.completion());
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::cancelled);
  q->shutdown();  // idempotent
}

TEST(RequestQueue, ProducerErrorsCompleteTheRequestAndAreNotCached) {
  mem::MemoryTracker tracker;
  auto l1 = MemoryCache::create(tracker, 1 << 20);
  ASSERT_TRUE(l1);
  auto q = make_queue(2, l1->get());
  Recorder rec;
  auto failing = []() -> core::Result<std::vector<std::byte>> {
    return core::make_error(Errc::malformed, "JPEG: bad marker");
  };
  ASSERT_TRUE(q->submit(key_of(1), Priority::visible, failing, rec.completion()));
  auto done = rec.wait_for(1);
  EXPECT_FALSE(done[0].ok);
  EXPECT_EQ(done[0].code, Errc::malformed);
  EXPECT_EQ((*l1)->size(), 0u);
  ASSERT_TRUE(q->submit(key_of(1), Priority::visible, producing(1), rec.completion()));  // retried, not remembered
  done = rec.wait_for(2);
  EXPECT_TRUE(done[1].ok);
  const RequestStats s = q->stats();
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.produced, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(q->submit(key_of(2), Priority::visible, nullptr, rec.completion()).error().code, Errc::invalid_argument);
  EXPECT_EQ(RequestQueue::create(RequestQueueOptions{0, nullptr, nullptr}).error().code, Errc::invalid_argument);
}

TEST(RequestQueue, CachesServeBeforeTheProducerAndAreFilledByIt) {
  mem::MemoryTracker tracker;
  test::TempDir dir;
  DiskCacheOptions o;
  o.tracker = &tracker;
  auto l2 = DiskCache::open(dir.file("l2"), o);
  auto l1 = MemoryCache::create(tracker, 1 << 20);
  ASSERT_TRUE(l1 && l2);
  auto q = make_queue(2, l1->get(), l2->get());
  Recorder rec;
  std::atomic<int> runs{0};
  ASSERT_TRUE(q->submit(key_of(5), Priority::visible, producing(5, &runs), rec.completion()));
  rec.wait_for(1);
  ASSERT_TRUE(q->submit(key_of(5), Priority::visible, producing(5, &runs), rec.completion()));  // L1
  rec.wait_for(2);
  (*l1)->clear();
  ASSERT_TRUE(q->submit(key_of(5), Priority::visible, producing(5, &runs), rec.completion()));  // L2, refills L1
  const auto done = rec.wait_for(3);
  EXPECT_EQ(runs.load(), 1);
  for (const auto& d : done) {
    ASSERT_TRUE(d.ok);
    EXPECT_EQ(*d.blob, bytes_of(5));
  }
  EXPECT_NE((*l1)->get(key_of(5)), nullptr);
  const RequestStats s = q->stats();
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.l1_hits, 1u);
  EXPECT_EQ(s.l2_hits, 1u);
  EXPECT_EQ((*l2)->stats().writes, 1u);
}

TEST(RequestQueue, ManyThreadsManyKeys) {
  mem::MemoryTracker tracker;
  auto l1 = MemoryCache::create(tracker, 32 * MemoryCache::entry_cost(200));
  ASSERT_TRUE(l1);
  auto q = make_queue(3, l1->get());
  Recorder rec;
  std::vector<std::thread> clients;
  std::atomic<int> cancelled_ok{0};
  for (int t = 0; t < 3; ++t)
    clients.emplace_back([&, t] {
      for (std::uint64_t i = 0; i < 200; ++i) {
        const std::uint64_t n = (i * 13 + static_cast<std::uint64_t>(t)) % 40;
        auto id = q->submit(key_of(n), static_cast<Priority>(i % 3), producing(n), rec.completion());
        if (!id) continue;
        if (i % 5 == 0) (void)q->reprioritize(*id, Priority::visible);
        if (i % 7 == 0 && q->cancel(*id)) ++cancelled_ok;
      }
    });
  for (auto& c : clients) c.join();
  const auto done = rec.wait_for(600);
  for (const auto& d : done) {
    if (!d.ok) continue;
    EXPECT_EQ(d.bytes, 64 + static_cast<std::size_t>((*d.blob)[0]));  // bytes_of(n): 64 + n bytes of n
  }
  EXPECT_EQ(q->stats().cancelled, static_cast<std::uint64_t>(cancelled_ok.load()));
  q->shutdown();
  EXPECT_EQ(q->outstanding(), 0u);
}

}  // namespace
}  // namespace frugal::thumbnails
