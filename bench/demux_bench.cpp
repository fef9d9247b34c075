// frugal's MP4 demuxer beside libavformat's, on the same files in one run:
// open to first packet, bytes read and read calls at open, random seeks
// (cold and warm, with the reads each costs), full packet iteration, and the
// memory each needs (peak heap and RSS, measured in a fresh process of its
// own since VmHWM is per process).
//
// Files: $FRUGAL_BENCH_MEDIA (default build/bench-media), made by
// scripts/make-bench-media.sh: {1,10,100}h.{opus,aac}[.moov-at-end].m4a and
// 10h.opus.frag{-sidx,-mfra,}.m4a (2-second fragments).
// Run: build/bench/bench/demux_bench [--benchmark_filter=...]
#include <frugal/core/file_source.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/demuxer.hpp>

#include "heap_counter.hpp"
#include "process.hpp"

#include <benchmark/benchmark.h>

extern "C" {
#include <libavformat/avformat.h>
}

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;

struct Io {
  std::uint64_t bytes = 0;
  std::uint64_t calls = 0;
};

// A demuxer under test: open to the first packet, seek, iterate.
class Subject {
 public:
  virtual ~Subject() = default;
  virtual bool open(const std::string& path) = 0;  // through the first packet
  virtual bool seek_and_read(double seconds) = 0;   // then one packet
  virtual bool next() = 0;                          // one packet, payload read; false at the end
  virtual Io io() const = 0;
  virtual double duration_seconds() const = 0;
};

class FrugalSubject final : public Subject {
 public:
  bool open(const std::string& path) override {
    auto file = frugal::core::FileSource::open(path.c_str());
    if (!file) return false;
    file_ = std::make_unique<frugal::core::FileSource>(std::move(*file));
    counting_ = std::make_unique<frugal::core::CountingSource>(*file_);
    frugal::core::DemuxerOptions options;
    options.tracker = &tracker_;
    auto d = frugal::mp4::Demuxer::open(*counting_, options);
    if (!d) return false;
    demuxer_.emplace(std::move(*d));
    const frugal::core::Track& t = demuxer_->tracks().front();
    track_ = t.id;
    timescale_ = t.timescale;
    duration_ = static_cast<double>(t.duration) / t.timescale;
    return next();
  }
  bool seek_and_read(double seconds) override {
    if (!demuxer_->seek(track_, static_cast<std::uint64_t>(seconds * timescale_))) return false;
    return next();
  }
  // Reads the payload too, as av_read_frame does.
  bool next() override {
    frugal::core::Packet p;
    if (!demuxer_->next_packet(p)) return false;
    payload_.resize(p.size);
    return static_cast<bool>(demuxer_->read_packet(p, payload_));
  }
  Io io() const override { return {counting_->bytes_read(), counting_->read_calls()}; }
  double duration_seconds() const override { return duration_; }
  std::size_t tracker_peak() const { return tracker_.peak_total(); }

 private:
  frugal::mem::MemoryTracker tracker_;
  std::unique_ptr<frugal::core::FileSource> file_;
  std::unique_ptr<frugal::core::CountingSource> counting_;
  std::optional<frugal::mp4::Demuxer> demuxer_;
  std::vector<std::byte> payload_;
  std::uint32_t track_ = 0;
  std::uint32_t timescale_ = 1;
  double duration_ = 0;
};

// libavformat reading through a custom AVIOContext that counts what it reads
// (32 KiB buffer, FFmpeg's default).
class AvformatSubject final : public Subject {
 public:
  ~AvformatSubject() override {
    if (ctx_) avformat_close_input(&ctx_);
    if (pb_) {
      av_freep(&pb_->buffer);
      avio_context_free(&pb_);
    }
    if (file_) std::fclose(file_);
  }
  bool open(const std::string& path) override {
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) return false;
    constexpr int kBuffer = 32768;
    auto* buffer = static_cast<unsigned char*>(av_malloc(kBuffer));
    pb_ = avio_alloc_context(buffer, kBuffer, 0, this, &AvformatSubject::read, nullptr, &AvformatSubject::seek);
    ctx_ = avformat_alloc_context();
    ctx_->pb = pb_;
    if (avformat_open_input(&ctx_, nullptr, nullptr, nullptr) < 0) return false;
    stream_ = av_find_best_stream(ctx_, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (stream_ < 0) return false;
    time_base_ = ctx_->streams[stream_]->time_base;
    duration_ = static_cast<double>(ctx_->streams[stream_]->duration) * av_q2d(time_base_);
    packet_ = av_packet_alloc();
    return next();
  }
  bool seek_and_read(double seconds) override {
    const auto ts = static_cast<std::int64_t>(seconds / av_q2d(time_base_));
    if (av_seek_frame(ctx_, stream_, ts, AVSEEK_FLAG_BACKWARD) < 0) return false;
    return next();
  }
  bool next() override {
    const bool ok = av_read_frame(ctx_, packet_) >= 0;
    av_packet_unref(packet_);
    return ok;
  }
  Io io() const override { return io_; }
  double duration_seconds() const override { return duration_; }

 private:
  static int read(void* opaque, std::uint8_t* buf, int size) {
    auto* self = static_cast<AvformatSubject*>(opaque);
    const std::size_t n = std::fread(buf, 1, static_cast<std::size_t>(size), self->file_);
    ++self->io_.calls;
    self->io_.bytes += n;
    return n ? static_cast<int>(n) : AVERROR_EOF;
  }
  static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
    auto* self = static_cast<AvformatSubject*>(opaque);
    if (whence == AVSEEK_SIZE) {
      const long here = std::ftell(self->file_);
      std::fseek(self->file_, 0, SEEK_END);
      const long size = std::ftell(self->file_);
      std::fseek(self->file_, here, SEEK_SET);
      return size;
    }
    return std::fseek(self->file_, offset, whence & ~AVSEEK_FORCE) == 0 ? std::ftell(self->file_) : -1;
  }

  FILE* file_ = nullptr;
  AVIOContext* pb_ = nullptr;
  AVFormatContext* ctx_ = nullptr;
  AVPacket* packet_ = nullptr;
  int stream_ = -1;
  AVRational time_base_{1, 1};
  double duration_ = 0;
  Io io_;
};

std::unique_ptr<Subject> make(const std::string& lib) {
  if (lib == "frugal") return std::make_unique<FrugalSubject>();
  return std::make_unique<AvformatSubject>();
}

// The file's length in seconds: what the demuxer reports, else the hours its
// name starts with ("10h.opus.frag.m4a": fragmented files without mehd
// carry no duration).
double length_seconds(const Subject& s, const std::string& path) {
  if (s.duration_seconds() > 0) return s.duration_seconds();
  return std::stod(fs::path(path).filename().string()) * 3600;
}

// Seek targets: the same pseudo-random sequence for both demuxers.
std::vector<double> targets(double duration, std::size_t n) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> pick(0, duration * 0.99);
  std::vector<double> out(n);
  for (double& t : out) t = pick(rng);
  return out;
}

void BM_Open(benchmark::State& state, const std::string& lib, const std::string& path) {
  Io io;
  for (auto _ : state) {
    auto s = make(lib);
    if (!s->open(path)) state.SkipWithError("open failed");
    io = s->io();
  }
  state.counters["bytes_read"] = static_cast<double>(io.bytes);
  state.counters["read_calls"] = static_cast<double>(io.calls);
}

void BM_SeekCold(benchmark::State& state, const std::string& lib, const std::string& path) {
  std::uint64_t reads = 0, seeks = 0;
  const std::vector<double> ts = targets(3600 * 100, 1 << 16);
  std::size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto s = make(lib);
    if (!s->open(path)) state.SkipWithError("open failed");
    const Io before = s->io();
    const double t = std::fmod(ts[i++ % ts.size()], length_seconds(*s, path));
    state.ResumeTiming();
    if (!s->seek_and_read(t)) state.SkipWithError("seek failed");
    reads += s->io().calls - before.calls;
    ++seeks;
  }
  state.counters["reads_per_seek"] = static_cast<double>(reads) / static_cast<double>(std::max<std::uint64_t>(seeks, 1));
}

void BM_SeekWarm(benchmark::State& state, const std::string& lib, const std::string& path) {
  auto s = make(lib);
  if (!s->open(path)) state.SkipWithError("open failed");
  const std::vector<double> ts = targets(length_seconds(*s, path), 4096);
  for (double t : std::vector<double>(ts.begin(), ts.begin() + 16)) s->seek_and_read(t);  // warm up
  const Io before = s->io();
  std::size_t i = 0;
  for (auto _ : state)
    if (!s->seek_and_read(ts[i++ % ts.size()])) state.SkipWithError("seek failed");
  state.counters["reads_per_seek"] =
      static_cast<double>(s->io().calls - before.calls) / static_cast<double>(std::max<std::size_t>(i, 1));
}

void BM_Iterate(benchmark::State& state, const std::string& lib, const std::string& path) {
  std::uint64_t packets = 0;
  for (auto _ : state) {
    auto s = make(lib);
    if (!s->open(path)) state.SkipWithError("open failed");
    while (s->next()) ++packets;
  }
  state.counters["packets_per_second"] = benchmark::Counter(static_cast<double>(packets), benchmark::Counter::kIsRate);
}

// Memory: a fresh process runs `--measure LIB FILE` (open, first packet,
// 100 random seeks) and prints its peaks.
void BM_Memory(benchmark::State& state, const std::string& lib, const std::string& path) {
  for (auto _ : state) {
    // Through the shell, "/proc/self/exe" would name the shell: resolve it here.
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::string command = "'" + self + "' --measure " + lib + " '" + path + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    unsigned long long heap = 0, rss = 0, tracker = 0;
    if (!pipe || std::fscanf(pipe, "%llu %llu %llu", &heap, &rss, &tracker) != 3) state.SkipWithError("measure failed");
    if (pipe) ::pclose(pipe);
    state.counters["heap_peak"] = static_cast<double>(heap);
    state.counters["rss_peak"] = static_cast<double>(rss);
    state.counters["tracker_peak"] = static_cast<double>(tracker);
  }
}

int measure(const std::string& lib, const std::string& path) {
  auto s = make(lib);
  if (!s->open(path)) return 1;
  for (double t : targets(length_seconds(*s, path), 100)) s->seek_and_read(t);
  const std::size_t tracker = lib == "frugal" ? static_cast<FrugalSubject&>(*s).tracker_peak() : 0;
  std::printf("%llu %llu %llu\n", static_cast<unsigned long long>(frugal::platform::heap_counts().peak),
              static_cast<unsigned long long>(frugal::platform::peak_rss_bytes()),
              static_cast<unsigned long long>(tracker));
  return 0;
}

void register_benchmarks(const std::string& lib, const std::string& hours, const std::string& layout,
                         const std::string& name, const std::string& path, bool memory) {
  const std::string tag = "/" + lib + "/" + name;
  if (memory) {
    benchmark::RegisterBenchmark(("Memory" + tag).c_str(), BM_Memory, lib, path)->Iterations(1);
    return;
  }
  benchmark::RegisterBenchmark(("Open" + tag).c_str(), BM_Open, lib, path)->Unit(benchmark::kMillisecond);
  if (layout == ".moov-at-end") return;
  // A cold seek reopens the file each time (not timed): frugal's opens are
  // cheap enough for many iterations, libavformat's are not.
  const int cold = lib == "frugal" ? 1000 : hours == "100h" ? 20 : 100;
  benchmark::RegisterBenchmark(("SeekCold" + tag).c_str(), BM_SeekCold, lib, path)
      ->Unit(benchmark::kMicrosecond)->Iterations(cold);
  benchmark::RegisterBenchmark(("SeekWarm" + tag).c_str(), BM_SeekWarm, lib, path)->Unit(benchmark::kMicrosecond);
  if (hours != "100h")
    benchmark::RegisterBenchmark(("Iterate" + tag).c_str(), BM_Iterate, lib, path)
        ->Unit(benchmark::kMillisecond)->Iterations(hours == "10h" ? 1 : 3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--measure") return measure(argv[2], argv[3]);
  av_log_set_level(AV_LOG_ERROR);
  const char* env = std::getenv("FRUGAL_BENCH_MEDIA");
  const fs::path dir = env ? fs::path(env) : fs::path(FRUGAL_SOURCE_DIR) / "build/bench-media";
  // Memory runs last: its child processes (a gigabyte for libavformat on
  // 100 h) disturb the timings of whatever follows them.
  for (bool memory : {false, true}) {
    for (const char* hours : {"1h", "10h", "100h"}) {
      for (const char* codec : {"opus", "aac"}) {
        for (const char* layout : {"", ".moov-at-end", ".frag-sidx", ".frag-mfra", ".frag"}) {
          const std::string name = std::string(hours) + "." + codec + layout + ".m4a";
          const std::string path = (dir / name).string();
          if (!fs::exists(path)) continue;
          for (const char* lib : {"frugal", "libavformat"}) {
            register_benchmarks(lib, hours, layout, name, path, memory);
          }
        }
      }
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
