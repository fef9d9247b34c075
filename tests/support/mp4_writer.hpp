#pragma once
// A small test-only MP4 writer for building edge cases byte by byte.
//
// Two levels:
// - BoxWriter: a byte-vector builder with big-endian fields and nested boxes
//   whose sizes are patched when they end (32-bit, or a 64-bit largesize).
// - build_mp4(MovieSpec): whole files with one or more tracks, their sample
//   tables derived from a TrackSpec (sizes, chunking, timing...) and laid out
//   with moov before or after mdat. Every table can be overridden or left out
//   to make malformed files.
//
// Sample payloads are predictable (sample_byte()) unless a track supplies its
// own, so tests can check what Demuxer::read_packet returns.

#include <frugal/core/fourcc.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace frugal::core {
/// Prints four-CCs as text in GoogleTest failure messages.
inline void PrintTo(FourCC code, std::ostream* os) { *os << "'" << code.str().data() << "'"; }
}  // namespace frugal::core

namespace frugal::test {

using Bytes = std::vector<std::byte>;
using core::FourCC;

// ---- low level ---------------------------------------------------------------

class BoxWriter {
 public:
  BoxWriter& u8(std::uint8_t v);
  BoxWriter& u16(std::uint16_t v);
  BoxWriter& u24(std::uint32_t v);
  BoxWriter& u32(std::uint32_t v);
  BoxWriter& u64(std::uint64_t v);
  BoxWriter& i16(std::int16_t v) { return u16(static_cast<std::uint16_t>(v)); }
  BoxWriter& i32(std::int32_t v) { return u32(static_cast<std::uint32_t>(v)); }
  BoxWriter& i64(std::int64_t v) { return u64(static_cast<std::uint64_t>(v)); }
  BoxWriter& fourcc(FourCC v) { return u32(v.value); }
  BoxWriter& bytes(std::span<const std::byte> v);
  BoxWriter& zeros(std::size_t n);

  /// Opens a box: a header whose size end() patches. With `large` the header
  /// is 16 bytes (size field 1, then a 64-bit largesize).
  BoxWriter& begin(FourCC type, bool large = false);
  /// begin() plus the FullBox version and 24-bit flags.
  BoxWriter& full_box(FourCC type, std::uint8_t version = 0, std::uint32_t flags = 0);
  /// Closes the innermost open box.
  BoxWriter& end();
  /// A whole box: header then `body`.
  BoxWriter& box(FourCC type, std::span<const std::byte> body);

  std::size_t size() const noexcept { return data_.size(); }
  const Bytes& data() const noexcept { return data_; }
  /// The bytes written; every box must be closed.
  Bytes take();

 private:
  struct Open {
    std::size_t start;
    bool large;
  };
  Bytes data_;
  std::vector<Open> open_;
};

/// A whole box `type` around `body`.
Bytes make_box(FourCC type, std::span<const std::byte> body);
/// The parts one after another.
Bytes concat(std::initializer_list<std::span<const std::byte>> parts);

// ---- sample entries and codec boxes --------------------------------------------

/// QuickTime sound description version 1 fields (after the version 0 ones).
struct QtSoundV1 {
  std::uint32_t frames_per_packet = 0;  // samplesPerPacket
  std::uint32_t bytes_per_packet = 0;
  std::uint32_t bytes_per_frame = 0;
  std::uint32_t bytes_per_sample = 0;
};

/// QuickTime sound description version 2 fields (LPCM and friends).
struct QtSoundV2 {
  std::uint32_t bits_per_channel = 16;   // constBitsPerChannel
  std::uint32_t format_flags = 0;        // formatSpecificFlags (kAudioFormatFlag*)
  std::uint32_t bytes_per_packet = 0;    // constBytesPerAudioPacket
  std::uint32_t frames_per_packet = 1;   // constLPCMFramesPerAudioPacket
};

/// CoreAudio LPCM format flags for QtSoundV2::format_flags.
inline constexpr std::uint32_t kLpcmFloat = 1, kLpcmBigEndian = 2, kLpcmSigned = 4;

/// An AudioSampleEntry (ISO/IEC 14496-12 §12.2.3) / QuickTime sound
/// description. The rate goes in the 16.16 field (v0/v1: integer part only)
/// or, for v2, in the 64-bit float field with 0x00010000 in the 16.16 one.
/// Build one with the constructor and the chainable with_*() setters:
/// `AudioEntrySpec("Opus", {dops_box({})}).with_rate(48000)`.
struct AudioEntrySpec {
  explicit AudioEntrySpec(FourCC type = FourCC("sowt"), std::vector<Bytes> child_boxes = {})
      : format(type), children(std::move(child_boxes)) {}

  AudioEntrySpec& with_channels(std::uint16_t n) { channels = n; return *this; }
  AudioEntrySpec& with_bits(std::uint16_t n) { sample_bits = n; return *this; }
  AudioEntrySpec& with_rate(std::uint32_t hz) { sample_rate = hz; return *this; }
  AudioEntrySpec& with_v1(const QtSoundV1& fields) { v1 = fields; return *this; }
  AudioEntrySpec& with_v2(const QtSoundV2& fields) { v2 = fields; return *this; }
  AudioEntrySpec& with_version(std::uint16_t v) { version = v; return *this; }

  FourCC format;
  std::uint16_t channels = 2;
  std::uint16_t sample_bits = 16;
  std::uint32_t sample_rate = 44100;
  std::uint16_t data_reference_index = 1;
  std::optional<QtSoundV1> v1;
  std::optional<QtSoundV2> v2;  // takes precedence over v1
  std::optional<std::uint16_t> version;  // written instead of the one v1/v2 imply
  std::vector<Bytes> children;  // whole child boxes (esds, dOps, wave...)
};
Bytes audio_sample_entry(const AudioEntrySpec& spec);

/// Any other sample entry: the 8-byte SampleEntry header then `body`.
Bytes plain_sample_entry(FourCC format, std::span<const std::byte> body = {},
                         std::uint16_t data_reference_index = 1);

/// 'esds' with an ES_Descriptor → DecoderConfigDescriptor(object_type) →
/// DecoderSpecificInfo(`dsi`, omitted when empty).
Bytes esds_box(std::uint8_t object_type, std::span<const std::byte> dsi = {});

/// An AudioSpecificConfig: object type, frequency index (0xF: the explicit
/// 24-bit `explicit_rate` follows), channel configuration; for object type 5
/// (explicit SBR) the extension frequency index (and rate) and the core
/// object type (2) follow.
struct AscSpec {
  std::uint8_t object_type = 2;
  std::uint8_t frequency_index = 4;  // 44100
  std::uint32_t explicit_rate = 0;
  std::uint8_t channel_config = 2;
  std::uint8_t extension_frequency_index = 3;  // 48000, SBR only
  std::uint32_t extension_explicit_rate = 0;
};
Bytes audio_specific_config(const AscSpec& spec);

/// 'dOps' (Opus in ISOBMFF §4.3.2). Family 0 has no mapping table; other
/// families write stream_count, coupled_count and `mapping` (one per channel).
struct OpusSpec {
  std::uint8_t version = 0;
  std::uint8_t channels = 2;
  std::uint16_t pre_skip = 312;
  std::uint32_t input_rate = 48000;
  std::int16_t output_gain = 0;
  std::uint8_t family = 0;
  std::uint8_t streams = 1;
  std::uint8_t coupled = 1;
  std::vector<std::uint8_t> mapping;
};
Bytes dops_box(const OpusSpec& spec);

/// 'dfLa' with a single (last) STREAMINFO block.
Bytes dfla_box(std::uint32_t sample_rate, std::uint8_t channels, std::uint8_t bits,
               std::uint64_t total_samples = 0);

/// The 'alac' child box with an ALACSpecificConfig.
Bytes alac_config_box(std::uint32_t sample_rate, std::uint8_t channels, std::uint8_t bits,
                      std::uint32_t frame_length = 4096);

/// 'pcmC' (ISO/IEC 23003-5): format_flags (bit 0: little-endian), sample size.
Bytes pcmc_box(std::uint8_t format_flags, std::uint8_t sample_bits);

/// 'hdlr' (§8.4.3): `pre_defined` is QuickTime's component type ('mhlr' for
/// a media handler, 'dhlr' for a data handler), `handler` the handler type
/// ('soun', 'vide'; 'alis' or 'url ' for a data handler).
Bytes hdlr_box(FourCC handler, FourCC pre_defined = FourCC(), const char* name = "frugal test handler");

/// QuickTime 'enda' (1 = little-endian) and a 'wave' around `children`.
Bytes enda_box(std::uint16_t little_endian);
Bytes wave_box(std::initializer_list<Bytes> children);

// ---- chapters --------------------------------------------------------------------

/// 'tref' holding one reference box of `type` ('chap'...) naming `track_ids`.
Bytes tref_box(FourCC type, std::initializer_list<std::uint32_t> track_ids);

/// One Nero chapter: start in 100 ns units, title bytes (a u8 length).
struct ChplEntry {
  std::uint64_t start = 0;
  std::string title;
};
/// Nero's 'chpl' (moov/udta): version, flags 0, 4 zero bytes when the version
/// is not 0, a u8 count (`count`, else the entries'), then the entries.
Bytes chpl_box(std::uint8_t version, const std::vector<ChplEntry>& entries, std::optional<std::uint8_t> count = {});

/// A QuickTime text sample: u16 byte length, `text`, then `trailer` (atoms
/// such as 'encd', which readers pass over).
Bytes text_sample(std::span<const std::byte> text, std::span<const std::byte> trailer = {});
Bytes text_sample(std::string_view text);

// ---- movies ----------------------------------------------------------------------

struct SttsRun { std::uint32_t count; std::uint32_t delta; };
struct CttsRun { std::uint32_t count; std::int32_t offset; };
struct StscRun {
  std::uint32_t first_chunk;
  std::uint32_t samples_per_chunk;
  std::uint32_t description_index = 1;
};
struct EditSpec {
  std::uint64_t segment_duration = 0;  // movie timescale
  std::int64_t media_time = 0;         // media timescale; -1 = empty edit
  std::int32_t media_rate = 1 << 16;
};

/// How sample sizes are stored.
enum class SizeTable { stsz, stsz_constant, stz2_4, stz2_8, stz2_16 };

/// ISO 639-2/T code packed as in mdhd: three 5-bit letters, each minus 0x60.
constexpr std::uint16_t pack_language(const char (&code)[4]) {
  return static_cast<std::uint16_t>(((code[0] - 0x60) << 10) | ((code[1] - 0x60) << 5) | (code[2] - 0x60));
}

struct TrackSpec {
  std::uint32_t id = 0;  ///< tkhd track_ID; 0: the track's 1-based position
  FourCC handler{"soun"};
  std::uint32_t timescale = 44100;
  std::optional<std::uint64_t> duration;  ///< mdhd duration; default: sum of the stts deltas
  std::uint8_t mdhd_version = 0;
  std::uint16_t language = pack_language("und");

  std::vector<Bytes> sample_entries;  ///< whole stsd entries
  std::uint8_t stsd_version = 0;

  /// One entry per sample; its byte count in mdat.
  std::vector<std::uint32_t> sample_sizes;
  SizeTable size_table = SizeTable::stsz;  ///< stsz_constant writes sample_sizes[0]
  std::optional<std::uint32_t> size_count;  ///< written instead of the real sample count

  /// Samples in each chunk, in order; empty: one chunk holding every sample.
  /// Decides the mdat layout and stco; stsc is derived from it.
  std::vector<std::uint32_t> chunks;
  std::optional<std::vector<StscRun>> stsc;  ///< written as is instead of the derived runs
  bool co64 = false;
  std::uint64_t chunk_offset_bias = 0;  ///< added to every written offset (not to the layout)

  /// Time-to-sample runs; empty: every sample lasts 1 tick.
  std::vector<SttsRun> stts;
  std::vector<CttsRun> ctts;  ///< empty: no ctts
  std::uint8_t ctts_version = 0;
  std::optional<std::vector<std::uint32_t>> stss;  ///< nullopt: no stss; empty: an empty one

  std::vector<EditSpec> edits;  ///< empty: no edts
  /// Boxes added to trak after edts, e.g. tref_box("chap", {2}).
  std::vector<Bytes> trak_extra;
  std::uint8_t elst_version = 0;

  /// Boxes added at the end of stbl, e.g. sample groups (sbgp, sgpd).
  std::vector<Bytes> stbl_extra;

  /// Boxes added to minf before dinf, e.g. QuickTime's data handler:
  /// hdlr_box("url ", "dhlr", "DataHandler").
  std::vector<Bytes> minf_extra;

  /// Sample data in sample order (sum of sample_sizes bytes); empty: sample_byte().
  Bytes payload;
  /// Table or header boxes to leave out ("stts", "stco", "tkhd"...).
  std::vector<FourCC> omit;
};

enum class Layout { moov_first, mdat_first };

struct MovieSpec {
  std::optional<FourCC> brand = FourCC("isom");  ///< nullopt: no ftyp
  Layout layout = Layout::moov_first;
  std::uint32_t timescale = 1000;  ///< mvhd
  std::uint64_t duration = 0;      ///< mvhd
  std::vector<TrackSpec> tracks;
  /// Filler bytes written before each chunk in mdat.
  std::uint32_t chunk_gap = 0;
  bool large_mdat = false;  ///< mdat with a 64-bit largesize header
  /// Boxes added to moov after the tracks (e.g. mvex).
  std::vector<Bytes> moov_extra;
};

/// Where build_mp4 put things.
struct MovieLayout {
  /// File offset of every sample, per track.
  std::vector<std::vector<std::uint64_t>> sample_offsets;
  std::uint64_t moov_offset = 0;
  std::uint64_t mdat_offset = 0;
};

/// The predictable payload byte `i` of sample `sample` of track `track` (0-based).
constexpr std::byte sample_byte(std::size_t track, std::uint64_t sample, std::size_t i) {
  return static_cast<std::byte>((sample * 7 + i + track * 101) & 0xFF);
}

/// Chunk sizes for `total` samples, `per_chunk` to a chunk, the last chunk
/// holding what is left.
std::vector<std::uint32_t> uniform_chunks(std::uint32_t total, std::uint32_t per_chunk);

/// The file: ftyp, then moov and mdat in the chosen order. mdat holds the
/// chunks round-robin across tracks (chunk 1 of each track, then chunk 2...),
/// so several tracks interleave; stco/co64 point at them. Fills `layout`
/// when given.
Bytes build_mp4(const MovieSpec& spec, MovieLayout* layout = nullptr);

/// An audio track with one sample entry and the given sample sizes.
TrackSpec audio_track(Bytes entry, std::vector<std::uint32_t> sample_sizes, std::uint32_t timescale = 44100);

/// A PCM track of `frames` single-frame samples (stts delta 1, constant stsz),
/// `frames_per_chunk` to a chunk.
TrackSpec pcm_track(const AudioEntrySpec& entry, std::uint32_t frames, std::uint32_t frames_per_chunk);

/// A QuickTime text track ('text' handler and sample entry) whose samples
/// are `samples` (text_sample()s), timed by `stts` at `timescale`.
TrackSpec text_track(std::vector<Bytes> samples, std::vector<SttsRun> stts, std::uint32_t timescale = 1000);

}  // namespace frugal::test
