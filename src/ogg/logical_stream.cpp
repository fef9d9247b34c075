#include "ogg/logical_stream.hpp"

namespace frugal::ogg::detail {

using core::Errc;
using core::make_error;

namespace {

std::size_t state_bytes(const ogg_stream_state& s) {
  return static_cast<std::size_t>(s.body_storage) +
         static_cast<std::size_t>(s.lacing_storage) * (sizeof(int) + sizeof(ogg_int64_t));
}

}  // namespace

LogicalStream::LogicalStream(std::uint32_t serial, mem::Account account, std::uint32_t max_packet_bytes) noexcept
    : charge_(account, 0), max_packet_bytes_(max_packet_bytes) {
  ogg_stream_init(&state_, static_cast<int>(serial));
  charge_.resize(state_bytes(state_));
}

void LogicalStream::reset() noexcept {
  ogg_stream_reset(&state_);
  starts_.clear();
  open_bytes_ = 0;
  open_ = false;
  next_page_ = -1;
}

core::Result<void> LogicalStream::page_in(const Page& page) {
  const ogg_page& og = page.page;
  if (ogg_page_version(&og) != 0) return make_error(Errc::malformed, "Ogg: page version is not 0", page.offset);
  const int segments = og.header[26];
  const std::int64_t seq = ogg_page_pageno(&og);
  // Mirror libogg: a gap drops the unfinished packet; a continued page
  // whose packet start was not kept drops its leading segments.
  if (next_page_ != -1 && seq != next_page_ && open_) {
    starts_.pop_back();
    open_ = false;
    open_bytes_ = 0;
  }
  int seg = 0;
  std::uint64_t body = page.offset + static_cast<std::uint64_t>(og.header_len);
  if (ogg_page_continued(&og) && !open_) {
    while (seg < segments) {
      const unsigned v = og.header[27 + seg++];
      body += v;
      if (v < 255) break;
    }
  }
  for (; seg < segments; ++seg) {
    const unsigned v = og.header[27 + seg];
    if (!open_) starts_.push_back(body);
    open_bytes_ += v;
    if (open_bytes_ > max_packet_bytes_)
      return make_error(Errc::limit_exceeded, "Ogg: packet larger than max_packet_bytes", page.offset);
    open_ = v == 255;
    if (!open_) open_bytes_ = 0;
    body += v;
  }
  next_page_ = seq + 1;
  // Room libogg may take: the body and a lacing entry per segment, with its slack.
  FRUGAL_CHECK(charge_.try_resize(state_bytes(state_) + static_cast<std::size_t>(og.body_len) + 1024 +
                                  static_cast<std::size_t>(segments + 33) * (sizeof(int) + sizeof(ogg_int64_t))));
  const int r = ogg_stream_pagein(&state_, const_cast<ogg_page*>(&og));
  charge_.resize(state_bytes(state_));
  if (r != 0) return make_error(Errc::out_of_memory, "Ogg: stream buffer allocation failed", page.offset);
  return core::ok();
}

core::Result<std::optional<RawPacket>> LogicalStream::packet_out() {
  ogg_packet op;
  for (;;) {
    const int r = ogg_stream_packetout(&state_, &op);
    if (r == 0) return std::optional<RawPacket>{};
    if (r < 0) continue;  // a hole where a page was lost: its packet is gone
    if (starts_.empty()) return make_error(Errc::malformed, "Ogg: packet without a start");
    const std::uint64_t pos = starts_.front();
    starts_.pop_front();
    return std::optional<RawPacket>(
        RawPacket{std::span(reinterpret_cast<const std::byte*>(op.packet), static_cast<std::size_t>(op.bytes)), pos});
  }
}

}  // namespace frugal::ogg::detail
