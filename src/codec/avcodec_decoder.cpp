// AAC, ALAC, MP3, AC-3 and E-AC-3 over FFmpeg's libavcodec (send/receive
// API), one MP4 sample per packet. libavcodec is LGPL-2.1: link it
// dynamically (the Debian packages do) for frugal's licence to stay free of
// its terms.
//
// Memory: frugal's buffers (the padded packet copy, the interleaved output)
// are charged to "codec/buffers". libavcodec's own state (the codec context,
// its frame pool, AAC's SBR/PS tables) is allocated through av_malloc, which
// offers no per-allocation hook or size query: it is not charged to any
// account.
#include "codec/builtin.hpp"

#include <frugal/codec/sample_convert.hpp>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
}

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

namespace frugal::codec::detail {

using core::Errc;
using core::make_error;

namespace {

struct ContextDeleter {
  void operator()(AVCodecContext* c) const noexcept { avcodec_free_context(&c); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const noexcept { av_frame_free(&f); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
using ContextPtr = std::unique_ptr<AVCodecContext, ContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

AVCodecID codec_id(core::Codec codec) {
  switch (codec) {
    case core::Codec::aac: return AV_CODEC_ID_AAC;
    case core::Codec::alac: return AV_CODEC_ID_ALAC;
    case core::Codec::mp3: return AV_CODEC_ID_MP3;
    case core::Codec::ac3: return AV_CODEC_ID_AC3;
    case core::Codec::eac3: return AV_CODEC_ID_EAC3;
    default: return AV_CODEC_ID_NONE;
  }
}

// A libavcodec sample format as frugal's (planar and packed alike); nullopt
// for formats frugal has no name for (u8).
std::optional<core::SampleFormat> sample_format(int format) {
  switch (av_get_packed_sample_fmt(static_cast<AVSampleFormat>(format))) {
    case AV_SAMPLE_FMT_S16: return core::SampleFormat::s16;
    case AV_SAMPLE_FMT_S32: return core::SampleFormat::s32;
    case AV_SAMPLE_FMT_FLT: return core::SampleFormat::f32;
    case AV_SAMPLE_FMT_DBL: return core::SampleFormat::f64;
    default: return std::nullopt;
  }
}

// What libavcodec's decoders expect as extradata: AAC the
// AudioSpecificConfig as esds carries it; ALAC the whole 'alac' atom (size,
// type, version/flags, then the 24-byte ALACSpecificConfig: alac.c reads it
// from offset 12); MP3, AC-3 and E-AC-3 none (their frames are
// self-describing).
std::vector<std::byte> extradata(const core::CodecParameters& params) {
  if (params.codec == core::Codec::aac) return params.config;
  if (params.codec != core::Codec::alac) return {};
  const auto size = static_cast<std::uint8_t>(12 + params.config.size());  // 36: checked by the factory
  std::vector<std::byte> atom = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{size},
                                 std::byte{'a'}, std::byte{'l'}, std::byte{'a'}, std::byte{'c'},
                                 std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}};
  atom.insert(atom.end(), params.config.begin(), params.config.end());
  return atom;
}

// libavcodec's refusals at open time: a feature it lacks (an AAC object
// type, ENOSYS or AVERROR_PATCHWELCOME) lets the next factory try.
core::Error open_error(int err) {
  if (err == AVERROR(ENOMEM)) return make_error(Errc::out_of_memory, "libavcodec: out of memory");
  if (err == AVERROR_INVALIDDATA) return make_error(Errc::malformed, "libavcodec: codec configuration rejected");
  return make_error(Errc::unsupported, "libavcodec: codec configuration not supported");
}

// An open context for `codec` configured from `params`.
core::Result<ContextPtr> open_context(const AVCodec* codec, const core::CodecParameters& params) {
  ContextPtr context(avcodec_alloc_context3(codec));
  if (!context) return make_error(Errc::out_of_memory, "libavcodec: out of memory");
  // As ffmpeg sets them from the container (so both decode alike): the
  // configuration's rate and channels, which the frames may refine.
  context->sample_rate = static_cast<int>(params.sample_rate);
  if (params.channels > 0) av_channel_layout_default(&context->ch_layout, params.channels);
  // libavcodec reports each corrupt frame on stderr; frugal reports through
  // its errors instead. The offset lowers this context's messages below
  // any level an embedder enables, without touching av_log's process-wide
  // level or callback.
  context->log_level_offset = AV_LOG_TRACE - AV_LOG_PANIC;
  context->thread_count = 1;  // audio decoders do not thread; no worker stacks on small devices
  const std::vector<std::byte> config = extradata(params);
  if (!config.empty()) {
    // Owned by the context from here (freed by avcodec_free_context).
    context->extradata = static_cast<std::uint8_t*>(av_mallocz(config.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (!context->extradata) return make_error(Errc::out_of_memory, "libavcodec: out of memory");
    std::memcpy(context->extradata, config.data(), config.size());
    context->extradata_size = static_cast<int>(config.size());
  }
  if (const int err = avcodec_open2(context.get(), codec, nullptr); err < 0) return open_error(err);
  return context;
}

class AvcodecDecoder final : public Decoder {
 public:
  AvcodecDecoder(const core::CodecParameters& params, ContextPtr context, FramePtr frame, PacketPtr packet,
                 const core::AudioFormat& format, mem::Charge buffers)
      : params_(params), context_(std::move(context)), frame_(std::move(frame)), packet_(std::move(packet)),
        format_(format), block_format_(format), charge_(std::move(buffers)) {}

  const core::AudioFormat& format() const noexcept override { return format_; }

  // avcodec_flush_buffers() leaves some state behind (AAC: its noise
  // generator for PNS), so output after a seek would differ from a fresh
  // decoder's: a new context makes seeks reproducible. Flushing is the
  // fallback when there is no memory for one.
  void reset() override {
    if (auto fresh = open_context(context_->codec, params_)) context_ = std::move(*fresh);
    else avcodec_flush_buffers(context_.get());
  }

  core::Result<AudioBlock> decode(std::span<const std::byte> packet) override {
    if (packet.empty()) return make_error(Errc::malformed, "libavcodec: empty packet");
    if (packet.size() > static_cast<std::size_t>(INT32_MAX - AV_INPUT_BUFFER_PADDING_SIZE))
      return make_error(Errc::malformed, "libavcodec: packet too large");
    // libavcodec's bitstream readers may read AV_INPUT_BUFFER_PADDING_SIZE
    // bytes past the end: decode from a zero-padded copy.
    FRUGAL_CHECK(grow(input_, packet.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::memcpy(input_.data(), packet.data(), packet.size());
    std::fill_n(input_.begin() + static_cast<std::ptrdiff_t>(packet.size()), AV_INPUT_BUFFER_PADDING_SIZE,
                std::byte{0});
    packet_->data = reinterpret_cast<std::uint8_t*>(input_.data());
    packet_->size = static_cast<int>(packet.size());
    const int sent = avcodec_send_packet(context_.get(), packet_.get());
    if (sent < 0) return decode_error(sent);
    std::size_t frames = 0;
    while (true) {
      const int got = avcodec_receive_frame(context_.get(), frame_.get());
      if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) break;
      if (got < 0) return decode_error(got);
      auto appended = append(frames);
      av_frame_unref(frame_.get());
      if (!appended) return appended.error();
      frames += *appended;
    }
    return AudioBlock{block_format_, std::span(out_).first(frames * block_format_.bytes_per_frame()), frames};
  }

 private:
  // A corrupt packet leaves the context usable (libavcodec drops the packet
  // and resynchronises on the next); running out of memory does not make
  // the packet corrupt.
  static core::Error decode_error(int err) {
    if (err == AVERROR(ENOMEM)) return make_error(Errc::out_of_memory, "libavcodec: out of memory");
    return make_error(Errc::malformed, "libavcodec: corrupt packet");
  }

  core::Result<void> grow(std::vector<std::byte>& buffer, std::size_t bytes) {
    if (buffer.size() >= bytes) return core::ok();
    if (!charge_.try_resize(charge_.bytes() + (bytes - buffer.size())))
      return make_error(Errc::out_of_memory, "libavcodec: output buffer over the memory budget");
    buffer.resize(bytes);
    return core::ok();
  }

  // Appends frame_ to out_ after `done` frames, interleaved and converted to
  // the output sample format; returns its frame count. A frame's rate and
  // channel count are the stream's, whatever the configuration said (mono
  // MP3 in an entry of 2 channels, AAC whose SBR is signalled only in the
  // bitstream): the block takes them, as long as one packet does not hold
  // two formats.
  core::Result<std::size_t> append(std::size_t done) {
    const AVFrame& f = *frame_;
    const auto from = sample_format(f.format);
    if (!from || f.sample_rate <= 0 || f.ch_layout.nb_channels < 1 || f.ch_layout.nb_channels > 8)
      return make_error(Errc::unsupported, "libavcodec: a decoded format frugal cannot deliver");
    const auto rate = static_cast<std::uint32_t>(f.sample_rate);
    const auto frame_channels = static_cast<std::uint16_t>(f.ch_layout.nb_channels);
    if (rate != block_format_.sample_rate || frame_channels != block_format_.channels) {
      if (done != 0) return make_error(Errc::unsupported, "libavcodec: the format changes within one packet");
      block_format_.sample_rate = rate;
      block_format_.channels = frame_channels;
    }
    const auto n = static_cast<std::size_t>(f.nb_samples);
    const std::size_t channels = frame_channels;
    const std::size_t in_size = core::bytes_per_sample(*from);
    const bool convert = *from != block_format_.format;
    // Planar (or packed) samples are gathered into interleaved order first,
    // in out_ itself when no conversion follows.
    std::vector<std::byte>& gathered = convert ? scratch_ : out_;
    const std::size_t at = convert ? 0 : done * block_format_.bytes_per_frame();
    FRUGAL_CHECK(grow(gathered, at + n * channels * in_size));
    if (av_sample_fmt_is_planar(static_cast<AVSampleFormat>(f.format))) {
      std::byte* dst = gathered.data() + at;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t ch = 0; ch < channels; ++ch, dst += in_size)
          std::memcpy(dst, f.extended_data[ch] + i * in_size, in_size);
    } else {
      std::memcpy(gathered.data() + at, f.extended_data[0], n * channels * in_size);
    }
    if (convert) {
      const std::size_t out_at = done * block_format_.bytes_per_frame();
      FRUGAL_CHECK(grow(out_, out_at + n * block_format_.bytes_per_frame()));
      convert_samples(*from, std::span(scratch_).first(n * channels * in_size), block_format_.format,
                      std::span(out_).subspan(out_at), n * channels);
    }
    return n;
  }

  core::CodecParameters params_;  // to open a fresh context on reset()
  ContextPtr context_;
  FramePtr frame_;
  PacketPtr packet_;
  core::AudioFormat format_;        // the configuration's
  core::AudioFormat block_format_;  // of the frames libavcodec returns now
  mem::Charge charge_;              // input_ + scratch_ + out_
  std::vector<std::byte> input_;    // the packet, zero-padded
  std::vector<std::byte> scratch_;  // one frame interleaved in libavcodec's sample format
  std::vector<std::byte> out_;
};

}  // namespace

core::Result<std::unique_ptr<Decoder>> make_avcodec_decoder(const core::CodecParameters& params,
                                                            const DecoderOptions& options) {
  const AVCodecID id = codec_id(params.codec);
  const AVCodec* codec = id == AV_CODEC_ID_NONE ? nullptr : avcodec_find_decoder(id);
  if (!codec) return make_error(Errc::unsupported, "libavcodec: no decoder for this codec");
  if (params.codec == core::Codec::alac && params.config.size() != 24)
    return make_error(Errc::malformed, "ALAC: no ALACSpecificConfig");
  FRUGAL_TRY(ContextPtr context, open_context(codec, params));
  FramePtr frame(av_frame_alloc());
  PacketPtr packet(av_packet_alloc());
  if (!frame || !packet) return make_error(Errc::out_of_memory, "libavcodec: out of memory");

  // The output rate is the configuration's as the container reads it:
  // libavcodec sets none before the first frame. For explicitly signalled
  // HE-AAC (object type 5 or 29, or an LC config's sync extension) that is
  // already the SBR rate (mp4's parse_audio_specific_config). The channels
  // are libavcodec's after reading the configuration: mono HE-AAC comes out
  // as stereo (libavcodec assumes Parametric Stereo may follow).
  core::AudioFormat f;
  f.sample_rate = params.sample_rate;
  f.channels = context->ch_layout.nb_channels > 0 ? static_cast<std::uint16_t>(context->ch_layout.nb_channels)
                                                  : params.channels;
  if (f.sample_rate == 0 || f.channels == 0 || f.channels > 8)
    return make_error(Errc::unsupported, "libavcodec: no sample rate, or not 1 to 8 channels");
  // Channels come in libavcodec's native order, which sorts them by their
  // AV_CH_* bit: the WAVE_FORMAT_EXTENSIBLE order decoder.hpp promises.
  if (params.codec == core::Codec::alac) {
    if (params.bits_per_sample == 0 || params.bits_per_sample > 32)
      return make_error(Errc::malformed, "ALAC: bit depth out of range");
    f.format = params.bits_per_sample <= 16 ? core::SampleFormat::s16 : core::SampleFormat::s32;
    f.valid_bits = static_cast<std::uint8_t>(params.bits_per_sample);
  } else {
    f.format = options.float_output ? core::SampleFormat::f32 : core::SampleFormat::s16;
    f.valid_bits = options.float_output ? 32 : 16;
  }
  FRUGAL_TRY(DecoderAccounts accounts, decoder_accounts(options));
  return std::unique_ptr<Decoder>(std::make_unique<AvcodecDecoder>(params, std::move(context), std::move(frame),
                                                                   std::move(packet), f,
                                                                   mem::Charge(accounts.buffers, 0)));
}

}  // namespace frugal::codec::detail
