#include "tags/taglib_stream.hpp"

#include <algorithm>

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
  const std::int64_t base = p == Beginning ? 0 : p == Current ? static_cast<std::int64_t>(pos_) : static_cast<std::int64_t>(size_);
  const std::int64_t to = base + static_cast<std::int64_t>(offset);
  pos_ = to < 0 ? 0 : static_cast<std::uint64_t>(to);
}

}  // namespace frugal::tags::detail
