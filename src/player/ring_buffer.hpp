#pragma once
// A bounded single-producer/single-consumer byte ring between the decode
// thread and the thread feeding the sink. Internal to the player.

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <vector>

namespace frugal::player::detail {

class RingBuffer {
 public:
  explicit RingBuffer(std::size_t capacity) : buf_(capacity) {}

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
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::byte> buf_;
  std::size_t head_ = 0;  // next byte to read
  std::size_t size_ = 0;  // bytes buffered
  bool finished_ = false;
  bool cancelled_ = false;
};

}  // namespace frugal::player::detail
