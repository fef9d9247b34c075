#include <frugal/player/wav_sink.hpp>

#include "output_file.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <optional>
#include <vector>

namespace frugal::player {

using core::Errc;
using core::make_error;

namespace {

constexpr std::uint32_t kUnknownSize = 0xFFFFFFFFu;

void put_le(std::string& s, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// Standard speaker masks for 1-8 channels (FL FR FC LFE BL BR ... SL SR).
std::uint32_t channel_mask(unsigned channels) {
  static constexpr std::uint32_t masks[9] = {0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3F, 0x70F, 0x63F};
  return channels <= 8 ? masks[channels] : 0;
}

bool needs_extensible(const core::AudioFormat& f) {
  return f.channels > 2 || core::bytes_per_sample(f.format) != 2;
}

// WAV data is little-endian: samples are swapped on big-endian hosts.
std::span<const std::byte> to_little_endian(std::span<const std::byte> frames, core::SampleFormat format,
                                            std::vector<std::byte>& scratch) {
  if constexpr (std::endian::native == std::endian::little) {
    return frames;
  } else {
    const std::size_t size = core::bytes_per_sample(format);
    scratch.assign(frames.begin(), frames.end());
    for (std::size_t i = 0; i + size <= scratch.size(); i += size) std::reverse(&scratch[i], &scratch[i + size]);
    return scratch;
  }
}

// One WAV writer, two outputs: a regular file written atomically (sizes
// patched at close), or a stream that cannot seek back (a pipe, a device,
// stdout: sizes 0xFFFFFFFF, as FFmpeg writes them).
class WavSink final : public Sink {
 public:
  explicit WavSink(std::string path) : path_(std::move(path)) {}
  explicit WavSink(int fd) : fd_(fd) {}
  ~WavSink() override {
    if (owns_fd_) platform::close_fd(fd_);
  }
  WavSink(const WavSink&) = delete;
  WavSink& operator=(const WavSink&) = delete;

  core::Result<void> open(const core::AudioFormat& format) override {
    if (format.channels == 0 || format.sample_rate == 0 || format.format == core::SampleFormat::f64)
      return make_error(Errc::unsupported, "WAV: format not supported (0 channels/rate or f64)");
    if (opened_) return make_error(Errc::unsupported, "WAV: one file holds one stream format");
    FRUGAL_CHECK(start(format));  // a refused open changes nothing
    format_ = format;
    opened_ = true;
    return core::ok();
  }

  core::Result<void> write(std::span<const std::byte> frames) override {
    if (!opened_ || closed_) return make_error(Errc::invalid_argument, "WAV: write outside open/close");
    if (failed_) return make_error(Errc::io, "WAV: an earlier write failed");
    auto r = append(to_little_endian(frames, format_.format, scratch_));
    if (!r) {
      failed_ = true;  // the data is incomplete: close() must not commit it
      return r;
    }
    data_bytes_ += frames.size();
    return core::ok();
  }

  core::Result<void> close() override {
    if (!opened_ || closed_) return make_error(Errc::invalid_argument, "WAV: close without open");
    closed_ = true;
    if (failed_) {
      file_.reset();  // the temporary file goes; the target stays as it was
      return make_error(Errc::io, "WAV: not written, an earlier write failed");
    }
    if (data_bytes_ % 2) FRUGAL_CHECK(append(std::array<std::byte, 1>{}));  // RIFF pads chunks to even sizes
    if (!file_) return core::ok();
    FRUGAL_CHECK(file_->write_at(0, bytes_of(wav_header(format_, data_bytes_))));
    auto committed = file_->commit();
    file_.reset();
    return committed;
  }

  std::string describe() const override { return "wav:" + (path_.empty() ? std::string("-") : path_); }
  bool reopens() const noexcept override { return false; }

 private:
  static std::span<const std::byte> bytes_of(const std::string& s) {
    return std::as_bytes(std::span(s.data(), s.size()));
  }

  core::Result<void> start(const core::AudioFormat& format) {
    if (!path_.empty() && !platform::is_special_file(path_)) {
      FRUGAL_TRY(auto file, platform::AtomicFile::create(path_));
      FRUGAL_CHECK(file.write(bytes_of(wav_header(format, 0))));
      file_.emplace(std::move(file));
      return core::ok();
    }
    if (!path_.empty()) {  // a device or a FIFO: written into, not replaced
      FRUGAL_TRY(fd_, platform::open_for_writing(path_));
      owns_fd_ = true;
    }
    std::string header = wav_header(format, 0);
    // Sizes unknown on a stream: RIFF size (offset 4) and data size (last 4 bytes).
    std::memset(header.data() + 4, 0xFF, 4);
    std::memset(header.data() + header.size() - 4, 0xFF, 4);
    return platform::write_all(fd_, bytes_of(header));
  }

  core::Result<void> append(std::span<const std::byte> bytes) {
    return file_ ? file_->write(bytes) : platform::write_all(fd_, bytes);
  }

  std::string path_;  // empty: the stream is fd_
  int fd_ = -1;
  bool owns_fd_ = false;
  std::optional<platform::AtomicFile> file_;
  core::AudioFormat format_;
  std::uint64_t data_bytes_ = 0;
  std::vector<std::byte> scratch_;
  bool opened_ = false;
  bool closed_ = false;
  bool failed_ = false;
};

}  // namespace

std::string wav_header(const core::AudioFormat& f, std::uint64_t data_bytes) {
  const bool extensible = needs_extensible(f);
  const std::uint32_t bits = static_cast<std::uint32_t>(core::bytes_per_sample(f.format) * 8);
  const std::uint32_t block_align = static_cast<std::uint32_t>(f.bytes_per_frame());
  const std::uint32_t fmt_size = extensible ? 40 : 16;
  const std::uint64_t riff_size = 4 + (8 + fmt_size) + 8 + data_bytes + data_bytes % 2;
  std::string h = "RIFF";
  put_le(h, std::min<std::uint64_t>(riff_size, kUnknownSize), 4);
  h += "WAVEfmt ";
  put_le(h, fmt_size, 4);
  const std::uint16_t tag = extensible ? 0xFFFE : (core::is_float(f.format) ? 3 : 1);
  put_le(h, tag, 2);
  put_le(h, f.channels, 2);
  put_le(h, f.sample_rate, 4);
  put_le(h, std::uint64_t{f.sample_rate} * block_align, 4);
  put_le(h, block_align, 2);
  put_le(h, bits, 2);
  if (extensible) {
    put_le(h, 22, 2);  // cbSize
    put_le(h, core::is_float(f.format) ? bits : std::min<std::uint32_t>(f.valid_bits, bits), 2);
    put_le(h, channel_mask(f.channels), 4);
    // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00AA00389B71}
    put_le(h, core::is_float(f.format) ? 3 : 1, 4);
    h.append("\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 12);
  }
  h += "data";
  put_le(h, std::min<std::uint64_t>(data_bytes, kUnknownSize), 4);
  return h;
}

std::unique_ptr<Sink> make_wav_file_sink(std::string path) { return std::make_unique<WavSink>(std::move(path)); }
std::unique_ptr<Sink> make_wav_stream_sink(int fd) { return std::make_unique<WavSink>(fd); }

}  // namespace frugal::player
