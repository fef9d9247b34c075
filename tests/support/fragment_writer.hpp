#pragma once
// A test-only writer of fragmented MP4 files (ISO/IEC 14496-12 §8.8): an
// init part built by build_mp4 (tracks with or without samples in moov) with
// mvex/trex/mehd added, then movie fragments (moof + mdat) written from a
// spec that can switch every tfhd and trun flag, and optionally a sidx
// before the first moof and an mfra (tfra per track + mfro) at the end.
//
// Sample payloads follow sample_byte(track index, sample number, i), sample
// numbers counting on from the track's moov samples, so tests can check
// read_packet across moov and moof samples alike.

#include "support/mp4_writer.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::test {

/// Sample flags with sample_is_non_sync_sample set (§8.8.3.1).
inline constexpr std::uint32_t kNonSyncSample = 0x10000;

struct FragmentSample {
  std::uint32_t duration = 1024;
  std::uint32_t size = 10;
  std::uint32_t flags = 0;
  std::int32_t composition_offset = 0;
};

/// How a trun stores its samples: which fields each entry carries (the
/// others come from tfhd / trex defaults), and its header fields.
struct TrunSpec {
  TrunSpec() = default;
  explicit TrunSpec(std::vector<FragmentSample> s) : samples(std::move(s)) {}

  std::vector<FragmentSample> samples;
  bool per_sample_duration = true;
  bool per_sample_size = true;
  bool per_sample_flags = false;
  bool per_sample_composition = false;
  std::uint8_t version = 0;              ///< 1: signed composition offsets
  bool data_offset = true;               ///< write data_offset (else data follows the previous trun)
  std::optional<std::uint32_t> first_sample_flags;
};

/// How a traf's tfhd names its base: explicit base_data_offset (the moof's
/// offset), default-base-is-moof, or neither (first traf: the moof; later
/// ones: the end of the previous traf's data).
enum class TrafBase { explicit_offset, moof, implicit };

struct TrafSpec {
  std::size_t track = 0;                 ///< index into the movie's tracks
  std::vector<TrunSpec> truns;
  TrafBase base = TrafBase::moof;
  std::optional<std::uint32_t> description_index;
  std::optional<std::uint32_t> default_duration;
  std::optional<std::uint32_t> default_size;
  std::optional<std::uint32_t> default_flags;
  bool duration_is_empty = false;
  std::optional<std::uint64_t> decode_time;  ///< tfdt; nullopt: none
  std::uint8_t tfdt_version = 1;
};

struct MoofSpec {
  MoofSpec() = default;
  MoofSpec(std::vector<TrafSpec> t) : trafs(std::move(t)) {}  // NOLINT: braces read as a list of trafs

  std::vector<TrafSpec> trafs;
  /// Boxes written before the moof (styp, emsg, free...).
  std::vector<Bytes> before;
};

struct FragmentedSpec {
  MovieSpec init;  ///< tracks may have moov samples (a partially fragmented file)
  /// trex per track (same order as init.tracks): default duration, size, flags.
  struct Defaults {
    std::uint32_t description_index = 1;
    std::uint32_t duration = 0;
    std::uint32_t size = 0;
    std::uint32_t flags = 0;
  };
  std::vector<Defaults> trex;  ///< empty: zeros for every track
  std::optional<std::uint64_t> mehd;  ///< fragment_duration, movie timescale
  std::vector<MoofSpec> fragments;
  /// A sidx for track `sidx_track` before the first moof, one reference per fragment.
  std::optional<std::size_t> sidx_track;
  bool mfra = false;  ///< tfra for every track + mfro at the end
};

/// Where each fragment sample went: per track, in decode order after the
/// track's moov samples.
struct FragmentLayout {
  struct Sample {
    std::uint64_t offset;
    std::uint32_t size;
    std::int64_t dts;
    std::uint32_t duration;
    bool sync;
  };
  std::vector<std::vector<Sample>> samples;   ///< per track
  std::vector<std::uint64_t> moof_offsets;
};

/// The file. Decode times of fragments without tfdt continue from the
/// previous fragment (or from the moov samples' end, which the writer takes
/// from the track's stts).
Bytes build_fragmented_mp4(const FragmentedSpec& spec, FragmentLayout* layout = nullptr);

/// `n` samples of `duration` ticks with sizes `first_size`, first_size + 1...
std::vector<FragmentSample> fragment_samples(std::size_t n, std::uint32_t duration = 1024,
                                             std::uint32_t first_size = 10);

}  // namespace frugal::test
