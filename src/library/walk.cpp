#include "library/walk.hpp"

#include <frugal/library/scanner.hpp>

#include <cerrno>
#include <climits>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace frugal::library::detail {

using core::Errc;
using core::make_error;

namespace {

// One open folder of the walk.
struct Level {
  DIR* dir = nullptr;
  std::string path;
  mem::Charge charge;
  Level(DIR* d, std::string p, mem::Charge c) : dir(d), path(std::move(p)), charge(std::move(c)) {}
  Level(Level&& o) noexcept : dir(std::exchange(o.dir, nullptr)), path(std::move(o.path)), charge(std::move(o.charge)) {}
  Level& operator=(Level&&) = delete;
  ~Level() {
    if (dir) closedir(dir);
  }
};

class Walk {
 public:
  Walk(const WalkOptions& options, const std::function<bool(std::string&&)>& file,
       const std::function<bool(ScanError&&)>& error)
      : options_(options), file_(file), error_(error), visited_charge_(options.account, 0) {}

  core::Result<void> root(const std::string& given) {
    if (stopping()) return ok();
    auto path = absolute_path(given);
    if (!path) return error_(ScanError{given, path.error()}) ? ok() : stopped();
    const std::string name = *path;  // `path` moves into the call
    return classify(AT_FDCWD, name.c_str(), std::move(*path));
  }

  // Reads the stack's folders until it is empty.
  core::Result<void> run() {
    while (!stack_.empty()) {
      if (stopping()) return stopped();
      Level& top = stack_.back();
      errno = 0;
      const dirent* entry = readdir(top.dir);
      if (!entry) {
        const int err = errno;
        std::string path = std::move(top.path);
        stack_.pop_back();
        if (err != 0 && !error_(os_scan_error(std::move(path), "cannot read folder", err))) return stopped();
        continue;
      }
      if (entry->d_name[0] == '.') continue;  // hidden, and "." / ".."
      std::string child = top.path == "/" ? "/" : top.path + "/";
      child += entry->d_name;
      if (entry->d_type == DT_REG) {
        if (!file_(std::move(child))) return stopped();
        continue;
      }
      if (entry->d_type == DT_DIR) {
        FRUGAL_CHECK(enter(dirfd(top.dir), entry->d_name, std::move(child)));
        continue;
      }
      if (entry->d_type != DT_LNK && entry->d_type != DT_UNKNOWN) continue;  // special
      FRUGAL_CHECK(classify(dirfd(top.dir), entry->d_name, std::move(child)));
    }
    return ok();
  }

 private:
  static core::Result<void> ok() { return core::ok(); }
  core::Result<void> stopped() {
    stack_.clear();
    stop_ = true;
    return ok();
  }
  bool stopping() const {
    return stop_ || (options_.stop && options_.stop->load(std::memory_order_relaxed));
  }
  core::Result<void> report(std::string path, const char* message, int err) {
    return error_(os_scan_error(std::move(path), message, err)) ? ok() : stopped();
  }

  // `name` (in folder `at`, known as `path`), symlinks followed: a folder
  // is entered, a regular file handed on, anything else ignored (never
  // opened: a device's open may act).
  core::Result<void> classify(int at, const char* name, std::string path) {
    struct stat st {};
    if (fstatat(at, name, &st, 0) != 0) return report(std::move(path), "cannot stat", errno);
    if (S_ISREG(st.st_mode)) return file_(std::move(path)) ? ok() : stopped();
    if (S_ISDIR(st.st_mode)) return enter(at, name, std::move(path));
    return ok();
  }

  // Pushes folder `name` (in folder `at`, known as `path`) unless it is too
  // deep or already visited.
  core::Result<void> enter(int at, const char* name, std::string path) {
    if (stack_.size() > options_.max_depth)
      return error_(ScanError{std::move(path), make_error(Errc::limit_exceeded, "folder deeper than max_depth")})
                 ? ok()
                 : stopped();
    const int fd = ::openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return report(std::move(path), "cannot open folder", errno);
    struct stat st {};
    if (fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return report(std::move(path), "cannot stat", err);
    }
    if (!visited_.emplace(st.st_dev, st.st_ino).second) {  // a loop, or a second link to it
      ::close(fd);
      return ok();
    }
    if (!visited_charge_.try_resize(visited_.size() * Scanner::kVisitedBytes)) {
      ::close(fd);
      return make_error(Errc::out_of_memory, "scan: visited folders over the memory budget");
    }
    auto charge = mem::Charge::try_make(options_.account, Scanner::kDirBytes);
    if (!charge) {
      ::close(fd);
      return charge.error();
    }
    DIR* dir = fdopendir(fd);
    if (!dir) {
      const int err = errno;
      ::close(fd);
      return report(std::move(path), "cannot read folder", err);
    }
    stack_.emplace_back(dir, std::move(path), std::move(*charge));
    return ok();
  }

  const WalkOptions& options_;
  const std::function<bool(std::string&&)>& file_;
  const std::function<bool(ScanError&&)>& error_;
  std::vector<Level> stack_;
  std::set<std::pair<dev_t, ino_t>> visited_;
  mem::Charge visited_charge_;
  bool stop_ = false;
};

}  // namespace

core::Result<std::string> absolute_path(const std::string& path) {
  std::string out;
  if (path.empty() || path.front() != '/') {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) {
      core::Error e = make_error(Errc::io, "cannot get the current directory");
      e.os_error = errno;
      return e;
    }
    out = cwd;
    if (!path.empty()) out += '/';
  }
  out += path;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

ScanError os_scan_error(std::string path, const char* message, int os_error) {
  ScanError e{std::move(path), make_error(Errc::io, message)};
  e.error.os_error = os_error;
  return e;
}

core::Result<void> walk(std::span<const std::string> roots, const WalkOptions& options,
                        const std::function<bool(std::string&&)>& file,
                        const std::function<bool(ScanError&&)>& error) {
  Walk w(options, file, error);
  for (const std::string& root : roots) {
    FRUGAL_CHECK(w.root(root));
    FRUGAL_CHECK(w.run());
  }
  return core::ok();
}

}  // namespace frugal::library::detail
