#include <frugal/player/audio_stream.hpp>

#include "support/fragment_writer.hpp"
#include "support/mp4_writer.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <set>
#include <cmath>
#include <cstring>
#include <string>

using namespace frugal;
using namespace frugal::test;
using core::Codec;
using core::Errc;
using core::SampleFormat;
using player::AudioStream;
using player::StreamOptions;

// ---- AudioStream over writer-built PCM files -------------------------------------------

namespace {

constexpr std::uint32_t kFrames = 3000;
constexpr std::uint32_t kRate = 44100;

// The known sample of `frame`, channel `ch` (covers most of the 16-bit range).
std::int16_t sample_value(std::uint32_t frame, unsigned ch) {
  return static_cast<std::int16_t>(static_cast<int>(frame) * 19 - 30000 + static_cast<int>(ch) * 7);
}

// Interleaved stereo samples as stored: 16-bit little-endian ('sowt') or
// 24-bit big-endian ('in24', the 16-bit value in the top bits).
Bytes stored_payload(std::uint32_t frames, bool in24) {
  Bytes out;
  for (std::uint32_t f = 0; f < frames; ++f) {
    for (unsigned ch = 0; ch < 2; ++ch) {
      const auto u = static_cast<std::uint16_t>(sample_value(f, ch));
      if (in24) out.insert(out.end(), {std::byte(u >> 8), std::byte(u & 0xFF), std::byte{0x5A}});
      else out.insert(out.end(), {std::byte(u & 0xFF), std::byte(u >> 8)});
    }
  }
  return out;
}

// What sample `v` (16-bit source) becomes in `format`, native byte order.
Bytes converted(std::int16_t v, SampleFormat format) {
  Bytes out(core::bytes_per_sample(format));
  const auto put = [&](auto x) { std::memcpy(out.data(), &x, sizeof x); };
  switch (format) {
    case SampleFormat::s16: put(v); break;
    case SampleFormat::s32: put(static_cast<std::int32_t>(std::uint32_t{static_cast<std::uint16_t>(v)} << 16)); break;
    case SampleFormat::f32: put(static_cast<float>(v) / 32768.0f); break;
    case SampleFormat::f64: put(static_cast<double>(v) / 32768.0); break;
    case SampleFormat::s24: {
      const auto u = static_cast<std::uint32_t>(static_cast<std::uint16_t>(v)) << 8;
      const std::byte lo{static_cast<std::uint8_t>(u)}, mid{static_cast<std::uint8_t>(u >> 8)},
          hi{static_cast<std::uint8_t>(u >> 16)};
      out = std::endian::native == std::endian::little ? Bytes{lo, mid, hi} : Bytes{hi, mid, lo};
      break;
    }
  }
  return out;
}

// Frames [first, first + count) of the known signal in `format`.
Bytes expected_frames(std::uint32_t first, std::uint32_t count, SampleFormat format) {
  Bytes out;
  for (std::uint32_t f = first; f < first + count; ++f)
    for (unsigned ch = 0; ch < 2; ++ch) {
      const Bytes s = converted(sample_value(f, ch), format);
      out.insert(out.end(), s.begin(), s.end());
    }
  return out;
}

// A stereo PCM movie of the known signal, 1000 frames to a chunk, with a
// 1 kHz movie clock (edit durations in milliseconds).
Bytes pcm_file(std::vector<EditSpec> edits = {}, bool in24 = false) {
  const AudioEntrySpec entry =
      AudioEntrySpec(in24 ? FourCC("in24") : FourCC("sowt")).with_bits(in24 ? 24 : 16).with_rate(kRate);
  TrackSpec t = pcm_track(entry, kFrames, 1000);
  t.payload = stored_payload(kFrames, in24);
  t.edits = std::move(edits);
  MovieSpec m;
  m.timescale = 1000;
  m.tracks.push_back(std::move(t));
  return build_mp4(m);
}

// An AudioStream over bytes it reads from memory.
struct OpenedStream {
  explicit OpenedStream(Bytes file, const StreamOptions& options = {})
      : OpenedStream(std::move(file), codec::DecoderRegistry::with_builtins(), options) {}
  OpenedStream(Bytes file, codec::DecoderRegistry decoders, const StreamOptions& options = {})
      : registry(std::move(decoders)), bytes(std::move(file)), source(bytes),
        stream(AudioStream::open(source, registry, options)) {}

  // Everything read() returns until it returns an empty block.
  Bytes read_all() {
    Bytes out;
    for (int guard = 0; guard < 100000; ++guard) {
      auto block = stream->read();
      if (!block) {
        ADD_FAILURE() << "read failed: " << block.error().message;
        return out;
      }
      if (block->empty()) return out;
      EXPECT_EQ(block->size() % stream->format().bytes_per_frame(), 0u) << "partial frame";
      max_block = std::max(max_block, block->size());
      out.insert(out.end(), block->begin(), block->end());
    }
    ADD_FAILURE() << "read() never ended";
    return out;
  }

  codec::DecoderRegistry registry;
  Bytes bytes;
  core::MemorySource source;
  core::Result<AudioStream> stream;
  std::size_t max_block = 0;
};

}  // namespace

TEST(AudioStream, DecodesEveryFrameOfAPcmTrack) {
  OpenedStream s(pcm_file());
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  const core::AudioFormat& f = s.stream->format();
  EXPECT_EQ(f.sample_rate, kRate);
  EXPECT_EQ(f.channels, 2u);
  EXPECT_EQ(f.format, SampleFormat::s16);
  EXPECT_EQ(f.valid_bits, 16u);
  EXPECT_EQ(s.stream->total_frames(), kFrames);
  EXPECT_EQ(s.stream->track().id, 1u);
  const Bytes pcm = s.read_all();
  EXPECT_EQ(pcm.size(), kFrames * 4u);
  EXPECT_EQ(pcm, expected_frames(0, kFrames, SampleFormat::s16));
  EXPECT_EQ(s.stream->position_frames(), kFrames);
  EXPECT_LE(s.max_block, 1024u * 4);  // one packet a block
  auto again = s.stream->read();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

struct EditTrim {
  std::int64_t media_time;            // frames (media timescale = sample rate)
  std::uint64_t segment_ms;           // movie timescale 1000
  std::uint32_t expected_first;
  std::uint32_t expected_count;
};

class AudioStreamEditList : public testing::TestWithParam<EditTrim> {};

TEST_P(AudioStreamEditList, KeepsOnlyTheEditedFrames) {
  const EditTrim& e = GetParam();
  OpenedStream s(pcm_file({{e.segment_ms, e.media_time}}));
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  EXPECT_EQ(s.stream->total_frames(), std::uint64_t{e.expected_count});
  const Bytes pcm = s.read_all();
  EXPECT_EQ(pcm.size(), e.expected_count * 4u);
  EXPECT_EQ(pcm, expected_frames(e.expected_first, e.expected_count, SampleFormat::s16));
  EXPECT_EQ(s.stream->position_frames(), e.expected_count);
}

INSTANTIATE_TEST_SUITE_P(
    Windows, AudioStreamEditList,
    testing::Values(EditTrim{100, 20, 100, 882},     // 20 ms = 882 frames, inside the first packet run
                    EditTrim{1000, 10, 1000, 441},   // starts on a chunk boundary
                    EditTrim{1500, 30, 1500, 1323},  // crosses chunk and packet boundaries
                    EditTrim{2900, 1000, 2900, 100}  // longer than the media: ends with it
                    ));

// An empty edit is silence (§8.6.6); then the media edit.
TEST(AudioStream, EmptyEditIsSilenceThenTheMediaEdit) {
  OpenedStream s(pcm_file({{10, -1}, {10, 50}}));
  ASSERT_TRUE(s.stream);
  EXPECT_EQ(s.stream->total_frames(), 882u);
  Bytes want(441 * 4, std::byte{0});
  const Bytes media = expected_frames(50, 441, SampleFormat::s16);
  want.insert(want.end(), media.begin(), media.end());
  EXPECT_EQ(s.read_all(), want);
}

// Edits play in list order, going back in the media when they say so, and
// contiguous edits join without a lost or repeated frame.
TEST(AudioStream, SeveralMediaEditsInListOrder) {
  OpenedStream s(pcm_file({{10, 2000}, {10, 100}, {10, 541}}));
  ASSERT_TRUE(s.stream);
  Bytes want = expected_frames(2000, 441, SampleFormat::s16);
  const Bytes rest = expected_frames(100, 882, SampleFormat::s16);
  want.insert(want.end(), rest.begin(), rest.end());
  EXPECT_EQ(s.read_all(), want);
  EXPECT_EQ(s.stream->position_frames(), 3 * 441u);
}

// A seek lands in the right edit: inside the silence, or inside a later media edit.
TEST(AudioStream, SeekAcrossEdits) {
  OpenedStream s(pcm_file({{10, -1}, {10, 2000}, {10, 100}}));
  ASSERT_TRUE(s.stream);
  ASSERT_TRUE(s.stream->seek(441 + 441 + 40));
  EXPECT_EQ(s.read_all(), expected_frames(140, 401, SampleFormat::s16));
  ASSERT_TRUE(s.stream->seek(400));
  Bytes want(41 * 4, std::byte{0});
  const Bytes media = expected_frames(2000, 441, SampleFormat::s16);
  want.insert(want.end(), media.begin(), media.end());
  const Bytes last = expected_frames(100, 441, SampleFormat::s16);
  want.insert(want.end(), last.begin(), last.end());
  EXPECT_EQ(s.read_all(), want);
}

TEST(AudioStream, EditRateOtherThanOneIsUnsupported) {
  std::vector<EditSpec> edits = {{10, 100}};
  edits[0].media_rate = 2 << 16;
  OpenedStream s(pcm_file(edits));
  ASSERT_FALSE(s.stream);
  EXPECT_EQ(s.stream.error().code, Errc::unsupported);
}

TEST(AudioStream, UseEditListFalseKeepsEverything) {
  StreamOptions options;
  options.use_edit_list = false;
  OpenedStream s(pcm_file({{20, 100}}), options);
  ASSERT_TRUE(s.stream);
  EXPECT_EQ(s.stream->total_frames(), kFrames);
  EXPECT_EQ(s.read_all(), expected_frames(0, kFrames, SampleFormat::s16));
}

// Fragments whose first tfdt is not 0 (a live stream, segments joined in
// the middle): frames count from the first decode time, so reading gives
// every frame once and a seek lands where it should.
TEST(AudioStream, FragmentsStartingLate) {
  FragmentedSpec spec;
  spec.init.tracks = {audio_track(audio_sample_entry(AudioEntrySpec("sowt").with_bits(16).with_rate(kRate)), {}, kRate)};
  for (std::uint64_t k = 0; k < 3; ++k) {
    TrafSpec t;
    t.truns = {TrunSpec(fragment_samples(2, 1000, 4000))};
    for (FragmentSample& f : t.truns[0].samples) f.size = 4000;  // 1000 stereo s16 frames
    t.decode_time = 441000 + 2000 * k;
    spec.fragments.push_back(MoofSpec({t}));
  }
  FragmentLayout layout;
  const Bytes file = build_fragmented_mp4(spec, &layout);
  Bytes all;
  for (const auto& sample : layout.samples[0])
    all.insert(all.end(), file.begin() + static_cast<std::ptrdiff_t>(sample.offset),
               file.begin() + static_cast<std::ptrdiff_t>(sample.offset + sample.size));
  OpenedStream s(file);
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  EXPECT_EQ(s.read_all(), all);
  ASSERT_TRUE(s.stream->seek(2500));
  EXPECT_EQ(s.read_all(), Bytes(all.begin() + 2500 * 4, all.end()));
  ASSERT_TRUE(s.stream->seek(0));
  EXPECT_EQ(s.read_all(), all);
}

class AudioStreamFormat : public testing::TestWithParam<std::pair<SampleFormat, std::uint8_t>> {};

TEST_P(AudioStreamFormat, ConvertsToTheRequestedFormat) {
  StreamOptions options;
  options.format = GetParam().first;
  OpenedStream s(pcm_file({{10, 700}}), options);  // 441 frames from 700
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  EXPECT_EQ(s.stream->format().format, GetParam().first);
  EXPECT_EQ(s.stream->format().valid_bits, GetParam().second);
  EXPECT_EQ(s.read_all(), expected_frames(700, 441, GetParam().first));
}

INSTANTIATE_TEST_SUITE_P(Formats, AudioStreamFormat,
                         testing::Values(std::pair{SampleFormat::s16, std::uint8_t{16}},
                                         std::pair{SampleFormat::s24, std::uint8_t{16}},
                                         std::pair{SampleFormat::s32, std::uint8_t{16}},
                                         std::pair{SampleFormat::f32, std::uint8_t{32}},
                                         std::pair{SampleFormat::f64, std::uint8_t{64}}),
                         [](const auto& param_info) {
                           return std::string(core::sample_format_name(param_info.param.first));
                         });

TEST(AudioStream, BigEndian24BitSourceDefaultsToS24) {
  OpenedStream s(pcm_file({}, /*in24=*/true));
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  EXPECT_EQ(s.stream->format().format, SampleFormat::s24);
  EXPECT_EQ(s.stream->format().valid_bits, 24u);
  // Each stored sample is the 16-bit value followed by 0x5A: in s24, v << 8 | 0x5A.
  const Bytes pcm = s.read_all();
  ASSERT_EQ(pcm.size(), kFrames * 6u);
  for (std::uint32_t f : {0u, 1u, 1023u, 1024u, 2999u}) {
    Bytes expected = converted(sample_value(f, 1), SampleFormat::s24);
    expected[std::endian::native == std::endian::little ? 0 : 2] = std::byte{0x5A};
    EXPECT_EQ(Bytes(pcm.begin() + f * 6 + 3, pcm.begin() + f * 6 + 6), expected) << "frame " << f;
  }
}

// ---- choosing the track ---------------------------------------------------------------------

namespace {

TrackSpec video_track() {
  TrackSpec t;
  t.handler = FourCC("vide");
  t.timescale = 90000;
  t.sample_entries = {plain_sample_entry("avc1", Bytes(70))};
  t.sample_sizes = {100, 100};
  return t;
}

Bytes movie_file(std::vector<TrackSpec> tracks) {
  MovieSpec m;
  m.tracks = std::move(tracks);
  return build_mp4(m);
}

TrackSpec sowt_track() { return pcm_track(AudioEntrySpec("sowt"), 100, 100); }

void expect_open_error(Bytes file, Errc code, const StreamOptions& options = {}) {
  OpenedStream s(std::move(file), options);
  ASSERT_FALSE(s.stream) << "open succeeded";
  EXPECT_EQ(s.stream.error().code, code) << s.stream.error().message;
}

}  // namespace

TEST(AudioStream, PicksTheFirstAudioTrack) {
  OpenedStream s(movie_file({video_track(), sowt_track()}));
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  EXPECT_EQ(s.stream->track().id, 2u);
  EXPECT_EQ(s.read_all().size(), 100u * 4);  // the video track's packets are not decoded
}

// Duplicate track_IDs are forbidden (ISO/IEC 14496-12 §8.3.2): the later
// track is reported broken, so its packets can never mix with the first's.
// (At commit e7d407f enabling the chosen track by ID re-enabled the video
// track with the same ID, and its samples were decoded as PCM.)
TEST(AudioStream, DuplicateTrackIdIsMalformedNotMixed) {
  TrackSpec video = video_track();
  video.id = 1;
  TrackSpec audio = sowt_track();
  audio.id = 1;
  OpenedStream s(movie_file({video, audio}));
  ASSERT_FALSE(s.stream);
  EXPECT_EQ(s.stream.error().code, Errc::malformed);
  EXPECT_STREQ(s.stream.error().message, "track_ID used by an earlier track");
}

TEST(AudioStream, NoAudioTrackIsUnsupported) { expect_open_error(movie_file({video_track()}), Errc::unsupported); }

TEST(AudioStream, RequestedTrackMustExistAndBeAudio) {
  StreamOptions options;
  options.track = 1;
  expect_open_error(movie_file({video_track(), sowt_track()}), Errc::invalid_argument, options);
  options.track = 9;
  expect_open_error(movie_file({video_track(), sowt_track()}), Errc::invalid_argument, options);
}

TEST(AudioStream, UnknownCodecIsUnsupported) {
  TrackSpec t = sowt_track();
  t.sample_entries = {audio_sample_entry(AudioEntrySpec("XYZW"))};
  expect_open_error(movie_file({t}), Errc::unsupported);
}

TEST(AudioStream, BrokenAudioTrackReportsItsError) {
  TrackSpec t = sowt_track();
  t.omit = {FourCC("stts")};
  expect_open_error(movie_file({t}), Errc::malformed);
}

// ---- damaged and unusual streams ----------------------------------------------------------

namespace {

// Wraps a real decoder and reports the packets numbered in `bad` as corrupt
// (Errc::malformed), as a damaged file would make a decoder do.
class DamagedInput final : public codec::Decoder {
 public:
  DamagedInput(std::unique_ptr<codec::Decoder> inner, std::set<int> bad) : inner_(std::move(inner)), bad_(bad) {}
  const core::AudioFormat& format() const noexcept override { return inner_->format(); }
  void reset() override { inner_->reset(); }
  core::Result<codec::AudioBlock> decode(std::span<const std::byte> packet) override {
    if (bad_.count(packet_++)) return core::make_error(Errc::malformed, "corrupt (test)");
    return inner_->decode(packet);
  }

 private:
  std::unique_ptr<codec::Decoder> inner_;
  std::set<int> bad_;
  int packet_ = 0;
};

// Opens `file` with a PCM decoder that finds packets `bad` corrupt.
struct DamagedStream : OpenedStream {
  DamagedStream(Bytes file, std::set<int> bad) : OpenedStream(std::move(file), registry_with(std::move(bad))) {}
  static codec::DecoderRegistry registry_with(std::set<int> bad) {
    auto registry = codec::DecoderRegistry::with_builtins();
    registry.add(Codec::pcm, "damaged", [bad](const core::CodecParameters& p, const codec::DecoderOptions& o)
                                            -> core::Result<std::unique_ptr<codec::Decoder>> {
      FRUGAL_TRY(auto inner, codec::DecoderRegistry::with_builtins().create(p, o));
      return std::unique_ptr<codec::Decoder>(std::make_unique<DamagedInput>(std::move(inner), bad));
    });
    return registry;
  }
};

}  // namespace

TEST(AudioStream, CorruptPacketsAreSkippedAndCounted) {
  DamagedStream s(pcm_file(), {1});  // packets of 1000 frames: the second is lost
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  Bytes expected = expected_frames(0, 1000, SampleFormat::s16);
  const Bytes rest = expected_frames(2000, 1000, SampleFormat::s16);
  expected.insert(expected.end(), rest.begin(), rest.end());
  EXPECT_EQ(s.read_all(), expected);
  EXPECT_EQ(s.stream->skipped_packets(), 1u);
}

TEST(AudioStream, ManyCorruptPacketsInARowFail) {
  const AudioEntrySpec entry = AudioEntrySpec(FourCC("sowt")).with_bits(16).with_rate(kRate);
  TrackSpec t = pcm_track(entry, kFrames, 100);  // 30 packets
  MovieSpec m;
  m.tracks.push_back(std::move(t));
  std::set<int> bad;
  for (int i = 2; i < 30; ++i) bad.insert(i);
  DamagedStream s(build_mp4(m), bad);
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  core::Result<std::span<const std::byte>> block = s.stream->read();
  while (block && !block->empty()) block = s.stream->read();
  ASSERT_FALSE(block);
  EXPECT_EQ(block.error().code, Errc::malformed);
  EXPECT_EQ(s.stream->skipped_packets(), 16u);  // the 17th in a row gives up
}

TEST(AudioStream, EditLengthPastTheEndOfTimeMeansToTheEnd) {
  // A version-1 edit of 2^64-1 ticks: start + length would wrap around.
  const AudioEntrySpec entry = AudioEntrySpec(FourCC("sowt")).with_bits(16).with_rate(kRate);
  TrackSpec t = pcm_track(entry, kFrames, 1000);
  t.payload = stored_payload(kFrames, false);
  t.edits = {{~std::uint64_t{0}, 100}};
  t.elst_version = 1;
  MovieSpec m;
  m.tracks.push_back(std::move(t));
  OpenedStream s(build_mp4(m));
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  EXPECT_EQ(s.read_all(), expected_frames(100, kFrames - 100, SampleFormat::s16));
}

// A stereo 16-bit PCM track whose first 1000 frames are stored as `first`
// describes them and the next 1000 as `second` does.
Bytes two_description_file(const AudioEntrySpec& first, const AudioEntrySpec& second) {
  TrackSpec t = pcm_track(first, 2000, 1000);
  t.sample_entries.push_back(audio_sample_entry(second));
  t.stsc = std::vector<StscRun>{{1, 1000, 1}, {2, 1000, 2}};
  t.payload = stored_payload(2000, false);
  if (second.format == FourCC("twos"))  // big-endian from frame 1000 on
    for (std::size_t i = 1000 * 4; i < t.payload.size(); i += 2) std::swap(t.payload[i], t.payload[i + 1]);
  MovieSpec m;
  m.tracks.push_back(std::move(t));
  return build_mp4(m);
}

TEST(AudioStream, GainScalesEveryOutputSample) {
  StreamOptions options;
  options.gain = 0.5;
  OpenedStream s(pcm_file(), options);
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  const Bytes out = s.read_all();
  const Bytes full = expected_frames(0, kFrames, SampleFormat::s16);
  ASSERT_EQ(out.size(), full.size());
  for (std::size_t i = 0; i < out.size(); i += 2) {
    std::int16_t got, was;
    std::memcpy(&got, &out[i], 2);
    std::memcpy(&was, &full[i], 2);
    ASSERT_EQ(got, static_cast<std::int16_t>(std::lrint(was * 0.5))) << "sample " << i / 2;
  }
}

TEST(AudioStream, AnotherSampleDescriptionGetsItsOwnDecoder) {
  const AudioEntrySpec sowt = AudioEntrySpec(FourCC("sowt")).with_bits(16).with_rate(kRate);
  const AudioEntrySpec twos = AudioEntrySpec(FourCC("twos")).with_bits(16).with_rate(kRate);
  OpenedStream s(two_description_file(sowt, twos));
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  EXPECT_EQ(s.read_all(), expected_frames(0, 2000, SampleFormat::s16));
}

TEST(AudioStream, ASampleDescriptionOfAnotherFormatChangesTheStreamFormat) {
  const AudioEntrySpec sowt = AudioEntrySpec(FourCC("sowt")).with_bits(16).with_rate(kRate);
  const AudioEntrySpec mono = AudioEntrySpec(FourCC("sowt")).with_bits(16).with_rate(kRate).with_channels(1);
  OpenedStream s(two_description_file(sowt, mono));
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  auto first = s.stream->read();
  ASSERT_TRUE(first);
  EXPECT_EQ(s.stream->format().channels, 2u);
  EXPECT_EQ(Bytes(first->begin(), first->end()), expected_frames(0, 1000, SampleFormat::s16));
  const Bytes rest = s.read_all();
  EXPECT_EQ(s.stream->format().channels, 1u);
  EXPECT_EQ(s.stream->format().sample_rate, kRate);
  // The second chunk's bytes (stereo frames 1000..1999), read as mono frames.
  EXPECT_EQ(rest, expected_frames(1000, 1000, SampleFormat::s16));
}

namespace {

// An AAC decoder as libavcodec is for HE-AAC whose SBR only the bitstream
// signals: made for the configuration's 22050 Hz, it returns 2048 frames a
// packet at 44100 Hz. Each sample holds its frame's number at 44100 Hz.
class ImplicitSbr final : public codec::Decoder {
 public:
  ImplicitSbr() {
    format_.sample_rate = 22050;
    format_.channels = 1;
    format_.format = SampleFormat::s16;
    format_.valid_bits = 16;
  }
  const core::AudioFormat& format() const noexcept override { return format_; }
  void reset() override { next_ = 0; }
  core::Result<codec::AudioBlock> decode(std::span<const std::byte> packet) override {
    // The packet's first byte numbers it, so seeks land where they should.
    next_ = static_cast<std::uint32_t>(packet[0]) * 2048;
    out_.resize(2048);
    for (auto& v : out_) v = static_cast<std::int16_t>(next_++ & 0x7FFF);
    core::AudioFormat f = format_;
    f.sample_rate = 44100;
    return codec::AudioBlock{f, std::as_bytes(std::span(out_)), out_.size()};
  }

 private:
  core::AudioFormat format_;
  std::vector<std::int16_t> out_;
  std::uint32_t next_ = 0;
};

// 40 AAC packets of 1024 frames at 22050 Hz (2048 ticks at the track's
// 44100), with an iTunes-style edit by default: 2112 ticks of priming,
// then 75000.
Bytes implicit_sbr_file(std::vector<EditSpec> edits = {{75000, 2112}}) {
  const Bytes asc = audio_specific_config(AscSpec{2, 7, 0, 1});  // AAC LC, 22050 Hz, mono
  const Bytes entry = audio_sample_entry(AudioEntrySpec(FourCC("mp4a"), {esds_box(0x40, asc)}).with_rate(22050));
  TrackSpec t = audio_track(entry, std::vector<std::uint32_t>(40, 1));
  t.stts = {{40, 2048}};
  for (std::uint8_t i = 0; i < 40; ++i) t.payload.push_back(std::byte{i});
  t.edits = std::move(edits);
  MovieSpec m;
  m.timescale = 44100;
  m.tracks.push_back(std::move(t));
  return build_mp4(m);
}

codec::DecoderRegistry implicit_sbr_registry() {
  codec::DecoderRegistry r;
  r.add(Codec::aac, "sbr", [](const core::CodecParameters&, const codec::DecoderOptions&)
                                -> core::Result<std::unique_ptr<codec::Decoder>> {
    return std::unique_ptr<codec::Decoder>(std::make_unique<ImplicitSbr>());
  });
  return r;
}

}  // namespace

// The edit, in ticks of 44100 Hz, trims the doubled-rate output exactly:
// frames count on the configuration's 22050 Hz timeline, two output frames
// to one.
TEST(AudioStream, ImplicitSbrTrimsAtTheDoubledRate) {
  OpenedStream s(implicit_sbr_file(), implicit_sbr_registry());
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  const Bytes all = s.read_all();
  EXPECT_EQ(s.stream->format().sample_rate, 44100u);
  std::vector<std::int16_t> pcm(all.size() / 2);
  std::memcpy(pcm.data(), all.data(), pcm.size() * 2);
  ASSERT_EQ(pcm.size(), 75000u);
  for (std::size_t i = 0; i < pcm.size(); i += 997) ASSERT_EQ(pcm[i], static_cast<std::int16_t>((2112 + i) & 0x7FFF)) << i;
  EXPECT_EQ(pcm.back(), static_cast<std::int16_t>((2112 + 74999) & 0x7FFF));

  // A seek to timeline frame 20000 (22050 Hz) lands on output frame 40000.
  ASSERT_TRUE(s.stream->seek(20000));
  auto block = s.stream->read();
  ASSERT_TRUE(block && !block->empty());
  std::int16_t first = 0;
  std::memcpy(&first, block->data(), 2);
  EXPECT_EQ(first, static_cast<std::int16_t>((2112 + 40000) & 0x7FFF));
}

// An empty edit after the media plays as long at the doubled rate: 4410
// ticks are 4410 output frames of silence, not 2205.
TEST(AudioStream, ImplicitSbrSilenceLastsItsTime) {
  OpenedStream s(implicit_sbr_file({{40000, 2112}, {4410, -1}}), implicit_sbr_registry());
  ASSERT_TRUE(s.stream) << s.stream.error().message;
  const Bytes all = s.read_all();
  ASSERT_EQ(all.size(), (40000u + 4410u) * 2);
  std::vector<std::int16_t> pcm(all.size() / 2);
  std::memcpy(pcm.data(), all.data(), all.size());
  EXPECT_EQ(pcm[39999], static_cast<std::int16_t>((2112 + 39999) & 0x7FFF));
  for (std::size_t i = 40000; i < pcm.size(); ++i) ASSERT_EQ(pcm[i], 0) << i;
}
