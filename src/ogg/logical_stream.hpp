#pragma once
// One logical stream's packets (RFC 3533 §6: lacing values join segments
// across pages) through libogg's ogg_stream_state, with where each packet
// starts in the file: the demuxer's Packet::pos, by which read_packet()
// finds a packet again. libogg's rules are mirrored: a page that continues
// a packet whose start was not seen (after a reset or a lost page) has its
// leading segments dropped; a lost page (a gap in page sequence numbers)
// drops the unfinished packet. Buffers are charged before they grow; an
// unfinished packet larger than the cap fails.

#include "ogg/page_reader.hpp"

#include <frugal/core/result.hpp>

#include <deque>
#include <optional>
#include <span>

namespace frugal::ogg::detail {

struct RawPacket {
  std::span<const std::byte> data;  ///< in libogg's buffer until the next page_in()
  std::uint64_t pos = 0;            ///< file offset of the first byte
};

/// Not thread-safe; not movable.
class LogicalStream {
 public:
  LogicalStream(std::uint32_t serial, mem::Account account, std::uint32_t max_packet_bytes) noexcept;
  ~LogicalStream() { ogg_stream_clear(&state_); }
  LogicalStream(const LogicalStream&) = delete;
  LogicalStream& operator=(const LogicalStream&) = delete;

  /// Forgets every page and packet (a new reading position).
  void reset() noexcept;
  /// Adds a page of this stream. Errors: Errc::limit_exceeded for a packet
  /// past the cap; Errc::malformed for a page libogg refuses (version not 0);
  /// Errc::out_of_memory.
  core::Result<void> page_in(const Page& page);
  /// The next packet the pages so far complete, or nullopt.
  core::Result<std::optional<RawPacket>> packet_out();

 private:
  ogg_stream_state state_{};
  mem::Charge charge_;  // body, lacing and granule arrays
  std::uint32_t max_packet_bytes_;
  std::deque<std::uint64_t> starts_;  // packets begun and not yet taken out
  std::uint64_t open_bytes_ = 0;      // bytes of the unfinished packet so far
  bool open_ = false;                 // the last segment paged in was 255 (a packet goes on)
  std::int64_t next_page_ = -1;       // expected page sequence number
};

}  // namespace frugal::ogg::detail
