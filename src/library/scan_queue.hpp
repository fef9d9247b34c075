#pragma once
// Internal: the bounded queue between two stages of the scan. push() waits
// while full (backpressure) until half has drained, pop() while empty (and
// up to a millisecond for a batch to gather); close() (the producers are
// done) lets pop() drain what is left, then return nothing; stop() (cancel)
// wakes everyone and makes both fail at once. Producers are counted: the
// last one to call producer_done() closes the queue. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace frugal::library::detail {

template <class T>
class BoundedQueue {
 public:
  BoundedQueue(std::size_t capacity, unsigned producers) : capacity_(capacity), producers_(producers) {}

  /// false when stopped (the item is dropped).
  bool push(T item) {
    std::unique_lock lock(mutex_);
    if (items_.size() >= capacity_) {
      // Full: wait until half of it has drained, so that a fast producer
      // wakes once per half a queue, not once per item (a thread's wake-up
      // costs more than an unchanged file).
      ++full_waiters_;
      not_full_.wait(lock, [&] { return stopped_ || items_.size() <= capacity_ / 2; });
      --full_waiters_;
    }
    if (stopped_) return false;
    items_.push_back(std::move(item));
    // A waiting consumer wakes for the first item, then for a batch.
    if (items_.size() == 1 || items_.size() == batch()) not_empty_.notify_one();
    return true;
  }

  /// The next item; nullopt once closed and drained, or stopped. Taking
  /// items in batches as push() does, an item waits at most kBatchWait for
  /// others.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    while (!stopped_ && producers_ != 0 && items_.size() < batch()) {
      if (items_.empty())
        not_empty_.wait(lock);
      else if (not_empty_.wait_for(lock, kBatchWait) == std::cv_status::timeout)
        break;
    }
    if (stopped_ || items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    if (full_waiters_ && items_.size() <= capacity_ / 2) not_full_.notify_all();
    return item;
  }

  /// One producer finished; the last one closes the queue.
  void producer_done() {
    std::lock_guard lock(mutex_);
    if (producers_ > 0 && --producers_ == 0) not_empty_.notify_all();
  }

  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    items_.clear();
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  static constexpr std::chrono::milliseconds kBatchWait{1};
  std::size_t batch() const noexcept { return capacity_ < 32 ? (capacity_ + 1) / 2 : 16; }

  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  const std::size_t capacity_;
  unsigned producers_;
  unsigned full_waiters_ = 0;  // producers waiting for room
  bool stopped_ = false;
};

}  // namespace frugal::library::detail
