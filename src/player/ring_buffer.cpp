#include "player/ring_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace frugal::player::detail {

bool RingBuffer::write(std::span<const std::byte> data) {
  while (!data.empty()) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || size_ < limit_; });
    if (cancelled_) return false;
    const std::size_t tail = (head_ + size_) % buf_.size();
    const std::size_t n = std::min({data.size(), limit_ - size_, buf_.size() - tail});
    std::memcpy(buf_.data() + tail, data.data(), n);
    size_ += n;
    data = data.subspan(n);
    lock.unlock();
    changed_.notify_all();
  }
  return true;
}

std::size_t RingBuffer::read(std::span<std::byte> dst, std::size_t align) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return cancelled_ || finished_ || size_ >= align; });
  if (cancelled_) return 0;
  std::size_t want = std::min(dst.size(), size_);
  want -= want % align;
  std::size_t done = 0;
  while (done < want) {
    const std::size_t n = std::min(want - done, buf_.size() - head_);
    std::memcpy(dst.data() + done, buf_.data() + head_, n);
    head_ = (head_ + n) % buf_.size();
    size_ -= n;
    done += n;
  }
  if (buf_.size() > limit_ && size_ <= limit_) reallocate(limit_);  // a shrink waiting for room
  lock.unlock();
  changed_.notify_all();
  return done;
}

void RingBuffer::set_capacity(std::size_t bytes) {
  {
    std::lock_guard lock(mutex_);
    limit_ = std::max<std::size_t>(bytes, 1);
    // Growing, or shrinking to what already fits, happens now; a shrink below
    // what is buffered waits for the reader to drain to the new size.
    if (limit_ > buf_.size() || size_ <= limit_) reallocate(limit_);
  }
  changed_.notify_all();  // a writer may have room now
}

void RingBuffer::reallocate(std::size_t bytes) {
  if (bytes == buf_.size()) return;
  std::vector<std::byte> resized(bytes);
  for (std::size_t i = 0; i < size_; ++i) resized[i] = buf_[(head_ + i) % buf_.size()];
  buf_.swap(resized);
  head_ = 0;
  charge_.resize(bytes);
}

std::size_t RingBuffer::capacity() {
  std::lock_guard lock(mutex_);
  return buf_.size();
}

void RingBuffer::finish() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  changed_.notify_all();
}

void RingBuffer::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  changed_.notify_all();
}

}  // namespace frugal::player::detail
