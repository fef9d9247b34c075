#pragma once
// A read-only TagLib::IOStream over a core::ByteSource, so TagLib reads
// through frugal's sources (files, memory, custom ones, the splice views).
//
// Version shim: TagLib 1.x's IOStream takes offsets as `long` (`unsigned
// long` for insert/removeBlock) and lengths as `unsigned long`; 2.x takes
// `offset_t` (long long) and `size_t`. The two
// typedefs below follow TAGLIB_MAJOR_VERSION, so one adapter builds against
// both. Where `long` is 32 bits (TagLib 1.x on armhf), a source larger than
// 2 GiB cannot be addressed: SourceStream::create refuses it
// (Errc::unsupported) rather than let offsets wrap.

#include <frugal/core/byte_source.hpp>

#include <taglib.h>
#include <tiostream.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>

namespace frugal::tags::detail {

#if TAGLIB_MAJOR_VERSION >= 2
using taglib_offset = TagLib::offset_t;   // seek, tell, length, truncate
using taglib_position = TagLib::offset_t; // insert and removeBlock's start
using taglib_length = std::size_t;
#else
using taglib_offset = long;
using taglib_position = unsigned long;
using taglib_length = unsigned long;
#endif

/// Whether `size` bytes are addressable with offsets of type `Offset`.
template <typename Offset>
constexpr bool fits_offset(std::uint64_t size) noexcept {
  return size <= static_cast<std::uint64_t>(std::numeric_limits<Offset>::max());
}

/// Reads go to the source at the stream's position; writes change nothing
/// and are counted (`write_attempts`), and readOnly() is true. A read error
/// is kept (`error`) and TagLib sees a short read: it then treats the data
/// as ended. Not thread-safe (a stream position, as TagLib expects).
class SourceStream final : public TagLib::IOStream {
 public:
  /// Errors: Errc::unsupported when the source has no size or a size past
  /// taglib_offset's range.
  static core::Result<std::unique_ptr<SourceStream>> create(core::ByteSource& source);
  SourceStream(core::ByteSource& source, std::uint64_t size) noexcept : source_(source), size_(size) {}

  TagLib::FileName name() const override { return ""; }
  TagLib::ByteVector readBlock(taglib_length length) override;
  void writeBlock(const TagLib::ByteVector& data) override;
  void insert(const TagLib::ByteVector& data, taglib_position start = 0, taglib_length replace = 0) override;
  void removeBlock(taglib_position start = 0, taglib_length length = 0) override;
  bool readOnly() const override { return true; }
  bool isOpen() const override { return true; }
  void seek(taglib_offset offset, Position p = Beginning) override;
  taglib_offset tell() const override { return static_cast<taglib_offset>(pos_); }
  taglib_offset length() override { return static_cast<taglib_offset>(size_); }
  void truncate(taglib_offset length) override;

  /// The first read error, if any.
  const std::optional<core::Error>& error() const noexcept { return error_; }
  /// Calls to writeBlock, insert, removeBlock and truncate (all refused).
  std::uint32_t write_attempts() const noexcept { return write_attempts_; }

 private:
  core::ByteSource& source_;
  std::uint64_t size_;
  std::uint64_t pos_ = 0;
  std::optional<core::Error> error_;
  std::uint32_t write_attempts_ = 0;
};

}  // namespace frugal::tags::detail
