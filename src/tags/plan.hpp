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
  /// What the view holds, for the cap and for taglib_cost: tag bytes
  /// other than the pictures kept, and the items (MP4 ilst items, Vorbis
  /// comment fields, ID3v2 frames at most) TagLib will make objects for.
  std::uint64_t text_bytes = 0;
  std::uint64_t items = 0;
};

/// Heap TagLib uses to read a view, in bytes, as charged to "tags/taglib":
/// the view, plus kTextCost per byte of text and kItemCost per item. From
/// the malloc counter (tests/tags/memory_test.cpp, TagLib 1.13): TagLib
/// holds a tag's text about 13 times over while it reads (the bytes read,
/// UTF-32 strings in its item map and again in its property map, the
/// copies handed out); each item costs about 300 bytes of objects (2,000
/// MP4 items: 580 KB); a picture costs once its size (the bytes read,
/// shared by the picture object): the view counts it.
inline constexpr std::uint64_t kTextCost = 16;
inline constexpr std::uint64_t kItemCost = 384;
std::uint64_t taglib_cost(const Plan& plan) noexcept;

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

/// Adds `bytes` of tag area to plan.text_bytes; Errc::limit_exceeded past
/// max_tag_bytes (offset: where in the source).
core::Result<void> add_tag_bytes(Plan& plan, std::uint64_t bytes, const TagOptions& options, std::uint64_t offset);

/// Items in `bytes` of tag area whose count is not read: each takes at
/// least this many bytes (an ID3v2 frame: 10-byte header, 1 byte).
inline constexpr std::uint64_t kMinItemBytes = 11;

/// Why a picture of `size` bytes, after `kept` pictures already kept, stays
/// out of the view; nullptr to keep it.
const char* leave_out_reason(std::size_t kept, std::uint64_t size, const TagOptions& options) noexcept;

/// Fills `picture`'s width/height (and an empty MIME type) from the header
/// of the image at `offset` (assets::read_image_info over the picture's
/// bytes: a few hundred bytes read, segments before a JPEG frame skipped).
/// A header it cannot read leaves them unknown. Errors: the source's io.
core::Result<void> probe_dimensions(core::ByteSource& source, std::uint64_t offset, Picture& picture);

}  // namespace frugal::tags::detail
