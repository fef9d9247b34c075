#include "tags/splice_source.hpp"

#include <algorithm>
#include <cstring>

namespace frugal::tags::detail {

void Splice::add_source(std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return;
  pieces_.push_back({size_, offset, length, false});
  size_ += length;
}

void Splice::add_bytes(std::span<const std::byte> bytes) {
  if (bytes.empty()) return;
  pieces_.push_back({size_, literals_.size(), bytes.size(), true});
  literals_.insert(literals_.end(), bytes.begin(), bytes.end());
  size_ += bytes.size();
}

core::Result<void> Splice::add_box_header(const char (&type)[5], std::uint64_t size) {
  if (size > 0xFFFFFFFFu) return core::make_error(core::Errc::limit_exceeded, "tags: MP4 tag area over 4 GiB");
  std::byte h[8];
  for (int i = 0; i < 4; ++i) h[i] = static_cast<std::byte>(size >> (24 - 8 * i));
  std::memcpy(h + 4, type, 4);
  add_bytes(h);
  return core::ok();
}

core::Result<std::size_t> SpliceSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  const auto& pieces = splice_.pieces_;
  // The piece holding `offset`: the last one starting at or before it.
  auto it = std::upper_bound(pieces.begin(), pieces.end(), offset,
                             [](std::uint64_t o, const Splice::Piece& p) { return o < p.start; });
  std::size_t done = 0;
  if (it == pieces.begin()) return done;
  for (--it; it != pieces.end() && done < dst.size(); ++it) {
    const std::uint64_t at = offset + done - it->start;
    if (at >= it->length) break;  // past the end of the view
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(it->length - at, dst.size() - done));
    const auto out = dst.subspan(done, n);
    if (it->literal) {
      std::memcpy(out.data(), splice_.literals_.data() + it->offset + at, n);
    } else {
      FRUGAL_CHECK(core::read_exact(source_, it->offset + at, out));
    }
    done += n;
  }
  return done;
}

}  // namespace frugal::tags::detail
