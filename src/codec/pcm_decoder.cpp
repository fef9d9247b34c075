// PCM "decoder": stored samples (any width, endianness, signedness) to the
// native s16/s32/f32/f64 formats.
#include "codec/builtin.hpp"

#include <bit>
#include <cstring>
#include <vector>

namespace frugal::codec::detail {

using core::Errc;
using core::make_error;
using core::SampleFormat;

namespace {

class PcmDecoder final : public Decoder {
 public:
  PcmDecoder(const core::PcmLayout& layout, const core::AudioFormat& format, mem::Account account)
      : layout_(layout), format_(format), charge_(account, 0) {}

  const core::AudioFormat& format() const noexcept override { return format_; }
  void reset() override {}

  core::Result<AudioBlock> decode(std::span<const std::byte> packet) override {
    const std::size_t in_frame = std::size_t{layout_.bytes_per_sample} * format_.channels;
    const std::size_t frames = packet.size() / in_frame;
    const std::size_t samples = frames * format_.channels;
    const std::size_t out_bytes = frames * format_.bytes_per_frame();
    if (out_bytes > out_.size()) {  // grows to the largest packet, charged first
      if (!charge_.try_resize(out_bytes)) return make_error(Errc::out_of_memory, "PCM: output buffer over budget");
      out_.resize(out_bytes);
    }
    const std::byte* src = packet.data();
    std::byte* dst = out_.data();
    const std::size_t in_size = layout_.bytes_per_sample;
    const std::size_t out_size = core::bytes_per_sample(format_.format);
    for (std::size_t i = 0; i < samples; ++i, src += in_size, dst += out_size) {
      // Gather the stored sample as an unsigned big number, most significant first.
      std::uint64_t v = 0;
      for (std::size_t b = 0; b < in_size; ++b) {
        const std::size_t idx = layout_.big_endian ? b : in_size - 1 - b;
        v = (v << 8) | std::to_integer<std::uint64_t>(src[idx]);
      }
      if (layout_.is_float) {
        if (in_size == 4) store(dst, std::bit_cast<float>(static_cast<std::uint32_t>(v)));
        else store(dst, std::bit_cast<double>(v));
        continue;
      }
      if (!layout_.is_signed) v ^= std::uint64_t{1} << (in_size * 8 - 1);  // offset binary
      const unsigned shift = static_cast<unsigned>(out_size * 8 - in_size * 8);
      const std::uint64_t justified = v << shift;
      if (out_size == 2) store(dst, static_cast<std::int16_t>(static_cast<std::uint16_t>(justified)));
      else store(dst, static_cast<std::int32_t>(static_cast<std::uint32_t>(justified)));
    }
    return AudioBlock{format_, std::span(out_).first(out_bytes), frames};
  }

 private:
  template <typename T>
  static void store(std::byte* p, T v) {
    std::memcpy(p, &v, sizeof v);
  }

  core::PcmLayout layout_;
  core::AudioFormat format_;
  mem::Charge charge_;
  std::vector<std::byte> out_;
};

}  // namespace

core::Result<std::unique_ptr<Decoder>> make_pcm_decoder(const core::CodecParameters& params,
                                                        const DecoderOptions& options) {
  const core::PcmLayout& l = params.pcm;
  if (params.channels == 0 || params.sample_rate == 0)
    return make_error(Errc::malformed, "PCM: zero channels or sample rate");
  core::AudioFormat f;
  f.sample_rate = params.sample_rate;
  f.channels = params.channels;
  if (l.is_float && (l.bytes_per_sample == 4 || l.bytes_per_sample == 8)) {
    f.format = l.bytes_per_sample == 4 ? SampleFormat::f32 : SampleFormat::f64;
    f.valid_bits = static_cast<std::uint8_t>(l.bytes_per_sample * 8);
  } else if (!l.is_float && l.bytes_per_sample >= 1 && l.bytes_per_sample <= 4) {
    f.format = l.bytes_per_sample <= 2 ? SampleFormat::s16 : SampleFormat::s32;
    f.valid_bits = static_cast<std::uint8_t>(l.bytes_per_sample * 8);
  } else {
    return make_error(Errc::unsupported, "PCM: sample layout not supported");
  }
  FRUGAL_TRY(DecoderAccounts accounts, decoder_accounts(options));
  return std::unique_ptr<Decoder>(std::make_unique<PcmDecoder>(l, f, accounts.buffers));
}

}  // namespace frugal::codec::detail
