#include "support/virtual_mp4.hpp"

#include "support/rng.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

namespace frugal::test {

namespace {

// Samples an hour at the nominal delta: 3600 s * 48000 / delta.
constexpr std::uint64_t samples_per_hour(VirtualCodec codec) { return codec == VirtualCodec::opus ? 180000 : 168750; }

// many_runs: one period covers 2250 samples (80 periods an hour for Opus,
// 75 for AAC). stts: pairs of runs of equal count whose deltas sit
// symmetrically around the nominal one, so a period lasts exactly
// 2250 deltas; stsc: 16 runs of 1-60 samples per chunk, 119 chunks.
constexpr std::uint64_t kPeriodSamples = 2250;
constexpr std::array<std::uint32_t, 8> kSttsCounts = {100, 50, 200, 150, 250, 125, 100, 150};
constexpr std::array<std::uint32_t, 8> kSttsSpreads = {480, 240, 120, 60, 30, 15, 7, 3};
constexpr std::array<RunPattern::Run, 16> kStscPeriod = {{{5, 10}, {2, 25}, {10, 7}, {3, 50}, {10, 13}, {5, 40},
                                                          {10, 3}, {4, 60}, {10, 17}, {4, 45}, {20, 1}, {5, 30},
                                                          {10, 22}, {6, 55}, {10, 9}, {5, 34}}};
constexpr std::uint32_t kOrdinarySamplesPerChunk = 50;
constexpr std::uint64_t kConcatenatedChunksPerHour = 6;

// A broken formula is a bug in the test support: stop at once.
void require(bool condition) {
  if (!condition) std::abort();
}

void put_be(std::byte* out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<std::byte>(v >> (8 * (bytes - 1 - i)));
}

}  // namespace

// ---- RunPattern ------------------------------------------------------------------------

std::uint64_t RunPattern::counts_per_period() const noexcept {
  std::uint64_t n = 0;
  for (const Run& r : period) n += r.count;
  return n;
}

std::uint64_t RunPattern::products_per_period() const noexcept {
  std::uint64_t n = 0;
  for (const Run& r : period) n += std::uint64_t{r.count} * r.value;
  return n;
}

// ---- VirtualTrack ------------------------------------------------------------------------

VirtualTrack::VirtualTrack(const VirtualMovieSpec& spec) : spec_(spec) {
  const std::uint64_t per_hour = samples_per_hour(spec.codec);
  sample_count_ = per_hour * spec.hours;
  const std::uint32_t base = sample_delta();
  std::uint64_t max_per_chunk = 0;
  switch (spec.tables) {
    case VirtualTables::many_runs:
      for (std::size_t m = 0; m < kSttsCounts.size(); ++m) {
        stts_.period.push_back({kSttsCounts[m], base - kSttsSpreads[m]});
        stts_.period.push_back({kSttsCounts[m], base + kSttsSpreads[m]});
      }
      stts_.periods = sample_count_ / kPeriodSamples;
      stsc_.period.assign(kStscPeriod.begin(), kStscPeriod.end());
      stsc_.periods = sample_count_ / kPeriodSamples;
      for (const RunPattern::Run& r : kStscPeriod) max_per_chunk = std::max<std::uint64_t>(max_per_chunk, r.value);
      break;
    case VirtualTables::ordinary:
    case VirtualTables::concatenated: {
      stts_.period = {{static_cast<std::uint32_t>(sample_count_), base}};
      const std::uint64_t per_chunk = spec.tables == VirtualTables::ordinary ? kOrdinarySamplesPerChunk
                                                                             : per_hour / kConcatenatedChunksPerHour;
      stsc_.period = {{static_cast<std::uint32_t>(sample_count_ / per_chunk), static_cast<std::uint32_t>(per_chunk)}};
      max_per_chunk = per_chunk;
      break;
    }
  }
  // Every table covers exactly the samples; chunks never overlap.
  require(stts_.periods * stts_.counts_per_period() == sample_count_);
  require(stts_.period.size() == 1 || stts_.products_per_period() == kPeriodSamples * base);
  require(stsc_.periods * stsc_.products_per_period() == sample_count_);
  chunk_span_ = (max_per_chunk * kMaxSampleSize + 4095) / 4096 * 4096;
}

std::uint32_t VirtualTrack::sample_delta() const noexcept { return spec_.codec == VirtualCodec::opus ? 960 : 1024; }

std::uint64_t VirtualTrack::duration() const noexcept { return stts_.periods * stts_.products_per_period(); }

std::uint64_t VirtualTrack::chunk_count() const noexcept { return stsc_.periods * stsc_.counts_per_period(); }

std::uint64_t VirtualTrack::chunk_offset(std::uint64_t chunk) const noexcept {
  return kFirstChunkOffset + chunk * chunk_span_;
}

std::uint32_t VirtualTrack::size(std::uint64_t sample) const noexcept {
  return kMinSampleSize + static_cast<std::uint32_t>(mix64(sample) % (kMaxSampleSize - kMinSampleSize + 1));
}

VirtualTrack::ChunkPos VirtualTrack::chunk_of(std::uint64_t sample) const noexcept {
  const std::uint64_t per_period = stsc_.products_per_period();
  std::uint64_t rest = sample % per_period;
  std::uint64_t chunk = sample / per_period * stsc_.counts_per_period();
  for (const RunPattern::Run& r : stsc_.period) {
    const std::uint64_t samples = std::uint64_t{r.count} * r.value;
    if (rest < samples) return {chunk + rest / r.value, rest % r.value};
    rest -= samples;
    chunk += r.count;
  }
  std::abort();  // unreachable: the period covers per_period samples
}

std::uint64_t VirtualTrack::offset(std::uint64_t sample) const noexcept {
  const ChunkPos pos = chunk_of(sample);
  std::uint64_t offset = chunk_offset(pos.chunk);
  for (std::uint64_t s = sample - pos.in_chunk; s < sample; ++s) offset += size(s);
  return offset;
}

std::int64_t VirtualTrack::dts(std::uint64_t sample) const noexcept {
  const std::uint64_t per_period = stts_.counts_per_period();
  std::uint64_t rest = sample % per_period;
  std::uint64_t ticks = sample / per_period * stts_.products_per_period();
  for (const RunPattern::Run& r : stts_.period) {
    if (rest < r.count) return static_cast<std::int64_t>(ticks + rest * r.value);
    rest -= r.count;
    ticks += std::uint64_t{r.count} * r.value;
  }
  std::abort();
}

std::uint32_t VirtualTrack::delta(std::uint64_t sample) const noexcept {
  std::uint64_t rest = sample % stts_.counts_per_period();
  for (const RunPattern::Run& r : stts_.period) {
    if (rest < r.count) return r.value;
    rest -= r.count;
  }
  std::abort();
}

std::uint64_t VirtualTrack::sample_at_time(std::uint64_t ticks) const noexcept {
  if (ticks >= duration()) return sample_count_ - 1;
  const std::uint64_t per_period = stts_.products_per_period();
  std::uint64_t rest = ticks % per_period;
  std::uint64_t sample = ticks / per_period * stts_.counts_per_period();
  for (const RunPattern::Run& r : stts_.period) {
    const std::uint64_t span = std::uint64_t{r.count} * r.value;
    if (rest < span) return sample + rest / r.value;
    rest -= span;
    sample += r.count;
  }
  std::abort();
}

std::uint64_t VirtualTrack::sync_in_block(std::uint64_t block) const noexcept {
  return mix64(block ^ 0x5EEDull) % kSyncBlock;
}

bool VirtualTrack::sync(std::uint64_t sample) const noexcept {
  return !has_stss() || sample % kSyncBlock == sync_in_block(sample / kSyncBlock);
}

std::uint64_t VirtualTrack::sync_at_or_before(std::uint64_t sample) const noexcept {
  if (!has_stss()) return sample;
  const std::uint64_t block = sample / kSyncBlock;
  if (sample % kSyncBlock >= sync_in_block(block)) return block * kSyncBlock + sync_in_block(block);
  if (block == 0) return 0;  // no sync sample yet: the track's start
  return (block - 1) * kSyncBlock + sync_in_block(block - 1);
}

std::uint64_t VirtualTrack::stsc_first_chunk(std::uint64_t run) const noexcept {
  std::uint64_t chunk = run / stsc_.period.size() * stsc_.counts_per_period();
  for (std::size_t i = 0; i < run % stsc_.period.size(); ++i) chunk += stsc_.period[i].count;
  return chunk + 1;
}

std::uint64_t VirtualTrack::stss_count() const noexcept { return has_stss() ? sample_count_ / kSyncBlock : 0; }

std::uint32_t VirtualTrack::stss_entry(std::uint64_t i) const noexcept {
  return static_cast<std::uint32_t>(i * kSyncBlock + sync_in_block(i) + 1);
}

std::byte VirtualTrack::payload_byte(std::uint64_t offset) noexcept {
  return static_cast<std::byte>(mix64(offset >> 3) >> ((offset & 7) * 8));
}

// ---- the source -----------------------------------------------------------------------------

// A box of the file being laid out: built whole (small header boxes), or a
// header then `fields`, `children` and `count` generated entries.
struct VirtualMp4Source::Node {
  FourCC type;
  Bytes whole;
  Bytes fields;
  std::vector<Node> children;
  std::uint64_t count = 0;
  std::uint32_t entry_bytes = 0;
  std::function<void(std::uint64_t, std::byte*)> write;
  bool large = false;

  static Node box(Bytes whole) {
    Node n;
    n.whole = std::move(whole);
    return n;
  }
  static Node container(FourCC type, std::vector<Node> children) {
    Node n;
    n.type = type;
    n.children = std::move(children);
    return n;
  }
  // A FullBox (version 0, flags 0) holding `extra` then a 32-bit entry count and the entries.
  static Node table(FourCC type, Bytes extra, std::uint64_t count, std::uint32_t entry_bytes,
                    std::function<void(std::uint64_t, std::byte*)> write) {
    require(count <= 0xFFFFFFFFu);
    Node n;
    n.type = type;
    n.fields = BoxWriter().u32(0).bytes(extra).u32(static_cast<std::uint32_t>(count)).take();
    n.count = count;
    n.entry_bytes = entry_bytes;
    n.write = std::move(write);
    return n;
  }

  std::uint64_t size() const {
    if (!whole.empty()) return whole.size();
    std::uint64_t n = (large ? 16 : 8) + fields.size() + count * entry_bytes;
    for (const Node& c : children) n += c.size();
    return n;
  }
};

namespace {

constexpr std::uint32_t kUnityMatrix[9] = {0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000};

Bytes sample_entry(VirtualCodec codec) {
  if (codec == VirtualCodec::opus) return audio_sample_entry(AudioEntrySpec("Opus", {dops_box({})}).with_rate(48000));
  AscSpec asc;
  asc.frequency_index = 3;  // 48000
  return audio_sample_entry(
      AudioEntrySpec("mp4a", {esds_box(0x40, audio_specific_config(asc))}).with_rate(48000));
}

}  // namespace

VirtualMp4Source::VirtualMp4Source(const VirtualMovieSpec& spec) : track_(spec) {
  const VirtualTrack& t = track_;
  const std::uint32_t duration_ms = static_cast<std::uint32_t>(t.duration() / (VirtualTrack::kTimescale / 1000));

  BoxWriter mvhd;
  mvhd.full_box("mvhd").u32(0).u32(0).u32(1000).u32(duration_ms).u32(0x00010000).u16(0x0100).zeros(10);
  for (std::uint32_t m : kUnityMatrix) mvhd.u32(m);
  mvhd.zeros(24).u32(2).end();

  BoxWriter tkhd;
  tkhd.full_box("tkhd", 0, 3).u32(0).u32(0).u32(1).u32(0).u32(duration_ms).zeros(8).u16(0).u16(0).u16(0x0100).u16(0);
  for (std::uint32_t m : kUnityMatrix) tkhd.u32(m);
  tkhd.u32(0).u32(0).end();

  Bytes mdhd = BoxWriter().full_box("mdhd", 1).u64(0).u64(0).u32(VirtualTrack::kTimescale).u64(t.duration())
                   .u16(pack_language("eng")).u16(0).end().take();
  Bytes smhd = BoxWriter().full_box("smhd").u32(0).end().take();
  Bytes dinf = BoxWriter().begin("dinf").full_box("dref").u32(1).full_box("url ", 0, 1).end().end().end().take();
  Bytes stsd = BoxWriter().full_box("stsd").u32(1).bytes(sample_entry(spec.codec)).end().take();

  std::vector<Node> stbl;
  stbl.push_back(Node::box(std::move(stsd)));
  stbl.push_back(Node::table("stts", {}, t.stts().runs(), 8, [&t](std::uint64_t i, std::byte* out) {
    put_be(out, t.stts().run(i).count, 4);
    put_be(out + 4, t.stts().run(i).value, 4);
  }));
  if (t.has_stss()) {
    stbl.push_back(Node::table("stss", {}, t.stss_count(), 4,
                               [&t](std::uint64_t i, std::byte* out) { put_be(out, t.stss_entry(i), 4); }));
  }
  stbl.push_back(Node::table("stsc", {}, t.stsc().runs(), 12, [&t](std::uint64_t i, std::byte* out) {
    put_be(out, t.stsc_first_chunk(i), 4);
    put_be(out + 4, t.stsc().run(i).value, 4);
    put_be(out + 8, 1, 4);  // sample_description_index
  }));
  stbl.push_back(Node::table("stsz", BoxWriter().u32(0).take(), t.sample_count(), 4,
                             [&t](std::uint64_t i, std::byte* out) { put_be(out, t.size(i), 4); }));
  stbl.push_back(Node::table("co64", {}, t.chunk_count(), 8,
                             [&t](std::uint64_t i, std::byte* out) { put_be(out, t.chunk_offset(i), 8); }));

  Node minf = Node::container("minf", {Node::box(std::move(smhd)), Node::box(std::move(dinf)),
                                       Node::container("stbl", std::move(stbl))});
  Node mdia = Node::container("mdia", {Node::box(std::move(mdhd)), Node::box(hdlr_box(FourCC("soun"))),
                                       std::move(minf)});
  Node trak = Node::container("trak", {Node::box(tkhd.take()), std::move(mdia)});
  Node moov = Node::container("moov", {Node::box(mvhd.take()), std::move(trak)});
  Node ftyp = Node::box(
      BoxWriter().begin("ftyp").fourcc("M4A ").u32(0x200).fourcc("M4A ").fourcc("isom").fourcc("mp42").end().take());

  moov_size_ = moov.size();
  const std::uint64_t body = ftyp.size() + moov_size_ + 16;
  require(body <= VirtualTrack::kFirstChunkOffset);  // the chunks lie inside mdat
  Node mdat;
  mdat.type = FourCC("mdat");
  mdat.large = true;
  mdat.count = t.chunk_offset(t.chunk_count()) - body;
  mdat.entry_bytes = 1;
  mdat.write = [body](std::uint64_t i, std::byte* out) { *out = VirtualTrack::payload_byte(body + i); };

  std::uint64_t offset = 0;
  for (const Node* n : {&ftyp, &moov, &mdat}) lay_out(*n, offset);
  size_ = offset;
}

void VirtualMp4Source::lay_out(const Node& node, std::uint64_t& offset) {
  const auto literal = [&](Bytes bytes) {
    if (bytes.empty()) return;
    Segment s;
    s.offset = offset;
    s.length = bytes.size();
    s.literal = std::move(bytes);
    offset += s.length;
    segments_.push_back(std::move(s));
  };
  if (!node.whole.empty()) return literal(node.whole);
  BoxWriter header;
  const std::uint64_t size = node.size();
  if (node.large) header.u32(1).fourcc(node.type).u64(size);
  else header.u32(static_cast<std::uint32_t>(size)).fourcc(node.type);
  literal(header.bytes(node.fields).take());
  for (const Node& c : node.children) lay_out(c, offset);
  if (node.count == 0) return;
  Segment s;
  s.offset = offset;
  s.length = node.count * node.entry_bytes;
  s.entry_bytes = node.entry_bytes;
  s.write = node.write;
  offset += s.length;
  segments_.push_back(std::move(s));
}

void VirtualMp4Source::fill(const Segment& s, std::uint64_t offset, std::span<std::byte> dst) const {
  const std::uint64_t rel = offset - s.offset;
  if (!s.literal.empty()) {
    std::memcpy(dst.data(), s.literal.data() + rel, dst.size());
    return;
  }
  std::array<std::byte, 16> entry{};
  std::uint64_t index = rel / s.entry_bytes;
  std::size_t skip = static_cast<std::size_t>(rel % s.entry_bytes);
  for (std::size_t done = 0; done < dst.size(); ++index, skip = 0) {
    s.write(index, entry.data());
    const std::size_t n = std::min<std::size_t>(s.entry_bytes - skip, dst.size() - done);
    std::memcpy(dst.data() + done, entry.data() + skip, n);
    done += n;
  }
}

core::Result<std::size_t> VirtualMp4Source::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset >= size_) return std::size_t{0};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(dst.size(), size_ - offset));
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](std::uint64_t off, const Segment& s) { return off < s.offset; });
  std::uint64_t pos = offset;
  for (--it; pos < offset + n; ++it) {
    const std::uint64_t end = std::min(offset + n, it->offset + it->length);
    fill(*it, pos, dst.subspan(static_cast<std::size_t>(pos - offset), static_cast<std::size_t>(end - pos)));
    pos = end;
  }
  return n;
}

}  // namespace frugal::test
