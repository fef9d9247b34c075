// FileSource over pread(2). Built with _FILE_OFFSET_BITS=64 so off_t is 64-bit
// on 32-bit targets too.
#include <frugal/core/file_source.hpp>

#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace frugal::core {

namespace {

Error os_error(const char* message, int err) {
  Error e = make_error(Errc::io, message);
  e.os_error = err;
  return e;
}

}  // namespace

Result<FileSource> FileSource::open(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open file", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return os_error("cannot stat file", err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return os_error("is a directory", EISDIR);
  }
  return FileSource(fd, static_cast<std::uint64_t>(st.st_size));
}

FileSource::FileSource(FileSource&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

FileSource& FileSource::operator=(FileSource&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::size_t> FileSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max()))
    return std::size_t{0};
  std::size_t done = 0;
  while (done < dst.size()) {
    const ssize_t n = ::pread(fd_, dst.data() + done, dst.size() - done,
                              static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("read failed", errno);
    }
    if (n == 0) break;  // end of file
    done += static_cast<std::size_t>(n);
  }
  return done;
}

Result<std::size_t> FdInputStream::read(std::span<std::byte> dst) {
  while (true) {
    const ssize_t n = ::read(fd_, dst.data(), dst.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return os_error("cannot read input stream", errno);
  }
}

}  // namespace frugal::core
