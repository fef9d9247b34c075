// ALSA playback sink (alsa-lib PCM interface).
#include <frugal/player/alsa_sink.hpp>

#include <alsa/asoundlib.h>

#include <bit>
#include <cerrno>

namespace frugal::player {

using core::Errc;
using core::make_error;

namespace {

core::Error alsa_error(const char* message, int err) {
  core::Error e = make_error(Errc::io, message);
  e.os_error = -err;
  return e;
}

snd_pcm_format_t alsa_format(core::SampleFormat f) {
  constexpr bool le = std::endian::native == std::endian::little;
  switch (f) {
    case core::SampleFormat::s16: return SND_PCM_FORMAT_S16;
    case core::SampleFormat::s24: return le ? SND_PCM_FORMAT_S24_3LE : SND_PCM_FORMAT_S24_3BE;
    case core::SampleFormat::s32: return SND_PCM_FORMAT_S32;
    case core::SampleFormat::f32: return SND_PCM_FORMAT_FLOAT;
    case core::SampleFormat::f64: return SND_PCM_FORMAT_FLOAT64;
  }
  return SND_PCM_FORMAT_UNKNOWN;
}

class AlsaSink final : public Sink {
 public:
  AlsaSink(snd_pcm_t* pcm, std::string device) : pcm_(pcm), device_(std::move(device)) {}
  ~AlsaSink() override { snd_pcm_close(pcm_); }
  AlsaSink(const AlsaSink&) = delete;
  AlsaSink& operator=(const AlsaSink&) = delete;

  core::Result<void> open(const core::AudioFormat& format) override {
    const snd_pcm_format_t f = alsa_format(format.format);
    if (f == SND_PCM_FORMAT_UNKNOWN) return make_error(Errc::unsupported, "ALSA: sample format not supported");
    // Half a second of buffer; ALSA resamples when the card cannot take the rate.
    const int err = snd_pcm_set_params(pcm_, f, SND_PCM_ACCESS_RW_INTERLEAVED, format.channels,
                                       format.sample_rate, 1, 500000);
    if (err < 0) return alsa_error("ALSA: device rejects the stream format", err);
    frame_bytes_ = format.bytes_per_frame();
    return core::ok();
  }

  core::Result<void> write(std::span<const std::byte> frames) override {
    const std::byte* p = frames.data();
    auto left = static_cast<snd_pcm_uframes_t>(frames.size() / frame_bytes_);
    while (left > 0) {
      const snd_pcm_sframes_t n = snd_pcm_writei(pcm_, p, left);
      if (n == -EAGAIN || n == -EINTR) continue;
      if (n < 0) {
        // Underrun (EPIPE) or suspend (ESTRPIPE): recover and go on.
        const int err = snd_pcm_recover(pcm_, static_cast<int>(n), 1);
        if (err < 0) return alsa_error("ALSA: write failed", err);
        ++underruns_;
        continue;
      }
      p += static_cast<std::size_t>(n) * frame_bytes_;
      left -= static_cast<snd_pcm_uframes_t>(n);
    }
    return core::ok();
  }

  core::Result<void> close() override {
    const int err = snd_pcm_drain(pcm_);
    if (err < 0) return alsa_error("ALSA: drain failed", err);
    return core::ok();
  }

  std::string describe() const override { return "alsa:" + device_; }
  std::uint64_t underruns() const noexcept override { return underruns_; }

 private:
  snd_pcm_t* pcm_;
  std::string device_;
  std::size_t frame_bytes_ = 1;
  std::uint64_t underruns_ = 0;
};

// alsa-lib prints its own diagnostics to stderr; frugal reports errors itself.
void quiet_alsa(const char*, int, const char*, int, const char*, ...) {}

}  // namespace

bool alsa_supported() noexcept { return true; }

core::Result<std::unique_ptr<Sink>> make_alsa_sink(const std::string& device) {
  snd_lib_error_set_handler(quiet_alsa);
  snd_pcm_t* pcm = nullptr;
  const int err = snd_pcm_open(&pcm, device.c_str(), SND_PCM_STREAM_PLAYBACK, 0);
  if (err < 0) return alsa_error("cannot open ALSA device", err);
  return std::unique_ptr<Sink>(std::make_unique<AlsaSink>(pcm, device));
}

}  // namespace frugal::player
