#pragma once
// A synthetic one-track audio movie of any length, served by formula (tests
// only): every byte of it — box headers, table entries, sample data — is
// computed from its offset when read, so a 100-hour file with ~100 MB of
// moov and ~60 GB of mdat costs a few KiB of test memory. No table is ever
// materialized: each entry is a function of its index (tables repeat a
// short pattern of runs, with per-sample sizes and sync samples hashed from
// the sample number).
//
// Layout: ftyp, moov (mvhd, trak: tkhd, mdia: mdhd v1, hdlr 'soun', minf:
// smhd, dinf, stbl: stsd ('mp4a' + esds or 'Opus' + dOps), stts, [stss],
// stsc, stsz, co64), then a large mdat. Chunks start beyond 4 GiB, one every
// chunk_span() bytes (the bytes between them are filler), so co64 is needed
// whatever the duration. VirtualTrack holds the same formulas for tests to
// check the demuxer against.

#include "support/mp4_writer.hpp"

#include <frugal/core/byte_source.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace frugal::test {

enum class VirtualCodec { aac, opus };

/// How the sample tables are shaped.
enum class VirtualTables {
  /// stts and stsc change every ~140 samples (1,200-1,280 runs an hour each),
  /// a sparse stss (a sync sample every 250): indexes with strides > 1.
  many_runs,
  /// One stts run, one stsc run of 50 samples a chunk, no stss: a plain file.
  ordinary,
  /// One stts run, six chunks an hour of ~28,000-30,000 samples each, no
  /// stss: what concatenating with `ffmpeg -c copy` produces.
  concatenated,
};

struct VirtualMovieSpec {
  std::uint32_t hours = 1;
  VirtualCodec codec = VirtualCodec::opus;
  VirtualTables tables = VirtualTables::many_runs;
};

/// A table of runs given as one period of runs repeated `periods` times.
struct RunPattern {
  struct Run {
    std::uint32_t count;  ///< samples (stts) or chunks (stsc) in the run
    std::uint32_t value;  ///< delta (stts) or samples per chunk (stsc)
  };
  std::vector<Run> period;
  std::uint64_t periods = 1;

  std::uint64_t runs() const noexcept { return period.size() * periods; }
  const Run& run(std::uint64_t i) const noexcept { return period[i % period.size()]; }
  /// Sum of `count` over one period, and of count * value.
  std::uint64_t counts_per_period() const noexcept;
  std::uint64_t products_per_period() const noexcept;
};

/// The formulas behind a virtual movie: what the demuxer must report.
class VirtualTrack {
 public:
  static constexpr std::uint32_t kTimescale = 48000;
  static constexpr std::uint32_t kMinSampleSize = 100;
  static constexpr std::uint32_t kMaxSampleSize = 499;
  /// Where the first chunk starts: beyond 4 GiB.
  static constexpr std::uint64_t kFirstChunkOffset = (std::uint64_t{1} << 32) + 4096;
  /// Samples between two stss entries (many_runs).
  static constexpr std::uint64_t kSyncBlock = 250;

  explicit VirtualTrack(const VirtualMovieSpec& spec);

  const VirtualMovieSpec& spec() const noexcept { return spec_; }
  std::uint32_t sample_delta() const noexcept;  ///< the nominal delta: 960 (Opus) or 1024 (AAC)
  std::uint64_t sample_count() const noexcept { return sample_count_; }
  std::uint64_t duration() const noexcept;  ///< ticks
  std::uint64_t chunk_count() const noexcept;
  std::uint64_t chunk_span() const noexcept { return chunk_span_; }
  std::uint64_t chunk_offset(std::uint64_t chunk) const noexcept;  ///< 0-based chunk
  bool has_stss() const noexcept { return spec_.tables == VirtualTables::many_runs; }

  // Per sample (0-based).
  std::uint32_t size(std::uint64_t sample) const noexcept;
  std::uint64_t offset(std::uint64_t sample) const noexcept;
  std::int64_t dts(std::uint64_t sample) const noexcept;
  std::uint32_t delta(std::uint64_t sample) const noexcept;
  bool sync(std::uint64_t sample) const noexcept;
  /// The last sync sample at or before `sample` (0 when there is none).
  std::uint64_t sync_at_or_before(std::uint64_t sample) const noexcept;
  /// The sample whose [dts, dts + delta) holds `ticks`; the last one past the end.
  std::uint64_t sample_at_time(std::uint64_t ticks) const noexcept;

  // Table entries (0-based index).
  const RunPattern& stts() const noexcept { return stts_; }
  const RunPattern& stsc() const noexcept { return stsc_; }
  std::uint64_t stsc_first_chunk(std::uint64_t run) const noexcept;  ///< 1-based, as written
  std::uint64_t stss_count() const noexcept;
  std::uint32_t stss_entry(std::uint64_t i) const noexcept;  ///< 1-based sample number

  /// The mdat byte at file offset `offset`.
  static std::byte payload_byte(std::uint64_t offset) noexcept;

 private:
  struct ChunkPos {
    std::uint64_t chunk;     // 0-based
    std::uint64_t in_chunk;  // samples before `sample` in its chunk
  };
  ChunkPos chunk_of(std::uint64_t sample) const noexcept;
  std::uint64_t sync_in_block(std::uint64_t block) const noexcept;

  VirtualMovieSpec spec_;
  RunPattern stts_;  // count: samples, value: delta
  RunPattern stsc_;  // count: chunks, value: samples per chunk
  std::uint64_t sample_count_ = 0;
  std::uint64_t chunk_span_ = 0;
};

/// The movie as a ByteSource. Thread-safe (reads only compute).
class VirtualMp4Source final : public core::ByteSource {
 public:
  explicit VirtualMp4Source(const VirtualMovieSpec& spec);
  VirtualMp4Source(const VirtualMp4Source&) = delete;  // its segments point at track_
  VirtualMp4Source& operator=(const VirtualMp4Source&) = delete;

  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return size_; }

  const VirtualTrack& track() const noexcept { return track_; }
  std::uint64_t moov_size() const noexcept { return moov_size_; }

 private:
  /// A stretch of the file: literal bytes, or `count` entries of `entry_bytes`
  /// each computed by `write(index, out)`.
  struct Segment {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    Bytes literal;
    std::uint32_t entry_bytes = 0;
    std::function<void(std::uint64_t index, std::byte* out)> write;
  };
  struct Node;
  void lay_out(const Node& node, std::uint64_t& offset);
  void fill(const Segment& s, std::uint64_t offset, std::span<std::byte> dst) const;

  VirtualTrack track_;
  std::vector<Segment> segments_;  // in file order, contiguous
  std::uint64_t moov_size_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace frugal::test
