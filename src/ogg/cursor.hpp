#pragma once
// A position in one Ogg Opus or Ogg FLAC stream: pages read forward from an offset,
// the stream's packets out of them, each timed (RFC 7845 §4): backward
// from the granule position of the page that completes it, forward from
// the previous page on the EOS page (end trimming) and when a page states
// none. The packets completed by the current page wait in a queue with
// their bytes (charged); the last one taken stays, so read_packet() of it
// costs nothing.

#include "ogg/logical_stream.hpp"
#include "ogg/page_reader.hpp"

#include <frugal/core/limits.hpp>
#include <frugal/core/media.hpp>

#include <deque>
#include <vector>

namespace frugal::ogg::detail {

/// Header packets of an Ogg Opus stream: OpusHead, OpusTags (RFC 7845 §3).
inline constexpr unsigned kOpusHeaders = 2;
/// Ogg FLAC's headers: every packet before the first frame (metadata
/// blocks never start with a frame's 0xFF sync byte).
inline constexpr unsigned kUntilFirstFrame = ~0u;

/// What every cursor over a stream shares.
struct StreamInfo {
  std::uint32_t serial = 0;
  core::Codec codec = core::Codec::opus;  ///< opus or flac: how packets are timed
  unsigned header_packets = kOpusHeaders; ///< or kUntilFirstFrame
  std::uint64_t data_start = 0;  ///< offset of the first page after the BOS pages
  std::uint64_t audio_start = 0; ///< offset of the first page after the Opus headers
  std::uint32_t max_packet_bytes = 0;
  mem::Account account;          ///< "ogg/pages"
};

struct TimedPacket {
  std::uint64_t pos = 0;       ///< file offset of the first byte
  std::uint32_t size = 0;
  std::int64_t dts = 0;        ///< granule position of its first sample
  std::uint32_t duration = 0;  ///< samples (0 when the TOC or frame header is broken)
  std::size_t at = 0;          ///< offset in the cursor's byte buffer
};

/// Not thread-safe; not movable.
class Cursor {
 public:
  Cursor(core::ByteSource& source, const StreamInfo& info) noexcept;

  /// Reads from `offset` on, dropping the stream's first `headers` packets
  /// (OpusHead, OpusTags; kUntilFirstFrame: FLAC's); timing restarts (a page without a previous one
  /// is timed backward from its granule position).
  void start_at(std::uint64_t offset, unsigned headers) noexcept;

  /// The next packet without taking it; nullptr at the end of the stream
  /// (EOS, end of data, or a chained link: then chained() is true).
  core::Result<const TimedPacket*> peek();
  /// Whether the packet peek() returned is the stream's last (reads ahead
  /// to the next page of the stream when it ends its page).
  core::Result<bool> is_last();
  /// Takes the packet peek() returned; it stays readable through bytes().
  void take() noexcept;
  /// The packet last taken, or nullptr.
  const TimedPacket* last() const noexcept { return has_last_ ? &last_ : nullptr; }
  std::span<const std::byte> bytes(const TimedPacket& p) const noexcept {
    return std::span(bytes_).subspan(p.at, p.size);
  }
  /// A queued or the last taken packet starting at `pos`, or nullptr.
  const TimedPacket* find(std::uint64_t pos) const noexcept;
  bool chained() const noexcept { return chained_; }
  /// Offset of the BOS page that starts the next link, when chained().
  std::uint64_t next_link() const noexcept { return next_link_; }
  /// End offset of the page that completed the last header packet (0
  /// before it was read): audio pages come after it.
  std::uint64_t headers_end() const noexcept { return headers_end_; }
  /// Packets taken since start_at() (for numbering from the start).
  std::uint64_t taken() const noexcept { return taken_; }

  /// Pages from the current reading point with their offsets (for
  /// bisection probes, which need no packets).
  PageReader& pages() noexcept { return reader_; }

 private:
  core::Result<void> read_page();  // one page into the queue; sets ended_ at the end
  core::Result<void> append(std::span<const std::byte> data, TimedPacket p);

  const StreamInfo& info_;
  PageReader reader_;
  LogicalStream stream_;
  std::deque<TimedPacket> queue_;
  std::vector<std::byte> bytes_;  // last_'s bytes, then the queue's
  mem::Charge bytes_charge_;
  std::vector<TimedPacket> page_packets_;  // the page being timed
  TimedPacket last_;
  bool has_last_ = false;
  std::int64_t prev_end_ = -1;  // granule position where the previous page's packets end
  unsigned headers_ = 0;
  bool eos_ = false;    // the stream's EOS page was read
  bool ended_ = false;
  bool chained_ = false;
  std::uint64_t next_link_ = 0;
  std::uint64_t taken_ = 0;
  std::uint64_t headers_end_ = 0;
};

}  // namespace frugal::ogg::detail
