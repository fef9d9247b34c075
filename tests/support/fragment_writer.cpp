#include "support/fragment_writer.hpp"

#include <numeric>

namespace frugal::test {

namespace {

std::uint32_t track_id(const MovieSpec& movie, std::size_t track) {
  return movie.tracks[track].id != 0 ? movie.tracks[track].id : static_cast<std::uint32_t>(track + 1);
}

// Decode time after the track's moov samples (every sample 1 tick without stts).
std::int64_t moov_ticks(const TrackSpec& t) {
  if (t.stts.empty()) return static_cast<std::int64_t>(t.sample_sizes.size());
  std::int64_t ticks = 0;
  for (const SttsRun& r : t.stts) ticks += std::int64_t{r.count} * r.delta;
  return ticks;
}

// The values a reader must find for one sample after defaults apply.
struct Resolved {
  std::uint32_t duration;
  std::uint32_t size;
  std::uint32_t flags;
};

Resolved resolve(const TrafSpec& traf, const TrunSpec& trun, std::size_t i, const FragmentedSpec::Defaults& d) {
  const FragmentSample& s = trun.samples[i];
  Resolved r;
  r.duration = trun.per_sample_duration ? s.duration : traf.default_duration.value_or(d.duration);
  r.size = trun.per_sample_size ? s.size : traf.default_size.value_or(d.size);
  r.flags = trun.per_sample_flags ? s.flags : traf.default_flags.value_or(d.flags);
  if (i == 0 && trun.first_sample_flags) r.flags = *trun.first_sample_flags;
  return r;
}

struct TrackState {
  std::uint64_t next_sample = 0;
  std::int64_t dts = 0;
};

// One fragment (the `before` boxes, moof, mdat) written at file offset `at`.
Bytes build_fragment(const FragmentedSpec& spec, const MoofSpec& moof_spec, std::uint64_t at, std::uint32_t sequence,
                     std::vector<TrackState>& tracks, FragmentLayout* layout,
                     std::vector<std::int64_t>& first_dts, std::vector<std::uint64_t>& durations) {
  BoxWriter before;
  for (const Bytes& b : moof_spec.before) before.bytes(b);
  const std::uint64_t moof_offset = at + before.size();
  const auto defaults = [&](std::size_t track) {
    return track < spec.trex.size() ? spec.trex[track] : FragmentedSpec::Defaults{};
  };

  // The moof's size does not depend on the offsets in it: write it once to
  // learn where mdat's data starts, then again with the real offsets.
  const auto write_moof = [&](std::uint64_t data_start) {
    BoxWriter w;
    w.begin("moof").full_box("mfhd").u32(sequence).end();
    std::uint64_t pos = data_start;  // where the next sample's data goes
    for (std::size_t k = 0; k < moof_spec.trafs.size(); ++k) {
      const TrafSpec& traf = moof_spec.trafs[k];
      std::uint32_t tf = 0;
      if (traf.base == TrafBase::explicit_offset) tf |= 0x1;
      if (traf.description_index) tf |= 0x2;
      if (traf.default_duration) tf |= 0x8;
      if (traf.default_size) tf |= 0x10;
      if (traf.default_flags) tf |= 0x20;
      if (traf.duration_is_empty) tf |= 0x10000;
      if (traf.base == TrafBase::moof) tf |= 0x20000;
      const std::uint64_t base = traf.base == TrafBase::implicit && k > 0 ? pos : moof_offset;
      w.begin("traf").full_box("tfhd", 0, tf).u32(track_id(spec.init, traf.track));
      if (tf & 0x1) w.u64(moof_offset);
      if (tf & 0x2) w.u32(*traf.description_index);
      if (tf & 0x8) w.u32(*traf.default_duration);
      if (tf & 0x10) w.u32(*traf.default_size);
      if (tf & 0x20) w.u32(*traf.default_flags);
      w.end();
      if (traf.decode_time) {
        w.full_box("tfdt", traf.tfdt_version);
        if (traf.tfdt_version == 1) w.u64(*traf.decode_time);
        else w.u32(static_cast<std::uint32_t>(*traf.decode_time));
        w.end();
      }
      for (const TrunSpec& trun : traf.truns) {
        std::uint32_t rf = 0;
        if (trun.data_offset) rf |= 0x1;
        if (trun.first_sample_flags) rf |= 0x4;
        if (trun.per_sample_duration) rf |= 0x100;
        if (trun.per_sample_size) rf |= 0x200;
        if (trun.per_sample_flags) rf |= 0x400;
        if (trun.per_sample_composition) rf |= 0x800;
        w.full_box("trun", trun.version, rf).u32(static_cast<std::uint32_t>(trun.samples.size()));
        if (rf & 0x1) w.i32(static_cast<std::int32_t>(pos - base));
        if (rf & 0x4) w.u32(*trun.first_sample_flags);
        for (std::size_t i = 0; i < trun.samples.size(); ++i) {
          const Resolved r = resolve(traf, trun, i, defaults(traf.track));
          if (rf & 0x100) w.u32(trun.samples[i].duration);
          if (rf & 0x200) w.u32(trun.samples[i].size);
          if (rf & 0x400) w.u32(trun.samples[i].flags);
          if (rf & 0x800) w.i32(trun.samples[i].composition_offset);
          if (!traf.duration_is_empty) pos += r.size;
        }
        w.end();
      }
      w.end();
    }
    w.end();
    return w.take();
  };
  const std::uint64_t moof_size = write_moof(0).size();
  const std::uint64_t data_start = moof_offset + moof_size + 8;
  const Bytes moof = write_moof(data_start);

  // mdat: the samples in traf, trun, sample order; the layout as a reader sees it.
  BoxWriter mdat;
  mdat.begin("mdat");
  for (const TrafSpec& traf : moof_spec.trafs) {
    TrackState& t = tracks[traf.track];
    if (traf.decode_time) t.dts = static_cast<std::int64_t>(*traf.decode_time);
    if (first_dts[traf.track] < 0) first_dts[traf.track] = t.dts;
    for (const TrunSpec& trun : traf.truns) {
      for (std::size_t i = 0; i < trun.samples.size() && !traf.duration_is_empty; ++i) {
        const Resolved r = resolve(traf, trun, i, defaults(traf.track));
        if (layout)
          layout->samples[traf.track].push_back(
              {data_start + (mdat.size() - 8), r.size, t.dts, r.duration, (r.flags & kNonSyncSample) == 0});
        for (std::uint32_t b = 0; b < r.size; ++b) mdat.u8(std::to_integer<std::uint8_t>(sample_byte(traf.track, t.next_sample, b)));
        ++t.next_sample;
        t.dts = static_cast<std::int64_t>(static_cast<std::uint64_t>(t.dts) + r.duration);  // hostile tfdts wrap
        durations[traf.track] += r.duration;
      }
    }
  }
  mdat.end();
  if (layout) layout->moof_offsets.push_back(moof_offset);
  return concat({before.data(), moof, mdat.data()});
}

}  // namespace

std::vector<FragmentSample> fragment_samples(std::size_t n, std::uint32_t duration, std::uint32_t first_size) {
  std::vector<FragmentSample> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = {duration, first_size + static_cast<std::uint32_t>(i), 0, 0};
  return out;
}

Bytes build_fragmented_mp4(const FragmentedSpec& spec, FragmentLayout* layout) {
  MovieSpec init = spec.init;
  BoxWriter mvex;
  mvex.begin("mvex");
  if (spec.mehd) mvex.full_box("mehd", 1).u64(*spec.mehd).end();
  for (std::size_t i = 0; i < init.tracks.size(); ++i) {
    const FragmentedSpec::Defaults d = i < spec.trex.size() ? spec.trex[i] : FragmentedSpec::Defaults{};
    mvex.full_box("trex").u32(track_id(init, i)).u32(d.description_index).u32(d.duration).u32(d.size).u32(d.flags).end();
  }
  mvex.end();
  init.moov_extra.push_back(mvex.take());
  const Bytes head = build_mp4(init);

  const std::size_t n_tracks = init.tracks.size();
  std::vector<TrackState> tracks(n_tracks);
  for (std::size_t i = 0; i < n_tracks; ++i)
    tracks[i] = {init.tracks[i].sample_sizes.size(), moov_ticks(init.tracks[i])};
  if (layout) *layout = FragmentLayout{std::vector<std::vector<FragmentLayout::Sample>>(n_tracks), {}};

  // A sidx takes 12 bytes per fragment after a fixed header.
  const std::uint64_t sidx_size = spec.sidx_track ? 8 + 32 + 12 * spec.fragments.size() : 0;
  std::uint64_t at = head.size() + sidx_size;
  BoxWriter body;
  struct Subsegment {
    std::uint64_t size;
    std::vector<std::int64_t> first_dts;  // per track, -1: none
    std::vector<std::uint64_t> durations;
    std::uint64_t moof_offset;
  };
  std::vector<Subsegment> subsegments;
  for (std::size_t f = 0; f < spec.fragments.size(); ++f) {
    Subsegment s{0, std::vector<std::int64_t>(n_tracks, -1), std::vector<std::uint64_t>(n_tracks, 0), 0};
    s.moof_offset = at;
    for (const Bytes& b : spec.fragments[f].before) s.moof_offset += b.size();
    const Bytes fragment = build_fragment(spec, spec.fragments[f], at, static_cast<std::uint32_t>(f + 1), tracks, layout,
                                          s.first_dts, s.durations);
    s.size = fragment.size();
    body.bytes(fragment);
    at += fragment.size();
    subsegments.push_back(std::move(s));
  }

  BoxWriter out;
  out.bytes(head);
  if (spec.sidx_track) {
    const std::size_t t = *spec.sidx_track;
    const std::int64_t first = subsegments.empty() || subsegments[0].first_dts[t] < 0 ? 0 : subsegments[0].first_dts[t];
    out.full_box("sidx", 1).u32(track_id(init, t)).u32(init.tracks[t].timescale).u64(static_cast<std::uint64_t>(first)).u64(0);
    out.u16(0).u16(static_cast<std::uint16_t>(subsegments.size()));
    for (const Subsegment& s : subsegments)
      out.u32(static_cast<std::uint32_t>(s.size)).u32(static_cast<std::uint32_t>(s.durations[t])).u32(0x90000000u);
    out.end();
  }
  out.bytes(body.data());
  if (spec.mfra) {
    BoxWriter mfra;
    mfra.begin("mfra");
    for (std::size_t t = 0; t < n_tracks; ++t) {
      std::uint32_t entries = 0;
      for (const Subsegment& s : subsegments) entries += s.first_dts[t] >= 0;
      mfra.full_box("tfra", 1).u32(track_id(init, t)).u32(0).u32(entries);
      for (const Subsegment& s : subsegments)
        if (s.first_dts[t] >= 0) mfra.u64(static_cast<std::uint64_t>(s.first_dts[t])).u64(s.moof_offset).u8(1).u8(1).u8(1);
      mfra.end();
    }
    const std::uint64_t mfra_size = mfra.size() + 16;  // mfra's header and tfras so far, then mfro
    mfra.full_box("mfro").u32(static_cast<std::uint32_t>(mfra_size)).end();
    mfra.end();
    out.bytes(mfra.data());
  }
  return out.take();
}

}  // namespace frugal::test
