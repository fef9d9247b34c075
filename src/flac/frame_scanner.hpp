#pragma once
// Finds FLAC frames in a byte source through one fixed read window: a frame
// starts at a sync code with a valid header (CRC-8) and ends where the next
// one starts, once the CRC-16 of the bytes between says so (as FFmpeg's
// flac parser does), so sync lookalikes inside audio data are passed over.
// A corrupt frame's scan stops a bounded way past the next header in
// sequence, so it costs about three frames and a forward-only source can
// still go back to the frame's start.
// Memory: the window (kWindowBytes), charged before it is allocated;
// nothing per frame. Not thread-safe.

#include "flac/frame_header.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <optional>
#include <vector>

namespace frugal::flac::detail {

/// A frame header found in the file.
struct Frame {
  std::uint64_t offset = 0;  ///< file offset of the sync code
  FrameHeader header;
};

/// Where a frame ends.
struct FrameEnd {
  std::uint64_t end = 0;       ///< offset one past its last byte
  std::optional<Frame> next;   ///< the frame that follows; nullopt at the end of the stream
  /// True when the frame's CRC-16 checks out; false for a frame cut short by
  /// the end of the file, or one delimited by the next in-sequence header
  /// because its CRC-16 never matched (a corrupt frame).
  bool confirmed = false;
};

class FrameScanner {
 public:
  static constexpr std::size_t kWindowBytes = std::size_t{64} << 10;

  /// Charges the window to `account` and allocates it. `lookahead`: how far
  /// find_end() looks past a corrupt frame's next header (about two frames).
  /// Errors: Errc::out_of_memory.
  static core::Result<FrameScanner> make(core::ByteSource& source, mem::Account account, std::uint64_t lookahead);

  /// The frame header at exactly `offset`, or nullopt when none is there.
  core::Result<std::optional<Frame>> header_at(std::uint64_t offset);

  /// The first valid frame header at an offset in [from, limit) whose
  /// blocking strategy is `variable`, or nullopt.
  core::Result<std::optional<Frame>> find_header(std::uint64_t from, std::uint64_t limit, bool variable);

  /// Where `frame` ends: at the first later header of the same blocking
  /// strategy where the CRC-16 of the bytes from `frame` on is 0; failing
  /// that (a corrupt frame) at the first header that follows it in sequence,
  /// once the scan has gone `lookahead` bytes or two more headers past it
  /// (a copy of the next header inside the frame's audio data is thus
  /// passed over when the real one follows within that); at the end of the
  /// file, the frame ends there, or, when its CRC-16 does not check out
  /// there, at the last point where it did (junk, an ID3v1 tag follows),
  /// else at the end (a truncated frame). Scans at most `max_bytes` past
  /// the frame's start. Errors: Errc::limit_exceeded (no end within
  /// `max_bytes`, at the frame's offset), Errc::io.
  core::Result<FrameEnd> find_end(const Frame& frame, std::uint64_t max_bytes);

  /// Copies the bytes at `offset` into `dst` when the window holds them all.
  bool copy_held(std::uint64_t offset, std::span<std::byte> dst) const noexcept;

  /// Bytes read from the source so far: what callers budget a search by.
  std::uint64_t bytes_read() const noexcept { return bytes_read_; }

 private:
  FrameScanner(core::ByteSource& source, mem::Charge charge, std::uint64_t lookahead);

  // The bytes held from `offset` to the window's end, refilling the window
  // from `offset` unless it already holds [offset, offset + want) (or all
  // there is of it). Empty at the end of the data.
  core::Result<std::span<const std::byte>> view(std::uint64_t offset, std::size_t want);
  // How many bytes of `w` (held from `offset`) can be checked for a header:
  // all of them at the end of the data, else those followed by a whole
  // header's worth.
  std::size_t scannable(std::uint64_t offset, std::span<const std::byte> w) const noexcept;

  core::ByteSource* source_;
  mem::Charge charge_;
  std::vector<std::byte> window_;
  std::uint64_t window_offset_ = 0;
  std::size_t window_bytes_ = 0;
  std::optional<std::uint64_t> end_;  // where the data ends, once a read came back short
  std::uint64_t lookahead_;
  std::uint64_t bytes_read_ = 0;
};

}  // namespace frugal::flac::detail
