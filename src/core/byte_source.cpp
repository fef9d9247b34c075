#include <frugal/core/byte_source.hpp>

#include <algorithm>
#include <cstring>

namespace frugal::core {

Result<void> read_exact(ByteSource& source, std::uint64_t offset, std::span<std::byte> dst) {
  FRUGAL_TRY(std::size_t got, source.read_at(offset, dst));
  if (got != dst.size()) return make_error(Errc::end_of_stream, "unexpected end of data", offset);
  return ok();
}

Result<std::size_t> MemorySource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset >= bytes_.size()) return std::size_t{0};
  const std::size_t n = static_cast<std::size_t>(
      std::min<std::uint64_t>(dst.size(), bytes_.size() - offset));
  if (n) std::memcpy(dst.data(), bytes_.data() + offset, n);
  return n;
}

SubSource::SubSource(ByteSource& parent, std::uint64_t offset, std::uint64_t length) noexcept
    : parent_(parent), offset_(offset), length_(length) {
  if (auto parent_size = parent.size()) {
    const std::uint64_t available = offset <= *parent_size ? *parent_size - offset : 0;
    length_ = std::min(length_, available);
  }
}

Result<std::size_t> SubSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset >= length_) return std::size_t{0};
  const std::uint64_t n = std::min<std::uint64_t>(dst.size(), length_ - offset);
  return parent_.read_at(offset_ + offset, dst.first(static_cast<std::size_t>(n)));
}

Result<std::size_t> BufferedSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  const auto inside = [&] {
    return offset >= window_offset_ && offset - window_offset_ <= window_bytes_ &&
           dst.size() <= window_bytes_ - (offset - window_offset_);
  };
  if (dst.empty()) return std::size_t{0};
  if (!inside()) {
    if (dst.size() > buffer_.size() / 2) return inner_.read_at(offset, dst);
    // Refill from a quarter-buffer boundary at or before `offset`: the read
    // still fits, and what precedes it comes along. A read going on past the
    // window (sequential reading) starts the new one no earlier than the old
    // one's end, or than itself, so little is fetched twice.
    std::uint64_t start = offset - offset % std::max<std::size_t>(buffer_.size() / 4, 1);
    if (window_bytes_ > 0 && offset >= window_offset_)
      start = std::max(start, std::min(offset, window_offset_ + window_bytes_));
    window_bytes_ = 0;
    FRUGAL_TRY(window_bytes_, inner_.read_at(start, buffer_));
    window_offset_ = start;
  }
  // A short window ends at the end of the data: the read gets what there
  // is. One that stops before the read short of the source's end (a
  // forward-only source whose held bytes end there) leaves the read to the
  // inner source, to answer or fail.
  const std::uint64_t skip = offset - window_offset_;
  if (skip >= window_bytes_) {
    const std::optional<std::uint64_t> size = inner_.size();
    if (size && offset >= *size) return std::size_t{0};
    return inner_.read_at(offset, dst);
  }
  const std::size_t n = std::min(dst.size(), static_cast<std::size_t>(window_bytes_ - skip));
  std::memcpy(dst.data(), buffer_.data() + skip, n);
  return n;
}

void BufferedSource::set_buffer(std::span<std::byte> buffer) noexcept {
  buffer_ = buffer;
  window_bytes_ = 0;
}

Result<std::size_t> CountingSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  ++read_calls_;
  auto result = inner_.read_at(offset, dst);
  if (result) bytes_read_ += *result;
  return result;
}

Result<std::size_t> ConcatSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  std::size_t done = 0;
  std::uint64_t start = 0;  // of the current part
  for (ByteSource* part : parts_) {
    if (done == dst.size()) break;
    const std::optional<std::uint64_t> n = part->size();
    if (!n) return make_error(Errc::invalid_argument, "concatenated source with a part of unknown size");
    const std::uint64_t at = offset + done;
    if (at < start + *n) {
      FRUGAL_TRY(std::size_t got, part->read_at(at - start, dst.subspan(done)));
      done += got;
      if (at - start + got < *n) break;  // the part ended early (it shrank)
    }
    start += *n;
  }
  return done;
}

std::optional<std::uint64_t> ConcatSource::size() const {
  std::uint64_t total = 0;
  for (const ByteSource* part : parts_) {
    const std::optional<std::uint64_t> n = part->size();
    if (!n) return std::nullopt;
    total += *n;
  }
  return total;
}

}  // namespace frugal::core
