#include "tags/taglib_stream.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

namespace frugal::tags::detail {

core::Result<std::unique_ptr<SourceStream>> SourceStream::create(core::ByteSource& source) {
  const auto size = source.size();
  if (!size) return core::make_error(core::Errc::unsupported, "tags: the source has no known size");
  if (!fits_offset<taglib_offset>(*size))
    return core::make_error(core::Errc::unsupported, "tags: source larger than TagLib's offsets reach");
  return std::make_unique<SourceStream>(source, *size);
}

TagLib::ByteVector SourceStream::readBlock(taglib_length length) {
  // Never more than what is left: TagLib passes sizes read from the file.
  const std::uint64_t left = pos_ < size_ ? size_ - pos_ : 0;
  const auto n = static_cast<unsigned int>(std::min<std::uint64_t>({left, length, 0xFFFFFFFFu}));
  TagLib::ByteVector out(n, '\0');
  if (n == 0) return out;
  auto got = source_.read_at(pos_, std::as_writable_bytes(std::span(out.data(), n)));
  if (!got) {
    if (!error_) error_ = got.error();
    return TagLib::ByteVector();
  }
  out.resize(static_cast<unsigned int>(*got));
  pos_ += *got;
  return out;
}

void SourceStream::writeBlock(const TagLib::ByteVector&) { ++write_attempts_; }
void SourceStream::insert(const TagLib::ByteVector&, taglib_position, taglib_length) { ++write_attempts_; }
void SourceStream::removeBlock(taglib_position, taglib_length) { ++write_attempts_; }
void SourceStream::truncate(taglib_offset) { ++write_attempts_; }

void SourceStream::seek(taglib_offset offset, Position p) {
  // TagLib seeks by offsets read from the file (atom sizes), so the sum may
  // overflow: it saturates. Before the start the position is 0 (a read
  // starts there); past the end it stays where it was put, up to
  // taglib_offset's largest (tell() must show it), and reads give nothing,
  // as with TagLib's FileStream.
  constexpr auto top = static_cast<std::int64_t>(std::numeric_limits<taglib_offset>::max());
  const std::int64_t base = p == Beginning ? 0 : static_cast<std::int64_t>(p == Current ? pos_ : size_);
  std::int64_t to = 0;
  if (__builtin_add_overflow(base, static_cast<std::int64_t>(offset), &to)) to = offset < 0 ? 0 : top;
  pos_ = static_cast<std::uint64_t>(std::clamp<std::int64_t>(to, 0, top));
}

}  // namespace frugal::tags::detail
