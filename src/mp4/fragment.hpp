#pragma once
// Movie fragments (ISO/IEC 14496-12 §8.8): samples that live in 'moof'
// boxes instead of moov's sample tables. A FragmentCursor reads them one at
// a time straight from the 'trun' entries in the file, so a track costs the
// same few hundred bytes of state whatever the number of fragments: nothing
// per sample or per fragment is kept.

#include "mp4/sample_table.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mp4/box.hpp>

#include <cstdint>
#include <optional>
#include <span>

namespace frugal::mp4::detail {

/// A track's defaults for its fragments ('trex', §8.8.3).
struct TrackExtends {
  std::uint32_t track_id = 0;
  std::uint32_t description_index = 1;
  std::uint32_t duration = 0;
  std::uint32_t size = 0;
  std::uint32_t flags = 0;
};

/// Parses a trex body (after the box header). Errors: Errc::malformed.
core::Result<TrackExtends> parse_trex(std::span<const std::byte> body, const BoxHeader& box);

/// The sample number a cursor reports when it does not know how many
/// samples came before (it started at a fragment found through sidx or mfra).
inline constexpr std::uint64_t kUnknownSample = ~std::uint64_t{0};

/// The samples of one track fragment ('traf', §8.8.6): tfhd's defaults over
/// trex's, tfdt's decode time, and the samples of its truns in order.
class TrafReader {
 public:
  TrafReader() = default;

  /// Reads tfhd and tfdt of `traf` (a child of the moof at `moof_offset`),
  /// with the defaults of the trex in `extends` for tfhd's track_ID.
  /// `implicit_base` is where the data starts when tfhd names no base: the
  /// moof for the first traf, else the end of the previous traf's data
  /// (§8.8.7.1). Errors: Errc::malformed (no tfhd, short boxes, a tfdt past
  /// 2^62), Errc::io.
  core::Result<void> open(core::ByteSource& source, const core::Limits& limits, const BoxHeader& traf,
                          std::uint64_t moof_offset, std::uint64_t implicit_base,
                          std::span<const TrackExtends> extends);

  std::uint32_t track_id() const noexcept { return track_id_; }
  /// tfdt's baseMediaDecodeTime, when the traf has one.
  bool has_decode_time() const noexcept { return has_tfdt_; }
  std::int64_t decode_time() const noexcept { return tfdt_; }
  /// tfhd names its own base (base-data-offset or default-base-is-moof), so
  /// the data of earlier trafs does not matter.
  bool explicit_base() const noexcept { return explicit_base_; }

  /// The next sample: offset, size, duration, flags, composition offset and
  /// description index filled in `out` (dts, first_sample and sample_count
  /// are the caller's). False after the last. Errors: Errc::malformed (trun
  /// entries beyond their box, data offsets out of range), Errc::io.
  core::Result<bool> next(SampleRun& out);

  /// Where the data of the samples read so far ends (the next sample's offset).
  std::uint64_t data_end() const noexcept { return data_pos_; }

  /// Passes over the samples left, for where their data ends: sizes from
  /// defaults are added up at once, only per-sample sizes are read.
  core::Result<void> skip_data();

  /// Ticks a duration-is-empty traf spans (its default duration), else 0.
  std::uint32_t empty_duration() const noexcept { return empty_ ? default_duration_ : 0; }

 private:
  core::Result<bool> next_trun();
  std::uint32_t entry_bytes() const noexcept;

  core::ByteSource* source_ = nullptr;
  const core::Limits* limits_ = nullptr;
  std::uint64_t child_pos_ = 0;  // next child of traf to look at
  std::uint64_t end_ = 0;        // end of traf
  std::uint32_t depth_ = 0;      // of traf's children
  std::uint32_t track_id_ = 0;
  std::uint64_t base_ = 0;
  std::uint32_t description_index_ = 1;
  std::uint32_t default_duration_ = 0;
  std::uint32_t default_size_ = 0;
  std::uint32_t default_flags_ = 0;
  bool explicit_base_ = false;
  bool empty_ = false;      // duration-is-empty: no samples
  bool has_tfdt_ = false;
  std::int64_t tfdt_ = 0;
  // The current trun.
  bool first_trun_ = true;
  std::uint64_t entry_pos_ = 0;
  std::uint32_t left_ = 0;
  std::uint32_t trun_flags_ = 0;
  std::uint8_t trun_version_ = 0;
  bool first_flags_pending_ = false;
  std::uint32_t first_flags_ = 0;
  std::uint64_t data_pos_ = 0;
};

/// Walks one track's samples through the fragments that follow a point in
/// the file, top-level box by top-level box (anything but moof is passed
/// over by its header; 'mfra' ends the walk). Copyable: a copy is a saved
/// position. Allocation-free.
class FragmentCursor {
 public:
  FragmentCursor() = default;
  /// Fragments of track `track_id` among the top-level boxes in [.., end)
  /// of `source`; `extends` (every track's trex) must outlive the cursor.
  FragmentCursor(core::ByteSource& source, const core::Limits& limits, std::uint32_t track_id,
                 std::span<const TrackExtends> extends, std::uint64_t end) noexcept
      : source_(&source), limits_(&limits), track_id_(track_id), extends_(extends), end_(end) {}

  /// Restarts at the top-level box at `offset`. Fragments without tfdt take
  /// their decode time from where the previous one ended, starting at `dts`;
  /// samples are numbered from `sample` (kUnknownSample: not counted).
  void restart(std::uint64_t offset, std::int64_t dts, std::uint64_t sample) noexcept;

  /// Moves to the first sample of the next moof holding samples of the
  /// track (passing over what is left of the current one); false at the end.
  /// Errors: Errc::malformed (a moof cut off, broken boxes),
  /// Errc::limit_exceeded (Limits::max_fragment_samples), Errc::io; the
  /// cursor may then be half-moved: callers keep a copy to restore.
  core::Result<bool> next_fragment();

  /// The next sample, moving through fragments as needed; false at the end.
  /// `out.first_sample` is kUnknownSample when the cursor does not count.
  /// Errors: as next_fragment().
  core::Result<bool> next(SampleRun& out);

  /// True while the cursor is in a fragment (after next_fragment() returned
  /// true, until the walk ends).
  bool in_fragment() const noexcept { return moof_.size != 0; }
  /// The current fragment: its moof's offset, the decode time and number of
  /// its first sample. Valid after next_fragment() returned true.
  std::uint64_t moof_offset() const noexcept { return moof_.offset; }
  std::int64_t fragment_dts() const noexcept { return fragment_dts_; }
  std::uint64_t fragment_sample() const noexcept { return fragment_sample_; }
  /// The decode time and number of the next sample.
  std::int64_t dts() const noexcept { return dts_; }
  std::uint64_t sample() const noexcept { return sample_; }

 private:
  core::Result<bool> enter_next_traf();
  core::Result<void> finish_fragment();
  core::Result<void> advance(std::uint64_t duration);
  core::Result<std::uint64_t> previous_data_end();
  void forget_trafs() noexcept;

  core::ByteSource* source_ = nullptr;
  const core::Limits* limits_ = nullptr;
  std::uint32_t track_id_ = 0;
  std::span<const TrackExtends> extends_;
  std::uint64_t end_ = 0;
  std::uint64_t walk_pos_ = 0;   // next top-level box
  BoxHeader moof_;               // current moof (size 0: none)
  std::uint64_t moof_child_ = 0; // next child of moof to look at
  std::uint32_t trafs_seen_ = 0; // trafs of any track before moof_child_
  std::uint64_t moof_samples_ = 0;  // samples of the track read in this moof
  bool in_traf_ = false;
  TrafReader traf_;
  // The traf before moof_child_, for the base of a traf that names none:
  // where its data ends when known, else the traf (another track's) to
  // pass over for it. Each traf is passed over once: work stays linear.
  std::optional<std::uint64_t> previous_end_;
  std::optional<TrafReader> passed_;
  std::int64_t dts_ = 0;
  std::uint64_t sample_ = 0;
  std::int64_t fragment_dts_ = 0;
  std::uint64_t fragment_sample_ = 0;
};

}  // namespace frugal::mp4::detail
