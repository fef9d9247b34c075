#include "support/mp4_writer.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>

namespace frugal::test {

// ---- BoxWriter -------------------------------------------------------------------

BoxWriter& BoxWriter::u8(std::uint8_t v) {
  data_.push_back(static_cast<std::byte>(v));
  return *this;
}
BoxWriter& BoxWriter::u16(std::uint16_t v) {
  return u8(static_cast<std::uint8_t>(v >> 8)).u8(static_cast<std::uint8_t>(v));
}
BoxWriter& BoxWriter::u24(std::uint32_t v) {
  return u8(static_cast<std::uint8_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
}
BoxWriter& BoxWriter::u32(std::uint32_t v) {
  return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
}
BoxWriter& BoxWriter::u64(std::uint64_t v) {
  return u32(static_cast<std::uint32_t>(v >> 32)).u32(static_cast<std::uint32_t>(v));
}
BoxWriter& BoxWriter::bytes(std::span<const std::byte> v) {
  data_.insert(data_.end(), v.begin(), v.end());
  return *this;
}
BoxWriter& BoxWriter::zeros(std::size_t n) {
  data_.resize(data_.size() + n);
  return *this;
}

BoxWriter& BoxWriter::begin(FourCC type, bool large) {
  open_.push_back({data_.size(), large});
  u32(large ? 1 : 0).fourcc(type);
  if (large) u64(0);
  return *this;
}

BoxWriter& BoxWriter::full_box(FourCC type, std::uint8_t version, std::uint32_t flags) {
  return begin(type).u8(version).u24(flags);
}

BoxWriter& BoxWriter::end() {
  if (open_.empty()) std::abort();  // unbalanced end(): a bug in the test
  const Open box = open_.back();
  open_.pop_back();
  const std::uint64_t size = data_.size() - box.start;
  const auto patch = [&](std::size_t at, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) data_[at + i] = static_cast<std::byte>(v >> (8 * (n - 1 - i)));
  };
  if (box.large) patch(box.start + 8, size, 8);
  else patch(box.start, size, 4);
  return *this;
}

BoxWriter& BoxWriter::box(FourCC type, std::span<const std::byte> body) { return begin(type).bytes(body).end(); }

Bytes BoxWriter::take() {
  if (!open_.empty()) std::abort();  // a box left open: a bug in the test
  return std::move(data_);
}

Bytes make_box(FourCC type, std::span<const std::byte> body) { return BoxWriter().box(type, body).take(); }

Bytes concat(std::initializer_list<std::span<const std::byte>> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// ---- sample entries and codec boxes -----------------------------------------------

namespace {

// MSB-first bit packing, for AudioSpecificConfig.
class BitWriter {
 public:
  void put(std::uint32_t v, unsigned n) {
    for (unsigned i = n; i-- > 0;) {
      if (bits_ % 8 == 0) out_.push_back(std::byte{0});
      if ((v >> i) & 1u) out_.back() |= static_cast<std::byte>(0x80u >> (bits_ % 8));
      ++bits_;
    }
  }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
  std::size_t bits_ = 0;
};

// An MPEG-4 descriptor with a 4-byte length, as FFmpeg writes them.
void descriptor(BoxWriter& w, std::uint8_t tag, std::span<const std::byte> body) {
  const auto n = static_cast<std::uint32_t>(body.size());
  w.u8(tag).u8(static_cast<std::uint8_t>(0x80 | ((n >> 21) & 0x7F)))
      .u8(static_cast<std::uint8_t>(0x80 | ((n >> 14) & 0x7F)))
      .u8(static_cast<std::uint8_t>(0x80 | ((n >> 7) & 0x7F)))
      .u8(static_cast<std::uint8_t>(n & 0x7F))
      .bytes(body);
}

void write_frequency(BitWriter& bw, std::uint8_t index, std::uint32_t explicit_rate) {
  bw.put(index, 4);
  if (index == 0xF) bw.put(explicit_rate, 24);
}

}  // namespace

Bytes audio_sample_entry(const AudioEntrySpec& spec) {
  BoxWriter w;
  w.begin(spec.format).zeros(6).u16(spec.data_reference_index);
  const std::uint16_t version = spec.version.value_or(spec.v2 ? 2 : spec.v1 ? 1 : 0);
  w.u16(version).u16(0).u32(0);  // version, revision, vendor
  if (spec.v2) {
    const QtSoundV2& v2 = *spec.v2;
    w.u16(3).u16(16).u16(0xFFFE).u16(0).u32(0x00010000);  // the v2 constants
    w.u32(72).u64(std::bit_cast<std::uint64_t>(static_cast<double>(spec.sample_rate))).u32(spec.channels);
    w.u32(0x7F000000).u32(v2.bits_per_channel).u32(v2.format_flags).u32(v2.bytes_per_packet)
        .u32(v2.frames_per_packet);
  } else {
    w.u16(spec.channels).u16(spec.sample_bits).u16(0).u16(0).u32(spec.sample_rate << 16);
    if (spec.v1) {
      const QtSoundV1& v1 = *spec.v1;
      w.u32(v1.frames_per_packet).u32(v1.bytes_per_packet).u32(v1.bytes_per_frame).u32(v1.bytes_per_sample);
    }
  }
  for (const Bytes& child : spec.children) w.bytes(child);
  return w.end().take();
}

Bytes plain_sample_entry(FourCC format, std::span<const std::byte> body, std::uint16_t data_reference_index) {
  return BoxWriter().begin(format).zeros(6).u16(data_reference_index).bytes(body).end().take();
}

Bytes esds_box(std::uint8_t object_type, std::span<const std::byte> dsi) {
  BoxWriter config;
  config.u8(object_type).u8(0x15).u24(0).u32(0).u32(0);  // audio stream, buffer, bitrates
  if (!dsi.empty()) descriptor(config, 0x05, dsi);
  BoxWriter es;
  es.u16(1).u8(0);  // ES_ID, flags
  descriptor(es, 0x04, config.data());
  const std::byte sl[] = {std::byte{2}};
  descriptor(es, 0x06, sl);
  BoxWriter w;
  w.full_box("esds");
  descriptor(w, 0x03, es.data());
  return w.end().take();
}

Bytes audio_specific_config(const AscSpec& spec) {
  BitWriter bw;
  bw.put(spec.object_type, 5);
  write_frequency(bw, spec.frequency_index, spec.explicit_rate);
  bw.put(spec.channel_config, 4);
  if (spec.object_type == 5) {
    write_frequency(bw, spec.extension_frequency_index, spec.extension_explicit_rate);
    bw.put(2, 5);  // the core: AAC LC
  }
  bw.put(0, 3);  // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag
  return bw.take();
}

Bytes dops_box(const OpusSpec& spec) {
  BoxWriter w;
  w.begin("dOps").u8(spec.version).u8(spec.channels).u16(spec.pre_skip).u32(spec.input_rate);
  w.i16(spec.output_gain).u8(spec.family);
  if (spec.family != 0) {
    w.u8(spec.streams).u8(spec.coupled);
    for (std::uint8_t m : spec.mapping) w.u8(m);
  }
  return w.end().take();
}

Bytes dfla_box(std::uint32_t sample_rate, std::uint8_t channels, std::uint8_t bits, std::uint64_t total_samples) {
  BoxWriter w;
  w.full_box("dfLa").u8(0x80).u24(34);  // last block, STREAMINFO, 34 bytes
  w.u16(4096).u16(4096).u24(0).u24(0);  // block sizes, frame sizes
  w.u64((std::uint64_t{sample_rate} << 44) | (std::uint64_t{channels - 1u} << 41) |
        (std::uint64_t{bits - 1u} << 36) | (total_samples & 0xFFFFFFFFFull));
  w.zeros(16);  // MD5
  return w.end().take();
}

Bytes alac_config_box(std::uint32_t sample_rate, std::uint8_t channels, std::uint8_t bits,
                      std::uint32_t frame_length) {
  BoxWriter w;
  w.full_box("alac").u32(frame_length).u8(0).u8(bits).u8(40).u8(10).u8(14).u8(channels);
  w.u16(255).u32(0).u32(0).u32(sample_rate);  // maxRun, maxFrameBytes, avgBitRate
  return w.end().take();
}

Bytes pcmc_box(std::uint8_t format_flags, std::uint8_t sample_bits) {
  return BoxWriter().full_box("pcmC").u8(format_flags).u8(sample_bits).end().take();
}

Bytes hdlr_box(FourCC handler, FourCC pre_defined, const char* name) {
  BoxWriter w;
  w.full_box("hdlr").fourcc(pre_defined).fourcc(handler).zeros(12);
  w.bytes(std::as_bytes(std::span(name, std::strlen(name) + 1)));  // NUL-terminated
  return w.end().take();
}

Bytes enda_box(std::uint16_t little_endian) { return BoxWriter().begin("enda").u16(little_endian).end().take(); }

Bytes wave_box(std::initializer_list<Bytes> children) {
  BoxWriter w;
  w.begin("wave");
  for (const Bytes& c : children) w.bytes(c);
  return w.end().take();
}

// ---- chapters ------------------------------------------------------------------------

Bytes tref_box(FourCC type, std::initializer_list<std::uint32_t> track_ids) {
  BoxWriter w;
  w.begin("tref").begin(type);
  for (std::uint32_t id : track_ids) w.u32(id);
  return w.end().end().take();
}

Bytes chpl_box(std::uint8_t version, const std::vector<ChplEntry>& entries, std::optional<std::uint8_t> count) {
  BoxWriter w;
  w.full_box("chpl", version);
  if (version != 0) w.u32(0);
  w.u8(count.value_or(static_cast<std::uint8_t>(entries.size())));
  for (const ChplEntry& e : entries)
    w.u64(e.start).u8(static_cast<std::uint8_t>(e.title.size())).bytes(std::as_bytes(std::span(e.title)));
  return w.end().take();
}

Bytes text_sample(std::span<const std::byte> text, std::span<const std::byte> trailer) {
  return BoxWriter().u16(static_cast<std::uint16_t>(text.size())).bytes(text).bytes(trailer).take();
}

Bytes text_sample(std::string_view text) { return text_sample(std::as_bytes(std::span(text))); }

TrackSpec text_track(std::vector<Bytes> samples, std::vector<SttsRun> stts, std::uint32_t timescale) {
  TrackSpec t;
  t.handler = FourCC("text");
  t.timescale = timescale;
  t.sample_entries.push_back(plain_sample_entry(FourCC("text")));
  for (const Bytes& s : samples) {
    t.sample_sizes.push_back(static_cast<std::uint32_t>(s.size()));
    t.payload.insert(t.payload.end(), s.begin(), s.end());
  }
  t.stts = std::move(stts);
  return t;
}

// ---- movies ------------------------------------------------------------------------

std::vector<std::uint32_t> uniform_chunks(std::uint32_t total, std::uint32_t per_chunk) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t left = total; left > 0; left -= out.back()) out.push_back(std::min(left, per_chunk));
  return out;
}

TrackSpec audio_track(Bytes entry, std::vector<std::uint32_t> sample_sizes, std::uint32_t timescale) {
  TrackSpec t;
  t.timescale = timescale;
  t.sample_entries.push_back(std::move(entry));
  t.sample_sizes = std::move(sample_sizes);
  return t;
}

TrackSpec pcm_track(const AudioEntrySpec& entry, std::uint32_t frames, std::uint32_t frames_per_chunk) {
  const std::uint32_t bits = entry.v2 ? entry.v2->bits_per_channel : entry.sample_bits;
  TrackSpec t = audio_track(audio_sample_entry(entry), std::vector<std::uint32_t>(frames, bits / 8 * entry.channels),
                            entry.sample_rate);
  t.size_table = SizeTable::stsz_constant;
  t.chunks = uniform_chunks(frames, frames_per_chunk);
  return t;
}

namespace {

constexpr std::uint32_t kUnityMatrix[9] = {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000};

// A track with its defaults resolved.
struct ResolvedTrack {
  const TrackSpec* spec;
  std::uint32_t id;
  std::vector<std::uint32_t> chunks;
  std::vector<SttsRun> stts;
};

ResolvedTrack resolve(const TrackSpec& t, std::size_t index) {
  const auto n = static_cast<std::uint32_t>(t.sample_sizes.size());
  ResolvedTrack r{&t, t.id ? t.id : static_cast<std::uint32_t>(index + 1), t.chunks, t.stts};
  if (r.chunks.empty()) r.chunks.push_back(n);
  if (r.stts.empty()) r.stts.push_back({n, 1});
  return r;
}

// Runs of equal samples-per-chunk, as stsc stores them.
std::vector<StscRun> derive_stsc(const std::vector<std::uint32_t>& chunks) {
  std::vector<StscRun> runs;
  for (std::size_t i = 0; i < chunks.size(); ++i)
    if (runs.empty() || runs.back().samples_per_chunk != chunks[i])
      runs.push_back({static_cast<std::uint32_t>(i + 1), chunks[i], 1});
  return runs;
}

class TrakWriter {
 public:
  TrakWriter(BoxWriter& w, const ResolvedTrack& r, const std::vector<std::uint64_t>& chunk_offsets)
      : w_(w), r_(r), t_(*r.spec), offsets_(chunk_offsets) {}

  void write() {
    w_.begin("trak");
    if (keep("tkhd")) {
      w_.full_box("tkhd", 0, 3).u32(0).u32(0).u32(r_.id).u32(0).u32(0).zeros(8);
      w_.u16(0).u16(0).u16(t_.handler == FourCC("soun") ? 0x0100 : 0).u16(0);
      for (std::uint32_t m : kUnityMatrix) w_.u32(m);
      w_.u32(0).u32(0).end();
    }
    if (!t_.edits.empty() && keep("edts")) write_edts();
    for (const Bytes& box : t_.trak_extra) w_.bytes(box);
    w_.begin("mdia");
    if (keep("mdhd")) write_mdhd();
    if (keep("hdlr")) w_.bytes(hdlr_box(t_.handler));
    w_.begin("minf");
    if (t_.handler == FourCC("soun")) w_.full_box("smhd").u32(0).end();
    else if (t_.handler == FourCC("vide")) w_.full_box("vmhd", 0, 1).zeros(8).end();
    for (const Bytes& box : t_.minf_extra) w_.bytes(box);
    w_.begin("dinf").full_box("dref").u32(1).full_box("url ", 0, 1).end().end().end();
    write_stbl();
    w_.end().end().end();  // minf, mdia, trak
  }

 private:
  bool keep(FourCC type) const { return std::find(t_.omit.begin(), t_.omit.end(), type) == t_.omit.end(); }

  // A FullBox holding an entry count and then the entries.
  template <typename T, typename F>
  void table(FourCC type, std::uint8_t version, const std::vector<T>& entries, F&& write_entry) {
    w_.full_box(type, version).u32(static_cast<std::uint32_t>(entries.size()));
    for (const T& e : entries) write_entry(e);
    w_.end();
  }

  void write_edts() {
    w_.begin("edts");
    table("elst", t_.elst_version, t_.edits, [&](const EditSpec& e) {
      if (t_.elst_version == 1) w_.u64(e.segment_duration).i64(e.media_time);
      else w_.u32(static_cast<std::uint32_t>(e.segment_duration)).i32(static_cast<std::int32_t>(e.media_time));
      w_.i32(e.media_rate);
    });
    w_.end();
  }

  void write_mdhd() {
    std::uint64_t duration = 0;
    for (const SttsRun& run : r_.stts) duration += std::uint64_t{run.count} * run.delta;
    duration = t_.duration.value_or(duration);
    w_.full_box("mdhd", t_.mdhd_version);
    if (t_.mdhd_version == 1) w_.u64(0).u64(0).u32(t_.timescale).u64(duration);
    else w_.u32(0).u32(0).u32(t_.timescale).u32(static_cast<std::uint32_t>(duration));
    w_.u16(t_.language).u16(0).end();
  }

  void write_stbl() {
    w_.begin("stbl");
    if (keep("stsd")) table("stsd", t_.stsd_version, t_.sample_entries, [&](const Bytes& e) { w_.bytes(e); });
    if (keep("stts")) table("stts", 0, r_.stts, [&](const SttsRun& run) { w_.u32(run.count).u32(run.delta); });
    if (!t_.ctts.empty() && keep("ctts"))
      table("ctts", t_.ctts_version, t_.ctts, [&](const CttsRun& run) { w_.u32(run.count).i32(run.offset); });
    if (keep("stsc")) {
      table("stsc", 0, t_.stsc.value_or(derive_stsc(r_.chunks)), [&](const StscRun& run) {
        w_.u32(run.first_chunk).u32(run.samples_per_chunk).u32(run.description_index);
      });
    }
    write_sizes();
    const FourCC offsets_type = t_.co64 ? FourCC("co64") : FourCC("stco");
    if (keep(offsets_type)) {
      table(offsets_type, 0, offsets_, [&](std::uint64_t off) {
        if (t_.co64) w_.u64(off + t_.chunk_offset_bias);
        else w_.u32(static_cast<std::uint32_t>(off + t_.chunk_offset_bias));
      });
    }
    if (t_.stss && keep("stss")) table("stss", 0, *t_.stss, [&](std::uint32_t s) { w_.u32(s); });
    for (const Bytes& box : t_.stbl_extra) w_.bytes(box);
    w_.end();
  }

  void write_sizes() {
    const auto& sizes = t_.sample_sizes;
    const std::uint32_t count = t_.size_count.value_or(static_cast<std::uint32_t>(sizes.size()));
    const bool stsz = t_.size_table == SizeTable::stsz || t_.size_table == SizeTable::stsz_constant;
    if (!keep(stsz ? FourCC("stsz") : FourCC("stz2"))) return;
    if (stsz) {
      const bool constant = t_.size_table == SizeTable::stsz_constant;
      w_.full_box("stsz").u32(constant && !sizes.empty() ? sizes.front() : 0).u32(count);
      if (!constant)
        for (std::uint32_t s : sizes) w_.u32(s);
      w_.end();
      return;
    }
    const std::uint8_t field = t_.size_table == SizeTable::stz2_4 ? 4 : t_.size_table == SizeTable::stz2_8 ? 8 : 16;
    w_.full_box("stz2").u24(0).u8(field).u32(count);
    for (std::size_t i = 0; i < sizes.size(); i += field == 4 ? 2 : 1) {
      if (field == 4)
        w_.u8(static_cast<std::uint8_t>(((sizes[i] & 0xF) << 4) | (i + 1 < sizes.size() ? sizes[i + 1] & 0xF : 0)));
      else if (field == 8) w_.u8(static_cast<std::uint8_t>(sizes[i]));
      else w_.u16(static_cast<std::uint16_t>(sizes[i]));
    }
    w_.end();
  }

  BoxWriter& w_;
  const ResolvedTrack& r_;
  const TrackSpec& t_;
  const std::vector<std::uint64_t>& offsets_;
};

Bytes build_moov(const MovieSpec& spec, const std::vector<ResolvedTrack>& tracks,
                 const std::vector<std::vector<std::uint64_t>>& chunk_offsets) {
  BoxWriter w;
  w.begin("moov").full_box("mvhd").u32(0).u32(0).u32(spec.timescale).u32(static_cast<std::uint32_t>(spec.duration));
  w.u32(0x00010000).u16(0x0100).zeros(10);
  for (std::uint32_t m : kUnityMatrix) w.u32(m);
  w.zeros(24).u32(static_cast<std::uint32_t>(tracks.size() + 1)).end();
  for (std::size_t i = 0; i < tracks.size(); ++i) TrakWriter(w, tracks[i], chunk_offsets[i]).write();
  for (const Bytes& extra : spec.moov_extra) w.bytes(extra);
  return w.end().take();
}

// The mdat body: chunks round-robin across tracks (chunk 1 of every track,
// then chunk 2...), each after `chunk_gap` filler bytes. Offsets are relative
// to the body's start.
struct MdatBody {
  Bytes data;
  std::vector<std::vector<std::uint64_t>> chunk_offsets;
  std::vector<std::vector<std::uint64_t>> sample_offsets;
};

MdatBody build_mdat_body(const MovieSpec& spec, const std::vector<ResolvedTrack>& tracks) {
  MdatBody body;
  body.chunk_offsets.resize(tracks.size());
  body.sample_offsets.resize(tracks.size());
  std::vector<std::uint64_t> next_sample(tracks.size(), 0);
  std::vector<std::size_t> payload_pos(tracks.size(), 0);
  std::size_t max_chunks = 0;
  for (const auto& t : tracks) max_chunks = std::max(max_chunks, t.chunks.size());
  for (std::size_t c = 0; c < max_chunks; ++c) {
    for (std::size_t ti = 0; ti < tracks.size(); ++ti) {
      const ResolvedTrack& t = tracks[ti];
      if (c >= t.chunks.size()) continue;
      body.data.resize(body.data.size() + spec.chunk_gap, std::byte{0xEE});
      body.chunk_offsets[ti].push_back(body.data.size());
      const auto& sizes = t.spec->sample_sizes;
      for (std::uint32_t k = 0; k < t.chunks[c] && next_sample[ti] < sizes.size(); ++k) {
        const std::uint64_t s = next_sample[ti]++;
        body.sample_offsets[ti].push_back(body.data.size());
        for (std::uint32_t i = 0; i < sizes[s]; ++i) {
          const Bytes& payload = t.spec->payload;
          body.data.push_back(payload.empty() ? sample_byte(ti, s, i) : payload.at(payload_pos[ti]++));
        }
      }
    }
  }
  return body;
}

std::vector<std::vector<std::uint64_t>> shifted(std::vector<std::vector<std::uint64_t>> offsets, std::uint64_t by) {
  for (auto& track : offsets)
    for (auto& off : track) off += by;
  return offsets;
}

}  // namespace

Bytes build_mp4(const MovieSpec& spec, MovieLayout* layout) {
  std::vector<ResolvedTrack> tracks;
  for (std::size_t i = 0; i < spec.tracks.size(); ++i) tracks.push_back(resolve(spec.tracks[i], i));

  BoxWriter out;
  if (spec.brand) out.begin("ftyp").fourcc(*spec.brand).u32(0x200).fourcc(*spec.brand).fourcc("mp42").end();
  const MdatBody mdat = build_mdat_body(spec, tracks);
  const std::uint64_t mdat_header = spec.large_mdat ? 16 : 8;

  // Table sizes do not depend on offset values, so a moov built with body-
  // relative offsets has its final size.
  const std::uint64_t moov_size = build_moov(spec, tracks, mdat.chunk_offsets).size();
  const std::uint64_t mdat_offset = out.size() + (spec.layout == Layout::moov_first ? moov_size : 0);
  const std::uint64_t moov_offset =
      spec.layout == Layout::moov_first ? out.size() : mdat_offset + mdat_header + mdat.data.size();
  const std::uint64_t body_offset = mdat_offset + mdat_header;
  const Bytes moov = build_moov(spec, tracks, shifted(mdat.chunk_offsets, body_offset));

  if (spec.layout == Layout::moov_first) out.bytes(moov);
  out.begin("mdat", spec.large_mdat).bytes(mdat.data).end();
  if (spec.layout == Layout::mdat_first) out.bytes(moov);

  if (layout) {
    layout->sample_offsets = shifted(mdat.sample_offsets, body_offset);
    layout->moov_offset = moov_offset;
    layout->mdat_offset = mdat_offset;
  }
  return out.take();
}

}  // namespace frugal::test
