// OpenEXR header reads, peers side by side in one run, over every file of
// the media folder's exr/ ($FRUGAL_MEDIA_DIR/exr, else ../shared/media/exr
// beside the source tree; the benchmarks skip when it is absent):
// (a) per file: frugal's read_exr_header through a CountingSource over a
//     FileSource, beside OpenEXR's Imf::MultiPartInputFile (C++ API, no
//     thread pool) over an Imf::IStream that reads with pread through a
//     4 KiB window (frugal's read-ahead size) and counts; time per file,
//     bytes and read calls reaching the file per file, and the bytes each
//     reader needed (OpenEXR: asked for; frugal: header_bytes), over all files ("all") and
//     over the files both accept ("both_ok"); files each refuses counted;
// (b) the batch scan (exr_scan_headers) over all files on 1 and 2 threads:
//     files/s, MB/s of file bytes catalogued and MB/s read.
// Run: build/bench/bench/exr_bench [--benchmark_filter=...]
#include <frugal/assets/exr_batch.hpp>
#include <frugal/assets/exr_header.hpp>
#include <frugal/core/file_source.hpp>

#include <ImfIO.h>
#include <ImfMultiPartInputFile.h>
#include <Iex.h>

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;

// A file for OpenEXR read with pread through a 4 KiB window, as frugal's
// reader reads (and as std::ifstream, OpenEXR's default Imf::StdIFStream,
// buffers): counts the bytes and calls that reach the file, and the bytes
// OpenEXR asked for.
class CountingIStream final : public Imf::IStream {
 public:
  static constexpr std::size_t kWindow = 4096;

  explicit CountingIStream(const std::string& path) : Imf::IStream(path.c_str()), fd_(::open(path.c_str(), O_RDONLY)) {
    if (fd_ < 0) throw Iex::InputExc("cannot open");
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      ::close(fd_);
      throw Iex::InputExc("cannot stat");
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
  }
  ~CountingIStream() override { ::close(fd_); }
  CountingIStream(const CountingIStream&) = delete;
  CountingIStream& operator=(const CountingIStream&) = delete;

  bool read(char c[], int n) override {
    if (n < 0) throw Iex::InputExc("negative read");
    requested_ += static_cast<std::uint64_t>(n);
    std::size_t done = 0;
    while (done < static_cast<std::size_t>(n)) {
      const std::uint64_t at = pos_ + done;
      if (at < window_at_ || at >= window_at_ + window_bytes_) {  // refill the window at `at`
        const ssize_t got = ::pread(fd_, window_, kWindow, static_cast<off_t>(at));
        if (got <= 0) throw Iex::InputExc("early end of file");
        ++read_calls_;
        bytes_read_ += static_cast<std::uint64_t>(got);
        window_at_ = at;
        window_bytes_ = static_cast<std::size_t>(got);
      }
      const std::size_t from = static_cast<std::size_t>(at - window_at_);
      const std::size_t take = std::min(window_bytes_ - from, static_cast<std::size_t>(n) - done);
      std::memcpy(c + done, window_ + from, take);
      done += take;
    }
    pos_ += done;
    return pos_ < size_;
  }
  std::uint64_t tellg() override { return pos_; }
  void seekg(std::uint64_t pos) override { pos_ = pos; }

  std::uint64_t bytes_read() const { return bytes_read_; }
  std::uint64_t read_calls() const { return read_calls_; }
  std::uint64_t requested() const { return requested_; }

 private:
  int fd_;
  char window_[kWindow];
  std::uint64_t window_at_ = 0;
  std::size_t window_bytes_ = 0;
  std::uint64_t size_ = 0, pos_ = 0, bytes_read_ = 0, read_calls_ = 0, requested_ = 0;
};

struct Outcome {
  bool ok = false;
  std::uint64_t bytes_read = 0, read_calls = 0;
  std::uint64_t requested = 0;  ///< bytes the reader asked for (OpenEXR; frugal: its header_bytes)
};

Outcome read_frugal(const std::string& path) {
  auto file = frugal::core::FileSource::open(path.c_str());
  if (!file) return {};
  frugal::core::CountingSource counted(*file);
  auto header = frugal::assets::read_exr_header(counted);
  benchmark::DoNotOptimize(header);
  return {static_cast<bool>(header), counted.bytes_read(), counted.read_calls(), header ? header->header_bytes : 0};
}

Outcome read_openexr(const std::string& path) {
  Outcome o;
  try {
    CountingIStream in(path);
    try {
      Imf::MultiPartInputFile file(in, 0);
      benchmark::DoNotOptimize(file.parts());
      o.ok = true;
    } catch (const std::exception&) {
    }
    o.bytes_read = in.bytes_read();
    o.read_calls = in.read_calls();
    o.requested = in.requested();
  } catch (const std::exception&) {
  }
  return o;
}

// Time per file (the iteration reads every file once; wall time: the reads
// are system calls), bytes and read calls per file, files accepted and refused.
void BM_Header(benchmark::State& state, Outcome (*read)(const std::string&), const std::vector<std::string>& files) {
  if (files.empty()) {
    state.SkipWithError("no media folder with exr/ (FRUGAL_MEDIA_DIR or ../shared/media)");
    return;
  }
  std::uint64_t bytes = 0, calls = 0, requested = 0;
  std::size_t ok = 0;
  for (auto _ : state) {
    bytes = calls = requested = 0;
    ok = 0;
    for (const std::string& f : files) {
      const Outcome o = read(f);
      bytes += o.bytes_read;
      calls += o.read_calls;
      requested += o.requested;
      ok += o.ok;
    }
  }
  const double n = static_cast<double>(files.size());
  state.counters["files"] = n;
  state.counters["accepted"] = static_cast<double>(ok);
  state.counters["refused"] = n - static_cast<double>(ok);
  state.counters["bytes_per_file"] = static_cast<double>(bytes) / n;
  state.counters["reads_per_file"] = static_cast<double>(calls) / n;
  state.counters["requested_per_file"] = static_cast<double>(requested) / n;
  state.counters["time_per_file"] =
      benchmark::Counter(n, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_Scan(benchmark::State& state, unsigned threads, const std::vector<std::string>& files) {
  if (files.empty()) {
    state.SkipWithError("no media folder with exr/ (FRUGAL_MEDIA_DIR or ../shared/media)");
    return;
  }
  frugal::assets::ExrScanOptions options;
  options.threads = threads;
  frugal::assets::ExrScanSummary last;
  for (auto _ : state) {
    std::vector<frugal::assets::ExrScanItem> results(files.size());
    auto summary = frugal::assets::exr_scan_headers(files, results, options);
    if (!summary) {
      state.SkipWithError(summary.error().message);
      return;
    }
    last = *summary;
  }
  state.counters["files"] = static_cast<double>(files.size());
  state.counters["threads_ran"] = last.threads;
  state.counters["files_per_s"] =
      benchmark::Counter(static_cast<double>(files.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["file_MB_per_s"] =
      benchmark::Counter(static_cast<double>(last.file_bytes) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["read_MB_per_s"] =
      benchmark::Counter(static_cast<double>(last.bytes_read) / 1e6, benchmark::Counter::kIsIterationInvariantRate);
}

std::vector<std::string> media_exr_files() {
  const char* env = std::getenv("FRUGAL_MEDIA_DIR");
  const fs::path dir = (env ? fs::path(env) : fs::path(FRUGAL_SOURCE_DIR) / ".." / "shared" / "media") / "exr";
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) files.push_back(it->path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> all = media_exr_files();
  std::vector<std::string> both_ok;
  for (const std::string& f : all)
    if (read_frugal(f).ok && read_openexr(f).ok) both_ok.push_back(f);
  for (const auto& [name, set] : {std::pair{"all", &all}, std::pair{"both_ok", &both_ok}}) {
    benchmark::RegisterBenchmark((std::string("Header/") + name + "/frugal").c_str(), BM_Header, &read_frugal, *set)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string("Header/") + name + "/openexr").c_str(), BM_Header, &read_openexr, *set)
        ->UseRealTime();
  }
  for (const unsigned threads : {1u, 2u})
    benchmark::RegisterBenchmark(("Scan/threads:" + std::to_string(threads)).c_str(), BM_Scan, threads, all)
        ->UseRealTime();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
