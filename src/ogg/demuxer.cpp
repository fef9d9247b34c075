#include <frugal/ogg/demuxer.hpp>

#include "ogg/cursor.hpp"
#include "ogg/mapping.hpp"

#include <frugal/mem/memory_tracker.hpp>

#include <algorithm>
#include <cstring>
#include <deque>

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

// One link of a chain (RFC 3533 §4, RFC 7845 §3) and its Opus (or the
// first link's FLAC) stream. A cursor refers to `info`: links live in a deque.
struct Link {
  detail::StreamInfo info;
  std::uint64_t begin = 0;             // offset of its first BOS page
  std::uint64_t end = ~std::uint64_t{0};  // offset of the next link's first BOS page
  std::int64_t base = 0;               // added to its granule positions: the track's decode time
  std::int64_t start = 0;              // its first packet's granule position
  std::int64_t stop = -1;              // where its last packet ends (untrimmed), -1: unknown
  std::int64_t final = -1;             // its last granule position, -1: unknown
  std::uint16_t pre_skip = 0;
};

struct Demuxer::Impl {
  core::ByteSource& source;
  std::vector<core::Track> tracks;
  std::optional<core::GaplessInfo> gapless;  // never: trimming is in the edit list
  std::size_t active = 0;                    // index of the track that plays, when `cursor`
  bool enabled = true;
  std::deque<Link> links;                    // the links found; links[0] always
  mem::Charge links_charge;
  std::optional<core::Error> chain_error;    // why the link after the last found does not play
  core::DemuxerOptions options;              // for links met while playing
  std::size_t link = 0;                      // the link `cursor` reads
  std::uint64_t taken_before = 0;            // packets of the links before `link` (numbering)
  std::unique_ptr<Cursor> cursor;
  bool from_start = true;  // the cursor started at the file's start: packets are numbered

  explicit Impl(core::ByteSource& s) : source(s) {}
  detail::StreamInfo& info() noexcept { return links.front().info; }

  Result<void> check_track(std::uint32_t id) const {
    if (id == 0 || id > tracks.size()) return make_error(Errc::invalid_argument, "no track with that ID");
    if (tracks[id - 1].error) return *tracks[id - 1].error;
    return core::ok();
  }

  // The next page of the stream with a granule position, from `from`, before `limit`.
  static Result<std::optional<Mark>> probe(PageReader& r, const Link& l, std::uint64_t from, std::uint64_t limit) {
    r.seek(from);
    Page page;
    for (;;) {
      FRUGAL_TRY(bool found, r.next(page, std::min(limit, l.end)));
      if (!found || (page.bos() && page.offset >= l.info.audio_start)) return std::optional<Mark>{};
      if (page.serial() == l.info.serial && page.granule() >= 0)
        return std::optional(Mark{page.offset, page.end(), page.granule(), page.eos()});
    }
  }

  // The last audio page with a granule position (of the link's stream)
  // starting before `end`, read backward in bounded chunks (opusfile's
  // op_get_prev_page_serial); nullopt when the kMaxBack bytes before `end`
  // hold none.
  static Result<std::optional<Mark>> last_mark(PageReader& r, const Link& l, std::uint64_t end) {
    const detail::StreamInfo& info = l.info;
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

  // The last audio page of link `l` whose granule position is at most
  // `ticks` (opusfile's op_pcm_seek_page, without its interpolation), or
  // nullopt when the first audio page already ends past it. An EOS page
  // gives way to the page before it, which times its packets (end trimming).
  static Result<std::optional<Mark>> bisect(PageReader& r, const Link& l, std::uint64_t ticks, std::uint64_t size) {
    std::uint64_t lo = l.info.audio_start, hi = std::min(size, l.end);
    std::optional<Mark> best;
    while (lo < hi && hi - lo > kLinear) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      FRUGAL_TRY(std::optional<Mark> m, probe(r, l, mid, hi));
      if (m && static_cast<std::uint64_t>(m->granule) <= ticks) {
        best = m;
        lo = m->end;
      } else {
        hi = mid;
      }
    }
    for (std::uint64_t at = lo;;) {
      FRUGAL_TRY(std::optional<Mark> m, probe(r, l, at, ~std::uint64_t{0}));
      if (!m || static_cast<std::uint64_t>(m->granule) > ticks) break;
      best = m;
      at = m->end;
    }
    if (best && best->eos) {
      FRUGAL_TRY(std::optional<Mark> before, last_mark(r, l, best->offset));
      if (before) best = before;
    }
    return best;
  }

  // A cursor over link `k` from its start (its headers dropped).
  std::unique_ptr<Cursor> cursor_at(std::size_t k) const {
    auto c = std::make_unique<Cursor>(source, links[k].info);
    c->start_at(links[k].begin, links[k].info.header_packets);
    return c;
  }

  Result<std::vector<std::uint32_t>> open_bos_pages();
  Result<bool> read_start(Link& l);
  Result<void> read_end(Link& l);
  Result<std::optional<std::uint64_t>> next_link(const Link& l, std::span<const std::uint32_t> serials,
                                                 std::uint64_t size);
  Result<std::vector<std::uint32_t>> open_link(std::uint64_t begin);
  Result<void> find_links(std::vector<std::uint32_t> serials);
  void build_timeline();
  Result<void> meet_link();
};

Result<std::vector<std::uint32_t>> Demuxer::Impl::open_bos_pages() {
  std::vector<std::uint32_t> serials;
  PageReader r(source, info().account);
  Page page;
  bool have_audio = false;
  info().data_start = ~std::uint64_t{0};
  for (;;) {
    FRUGAL_TRY(bool found, r.next(page));
    if (!found) break;
    if (!page.bos()) {
      info().data_start = page.offset;
      break;
    }
    if (tracks.size() >= options.limits.max_tracks)
      return make_error(Errc::limit_exceeded, "Ogg: more logical streams than max_tracks", page.offset);
    core::Track& t = tracks.emplace_back();
    t.id = static_cast<std::uint32_t>(tracks.size());
    serials.push_back(page.serial());
    detail::LogicalStream stream(page.serial(), info().account, options.limits.max_packet_bytes);
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
    info().serial = page.serial();
    info().codec = codec;
    info().header_packets = codec == core::Codec::opus ? detail::kOpusHeaders : detail::kUntilFirstFrame;
    links.front().pre_skip = kind->pre_skip;
  }
  if (tracks.empty()) return make_error(Errc::malformed, "Ogg: no BOS page at the start");
  if (have_audio) {
    cursor = std::make_unique<Cursor>(source, info());
    cursor->start_at(0, info().header_packets);
  }
  return serials;
}

// Where link `l`'s audio pages begin and its first decode time (RFC 7845
// §4.3); false when it has no audio packet.
Result<bool> Demuxer::Impl::read_start(Link& l) {
  Cursor c(source, l.info);
  c.start_at(l.begin, l.info.header_packets);
  FRUGAL_TRY(const TimedPacket* first, c.peek());
  l.info.audio_start = c.headers_end();
  if (first) l.start = first->dts;
  return first != nullptr;
}

// Link `l`'s final granule position (the presented end, RFC 7845 §4.5)
// and where its last packet ends untrimmed, read backward from its end
// (bounded: the kMaxBack bytes before it, then its last two pages again).
Result<void> Demuxer::Impl::read_end(Link& l) {
  PageReader r(source, l.info.account);
  FRUGAL_TRY(std::optional<Mark> last, last_mark(r, l, l.end));
  if (!last || last->granule < l.start) return core::ok();
  l.final = l.stop = last->granule;
  if (!last->eos) return core::ok();
  FRUGAL_TRY(std::optional<Mark> before, last_mark(r, l, last->offset));
  Cursor c(source, l.info);
  if (before) c.start_at(before->offset, 0);
  else c.start_at(l.begin, l.info.header_packets);
  for (;;) {
    FRUGAL_TRY(const TimedPacket* p, c.peek());
    if (!p) return core::ok();
    l.stop = p->dts + p->duration;
    c.take();
  }
}

// The offset of the link after `l` (a BOS page past its data), whose
// logical streams are `serials`, or nullopt: bisection over byte offsets
// by serial number (opusfile's op_bisect_forward_serialno), then a forward
// read of at most kLinear bytes and a page. Assumes no serial number comes
// back in a later link (RFC 3533 §4: they are unique within the file).
Result<std::optional<std::uint64_t>> Demuxer::Impl::next_link(const Link& l, std::span<const std::uint32_t> serials,
                                                              std::uint64_t size) {
  // A BOS page of the link's own streams repeats their headers (seen in the wild).
  const auto ours = [&](const Page& p) { return std::find(serials.begin(), serials.end(), p.serial()) != serials.end(); };
  PageReader r(source, l.info.account);
  Page page;
  std::uint64_t lo = l.info.data_start, hi = size;
  while (lo < hi && hi - lo > kLinear) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    r.seek(mid);
    FRUGAL_TRY(bool found, r.next(page, hi));
    if (!found) hi = mid;
    else if (ours(page)) lo = page.end();
    else hi = page.offset;
  }
  r.seek(lo);
  for (;;) {
    FRUGAL_TRY(bool found, r.next(page));
    if (!found) return std::optional<std::uint64_t>{};
    if (page.bos() && !ours(page)) return std::optional(page.offset);
  }
}

// The link starting at `begin`: appended when it has an Opus stream and a
// sample entry is left for it, else
// chain_error says why not. Returns its logical streams' serial numbers.
Result<std::vector<std::uint32_t>> Demuxer::Impl::open_link(std::uint64_t begin) {
  std::vector<std::uint32_t> serials;
  core::Track& t = tracks[active];
  PageReader r(source, info().account);
  r.seek(begin);
  Page page;
  std::optional<detail::StreamKind> opus;
  Link l;
  l.begin = begin;
  l.info = info();
  for (;;) {
    FRUGAL_TRY(bool found, r.next(page));
    if (!found || !page.bos()) {
      l.info.data_start = found ? page.offset : ~std::uint64_t{0};
      break;
    }
    if (serials.size() >= options.limits.max_tracks)
      return make_error(Errc::limit_exceeded, "Ogg: more logical streams than max_tracks", page.offset);
    serials.push_back(page.serial());
    if (opus) continue;
    detail::LogicalStream stream(page.serial(), info().account, options.limits.max_packet_bytes);
    FRUGAL_CHECK(stream.page_in(page));
    FRUGAL_TRY(std::optional<detail::RawPacket> first, stream.packet_out());
    if (!first) continue;
    auto kind = detail::identify_stream(first->data);
    if (!kind || kind->entry.error || kind->entry.codec.codec != core::Codec::opus) continue;
    opus = *kind;
    l.info.serial = page.serial();
  }
  if (!opus || info().codec != core::Codec::opus) {
    chain_error = make_error(Errc::unsupported, "Ogg: chained link without an Opus stream after an Opus link", begin);
  } else if (t.sample_entries.size() >= options.limits.max_sample_entries) {
    chain_error = make_error(Errc::limit_exceeded, "Ogg: more chained links than max_sample_entries", begin);
  } else {
    FRUGAL_CHECK(links_charge.try_resize((links.size() + 1) * sizeof(Link)));
    l.pre_skip = opus->pre_skip;
    links.push_back(l);
    t.sample_entries.push_back(opus->entry);
    t.sample_entries.back().new_stream = true;
  }
  return serials;
}

// Every link of a chained Opus file on a seekable source, each with its
// timing; `serials` are the first link's streams. Stops at the first link
// that cannot play (chain_error) or whose end is not found.
Result<void> Demuxer::Impl::find_links(std::vector<std::uint32_t> serials) {
  const std::optional<std::uint64_t> size = source.size();
  if (!source.seekable() || !size) return core::ok();
  for (;;) {
    Link& l = links.back();
    std::optional<std::uint64_t> next;
    if (info().codec == core::Codec::opus) {
      FRUGAL_TRY(next, next_link(l, serials, *size));
    }
    l.end = next.value_or(*size);
    FRUGAL_CHECK(read_end(l));
    if (!next || l.stop < 0) return core::ok();
    const std::size_t found = links.size();
    FRUGAL_TRY(serials, open_link(*next));
    if (links.size() == found) return core::ok();
    FRUGAL_TRY(bool audio, read_start(links.back()));
    if (!audio) {
      links.pop_back();
      tracks[active].sample_entries.pop_back();
      chain_error = make_error(Errc::malformed, "Ogg: chained link without audio packets", *next);
      return core::ok();
    }
    links.back().base = l.base + l.stop - links.back().start;
  }
}

// The track's duration and edit list: one segment per link, from its
// pre-skip to its final granule position (RFC 7845 §4.3–4.5), in media
// time counted from the first link's first packet.
void Demuxer::Impl::build_timeline() {
  core::Track& t = tracks[active];
  const Link& last = links.back();
  const std::int64_t origin = links.front().start;
  if (last.final >= 0 && last.base + last.final >= origin)
    t.duration = static_cast<std::uint64_t>(last.base + last.final - origin);
  if (info().codec != core::Codec::opus) return;  // FLAC: nothing to trim
  for (const Link& l : links) {
    const std::int64_t from = l.base + l.start - origin + l.pre_skip;
    const std::int64_t length = l.final - l.start - l.pre_skip;
    // A link no longer than its pre-skip presents nothing; alone it keeps
    // "to the end" (0): an edit cannot say "nothing".
    if (links.size() > 1 && length <= 0) continue;
    t.edit_list.push_back(core::EditListEntry{l.final >= 0 && length > 0 ? static_cast<std::uint64_t>(length) : 0,
                                              from, 1 << 16});
  }
}

// The link after the current one, met while playing a source whose links
// were not found at open (not seekable): it joins the track where the
// packets delivered so far end; no edit trims it. Its headers are read
// again: a stream source must still hold them.
Result<void> Demuxer::Impl::meet_link() {
  const Link& prev = links.back();
  const TimedPacket* last = cursor->last();
  const std::int64_t end = last ? last->dts + last->duration : prev.start;
  const std::size_t found = links.size();
  FRUGAL_TRY(std::vector<std::uint32_t> serials, open_link(cursor->next_link()));
  if (links.size() == found) return core::ok();
  FRUGAL_TRY(bool audio, read_start(links.back()));
  links.back().base = prev.base + end - links.back().start;
  if (!audio) chain_error = make_error(Errc::malformed, "Ogg: chained link without audio packets", links.back().begin);
  return core::ok();
}

Result<Demuxer> Demuxer::open(core::ByteSource& source, const core::DemuxerOptions& options) {
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account("ogg/pages"));
  auto impl = std::make_unique<Impl>(source);
  impl->options = options;
  impl->links.emplace_back();
  impl->links_charge = mem::Charge(account, 0);
  FRUGAL_CHECK(impl->links_charge.try_resize(sizeof(Link)));
  impl->info().account = account;
  impl->info().max_packet_bytes = options.limits.max_packet_bytes;
  FRUGAL_TRY(std::vector<std::uint32_t> serials, impl->open_bos_pages());
  if (impl->cursor) {
    FRUGAL_TRY(bool audio, impl->read_start(impl->links.front()));
    if (audio) FRUGAL_CHECK(impl->find_links(std::move(serials)));
    impl->build_timeline();
  }
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
  while (!p) {
    if (!m.cursor->chained()) return make_error(Errc::end_of_stream, "end of stream");
    if (m.link + 1 == m.links.size() && !m.chain_error) FRUGAL_CHECK(m.meet_link());
    if (m.link + 1 == m.links.size()) return *m.chain_error;
    m.taken_before += m.cursor->taken();
    m.cursor = m.cursor_at(++m.link);
    FRUGAL_TRY(p, m.cursor->peek());
  }
  out = core::Packet{};
  out.track = m.tracks[m.active].id;
  out.index = m.from_start ? m.taken_before + m.cursor->taken() : core::kUnknownIndex;
  out.dts = out.pts = p->dts + m.links[m.link].base;
  out.duration = p->duration;
  out.size = p->size;
  out.pos = p->pos;
  out.sample_description_index = static_cast<std::uint32_t>(m.link + 1);
  m.cursor->take();
  return core::ok();
}

Result<std::uint64_t> Demuxer::packet_count(std::uint32_t id) {
  Impl& m = *impl_;
  FRUGAL_CHECK(m.check_track(id));
  std::uint64_t count = 0;
  for (std::size_t k = 0; k < m.links.size(); ++k) {
    std::unique_ptr<Cursor> c = m.cursor_at(k);
    for (;;) {
      FRUGAL_TRY(const TimedPacket* p, c->peek());
      if (!p) break;
      c->take();
    }
    count += c->taken();
  }
  return count;
}

Result<core::SeekPoint> Demuxer::seek(std::uint32_t id, std::uint64_t ticks) {
  Impl& m = *impl_;
  FRUGAL_CHECK(m.check_track(id));
  // Before anything was taken, a time inside the first packet needs no reading.
  if (m.from_start && m.link == 0 && m.cursor->taken() == 0) {
    FRUGAL_TRY(const TimedPacket* p, m.cursor->peek());
    if (!p) return core::SeekPoint{core::kUnknownIndex, 0};
    if (ticks < static_cast<std::uint64_t>(p->dts) + p->duration) return core::SeekPoint{0, p->dts};
  }
  const std::optional<std::uint64_t> size = m.source.size();
  if (!m.source.seekable() || !size)
    return make_error(Errc::unsupported, "Ogg: cannot seek in a source that is not seekable");
  // The last link starting at or before `ticks`; then its granule positions.
  std::size_t k = 0;
  while (k + 1 < m.links.size() && m.links[k + 1].base + m.links[k + 1].start <= static_cast<std::int64_t>(ticks)) ++k;
  const Link& l = m.links[k];
  const std::int64_t local = std::max<std::int64_t>(static_cast<std::int64_t>(ticks) - l.base, 0);
  auto c = std::make_unique<Cursor>(m.source, l.info);
  FRUGAL_TRY(std::optional<Mark> page, Impl::bisect(c->pages(), l, static_cast<std::uint64_t>(local), *size));
  if (page) c->start_at(page->offset, 0);
  else c->start_at(l.begin, l.info.header_packets);
  for (;;) {
    FRUGAL_TRY(const TimedPacket* p, c->peek());
    if (!p) return make_error(Errc::seek, "Ogg: no packet to land on");
    if (local < p->dts + static_cast<std::int64_t>(p->duration)) break;
    FRUGAL_TRY(bool last, c->is_last());
    if (last) break;
    c->take();
  }
  FRUGAL_TRY(const TimedPacket* at, c->peek());
  const bool numbered = !page && k == 0;
  const core::SeekPoint point{numbered ? c->taken() : core::kUnknownIndex, at->dts + l.base};
  m.cursor = std::move(c);
  m.link = k;
  m.taken_before = 0;
  m.from_start = numbered;
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
  std::size_t k = 0;  // the link holding it
  while (k + 1 < m.links.size() && m.links[k + 1].begin <= packet.pos) ++k;
  const detail::StreamInfo& info = m.links[k].info;
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
  Cursor c(m.source, info);
  c.start_at(std::max(info.audio_start, packet.pos > kMaxPage ? packet.pos - kMaxPage : 0), 0);
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
