// MappedFileSource: one mmap(2) window at a time; see file_source.hpp for
// the SIGBUS policy.
#include <frugal/core/file_source.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
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

std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

}  // namespace

Result<MappedFileSource> MappedFileSource::open(const char* path, std::size_t window_bytes) {
  if (window_bytes == 0) return make_error(Errc::invalid_argument, "mapping window of 0 bytes");
  const std::size_t page = page_size();
  if (window_bytes > ~std::size_t{0} - page) return make_error(Errc::invalid_argument, "mapping window too large");
  // Whole pages, and at least two: a view may start anywhere in its first page.
  window_bytes = std::max((window_bytes + page - 1) / page * page, 2 * page);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error("cannot open file", errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return os_error("cannot map file", err);
  }
  return MappedFileSource(fd, static_cast<std::uint64_t>(st.st_size), window_bytes);
}

MappedFileSource::MappedFileSource(MappedFileSource&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      window_bytes_(other.window_bytes_),
      map_(std::exchange(other.map_, nullptr)),
      map_offset_(other.map_offset_),
      map_length_(std::exchange(other.map_length_, 0)) {}

MappedFileSource& MappedFileSource::operator=(MappedFileSource&& other) noexcept {
  if (this != &other) {
    unmap();
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
    window_bytes_ = other.window_bytes_;
    map_ = std::exchange(other.map_, nullptr);
    map_offset_ = other.map_offset_;
    map_length_ = std::exchange(other.map_length_, 0);
  }
  return *this;
}

MappedFileSource::~MappedFileSource() {
  unmap();
  if (fd_ >= 0) ::close(fd_);
}

void MappedFileSource::unmap() noexcept {
  if (map_) ::munmap(map_, map_length_);
  map_ = nullptr;
  map_length_ = 0;
}

// Maps the window that starts at the page holding `offset`, after checking
// that the file still reaches `offset + length` (a file that shrank between
// windows is an error, not a SIGBUS later).
Result<void> MappedFileSource::map_window(std::uint64_t offset, std::size_t length) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return os_error("cannot stat file", errno);
  const auto current_size = static_cast<std::uint64_t>(st.st_size);
  if (current_size < size_ && offset + length > current_size) {
    Error e = make_error(Errc::io, "file shrank while mapped", offset);
    e.os_error = EIO;
    return e;
  }
  unmap();
  const std::uint64_t start = offset / page_size() * page_size();
  const auto len = static_cast<std::size_t>(std::min<std::uint64_t>(window_bytes_, size_ - start));
  void* p = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd_, static_cast<off_t>(start));
  if (p == MAP_FAILED) return os_error("mmap failed", errno);
  map_ = static_cast<std::byte*>(p);
  map_offset_ = start;
  map_length_ = len;
  return ok();
}

Result<std::span<const std::byte>> MappedFileSource::view(std::uint64_t offset, std::size_t length) {
  if (length > window_bytes_ - page_size())
    return make_error(Errc::invalid_argument, "view longer than the mapping window allows");
  if (offset >= size_) return std::span<const std::byte>{};
  length = static_cast<std::size_t>(std::min<std::uint64_t>(length, size_ - offset));
  if (!map_ || offset < map_offset_ || offset + length > map_offset_ + map_length_)
    FRUGAL_CHECK(map_window(offset, length));
  return std::span<const std::byte>(map_ + (offset - map_offset_), length);
}

Result<std::size_t> MappedFileSource::read_at(std::uint64_t offset, std::span<std::byte> dst) {
  std::size_t done = 0;
  const std::size_t chunk = window_bytes_ - page_size();
  while (done < dst.size() && offset + done < size_) {
    FRUGAL_TRY(auto bytes, view(offset + done, std::min(chunk, dst.size() - done)));
    std::memcpy(dst.data() + done, bytes.data(), bytes.size());
    done += bytes.size();
  }
  return done;
}

}  // namespace frugal::core
