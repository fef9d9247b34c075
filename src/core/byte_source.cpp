#include <frugal/core/byte_source.hpp>

#include <algorithm>
#include <cstring>

namespace frugal::core {

Result<void> read_exact(ByteSource& source, std::uint64_t offset, std::span<std::byte> dst) {
  FRUGAL_TRY(std::size_t got, source.read_at(offset, dst));
  if (got != dst.size()) return make_error(Errc::end_of_stream, "unexpected end of data", offset);
  return ok();
}

Result<std::size_t> MemorySource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset >= bytes_.size()) return std::size_t{0};
  const std::size_t n = static_cast<std::size_t>(
      std::min<std::uint64_t>(dst.size(), bytes_.size() - offset));
  if (n) std::memcpy(dst.data(), bytes_.data() + offset, n);
  return n;
}

SubSource::SubSource(ByteSource& parent, std::uint64_t offset, std::uint64_t length) noexcept
    : parent_(parent), offset_(offset), length_(length) {
  if (auto parent_size = parent.size()) {
    const std::uint64_t available = offset <= *parent_size ? *parent_size - offset : 0;
    length_ = std::min(length_, available);
  }
}

Result<std::size_t> SubSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset >= length_) return std::size_t{0};
  const std::uint64_t n = std::min<std::uint64_t>(dst.size(), length_ - offset);
  return parent_.read_at(offset_ + offset, dst.first(static_cast<std::size_t>(n)));
}

Result<std::size_t> CountingSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  ++read_calls_;
  auto result = inner_.read_at(offset, dst);
  if (result) bytes_read_ += *result;
  return result;
}

}  // namespace frugal::core
