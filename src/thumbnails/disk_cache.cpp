#include <frugal/thumbnails/disk_cache.hpp>

#include "output_file.hpp"

#include <xxhash.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <set>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace frugal::thumbnails {

using core::Errc;
using core::make_error;

namespace {

constexpr char kMagic[4] = {'F', 'R', 'T', 'H'};
constexpr std::string_view kTempMarker = ".partial-";  // AtomicFile's temporary names
// How far in the future an entry's creation time may lie (clock adjustments)
// before the entry counts as corrupt: it would otherwise never expire.
constexpr std::int64_t kClockSlackSeconds = 24 * 3600;

core::Error os_error(const char* message, int err) {
  core::Error e = make_error(Errc::io, message);
  e.os_error = err;
  return e;
}

void put_le(unsigned char* out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<unsigned char>(v >> (8 * i));
}
std::uint64_t get_le(const unsigned char* in, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{in[i]} << (8 * i);
  return v;
}

bool is_bucket_name(std::string_view name) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  return name.size() == 2 && hex(name[0]) && hex(name[1]);
}

// Reads exactly `size` bytes at `offset`, retrying short reads and EINTR.
// Returns false at end of file (errno 0) or on an error (errno set).
bool pread_exact(int fd, void* data, std::size_t size, std::uint64_t offset) {
  auto* p = static_cast<unsigned char*>(data);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, p + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = 0;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// The entry checksum: the payload's XXH3-64 as the seed of the XXH3-64 of
// the header without its checksum field (bytes 0-15 and 24-63), so a changed
// length, time or key fails the check as a changed payload does.
std::uint64_t entry_checksum(const unsigned char* header, std::span<const std::byte> payload) {
  unsigned char fields[DiskCache::kHeaderBytes - 8];
  std::memcpy(fields, header, 16);
  std::memcpy(fields + 16, header + 24, DiskCache::kHeaderBytes - 24);
  return XXH3_64bits_withSeed(fields, sizeof fields, XXH3_64bits(payload.data(), payload.size()));
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// An entry's path relative to the root, "xx/<32 hex>", built on the stack:
// the paths of get(), removal and eviction allocate nothing (no bad_alloc).
struct RelativePath {
  explicit RelativePath(const CacheKey& key) noexcept {
    std::memcpy(text, key.hex().data(), 2);
    text[2] = '/';
    std::memcpy(text + 3, key.hex().data(), CacheKey::kLength);
    text[3 + CacheKey::kLength] = '\0';
  }
  char text[3 + CacheKey::kLength + 1];
};

}  // namespace

struct DiskCache::Impl {
  struct Entry {
    std::uint64_t bytes = 0;       // file bytes
    std::int64_t last_access = 0;  // seconds since the epoch (the file's mtime)
  };
  // Oldest first; ties by key so the order is total.
  struct ByAge {
    bool operator()(const std::pair<std::int64_t, CacheKey>& a, const std::pair<std::int64_t, CacheKey>& b) const {
      return a.first != b.first ? a.first < b.first : a.second.hex() < b.second.hex();
    }
  };

  Impl(std::string root_in, int root_fd_in, DiskCacheOptions options_in, mem::Account account,
       mem::Account read_account_in) noexcept
      : root(std::move(root_in)),
        root_fd(root_fd_in),
        options(std::move(options_in)),
        read_account(read_account_in),
        index_charge(account, 0) {}
  ~Impl() { ::close(root_fd); }

  std::int64_t now() const { return options.clock ? options.clock() : static_cast<std::int64_t>(::time(nullptr)); }
  // Whether time `t` lies more than the TTL before `now_s` (never overflows:
  // ttl_seconds <= INT64_MAX is checked by open()).
  bool expired_at(std::int64_t t, std::int64_t now_s) const {
    if (options.ttl_seconds == 0) return false;
    const auto ttl = static_cast<std::int64_t>(options.ttl_seconds);
    return now_s >= INT64_MIN + ttl && t < now_s - ttl;
  }
  std::string bucket_path(const CacheKey& key) const { return root + "/" + std::string(key.bucket()); }
  std::string path_of(const CacheKey& key) const { return bucket_path(key) + "/" + std::string(key.hex()); }

  // Adds (or refreshes) an index entry; the charge for it is taken first.
  // Errors: Errc::out_of_memory (index unchanged).
  core::Result<void> index_add(const CacheKey& key, Entry entry) {
    if (const auto found = index.find(key); found != index.end()) {
      total -= found->second.bytes;
      by_age.erase({found->second.last_access, key});
      found->second = entry;
    } else {
      FRUGAL_CHECK(index_charge.try_resize((index.size() + 1) * index_entry_cost()));
      try {
        index.emplace(key, entry);
      } catch (const std::bad_alloc&) {
        index_charge.resize(index.size() * index_entry_cost());
        return make_error(Errc::out_of_memory, "thumbnail L2 cache: no memory for the index");
      }
    }
    try {
      by_age.emplace(entry.last_access, key);
    } catch (const std::bad_alloc&) {
      index.erase(key);
      index_charge.resize(index.size() * index_entry_cost());
      return make_error(Errc::out_of_memory, "thumbnail L2 cache: no memory for the index");
    }
    total += entry.bytes;
    return core::ok();
  }

  // Deletes an entry's file and forgets it.
  void remove(const CacheKey& key) noexcept {
    (void)::unlinkat(root_fd, RelativePath(key).text, 0);
    forget(key);
  }
  void forget(const CacheKey& key) noexcept {
    const auto found = index.find(key);
    if (found == index.end()) return;
    total -= found->second.bytes;
    by_age.erase({found->second.last_access, key});
    index.erase(found);
    index_charge.resize(index.size() * index_entry_cost());
  }

  // Evicts the least recently used entries (never `keep`) until the caps
  // hold with `extra_entries` more entries.
  void evict_over_caps(const CacheKey* keep, std::size_t extra_entries) noexcept {
    auto it = by_age.begin();
    while (it != by_age.end() && (total > options.max_bytes || index.size() + extra_entries > options.max_entries)) {
      const CacheKey victim = it->second;
      ++it;
      if (keep && victim == *keep) continue;
      remove(victim);
      ++evictions;
    }
  }

  std::size_t sweep_expired() noexcept {
    if (options.ttl_seconds == 0) return 0;
    const std::int64_t now_s = now();
    std::size_t n = 0;
    while (!by_age.empty()) {
      const auto& [last_access, key] = *by_age.begin();
      if (!expired_at(last_access, now_s)) break;
      remove(CacheKey(key));
      ++expired;
      ++n;
    }
    return n;
  }

  // One bucket folder of open(): deletes temporary files, indexes entries.
  // Allocates nothing but through index_add (which catches): no exception
  // can pass the DIR*.
  core::Result<void> scan_bucket(const char* bucket_name) noexcept {
    const std::string_view bucket = bucket_name;
    const int fd = ::openat(root_fd, bucket_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return core::ok();  // not a real folder (e.g. a link): ignored
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
      ::close(fd);
      return os_error("thumbnail L2 cache: cannot read a bucket folder", errno);
    }
    core::Result<void> result = core::ok();
    while (const dirent* d = ::readdir(dir)) {
      const std::string_view name = d->d_name;
      if (name.size() < CacheKey::kLength || name.substr(0, 2) != bucket) continue;
      const auto key = CacheKey::parse(name.substr(0, CacheKey::kLength));
      if (!key) continue;
      if (name.size() > CacheKey::kLength) {
        if (name.substr(CacheKey::kLength, kTempMarker.size()) == kTempMarker)
          (void)::unlinkat(::dirfd(dir), d->d_name, 0);  // a killed writer's
        continue;
      }
      struct stat st {};
      if (::fstatat(::dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
      const auto size = static_cast<std::uint64_t>(st.st_size);
      if (size < kHeaderBytes || size - kHeaderBytes > options.max_entry_bytes) {
        (void)::unlinkat(::dirfd(dir), d->d_name, 0);  // cannot be a valid entry
        ++corrupt;
        continue;
      }
      const auto mtime = static_cast<std::int64_t>(st.st_mtime);
      if (index.size() >= options.max_entries && !by_age.empty() && mtime <= by_age.begin()->first) {
        (void)::unlinkat(::dirfd(dir), d->d_name, 0);  // older than all the cap keeps
        ++evictions;
        continue;
      }
      evict_over_caps(nullptr, 1);
      result = index_add(*key, Entry{size, mtime});
      if (!result) break;
    }
    ::closedir(dir);
    return result;
  }

  const std::string root;
  const int root_fd;  // owned: entries are opened and deleted relative to it
  const DiskCacheOptions options;
  const mem::Account read_account;  // get()'s payload buffers while they are read
  mutable std::mutex mutex;
  // Guarded by mutex.
  std::unordered_map<CacheKey, Entry, CacheKeyHash> index;
  std::set<std::pair<std::int64_t, CacheKey>, ByAge> by_age;
  mem::Charge index_charge;  // index.size() * index_entry_cost()
  std::uint64_t total = 0;
  std::uint64_t hits = 0, misses = 0, corrupt = 0, expired = 0, evictions = 0, writes = 0;
};

std::size_t DiskCache::index_entry_cost() noexcept {
  // An unordered_map node (link, key, Entry, cached hash) plus a bucket
  // pointer, and a std::set node (three links and colour, the pair).
  return (sizeof(void*) + sizeof(CacheKey) + sizeof(Impl::Entry) + sizeof(std::size_t) + sizeof(void*)) +
         (4 * sizeof(void*) + sizeof(std::pair<std::int64_t, CacheKey>));
}

core::Result<std::unique_ptr<DiskCache>> DiskCache::open(const std::string& root, DiskCacheOptions options) {
  if (options.max_bytes == 0 || options.max_entries == 0 || options.max_entry_bytes == 0)
    return make_error(Errc::invalid_argument, "thumbnail L2 cache: a cap is zero");
  if (options.ttl_seconds > static_cast<std::uint64_t>(INT64_MAX))
    return make_error(Errc::invalid_argument, "thumbnail L2 cache: ttl_seconds exceeds INT64_MAX");
  if (root.empty()) return make_error(Errc::invalid_argument, "thumbnail L2 cache: no root folder");
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account(kAccountName));
  FRUGAL_TRY(mem::Account read_account, tracker.account(kReadAccountName));

  if (::mkdir(root.c_str(), 0777) != 0 && errno != EEXIST)
    return os_error("thumbnail L2 cache: cannot create the root folder", errno);
  Fd root_fd{::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (root_fd.fd < 0) {
    if (errno == ENOTDIR) return make_error(Errc::invalid_argument, "thumbnail L2 cache: root is not a folder");
    return os_error("thumbnail L2 cache: cannot open the root folder", errno);
  }

  std::unique_ptr<Impl> impl;
  try {
    std::string root_copy = root;  // before the dup: nothing throws while it is unowned
    const int impl_root_fd = ::dup(root_fd.fd);
    if (impl_root_fd < 0) return os_error("thumbnail L2 cache: cannot open the root folder", errno);
    impl.reset(new (std::nothrow) Impl(std::move(root_copy), impl_root_fd, std::move(options), account, read_account));
    if (!impl) {
      ::close(impl_root_fd);
      return make_error(Errc::out_of_memory, "thumbnail L2 cache: no memory for the cache");
    }
    // Bucket names first, then each bucket (readdir of root stays short).
    std::vector<std::array<char, 3>> buckets;
    const int list_fd = ::dup(root_fd.fd);
    DIR* dir = list_fd >= 0 ? ::fdopendir(list_fd) : nullptr;
    if (!dir) {
      const int err = errno;
      if (list_fd >= 0) ::close(list_fd);
      return os_error("thumbnail L2 cache: cannot read the root folder", err);
    }
    while (const dirent* d = ::readdir(dir))
      if (is_bucket_name(d->d_name)) {
        try {
          buckets.push_back({d->d_name[0], d->d_name[1], '\0'});
        } catch (const std::bad_alloc&) {
          ::closedir(dir);
          throw;
        }
      }
    ::closedir(dir);
    for (const auto& bucket : buckets) FRUGAL_CHECK(impl->scan_bucket(bucket.data()));
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "thumbnail L2 cache: no memory for the index");
  }
  impl->evict_over_caps(nullptr, 0);
  impl->sweep_expired();
  std::unique_ptr<DiskCache> cache(new (std::nothrow) DiskCache(std::move(impl)));
  if (!cache) return make_error(Errc::out_of_memory, "thumbnail L2 cache: no memory for the cache");
  return cache;
}

DiskCache::DiskCache(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
DiskCache::~DiskCache() = default;

core::Result<Blob> DiskCache::get(const CacheKey& key) {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lock(m.mutex);
    if (!m.index.contains(key)) {
      ++m.misses;
      return Blob();
    }
  }
  // The file is read and hashed without the lock (a slow read stalls no other
  // lookup); the outcome is applied to the index under it below.
  enum class Outcome { hit, gone, corrupt, expired };
  Outcome outcome = Outcome::hit;
  struct stat st {};
  std::vector<std::byte> payload;
  const std::int64_t now = m.now();
  Fd file{::openat(m.root_fd, RelativePath(key).text, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (file.fd < 0) {
    if (errno == ENOENT) outcome = Outcome::gone;
    else if (errno == ELOOP) outcome = Outcome::corrupt;  // a link planted at an entry's name
    else return os_error("thumbnail L2 cache: cannot open an entry", errno);
  } else {
    if (::fstat(file.fd, &st) != 0) return os_error("thumbnail L2 cache: cannot stat an entry", errno);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    unsigned char header[kHeaderBytes];
    if (!S_ISREG(st.st_mode) || size < kHeaderBytes) {
      outcome = Outcome::corrupt;
    } else if (!pread_exact(file.fd, header, kHeaderBytes, 0)) {
      if (errno != 0) return os_error("thumbnail L2 cache: cannot read an entry", errno);
      outcome = Outcome::corrupt;
    } else {
      const std::uint64_t length = get_le(header + 8, 8);
      const auto created = static_cast<std::int64_t>(get_le(header + 24, 8));
      if (std::memcmp(header, kMagic, 4) != 0 || get_le(header + 4, 4) != kFormatVersion ||
          std::memcmp(header + 32, key.hex().data(), CacheKey::kLength) != 0 || length > m.options.max_entry_bytes ||
          length != size - kHeaderBytes) {
        outcome = Outcome::corrupt;
      } else if (created > now && static_cast<std::uint64_t>(created) - static_cast<std::uint64_t>(now) >
                                      static_cast<std::uint64_t>(kClockSlackSeconds)) {
        outcome = Outcome::corrupt;  // would never expire (modular difference: exact when created > now)
      } else if (m.expired_at(created, now)) {
        outcome = Outcome::expired;
      } else {
        // length <= max_entry_bytes (u32): fits size_t.
        auto read_charge = mem::Charge::try_make(m.read_account, static_cast<std::size_t>(length));
        if (!read_charge)
          return make_error(Errc::out_of_memory, "thumbnail L2 cache: read buffer refused by the tracker");
        try {
          payload.resize(static_cast<std::size_t>(length));
        } catch (const std::bad_alloc&) {
          return make_error(Errc::out_of_memory, "thumbnail L2 cache: no memory for an entry");
        }
        if (!pread_exact(file.fd, payload.data(), payload.size(), kHeaderBytes)) {
          if (errno != 0) return os_error("thumbnail L2 cache: cannot read an entry", errno);
          outcome = Outcome::corrupt;  // shrank meanwhile
        } else if (entry_checksum(header, payload) != get_le(header + 16, 8)) {
          outcome = Outcome::corrupt;
        }
      }
    }
  }

  std::lock_guard<std::mutex> lock(m.mutex);
  if (outcome != Outcome::hit) {
    ++m.misses;
    if (outcome == Outcome::corrupt) ++m.corrupt;
    if (outcome == Outcome::expired) ++m.expired;
    // Deleted only while the name still holds what was judged (a put may
    // have renamed a new entry there meanwhile).
    struct stat now_st {};
    const bool present = ::fstatat(m.root_fd, RelativePath(key).text, &now_st, AT_SYMLINK_NOFOLLOW) == 0;
    const bool same = file.fd >= 0 ? present && now_st.st_ino == st.st_ino && now_st.st_dev == st.st_dev
                                   : !present || !S_ISREG(now_st.st_mode);
    if (same) m.remove(key);
    return Blob();
  }
  // Last access = now, on disk too (the eviction order survives restarts).
  const timespec times[2] = {{static_cast<time_t>(now), 0}, {static_cast<time_t>(now), 0}};
  (void)::futimens(file.fd, times);
  ++m.hits;
  if (const auto found = m.index.find(key); found != m.index.end()) {  // else removed meanwhile
    const Impl::Entry entry{found->second.bytes, now};
    m.by_age.erase({found->second.last_access, key});
    found->second = entry;
    try {
      m.by_age.emplace(now, key);
    } catch (const std::bad_alloc&) {
      m.index.erase(found);  // forgotten (the file is a stray until the next open)
      m.total -= entry.bytes;
      m.index_charge.resize(m.index.size() * index_entry_cost());
    }
  }
  return make_blob(std::move(payload));
}

core::Result<void> DiskCache::put(const CacheKey& key, std::span<const std::byte> payload) {
  Impl& m = *impl_;
  if (payload.size() > m.options.max_entry_bytes)
    return make_error(Errc::limit_exceeded, "thumbnail L2 cache: payload larger than max_entry_bytes");
  const std::uint64_t file_bytes = kHeaderBytes + std::uint64_t{payload.size()};
  if (file_bytes > m.options.max_bytes)
    return make_error(Errc::limit_exceeded, "thumbnail L2 cache: entry larger than the cache");

  const std::int64_t now = m.now();
  unsigned char header[kHeaderBytes] = {};
  std::memcpy(header, kMagic, 4);
  put_le(header + 4, kFormatVersion, 4);
  put_le(header + 8, payload.size(), 8);
  put_le(header + 24, static_cast<std::uint64_t>(now), 8);
  std::memcpy(header + 32, key.hex().data(), CacheKey::kLength);
  put_le(header + 16, entry_checksum(header, payload), 8);
  const Impl::Entry entry{file_bytes, now};

  // Indexed first, under the lock (a refused charge leaves everything as it
  // was); the file is written and committed without it (temporary names are
  // unique, the last rename wins), so a slow fsync stalls no lookup.
  std::optional<Impl::Entry> previous;
  {
    std::lock_guard<std::mutex> lock(m.mutex);
    const auto old = m.index.find(key);
    if (old != m.index.end()) previous = old->second;
    FRUGAL_CHECK(m.index_add(key, entry));
  }
  auto written = [&]() -> core::Result<void> {
    try {
      const std::string bucket = m.bucket_path(key);
      if (::mkdir(bucket.c_str(), 0777) != 0 && errno != EEXIST)
        return os_error("thumbnail L2 cache: cannot create a bucket folder", errno);
      struct stat st {};
      if (::lstat(bucket.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return make_error(Errc::io, "thumbnail L2 cache: a bucket is not a folder");
      // AtomicFile follows a link at the target: never write through one.
      const std::string path = m.path_of(key);
      if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && ::unlink(path.c_str()) != 0)
        return os_error("thumbnail L2 cache: cannot replace a non-file entry", errno);
      FRUGAL_TRY(platform::AtomicFile file, platform::AtomicFile::create(path));
      FRUGAL_CHECK(file.write(std::as_bytes(std::span(header))));
      FRUGAL_CHECK(file.write(payload));
      FRUGAL_CHECK(file.commit());
      const timespec times[2] = {{static_cast<time_t>(now), 0}, {static_cast<time_t>(now), 0}};
      (void)::utimensat(m.root_fd, RelativePath(key).text, times, AT_SYMLINK_NOFOLLOW);
      return core::ok();
    } catch (const std::bad_alloc&) {
      return make_error(Errc::out_of_memory, "thumbnail L2 cache: no memory for a path");
    }
  }();

  std::lock_guard<std::mutex> lock(m.mutex);
  if (!written) {
    // The old file, if any, is intact: so is its index entry, unless another
    // call changed the entry meanwhile (then that call's view stands). A
    // refresh allocates nothing but the age node, whose room was just freed.
    const auto now_indexed = m.index.find(key);
    if (now_indexed != m.index.end() && now_indexed->second.bytes == entry.bytes &&
        now_indexed->second.last_access == entry.last_access) {
      if (previous) (void)m.index_add(key, *previous);
      else m.forget(key);
    }
    return written.error();
  }
  ++m.writes;
  m.evict_over_caps(&key, 0);
  return core::ok();
}

bool DiskCache::invalidate(const CacheKey& key) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (!impl_->index.contains(key)) return false;
  impl_->remove(key);
  return true;
}

std::size_t DiskCache::evict_expired() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->sweep_expired();
}

std::string DiskCache::entry_path(const CacheKey& key) const { return impl_->path_of(key); }

DiskCacheStats DiskCache::stats() const {
  const Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  return DiskCacheStats{m.hits, m.misses, m.corrupt, m.expired, m.evictions, m.writes, m.index.size(), m.total};
}

}  // namespace frugal::thumbnails
