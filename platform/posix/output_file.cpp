#include "output_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace frugal::platform {

using core::Errc;

namespace {

core::Error os_error(const char* message, int err) {
  core::Error e = core::make_error(Errc::io, message);
  e.os_error = err;
  return e;
}

// The folder holding `path` ("." for a bare name).
std::string folder_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

core::Result<AtomicFile> AtomicFile::create(const std::string& path) {
  std::string temp = path + ".partial-XXXXXX";
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return os_error("cannot create output file", errno);
  ::fchmod(fd, 0644);
  return AtomicFile(fd, std::move(temp), path);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), temp_(std::move(other.temp_)), target_(std::move(other.target_)) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

core::Result<void> AtomicFile::write(std::span<const std::byte> data) { return write_all(fd_, data); }

core::Result<void> AtomicFile::write_at(std::uint64_t offset, std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return os_error("write failed", errno);
    done += static_cast<std::size_t>(n);
  }
  return core::ok();
}

core::Result<void> AtomicFile::commit() {
  if (::fsync(fd_) != 0) return os_error("fsync failed", errno);
  if (::close(std::exchange(fd_, -1)) != 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
    return os_error("close failed", err);
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
    return os_error("cannot rename output file into place", err);
  }
  // Make the rename itself durable.
  const int dir = ::open(folder_of(target_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return core::ok();
}

core::Result<void> write_all(int fd, std::span<const std::byte> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return os_error("write failed", errno);
    done += static_cast<std::size_t>(n);
  }
  return core::ok();
}

}  // namespace frugal::platform
