#pragma once
// Time → fragment lookups for one track of a fragmented file, in bounded
// memory: at most kMaxPoints points, each a place to start walking the
// fragments (FragmentCursor::restart) and the decode time there.
//
// Points come from a table the file carries — a 'sidx' (§8.16.3; several
// per file and hierarchical ones included: a reference to a sidx is as
// good a place to start walking as a reference to a moof) or a 'tfra'
// (§8.8.10, inside 'mfra') — one point every `stride` entries, the table
// itself being read again between two points to refine a lookup; or, when
// the file has neither, from the fragments the demuxer walks through
// (added as they are met). A full index drops every other point and keeps
// one in twice as many from then on. sidx and tfra give presentation times;
// a point's time is a hint that the fragment's tfdt corrects (a seek that
// finds the fragment later than the target steps back a point); only a
// fragment without tfdt takes the hint as its decode time.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/box.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::mp4::detail {

struct FragmentPoint {
  std::int64_t time = 0;      ///< decode time at `offset`, track timescale ticks
  std::uint64_t offset = 0;   ///< top-level box to start walking at
  std::uint64_t sample = 0;   ///< number of the first sample there, or kUnknownSample
  std::uint64_t entry = 0;    ///< table entry the point stands for (table points)
};

/// A fragment table in the file: the entries of a sidx or a tfra.
struct FragmentTable {
  enum class Kind : std::uint8_t { sidx, tfra };
  Kind kind = Kind::sidx;
  std::uint64_t entries = 0;      ///< file offset of entry 0
  std::uint64_t count = 0;
  std::uint32_t entry_bytes = 0;
  std::uint32_t timescale = 0;    ///< of the times in the table (sidx's own; tfra: the track's)
  // sidx: the time and offset its first reference starts at.
  std::int64_t first_time = 0;
  std::uint64_t first_offset = 0;
  // tfra: field sizes.
  bool wide = false;              ///< 64-bit time and moof_offset (version 1)
  std::uint8_t skip_bytes = 0;    ///< traf_number + trun_number + sample_number bytes
};

/// Reads a sidx box's header into a table of its references. Errors:
/// Errc::malformed (counts beyond the box), Errc::io. `reference_id` gets
/// the track the sidx indexes.
core::Result<FragmentTable> read_sidx(core::ByteSource& source, const BoxHeader& sidx, std::uint32_t& reference_id);

/// Finds the tfra of `track_id` through the 'mfro' at the end of the file;
/// nullopt when there is none (or it is unusable). Errors: Errc::io.
core::Result<std::optional<FragmentTable>> find_tfra(core::ByteSource& source, const core::Limits& limits,
                                                    std::uint32_t track_id, std::uint32_t timescale);

class FragmentIndex {
 public:
  static constexpr std::size_t kMaxPoints = 256;

  FragmentIndex() = default;
  /// Reserves room for kMaxPoints points, charged to `account` (fails with
  /// Errc::out_of_memory past the budget), the first being `start`: where the
  /// track's fragments begin.
  core::Result<void> init(mem::Account account, const FragmentPoint& start);
  bool ready() const noexcept { return !points_.empty(); }

  /// Fills the index from `table` in one pass over its entries (in
  /// `timescale` ticks of the track). Errors: Errc::io, Errc::malformed.
  core::Result<void> load(core::ByteSource& source, const FragmentTable& table, std::uint32_t timescale);

  /// A fragment the demuxer walked into; kept when it lies past every point
  /// (one in `stride`).
  void add(const FragmentPoint& point) noexcept;

  /// The latest known place whose time is at most `time` and whose offset is
  /// below `before` (refined through the table between two points).
  /// Errors: Errc::io, Errc::malformed.
  core::Result<FragmentPoint> locate(core::ByteSource& source, std::int64_t time, std::uint64_t before);

  /// Memory pressure: room for half as many points (never below 16), the
  /// memory given back; lookups stay right, walks get longer.
  void coarsen() noexcept;

 private:
  static constexpr std::uint64_t kNoEntry = ~std::uint64_t{0};
  core::Result<FragmentPoint> entry_point(core::ByteSource& source, std::uint64_t i,
                                          const FragmentPoint& previous) const;
  void thin() noexcept;

  std::vector<FragmentPoint> points_;
  std::size_t capacity_ = kMaxPoints;
  std::optional<FragmentTable> table_;
  std::uint32_t timescale_ = 0;   // the track's
  std::uint64_t stride_ = 1;      // walked fragments per point
  std::uint64_t since_last_ = 0;
  mem::Charge charge_;
};

}  // namespace frugal::mp4::detail
