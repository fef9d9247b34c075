// AAC (LC, HE-AAC v1/v2, explicitly or implicitly signalled SBR and PS) over
// faad2's libfaad, one MP4 sample per packet: a small decoder for devices
// without libavcodec. faad2 is GPL-2.0-or-later: FRUGAL_WITH_FAAD2 is off by
// default, and a binary built with it is GPL (README).
//
// libfaad decodes the first frame after it is opened but reports no samples
// for it. That frame is given as silence instead, so frame counts stay those of the
// stream: the edit list's priming (2112 frames for iTunes files) covers it,
// and after a seek the AAC pre-roll frame does.
//
// Memory: frugal's output buffer is charged to "codec/buffers"; libfaad's
// own state comes from malloc without a hook or a size query and is not
// charged (`frugal --stats` shows it in heap_peak).
#include "codec/builtin.hpp"

#include <neaacdec.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace frugal::codec::detail {

using core::Errc;
using core::make_error;

namespace {

struct HandleDeleter {
  void operator()(NeAACDecHandle h) const noexcept { NeAACDecClose(h); }
};
using HandlePtr = std::unique_ptr<std::remove_pointer_t<NeAACDecHandle>, HandleDeleter>;

constexpr std::size_t kMaxChannels = 8;

// A handle configured for `format` output and initialised from the
// AudioSpecificConfig; the rate and channels it expects come back.
core::Result<HandlePtr> open_handle(std::vector<std::byte> config, bool float_output, unsigned long& rate,
                                    unsigned char& channels) {
  HandlePtr h(NeAACDecOpen());
  if (!h) return make_error(Errc::out_of_memory, "faad2: out of memory");
  NeAACDecConfigurationPtr c = NeAACDecGetCurrentConfiguration(h.get());
  c->outputFormat = float_output ? FAAD_FMT_FLOAT : FAAD_FMT_16BIT;
  c->downMatrix = 0;
  c->dontUpSampleImplicitSBR = 0;  // SBR's doubled rate, signalled or not
  if (NeAACDecSetConfiguration(h.get(), c) != 1) return make_error(Errc::unsupported, "faad2: configuration refused");
  // A char: signed on x86, unsigned on ARM, where -1 reads as 255.
  const auto init = static_cast<signed char>(NeAACDecInit2(h.get(), reinterpret_cast<unsigned char*>(config.data()),
                                                           static_cast<unsigned long>(config.size()), &rate, &channels));
  if (init < 0)
    return make_error(Errc::unsupported, "faad2: AudioSpecificConfig not supported");
  return h;
}

// WAVE_FORMAT_EXTENSIBLE rank of a faad2 channel position (decoder.hpp's
// order FL FR FC LFE BL BR; back centre and the sides after them).
int wav_rank(unsigned char position) {
  switch (position) {
    case FRONT_CHANNEL_LEFT: return 0;
    case FRONT_CHANNEL_RIGHT: return 1;
    case FRONT_CHANNEL_CENTER: return 2;
    case LFE_CHANNEL: return 3;
    case BACK_CHANNEL_LEFT: return 4;
    case BACK_CHANNEL_RIGHT: return 5;
    case BACK_CHANNEL_CENTER: return 8;
    case SIDE_CHANNEL_LEFT: return 9;
    case SIDE_CHANNEL_RIGHT: return 10;
    default: return 11;
  }
}

class Faad2Decoder final : public Decoder {
 public:
  Faad2Decoder(const core::CodecParameters& params, HandlePtr handle, const core::AudioFormat& format, bool mono,
               mem::Charge buffers)
      : config_(params.config), handle_(std::move(handle)), mono_(mono), format_(format), block_format_(format),
        charge_(std::move(buffers)) {}

  const core::AudioFormat& format() const noexcept override { return format_; }

  // A fresh handle: libfaad keeps overlap and SBR state across frames. The
  // old one goes first, so a seek never holds two; decode() opens it.
  void reset() override {
    handle_.reset();
    first_ = true;
  }

  core::Result<AudioBlock> decode(std::span<const std::byte> packet) override {
    if (packet.empty()) return make_error(Errc::malformed, "faad2: empty packet");
    if constexpr (sizeof(std::size_t) > sizeof(unsigned long))  // libfaad takes an unsigned long
      if (packet.size() > ~0ul) return make_error(Errc::malformed, "faad2: packet too large");
    if (!handle_) {
      unsigned long rate = 0;
      unsigned char channels = 0;
      FRUGAL_TRY(handle_, open_handle(config_, format_.format == core::SampleFormat::f32, rate, channels));
    }
    NeAACDecFrameInfo info{};
    // libfaad reads the packet only (the pointer is not const in its API).
    auto* data = reinterpret_cast<unsigned char*>(const_cast<std::byte*>(packet.data()));
    void* samples = NeAACDecDecode(handle_.get(), &info, data, static_cast<unsigned long>(packet.size()));
    if (info.error != 0 || !samples) {
      // libfaad's state after an error can fail the packets that follow (a
      // corrupt first packet leaves it unable to take the second): start
      // afresh, at the cost of the next frame coming out as silence.
      reset();
      return make_error(Errc::malformed, "faad2: corrupt packet");
    }
    const bool first = std::exchange(first_, false);  // libfaad counts decoded frames only
    if (info.channels == 0 || info.channels > kMaxChannels || info.samplerate == 0)
      return make_error(Errc::unsupported, "faad2: a decoded format frugal cannot deliver");
    // libfaad makes mono stereo in case Parametric Stereo follows; like
    // libavcodec, only SBR streams (HE-AAC, where PS may come) stay so.
    const bool sbr = info.sbr == SBR_UPSAMPLED || info.sbr == SBR_DOWNSAMPLED;
    const bool upmixed = mono_ && info.channels == 2 && !sbr && info.ps == 0;
    const std::size_t channels = upmixed ? 1 : info.channels;
    block_format_.sample_rate = static_cast<std::uint32_t>(info.samplerate);
    block_format_.channels = static_cast<std::uint16_t>(channels);
    const std::size_t frames = info.samples / info.channels;
    const std::size_t bytes_per_sample = core::bytes_per_sample(block_format_.format);
    // The dropped first frame, as silence (see the file comment): a frame
    // is 1024 samples per channel, 2048 with SBR upsampling.
    const bool doubled = info.sbr == SBR_UPSAMPLED || info.sbr == NO_SBR_UPSAMPLED;
    const std::size_t out_frames = first && frames == 0 ? (doubled ? 2048 : 1024) : frames;
    FRUGAL_CHECK(grow(out_frames * block_format_.bytes_per_frame()));
    if (frames == 0) {
      std::fill_n(out_.begin(), out_frames * block_format_.bytes_per_frame(), std::byte{0});
    } else {
      // libfaad's channel order is its channel_position list: reorder.
      std::array<std::size_t, kMaxChannels> from{};
      for (std::size_t ch = 0; ch < info.channels; ++ch) from[ch] = ch;
      std::stable_sort(from.begin(), from.begin() + info.channels, [&](std::size_t a, std::size_t b) {
        return wav_rank(info.channel_position[a]) < wav_rank(info.channel_position[b]);
      });
      const auto* in = static_cast<const std::byte*>(samples);
      std::byte* dst = out_.data();
      for (std::size_t i = 0; i < frames; ++i)
        for (std::size_t ch = 0; ch < channels; ++ch, dst += bytes_per_sample)
          std::memcpy(dst, in + (i * info.channels + from[ch]) * bytes_per_sample, bytes_per_sample);
    }
    return AudioBlock{block_format_, std::span(out_).first(out_frames * block_format_.bytes_per_frame()),
                      out_frames};
  }

 private:
  core::Result<void> grow(std::size_t bytes) {
    if (out_.size() >= bytes) return core::ok();
    if (!charge_.try_resize(bytes)) return make_error(Errc::out_of_memory, "faad2: output buffer over the memory budget");
    out_.resize(bytes);
    return core::ok();
  }

  std::vector<std::byte> config_;  // to open a fresh handle on reset()
  HandlePtr handle_;
  bool mono_;          // the configuration's channels: 1
  bool first_ = true;  // the next packet is the handle's first
  core::AudioFormat format_;
  core::AudioFormat block_format_;
  mem::Charge charge_;  // out_
  std::vector<std::byte> out_;
};

}  // namespace

core::Result<std::unique_ptr<Decoder>> make_faad2_decoder(const core::CodecParameters& params,
                                                          const DecoderOptions& options) {
  // Without one, another decoder may still read the stream (ADTS frames).
  if (params.config.empty()) return make_error(Errc::unsupported, "faad2: no AudioSpecificConfig");
  unsigned long rate = 0;
  unsigned char channels = 0;
  FRUGAL_TRY(HandlePtr handle, open_handle(params.config, options.float_output, rate, channels));
  if (rate == 0 || channels == 0 || channels > kMaxChannels)
    return make_error(Errc::unsupported, "faad2: no sample rate, or not 1 to 8 channels");
  // libfaad answers 2 channels for mono: the configuration's count decides.
  const bool mono = params.channels == 1;
  core::AudioFormat f;
  // The rate as the container reads it (explicit SBR: already the doubled
  // one), as libavcodec's decoder reports it; frames then say their own.
  f.sample_rate = params.sample_rate ? params.sample_rate : static_cast<std::uint32_t>(rate);
  f.channels = mono && params.audio_object_type == 2 ? 1 : channels;  // LC; HE-AAC: PS may follow
  f.format = options.float_output ? core::SampleFormat::f32 : core::SampleFormat::s16;
  f.valid_bits = options.float_output ? 32 : 16;
  FRUGAL_TRY(DecoderAccounts accounts, decoder_accounts(options));
  return std::unique_ptr<Decoder>(
      std::make_unique<Faad2Decoder>(params, std::move(handle), f, mono, mem::Charge(accounts.buffers, 0)));
}

}  // namespace frugal::codec::detail
