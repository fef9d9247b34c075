#pragma once
// ISO/IEC 14496-12 §4.2 box headers and a bounded walker over them.
//
// A box is read as a header (size, type, optional 64-bit size, optional uuid)
// whose size is checked against its parent before anything else happens.
// Thread-safety: a BoxReader is a plain cursor; sources decide concurrency.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/fourcc.hpp>
#include <frugal/core/limits.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace frugal::mp4 {

struct BoxHeader {
  core::FourCC type;
  std::uint64_t offset = 0;       ///< file offset of the box's first byte
  std::uint64_t size = 0;         ///< whole box in bytes, header included
  std::uint32_t header_size = 0;  ///< 8, 16 with a 64-bit size, +16 for 'uuid'
  /// Top level only: the declared size ran past the end of the file and was
  /// clipped to it (a partial download, a truncated mdat).
  bool truncated = false;

  std::uint64_t body_offset() const noexcept { return offset + header_size; }
  std::uint64_t body_size() const noexcept { return size - header_size; }
  std::uint64_t end() const noexcept { return offset + size; }
};

/// Iterates the boxes in a byte range [begin, end) of a source.
///
/// Rules (§4.2): size 1 means a 64-bit size follows; size 0 means the box
/// extends to the end of its parent (of the file at the top level). Errors
/// (Errc::malformed, offset = the box's offset): a size smaller than its
/// header, a nested box larger than its parent. At the top level a box larger
/// than the file is clipped and marked `truncated`. Fewer than 8 bytes left in
/// a range end the iteration (padding and QuickTime's 4-byte terminators are
/// common). Nesting deeper than Limits::max_box_depth is Errc::limit_exceeded.
class BoxReader {
 public:
  /// The top-level boxes of `source` (to its end; to the first short read
  /// when its size is unknown).
  BoxReader(core::ByteSource& source, const core::Limits& limits) noexcept;

  /// The boxes in [begin, end) of `source`, at nesting level `depth` (0 = top
  /// level), e.g. the entries of an stsd body read into a MemorySource.
  BoxReader(core::ByteSource& source, const core::Limits& limits, std::uint64_t begin,
            std::uint64_t end, std::uint32_t depth) noexcept
      : source_(&source), limits_(&limits), pos_(begin), end_(end), depth_(depth) {}

  /// The next box header, or nullopt at the end of the range.
  core::Result<std::optional<BoxHeader>> next();

  /// A reader over `box`'s children, starting `skip` bytes into its body
  /// (4 for a FullBox's version and flags, 8 for stsd's entry count...).
  core::Result<BoxReader> children(const BoxHeader& box, std::uint64_t skip = 0) const;

  std::uint32_t depth() const noexcept { return depth_; }

 private:
  core::ByteSource* source_;
  const core::Limits* limits_;
  std::uint64_t pos_;
  std::uint64_t end_;
  std::uint32_t depth_;
};

/// Reads the body of `box` (after its header, starting `skip` bytes in) into
/// `out`, replacing its contents. Errors: Errc::limit_exceeded when the body is
/// larger than Limits::max_box_bytes; Errc::malformed when the data ends first.
core::Result<void> read_box_body(core::ByteSource& source, const BoxHeader& box,
                                 const core::Limits& limits, std::vector<std::byte>& out,
                                 std::uint64_t skip = 0);

}  // namespace frugal::mp4
