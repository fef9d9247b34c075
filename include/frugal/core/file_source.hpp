#pragma once
// File-backed byte sources (POSIX platforms; absent from bare-metal builds).

#include <frugal/core/byte_source.hpp>

#include <cstddef>
#include <cstdint>

namespace frugal::core {

/// Reads a file with pread(2): no shared file position, so concurrent
/// read_at calls are safe. The default source: a failing medium or a file
/// truncated under it gives Errc::io or a short read, never a signal.
/// size() is the size at open (a file still being written is not followed).
/// Offsets beyond 4 GiB work on 32-bit targets (64-bit off_t).
class FileSource final : public ByteSource {
 public:
  /// Opens `path` read-only. Errors: Errc::io (os_error = errno).
  static Result<FileSource> open(const char* path);

  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&& other) noexcept;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  ~FileSource() override;

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return size_; }

 private:
  FileSource(int fd, std::uint64_t size) noexcept : fd_(fd), size_(size) {}

  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// A forward-only stream over a file descriptor it does not own (standard
/// input, a pipe, a socket), read with read(2); EINTR is retried.
/// Not thread-safe.
class FdInputStream final : public InputStream {
 public:
  explicit FdInputStream(int fd) noexcept : fd_(fd) {}
  /// Errors: Errc::io (os_error = errno).
  Result<std::size_t> read(std::span<std::byte> dst) override;

 private:
  int fd_;
};

/// Reads a file through a memory mapping of one bounded window at a time
/// (`window_bytes`, rounded up to whole pages, at least two), moved as reads require, so a
/// 32-bit process can read a 3 GB file and resident memory stays bounded.
/// `view()` hands out bytes without copying.
///
/// Why pread (FileSource) stays the default: with a mapping, the kernel
/// reports a page that cannot be read with SIGBUS instead of an error code.
/// - A file that shrinks: frugal checks the file's size (fstat) each time the
///   window moves and answers reads beyond the new end with Errc::io ("file
///   shrank"), but a page of the *current* window that lies beyond the new end
///   raises SIGBUS when touched, which kills the process unless the embedder
///   handles the signal (tests/core/mapped_file_source_test.cpp shows both).
/// - A medium removed (SD card pulled) or an I/O error under the mapping: the
///   touched page raises SIGBUS likewise; there is no error to return.
/// Use it where files are known to be stable (read-only storage, assets).
/// Not thread-safe: the window is shared state; use one source per thread.
class MappedFileSource final : public ByteSource {
 public:
  static constexpr std::size_t kDefaultWindowBytes = std::size_t{1} << 20;

  /// Opens `path` read-only. Errors: Errc::io (os_error = errno),
  /// Errc::invalid_argument for a zero window.
  static Result<MappedFileSource> open(const char* path,
                                       std::size_t window_bytes = kDefaultWindowBytes);

  MappedFileSource(MappedFileSource&& other) noexcept;
  MappedFileSource& operator=(MappedFileSource&& other) noexcept;
  MappedFileSource(const MappedFileSource&) = delete;
  MappedFileSource& operator=(const MappedFileSource&) = delete;
  ~MappedFileSource() override;

  Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override;
  std::optional<std::uint64_t> size() const override { return size_; }

  /// Bytes [offset, offset + length) straight from the mapping, valid until
  /// the next call on this source. `length` may be at most window_bytes()
  /// minus one page (Errc::invalid_argument); the span is shorter only at the
  /// end of the file.
  Result<std::span<const std::byte>> view(std::uint64_t offset, std::size_t length);

  std::size_t window_bytes() const noexcept { return window_bytes_; }

 private:
  MappedFileSource(int fd, std::uint64_t size, std::size_t window_bytes) noexcept
      : fd_(fd), size_(size), window_bytes_(window_bytes) {}
  Result<void> map_window(std::uint64_t offset, std::size_t length);
  void unmap() noexcept;

  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::size_t window_bytes_ = 0;
  std::byte* map_ = nullptr;       // start of the current mapping
  std::uint64_t map_offset_ = 0;   // file offset of map_[0] (page aligned)
  std::size_t map_length_ = 0;     // bytes mapped and inside the file
};

}  // namespace frugal::core
