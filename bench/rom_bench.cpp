// SNES ROM reading and HAL extraction, peers side by side in one run:
// (a) small random reads (32-64 bytes, fixed seed) of a 4 MiB ROM file
//     through MappedFileSource (mmap; its default 1 MiB window and a window
//     holding the whole file), FileSource (pread) and RomImage (its 16-page
//     cache over a FileSource), spread over the whole image or kept inside
//     48 KiB (a viewer looking at one area: the cache's case);
// (b) extraction of 1,000 HAL blocks: a plain hal_decompress loop beside
//     hal_batch_decompress on 1 and 2 threads, all reading through pread;
// (c) peak memory of each, measured in a fresh process of its own
//     (`--measure NAME ROM`): heap (every malloc'd byte, by interposing
//     malloc), tracker (its accounts' peak) and RSS.
// The ROM is built by the bench (tests/support/snes_writer and
// hal_compressor) in a temporary folder, removed at exit.
// Run: build/bench/bench/rom_bench [--benchmark_filter=...]
#include <frugal/assets/hal.hpp>
#include <frugal/assets/hal_batch.hpp>
#include <frugal/assets/rom_image.hpp>
#include <frugal/core/file_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include "heap_counter.hpp"
#include "process.hpp"
#include "support/hal_compressor.hpp"
#include "support/snes_writer.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using frugal::assets::kHalMaxOutput;

constexpr std::size_t kRomBytes = std::size_t{4} << 20;
constexpr std::size_t kBlocks = 1000;
constexpr std::size_t kReads = 4096;  // offsets per pattern, cycled through

// The bench's files: a 4 MiB LoROM image with kBlocks HAL streams from
// 0x10000 (each decoding to 500-3500 bytes of runs, ramps and noise), and
// their offsets, one per line.
struct Files {
  fs::path dir, rom, offsets;
};

Files make_files() {
  Files f;
  char pattern[] = "/tmp/frugal-rom-bench-XXXXXX";
  if (!::mkdtemp(pattern)) std::abort();
  f.dir = pattern;
  f.rom = f.dir / "bench.sfc";
  f.offsets = f.dir / "offsets.txt";
  frugal::test::SnesRomSpec spec;
  spec.size = kRomBytes;
  std::vector<std::byte> rom = frugal::test::make_snes_rom(spec);
  std::mt19937 rng(7);
  std::ofstream offsets(f.offsets);
  std::size_t at = 0x10000;
  for (std::size_t i = 0; i < kBlocks; ++i) {
    std::vector<std::byte> data(500 + rng() % 3001);
    for (std::size_t j = 0; j < data.size(); ++j) {
      const unsigned kind = static_cast<unsigned>((j / 48 + i) % 3);
      data[j] = static_cast<std::byte>(kind == 0 ? i & 0xFF : kind == 1 ? (j + i) & 0xFF : rng() & 0xFF);
    }
    const auto stream = frugal::test::hal_compress(data);
    if (at + stream.size() > rom.size()) std::abort();
    std::copy(stream.begin(), stream.end(), rom.begin() + static_cast<std::ptrdiff_t>(at));
    offsets << at << '\n';
    at += stream.size() + 1;
  }
  std::ofstream(f.rom, std::ios::binary).write(reinterpret_cast<const char*>(rom.data()),
                                               static_cast<std::streamsize>(rom.size()));
  return f;
}

std::vector<std::uint64_t> read_offsets(const fs::path& path) {
  std::vector<std::uint64_t> out;
  std::ifstream in(path);
  for (std::uint64_t o; in >> o;) out.push_back(o);
  return out;
}

// (offset, length) pairs: 32-64 bytes, anywhere in the image or inside 48 KiB.
std::vector<std::pair<std::uint64_t, std::size_t>> read_pattern(bool local) {
  std::mt19937_64 rng(42);
  const std::uint64_t span = local ? 48 * 1024 : kRomBytes;
  const std::uint64_t base = local ? 0x100000 : 0;
  std::vector<std::pair<std::uint64_t, std::size_t>> out(kReads);
  for (auto& r : out) {
    r.second = 32 + rng() % 33;
    r.first = base + rng() % (span - r.second);
  }
  return out;
}

// One read-subject: a source (or RomImage) over the file, read by offset.
class Reader {
 public:
  Reader(const std::string& kind, const fs::path& rom, frugal::mem::MemoryTracker& tracker) {
    if (kind == "pread" || kind == "rom_image") {
      auto f = frugal::core::FileSource::open(rom.c_str());
      if (!f) std::abort();
      file_ = std::make_unique<frugal::core::FileSource>(std::move(*f));
      source_ = file_.get();
    } else {
      auto m = frugal::core::MappedFileSource::open(
          rom.c_str(), kind == "mmap" ? frugal::core::MappedFileSource::kDefaultWindowBytes : kRomBytes + 8192);
      if (!m) std::abort();
      mapped_ = std::make_unique<frugal::core::MappedFileSource>(std::move(*m));
      source_ = mapped_.get();
    }
    if (kind == "rom_image") {
      frugal::assets::RomOptions options;
      options.tracker = &tracker;
      auto image = frugal::assets::RomImage::open(*file_, options);
      if (!image) std::abort();
      image_ = std::make_unique<frugal::assets::RomImage>(std::move(*image));
    }
  }
  bool read(std::uint64_t offset, std::span<std::byte> dst) {
    if (image_) return static_cast<bool>(image_->read(offset, dst));
    auto r = source_->read_at(offset, dst);
    return r && *r == dst.size();
  }

 private:
  std::unique_ptr<frugal::core::FileSource> file_;
  std::unique_ptr<frugal::core::MappedFileSource> mapped_;
  frugal::core::ByteSource* source_ = nullptr;
  std::unique_ptr<frugal::assets::RomImage> image_;
};

void BM_Read(benchmark::State& state, const std::string& kind, bool local, const fs::path& rom) {
  frugal::mem::MemoryTracker tracker;
  Reader reader(kind, rom, tracker);
  const auto pattern = read_pattern(local);
  std::byte buffer[64];
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [offset, length] = pattern[i++ % pattern.size()];
    if (!reader.read(offset, std::span(buffer, length))) state.SkipWithError("read failed");
    benchmark::DoNotOptimize(buffer);
  }
  state.SetItemsProcessed(state.iterations());
}

// Extraction: `threads` 0 = a plain hal_decompress loop on this thread.
std::uint64_t extract(frugal::core::ByteSource& source, const std::vector<std::uint64_t>& offsets, unsigned threads,
                      frugal::mem::MemoryTracker& tracker) {
  std::uint64_t bytes = 0;
  if (threads == 0) {
    auto account = tracker.account("bench/scratch");
    frugal::mem::Charge charge(*account, kHalMaxOutput);
    std::vector<std::byte> out(kHalMaxOutput);
    for (const std::uint64_t o : offsets) {
      auto r = frugal::assets::hal_decompress(source, o, out);
      if (!r) std::abort();
      bytes += r->decompressed;
    }
    return bytes;
  }
  std::vector<frugal::assets::HalBatchItem> items(offsets.size());
  frugal::assets::HalBatchOptions options;
  options.threads = threads;
  options.tracker = &tracker;
  auto summary = frugal::assets::hal_batch_decompress(source, offsets, items, options);
  if (!summary || summary->failed) std::abort();
  return summary->bytes;
}

void BM_Extract(benchmark::State& state, unsigned threads, const fs::path& rom, const fs::path& offsets_path) {
  auto file = frugal::core::FileSource::open(rom.c_str());
  if (!file) std::abort();
  const auto offsets = read_offsets(offsets_path);
  frugal::mem::MemoryTracker tracker;
  std::uint64_t bytes = 0;
  for (auto _ : state) bytes += extract(*file, offsets, threads, tracker);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * offsets.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

// --measure NAME ROM OFFSETS in a fresh process: the workload once, then
// "heap_peak tracker_peak rss_peak" (heap above what the process held at start).
int measure(const std::string& name, const fs::path& rom, const fs::path& offsets_path) {
  const std::uint64_t heap_start = frugal::platform::heap_counts().current;
  frugal::mem::MemoryTracker tracker;
  if (name.rfind("read/", 0) == 0) {
    const std::string kind = name.substr(5);
    Reader reader(kind, rom, tracker);
    std::byte buffer[64];
    for (const auto& [offset, length] : read_pattern(false))
      if (!reader.read(offset, std::span(buffer, length))) return 1;
  } else {
    auto file = frugal::core::FileSource::open(rom.c_str());
    if (!file) return 1;
    const auto offsets = read_offsets(offsets_path);
    const unsigned threads = name == "extract/sequential" ? 0 : name == "extract/batch1" ? 1 : 2;
    extract(*file, offsets, threads, tracker);
  }
  std::printf("%llu %llu %llu\n",
              static_cast<unsigned long long>(frugal::platform::heap_counts().peak - heap_start),
              static_cast<unsigned long long>(tracker.peak_total()),
              static_cast<unsigned long long>(frugal::platform::peak_rss_bytes()));
  return 0;
}

void BM_Memory(benchmark::State& state, const std::string& name, const Files& files) {
  for (auto _ : state) {
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const std::string command = "'" + self + "' --measure " + name + " '" + files.rom.string() + "' '" +
                                files.offsets.string() + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    unsigned long long heap = 0, tracker = 0, rss = 0;
    if (!pipe || std::fscanf(pipe, "%llu %llu %llu", &heap, &tracker, &rss) != 3) state.SkipWithError("measure failed");
    if (pipe) ::pclose(pipe);
    state.counters["heap_peak"] = static_cast<double>(heap);
    state.counters["tracker_peak"] = static_cast<double>(tracker);
    state.counters["rss_peak"] = static_cast<double>(rss);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--measure") return measure(argv[2], argv[3], argv[4]);
  static const Files files = make_files();
  for (const bool local : {false, true})
    for (const char* kind : {"mmap", "mmap_whole", "pread", "rom_image"})
      benchmark::RegisterBenchmark((std::string("Read/") + kind + (local ? "/local48k" : "/spread4m")).c_str(),
                                   BM_Read, kind, local, files.rom);
  for (const unsigned threads : {0u, 1u, 2u})
    benchmark::RegisterBenchmark((std::string("Extract1000/") +
                                  (threads == 0 ? "sequential" : threads == 1 ? "batch1" : "batch2"))
                                     .c_str(),
                                 BM_Extract, threads, files.rom, files.offsets)
        ->Unit(benchmark::kMillisecond)
        ->MeasureProcessCPUTime()  // CPU: all threads' together
        ->UseRealTime();
  for (const char* name : {"read/mmap", "read/mmap_whole", "read/pread", "read/rom_image", "extract/sequential",
                           "extract/batch1", "extract/batch2"})
    benchmark::RegisterBenchmark((std::string("Memory/") + name).c_str(), BM_Memory, name, files)->Iterations(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove_all(files.dir, ec);
  return 0;
}
