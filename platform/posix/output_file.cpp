#include "output_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>
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
  // Replace the file a link names, not the link.
  std::string target = path;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    if (char* resolved = ::realpath(path.c_str(), nullptr)) {
      target = resolved;
      ::free(resolved);
    } else {  // a link to a file not there yet: create the file it names
      char link[4096];
      const ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
      if (n <= 0) return os_error("cannot resolve the symbolic link to the output file", errno);
      target.assign(link, static_cast<std::size_t>(n));
      if (target.front() != '/') target = folder_of(path) + "/" + target;
    }
  }
  const bool exists = ::stat(target.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode))
    return core::make_error(Errc::invalid_argument, "output is not a regular file");
  // A name of our own beside the target, created exclusively; 0666 less the
  // umask, or the target's own permissions.
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = target + ".partial-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return os_error("cannot create output file", errno);
    if (exists && ::fchmod(fd, st.st_mode & 07777) != 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return os_error("cannot keep the output file's permissions", err);
    }
    return AtomicFile(fd, std::move(temp), std::move(target));
  }
  return os_error("cannot create output file", EEXIST);
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

bool is_special_file(const std::string& path) noexcept {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode);
}

core::Result<int> open_for_writing(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open output", errno);
  return fd;
}

void close_fd(int fd) noexcept { ::close(fd); }

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
