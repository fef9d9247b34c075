#pragma once
// Planning a read: which container the source holds, where its tag area is,
// how large it is, and the view (splice) TagLib will read. Each planner
// walks its container's structure with frugal's own readers, checks every
// size against the source and the caps before anything is read whole, and
// records the pictures it leaves out of the view.

#include "tags/splice_source.hpp"

#include <frugal/tags/tags.hpp>

#include <cstdint>
#include <vector>

namespace frugal::tags::detail {

struct Plan {
  TagFormat format = TagFormat::mp4;
  /// What TagLib reads; empty when the file has no tag area (TagLib is not run).
  Splice view;
  /// Pictures left out of the view (not loaded), in file order.
  std::vector<Picture> left_out;
  /// Pictures left in the view so far (for TagOptions::max_pictures).
  std::size_t pictures_kept = 0;
};

/// Picks the planner from the first bytes. Errors: Errc::unsupported for
/// other content; the planners'.
core::Result<Plan> plan_read(core::ByteSource& source, std::uint64_t size, const TagOptions& options);

core::Result<Plan> plan_mp4(core::ByteSource& source, const TagOptions& options);
/// FLAC from the "fLaC" marker at `marker` (after an ID3v2 tag of `marker` bytes).
core::Result<Plan> plan_flac(core::ByteSource& source, std::uint64_t size, std::uint64_t marker,
                             const TagOptions& options);
core::Result<Plan> plan_ogg(core::ByteSource& source, std::uint64_t size, const TagOptions& options);
/// MPEG audio: an ID3v2 tag of `id3v2_bytes` at 0 (0: none) and an ID3v1 tag at the end.
core::Result<Plan> plan_mpeg(core::ByteSource& source, std::uint64_t size, std::uint64_t id3v2_bytes,
                             const TagOptions& options);

/// Bytes of the ID3v2 tag at offset 0 (header, frames, footer; ID3v2.4 §3.1),
/// or 0 when there is none. Errors: the source's.
core::Result<std::uint64_t> id3v2_size(core::ByteSource& source);

/// Whether the last 128 bytes hold an ID3v1 tag ("TAG"). Errors: the source's.
core::Result<bool> has_id3v1(core::ByteSource& source, std::uint64_t size);

/// Adds `bytes` of tag area to `total`; Errc::limit_exceeded past the cap.
core::Result<void> add_tag_bytes(std::uint64_t& total, std::uint64_t bytes, const TagOptions& options,
                                 std::uint64_t offset);

/// Why a picture of `size` bytes, after `kept` pictures already kept, stays
/// out of the view; nullptr to keep it.
const char* leave_out_reason(std::size_t kept, std::uint64_t size, const TagOptions& options) noexcept;

/// Fills `picture`'s width/height from the first bytes at `offset` (up to
/// 4 KiB, read into a stack buffer). Errors: the source's.
core::Result<void> probe_dimensions(core::ByteSource& source, std::uint64_t offset, Picture& picture);

}  // namespace frugal::tags::detail
