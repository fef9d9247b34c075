#pragma once
// The sample-table interface between the demuxer and the 'stbl' boxes
// (ISO/IEC 14496-12 §8.5-8.7): how many samples a track has and, in order,
// where each run of samples is, how long and when.
//
// This implementation loads the tables into memory at open (runs for
// stts/ctts/stsc, arrays for stsz/stco/stss), bounded by
// Limits::max_table_bytes; the bounded lazy tables replace it behind the same
// interface.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/box.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::mp4::detail {

/// Where a track's table boxes are. `sizes` is stsz or stz2, `chunk_offsets`
/// stco or co64 (told apart by the box type).
struct TableBoxes {
  std::optional<BoxHeader> time_to_sample;       // stts
  std::optional<BoxHeader> composition_offsets;  // ctts
  std::optional<BoxHeader> sample_to_chunk;      // stsc
  std::optional<BoxHeader> sizes;                // stsz | stz2
  std::optional<BoxHeader> chunk_offsets;        // stco | co64
  std::optional<BoxHeader> sync_samples;         // stss
};

/// Consecutive samples of one chunk, delivered as one packet.
struct SampleRun {
  std::uint64_t first_sample = 0;     ///< 0-based index of the run's first sample
  std::uint32_t sample_count = 0;
  std::uint64_t offset = 0;           ///< file offset of the first byte
  std::uint64_t size = 0;             ///< bytes
  std::int64_t dts = 0;               ///< decode time of the first sample, media ticks
  std::uint64_t duration = 0;         ///< sum of the samples' stts deltas
  std::int32_t composition_offset = 0;  ///< ctts offset of the first sample
  bool sync = true;                   ///< the first sample is a sync sample (stss)
  std::uint32_t description_index = 1;  ///< stsc sample_description_index (1-based)
};

class SampleTable {
 public:
  /// Reads and checks the tables, charging what it holds to `account`.
  /// Errors: Errc::malformed (counts that do not fit their boxes, stsc out of
  /// order or naming chunks stco lacks, a missing mandatory table,
  /// a track duration beyond 2^62 ticks), Errc::limit_exceeded (more than
  /// Limits::max_table_bytes in memory),
  /// Errc::out_of_memory (past the tracker's budget or the account's limit).
  static core::Result<SampleTable> load(core::ByteSource& source, const TableBoxes& boxes,
                                        const core::Limits& limits, mem::Account account);

  /// Samples the track delivers: stsz's count, cut to what the chunks hold.
  std::uint64_t sample_count() const noexcept { return sample_count_; }

  /// True when stts is one run of delta 1: every sample lasts one tick (for
  /// PCM, the sign that samples are single frames).
  bool unit_deltas() const noexcept { return time_runs_.size() == 1 && time_runs_[0].delta == 1; }

  /// Packets when runs are at most `max_run` samples and never cross a chunk.
  std::uint64_t run_count(std::uint32_t max_run) const noexcept;

  /// Bytes of table data held in memory (as charged to the account).
  std::uint64_t memory_bytes() const noexcept;

  /// Iterates runs in decode order. Allocation-free.
  class Cursor {
   public:
    explicit Cursor(const SampleTable& table) noexcept : table_(&table) {}
    /// The next run of at most `max_run` samples inside one chunk. When
    /// `frame_bytes` is non-zero every sample is that many bytes (PCM frames),
    /// else sizes come from stsz. Returns false at the end.
    bool next(SampleRun& out, std::uint32_t max_run, std::uint32_t frame_bytes) noexcept;

   private:
    bool enter_next_chunk() noexcept;
    std::uint64_t take_durations(std::uint32_t n) noexcept;

    const SampleTable* table_;
    std::uint64_t sample_ = 0;
    std::uint64_t chunk_ = 0;           // 1-based; 0 before the first chunk
    std::uint32_t chunk_left_ = 0;      // samples left in the current chunk
    std::uint64_t chunk_pos_ = 0;       // file offset of the next sample
    std::size_t stsc_ = 0;
    std::size_t stts_ = 0;
    std::uint32_t stts_used_ = 0;       // samples consumed from stts_[stts_]
    std::int64_t dts_ = 0;
    std::size_t ctts_ = 0;
    std::uint32_t ctts_used_ = 0;
    std::size_t stss_ = 0;
  };

 private:
  struct TimeRun { std::uint32_t count; std::uint32_t delta; };
  struct OffsetRun { std::uint32_t count; std::int32_t offset; };
  struct ChunkRun { std::uint32_t first_chunk; std::uint32_t samples_per_chunk; std::uint32_t description_index; };

  core::Result<void> check_duration(const TableBoxes& boxes) const;

  std::uint32_t sample_size(std::uint64_t index) const noexcept {
    return constant_size_ ? constant_size_ : sizes_[static_cast<std::size_t>(index)];
  }

  std::uint64_t sample_count_ = 0;
  std::uint32_t constant_size_ = 0;
  std::vector<std::uint32_t> sizes_;
  std::vector<std::uint64_t> chunk_offsets_;
  std::vector<ChunkRun> chunk_runs_;
  std::vector<TimeRun> time_runs_;
  std::vector<OffsetRun> offset_runs_;
  std::vector<std::uint32_t> sync_samples_;  // 1-based, ascending; empty = every sample
  mem::Charge charge_;  // the vectors' reserved bytes
};

}  // namespace frugal::mp4::detail
