#include <frugal/mp4/demuxer.hpp>

#include "mp4/chapters.hpp"
#include "mp4/fragment.hpp"
#include "mp4/fragment_index.hpp"
#include "mp4/movie.hpp"
#include "mp4/sample_table.hpp"

#include <frugal/core/arith.hpp>
#include <frugal/core/byte_reader.hpp>

#include <algorithm>
#include <atomic>
#include <array>

namespace frugal::mp4 {

using core::Errc;
using core::FourCC;
using core::make_error;
using core::Result;

namespace {

// FFmpeg delivers PCM whose samples are single frames in packets of up to
// 1024 frames within a chunk; frugal does the same so packet lists compare.
constexpr std::uint32_t kPcmFramesPerPacket = 1024;

// Bytes per PCM frame when a track's samples are single frames (every stts
// delta is 1), else 0: one packet per sample.
std::uint32_t pcm_frame_bytes(const Track& t, bool unit_deltas) {
  const core::CodecParameters* a = t.audio();
  if (!a || a->codec != core::Codec::pcm || !unit_deltas) return 0;
  return std::uint32_t{a->pcm.bytes_per_sample} * a->channels;
}

}  // namespace

struct Demuxer::Impl {
  struct TrackState {
    detail::SampleTable table;
    detail::SampleCursor cursor;
    std::uint32_t max_run = 1;
    std::uint32_t frame_bytes = 0;
    bool enabled = false;
    bool has_peeked = false;
    Packet peeked;
    std::uint64_t next_index = 0;
    // Fragmented files: after its moov samples (if any) the track goes on
    // in the moofs that follow moov.
    bool fragments = false;
    bool in_fragments = false;
    detail::FragmentCursor fragment;
    detail::FragmentPoint fragments_begin;  // where they start: offset, time, sample
    detail::FragmentIndex index;
    bool index_loaded = false;  // sidx / tfra looked for
  };

  // A read-ahead window over the caller's source, charged to the tracker.
  class ReadAhead {
   public:
    ReadAhead(core::ByteSource& inner, mem::Account account, std::size_t bytes)
        : buffer_(bytes), charge_(account, bytes), source_(inner, buffer_) {}
    core::BufferedSource& source() noexcept { return source_; }
    void set_capacity(std::size_t bytes) {  // 0: none
      if (bytes == buffer_.size()) return;
      source_.set_buffer({});
      std::vector<std::byte>(bytes).swap(buffer_);
      charge_.resize(bytes);
      source_.set_buffer(buffer_);
    }

   private:
    std::vector<std::byte> buffer_;
    mem::Charge charge_;
    core::BufferedSource source_;
  };

  // Box headers at open, table pages and sgpd go through one window, packet
  // payloads through another, so neither evicts the other: opening a file
  // costs a few reads rather than one per box header, and playing it one
  // read per window of small packets and per few table pages.
  static constexpr std::size_t kTableWindowBytes = 4096;
  static constexpr std::size_t kPacketWindowBytes = 2048;

  Impl(core::ByteSource& src, mem::Account cache_account)
      : tables(src, cache_account, kTableWindowBytes),
        packets(src, cache_account, kPacketWindowBytes),
        source(tables.source()),
        cache(source, cache_account) {}

  ReadAhead tables, packets;
  core::ByteSource& source;  // tables.source()
  detail::PageCache cache;
  core::Limits limits;
  std::vector<std::pair<std::uint32_t, detail::FragmentTable>> sidx;  // reference_ID, table
  std::vector<detail::TrackExtends> extends;  // trex of every track (the fragment cursors point here)
  FourCC major_brand;
  std::uint32_t timescale = 0;
  std::uint64_t duration = 0;
  bool fragmented = false;
  std::optional<GaplessInfo> itunes_gapless;
  detail::Chapters chapters;
  std::optional<core::Error> chapters_error;
  std::uint32_t max_packet_bytes = 0;
  std::vector<Track> tracks;
  std::vector<TrackState> states;  // parallel to tracks; never resized after open
  // Memory pressure is delivered on the tracker's thread; the demuxer acts
  // on it at its next call, on its own thread.
  std::atomic<int> pending_level{-1};
  mem::Subscription pressure;

  void apply_pressure() {
    const int level = pending_level.exchange(-1);
    if (level < 0) return;
    switch (static_cast<mem::PressureLevel>(level)) {
      case mem::PressureLevel::normal:
        cache.resize(detail::PageCache::kDefaultPages);
        set_read_ahead(true);
        break;
      case mem::PressureLevel::high:
        cache.resize(detail::PageCache::kDefaultPages / 2);
        set_read_ahead(true);
        break;
      case mem::PressureLevel::critical:
        cache.resize(detail::PageCache::kMinPages);
        cache.release_bulk();
        set_read_ahead(false);
        for (TrackState& s : states) {
          s.table.coarsen();
          s.index.coarsen();
        }
        break;
    }
  }

  void set_read_ahead(bool on) {
    tables.set_capacity(on ? kTableWindowBytes : 0);
    packets.set_capacity(on ? kPacketWindowBytes : 0);
  }

  Result<std::size_t> index_of(std::uint32_t id) const {
    for (std::size_t i = 0; i < tracks.size(); ++i)
      if (tracks[i].id == id) return i;
    return make_error(Errc::invalid_argument, "no track with that track ID");
  }

  // The chapters of the first chapter track a track names, when it is a
  // text track that yields any (then chpl's entries past their count, as
  // FFmpeg merges them); else chpl's. A forward-only input cannot come back
  // to the audio after reading a chapter track's samples (often at the end
  // of mdat): chpl's alone there.
  Result<detail::Chapters> load_chapters(const detail::Movie& movie, mem::Account account) {
    const std::uint64_t movie_end = core::mul_div(duration, detail::kChplTimescale, timescale);
    const std::uint64_t end = movie_end == ~std::uint64_t{0} ? 0 : movie_end;
    auto chpl = !movie.chpl   ? Result<detail::Chapters>(detail::Chapters{})
                : *movie.chpl ? detail::parse_chpl(**movie.chpl, end, limits, account)
                              : Result<detail::Chapters>(movie.chpl->error());
    for (const detail::ParsedTrack& referrer : movie.tracks) {
      if (referrer.chapter_track == 0 || !source.seekable()) continue;
      auto i = index_of(referrer.chapter_track);
      if (!i || tracks[*i].type != TrackType::text || tracks[*i].error) continue;
      auto listed = detail::read_chapter_track(source, tracks[*i], states[*i].table, timescale, end, limits, account);
      if (listed && !listed->list.empty()) {
        if (chpl) FRUGAL_CHECK(detail::append_chpl_tail(*listed, std::move(*chpl), end));
        return listed;
      }
      if (!listed && (listed.error().code == Errc::io || !movie.chpl)) return listed;
      break;
    }
    return chpl;
  }

  // Fills the track's next packet into its peek slot; false at its end.
  Result<bool> peek(std::size_t i) {
    TrackState& s = states[i];
    if (s.has_peeked) return true;
    detail::SampleRun run;
    bool more = false;
    if (!s.in_fragments) {
      FRUGAL_TRY(more, s.cursor.next(run, s.max_run, s.frame_bytes));
      if (!more && s.fragments) {
        s.in_fragments = true;
        s.fragment.restart(s.fragments_begin.offset, s.fragments_begin.time, s.fragments_begin.sample);
      }
    }
    if (s.in_fragments) {
      FRUGAL_TRY(more, next_fragment_sample(s, run));
      s.next_index = run.first_sample;
    }
    if (!more) return false;
    Packet& p = s.peeked;
    p.track = tracks[i].id;
    p.index = s.next_index == kUnknownIndex ? kUnknownIndex : s.next_index++;
    p.dts = run.dts;
    p.pts = run.dts + run.composition_offset;
    p.duration = run.duration;
    p.size = run.size > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(run.size);
    p.pos = run.offset;
    p.sync = run.sync;
    p.sample_count = run.sample_count;
    p.sample_description_index = run.description_index;
    s.has_peeked = true;
    return true;
  }

  // Where a track is: what a failed seek puts back.
  struct Position {
    detail::SampleCursor cursor;
    detail::FragmentCursor fragment;
    bool in_fragments;
    bool has_peeked;
    Packet peeked;
    std::uint64_t next_index;
  };
  static Position position_of(const TrackState& s) {
    return {s.cursor, s.fragment, s.in_fragments, s.has_peeked, s.peeked, s.next_index};
  }

  // Peeks the first packet at a position a seek just set; on error the track
  // goes back to `was`.
  Result<bool> peek_or_restore(std::size_t i, const Position& was) {
    auto more = peek(i);
    if (!more) {
      TrackState& s = states[i];
      s.cursor = was.cursor;
      s.fragment = was.fragment;
      s.in_fragments = was.in_fragments;
      s.has_peeked = was.has_peeked;
      s.peeked = was.peeked;
      s.next_index = was.next_index;
    }
    return more;
  }

  // The next sample in the fragments; the cursor does not move on error.
  // Fragments met on the way go into the index.
  Result<bool> next_fragment_sample(TrackState& s, detail::SampleRun& run) {
    const detail::FragmentCursor saved = s.fragment;
    auto more = s.fragment.next(run);
    if (!more) {
      s.fragment = saved;
      return more;
    }
    if (*more && s.fragment.moof_offset() != saved.moof_offset()) note_fragment(s, s.fragment);
    return more;
  }

  static void note_fragment(TrackState& s, const detail::FragmentCursor& at) {
    s.index.add({at.fragment_dts(), at.moof_offset(), at.fragment_sample(), 0});
  }

  // The index from the file's sidx for the track or its tfra, on first use.
  Result<void> load_index(std::size_t i) {
    TrackState& s = states[i];
    if (s.index_loaded) return core::ok();
    s.index_loaded = true;
    for (const auto& [id, table] : sidx)
      if (id == tracks[i].id) return s.index.load(source, table, tracks[i].timescale);
    FRUGAL_TRY(auto tfra, detail::find_tfra(source, limits, tracks[i].id, tracks[i].timescale));
    if (tfra) return s.index.load(source, *tfra, tracks[i].timescale);
    return core::ok();
  }

  // Puts a fragmented track at the last sync sample whose decode time is at
  // most `ticks`, in the fragments (ticks >= where they begin).
  Result<SeekPoint> seek_fragments(std::size_t i, std::int64_t ticks) {
    TrackState& s = states[i];
    const Position was = position_of(s);
    if (auto loaded = load_index(i); !loaded && loaded.error().code == Errc::io) return loaded.error();
    // A fragment at or before the target, found through the index; an index
    // time the fragment's own tfdt contradicts sends the search further back.
    detail::FragmentCursor at = s.fragment;
    std::uint64_t before = ~std::uint64_t{0};
    while (true) {
      FRUGAL_TRY(detail::FragmentPoint p, s.index.locate(source, ticks, before));
      at.restart(p.offset, p.time, p.sample);
      FRUGAL_TRY(bool found, at.next_fragment());
      const bool first = p.offset == s.fragments_begin.offset;
      if (first || (found && at.fragment_dts() <= ticks)) break;
      before = p.offset;
    }
    // Whole fragments forward while the next starts at or before the target.
    while (at.in_fragment()) {
      note_fragment(s, at);
      detail::FragmentCursor ahead = at;
      FRUGAL_TRY(bool more, ahead.next_fragment());
      if (!more || ahead.fragment_dts() > ticks) break;
      at = ahead;
    }
    // Samples forward to the one holding the target; land on the last sync
    // sample up to it.
    detail::FragmentCursor landing = at, probe = at;
    detail::SampleRun run;
    while (at.in_fragment()) {
      const detail::FragmentCursor before_sample = probe;
      FRUGAL_TRY(bool more, probe.next(run));
      if (!more || probe.moof_offset() != at.moof_offset()) break;
      if (run.sync) landing = before_sample;
      if (run.dts + static_cast<std::int64_t>(run.duration) > ticks) break;
    }
    return land_in_fragments(i, landing, was);
  }

  // Puts track `i` at `at` in its fragments and peeks the packet there; on
  // error the track is back at `was`.
  Result<SeekPoint> land_in_fragments(std::size_t i, const detail::FragmentCursor& at, const Position& was) {
    TrackState& s = states[i];
    s.fragment = at;
    s.in_fragments = true;
    s.has_peeked = false;
    s.next_index = at.sample();
    SeekPoint point{at.sample(), at.dts()};
    FRUGAL_TRY(bool more, peek_or_restore(i, was));
    if (more) point.dts = s.peeked.dts;
    return point;
  }

  // Puts a fragmented track at sample `sample` of its fragments, counting
  // from where they begin (sample numbers are not indexed: the walk passes
  // over whole fragments by their headers).
  Result<SeekPoint> seek_fragment_sample(std::size_t i, std::uint64_t sample) {
    TrackState& s = states[i];
    const Position was = position_of(s);
    detail::FragmentCursor at = s.fragment;
    at.restart(s.fragments_begin.offset, s.fragments_begin.time, s.fragments_begin.sample);
    FRUGAL_TRY(bool found, at.next_fragment());
    while (found) {
      detail::FragmentCursor ahead = at;
      FRUGAL_TRY(bool more, ahead.next_fragment());
      if (!more || ahead.fragment_sample() > sample) break;
      at = ahead;
    }
    detail::SampleRun run;
    while (found && at.sample() < sample) {
      detail::FragmentCursor probe = at;
      FRUGAL_TRY(bool more, probe.next(run));
      if (!more) break;
      at = probe;
    }
    return land_in_fragments(i, at, was);
  }

  Result<SeekPoint> seek_to_sample(std::size_t i, std::uint64_t sample) {
    TrackState& s = states[i];
    const Position was = position_of(s);
    if (s.fragments && sample >= s.fragments_begin.sample) return seek_fragment_sample(i, sample);
    FRUGAL_CHECK(s.cursor.seek(sample, s.frame_bytes));
    s.in_fragments = false;
    s.has_peeked = false;
    s.next_index = s.max_run == 1 ? sample : sample / s.max_run;
    SeekPoint point{sample, 0};
    FRUGAL_TRY(bool more, peek_or_restore(i, was));
    if (more) point.dts = states[i].peeked.dts;
    return point;
  }
};

Demuxer::Demuxer(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Demuxer::Demuxer(Demuxer&&) noexcept = default;
Demuxer& Demuxer::operator=(Demuxer&&) noexcept = default;
Demuxer::~Demuxer() = default;

Result<Demuxer> Demuxer::open(core::ByteSource& file, const DemuxerOptions& options) {
  const core::Limits& limits = options.limits;
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account cache_account, tracker.account("mp4/table_cache"));
  FRUGAL_TRY(mem::Account index_account, tracker.account("mp4/table_index"));
  auto impl = std::make_unique<Impl>(file, cache_account);
  core::ByteSource& source = impl->source;
  impl->max_packet_bytes = limits.max_packet_bytes;
  impl->limits = limits;

  // Top level: ftyp, then moov wherever it is. Walking stops after a moov
  // without mvex: a non-fragmented file needs nothing more.
  BoxReader top(source, limits);
  std::optional<detail::Movie> movie;
  bool saw_moof = false;
  std::uint64_t after_moov = 0;  // the first top-level box after moov
  FRUGAL_TRY(mem::Account fragment_account, tracker.account("mp4/fragment_index"));
  while (true) {
    FRUGAL_TRY(auto box, top.next());
    if (!box) break;
    if (box->type == FourCC("ftyp") && box->body_size() >= 4) {
      std::array<std::byte, 4> brand{};
      FRUGAL_CHECK(core::read_exact(source, box->body_offset(), brand));
      impl->major_brand = FourCC(core::load_be32(brand.data()));
    } else if (box->type == FourCC("moov") && !movie) {
      if (box->truncated) return make_error(Errc::malformed, "moov cut off by end of file", box->offset);
      FRUGAL_TRY(movie, detail::parse_moov(source, top, *box, limits));
      after_moov = box->end();
      if (!movie->fragmented) break;
    } else if (box->type == FourCC("mdat") && !movie && !source.seekable()) {
      return make_error(Errc::unsupported,
                        "moov after mdat: the movie header comes after the media data, and this input cannot go back",
                        box->offset);
    } else if (box->type == FourCC("moof")) {
      saw_moof = true;
      if (movie) break;
    } else if (box->type == FourCC("sidx") && movie && impl->sidx.size() < limits.max_tracks) {
      // The segment indexes before the first moof (one per track at most).
      std::uint32_t reference_id = 0;
      auto table = detail::read_sidx(source, *box, reference_id);
      if (!table && table.error().code == Errc::io) return table.error();
      const bool known = std::any_of(impl->sidx.begin(), impl->sidx.end(),
                                     [&](const auto& e) { return e.first == reference_id; });
      if (table && !known) impl->sidx.emplace_back(reference_id, *table);
    }
  }
  if (!movie) {
    if (saw_moof)
      return make_error(Errc::unsupported, "media segment without its initialization segment (no moov)");
    return make_error(Errc::malformed, "no moov box: not an MP4 file, or the movie header is missing");
  }

  impl->timescale = movie->timescale;
  impl->duration = movie->duration;
  impl->fragmented = movie->fragmented;
  impl->itunes_gapless = movie->itunes_gapless;
  impl->extends = std::move(movie->extends);
  impl->tracks.reserve(movie->tracks.size());
  impl->states.resize(movie->tracks.size());
  std::uint32_t table_id = 0;
  for (std::size_t i = 0; i < movie->tracks.size(); ++i) {
    Track& t = movie->tracks[i].track;
    Impl::TrackState& s = impl->states[i];
    for (const Track& earlier : impl->tracks)
      if (!t.error && earlier.id == t.id) t.error = make_error(Errc::malformed, "track_ID used by an earlier track");
    if (!t.error) {
      if (auto table = detail::SampleTable::open(source, movie->tracks[i].tables, impl->cache, index_account,
                                                 table_id)) {
        s.table = std::move(*table);
      } else {
        if (table.error().code == Errc::io) return table.error();
        t.error = table.error();
      }
    }
    if (!t.error && impl->fragmented) {
      // The track goes on in the moofs after moov: its defaults from trex,
      // its first fragment sample after the moov ones.
      s.fragments = true;
      s.fragment = detail::FragmentCursor(source, impl->limits, t.id, impl->extends,
                                          source.size().value_or(~std::uint64_t{0}));
      auto moov_ticks = s.table.total_duration();
      if (!moov_ticks && moov_ticks.error().code == Errc::io) return moov_ticks.error();
      const std::uint64_t ticks = moov_ticks ? *moov_ticks : 0;
      s.fragments_begin = {static_cast<std::int64_t>(ticks & INT64_MAX), after_moov, s.table.sample_count(), 0};
      if (!moov_ticks) t.error = moov_ticks.error();
      else if (auto room = s.index.init(fragment_account, s.fragments_begin); !room) t.error = room.error();
      // mdhd counts the samples in moov only (§8.8.1); mehd, when there is
      // one, the whole movie.
      const std::uint64_t mehd = movie->timescale != 0
          ? core::mul_div(movie->fragment_duration, t.timescale, movie->timescale) : 0;
      t.duration = mehd != ~std::uint64_t{0} ? mehd : 0;  // saturated: not a real duration
    }
    if (!t.error && !s.fragments && t.audio() && t.audio()->codec == core::Codec::pcm) {
      // PCM whose samples are single frames (stts: one run of delta 1).
      if (auto unit = s.table.unit_deltas(); unit && *unit) s.frame_bytes = pcm_frame_bytes(t, true);
      else if (!unit) t.error = unit.error();
    }
    s.max_run = s.frame_bytes ? kPcmFramesPerPacket : 1;
    t.sample_count = s.table.sample_count();
    s.enabled = !t.error;
    impl->tracks.push_back(std::move(t));
  }
  for (auto& s : impl->states) s.cursor = s.table.cursor();
  // Chapters are optional: what is wrong with them leaves them empty.
  FRUGAL_TRY(mem::Account chapter_account, tracker.account("mp4/chapters"));
  if (auto chapters = impl->load_chapters(*movie, chapter_account)) impl->chapters = std::move(*chapters);
  else if (chapters.error().code == Errc::io) return chapters.error();
  else impl->chapters_error = chapters.error();
  // moov's tables are read lazily: a forward-only source must keep them.
  FRUGAL_CHECK(source.will_revisit(after_moov));
  Impl* m = impl.get();
  impl->pressure = tracker.subscribe([m](mem::PressureLevel level) { m->pending_level.store(static_cast<int>(level)); });
  return Demuxer(std::move(impl));
}

core::FourCC Demuxer::major_brand() const noexcept { return impl_->major_brand; }
std::uint32_t Demuxer::movie_timescale() const noexcept { return impl_->timescale; }
std::uint64_t Demuxer::movie_duration() const noexcept { return impl_->duration; }
bool Demuxer::fragmented() const noexcept { return impl_->fragmented; }
const std::optional<GaplessInfo>& Demuxer::gapless() const noexcept { return impl_->itunes_gapless; }
const char* Demuxer::format_name() const noexcept { return "mp4"; }
bool Demuxer::indexed() const noexcept { return !impl_->fragmented; }
std::span<const Chapter> Demuxer::chapters() const noexcept { return impl_->chapters.list; }
const std::optional<core::Error>& Demuxer::chapters_error() const noexcept { return impl_->chapters_error; }
std::span<const Track> Demuxer::tracks() const noexcept { return impl_->tracks; }

Result<void> Demuxer::set_track_enabled(std::uint32_t id, bool enabled) {
  FRUGAL_TRY(std::size_t i, impl_->index_of(id));
  if (enabled && impl_->tracks[i].error) return *impl_->tracks[i].error;
  impl_->states[i].enabled = enabled;
  return core::ok();
}

Result<void> Demuxer::next_packet(Packet& out) {
  Impl& m = *impl_;
  m.apply_pressure();
  std::size_t best = m.states.size();
  for (std::size_t i = 0; i < m.states.size(); ++i) {
    if (!m.states[i].enabled) continue;
    FRUGAL_TRY(bool more, m.peek(i));
    if (more && (best == m.states.size() || m.states[i].peeked.pos < m.states[best].peeked.pos)) best = i;
  }
  if (best == m.states.size()) return make_error(Errc::end_of_stream, "no more packets");
  Impl::TrackState& s = m.states[best];
  s.has_peeked = false;
  if (s.peeked.size > m.max_packet_bytes)
    return make_error(Errc::limit_exceeded, "packet larger than the packet size limit", s.peeked.pos);
  out = s.peeked;
  return core::ok();
}

Result<std::uint64_t> Demuxer::packet_count(std::uint32_t id) {
  Impl& m = *impl_;
  FRUGAL_TRY(std::size_t i, m.index_of(id));
  if (m.tracks[i].error) return *m.tracks[i].error;
  Impl::TrackState& s = m.states[i];
  FRUGAL_TRY(std::uint64_t packets, s.table.run_count(s.max_run));
  if (!s.fragments) return packets;
  // Fragments are counted by walking them (their headers and trun entries);
  // the walk fills the index on the way.
  detail::FragmentCursor walk = s.fragment;
  walk.restart(s.fragments_begin.offset, s.fragments_begin.time, s.fragments_begin.sample);
  detail::SampleRun run;
  while (true) {
    const std::uint64_t moof = walk.in_fragment() ? walk.moof_offset() : 0;
    FRUGAL_TRY(bool more, walk.next(run));
    if (!more) return packets;
    if (walk.moof_offset() != moof) Impl::note_fragment(s, walk);
    ++packets;
  }
}

Result<SeekPoint> Demuxer::seek(std::uint32_t id, std::uint64_t ticks) {
  Impl& m = *impl_;
  m.apply_pressure();
  FRUGAL_TRY(std::size_t i, m.index_of(id));
  if (m.tracks[i].error) return *m.tracks[i].error;
  const Impl::TrackState& s = m.states[i];
  if (s.fragments && ticks >= static_cast<std::uint64_t>(s.fragments_begin.time))
    return m.seek_fragments(i, static_cast<std::int64_t>(std::min<std::uint64_t>(ticks, INT64_MAX)));
  detail::SampleTable& table = m.states[i].table;
  FRUGAL_TRY(std::uint64_t sample, table.sample_at_time(ticks));
  FRUGAL_TRY(sample, table.sync_sample_at_or_before(sample));
  return m.seek_to_sample(i, sample);
}

Result<SeekPoint> Demuxer::seek_to_sample(std::uint32_t id, std::uint64_t sample) {
  Impl& m = *impl_;
  m.apply_pressure();
  FRUGAL_TRY(std::size_t i, m.index_of(id));
  if (m.tracks[i].error) return *m.tracks[i].error;
  return m.seek_to_sample(i, sample);
}

Result<std::optional<std::uint32_t>> Demuxer::preroll_samples(std::uint32_t id, std::uint64_t sample) {
  FRUGAL_TRY(std::size_t i, impl_->index_of(id));
  if (impl_->tracks[i].error) return *impl_->tracks[i].error;
  const Impl::TrackState& s = impl_->states[i];
  if (s.fragments && sample >= s.fragments_begin.sample) return std::optional<std::uint32_t>{};
  return impl_->states[i].table.preroll_samples(sample);
}

Result<std::uint64_t> Demuxer::sample_at_time(std::uint32_t id, std::uint64_t ticks) {
  FRUGAL_TRY(std::size_t i, impl_->index_of(id));
  if (impl_->tracks[i].error) return *impl_->tracks[i].error;
  const Impl::TrackState& s = impl_->states[i];
  if (s.fragments && ticks >= static_cast<std::uint64_t>(s.fragments_begin.time))
    return make_error(Errc::unsupported, "sample numbers in fragments are not indexed: seek by time");
  return impl_->states[i].table.sample_at_time(ticks);
}

Result<void> Demuxer::read_packet(const Packet& packet, std::span<std::byte> dst) {
  if (dst.size() < packet.size) return make_error(Errc::invalid_argument, "buffer smaller than the packet");
  auto r = core::read_exact(impl_->packets.source(), packet.pos, dst.first(packet.size));
  if (!r && r.error().code == Errc::end_of_stream)
    return make_error(Errc::malformed, "sample data cut off by end of file", packet.pos);
  return r;
}

}  // namespace frugal::mp4
