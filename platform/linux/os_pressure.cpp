// Linux pressure sources: PSI triggers and MemAvailable sampling, each with
// a watcher thread that wakes the tracker when its level changes.
#include <frugal/mem/os_pressure.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <poll.h>
#include <string>
#include <thread>
#include <unistd.h>

namespace frugal::mem {

using core::Errc;

namespace {

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

core::Error os_error(Errc code, const char* message, int err) {
  core::Error e = core::make_error(code, message);
  e.os_error = err;
  return e;
}

// Opens `path` and registers one trigger ("some|full <stall us> <window us>").
core::Result<int> open_trigger(const char* path, const char* kind, std::uint32_t stall_us, std::uint32_t window_us) {
  const int fd = ::open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return os_error(errno == ENOENT ? Errc::unsupported : Errc::io, "PSI: cannot open the pressure file", errno);
  char trigger[64];
  const int n = std::snprintf(trigger, sizeof trigger, "%s %u %u", kind, stall_us, window_us);
  // The kernel wants the terminating NUL written too.
  if (::write(fd, trigger, static_cast<std::size_t>(n) + 1) < 0) {
    const int err = errno;
    ::close(fd);
    const bool refused = err == EINVAL || err == EPERM || err == EBUSY || err == EOPNOTSUPP || err == EACCES;
    return os_error(refused ? Errc::unsupported : Errc::io, "PSI: trigger refused", err);
  }
  return fd;
}

class PsiSource final : public OsPressureSource {
 public:
  PsiSource(MemoryTracker& tracker, int some_fd, int full_fd, int stop_read, int stop_write, std::uint32_t window_us)
      : tracker_(tracker), some_fd_(some_fd), full_fd_(full_fd), stop_read_(stop_read), stop_write_(stop_write),
        window_us_(window_us) {
    thread_ = std::thread([this] { watch(); });
  }
  ~PsiSource() override {
    const char byte = 0;
    (void)!::write(stop_write_, &byte, 1);
    thread_.join();
    for (int fd : {some_fd_, full_fd_, stop_read_, stop_write_}) ::close(fd);
  }

  // A level holds for one window after its last event.
  PressureLevel level() const noexcept override {
    const std::uint64_t now = now_us();
    if (now < full_until_.load()) return PressureLevel::critical;
    if (now < some_until_.load()) return PressureLevel::high;
    return PressureLevel::normal;
  }

 private:
  void watch() {
    PressureLevel last = PressureLevel::normal;
    while (true) {
      pollfd fds[3] = {{some_fd_, POLLPRI, 0}, {full_fd_, POLLPRI, 0}, {stop_read_, POLLIN, 0}};
      // Wake at least once a window to notice a level running out.
      const int n = ::poll(fds, 3, static_cast<int>(window_us_ / 1000) + 1);
      if (n < 0 && errno != EINTR) break;
      if (fds[2].revents) break;
      if ((fds[0].revents | fds[1].revents) & (POLLERR | POLLNVAL)) break;  // the pressure file went away
      const std::uint64_t until = now_us() + window_us_;
      if (fds[0].revents & POLLPRI) some_until_.store(until);
      if (fds[1].revents & POLLPRI) full_until_.store(until);
      if (const PressureLevel now = level(); now != last) {
        last = now;
        tracker_.wake();
      }
    }
  }

  MemoryTracker& tracker_;
  int some_fd_, full_fd_, stop_read_, stop_write_;
  std::uint32_t window_us_;
  std::atomic<std::uint64_t> some_until_{0}, full_until_{0};
  std::thread thread_;
};

// MemAvailable and MemTotal in kB, or false.
bool read_meminfo(const char* path, std::uint64_t& available, std::uint64_t& total) {
  FILE* f = std::fopen(path, "re");
  if (!f) return false;
  char line[256];
  bool have_available = false, have_total = false;
  while (std::fgets(line, sizeof line, f)) {
    unsigned long long kb = 0;
    if (std::sscanf(line, "MemTotal: %llu kB", &kb) == 1) {
      total = kb;
      have_total = true;
    } else if (std::sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
      available = kb;
      have_available = true;
    }
  }
  std::fclose(f);
  return have_available && have_total && total > 0;
}

class MeminfoSource final : public OsPressureSource {
 public:
  MeminfoSource(MemoryTracker& tracker, const MeminfoOptions& options)
      : tracker_(tracker), options_(options), path_(options.path) {
    sample();
    thread_ = std::thread([this] { watch(); });
  }
  ~MeminfoSource() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
  }
  PressureLevel level() const noexcept override { return static_cast<PressureLevel>(level_.load()); }

 private:
  // Integer percentages: available * 100 < total * percent.
  void sample() {
    std::uint64_t available = 0, total = 0;
    if (!read_meminfo(path_.c_str(), available, total)) return;
    PressureLevel l = PressureLevel::normal;
    if (available * 100 < total * options_.critical_percent) l = PressureLevel::critical;
    else if (available * 100 < total * options_.high_percent) l = PressureLevel::high;
    if (level_.exchange(static_cast<std::uint8_t>(l)) != static_cast<std::uint8_t>(l)) tracker_.wake();
  }

  void watch() {
    std::unique_lock lock(mutex_);
    while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stop_; })) {
      lock.unlock();
      sample();
      lock.lock();
    }
  }

  MemoryTracker& tracker_;
  MeminfoOptions options_;  // options_.path is not used after construction: path_ is
  std::string path_;
  std::atomic<std::uint8_t> level_{0};
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

core::Result<std::unique_ptr<OsPressureSource>> make_psi_source(MemoryTracker& tracker, const PsiOptions& options) {
  FRUGAL_TRY(int some_fd, open_trigger(options.path, "some", options.some_stall_us, options.window_us));
  auto full = open_trigger(options.path, "full", options.full_stall_us, options.window_us);
  if (!full) {
    ::close(some_fd);
    return full.error();
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    const int err = errno;
    ::close(some_fd);
    ::close(*full);
    return os_error(Errc::io, "PSI: cannot create a pipe", err);
  }
  return std::unique_ptr<OsPressureSource>(
      std::make_unique<PsiSource>(tracker, some_fd, *full, pipe_fds[0], pipe_fds[1], options.window_us));
}

core::Result<std::unique_ptr<OsPressureSource>> make_meminfo_source(MemoryTracker& tracker,
                                                                    const MeminfoOptions& options) {
  std::uint64_t available = 0, total = 0;
  if (!read_meminfo(options.path, available, total))
    return core::make_error(Errc::unsupported, "meminfo: no MemAvailable/MemTotal");
  return std::unique_ptr<OsPressureSource>(std::make_unique<MeminfoSource>(tracker, options));
}

}  // namespace frugal::mem
