// Opus over libopus's multistream API (RFC 6716 packets, RFC 7845 channel
// mapping; configuration from dOps, Opus in ISOBMFF §4.3.2).
#include "codec/builtin.hpp"

#include <opus_multistream.h>

#include <vector>

namespace frugal::codec::detail {

using core::Errc;
using core::make_error;

namespace {

constexpr int kMaxFrameSize = 5760;  // 120 ms at 48 kHz, the longest Opus packet

// Vorbis channel order (RFC 7845 §5.1.1.2) → WAVE_FORMAT_EXTENSIBLE order,
// for mapping family 1: output channel i takes Vorbis channel kOrder[n-1][i].
constexpr std::uint8_t kVorbisToWav[8][8] = {
    {0}, {0, 1}, {0, 2, 1}, {0, 1, 2, 3}, {0, 2, 1, 3, 4}, {0, 2, 1, 5, 3, 4},
    {0, 2, 1, 6, 5, 3, 4}, {0, 2, 1, 7, 5, 6, 3, 4},
};

class OpusDecoder final : public Decoder {
 public:
  OpusDecoder(OpusMSDecoder* decoder, const core::AudioFormat& format, mem::Charge buffer, mem::Charge state)
      : decoder_(decoder), format_(format), buffer_charge_(std::move(buffer)), state_charge_(std::move(state)),
        out_(buffer_charge_.bytes()) {}
  ~OpusDecoder() override { opus_multistream_decoder_destroy(decoder_); }
  OpusDecoder(const OpusDecoder&) = delete;
  OpusDecoder& operator=(const OpusDecoder&) = delete;

  const core::AudioFormat& format() const noexcept override { return format_; }
  void reset() override { opus_multistream_decoder_ctl(decoder_, OPUS_RESET_STATE); }

  core::Result<AudioBlock> decode(std::span<const std::byte> packet) override {
    // An empty packet would make libopus conceal a lost one (up to 120 ms of
    // invented audio): in a file it is an error.
    if (packet.empty()) return make_error(Errc::malformed, "Opus: empty packet");
    if (packet.size() > 0x7FFFFFFF) return make_error(Errc::malformed, "Opus: packet too large");
    const auto* data = reinterpret_cast<const unsigned char*>(packet.data());
    const auto len = static_cast<opus_int32>(packet.size());
    const int frames =
        format_.format == core::SampleFormat::f32
            ? opus_multistream_decode_float(decoder_, data, len, reinterpret_cast<float*>(out_.data()),
                                            kMaxFrameSize, 0)
            : opus_multistream_decode(decoder_, data, len, reinterpret_cast<opus_int16*>(out_.data()),
                                      kMaxFrameSize, 0);
    if (frames < 0) return make_error(Errc::malformed, "Opus: corrupt packet");
    const auto n = static_cast<std::size_t>(frames);
    return AudioBlock{format_, std::span(out_).first(n * format_.bytes_per_frame()), n};
  }

 private:
  OpusMSDecoder* decoder_;
  core::AudioFormat format_;
  mem::Charge buffer_charge_;  // out_
  mem::Charge state_charge_;   // libopus's decoder state (opus_multistream_decoder_get_size)
  std::vector<std::byte> out_;
};

}  // namespace

core::Result<std::unique_ptr<Decoder>> make_opus_decoder(const core::CodecParameters& params,
                                                         const DecoderOptions& options) {
  FRUGAL_TRY(OpusConfig c, parse_opus_config(params.config));
  if (c.mapping_family == 3)
    return make_error(Errc::unsupported, "Opus: mapping family 3 (projection) not supported");
  std::uint8_t mapping[255];
  for (unsigned i = 0; i < c.channels; ++i)
    mapping[i] = c.mapping_family == 1 && c.channels <= 8 ? c.mapping[kVorbisToWav[c.channels - 1][i]]
                                                          : c.mapping[i];
  core::AudioFormat f;
  f.sample_rate = 48000;
  f.channels = c.channels;
  f.format = options.float_output ? core::SampleFormat::f32 : core::SampleFormat::s16;
  f.valid_bits = options.float_output ? 32 : 16;
  // Up to 255 channels come from the file: charge before allocating.
  FRUGAL_TRY(DecoderAccounts accounts, decoder_accounts(options));
  FRUGAL_TRY(mem::Charge buffer, mem::Charge::try_make(accounts.buffers, kMaxFrameSize * f.bytes_per_frame()));
  const opus_int32 state_bytes = opus_multistream_decoder_get_size(c.streams, c.coupled);
  if (state_bytes <= 0) return make_error(Errc::malformed, "Opus: decoder rejects the stream counts");
  FRUGAL_TRY(mem::Charge state, mem::Charge::try_make(accounts.state, static_cast<std::size_t>(state_bytes)));
  int err = OPUS_OK;
  OpusMSDecoder* dec = opus_multistream_decoder_create(48000, c.channels, c.streams, c.coupled, mapping, &err);
  if (!dec || err != OPUS_OK) return make_error(Errc::malformed, "Opus: decoder rejects the channel mapping");
  if (c.output_gain != 0) opus_multistream_decoder_ctl(dec, OPUS_SET_GAIN(c.output_gain));
  return std::unique_ptr<Decoder>(std::make_unique<OpusDecoder>(dec, f, std::move(buffer), std::move(state)));
}

}  // namespace frugal::codec::detail
