#include "ogg/cursor.hpp"

#include "ogg/mapping.hpp"

#include <algorithm>

namespace frugal::ogg::detail {

using core::Errc;
using core::make_error;

Cursor::Cursor(core::ByteSource& source, const StreamInfo& info) noexcept
    : info_(info), reader_(source, info.account), stream_(info.serial, info.account, info.max_packet_bytes),
      bytes_charge_(info.account, 0) {}

void Cursor::start_at(std::uint64_t offset, unsigned headers) noexcept {
  reader_.seek(offset);
  stream_.reset();
  queue_.clear();
  has_last_ = false;
  prev_end_ = -1;
  headers_ = headers;
  ended_ = chained_ = eos_ = false;
  taken_ = 0;
}

core::Result<const TimedPacket*> Cursor::peek() {
  while (queue_.empty() && !ended_) FRUGAL_CHECK(read_page());
  return queue_.empty() ? nullptr : &queue_.front();
}

core::Result<bool> Cursor::is_last() {
  while (queue_.size() == 1 && !ended_) FRUGAL_CHECK(read_page());
  return queue_.size() == 1;
}

void Cursor::take() noexcept {
  last_ = queue_.front();
  has_last_ = true;
  queue_.pop_front();
  ++taken_;
}

const TimedPacket* Cursor::find(std::uint64_t pos) const noexcept {
  if (has_last_ && last_.pos == pos) return &last_;
  for (const TimedPacket& p : queue_)
    if (p.pos == pos) return &p;
  return nullptr;
}

core::Result<void> Cursor::append(std::span<const std::byte> data, TimedPacket p) {
  // Bytes before the last taken packet are no longer needed.
  std::size_t keep_from = bytes_.size();
  if (has_last_) keep_from = std::min(keep_from, last_.at);
  if (!queue_.empty()) keep_from = std::min(keep_from, queue_.front().at);
  if (!page_packets_.empty()) keep_from = std::min(keep_from, page_packets_.front().at);
  if (keep_from > 0) {
    bytes_.erase(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(keep_from));
    if (has_last_) last_.at -= keep_from;
    for (TimedPacket& q : queue_) q.at -= keep_from;
    for (TimedPacket& q : page_packets_) q.at -= keep_from;
  }
  const std::size_t need = bytes_.size() + data.size();
  if (need > bytes_.capacity()) {
    const std::size_t room = std::max(need, bytes_.capacity() * 2);
    FRUGAL_CHECK(bytes_charge_.try_resize(room));
    bytes_.reserve(room);
  }
  p.at = bytes_.size();
  bytes_.insert(bytes_.end(), data.begin(), data.end());
  page_packets_.push_back(p);
  return core::ok();
}

core::Result<void> Cursor::read_page() {
  Page page;
  FRUGAL_TRY(bool found, reader_.next(page));
  if (!found) {
    ended_ = true;  // a missing EOS page: the stream ends with the data
    return core::ok();
  }
  if (eos_) {  // one look past the EOS page: a BOS page starts a new link (RFC 3533 §4: chaining)
    ended_ = true;
    chained_ = page.bos();
    next_link_ = page.offset;
    return core::ok();
  }
  if (page.serial() != info_.serial) return core::ok();
  if (page.bos() && page.offset >= info_.data_start) {
    // The stream's headers again, without an EOS before them (seen in the
    // wild): start over with them.
    stream_.reset();
    headers_ = info_.header_packets;
  }
  FRUGAL_CHECK(stream_.page_in(page));
  page_packets_.clear();
  std::uint64_t total = 0;
  for (;;) {
    FRUGAL_TRY(std::optional<RawPacket> raw, stream_.packet_out());
    if (!raw) break;
    if (headers_ == kUntilFirstFrame && !raw->data.empty() && raw->data[0] == std::byte{0xFF}) {
      headers_ = 0;
      headers_end_ = page.offset;  // the first frame begins a page (FLAC-in-Ogg mapping)
    }
    if (headers_ > 0) {
      if (headers_ != kUntilFirstFrame && --headers_ == 0) headers_end_ = page.end();
      continue;
    }
    const auto samples = info_.codec == core::Codec::flac ? flac_frame_samples(raw->data)
                                                          : opus_packet_samples(raw->data);  // broken: 0, the decoder says why
    TimedPacket p;
    p.pos = raw->pos;
    p.size = static_cast<std::uint32_t>(raw->data.size());
    p.duration = samples ? *samples : 0;
    total += p.duration;
    FRUGAL_CHECK(append(raw->data, p));
  }
  eos_ = page.eos();
  const std::int64_t granule = page.granule();
  if (page_packets_.empty()) {
    if (granule >= 0) prev_end_ = granule;
    return core::ok();
  }
  // RFC 7845 §4.4–4.5: packets end at the page's granule position, except
  // on the EOS page (it may end before its packets do: end trimming), and
  // a stream's first page may start past 0; a first page that is also the
  // last starts at 0 (the header pages' granule position).
  std::int64_t t = 0;
  if ((page.eos() || granule < 0) && prev_end_ >= 0) t = prev_end_;
  else if (granule >= 0 && static_cast<std::uint64_t>(granule) >= total) t = granule - static_cast<std::int64_t>(total);
  for (TimedPacket& p : page_packets_) {
    p.dts = t;
    t += p.duration;
    queue_.push_back(p);
  }
  prev_end_ = t;
  return core::ok();
}

}  // namespace frugal::ogg::detail
