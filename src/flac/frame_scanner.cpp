#include "flac/frame_scanner.hpp"

#include <algorithm>
#include <cstring>

namespace frugal::flac::detail {

using core::Errc;
using core::make_error;

namespace {

// The number that the frame after `f` carries.
std::uint64_t next_number(const FrameHeader& f) { return f.variable ? f.number + f.block_size : f.number + 1; }

// Headers a corrupt frame's scan passes after its next header in sequence
// before taking that one: the real next header after a copy of it in the
// audio data comes first, and junk full of headers costs a few frames.
constexpr unsigned kHeadersPastFallback = 2;

}  // namespace

FrameScanner::FrameScanner(core::ByteSource& source, mem::Charge charge, std::uint64_t lookahead)
    : source_(&source), charge_(std::move(charge)), window_(kWindowBytes), lookahead_(lookahead) {}

core::Result<FrameScanner> FrameScanner::make(core::ByteSource& source, mem::Account account,
                                              std::uint64_t lookahead) {
  FRUGAL_TRY(mem::Charge charge, mem::Charge::try_make(account, kWindowBytes));
  return FrameScanner(source, std::move(charge), lookahead);
}

core::Result<std::span<const std::byte>> FrameScanner::view(std::uint64_t offset, std::size_t want) {
  const bool held = offset >= window_offset_ && offset - window_offset_ <= window_bytes_;
  if (held) {
    const std::size_t from = static_cast<std::size_t>(offset - window_offset_);
    const bool enough = window_bytes_ - from >= want || (end_ && window_offset_ + window_bytes_ == *end_);
    if (enough) return std::span<const std::byte>(window_).subspan(from, window_bytes_ - from);
  }
  if (end_ && offset >= *end_) return std::span<const std::byte>{};
  window_bytes_ = 0;
  FRUGAL_TRY(std::size_t n, source_->read_at(offset, window_));
  window_offset_ = offset;
  window_bytes_ = n;
  bytes_read_ += n;
  if (n < window_.size()) end_ = offset + n;
  return std::span<const std::byte>(window_).first(n);
}

std::size_t FrameScanner::scannable(std::uint64_t offset, std::span<const std::byte> w) const noexcept {
  if (end_ && offset + w.size() == *end_) return w.size();
  return w.size() >= kMaxFrameHeaderBytes ? w.size() - kMaxFrameHeaderBytes + 1 : 0;
}

core::Result<std::optional<Frame>> FrameScanner::header_at(std::uint64_t offset) {
  FRUGAL_TRY(auto w, view(offset, kMaxFrameHeaderBytes));
  Frame f{offset, {}};
  if (!parse_frame_header(w, f.header)) return std::optional<Frame>{};
  return std::optional<Frame>(f);
}

core::Result<std::optional<Frame>> FrameScanner::find_header(std::uint64_t from, std::uint64_t limit, bool variable) {
  std::uint64_t pos = from;
  while (pos < limit) {
    FRUGAL_TRY(auto w, view(pos, kMaxFrameHeaderBytes));
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(scannable(pos, w), limit - pos));
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      Frame f{pos + i, {}};
      if (w[i] == std::byte{0xFF} && parse_frame_header(w.subspan(i), f.header) && f.header.variable == variable)
        return std::optional<Frame>(f);
    }
    pos += n;
  }
  return std::optional<Frame>{};
}

core::Result<FrameEnd> FrameScanner::find_end(const Frame& frame, std::uint64_t max_bytes) {
  // Smallest frame: its header, one subframe header byte, the CRC-16.
  const std::uint64_t min_end = frame.offset + frame.header.length + 3;
  std::uint16_t crc = 0;  // of [frame.offset, pos + i)
  std::optional<Frame> fallback;  // the first header in sequence
  unsigned headers_past = 0;      // headers met after it
  std::optional<std::uint64_t> last_valid;
  std::uint64_t pos = frame.offset;
  while (true) {
    FRUGAL_TRY(auto w, view(pos, kMaxFrameHeaderBytes));
    const std::size_t n = scannable(pos, w);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t at = pos + i;
      const bool over = at - frame.offset > max_bytes;
      if (fallback && (over || at - fallback->offset > lookahead_ || headers_past == kHeadersPastFallback))
        return FrameEnd{fallback->offset, fallback, false};
      if (over)
        return make_error(Errc::limit_exceeded, "FLAC: frame larger than Limits::max_packet_bytes", frame.offset);
      if (at >= min_end) {
        if (crc == 0) last_valid = at;
        Frame next{at, {}};
        if (w[i] == std::byte{0xFF} && parse_frame_header(w.subspan(i), next.header) &&
            next.header.variable == frame.header.variable) {
          if (crc == 0) return FrameEnd{at, next, true};
          if (fallback) ++headers_past;
          else if (next.header.number == next_number(frame.header)) fallback = next;
        }
      }
      crc = crc16_byte(crc, w[i]);
    }
    pos += n;
  }
  // The end of the data, at `pos`.
  const bool whole = crc == 0 && pos >= min_end;
  if (!whole && fallback) return FrameEnd{fallback->offset, fallback, false};
  if (!whole && last_valid) return FrameEnd{*last_valid, std::nullopt, true};
  if (pos - frame.offset > max_bytes)
    return make_error(Errc::limit_exceeded, "FLAC: frame larger than Limits::max_packet_bytes", frame.offset);
  return FrameEnd{pos, std::nullopt, whole};
}

bool FrameScanner::copy_held(std::uint64_t offset, std::span<std::byte> dst) const noexcept {
  if (offset < window_offset_ || offset - window_offset_ > window_bytes_ ||
      window_bytes_ - (offset - window_offset_) < dst.size())
    return false;
  if (!dst.empty()) std::memcpy(dst.data(), window_.data() + (offset - window_offset_), dst.size());
  return true;
}

}  // namespace frugal::flac::detail
