#pragma once
// Byte sources: where every frugal reader gets its bytes.
//
// A ByteSource answers positional reads (`read_at`), so a demuxer can jump
// between a table in moov and a sample in mdat without a shared file
// position, and several readers can share one source. Offsets and sizes are
// in bytes and 64-bit everywhere, also on 32-bit targets.

#include <frugal/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace frugal::core {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  /// Reads up to `dst.size()` bytes starting at byte `offset` into `dst`.
  /// Returns the number of bytes read; it is less than `dst.size()` only when
  /// the data ends (0 at or after the end). Errors: Errc::io.
  /// Thread-safety: implementations in frugal allow concurrent read_at calls
  /// on one source unless their docs say otherwise.
  virtual Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) = 0;

  /// Total size in bytes, or nullopt when unknown (a pipe, a live stream).
  virtual std::optional<std::uint64_t> size() const = 0;

  /// False for a source that can only go forward (a pipe): a reader then
  /// cannot come back for bytes it passed over, except the prefix it asked
  /// to keep with will_revisit().
  virtual bool seekable() const { return true; }

  /// A reader's hint: it will come back to bytes [0, `end`) (a movie header
  /// whose tables it reads lazily) and read what follows front to back. A
  /// forward-only source reads up to `end` and keeps that prefix, and lets
  /// the rest go as it passes; others ignore the hint. Wrapping sources pass
  /// it on. Errors: the source's (a prefix larger than it can hold:
  /// Errc::limit_exceeded).
  virtual Result<void> will_revisit(std::uint64_t end) {
    (void)end;
    return ok();
  }
};

/// A forward-only stream of bytes (a pipe, a socket): what a non-seekable
/// source reads from.
class InputStream {
 public:
  virtual ~InputStream() = default;
  /// Reads up to `dst.size()` bytes; fewer only at the end (0 = end of
  /// stream) or when that many are not available yet. Errors: Errc::io.
  virtual Result<std::size_t> read(std::span<std::byte> dst) = 0;
};

/// Reads exactly `dst.size()` bytes at `offset`.
/// Errors: Errc::end_of_stream when the data ends first (message "unexpected
/// end of data", offset = `offset`), or the source's error.
Result<void> read_exact(ByteSource& source, std::uint64_t offset, std::span<std::byte> dst);

/// A non-owning source over bytes in memory (tests, fuzzers, embedded assets).
/// The bytes must outlive the source. Thread-safe.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return bytes_.size(); }

 private:
  std::span<const std::byte> bytes_;
};

/// A window [offset, offset + length) of another source, seen as a source of
/// its own starting at 0; reads never leave the window. `length` is clipped to
/// the parent's size when that is known. Thread-safe when the parent is.
class SubSource final : public ByteSource {
 public:
  SubSource(ByteSource& parent, std::uint64_t offset, std::uint64_t length) noexcept;
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return length_; }
  bool seekable() const override { return parent_.seekable(); }

 private:
  ByteSource& parent_;
  std::uint64_t offset_;
  std::uint64_t length_;
};

/// One window of read-ahead over another source, in a buffer its owner
/// provides (nothing allocated here), as FFmpeg's AVIOContext buffers its
/// reads: a small read (at most half the buffer) that misses the window
/// refills it with `buffer.size()` bytes starting a little before the read
/// (at a multiple of a quarter of the buffer, so neighbours on both sides
/// come along), or, for a read going on past the window, at the old
/// window's end or the read itself (sequential reading fetches little
/// twice); reads inside the window cost no call to the inner source;
/// larger reads pass straight through and leave the window alone. Box
/// headers, neighbouring sample tables and small packets thus cost one
/// inner read per window rather than one each. An empty buffer makes it a
/// plain pass-through. The inner source's data must not change while a
/// window holds it. Errors: the inner source's. Not thread-safe.
class BufferedSource final : public ByteSource {
 public:
  BufferedSource(ByteSource& inner, std::span<std::byte> buffer) noexcept : inner_(inner), buffer_(buffer) {}
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return inner_.size(); }
  bool seekable() const override { return inner_.seekable(); }
  Result<void> will_revisit(std::uint64_t end) override { return inner_.will_revisit(end); }

  /// Swaps the buffer (an empty one: no read-ahead) and forgets the window.
  void set_buffer(std::span<std::byte> buffer) noexcept;

 private:
  ByteSource& inner_;
  std::span<std::byte> buffer_;
  std::uint64_t window_offset_ = 0;
  std::size_t window_bytes_ = 0;  // valid bytes in buffer_ from window_offset_
};

/// Passes reads through to another source and counts them (bytes returned and
/// read_at calls), for `--stats` and for tests that bound a reader's I/O.
/// Not thread-safe: one reader at a time.
class CountingSource final : public ByteSource {
 public:
  explicit CountingSource(ByteSource& inner) noexcept : inner_(inner) {}
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return inner_.size(); }
  bool seekable() const override { return inner_.seekable(); }
  Result<void> will_revisit(std::uint64_t end) override { return inner_.will_revisit(end); }

  std::uint64_t bytes_read() const noexcept { return bytes_read_; }
  std::uint64_t read_calls() const noexcept { return read_calls_; }

 private:
  ByteSource& inner_;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t read_calls_ = 0;
};

/// Several sized sources read as one, one after the other: an init segment
/// and its media segments (CMAF, DASH) opened as one file. The parts must
/// outlive it. Errors: a part's; Errc::invalid_argument from read_at when a
/// part's size is unknown. Thread-safe when the parts are.
class ConcatSource final : public ByteSource {
 public:
  explicit ConcatSource(std::span<ByteSource* const> parts) noexcept : parts_(parts) {}
  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override;

 private:
  std::span<ByteSource* const> parts_;
};

}  // namespace frugal::core
