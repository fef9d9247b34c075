#include "mp4/sample_entry.hpp"

#include "support/demux_fixture.hpp"
#include "support/mp4_writer.hpp"

#include <frugal/core/byte_reader.hpp>

#include <gtest/gtest.h>

#include <string>

using namespace frugal;
using namespace frugal::test;
using core::Codec;
using core::Errc;
using core::PcmLayout;
using core::SampleEntry;

namespace {

// parse_stsd over a stsd body holding `entries`.
core::Result<std::vector<SampleEntry>> parse_entries(const std::vector<Bytes>& entries,
                                                     std::uint8_t stsd_version = 0,
                                                     core::TrackType type = core::TrackType::audio,
                                                     std::uint32_t timescale = 44100) {
  BoxWriter w;
  w.u8(stsd_version).u24(0).u32(static_cast<std::uint32_t>(entries.size()));
  for (const Bytes& e : entries) w.bytes(e);
  const Bytes body = w.take();
  return mp4::detail::parse_stsd(body, type, timescale, 5, core::Limits{});
}

// The one entry parsed from `entry` (a default one, with a test failure, when
// parsing fails).
SampleEntry parse_one(const Bytes& entry, std::uint8_t stsd_version = 0) {
  auto entries = parse_entries({entry}, stsd_version);
  if (!entries || entries->size() != 1) {
    ADD_FAILURE() << "parse_stsd failed: " << (entries ? "wrong entry count" : entries.error().message);
    return {};
  }
  return entries->front();
}

SampleEntry parse_one(const AudioEntrySpec& spec, std::uint8_t stsd_version = 0) {
  return parse_one(audio_sample_entry(spec), stsd_version);
}

AudioEntrySpec mp4a(std::vector<Bytes> children, std::uint16_t channels = 2, std::uint32_t rate = 44100) {
  return AudioEntrySpec("mp4a", std::move(children)).with_channels(channels).with_rate(rate);
}

AscSpec asc(std::uint8_t frequency_index, std::uint8_t channel_config, std::uint8_t object_type = 2) {
  AscSpec a;
  a.object_type = object_type;
  a.frequency_index = frequency_index;
  a.channel_config = channel_config;
  return a;
}

AudioEntrySpec mp4a_with_asc(const AscSpec& config, std::uint16_t channels = 2, std::uint32_t rate = 44100) {
  return mp4a({esds_box(0x40, audio_specific_config(config))}, channels, rate);
}

// The body of a whole box (what CodecParameters::config holds for dOps).
Bytes body_of(const Bytes& box) { return Bytes(box.begin() + 8, box.end()); }

}  // namespace

// ---- MPEG-4 audio --------------------------------------------------------------

TEST(SampleEntry, Mp4aWithAudioSpecificConfig) {
  const Bytes config = audio_specific_config(asc(3, 1));  // 48000 Hz, mono
  // The entry says 2 channels at 22050: the AudioSpecificConfig wins.
  const SampleEntry e = parse_one(mp4a({esds_box(0x40, config)}, 2, 22050));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.format, FourCC("mp4a"));
  EXPECT_EQ(e.data_reference_index, 1u);
  EXPECT_EQ(e.codec.codec, Codec::aac);
  EXPECT_EQ(e.codec.object_type, 0x40u);
  EXPECT_EQ(e.codec.sample_rate, 48000u);
  EXPECT_EQ(e.codec.channels, 1u);
  EXPECT_EQ(e.codec.config, config);
  EXPECT_STREQ(core::codec_name(e.codec), "aac");
}

TEST(SampleEntry, Mp4aExplicitFrequencyEscape) {
  AscSpec escaped = asc(0xF, 2);
  escaped.explicit_rate = 12345;
  const SampleEntry e = parse_one(mp4a_with_asc(escaped));
  EXPECT_EQ(e.codec.sample_rate, 12345u);
  EXPECT_EQ(e.codec.channels, 2u);
}

TEST(SampleEntry, Mp4aChannelConfigZeroKeepsTheEntryChannelCount) {
  const SampleEntry e = parse_one(mp4a_with_asc(asc(4, 0), 6));
  EXPECT_EQ(e.codec.codec, Codec::aac);
  EXPECT_EQ(e.codec.channels, 6u);
  EXPECT_EQ(e.codec.sample_rate, 44100u);
}

TEST(SampleEntry, Mp4aExplicitSbrReportsTheExtensionRate) {
  AscSpec he = asc(6, 2, /*object_type=*/5);  // 24000 Hz core
  he.extension_frequency_index = 3;          // 48000 Hz with SBR
  const SampleEntry e = parse_one(mp4a_with_asc(he, 2, 24000));
  EXPECT_EQ(e.codec.sample_rate, 48000u);  // not the core's 24000
  EXPECT_EQ(e.codec.audio_object_type, 5u);
  auto parsed = mp4::detail::parse_audio_specific_config(audio_specific_config(he));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->object_type, 5u);
  EXPECT_EQ(parsed->sample_rate, 48000u);
  EXPECT_EQ(parsed->channels, 2u);
}

TEST(AudioSpecificConfig, ExplicitSbrWithEscapedExtensionRate) {
  AscSpec he = asc(8, 2, /*object_type=*/5);
  he.extension_frequency_index = 0xF;
  he.extension_explicit_rate = 44056;
  auto parsed = mp4::detail::parse_audio_specific_config(audio_specific_config(he));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->sample_rate, 44056u);
}

// An LC config followed by the sync extension 0x2b7 (SBR present, 44.1 kHz)
// is HE-AAC, backward-compatibly signalled (ISO/IEC 14496-3 §1.6.5.2):
// object type 5, the extension's rate. Cut off inside the extension, it is
// plain LC.
TEST(AudioSpecificConfig, SyncExtensionSignalsSbr) {
  // 00010 0111 0001 000 | 01010110111 00101 1 0100
  const Bytes lc_with_sbr = {std::byte{0x13}, std::byte{0x88}, std::byte{0x56}, std::byte{0xE5}, std::byte{0xA0}};
  auto parsed = mp4::detail::parse_audio_specific_config(lc_with_sbr);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->object_type, 5u);
  EXPECT_EQ(parsed->sample_rate, 44100u);
  EXPECT_EQ(parsed->channels, 1u);
  auto cut = mp4::detail::parse_audio_specific_config(std::span(lc_with_sbr).first(3));
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->object_type, 2u);
  EXPECT_EQ(cut->sample_rate, 22050u);
}

TEST(AudioSpecificConfig, TooShortIsMalformed) {
  const Bytes one_byte = {std::byte{0x12}};
  auto asc = mp4::detail::parse_audio_specific_config(one_byte);
  ASSERT_FALSE(asc);
  EXPECT_EQ(asc.error().code, Errc::malformed);
}

struct ObjectTypeCase {
  std::uint8_t object_type;
  Codec codec;
  const char* name;
};

class Mp4aObjectType : public testing::TestWithParam<ObjectTypeCase> {};

TEST_P(Mp4aObjectType, IdentifiesTheCodec) {
  const SampleEntry e = parse_one(mp4a({esds_box(GetParam().object_type)}, 2, 32000));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.object_type, GetParam().object_type);
  EXPECT_EQ(e.codec.codec, GetParam().codec);
  EXPECT_STREQ(core::codec_name(e.codec), GetParam().name);
  EXPECT_EQ(e.codec.sample_rate, 32000u);  // from the entry: no AudioSpecificConfig
  EXPECT_EQ(e.codec.channels, 2u);
}

INSTANTIATE_TEST_SUITE_P(ObjectTypes, Mp4aObjectType,
                         testing::Values(ObjectTypeCase{0x69, Codec::mp3, "mp3"},
                                         ObjectTypeCase{0x6B, Codec::mp3, "mp3"},
                                         ObjectTypeCase{0xA5, Codec::ac3, "ac3"},
                                         ObjectTypeCase{0xA6, Codec::eac3, "eac3"},
                                         ObjectTypeCase{0xDD, Codec::vorbis, "vorbis"},
                                         ObjectTypeCase{0x20, Codec::unknown, "unknown"}));

TEST(SampleEntry, EsdsWithoutDescriptorsSpoilsOnlyItsEntry) {
  auto entries = parse_entries({audio_sample_entry(mp4a({make_box("esds", Bytes(4))})),
                                audio_sample_entry(AudioEntrySpec("sowt"))});
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 2u);
  ASSERT_TRUE((*entries)[0].error);
  EXPECT_EQ((*entries)[0].error->code, Errc::malformed);
  EXPECT_FALSE((*entries)[1].error);
  EXPECT_EQ((*entries)[1].codec.codec, Codec::pcm);
}

// ---- Opus, FLAC, ALAC and formats known by their type --------------------------

TEST(SampleEntry, OpusFamily0) {
  const Bytes dops = dops_box(OpusSpec{});  // stereo, pre-skip 312
  const SampleEntry e = parse_one(AudioEntrySpec("Opus", {dops}).with_rate(44100));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.codec, Codec::opus);
  EXPECT_EQ(e.codec.channels, 2u);
  EXPECT_EQ(e.codec.sample_rate, 48000u);  // Opus decodes at 48 kHz whatever the entry says
  EXPECT_EQ(e.codec.config, body_of(dops));
  EXPECT_EQ(e.codec.config.size(), 11u);
  EXPECT_STREQ(core::codec_name(e.codec), "opus");
}

TEST(SampleEntry, OpusFamily1WithMappingTable) {
  OpusSpec surround;
  surround.channels = 6;
  surround.family = 1;
  surround.streams = 4;
  surround.coupled = 2;
  surround.mapping = {0, 4, 1, 2, 3, 5};
  const Bytes dops = dops_box(surround);
  const SampleEntry e = parse_one(AudioEntrySpec("Opus", {dops}).with_channels(2));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.channels, 6u);
  EXPECT_EQ(e.codec.config.size(), 11u + 2 + 6);
  EXPECT_EQ(e.codec.config, body_of(dops));
}

TEST(SampleEntry, FlacStreamInfo16Bit) {
  const Bytes dfla = dfla_box(44100, 2, 16, 123456);
  const SampleEntry e = parse_one(AudioEntrySpec("fLaC", {dfla}));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.codec, Codec::flac);
  EXPECT_EQ(e.codec.sample_rate, 44100u);
  EXPECT_EQ(e.codec.channels, 2u);
  EXPECT_EQ(e.codec.bits_per_sample, 16u);
  EXPECT_EQ(e.codec.config, Bytes(dfla.begin() + 12, dfla.end()));  // the metadata blocks
  EXPECT_STREQ(core::codec_name(e.codec), "flac");
}

TEST(SampleEntry, FlacStreamInfo24BitHighRate) {
  // 96 kHz does not fit the entry's 16.16 rate field: STREAMINFO has it.
  const SampleEntry e = parse_one(AudioEntrySpec("fLaC", {dfla_box(96000, 6, 24)}).with_rate(0));
  EXPECT_EQ(e.codec.sample_rate, 96000u);
  EXPECT_EQ(e.codec.channels, 6u);
  EXPECT_EQ(e.codec.bits_per_sample, 24u);
}

TEST(SampleEntry, AlacWithItsConfigBox) {
  const Bytes config = alac_config_box(48000, 2, 24);
  const SampleEntry e = parse_one(AudioEntrySpec("alac", {config}).with_bits(16));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.codec, Codec::alac);
  EXPECT_EQ(e.codec.sample_rate, 48000u);
  EXPECT_EQ(e.codec.channels, 2u);
  EXPECT_EQ(e.codec.bits_per_sample, 24u);
  EXPECT_EQ(e.codec.config, Bytes(config.begin() + 12, config.end()));
  EXPECT_EQ(e.codec.config.size(), 24u);
}

struct FormatCase {
  const char* format;
  Codec codec;
  const char* name;
};

class IdentifiedByFormat : public testing::TestWithParam<FormatCase> {};

TEST_P(IdentifiedByFormat, WithoutCodecBoxes) {
  const AudioEntrySpec spec =
      AudioEntrySpec(FourCC(core::load_be32(reinterpret_cast<const std::byte*>(GetParam().format))))
          .with_channels(6)
          .with_rate(48000);
  const SampleEntry e = parse_one(spec);
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.codec, GetParam().codec);
  EXPECT_EQ(e.codec.format, spec.format);
  EXPECT_STREQ(core::codec_name(e.codec), GetParam().name);
  EXPECT_EQ(e.codec.channels, 6u);
  EXPECT_EQ(e.codec.sample_rate, 48000u);
}

INSTANTIATE_TEST_SUITE_P(Formats, IdentifiedByFormat,
                         testing::Values(FormatCase{".mp3", Codec::mp3, "mp3"},
                                         FormatCase{"ac-3", Codec::ac3, "ac3"},
                                         FormatCase{"ec-3", Codec::eac3, "eac3"},
                                         FormatCase{"samr", Codec::amr_nb, "amr_nb"},
                                         FormatCase{"XYZW", Codec::unknown, "unknown"}));

// AC-3's channel count comes from dac3, not the entry's channelcount (which
// ETSI TS 102 366 §F.3 says to ignore): acmod 7 (3/2) with LFE is 5.1.
TEST(SampleEntry, Ac3ChannelsFromDac3) {
  const Bytes dac3 = make_box(FourCC("dac3"), Bytes{std::byte{0x10}, std::byte{0x3D}, std::byte{0xE0}});
  const SampleEntry e = parse_one(AudioEntrySpec("ac-3", {dac3}).with_channels(2).with_rate(48000));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.codec, Codec::ac3);
  EXPECT_EQ(e.codec.channels, 6u);
  EXPECT_EQ(e.codec.sample_rate, 48000u);
}

// E-AC-3: the first independent substream's 5.1 plus its dependent
// substream's Lrs/Rrs pair (chan_loc bit 1) is 7.1; fscod 0 is 48 kHz.
TEST(SampleEntry, Eac3ChannelsFromDec3WithDependentSubstream) {
  const Bytes dec3 = make_box(FourCC("dec3"), Bytes{std::byte{0x0C}, std::byte{0x00}, std::byte{0x20},
                                                    std::byte{0x0F}, std::byte{0x02}, std::byte{0x80}});
  const SampleEntry e = parse_one(AudioEntrySpec("ec-3", {dec3}).with_channels(2).with_rate(44100));
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.codec, Codec::eac3);
  EXPECT_EQ(e.codec.channels, 8u);
  EXPECT_EQ(e.codec.sample_rate, 48000u);
}

TEST(SampleEntry, ShortDac3SpoilsOnlyItsEntry) {
  const SampleEntry e = parse_one(AudioEntrySpec("ac-3", {make_box(FourCC("dac3"), Bytes{std::byte{0x10}})}));
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, Errc::malformed);
}

TEST(SampleEntry, ZeroRateFallsBackToTheTimescale) {
  auto entries = parse_entries({audio_sample_entry(AudioEntrySpec("sowt").with_rate(0))}, 0,
                               core::TrackType::audio, 8000);
  ASSERT_TRUE(entries);
  EXPECT_EQ(entries->front().codec.sample_rate, 8000u);
}

TEST(SampleEntry, NonAudioEntriesAreOnlyIdentifiedByType) {
  auto entries = parse_entries({plain_sample_entry("avc1", Bytes(70), 3)}, 0, core::TrackType::video);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].format, FourCC("avc1"));
  EXPECT_EQ((*entries)[0].data_reference_index, 3u);
  EXPECT_EQ((*entries)[0].codec.codec, Codec::unknown);
  EXPECT_FALSE((*entries)[0].error);
}

// ---- PCM -----------------------------------------------------------------------

struct PcmCase {
  const char* label;
  AudioEntrySpec entry;
  PcmLayout layout;
  std::uint16_t bits;
  const char* name;
};

class PcmEntry : public testing::TestWithParam<PcmCase> {};

TEST_P(PcmEntry, Layout) {
  const PcmCase& c = GetParam();
  const SampleEntry e = parse_one(c.entry);
  ASSERT_FALSE(e.error) << e.error->message;
  EXPECT_EQ(e.codec.codec, Codec::pcm);
  EXPECT_EQ(e.codec.pcm.bytes_per_sample, c.layout.bytes_per_sample);
  EXPECT_EQ(e.codec.pcm.is_float, c.layout.is_float);
  EXPECT_EQ(e.codec.pcm.big_endian, c.layout.big_endian);
  EXPECT_EQ(e.codec.pcm.is_signed, c.layout.is_signed);
  EXPECT_EQ(e.codec.bits_per_sample, c.bits);
  EXPECT_STREQ(core::codec_name(e.codec), c.name);
}

AudioEntrySpec pcm_entry(const char (&format)[5], std::uint16_t bits, std::vector<Bytes> children = {}) {
  return AudioEntrySpec(FourCC(format), std::move(children)).with_bits(bits);
}

AudioEntrySpec lpcm_v2(std::uint32_t bits, std::uint32_t flags) {
  // bits, flags, bytes per packet (= frame), frames per packet
  return AudioEntrySpec("lpcm").with_rate(96000).with_v2(QtSoundV2{bits, flags, 2 * ((bits + 7) / 8), 1});
}

// Signedness and endianness: PcmLayout{bytes, float, big endian, signed}.
INSTANTIATE_TEST_SUITE_P(
    Formats, PcmEntry,
    testing::Values(
        PcmCase{"sowt16", pcm_entry("sowt", 16), {2, false, false, true}, 16, "pcm_s16le"},
        PcmCase{"twos8", pcm_entry("twos", 8), {1, false, true, true}, 8, "pcm_s8"},
        PcmCase{"twos16", pcm_entry("twos", 16), {2, false, true, true}, 16, "pcm_s16be"},
        PcmCase{"raw8", pcm_entry("raw ", 8), {1, false, false, false}, 8, "pcm_u8"},
        PcmCase{"in24", pcm_entry("in24", 24), {3, false, true, true}, 24, "pcm_s24be"},
        PcmCase{"in24_wave_enda",
                pcm_entry("in24", 24, {wave_box({make_box("frma", Bytes{std::byte{'i'}, std::byte{'n'},
                                                                          std::byte{'2'}, std::byte{'4'}}),
                                                 enda_box(1)})}),
                {3, false, false, true}, 24, "pcm_s24le"},
        PcmCase{"in24_enda_0", pcm_entry("in24", 24, {wave_box({enda_box(0)})}), {3, false, true, true}, 24,
                "pcm_s24be"},
        PcmCase{"in32", pcm_entry("in32", 32), {4, false, true, true}, 32, "pcm_s32be"},
        PcmCase{"fl32", pcm_entry("fl32", 32), {4, true, true, true}, 32, "pcm_f32be"},
        PcmCase{"fl64", pcm_entry("fl64", 64), {8, true, true, true}, 64, "pcm_f64be"},
        PcmCase{"lpcm_float_le", lpcm_v2(32, kLpcmFloat), {4, true, false, true}, 32, "pcm_f32le"},
        PcmCase{"lpcm_s24be", lpcm_v2(24, kLpcmSigned | kLpcmBigEndian), {3, false, true, true}, 24, "pcm_s24be"},
        PcmCase{"lpcm_s24le", lpcm_v2(24, kLpcmSigned), {3, false, false, true}, 24, "pcm_s24le"},
        PcmCase{"lpcm_u8", lpcm_v2(8, 0), {1, false, false, false}, 8, "pcm_u8"},
        PcmCase{"ipcm_pcmC_le24", pcm_entry("ipcm", 16, {pcmc_box(1, 24)}), {3, false, false, true}, 24, "pcm_s24le"},
        PcmCase{"ipcm_pcmC_be16", pcm_entry("ipcm", 16, {pcmc_box(0, 16)}), {2, false, true, true}, 16, "pcm_s16be"},
        PcmCase{"fpcm_pcmC_be64", pcm_entry("fpcm", 32, {pcmc_box(0, 64)}), {8, true, true, true}, 64, "pcm_f64be"},
        PcmCase{"fpcm_pcmC_le32", pcm_entry("fpcm", 32, {pcmc_box(1, 32)}), {4, true, false, true}, 32,
                "pcm_f32le"}),
    [](const auto& param_info) { return std::string(param_info.param.label); });

TEST(PcmEntry, LpcmV2ChannelsRateAndPacking) {
  const SampleEntry e = parse_one(lpcm_v2(24, kLpcmSigned));
  EXPECT_EQ(e.codec.channels, 2u);
  EXPECT_EQ(e.codec.sample_rate, 96000u);  // from the 64-bit float field
  EXPECT_EQ(e.packing.bytes_per_frame, 6u);
  EXPECT_EQ(e.packing.frames_per_packet, 1u);
}

class UnsupportedPcm : public testing::TestWithParam<AudioEntrySpec> {};

TEST_P(UnsupportedPcm, SpoilsTheEntry) {
  const SampleEntry e = parse_one(GetParam());
  EXPECT_EQ(e.codec.codec, Codec::pcm);
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, Errc::unsupported);
}

INSTANTIATE_TEST_SUITE_P(Layouts, UnsupportedPcm,
                         testing::Values(pcm_entry("twos", 40),                   // 5-byte integers
                                         lpcm_v2(16, kLpcmFloat),                 // 16-bit float
                                         pcm_entry("ipcm", 16, {pcmc_box(0, 64)}),  // 64-bit integers
                                         pcm_entry("fpcm", 32, {pcmc_box(0, 16)})));

TEST(PcmEntry, PcmCWithBadSampleSizeIsMalformed) {
  const SampleEntry e = parse_one(pcm_entry("ipcm", 16, {pcmc_box(0, 12)}));
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, Errc::malformed);
}

// ---- QuickTime sound description versions ----------------------------------------

TEST(SampleEntry, QuickTimeV1FieldsAreRecordedAndChildrenFollowThem) {
  AudioEntrySpec spec = mp4a_with_asc(asc(3, 2));
  spec.v1 = QtSoundV1{1024, 0, 4, 2};  // frames per packet, bytes per packet, frame, sample
  const SampleEntry e = parse_one(spec);
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.packing.frames_per_packet, 1024u);
  EXPECT_EQ(e.packing.bytes_per_frame, 4u);
  EXPECT_EQ(e.codec.codec, Codec::aac);
  EXPECT_EQ(e.codec.sample_rate, 48000u);  // the esds after the v1 fields was found
}

TEST(SampleEntry, QuickTimeV1EsdsInsideWave) {
  AudioEntrySpec spec = mp4a({wave_box({make_box("frma", Bytes{std::byte{'m'}, std::byte{'p'}, std::byte{'4'},
                                                               std::byte{'a'}}),
                                         esds_box(0x40, audio_specific_config(asc(7, 2))), Bytes(8)})});
  spec.v1 = QtSoundV1{1024, 0, 0, 0};
  const SampleEntry e = parse_one(spec);
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.codec, Codec::aac);
  EXPECT_EQ(e.codec.sample_rate, 22050u);
}

TEST(SampleEntry, IsoVersion1EntryInStsdVersion1HasNoQuickTimeFields) {
  // ISO/IEC 14496-12 AudioSampleEntryV1: version 1, but the QuickTime v1
  // fields are absent; the child boxes start right after the 28 bytes.
  AudioEntrySpec spec = mp4a_with_asc(asc(3, 2));
  spec.version = 1;
  const SampleEntry e = parse_one(spec, /*stsd_version=*/1);
  EXPECT_FALSE(e.error);
  EXPECT_EQ(e.codec.sample_rate, 48000u);
  EXPECT_EQ(e.packing.frames_per_packet, 0u);
}

TEST(SampleEntry, EntryShorterThanItsVersionNeedsIsMalformed) {
  AudioEntrySpec spec = pcm_entry("sowt", 16);
  spec.version = 2;  // but only the v0 fields are written
  const SampleEntry e = parse_one(spec);
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, Errc::malformed);
}

// ---- stsd as a whole, through Demuxer::open ---------------------------------------

namespace {

MovieSpec movie_with_entries(std::vector<Bytes> entries) {
  TrackSpec t = audio_track({}, {4, 4});
  t.sample_entries = std::move(entries);
  MovieSpec m;
  m.tracks.push_back(t);
  return m;
}

}  // namespace

TEST(SampleEntry, MalformedDopsSpoilsOnlyThatEntry) {
  const Bytes short_dops = make_box("dOps", Bytes(5));
  OpenedMovie m(movie_with_entries({audio_sample_entry(AudioEntrySpec("Opus", {short_dops})),
                                    audio_sample_entry(AudioEntrySpec("sowt"))}));
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  const core::Track& t = m.track(0);
  EXPECT_FALSE(t.error);
  ASSERT_EQ(t.sample_entries.size(), 2u);
  ASSERT_TRUE(t.sample_entries[0].error);
  EXPECT_EQ(t.sample_entries[0].error->code, Errc::malformed);
  EXPECT_FALSE(t.sample_entries[1].error);
  EXPECT_EQ(packet_count(m, 0), 2u);  // the track still delivers
}

TEST(SampleEntry, DopsVersion1IsUnsupported) {
  OpusSpec v1;
  v1.version = 1;
  const SampleEntry e = parse_one(AudioEntrySpec("Opus", {dops_box(v1)}));
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, Errc::unsupported);
}

TEST(SampleEntry, SampleEntriesUpToTheLimit) {
  core::DemuxerOptions options;
  options.limits.max_sample_entries = 3;
  const Bytes e = audio_sample_entry(AudioEntrySpec());
  OpenedMovie m(movie_with_entries({e, e, e}), options);
  ASSERT_TRUE(m.demuxer);
  EXPECT_FALSE(m.track(0).error);
  EXPECT_EQ(m.track(0).sample_entries.size(), 3u);
}

TEST(SampleEntry, MoreSampleEntriesThanTheLimitIsATrackError) {
  core::DemuxerOptions options;
  options.limits.max_sample_entries = 3;
  const Bytes e = audio_sample_entry(AudioEntrySpec());
  OpenedMovie m(movie_with_entries({e, e, e, e}), options);
  ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
  ASSERT_TRUE(m.track(0).error);
  EXPECT_EQ(m.track(0).error->code, Errc::limit_exceeded);
}

TEST(SampleEntry, FewerEntriesThanTheCountIsMalformed) {
  BoxWriter w;
  w.u8(0).u24(0).u32(2).bytes(audio_sample_entry(AudioEntrySpec()));
  const Bytes body = w.take();
  auto r = mp4::detail::parse_stsd(body, core::TrackType::audio, 44100, 5, core::Limits{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
}
