#include <frugal/core/media.hpp>

namespace frugal::core {

std::size_t bytes_per_sample(SampleFormat format) noexcept {
  switch (format) {
    case SampleFormat::s16: return 2;
    case SampleFormat::s24: return 3;
    case SampleFormat::s32: return 4;
    case SampleFormat::f32: return 4;
    case SampleFormat::f64: return 8;
  }
  return 0;
}

bool is_float(SampleFormat format) noexcept {
  return format == SampleFormat::f32 || format == SampleFormat::f64;
}

const char* sample_format_name(SampleFormat format) noexcept {
  switch (format) {
    case SampleFormat::s16: return "s16";
    case SampleFormat::s24: return "s24";
    case SampleFormat::s32: return "s32";
    case SampleFormat::f32: return "f32";
    case SampleFormat::f64: return "f64";
  }
  return "?";
}

const char* codec_name(Codec codec) noexcept {
  switch (codec) {
    case Codec::unknown: return "unknown";
    case Codec::opus: return "opus";
    case Codec::flac: return "flac";
    case Codec::aac: return "aac";
    case Codec::alac: return "alac";
    case Codec::mp3: return "mp3";
    case Codec::ac3: return "ac3";
    case Codec::eac3: return "eac3";
    case Codec::pcm: return "pcm";
    case Codec::vorbis: return "vorbis";
    case Codec::amr_nb: return "amr_nb";
    case Codec::amr_wb: return "amr_wb";
  }
  return "unknown";
}

namespace {

// pcm_<s|u|f><bits><le|be>, as FFmpeg names its PCM codecs.
const char* pcm_codec_name(const PcmLayout& pcm) noexcept {
  if (pcm.bytes_per_sample == 1) return pcm.is_signed ? "pcm_s8" : "pcm_u8";
  const bool be = pcm.big_endian;
  if (pcm.is_float) {
    if (pcm.bytes_per_sample == 4) return be ? "pcm_f32be" : "pcm_f32le";
    if (pcm.bytes_per_sample == 8) return be ? "pcm_f64be" : "pcm_f64le";
    return "unknown";
  }
  switch (pcm.bytes_per_sample) {
    case 2: return be ? "pcm_s16be" : "pcm_s16le";
    case 3: return be ? "pcm_s24be" : "pcm_s24le";
    case 4: return be ? "pcm_s32be" : "pcm_s32le";
    default: return "unknown";
  }
}

}  // namespace

const char* codec_name(const CodecParameters& params) noexcept {
  return params.codec == Codec::pcm ? pcm_codec_name(params.pcm) : codec_name(params.codec);
}

const char* codec_profile(const CodecParameters& params) noexcept {
  if (params.codec != Codec::aac) return nullptr;
  switch (params.audio_object_type) {
    case 1: return "Main";
    case 2: return "LC";
    case 3: return "SSR";
    case 4: return "LTP";
    case 5: return "HE-AAC";
    case 23: return "LD";
    case 29: return "HE-AACv2";
    case 39: return "ELD";
    default: return nullptr;
  }
}

}  // namespace frugal::core
