#pragma once
// The sample tables of one track ('stbl', ISO/IEC 14496-12 §8.5-8.7), read
// lazily: entries come from the file a page at a time through a shared
// PageCache; random access goes through sparse indexes (one point every K
// runs, at most kMaxIndexPoints per table) built on first use by one pass
// over the table. Memory per track is bounded whatever the file's length;
// open reads nothing (the tables' headers come with TableBoxes).
//
// Chunks holding many samples (files concatenated with `ffmpeg -c copy` put
// ~28,000 in one) get an index of cumulative sizes inside the chunk, so a
// sample's offset never costs summing a chunk's sizes on every seek.

#include "mp4/page_cache.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/box.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::mp4::detail {

/// A sample-table box and the first bytes of its body (version/flags and the
/// counts after them: entry_count; stsz sample_size and sample_count; sbgp
/// grouping_type and entry_count), read while moov is walked, so that opening
/// the tables reads nothing more. `head` is zero past the body's end.
struct TableBox {
  BoxHeader box;
  std::array<std::byte, 16> head{};
};

/// Where a track's table boxes are. `sizes` is stsz or stz2, `chunk_offsets`
/// stco or co64 (told apart by the box type). `roll_groups` / `roll_group_entries`
/// are the sbgp / sgpd of grouping type 'roll' (§10.1), when present.
struct TableBoxes {
  std::optional<TableBox> time_to_sample;       // stts
  std::optional<TableBox> composition_offsets;  // ctts
  std::optional<TableBox> sample_to_chunk;      // stsc
  std::optional<TableBox> sizes;                // stsz | stz2
  std::optional<TableBox> chunk_offsets;        // stco | co64
  std::optional<TableBox> sync_samples;         // stss
  std::optional<TableBox> roll_groups;          // sbgp 'roll'
  std::optional<TableBox> roll_group_entries;   // sgpd 'roll'
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

/// A point of a sparse index: the state of a table's walk at run `run`.
struct IndexPoint {
  std::uint64_t run = 0;             ///< run (or entry) number
  std::uint64_t samples_before = 0;  ///< samples before that run (stss: the entry's sample number)
  std::uint64_t ticks_before = 0;    ///< stts: decode time before that run
};

class SampleTable;

/// A position in a track's tables, moved by next() and seek(). Allocation-free.
class SampleCursor {
 public:
  SampleCursor() = default;

  /// The next run of at most `max_run` samples inside one chunk. When
  /// `frame_bytes` is non-zero every sample is that many bytes (PCM frames),
  /// else sizes come from stsz. Returns false at the end. Errors:
  /// Errc::malformed (tables that contradict each other), Errc::io; the
  /// cursor is then where it was, so a retry meets the same error.
  core::Result<bool> next(SampleRun& out, std::uint32_t max_run, std::uint32_t frame_bytes);

  /// Positions the cursor at sample `sample` (0-based; sample_count() = the
  /// end). `frame_bytes` as for next(). Builds the table indexes on first use.
  /// On error the cursor is where it was.
  core::Result<void> seek(std::uint64_t sample, std::uint32_t frame_bytes);

  std::uint64_t sample() const noexcept { return sample_; }

 private:
  friend class SampleTable;
  explicit SampleCursor(SampleTable& table) noexcept : table_(&table) {}
  // next() and seek() without the restore on error: they may leave the
  // cursor half-moved (a run counted, its next chunk not).
  core::Result<bool> step(SampleRun& out, std::uint32_t max_run, std::uint32_t frame_bytes);
  core::Result<void> locate(std::uint64_t sample, std::uint32_t frame_bytes);
  core::Result<bool> enter_next_chunk();
  core::Result<std::uint64_t> take_durations(std::uint32_t n);
  core::Result<std::int32_t> take_composition_offsets(std::uint32_t n);
  core::Result<bool> is_sync(std::uint64_t sample);

  SampleTable* table_ = nullptr;
  std::uint64_t sample_ = 0;
  // stsc / stco
  std::uint64_t chunk_ = 0;         // 1-based; 0 before the first chunk
  std::uint64_t chunk_left_ = 0;    // samples left in the current chunk
  std::uint64_t chunk_pos_ = 0;     // file offset of the next sample
  std::uint64_t stsc_run_ = 0;      // run that applies to chunk_
  std::uint64_t next_first_chunk_ = 0;  // first chunk of the following run
  std::uint32_t samples_per_chunk_ = 0;
  std::uint32_t description_index_ = 1;
  bool stsc_loaded_ = false;
  // stts
  std::uint64_t stts_run_ = 0;
  std::uint64_t stts_used_ = 0;     // samples used of stts_run_
  std::int64_t dts_ = 0;
  // ctts
  std::uint64_t ctts_run_ = 0;
  std::uint64_t ctts_used_ = 0;
  // stss: index of the first entry whose sample number >= the next sample's
  std::uint64_t stss_entry_ = 0;
};

class SampleTable {
 public:
  static constexpr std::size_t kMaxIndexPoints = 64;

  SampleTable() = default;

  /// Takes the tables' headers from `boxes` and checks that their entry
  /// counts fit their boxes; reads nothing. `source` serves later reads of
  /// sgpd (roll distances, one entry when asked). Errors: Errc::malformed.
  static core::Result<SampleTable> open(core::ByteSource& source, const TableBoxes& boxes, PageCache& cache,
                                        mem::Account index_account, std::uint32_t& next_table_id);

  /// Samples in the track as stsz counts them (the chunks may hold fewer:
  /// iteration then ends where they do).
  std::uint64_t sample_count() const noexcept { return sample_count_; }

  /// True when stts is one run of delta 1: every sample lasts one tick (for
  /// PCM, the sign that samples are single frames). Reads stts's first entry.
  core::Result<bool> unit_deltas();

  /// Sum of the stts deltas of the track's samples (decode time after the
  /// last one). Streams stts once. Errors: as next().
  core::Result<std::uint64_t> total_duration();

  /// Packets when runs are at most `max_run` samples and never cross a
  /// chunk. Streams stsc once; memory stays constant.
  core::Result<std::uint64_t> run_count(std::uint32_t max_run);

  /// A cursor at the first sample.
  SampleCursor cursor() noexcept { return SampleCursor(*this); }

  /// The sample whose decode time range [dts, dts + duration) holds `ticks`
  /// (the last sample for times past the end). Errors: as next().
  core::Result<std::uint64_t> sample_at_time(std::uint64_t ticks);

  /// The last sync sample at or before `sample` (stss; every sample when absent).
  core::Result<std::uint64_t> sync_sample_at_or_before(std::uint64_t sample);

  /// How many samples before `sample` must be decoded for it to decode
  /// correctly, from the track's 'roll' sample groups (§10.1); nullopt when
  /// the track has none.
  core::Result<std::optional<std::uint32_t>> preroll_samples(std::uint64_t sample);

  /// Makes the sparse indexes half as dense and drops chunk size indexes
  /// (memory pressure); lookups stay exact, only slower.
  void coarsen() noexcept;

  /// Bytes held by the indexes (charged to the index account).
  std::size_t index_bytes() const noexcept { return index_charge_.bytes(); }

 private:
  friend class SampleCursor;

  struct Index {
    std::vector<IndexPoint> points;
    std::uint64_t stride = 0;  // runs between points; 0 = not built
    bool built() const noexcept { return stride != 0; }
    const IndexPoint& floor(std::uint64_t key, std::uint64_t IndexPoint::*field) const noexcept;
  };
  struct ChunkSizes {  // cumulative sizes inside one big chunk
    std::uint64_t chunk = 0;  // 0 = none
    std::uint64_t stride = 0;
    std::vector<std::uint64_t> bytes_before;  // before the chunk's sample i * stride
    std::uint64_t last_use = 0;
  };
  static constexpr std::uint64_t kChunkStride = 256;
  static constexpr std::uint64_t kMaxChunkPoints = 128;  // per slot: 1 KiB

  // Entry readers (through the cache).
  struct TimeRun { std::uint32_t count; std::uint32_t delta; };
  struct OffsetRun { std::uint32_t count; std::int32_t offset; };
  struct ChunkRun { std::uint64_t first_chunk; std::uint32_t samples_per_chunk; std::uint32_t description_index; };
  core::Result<TimeRun> stts_run(std::uint64_t i);
  core::Result<OffsetRun> ctts_run(std::uint64_t i);
  core::Result<ChunkRun> stsc_run(std::uint64_t i);  // first_chunk 0 of run 0 read as 1
  core::Result<std::uint64_t> next_first_chunk(std::uint64_t i);  // of run i + 1, or chunks + 1
  core::Result<std::uint32_t> sample_size(std::uint64_t sample);
  core::Result<std::uint64_t> chunk_offset(std::uint64_t chunk);  // 1-based
  core::Result<std::uint32_t> sync_entry(std::uint64_t i);
  core::Result<std::uint64_t> sum_sizes(std::uint64_t first, std::uint64_t count);
  template <typename F>
  core::Result<void> for_each_size(std::uint64_t first, std::uint64_t count, F&& f);
  core::Result<std::uint64_t> bytes_before(std::uint64_t chunk, std::uint64_t chunk_first,
                                           std::uint64_t chunk_samples, std::uint64_t k);

  core::Result<void> bulk_window(const TableRef& table, std::uint64_t i);
  core::Result<std::int16_t> roll_distance(std::uint32_t group);
  core::Result<void> build_indexes();
  core::Result<void> build_index(Index& index, std::uint64_t runs);
  std::uint64_t stride_for(std::uint64_t runs) const noexcept;

  PageCache* cache_ = nullptr;
  TableRef stts_, ctts_, stsc_, stsz_, stco_, stss_, sbgp_;
  std::optional<BoxHeader> sgpd_;
  std::uint32_t constant_size_ = 0;
  std::uint64_t sample_count_ = 0;
  core::ByteSource* source_ = nullptr;

  Index stts_index_, ctts_index_, stsc_index_, stss_index_, sbgp_index_;
  ChunkSizes chunk_sizes_[16];
  std::uint64_t chunk_clock_ = 0;
  mem::Charge index_charge_;
};

}  // namespace frugal::mp4::detail
