// MP3 (MPEG-1/2/2.5 Layer III, and Layers I and II) over libmpg123's feed
// API, one MP4 sample per packet. libmpg123 is LGPL-2.1: link it
// dynamically (the Debian packages do).
//
// The container trims (edit list, iTunSMPB), so libmpg123's own gapless
// handling is off and a LAME/Xing info frame decodes as the audio frame it
// is, as libavcodec's MP3 decoder treats it. Frames are fed whole, so the
// parser's read-ahead (which holds back a frame until the next confirms it)
// is off too; that drops free-format streams, which no MP4 muxer writes.
//
// Memory: frugal's output buffer is charged to "codec/buffers". libmpg123's
// handle (synthesis tables, bit reservoir, feed buffers) comes from malloc
// without a hook or a size query: "codec/state" is charged its measured
// peak instead (kHandleBytes).
#include "codec/builtin.hpp"

#include <mpg123.h>

#include <cstring>
#include <vector>

namespace frugal::codec::detail {

using core::Errc;
using core::make_error;

namespace {

// libmpg123 1.31's heap while a handle decodes: 58 KiB once opened, 86 KiB
// at the peak of 128 kb/s stereo fed a frame at a time (mallinfo2 around
// mpg123_new ... mpg123_decode_frame), rounded up.
constexpr std::size_t kHandleBytes = 96 * 1024;

struct HandleDeleter {
  void operator()(mpg123_handle* h) const noexcept { mpg123_delete(h); }
};
using HandlePtr = std::unique_ptr<mpg123_handle, HandleDeleter>;

core::Error library_error(int err) {
  if (err == MPG123_OUT_OF_MEM) return make_error(Errc::out_of_memory, "libmpg123: out of memory");
  return make_error(Errc::malformed, "libmpg123: corrupt packet");
}

// A handle ready for packets: quiet, no gapless trimming or resampling,
// output in `encoding` at any rate and channel count the stream has.
core::Result<HandlePtr> open_handle(int encoding) {
  int err = MPG123_OK;
  HandlePtr h(mpg123_new(nullptr, &err));
  if (!h) return library_error(err);
  const long add = MPG123_QUIET | MPG123_IGNORE_INFOFRAME | MPG123_NO_READAHEAD | MPG123_IGNORE_STREAMLENGTH;
  const long remove = MPG123_GAPLESS | MPG123_AUTO_RESAMPLE;
  if (mpg123_param(h.get(), MPG123_ADD_FLAGS, add, 0) != MPG123_OK ||
      mpg123_param(h.get(), MPG123_REMOVE_FLAGS, remove, 0) != MPG123_OK ||
      mpg123_format_none(h.get()) != MPG123_OK)
    return make_error(Errc::unsupported, "libmpg123: this build lacks a required option");
  const long* rates = nullptr;
  std::size_t count = 0;
  mpg123_rates(&rates, &count);
  for (std::size_t i = 0; i < count; ++i)
    if (mpg123_format(h.get(), rates[i], MPG123_MONO | MPG123_STEREO, encoding) != MPG123_OK)
      return make_error(Errc::unsupported, "libmpg123: this build cannot decode to the requested sample format");
  if (const int opened = mpg123_open_feed(h.get()); opened != MPG123_OK) return library_error(opened);
  return h;
}

class Mpg123Decoder final : public Decoder {
 public:
  Mpg123Decoder(HandlePtr handle, int encoding, const core::AudioFormat& format, mem::Charge buffers,
                mem::Charge state)
      : handle_(std::move(handle)), encoding_(encoding), format_(format), block_format_(format),
        charge_(std::move(buffers)), state_charge_(std::move(state)) {}

  const core::AudioFormat& format() const noexcept override { return format_; }

  // Drops the bit reservoir and any buffered input: a fresh handle, which
  // decode() opens once the old one is gone (a seek never holds two).
  void reset() override { handle_.reset(); }

  core::Result<AudioBlock> decode(std::span<const std::byte> packet) override {
    if (packet.empty()) return make_error(Errc::malformed, "libmpg123: empty packet");
    if (!handle_) {
      FRUGAL_TRY(handle_, open_handle(encoding_));
    }
    const int fed =
        mpg123_feed(handle_.get(), reinterpret_cast<const unsigned char*>(packet.data()), packet.size());
    if (fed != MPG123_OK) return library_error(fed);
    std::size_t bytes = 0;
    while (true) {
      off_t frame_number = 0;
      unsigned char* audio = nullptr;
      std::size_t size = 0;
      const int got = mpg123_decode_frame(handle_.get(), &frame_number, &audio, &size);
      if (got == MPG123_NEED_MORE) break;
      if (got == MPG123_NEW_FORMAT) {
        // The frames so far and those that follow would need two blocks.
        if (bytes != 0)
          return make_error(Errc::unsupported, "libmpg123: the format changes within one packet");
        FRUGAL_CHECK(take_format());
        continue;
      }
      if (got != MPG123_OK) return library_error(got == MPG123_ERR ? mpg123_errcode(handle_.get()) : got);
      FRUGAL_CHECK(grow(bytes + size));
      std::memcpy(out_.data() + bytes, audio, size);
      bytes += size;
    }
    if (bytes == 0) {
      // A whole frame always decodes (read-ahead is off): no sync word in
      // the packet. Its bytes are dropped, not joined to the next packet's.
      mpg123_open_feed(handle_.get());
      return make_error(Errc::malformed, "libmpg123: no MPEG audio frame in the packet");
    }
    const std::size_t frames = bytes / block_format_.bytes_per_frame();
    return AudioBlock{block_format_, std::span(out_).first(frames * block_format_.bytes_per_frame()), frames};
  }

 private:
  // The stream's format, from libmpg123 (format_ is the sample entry's: a
  // stream whose frames say otherwise comes out as they say, block by block).
  core::Result<void> take_format() {
    long rate = 0;
    int channels = 0;
    int encoding = 0;
    if (mpg123_getformat(handle_.get(), &rate, &channels, &encoding) != MPG123_OK || rate <= 0 ||
        channels < 1 || channels > 2 || encoding != encoding_)
      return make_error(Errc::malformed, "libmpg123: no output format for the stream");
    block_format_.sample_rate = static_cast<std::uint32_t>(rate);
    block_format_.channels = static_cast<std::uint16_t>(channels);
    return core::ok();
  }

  core::Result<void> grow(std::size_t bytes) {
    if (out_.size() >= bytes) return core::ok();
    if (!charge_.try_resize(bytes))
      return make_error(Errc::out_of_memory, "libmpg123: output buffer over the memory budget");
    out_.resize(bytes);
    return core::ok();
  }

  HandlePtr handle_;
  int encoding_;
  core::AudioFormat format_;
  core::AudioFormat block_format_;  // of the frames libmpg123 returns now
  mem::Charge charge_;              // out_
  mem::Charge state_charge_;        // the handle (kHandleBytes)
  std::vector<std::byte> out_;
};

}  // namespace

core::Result<std::unique_ptr<Decoder>> make_mpg123_decoder(const core::CodecParameters& params,
                                                           const DecoderOptions& options) {
  if (params.sample_rate == 0 || params.channels < 1 || params.channels > 2)
    return make_error(Errc::unsupported, "libmpg123: MPEG audio has one or two channels and a sample rate");
  const int encoding = options.float_output ? MPG123_ENC_FLOAT_32 : MPG123_ENC_SIGNED_16;
  FRUGAL_TRY(DecoderAccounts accounts, decoder_accounts(options));
  FRUGAL_TRY(mem::Charge state, mem::Charge::try_make(accounts.state, kHandleBytes));
  FRUGAL_TRY(HandlePtr handle, open_handle(encoding));
  core::AudioFormat f;
  f.sample_rate = params.sample_rate;
  f.channels = params.channels;
  f.format = options.float_output ? core::SampleFormat::f32 : core::SampleFormat::s16;
  f.valid_bits = options.float_output ? 32 : 16;
  return std::unique_ptr<Decoder>(std::make_unique<Mpg123Decoder>(
      std::move(handle), encoding, f, mem::Charge(accounts.buffers, 0), std::move(state)));
}

}  // namespace frugal::codec::detail
