#include <frugal/player/wav_sink.hpp>

#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace frugal::player {
namespace {

namespace fs = std::filesystem;
using core::AudioFormat;
using core::Errc;
using core::SampleFormat;
using test::TempDir;

std::uint32_t le(const std::string& s, std::size_t offset, int bytes) {
  std::uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | static_cast<unsigned char>(s.at(offset + static_cast<std::size_t>(i)));
  return v;
}
std::uint32_t le16(const std::string& s, std::size_t offset) { return le(s, offset, 2); }
std::uint32_t le32(const std::string& s, std::size_t offset) { return le(s, offset, 4); }

// --- wav_header ---------------------------------------------------------------

TEST(WavHeader, S16StereoIsPlainPcm) {
  const std::string h = wav_header(AudioFormat{44100, 2, SampleFormat::s16, 16}, 1000);
  ASSERT_EQ(h.size(), 44u);
  EXPECT_EQ(h.substr(0, 4), "RIFF");
  EXPECT_EQ(le32(h, 4), 36u + 1000);
  EXPECT_EQ(h.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(le32(h, 16), 16u);      // fmt chunk size
  EXPECT_EQ(le16(h, 20), 1u);       // WAVE_FORMAT_PCM
  EXPECT_EQ(le16(h, 22), 2u);       // channels
  EXPECT_EQ(le32(h, 24), 44100u);   // sample rate
  EXPECT_EQ(le32(h, 28), 176400u);  // byte rate
  EXPECT_EQ(le16(h, 32), 4u);       // block align
  EXPECT_EQ(le16(h, 34), 16u);      // bits per sample
  EXPECT_EQ(h.substr(36, 4), "data");
  EXPECT_EQ(le32(h, 40), 1000u);
}

TEST(WavHeader, S16MonoIsPlainPcm) {
  const std::string h = wav_header(AudioFormat{8000, 1, SampleFormat::s16, 16}, 0);
  ASSERT_EQ(h.size(), 44u);
  EXPECT_EQ(le16(h, 20), 1u);
  EXPECT_EQ(le16(h, 22), 1u);
  EXPECT_EQ(le32(h, 28), 16000u);
  EXPECT_EQ(le16(h, 32), 2u);
}

struct ExtensibleCase {
  std::string name;
  AudioFormat format;
  std::uint32_t bits;  // container bits per sample
  std::uint32_t valid_bits;
  std::uint32_t channel_mask;
  std::uint32_t subformat;  // 1: PCM, 3: IEEE float
};

void PrintTo(const ExtensibleCase& c, std::ostream* os) { *os << c.name; }

class WavHeaderExtensible : public testing::TestWithParam<ExtensibleCase> {};

TEST_P(WavHeaderExtensible, HasTheExtensibleFields) {
  const ExtensibleCase& c = GetParam();
  const std::string h = wav_header(c.format, 4800);
  const std::uint32_t block_align = c.bits / 8 * c.format.channels;
  ASSERT_EQ(h.size(), 68u);
  EXPECT_EQ(h.substr(0, 4), "RIFF");
  EXPECT_EQ(le32(h, 4), 60u + 4800);
  EXPECT_EQ(h.substr(8, 8), "WAVEfmt ");
  EXPECT_EQ(le32(h, 16), 40u);
  EXPECT_EQ(le16(h, 20), 0xFFFEu);  // WAVE_FORMAT_EXTENSIBLE
  EXPECT_EQ(le16(h, 22), c.format.channels);
  EXPECT_EQ(le32(h, 24), c.format.sample_rate);
  EXPECT_EQ(le32(h, 28), c.format.sample_rate * block_align);
  EXPECT_EQ(le16(h, 32), block_align);
  EXPECT_EQ(le16(h, 34), c.bits);
  EXPECT_EQ(le16(h, 36), 22u);  // cbSize
  EXPECT_EQ(le16(h, 38), c.valid_bits);
  EXPECT_EQ(le32(h, 40), c.channel_mask);
  // KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: {0000000X-0000-0010-8000-00AA00389B71}
  EXPECT_EQ(le32(h, 44), c.subformat);
  EXPECT_EQ(h.substr(48, 12), std::string("\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 12));
  EXPECT_EQ(h.substr(60, 4), "data");
  EXPECT_EQ(le32(h, 64), 4800u);
}

INSTANTIATE_TEST_SUITE_P(
    Formats, WavHeaderExtensible,
    testing::Values(ExtensibleCase{"s16_6ch", {48000, 6, SampleFormat::s16, 16}, 16, 16, 0x3F, 1},
                    ExtensibleCase{"s24_stereo", {96000, 2, SampleFormat::s24, 24}, 24, 24, 0x3, 1},
                    ExtensibleCase{"s24_mono", {44100, 1, SampleFormat::s24, 24}, 24, 24, 0x4, 1},
                    ExtensibleCase{"s32_holding_24_bits", {48000, 2, SampleFormat::s32, 24}, 32, 24, 0x3, 1},
                    ExtensibleCase{"s32_full", {48000, 2, SampleFormat::s32, 32}, 32, 32, 0x3, 1},
                    ExtensibleCase{"f32_stereo", {48000, 2, SampleFormat::f32, 32}, 32, 32, 0x3, 3},
                    ExtensibleCase{"f32_5_1", {48000, 6, SampleFormat::f32, 32}, 32, 32, 0x3F, 3},
                    ExtensibleCase{"s16_7_1", {48000, 8, SampleFormat::s16, 16}, 16, 16, 0x63F, 1},
                    ExtensibleCase{"s16_3ch", {48000, 3, SampleFormat::s16, 16}, 16, 16, 0x7, 1}),
    [](const testing::TestParamInfo<ExtensibleCase>& param_info) { return param_info.param.name; });

TEST(WavHeader, SizesSaturateBeyond4GiB) {
  const AudioFormat f{48000, 2, SampleFormat::s16, 16};
  const std::string huge = wav_header(f, std::uint64_t{5} << 30);
  EXPECT_EQ(le32(huge, 4), 0xFFFFFFFFu);
  EXPECT_EQ(le32(huge, 40), 0xFFFFFFFFu);
  // The RIFF size (data + 36) overflows first.
  const std::string edge = wav_header(f, 0xFFFFFFFFu - 35);
  EXPECT_EQ(le32(edge, 4), 0xFFFFFFFFu);
  EXPECT_EQ(le32(edge, 40), 0xFFFFFFFFu - 35);
}

// --- file sink ------------------------------------------------------------------

constexpr AudioFormat kStereo{44100, 2, SampleFormat::s16, 16};

// Frames of kStereo with recognizable content.
std::vector<std::byte> some_frames(std::size_t frames) {
  std::vector<std::byte> out(frames * kStereo.bytes_per_frame());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::byte>(i * 7 + 3);
  return out;
}

std::string as_string(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Names of the temporary files the sink leaves beside `target`.
std::vector<std::string> partial_files(const TempDir& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir.path()))
    if (entry.path().filename().string().find(".partial-") != std::string::npos)
      out.push_back(entry.path().filename().string());
  return out;
}

class WavFileSink : public testing::Test {
 protected:
  TempDir dir_;
  std::string target_ = dir_.file("out.wav");
  std::unique_ptr<Sink> sink_ = make_wav_file_sink(target_);
  std::vector<std::byte> frames_ = some_frames(1000);

  void open_and_write() {
    ASSERT_TRUE(sink_->open(kStereo));
    ASSERT_TRUE(sink_->write(std::span(frames_).first(400 * 4)));
    ASSERT_TRUE(sink_->write(std::span(frames_).subspan(400 * 4)));
  }
  std::string expected_file() const { return wav_header(kStereo, frames_.size()) + as_string(frames_); }
};

TEST_F(WavFileSink, FileAppearsOnlyAtClose) {
  open_and_write();
  EXPECT_FALSE(fs::exists(target_));
  EXPECT_EQ(partial_files(dir_).size(), 1u);  // written beside the target
  ASSERT_TRUE(sink_->close());
  EXPECT_TRUE(test::read_file(target_) == expected_file());
  EXPECT_TRUE(partial_files(dir_).empty());
}

TEST_F(WavFileSink, ExistingTargetKeepsItsContentUntilClose) {
  const std::string old = "old content";
  dir_.write("out.wav", std::as_bytes(std::span(old.data(), old.size())));
  open_and_write();
  EXPECT_EQ(test::read_file(target_), old);
  ASSERT_TRUE(sink_->close());
  EXPECT_TRUE(test::read_file(target_) == expected_file());
}

TEST_F(WavFileSink, DestroyedWithoutCloseLeavesNothing) {
  open_and_write();
  sink_.reset();
  EXPECT_FALSE(fs::exists(target_));
  EXPECT_TRUE(partial_files(dir_).empty());
}

TEST_F(WavFileSink, DestroyedWithoutCloseKeepsTheExistingTarget) {
  const std::string old = "old content";
  dir_.write("out.wav", std::as_bytes(std::span(old.data(), old.size())));
  open_and_write();
  sink_.reset();
  EXPECT_EQ(test::read_file(target_), old);
  EXPECT_TRUE(partial_files(dir_).empty());
}

// A write that fails (here: the file size limit) spoils the file: close()
// reports it and the existing target keeps its content. Runs in a child
// process: the limit is process-wide.
TEST_F(WavFileSink, FailedWriteLeavesTheTargetUntouched) {
  const std::string old = "precious";
  dir_.write("out.wav", std::as_bytes(std::span(old.data(), old.size())));
  auto failing_run = [&] {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit small{};
    small.rlim_cur = small.rlim_max = 4096;
    ::setrlimit(RLIMIT_FSIZE, &small);
    const std::vector<std::byte> big = some_frames(4000);  // 16000 bytes
    bool ok = static_cast<bool>(sink_->open(kStereo));
    ok = ok && !sink_->write(big);                     // fails at 4 KiB
    ok = ok && !sink_->write(std::span(big).first(4));  // and stays failed
    auto closed = sink_->close();
    ok = ok && !closed && closed.error().code == Errc::io;
    ok = ok && test::read_file(target_) == old && partial_files(dir_).empty();
    std::_Exit(ok ? 0 : 1);
  };
  EXPECT_EXIT(failing_run(), testing::ExitedWithCode(0), "");
}

TEST_F(WavFileSink, EmptyStreamIsAHeaderOnly) {
  ASSERT_TRUE(sink_->open(kStereo));
  ASSERT_TRUE(sink_->close());
  EXPECT_EQ(test::read_file(target_), wav_header(kStereo, 0));
}

TEST_F(WavFileSink, SecondOpenAfterCloseIsUnsupported) {
  open_and_write();
  ASSERT_TRUE(sink_->close());
  auto again = sink_->open(kStereo);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::unsupported);
  EXPECT_TRUE(test::read_file(target_) == expected_file()) << "the committed file changed";
  EXPECT_TRUE(partial_files(dir_).empty());
}

// Regression: a refused second open() while a stream is open must leave that
// stream alone. It once reset the sink's format and byte count first, so
// close() committed the refused format's header (68 bytes, over the first
// audio bytes) claiming 0 bytes of data.
TEST_F(WavFileSink, RefusedSecondOpenKeepsTheOpenStream) {
  open_and_write();
  auto again = sink_->open(AudioFormat{48000, 1, SampleFormat::f32, 32});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::unsupported);
  ASSERT_TRUE(sink_->close());
  const std::string file = test::read_file(target_);
  EXPECT_EQ(file.substr(0, 44), wav_header(kStereo, frames_.size()));
  EXPECT_TRUE(file == expected_file());
}

TEST_F(WavFileSink, UnsupportedFormatsCreateNoFile) {
  for (const AudioFormat& f :
       {AudioFormat{44100, 2, SampleFormat::f64, 64}, AudioFormat{44100, 0, SampleFormat::s16, 16},
        AudioFormat{0, 2, SampleFormat::s16, 16}}) {
    auto opened = sink_->open(f);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().code, Errc::unsupported);
  }
  EXPECT_TRUE(fs::is_empty(dir_.path()));
}

TEST_F(WavFileSink, Describe) { EXPECT_EQ(sink_->describe(), "wav:" + target_); }

TEST(WavFileSinkErrors, UnwritableFolderIsIo) {
  TempDir dir;
  const std::string not_a_folder = dir.write("file", {});
  for (const std::string& path : {dir.file("missing/out.wav"), not_a_folder + "/out.wav"}) {
    auto sink = make_wav_file_sink(path);
    auto opened = sink->open(kStereo);
    ASSERT_FALSE(opened) << path;
    EXPECT_EQ(opened.error().code, Errc::io);
    EXPECT_NE(opened.error().os_error, 0);
  }
}

// --- stream sink -----------------------------------------------------------------

struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    close_read();
    close_write();
  }
  int read_end() const { return fds[0]; }
  int write_end() const { return fds[1]; }
  void close_read() { close_fd(fds[0]); }
  void close_write() { close_fd(fds[1]); }
  std::string read_all() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
  }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

class WavStreamSink : public testing::TestWithParam<AudioFormat> {};

TEST_P(WavStreamSink, WritesUnknownSizesToAPipe) {
  const AudioFormat format = GetParam();
  Pipe pipe;
  std::string received;
  std::thread reader([&] { received = pipe.read_all(); });

  std::vector<std::byte> frames(100 * format.bytes_per_frame());
  for (std::size_t i = 0; i < frames.size(); ++i) frames[i] = static_cast<std::byte>(i);
  {
    auto sink = make_wav_stream_sink(pipe.write_end());
    EXPECT_EQ(sink->describe(), "wav:-");
    EXPECT_TRUE(sink->open(format));
    EXPECT_TRUE(sink->write(frames));
    EXPECT_TRUE(sink->close());
  }
  EXPECT_NE(::fcntl(pipe.write_end(), F_GETFD), -1) << "the sink closed the descriptor";
  pipe.close_write();
  reader.join();

  std::string expected = wav_header(format, 0);
  const std::size_t header = expected.size();
  expected.replace(4, 4, "\xFF\xFF\xFF\xFF");           // RIFF size
  expected.replace(header - 4, 4, "\xFF\xFF\xFF\xFF");  // data size
  expected += as_string(frames);
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected);
  EXPECT_EQ(le32(received, 4), 0xFFFFFFFFu);
  EXPECT_EQ(le32(received, header - 4), 0xFFFFFFFFu);
}

INSTANTIATE_TEST_SUITE_P(Formats, WavStreamSink,
                         testing::Values(kStereo, AudioFormat{48000, 6, SampleFormat::f32, 32}),
                         [](const testing::TestParamInfo<AudioFormat>& param_info) {
                           return std::string(core::sample_format_name(param_info.param.format)) + "_" +
                                  std::to_string(param_info.param.channels) + "ch";
                         });

TEST(WavStreamSinkErrors, ClosedPipeIsIo) {
  // Without SIGPIPE ignored the process would die; the sink reports EPIPE.
  const auto previous = std::signal(SIGPIPE, SIG_IGN);
  Pipe pipe;
  pipe.close_read();
  auto sink = make_wav_stream_sink(pipe.write_end());
  auto opened = sink->open(kStereo);
  std::signal(SIGPIPE, previous);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, Errc::io);
  EXPECT_EQ(opened.error().os_error, EPIPE);
}

}  // namespace
}  // namespace frugal::player
