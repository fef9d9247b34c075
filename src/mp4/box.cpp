#include <frugal/mp4/box.hpp>

#include <frugal/core/byte_reader.hpp>

#include <array>

namespace frugal::mp4 {

using core::Errc;
using core::make_error;
using core::Result;

BoxReader::BoxReader(core::ByteSource& source, const core::Limits& limits) noexcept
    : BoxReader(source, limits, 0, source.size().value_or(~std::uint64_t{0}), 0) {}

Result<std::optional<BoxHeader>> BoxReader::next() {
  if (pos_ >= end_ || end_ - pos_ < 8) return std::optional<BoxHeader>{};
  std::array<std::byte, 32> raw{};
  const std::uint64_t want = std::min<std::uint64_t>(raw.size(), end_ - pos_);
  FRUGAL_TRY(std::size_t got, source_->read_at(pos_, std::span(raw).first(want)));
  if (got < 8) {
    if (depth_ == 0) return std::optional<BoxHeader>{};  // end of an unsized stream
    return make_error(Errc::malformed, "box header cut off by end of data", pos_);
  }
  core::ByteReader r(std::span<const std::byte>(raw.data(), got));
  BoxHeader box;
  box.offset = pos_;
  std::uint64_t size = r.u32();
  box.type = core::FourCC(r.u32());
  box.header_size = 8;
  if (size == 1) {
    size = r.u64();
    box.header_size = 16;
  } else if (size == 0) {
    size = end_ - pos_;
  }
  if (box.type == core::FourCC("uuid")) box.header_size += 16;
  if (!r.ok() || (box.type == core::FourCC("uuid") && got < box.header_size))
    return make_error(Errc::malformed, "box header cut off by end of data", pos_);
  if (size < box.header_size) return make_error(Errc::malformed, "box size smaller than its header", pos_);
  if (size > end_ - pos_) {
    if (depth_ != 0) return make_error(Errc::malformed, "box larger than its parent", pos_);
    size = end_ - pos_;
    box.truncated = true;
  }
  box.size = size;
  pos_ += size;
  return std::optional<BoxHeader>{box};
}

Result<BoxReader> BoxReader::children(const BoxHeader& box, std::uint64_t skip) const {
  if (depth_ + 1 > limits_->max_box_depth)
    return make_error(Errc::limit_exceeded, "boxes nested deeper than the limit", box.offset);
  if (skip > box.body_size()) return make_error(Errc::malformed, "box too small for its fields", box.offset);
  return BoxReader(*source_, *limits_, box.body_offset() + skip, box.end(), depth_ + 1);
}

Result<void> read_box_body(core::ByteSource& source, const BoxHeader& box,
                           const core::Limits& limits, std::vector<std::byte>& out,
                           std::uint64_t skip) {
  if (skip > box.body_size()) return make_error(Errc::malformed, "box too small for its fields", box.offset);
  const std::uint64_t n = box.body_size() - skip;
  if (n > limits.max_box_bytes)
    return make_error(Errc::limit_exceeded, "box larger than the in-memory box limit", box.offset);
  out.resize(static_cast<std::size_t>(n));
  auto r = core::read_exact(source, box.body_offset() + skip, out);
  if (!r) {
    out.clear();
    if (r.error().code == Errc::end_of_stream)
      return make_error(Errc::malformed, "box cut off by end of file", box.offset);
    return r.error();
  }
  return core::ok();
}

}  // namespace frugal::mp4
