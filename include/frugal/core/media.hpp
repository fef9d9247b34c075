#pragma once
// Media vocabulary shared by demuxers, decoders and sinks: codecs, the layout
// of stored PCM, the format of decoded audio, and the parameters a decoder is
// created from. Thread-safety: plain values.

#include <frugal/core/fourcc.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::core {

/// Audio codecs frugal can identify. Names follow ffprobe's codec_name.
enum class Codec : std::uint8_t {
  unknown, opus, flac, aac, alac, mp3, ac3, eac3, pcm, vorbis, amr_nb, amr_wb,
};

/// How uncompressed samples are stored in a file (Codec::pcm).
struct PcmLayout {
  std::uint8_t bytes_per_sample = 0;  ///< 1, 2, 3, 4 or 8
  bool is_float = false;              ///< IEEE 754 (4 or 8 bytes)
  bool big_endian = false;
  bool is_signed = true;              ///< false only for 8-bit unsigned
  friend bool operator==(const PcmLayout&, const PcmLayout&) = default;
};

/// Sample formats of decoded audio: interleaved, native byte order. Integer
/// samples are left-justified (a 24-bit source in s32 has its low 8 bits
/// zero), as ALSA and FFmpeg hold them.
enum class SampleFormat : std::uint8_t { s16, s24, s32, f32, f64 };

/// Bytes one sample of `format` takes (s24: 3, packed).
std::size_t bytes_per_sample(SampleFormat format) noexcept;
bool is_float(SampleFormat format) noexcept;
/// "s16", "s24", "s32", "f32", "f64".
const char* sample_format_name(SampleFormat format) noexcept;

/// Format of a block of decoded PCM.
struct AudioFormat {
  std::uint32_t sample_rate = 0;   ///< frames per second
  std::uint16_t channels = 0;
  SampleFormat format = SampleFormat::s16;
  std::uint8_t valid_bits = 16;    ///< bits of precision in each sample (e.g. 20 in s32)

  std::size_t bytes_per_frame() const noexcept { return bytes_per_sample(format) * channels; }
  friend bool operator==(const AudioFormat&, const AudioFormat&) = default;
};

/// What a decoder needs to know about a stream, filled by a demuxer.
struct CodecParameters {
  Codec codec = Codec::unknown;
  FourCC format;                     ///< the container's code (sample entry type)
  std::uint32_t sample_rate = 0;     ///< Hz; 0 when unknown
  std::uint16_t channels = 0;        ///< 0 when unknown
  std::uint16_t bits_per_sample = 0; ///< source precision: PCM/FLAC/ALAC bits; 0 for lossy codecs
  PcmLayout pcm;                     ///< Codec::pcm only
  std::uint8_t object_type = 0;      ///< mp4a: objectTypeIndication (ISO/IEC 14496-1 Table 5)
  /// AAC: the AudioSpecificConfig's audioObjectType (ISO/IEC 14496-3 Table
  /// 1.17: 2 LC, 5 SBR, 29 PS...; 5 or 29 also when an LC config's sync
  /// extension signals SBR or PS); 0 when there is none.
  std::uint8_t audio_object_type = 0;
  /// Codec configuration as stored in the container, without box header or
  /// version/flags: Opus: the dOps body (Opus-in-ISOBMFF §4.3.2, big-endian);
  /// FLAC: the dfLa metadata blocks (STREAMINFO first); AAC: the
  /// AudioSpecificConfig; ALAC: the ALACSpecificConfig.
  std::vector<std::byte> config;
};

/// ReplayGain values as a file tags them (ReplayGain 2.0 specification):
/// gains in dB relative to −18 LUFS (EBU R128 loudness), peaks as a linear
/// sample ratio (1.0 = full scale); nullopt when not tagged.
struct ReplayGain {
  std::optional<double> track_gain_db;  ///< dB to apply for this track alone
  std::optional<double> track_peak;     ///< largest sample magnitude of the track
  std::optional<double> album_gain_db;  ///< dB to apply so the album plays at one level
  std::optional<double> album_peak;     ///< largest sample magnitude of the album
};

/// ffprobe's codec_name: "opus", "flac", "aac", ..., and for PCM the layout
/// ("pcm_s16le", "pcm_f64be", "pcm_u8"...). "unknown" when unidentified.
const char* codec_name(const CodecParameters& params) noexcept;
const char* codec_name(Codec codec) noexcept;

/// ffprobe's profile name for AAC by audio object type: "LC", "HE-AAC"
/// (SBR, explicitly signalled), "HE-AACv2" (PS), "Main", "SSR", "LTP", "LD",
/// "ELD"; nullptr for other codecs and object types. An AAC LC
/// configuration may still carry SBR signalled only in the bitstream
/// (implicit signalling): that is known by decoding, not here.
/// Thread-safe.
const char* codec_profile(const CodecParameters& params) noexcept;

}  // namespace frugal::core
