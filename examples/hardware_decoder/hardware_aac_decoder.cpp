#include "hardware_aac_decoder.hpp"

#include <frugal/core/byte_reader.hpp>

#include <memory>

namespace example {

using frugal::core::Errc;
using frugal::core::make_error;

namespace {

// Whether the AudioSpecificConfig (ISO/IEC 14496-3 §1.6.2.1) is AAC LC with
// a rate and channel count the hardware takes.
bool hardware_takes(const frugal::core::CodecParameters& params) {
  frugal::core::ByteReader r(params.config);
  const std::uint8_t first = r.u8();
  if (!r.ok()) return false;
  const unsigned object_type = first >> 3;
  return object_type == 2 && params.channels >= 1 && params.channels <= 2 && params.sample_rate >= 8000 &&
         params.sample_rate <= 48000;
}

class HardwareAacDecoder final : public frugal::codec::Decoder {
 public:
  HardwareAacDecoder(std::unique_ptr<frugal::codec::Decoder> device, HardwareStats& stats)
      : device_(std::move(device)), stats_(stats) {}

  const frugal::core::AudioFormat& format() const noexcept override { return device_->format(); }
  void reset() override { device_->reset(); }
  frugal::core::Result<frugal::codec::AudioBlock> decode(std::span<const std::byte> packet) override {
    ++stats_.packets;
    return device_->decode(packet);
  }

 private:
  std::unique_ptr<frugal::codec::Decoder> device_;  // the "hardware": libavcodec here
  HardwareStats& stats_;
};

}  // namespace

void register_hardware_aac(frugal::codec::DecoderRegistry& registry, HardwareStats& stats) {
  registry.add(frugal::core::Codec::aac, "hardware-aac",
               [&stats](const frugal::core::CodecParameters& params, const frugal::codec::DecoderOptions& options)
                   -> frugal::core::Result<std::unique_ptr<frugal::codec::Decoder>> {
                 if (!hardware_takes(params)) {
                   ++stats.declined;
                   return make_error(Errc::unsupported, "hardware-aac: not AAC LC of 1-2 channels at 8-48 kHz");
                 }
                 static const frugal::codec::DecoderRegistry device =
                     frugal::codec::DecoderRegistry::with_builtins().only("libavcodec");
                 FRUGAL_TRY(auto inner, device.create(params, options));
                 ++stats.streams;
                 return std::unique_ptr<frugal::codec::Decoder>(
                     std::make_unique<HardwareAacDecoder>(std::move(inner), stats));
               });
}

}  // namespace example
