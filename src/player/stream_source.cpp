#include <frugal/player/stream_source.hpp>

#include <frugal/core/arith.hpp>

#include <algorithm>
#include <cstring>

namespace frugal::player {

using core::Errc;
using core::make_error;
using core::Result;

namespace {
constexpr std::size_t kChunk = 16 * 1024;  // read from the stream at a time
}  // namespace

Result<StreamSource> StreamSource::open(core::InputStream& in, const StreamSourceOptions& options) {
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account("player/stream_source"));
  if (options.window_bytes == 0) return make_error(Errc::invalid_argument, "stream source without a window");
  return StreamSource(in, options, account);
}

Result<void> StreamSource::grow_head(std::size_t bytes) {
  if (bytes > options_.head_bytes)
    return make_error(Errc::limit_exceeded,
                      "movie header larger than what is held of a non-seekable input (StreamSourceOptions::head_bytes)",
                      head_.size());
  if (bytes > head_.capacity()) {
    // Capacity is what is allocated: charge it, doubling up to the cap (or
    // just what is needed when the budget has no room for more).
    std::size_t capacity = std::min(std::max(bytes, 2 * head_.capacity()), options_.head_bytes);
    if (!charge_.try_resize(charge_.bytes() + (capacity - head_.capacity()))) {
      capacity = bytes;
      if (!charge_.try_resize(charge_.bytes() + (capacity - head_.capacity())))
        return make_error(Errc::out_of_memory, "input stream buffer over the memory budget");
    }
    head_.reserve(capacity);
  }
  head_.resize(bytes);
  return core::ok();
}

std::uint64_t StreamSource::window_begin() const noexcept {
  const std::uint64_t back = pos_ > window_.size() ? pos_ - window_.size() : 0;
  return std::max<std::uint64_t>(back, head_.size());
}

void StreamSource::push_window(std::span<const std::byte> bytes) noexcept {
  for (std::size_t done = 0; done < bytes.size();) {
    const std::size_t at = static_cast<std::size_t>((pos_ + done) % window_.size());
    const std::size_t n = std::min(bytes.size() - done, window_.size() - at);
    std::memcpy(&window_[at], &bytes[done], n);
    done += n;
  }
}

// Takes bytes from the stream until `end` (or its end): into the head until
// it is settled, then through the window.
Result<void> StreamSource::fill_to(std::uint64_t end) {
  while (pos_ < end && !ended_) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, end - pos_));
    std::size_t got = 0;
    if (!settled_) {
      const std::size_t at = head_.size();
      FRUGAL_CHECK(grow_head(at + want));
      auto r = in_->read(std::span(head_).subspan(at, want));
      if (!r) {
        head_.resize(at);
        return r.error();
      }
      got = *r;
      head_.resize(at + got);
    } else {
      // Straight into the ring, a contiguous piece at a time.
      const std::size_t at = static_cast<std::size_t>(pos_ % window_.size());
      const std::size_t n = std::min(want, window_.size() - at);
      FRUGAL_TRY(got, in_->read(std::span(window_).subspan(at, n)));
    }
    if (got == 0) ended_ = true;
    pos_ += got;
  }
  return core::ok();
}

Result<void> StreamSource::will_revisit(std::uint64_t end) {
  if (settled_) return core::ok();
  FRUGAL_CHECK(fill_to(end));
  const std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(end, head_.size()));
  const std::size_t total = keep + options_.window_bytes;
  if (!charge_.try_resize(std::max(charge_.bytes(), total)))
    return make_error(Errc::out_of_memory, "input stream window over the memory budget");
  window_.assign(options_.window_bytes, std::byte{0});
  settled_ = true;
  // The bytes already read past the prefix move to the window.
  const std::uint64_t held = pos_;
  pos_ = keep;
  push_window(std::span(head_).subspan(keep));
  pos_ = held;
  head_.resize(keep);
  head_.shrink_to_fit();
  charge_.resize(total);
  return core::ok();
}

Result<std::size_t> StreamSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  std::uint64_t end = offset;
  if (!core::checked_add(offset, dst.size(), end)) end = ~std::uint64_t{0};
  if (!settled_) FRUGAL_CHECK(fill_to(end));
  std::size_t done = 0;
  if (offset < head_.size()) {
    done = static_cast<std::size_t>(std::min<std::uint64_t>(dst.size(), head_.size() - offset));
    std::memcpy(dst.data(), &head_[static_cast<std::size_t>(offset)], done);
  }
  if (done == dst.size() || !settled_) return done;
  std::uint64_t at = offset + done;
  if (at < window_begin()) {
    // A read-ahead running from the held prefix into bytes gone by comes
    // back short at the prefix's end (the reader wanted the prefix).
    if (done > 0) return done;
    return make_error(Errc::unsupported,
                      "non-seekable input: the bytes asked for have gone by (StreamSourceOptions::window_bytes)", at);
  }
  // What the window holds.
  if (at < pos_) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(dst.size() - done, pos_ - at));
    for (std::size_t k = 0; k < n;) {
      const std::size_t i = static_cast<std::size_t>((at + k) % window_.size());
      const std::size_t piece = std::min(n - k, window_.size() - i);
      std::memcpy(&dst[done + k], &window_[i], piece);
      k += piece;
    }
    done += n;
    at += n;
  }
  if (done == dst.size()) return done;
  // The rest is ahead: skip to it, then read it straight into `dst` (a read
  // larger than the window works), keeping its last bytes in the window.
  FRUGAL_CHECK(fill_to(at));
  while (done < dst.size() && !ended_) {
    FRUGAL_TRY(std::size_t got, in_->read(dst.subspan(done)));
    if (got == 0) ended_ = true;
    push_window(dst.subspan(done, got));
    pos_ += got;
    done += got;
  }
  return done;
}

}  // namespace frugal::player
