#include <frugal/flac/demuxer.hpp>

#include "flac/frame_scanner.hpp"
#include "flac/metadata.hpp"

#include <frugal/mem/memory_tracker.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

namespace frugal::flac {

using core::Errc;
using core::make_error;
using core::Result;
using detail::Frame;
using detail::FrameEnd;

namespace {

constexpr std::uint32_t kTrackId = 1;
// Below this many bytes between the bounds, a seek walks frame by frame.
constexpr std::uint64_t kWalkBytes = detail::FrameScanner::kWindowBytes;

// ID3v2 header (id3v2.4.0-structure §3.1): "ID3", version, flags, a
// 28-bit syncsafe size; a footer adds 10 bytes.
std::uint64_t id3v2_size(std::span<const std::byte, 10> h) {
  if (std::memcmp(h.data(), "ID3", 3) != 0) return 0;
  std::uint32_t size = 0;
  for (int i = 6; i < 10; ++i) size = size << 7 | (std::to_integer<std::uint32_t>(h[i]) & 0x7f);
  const bool footer = (std::to_integer<unsigned>(h[5]) & 0x10) != 0;
  return 10 + std::uint64_t{size} + (footer ? 10 : 0);
}

// The most bytes a frame is expected to take: STREAMINFO's largest frame
// when it says, else a frame of verbatim subframes (an encoder's fallback)
// at the largest block size, the side channel's extra bit and the headers
// counted.
std::uint64_t expected_frame_bytes(const detail::StreamInfo& s, const core::Limits& limits) {
  const std::uint64_t bits = std::uint64_t{s.max_block_size} * (s.channels * s.bits_per_sample + 1u);
  const std::uint64_t verbatim = (bits + 7) / 8 + 64;
  return std::min<std::uint64_t>(s.max_frame_size != 0 ? s.max_frame_size : verbatim, limits.max_packet_bytes);
}

// What is left of a budget of bytes read through a scanner.
class ReadBudget {
 public:
  ReadBudget(const detail::FrameScanner& scanner, std::uint64_t bytes) noexcept
      : scanner_(scanner), end_(scanner.bytes_read() + bytes) {}
  std::uint64_t left() const noexcept { return end_ - std::min(end_, scanner_.bytes_read()); }

 private:
  const detail::FrameScanner& scanner_;
  std::uint64_t end_;
};

Result<bool> has_marker(core::ByteSource& source, std::uint64_t at) {
  std::array<std::byte, 4> b{};
  FRUGAL_TRY(std::size_t n, source.read_at(at, b));
  return n == b.size() && std::memcmp(b.data(), "fLaC", 4) == 0;
}

}  // namespace

Result<std::optional<std::uint64_t>> stream_marker(core::ByteSource& source) {
  std::array<std::byte, 10> head{};
  FRUGAL_TRY(std::size_t n, source.read_at(0, head));
  if (n >= 4 && std::memcmp(head.data(), "fLaC", 4) == 0) return std::optional<std::uint64_t>(0);
  const std::uint64_t skip = n == head.size() ? id3v2_size(head) : 0;
  if (skip == 0) return std::optional<std::uint64_t>{};
  FRUGAL_TRY(bool found, has_marker(source, skip));
  return found ? std::optional<std::uint64_t>(skip) : std::nullopt;
}

struct Demuxer::Impl {
  Impl(core::ByteSource& s, detail::FrameScanner sc) : source(s), scanner(std::move(sc)) {}

  // The first sample number of frame `h`: a fixed block size frame's number
  // counts frames of the first one's size, as FFmpeg's parser has it (libFLAC
  // takes STREAMINFO's, which may disagree with the frames).
  std::uint64_t dts(const detail::FrameHeader& h) const {
    return h.variable ? h.number : h.number * first->header.block_size;
  }
  // Packet::index of frame `f`, when it can be known.
  std::uint64_t index_of(const Frame& f) const {
    if (f.offset == first->offset) return 0;
    return f.header.variable || f.header.number < first->header.number ? core::kUnknownIndex
                                                                        : f.header.number - first->header.number;
  }
  Result<void> check_track(std::uint32_t id) const {
    if (id != kTrackId) return make_error(Errc::invalid_argument, "FLAC: no track with that ID");
    return core::ok();
  }

  Result<void> narrow_by_seektable(std::uint64_t ticks, Frame& lo, std::uint64_t& hi);
  Result<Frame> bisect(std::uint64_t ticks, Frame lo, std::uint64_t hi);
  // A frame at or after `from` (before `hi`) whose CRC-16 checks out and
  // whose samples come after `lo`'s, found within confirm_bytes read, or nullopt.
  Result<std::optional<Frame>> confirmed_frame(std::uint64_t from, std::uint64_t hi, const Frame& lo);

  core::ByteSource& source;
  detail::FrameScanner scanner;
  core::Limits limits;
  detail::Metadata meta;
  std::vector<core::Track> tracks;
  std::optional<core::GaplessInfo> gapless;
  std::optional<Frame> first;  // nullopt: a stream without frames
  // Bytes a seek may read to confirm a frame in a bisection step, and to
  // walk: a few frames and windows, however hostile the data.
  std::uint64_t confirm_bytes = 0;
  std::uint64_t walk_bytes = 0;
  // Position: the next frame to deliver (nullopt: at the end) and its index.
  std::optional<Frame> next;
  std::uint64_t next_index = 0;
  bool delivered = false;  // a packet went out: a forward-only source cannot go back
  bool enabled = true;
};

Result<void> Demuxer::Impl::narrow_by_seektable(std::uint64_t ticks, Frame& lo, std::uint64_t& hi) {
  // The first point past `ticks` (placeholders sort last, §8.5).
  std::uint64_t a = 0, b = meta.seektable_points;
  while (a < b) {
    const std::uint64_t m = a + (b - a) / 2;
    FRUGAL_TRY(detail::SeekTablePoint p, detail::read_seek_point(source, meta, m));
    if (p.sample > ticks) b = m;
    else a = m + 1;
  }
  // A point is used only where a frame with its sample number starts at its
  // offset: a wrong table costs reads, never a wrong landing.
  const auto frame_of = [&](std::uint64_t i) -> Result<std::optional<Frame>> {
    FRUGAL_TRY(detail::SeekTablePoint p, detail::read_seek_point(source, meta, i));
    if (p.sample == detail::SeekTablePoint::kPlaceholder || p.offset >= hi - first->offset) return std::optional<Frame>{};
    FRUGAL_TRY(std::optional<Frame> f, scanner.header_at(first->offset + p.offset));
    if (!f || f->header.variable != first->header.variable || dts(f->header) != p.sample) return std::optional<Frame>{};
    return f;
  };
  if (a < meta.seektable_points) {
    FRUGAL_TRY(std::optional<Frame> f, frame_of(a));
    if (f && f->offset > lo.offset) hi = f->offset;
  }
  if (a > 0) {
    FRUGAL_TRY(std::optional<Frame> f, frame_of(a - 1));
    if (f && f->offset > lo.offset && f->offset < hi) lo = *f;
  }
  return core::ok();
}

Result<std::optional<Frame>> Demuxer::Impl::confirmed_frame(std::uint64_t from, std::uint64_t hi, const Frame& lo) {
  // One budget for all the candidates, not one each: where headers with a
  // good CRC-8 abound and no CRC-16 checks out (junk, a hostile file), a
  // step still reads a bounded number of bytes, then finds no frame.
  const ReadBudget budget(scanner, confirm_bytes);
  while (from < hi && budget.left() != 0) {
    FRUGAL_TRY(std::optional<Frame> f,
               scanner.find_header(from, std::min(hi, from + budget.left()), first->header.variable));
    if (!f) break;
    if (dts(f->header) > dts(lo.header) && budget.left() != 0) {
      auto end = scanner.find_end(*f, budget.left());
      if (!end && end.error().code != Errc::limit_exceeded) return end.error();
      if (!end) break;
      if (end->confirmed) return f;
    }
    from = f->offset + 1;
  }
  return std::optional<Frame>{};
}

Result<Frame> Demuxer::Impl::bisect(std::uint64_t ticks, Frame lo, std::uint64_t hi) {
  // Invariant: lo's first sample ≤ ticks; frames starting at or after hi
  // begin after ticks (or could not be confirmed within the budget).
  while (hi > lo.offset && hi - lo.offset > kWalkBytes) {
    const std::uint64_t mid = lo.offset + (hi - lo.offset) / 2;
    FRUGAL_TRY(std::optional<Frame> f, confirmed_frame(mid, hi, lo));
    if (f && dts(f->header) <= ticks) lo = *f;
    else hi = mid;
  }
  // The walk: frame by frame to the one holding ticks, or the last before
  // hi, within a budget.
  const ReadBudget budget(scanner, walk_bytes);
  while (dts(lo.header) + lo.header.block_size <= ticks && budget.left() != 0) {
    auto end = scanner.find_end(lo, std::min<std::uint64_t>(limits.max_packet_bytes, budget.left()));
    if (!end && end.error().code != Errc::limit_exceeded) return end.error();
    if (!end || !end->next || end->next->offset >= hi) break;
    lo = *end->next;
  }
  return lo;
}

Demuxer::Demuxer(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Demuxer::Demuxer(Demuxer&&) noexcept = default;
Demuxer& Demuxer::operator=(Demuxer&&) noexcept = default;
Demuxer::~Demuxer() = default;

Result<Demuxer> Demuxer::open(core::ByteSource& source, const DemuxerOptions& options) {
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account("flac/reader"));
  // Nothing before the current position is read twice, except a frame just
  // scanned (read_packet), which a forward-only source keeps in its window.
  FRUGAL_CHECK(source.will_revisit(0));
  FRUGAL_TRY(std::optional<std::uint64_t> marker, stream_marker(source));
  if (!marker) return make_error(Errc::malformed, "FLAC: no \"fLaC\" marker", 0);
  FRUGAL_TRY(detail::Metadata meta, detail::read_metadata(source, *marker));
  // A corrupt frame's scan looks about two frames past its next header.
  const std::uint64_t frame_bytes = expected_frame_bytes(meta.info, options.limits);
  FRUGAL_TRY(detail::FrameScanner scanner, detail::FrameScanner::make(source, account, 2 * frame_bytes));
  auto impl = std::make_unique<Impl>(source, std::move(scanner));
  impl->limits = options.limits;
  impl->meta = meta;
  impl->confirm_bytes = 4 * frame_bytes + 2 * detail::FrameScanner::kWindowBytes;
  impl->walk_bytes = kWalkBytes + impl->confirm_bytes;

  FRUGAL_TRY(std::optional<Frame> first, impl->scanner.header_at(meta.frames_offset));
  if (!first) {
    std::array<std::byte, 1> any{};
    FRUGAL_TRY(std::size_t n, source.read_at(meta.frames_offset, any));
    if (n != 0) return make_error(Errc::malformed, "FLAC: no frame header where the frames start", meta.frames_offset);
  }
  impl->first = first;
  impl->next = first;

  core::SampleEntry entry;
  entry.format = core::FourCC("fLaC");
  entry.data_reference_index = 1;
  core::CodecParameters& c = entry.codec;
  c.codec = core::Codec::flac;
  c.format = entry.format;
  c.sample_rate = meta.info.sample_rate;
  c.channels = meta.info.channels;
  c.bits_per_sample = meta.info.bits_per_sample;
  c.config.assign(meta.streaminfo_block.begin(), meta.streaminfo_block.end());
  core::Track& t = impl->tracks.emplace_back();
  t.id = kTrackId;
  t.type = core::TrackType::audio;
  t.handler = core::FourCC("soun");
  t.timescale = meta.info.sample_rate;
  t.duration = meta.info.total_samples;
  t.sample_entries.push_back(std::move(entry));
  return Demuxer(std::move(impl));
}

const char* Demuxer::format_name() const noexcept { return "flac"; }
std::span<const core::Track> Demuxer::tracks() const noexcept { return impl_->tracks; }
std::uint32_t Demuxer::movie_timescale() const noexcept { return impl_->meta.info.sample_rate; }
const std::optional<core::GaplessInfo>& Demuxer::gapless() const noexcept { return impl_->gapless; }
std::span<const core::Chapter> Demuxer::chapters() const noexcept { return {}; }
bool Demuxer::indexed() const noexcept { return false; }

Result<void> Demuxer::set_track_enabled(std::uint32_t id, bool enabled) {
  FRUGAL_CHECK(impl_->check_track(id));
  impl_->enabled = enabled;
  return core::ok();
}

Result<void> Demuxer::next_packet(core::Packet& out) {
  Impl& m = *impl_;
  if (!m.enabled || !m.next) return make_error(Errc::end_of_stream, "FLAC: end of stream");
  FRUGAL_TRY(FrameEnd end, m.scanner.find_end(*m.next, m.limits.max_packet_bytes));
  const Frame& f = *m.next;
  out = core::Packet{};
  out.track = kTrackId;
  out.index = m.next_index;
  out.dts = out.pts = static_cast<std::int64_t>(m.dts(f.header));
  out.duration = f.header.block_size;
  out.size = static_cast<std::uint32_t>(end.end - f.offset);
  out.pos = f.offset;
  out.sync = true;
  m.next = end.next;
  if (m.next_index != core::kUnknownIndex) ++m.next_index;
  m.delivered = true;
  return core::ok();
}

Result<std::uint64_t> Demuxer::packet_count(std::uint32_t id) {
  Impl& m = *impl_;
  FRUGAL_CHECK(m.check_track(id));
  if (!m.source.seekable()) return make_error(Errc::unsupported, "FLAC: counting frames needs a seekable source");
  std::uint64_t n = 0;
  for (std::optional<Frame> f = m.first; f; ++n) {
    FRUGAL_TRY(FrameEnd end, m.scanner.find_end(*f, m.limits.max_packet_bytes));
    f = end.next;
  }
  return n;
}

Result<core::SeekPoint> Demuxer::seek(std::uint32_t id, std::uint64_t ticks) {
  Impl& m = *impl_;
  FRUGAL_CHECK(m.check_track(id));
  if (!m.first) return make_error(Errc::seek, "FLAC: no frames to seek to");
  const Frame& first = *m.first;
  Frame target = first;
  if (m.dts(first.header) + first.header.block_size <= ticks) {
    if (!m.source.seekable()) return make_error(Errc::unsupported, "FLAC: seeking needs a seekable source");
    std::uint64_t hi = m.source.size().value_or(~std::uint64_t{0});
    if (m.meta.seektable_points != 0) FRUGAL_CHECK(m.narrow_by_seektable(ticks, target, hi));
    FRUGAL_TRY(target, m.bisect(ticks, target, hi));
  } else if (!m.source.seekable() && m.delivered) {
    return make_error(Errc::unsupported, "FLAC: seeking needs a seekable source");
  }
  m.next = target;
  m.next_index = m.index_of(target);
  return core::SeekPoint{m.next_index, static_cast<std::int64_t>(m.dts(target.header))};
}

Result<core::SeekPoint> Demuxer::seek_to_sample(std::uint32_t, std::uint64_t) {
  return make_error(Errc::unsupported, "FLAC: frames are not numbered; seek by time");
}

Result<std::uint64_t> Demuxer::sample_at_time(std::uint32_t, std::uint64_t) {
  return make_error(Errc::unsupported, "FLAC: frames are not numbered; seek by time");
}

Result<std::optional<std::uint32_t>> Demuxer::preroll_samples(std::uint32_t id, std::uint64_t) {
  FRUGAL_CHECK(impl_->check_track(id));
  return std::optional<std::uint32_t>{};
}

Result<void> Demuxer::read_packet(const core::Packet& packet, std::span<std::byte> dst) {
  if (dst.size() < packet.size) return make_error(Errc::invalid_argument, "FLAC: buffer smaller than the packet");
  dst = dst.first(packet.size);
  if (impl_->scanner.copy_held(packet.pos, dst)) return core::ok();
  auto r = core::read_exact(impl_->source, packet.pos, dst);
  if (!r && r.error().code == Errc::end_of_stream)
    return make_error(Errc::malformed, "FLAC: the file ends inside the frame", packet.pos);
  return r;
}

}  // namespace frugal::flac
