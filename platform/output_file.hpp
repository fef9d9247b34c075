#pragma once
// Output files for the player's sinks, implemented per platform
// (platform/posix/output_file.cpp). Internal to frugal.

#include <frugal/core/result.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace frugal::platform {

/// A regular file written atomically: bytes go to a temporary file beside
/// the target, and commit() flushes it to storage and renames it over the
/// target. Destroyed uncommitted, it removes the temporary file; the target
/// is never half-written. A symbolic link is followed (the file it names is
/// replaced, the link stays); an existing target keeps its permissions, a
/// new one gets 0666 less the umask.
class AtomicFile {
 public:
  /// Errors: Errc::io (os_error = errno), e.g. the folder is not writable;
  /// Errc::invalid_argument when `path` names something other than a regular
  /// file (use open_for_writing for devices, FIFOs, sockets).
  static core::Result<AtomicFile> create(const std::string& path);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();

  /// Appends at the end.
  core::Result<void> write(std::span<const std::byte> data);
  /// Overwrites bytes already written (e.g. a header's sizes).
  core::Result<void> write_at(std::uint64_t offset, std::span<const std::byte> data);
  /// fsync, rename over the target, fsync the folder.
  core::Result<void> commit();

 private:
  AtomicFile(int fd, std::string temp, std::string target) noexcept
      : fd_(fd), temp_(std::move(temp)), target_(std::move(target)) {}
  int fd_ = -1;
  std::string temp_;
  std::string target_;
};

/// True when `path` exists and (after following links) is not a regular
/// file: a device, a FIFO, a socket — something to write into, not replace.
bool is_special_file(const std::string& path) noexcept;

/// Opens an existing `path` for writing, without truncating or replacing it
/// (for special files). Errors: Errc::io.
core::Result<int> open_for_writing(const std::string& path);

/// Closes a descriptor from open_for_writing.
void close_fd(int fd) noexcept;

/// Writes all of `data` to `fd`, retrying short writes and EINTR.
/// Errors: Errc::io (e.g. EPIPE when the reader of a pipe went away).
core::Result<void> write_all(int fd, std::span<const std::byte> data);

}  // namespace frugal::platform
