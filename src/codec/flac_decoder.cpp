// FLAC over libFLAC's stream decoder, fed one packet (one FLAC frame) at a
// time after a synthesized stream header built from dfLa's metadata blocks
// (FLAC in ISOBMFF §3.3.2; RFC 9639 §8).
#include "codec/builtin.hpp"

#include <frugal/core/byte_reader.hpp>

#include <FLAC/stream_decoder.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace frugal::codec::detail {

using core::Errc;
using core::make_error;

namespace {

// "fLaC" + the metadata blocks, with only the final block flagged last.
core::Result<std::vector<std::byte>> stream_header(std::span<const std::byte> blocks) {
  std::vector<std::byte> h = {std::byte{'f'}, std::byte{'L'}, std::byte{'a'}, std::byte{'C'}};
  core::ByteReader r(blocks);
  while (r.remaining() >= 4) {
    const std::size_t start = h.size();
    const std::uint8_t type = r.u8() & 0x7F;
    const std::uint32_t length = r.u24();
    const auto body = r.bytes(length);
    if (!r.ok()) return make_error(Errc::malformed, "FLAC: metadata block cut short");
    h.push_back(static_cast<std::byte>(type));
    h.push_back(static_cast<std::byte>(length >> 16));
    h.push_back(static_cast<std::byte>(length >> 8));
    h.push_back(static_cast<std::byte>(length));
    h.insert(h.end(), body.begin(), body.end());
    if (r.remaining() < 4) h[start] |= std::byte{0x80};
  }
  if (h.size() < 4 + 4 + 34) return make_error(Errc::malformed, "FLAC: no STREAMINFO");
  return h;
}

// Samples of `bits` bits, left-justified in s16 or s32.
core::AudioFormat sample_layout(std::uint32_t rate, unsigned channels, unsigned bits) {
  core::AudioFormat f;
  f.sample_rate = rate;
  f.channels = static_cast<std::uint16_t>(channels);
  f.format = bits <= 16 ? core::SampleFormat::s16 : core::SampleFormat::s32;
  f.valid_bits = static_cast<std::uint8_t>(bits);
  return f;
}

class FlacDecoder final : public Decoder {
 public:
  // The output buffer starts at STREAMINFO's maximum block size, so decoding
  // does not allocate.
  FlacDecoder(const core::AudioFormat& format, mem::Charge buffer)
      : format_(format), block_format_(format), charge_(std::move(buffer)), out_(charge_.bytes()) {}
  ~FlacDecoder() override {
    if (decoder_) FLAC__stream_decoder_delete(decoder_);
  }
  FlacDecoder(const FlacDecoder&) = delete;
  FlacDecoder& operator=(const FlacDecoder&) = delete;

  core::Result<void> init(std::span<const std::byte> header) {
    decoder_ = FLAC__stream_decoder_new();
    if (!decoder_) return make_error(Errc::out_of_memory, "FLAC: cannot create decoder");
    FLAC__stream_decoder_set_md5_checking(decoder_, false);
    if (FLAC__stream_decoder_init_stream(decoder_, read_cb, nullptr, nullptr, nullptr, nullptr, write_cb,
                                         nullptr, error_cb, this) != FLAC__STREAM_DECODER_INIT_STATUS_OK)
      return make_error(Errc::out_of_memory, "FLAC: cannot initialise decoder");
    input_ = header;
    if (!FLAC__stream_decoder_process_until_end_of_metadata(decoder_) || failed_)
      return make_error(Errc::malformed, "FLAC: metadata rejected by libFLAC");
    return core::ok();
  }

  const core::AudioFormat& format() const noexcept override { return format_; }
  void reset() override { FLAC__stream_decoder_flush(decoder_); }

  core::Result<AudioBlock> decode(std::span<const std::byte> packet) override {
    // Each packet is a whole, independent frame. Flushing first makes libFLAC
    // forget the previous frame number, so a gap (a skipped packet, an edit)
    // is not "repaired" with frames of silence.
    FLAC__stream_decoder_flush(decoder_);
    input_ = packet;
    frames_ = 0;
    failed_ = false;
    const bool ok = FLAC__stream_decoder_process_single(decoder_);
    const auto state = FLAC__stream_decoder_get_state(decoder_);
    if (!ok || failed_ || frames_ == 0 || state == FLAC__STREAM_DECODER_END_OF_STREAM ||
        state == FLAC__STREAM_DECODER_ABORTED)
      return make_error(Errc::malformed, "FLAC: corrupt frame");
    return AudioBlock{block_format_, std::span(out_).first(frames_ * block_format_.bytes_per_frame()), frames_};
  }

 private:
  static FLAC__StreamDecoderReadStatus read_cb(const FLAC__StreamDecoder*, FLAC__byte buffer[], size_t* bytes,
                                               void* client) {
    auto* self = static_cast<FlacDecoder*>(client);
    if (self->input_.empty()) {
      *bytes = 0;
      return FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;  // packet ended mid-frame
    }
    const std::size_t n = std::min(*bytes, self->input_.size());
    std::memcpy(buffer, self->input_.data(), n);
    self->input_ = self->input_.subspan(n);
    *bytes = n;
    return FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
  }

  static FLAC__StreamDecoderWriteStatus write_cb(const FLAC__StreamDecoder*, const FLAC__Frame* frame,
                                                 const FLAC__int32* const buffer[], void* client) {
    auto* self = static_cast<FlacDecoder*>(client);
    // Each frame says its own rate, channels and bit depth (RFC 9639 §9.1);
    // they usually repeat STREAMINFO's, but a stream may change them.
    const unsigned bps = frame->header.bits_per_sample;
    if (frame->header.channels == 0 || frame->header.channels > 8 || bps < 4 || bps > 32 ||
        frame->header.sample_rate == 0) {
      self->failed_ = true;
      return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
    core::AudioFormat& f = self->block_format_;
    f = sample_layout(frame->header.sample_rate, frame->header.channels, bps);
    const std::size_t n = frame->header.blocksize;
    if (n * f.bytes_per_frame() > self->out_.size()) {  // a frame beyond STREAMINFO's maximum
      if (!self->charge_.try_resize(n * f.bytes_per_frame())) {
        self->failed_ = true;
        return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
      }
      self->out_.reserve(n * f.bytes_per_frame());  // exactly what was charged
      self->out_.resize(n * f.bytes_per_frame());
    }
    std::byte* dst = self->out_.data();
    for (std::size_t i = 0; i < n; ++i) {
      for (unsigned ch = 0; ch < f.channels; ++ch) {
        // Left-justify: FLAC samples are right-justified in int32.
        if (f.format == core::SampleFormat::s16) {
          const auto v = static_cast<std::int16_t>(static_cast<std::uint32_t>(buffer[ch][i]) << (16 - bps));
          std::memcpy(dst, &v, 2);
          dst += 2;
        } else {
          const auto v = static_cast<std::int32_t>(static_cast<std::uint32_t>(buffer[ch][i]) << (32 - bps));
          std::memcpy(dst, &v, 4);
          dst += 4;
        }
      }
    }
    self->frames_ = n;
    return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
  }

  static void error_cb(const FLAC__StreamDecoder*, FLAC__StreamDecoderErrorStatus, void* client) {
    static_cast<FlacDecoder*>(client)->failed_ = true;
  }

  FLAC__StreamDecoder* decoder_ = nullptr;
  core::AudioFormat format_;        // STREAMINFO's
  core::AudioFormat block_format_;  // the last frame's
  mem::Charge charge_;  // out_
  std::span<const std::byte> input_;
  std::vector<std::byte> out_;
  std::size_t frames_ = 0;
  bool failed_ = false;
};

}  // namespace

core::Result<std::unique_ptr<Decoder>> make_flac_decoder(const core::CodecParameters& params,
                                                         const DecoderOptions& options) {
  FRUGAL_TRY(auto header, stream_header(params.config));
  // STREAMINFO (after "fLaC" and the 4-byte block header): max block size at +2.
  const std::uint16_t max_block = core::load_be16(&header[8 + 2]);
  if (params.channels == 0 || params.channels > 8 || params.bits_per_sample < 4 ||
      params.bits_per_sample > 32 || params.sample_rate == 0)
    return make_error(Errc::malformed, "FLAC: STREAMINFO out of range");
  const core::AudioFormat f = sample_layout(params.sample_rate, params.channels, params.bits_per_sample);
  FRUGAL_TRY(DecoderAccounts accounts, decoder_accounts(options));
  FRUGAL_TRY(mem::Charge buffer, mem::Charge::try_make(accounts.buffers, std::size_t{max_block} * f.bytes_per_frame()));
  auto decoder = std::make_unique<FlacDecoder>(f, std::move(buffer));
  FRUGAL_CHECK(decoder->init(header));
  return std::unique_ptr<Decoder>(std::move(decoder));
}

}  // namespace frugal::codec::detail
