#include <frugal/ogg/demuxer.hpp>

#include "ogg/cursor.hpp"
#include "ogg/mapping.hpp"

#include <frugal/mem/memory_tracker.hpp>

#include <algorithm>
#include <cstring>

namespace frugal::ogg {

using core::Errc;
using core::make_error;
using core::Result;
using detail::Cursor;
using detail::Page;
using detail::PageReader;
using detail::TimedPacket;

namespace {

constexpr std::uint32_t kRate = 48000;       // Opus granule positions count 48 kHz samples
constexpr std::uint64_t kMaxPage = 65307;    // 27 + 255 lacing values + 255 × 255 body bytes
constexpr std::uint64_t kBackChunk = 65536;  // backward read for the last granule position
constexpr std::uint64_t kMaxBack = 1u << 20; // how far back it looks
constexpr std::uint64_t kLinear = 65536;     // bisection stops at this span, then reads forward

// A page with a granule position, as bisection probes see it.
struct Mark {
  std::uint64_t offset = 0;
  std::uint64_t end = 0;
  std::int64_t granule = 0;
  bool eos = false;
};

}  // namespace

struct Demuxer::Impl {
  core::ByteSource& source;
  std::vector<core::Track> tracks;
  std::optional<core::GaplessInfo> gapless;  // never: trimming is in the edit list
  std::size_t active = 0;                    // index of the track that plays, when `cursor`
  bool enabled = true;
  detail::StreamInfo info;
  std::unique_ptr<Cursor> cursor;
  bool from_start = true;  // the cursor started at the file's start: packets are numbered

  explicit Impl(core::ByteSource& s) : source(s) {}

  Result<void> check_track(std::uint32_t id) const {
    if (id == 0 || id > tracks.size()) return make_error(Errc::invalid_argument, "no track with that ID");
    if (tracks[id - 1].error) return *tracks[id - 1].error;
    return core::ok();
  }

  // The next page of the stream with a granule position, from `from`, before `limit`.
  Result<std::optional<Mark>> probe(PageReader& r, std::uint64_t from, std::uint64_t limit) const {
    r.seek(from);
    Page page;
    for (;;) {
      FRUGAL_TRY(bool found, r.next(page, limit));
      if (!found || (page.bos() && page.offset >= info.audio_start)) return std::optional<Mark>{};
      if (page.serial() == info.serial && page.granule() >= 0)
        return std::optional(Mark{page.offset, page.end(), page.granule(), page.eos()});
    }
  }

  // The last audio page with a granule position (of the stream) starting
  // before `end`, read backward in bounded chunks (opusfile's
  // op_get_prev_page_serial); nullopt when the kMaxBack bytes before `end`
  // hold none.
  Result<std::optional<Mark>> last_mark(PageReader& r, std::uint64_t end) const {
    const std::uint64_t stop = end - std::min(end - std::min(end, info.audio_start), kMaxBack);
    while (end > stop) {
      const std::uint64_t begin = end - std::min(kBackChunk, end - stop);
      r.seek(begin);
      std::optional<Mark> last;
      Page page;
      for (;;) {
        FRUGAL_TRY(bool found, r.next(page, end));
        if (!found) break;
        if (page.serial() == info.serial && page.granule() >= 0 && !page.bos())
          last = Mark{page.offset, page.end(), page.granule(), page.eos()};
      }
      if (last) return last;
      end = begin;
    }
    return std::optional<Mark>{};
  }

  // The last audio page whose granule position is at most `ticks`
  // (opusfile's op_pcm_seek_page, without its interpolation), or nullopt
  // when the first audio page already ends past it. An EOS page gives way
  // to the page before it, which times its packets (end trimming).
  Result<std::optional<Mark>> bisect(PageReader& r, std::uint64_t ticks, std::uint64_t size) const {
    std::uint64_t lo = info.audio_start, hi = size;
    std::optional<Mark> best;
    while (lo < hi && hi - lo > kLinear) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      FRUGAL_TRY(std::optional<Mark> m, probe(r, mid, hi));
      if (m && static_cast<std::uint64_t>(m->granule) <= ticks) {
        best = m;
        lo = m->end;
      } else {
        hi = mid;
      }
    }
    for (std::uint64_t at = lo;;) {
      FRUGAL_TRY(std::optional<Mark> m, probe(r, at, ~std::uint64_t{0}));
      if (!m || static_cast<std::uint64_t>(m->granule) > ticks) break;
      best = m;
      at = m->end;
    }
    if (best && best->eos) {
      FRUGAL_TRY(std::optional<Mark> before, last_mark(r, best->offset));
      if (before) best = before;
    }
    return best;
  }

  Result<void> open_bos_pages(const core::DemuxerOptions& options);
  Result<void> read_timing();
};

Result<void> Demuxer::Impl::open_bos_pages(const core::DemuxerOptions& options) {
  PageReader r(source, info.account);
  Page page;
  bool have_audio = false;
  info.data_start = ~std::uint64_t{0};
  for (;;) {
    FRUGAL_TRY(bool found, r.next(page));
    if (!found) break;
    if (!page.bos()) {
      info.data_start = page.offset;
      break;
    }
    if (tracks.size() >= options.limits.max_tracks)
      return make_error(Errc::limit_exceeded, "Ogg: more logical streams than max_tracks", page.offset);
    core::Track& t = tracks.emplace_back();
    t.id = static_cast<std::uint32_t>(tracks.size());
    detail::LogicalStream stream(page.serial(), info.account, options.limits.max_packet_bytes);
    FRUGAL_CHECK(stream.page_in(page));
    FRUGAL_TRY(std::optional<detail::RawPacket> first, stream.packet_out());
    if (!first) {
      t.error = make_error(Errc::malformed, "Ogg: BOS page without a whole packet", page.offset);
      continue;
    }
    auto kind = detail::identify_stream(first->data);
    if (!kind) {
      t.type = core::TrackType::audio;
      t.error = kind.error();
      t.error->offset = page.offset;
      continue;
    }
    t.type = kind->type;
    t.timescale = kind->entry.codec.codec == core::Codec::opus ? kRate : kind->entry.codec.sample_rate;
    t.sample_entries.push_back(kind->entry);
    if (kind->entry.error) t.error = kind->entry.error;
    const core::Codec codec = kind->entry.codec.codec;
    if (t.error || (codec != core::Codec::opus && codec != core::Codec::flac)) continue;
    if (have_audio) {
      t.error = make_error(Errc::unsupported, "Ogg: only the first Opus or FLAC stream is played", page.offset);
      continue;
    }
    have_audio = true;
    active = tracks.size() - 1;
    info.serial = page.serial();
    info.codec = codec;
    info.header_packets = codec == core::Codec::opus ? detail::kOpusHeaders : detail::kUntilFirstFrame;
    // pre-skip: media time of the first presented sample (the edit list).
    if (codec == core::Codec::opus) t.edit_list.push_back(core::EditListEntry{0, kind->pre_skip, 1 << 16});
  }
  if (tracks.empty()) return make_error(Errc::malformed, "Ogg: no BOS page at the start");
  if (have_audio) {
    cursor = std::make_unique<Cursor>(source, info);
    cursor->start_at(0, info.header_packets);
  }
  return core::ok();
}

// The stream's first decode time and, on a seekable source, its final
// granule position: the presented length (RFC 7845 §4.4–4.5).
Result<void> Demuxer::Impl::read_timing() {
  FRUGAL_TRY(const TimedPacket* first, cursor->peek());
  info.audio_start = cursor->headers_end();
  if (!first) return core::ok();
  const std::int64_t start = first->dts;
  const std::optional<std::uint64_t> size = source.size();
  if (!source.seekable() || !size) return core::ok();
  PageReader r(source, info.account);
  FRUGAL_TRY(std::optional<Mark> last, last_mark(r, *size));
  core::Track& t = tracks[active];
  if (!last || last->granule < start) return core::ok();
  t.duration = static_cast<std::uint64_t>(last->granule - start);
  if (t.edit_list.empty()) return core::ok();  // FLAC: nothing to trim
  core::EditListEntry& e = t.edit_list.front();
  // A stream no longer than its pre-skip keeps "to the end" (0): an edit
  // cannot say "nothing".
  if (t.duration > static_cast<std::uint64_t>(e.media_time))
    e.segment_duration = t.duration - static_cast<std::uint64_t>(e.media_time);
  return core::ok();
}

Result<Demuxer> Demuxer::open(core::ByteSource& source, const core::DemuxerOptions& options) {
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account("ogg/pages"));
  auto impl = std::make_unique<Impl>(source);
  impl->info.account = account;
  impl->info.max_packet_bytes = options.limits.max_packet_bytes;
  FRUGAL_CHECK(impl->open_bos_pages(options));
  if (impl->cursor) FRUGAL_CHECK(impl->read_timing());
  return Demuxer(std::move(impl));
}

Demuxer::Demuxer(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Demuxer::Demuxer(Demuxer&&) noexcept = default;
Demuxer& Demuxer::operator=(Demuxer&&) noexcept = default;
Demuxer::~Demuxer() = default;

const char* Demuxer::format_name() const noexcept { return "ogg"; }
std::span<const core::Track> Demuxer::tracks() const noexcept { return impl_->tracks; }
std::uint32_t Demuxer::movie_timescale() const noexcept { return kRate; }
const std::optional<core::GaplessInfo>& Demuxer::gapless() const noexcept { return impl_->gapless; }
std::span<const core::Chapter> Demuxer::chapters() const noexcept { return {}; }
bool Demuxer::indexed() const noexcept { return false; }

Result<void> Demuxer::set_track_enabled(std::uint32_t id, bool enabled) {
  FRUGAL_CHECK(impl_->check_track(id));
  impl_->enabled = enabled;  // only the active track has no error
  return core::ok();
}

Result<void> Demuxer::next_packet(core::Packet& out) {
  Impl& m = *impl_;
  if (!m.cursor || !m.enabled) return make_error(Errc::end_of_stream, "end of stream");
  FRUGAL_TRY(const TimedPacket* p, m.cursor->peek());
  if (!p) {
    if (m.cursor->chained()) return make_error(Errc::unsupported, "Ogg: chained stream: links after the first are not played");
    return make_error(Errc::end_of_stream, "end of stream");
  }
  out = core::Packet{};
  out.track = m.tracks[m.active].id;
  out.index = m.from_start ? m.cursor->taken() : core::kUnknownIndex;
  out.dts = out.pts = p->dts;
  out.duration = p->duration;
  out.size = p->size;
  out.pos = p->pos;
  m.cursor->take();
  return core::ok();
}

Result<std::uint64_t> Demuxer::packet_count(std::uint32_t id) {
  Impl& m = *impl_;
  FRUGAL_CHECK(m.check_track(id));
  Cursor c(m.source, m.info);
  c.start_at(0, m.info.header_packets);
  for (;;) {
    FRUGAL_TRY(const TimedPacket* p, c.peek());
    if (!p) return c.taken();
    c.take();
  }
}

Result<core::SeekPoint> Demuxer::seek(std::uint32_t id, std::uint64_t ticks) {
  Impl& m = *impl_;
  FRUGAL_CHECK(m.check_track(id));
  // Before anything was taken, a time inside the first packet needs no reading.
  if (m.from_start && m.cursor->taken() == 0) {
    FRUGAL_TRY(const TimedPacket* p, m.cursor->peek());
    if (!p) return core::SeekPoint{core::kUnknownIndex, 0};
    if (ticks < static_cast<std::uint64_t>(p->dts) + p->duration) return core::SeekPoint{0, p->dts};
  }
  const std::optional<std::uint64_t> size = m.source.size();
  if (!m.source.seekable() || !size)
    return make_error(Errc::unsupported, "Ogg: cannot seek in a source that is not seekable");
  auto c = std::make_unique<Cursor>(m.source, m.info);
  FRUGAL_TRY(std::optional<Mark> page, m.bisect(c->pages(), ticks, *size));
  if (page) c->start_at(page->offset, 0);
  else c->start_at(0, m.info.header_packets);
  for (;;) {
    FRUGAL_TRY(const TimedPacket* p, c->peek());
    if (!p) return make_error(Errc::seek, "Ogg: no packet to land on");
    if (ticks < static_cast<std::uint64_t>(p->dts) + p->duration) break;
    FRUGAL_TRY(bool last, c->is_last());
    if (last) break;
    c->take();
  }
  FRUGAL_TRY(const TimedPacket* at, c->peek());
  const core::SeekPoint point{page ? core::kUnknownIndex : c->taken(), at->dts};
  m.cursor = std::move(c);
  m.from_start = !page;
  return point;
}

Result<core::SeekPoint> Demuxer::seek_to_sample(std::uint32_t, std::uint64_t) {
  return make_error(Errc::unsupported, "Ogg: packets are not numbered");
}

Result<std::uint64_t> Demuxer::sample_at_time(std::uint32_t, std::uint64_t) {
  return make_error(Errc::unsupported, "Ogg: packets are not numbered");
}

Result<std::optional<std::uint32_t>> Demuxer::preroll_samples(std::uint32_t, std::uint64_t) {
  return std::optional<std::uint32_t>{};
}

Result<void> Demuxer::read_packet(const core::Packet& packet, std::span<std::byte> dst) {
  Impl& m = *impl_;
  if (dst.size() < packet.size) return make_error(Errc::invalid_argument, "buffer smaller than the packet");
  if (!m.cursor) return make_error(Errc::invalid_argument, "no stream delivers packets");
  const auto copy = [&](const Cursor& c, const TimedPacket& p) {
    const auto bytes = c.bytes(p);
    std::memcpy(dst.data(), bytes.data(), bytes.size());
  };
  if (const TimedPacket* p = m.cursor->find(packet.pos); p && p->size == packet.size) {
    copy(*m.cursor, *p);
    return core::ok();
  }
  // Elsewhere: read again from a page before it (the page holding its
  // first byte starts less than one page size before it).
  Cursor c(m.source, m.info);
  c.start_at(std::max(m.info.audio_start, packet.pos > kMaxPage ? packet.pos - kMaxPage : 0), 0);
  for (;;) {
    FRUGAL_TRY(const TimedPacket* p, c.peek());
    if (!p || p->pos > packet.pos) return make_error(Errc::malformed, "Ogg: no packet starts there", packet.pos);
    if (p->pos == packet.pos && p->size == packet.size) {
      copy(c, *p);
      return core::ok();
    }
    c.take();
  }
}

}  // namespace frugal::ogg
