#pragma once
// Internal: the bounded queue between two stages of the scan. push() waits
// while full (backpressure), pop() while empty; close() (the producers are
// done) lets pop() drain what is left, then return nothing; stop() (cancel)
// wakes everyone and makes both fail at once. Producers are counted: the
// last one to call producer_done() closes the queue. Thread-safe.

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
    not_full_.wait(lock, [&] { return stopped_ || items_.size() < capacity_; });
    if (stopped_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  /// The next item; nullopt once closed and drained, or stopped.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return stopped_ || producers_ == 0 || !items_.empty(); });
    if (stopped_ || items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    not_full_.notify_one();
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
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  const std::size_t capacity_;
  unsigned producers_;
  bool stopped_ = false;
};

}  // namespace frugal::library::detail
