#pragma once
// Factories of frugal's built-in decoders (registered by with_builtins()).

#include <frugal/codec/registry.hpp>

namespace frugal::codec::detail {

core::Result<std::unique_ptr<Decoder>> make_pcm_decoder(const core::CodecParameters&, const DecoderOptions&);
#ifdef FRUGAL_HAVE_OPUS
core::Result<std::unique_ptr<Decoder>> make_opus_decoder(const core::CodecParameters&, const DecoderOptions&);
#endif
#ifdef FRUGAL_HAVE_FLAC
core::Result<std::unique_ptr<Decoder>> make_flac_decoder(const core::CodecParameters&, const DecoderOptions&);
#endif
#ifdef FRUGAL_HAVE_AVCODEC
/// AAC, ALAC, MP3, AC-3 and E-AC-3 over libavcodec (codec/avcodec_decoder.cpp).
core::Result<std::unique_ptr<Decoder>> make_avcodec_decoder(const core::CodecParameters&, const DecoderOptions&);
#endif
#ifdef FRUGAL_HAVE_FAAD2
/// AAC over faad2 (codec/faad2_decoder.cpp).
core::Result<std::unique_ptr<Decoder>> make_faad2_decoder(const core::CodecParameters&, const DecoderOptions&);
#endif
#ifdef FRUGAL_HAVE_MPG123
/// MP3 over libmpg123 (codec/mpg123_decoder.cpp).
core::Result<std::unique_ptr<Decoder>> make_mpg123_decoder(const core::CodecParameters&, const DecoderOptions&);
#endif

/// The accounts a decoder charges: its output buffer, and library state.
struct DecoderAccounts {
  mem::Account buffers;
  mem::Account state;
};
core::Result<DecoderAccounts> decoder_accounts(const DecoderOptions& options);

/// Fields of an Opus dOps body (Opus in ISOBMFF §4.3.2).
struct OpusConfig {
  std::uint8_t channels = 0;
  std::uint16_t pre_skip = 0;
  std::int16_t output_gain = 0;  // Q7.8 dB
  std::uint8_t mapping_family = 0;
  std::uint8_t streams = 1;
  std::uint8_t coupled = 0;
  std::uint8_t mapping[255] = {};
};
core::Result<OpusConfig> parse_opus_config(std::span<const std::byte> dops);

}  // namespace frugal::codec::detail
