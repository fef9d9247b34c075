#pragma once
// The view TagLib reads: pieces of a source and a few bytes frugal writes
// itself (box and block headers), one after the other, seen as one source.
// This is how pictures over the cap, audio data and everything else TagLib
// does not need are left out: TagLib cannot read what the view lacks.

#include <frugal/core/byte_source.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace frugal::tags::detail {

class Splice {
 public:
  /// Appends bytes [offset, offset + length) of the source.
  void add_source(std::uint64_t offset, std::uint64_t length);
  /// Appends bytes made here (copied).
  void add_bytes(std::span<const std::byte> bytes);
  /// Appends an 8-byte ISO-BMFF box header (§4.2) for a box of `size` bytes.
  /// Errors: Errc::limit_exceeded past 32 bits (the caps may be set that
  /// high; the sizes come from the file).
  core::Result<void> add_box_header(const char (&type)[5], std::uint64_t size);

  /// Bytes in the view so far.
  std::uint64_t size() const noexcept { return size_; }
  bool empty() const noexcept { return pieces_.empty(); }

 private:
  friend class SpliceSource;
  struct Piece {
    std::uint64_t start;   // offset in the view
    std::uint64_t offset;  // in the source, or in literals_
    std::uint64_t length;
    bool literal;
  };
  std::vector<Piece> pieces_;
  std::vector<std::byte> literals_;
  std::uint64_t size_ = 0;
};

/// The splice over `source` (both must outlive it). Errors: the source's;
/// Errc::end_of_stream when a piece is no longer there (the file shrank).
/// Thread-safe when the source is.
class SpliceSource final : public core::ByteSource {
 public:
  SpliceSource(core::ByteSource& source, const Splice& splice) noexcept : source_(source), splice_(splice) {}
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return splice_.size(); }

 private:
  core::ByteSource& source_;
  const Splice& splice_;
};

}  // namespace frugal::tags::detail
