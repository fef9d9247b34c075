#pragma once
// A bounded single-producer/single-consumer byte ring between the decode
// thread and the thread feeding the sink. Internal to the player.

#include <frugal/mem/memory_tracker.hpp>

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <vector>

namespace frugal::player::detail {

class RingBuffer {
 public:
  /// `capacity` bytes, charged to `account` (untracked by default).
  RingBuffer(std::size_t capacity, mem::Account account = {})
      : charge_(account, capacity), buf_(capacity), limit_(capacity) {}

  /// Changes the capacity to `bytes`. Writers stop at the new size at once;
  /// the memory shrinks as soon as the reader has drained below it (nothing
  /// buffered is lost). Safe while both sides run.
  void set_capacity(std::size_t bytes);
  /// Bytes allocated now.
  std::size_t capacity();

  /// Copies all of `data` in, waiting for room. False when cancelled.
  bool write(std::span<const std::byte> data);
  /// Waits until at least `align` bytes are buffered (or the writer has
  /// finished), then copies a multiple of `align` bytes, at most dst.size().
  /// Returns 0 once finished and drained, or cancelled.
  std::size_t read(std::span<std::byte> dst, std::size_t align);
  /// The writer is done: readers drain what is left.
  void finish();
  /// Stops both sides now.
  void cancel();

 private:
  void reallocate(std::size_t bytes);  // mutex_ held; bytes >= size_

  std::mutex mutex_;
  std::condition_variable changed_;
  mem::Charge charge_;  // buf_.size()
  std::vector<std::byte> buf_;
  std::size_t limit_;     // writers fill up to here (<= buf_.size() except while growing)
  std::size_t head_ = 0;  // next byte to read
  std::size_t size_ = 0;  // bytes buffered
  bool finished_ = false;
  bool cancelled_ = false;
};

}  // namespace frugal::player::detail
