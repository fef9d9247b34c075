#include <frugal/library/scanner.hpp>

#include "library/content_hash.hpp"
#include "library/scan_file.hpp"
#include "library/scan_queue.hpp"
#include "library/walk.hpp"

#include <frugal/core/file_source.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <new>
#include <optional>
#include <pthread.h>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace frugal::library {

using core::Errc;
using core::make_error;

double ScanProgress::discovery_files_per_second() const noexcept {
  return discovery_seconds > 0 ? double(files_discovered) / discovery_seconds : 0;
}
double ScanProgress::hashing_megabytes_per_second() const noexcept {
  return hashing_seconds > 0 ? double(bytes_hashed) / 1e6 / hashing_seconds : 0;
}
double ScanProgress::parsing_files_per_second() const noexcept {
  return parsing_seconds > 0 ? double(files_parsed) / parsing_seconds : 0;
}
double ScanProgress::sink_files_per_second() const noexcept {
  return sink_seconds > 0 ? double(files_done) / sink_seconds : 0;
}

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t nanoseconds_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
}

// An audio file hashed, on its way to a CPU worker (its descriptor open).
struct Hashed {
  TrackRecord record;
  core::FileSource source;
};

// What the sink thread receives: one file's outcome, or a folder's error.
struct Outcome {
  enum class Kind : std::uint8_t { track, untagged_track, unchanged, skipped, file_error, folder_error };
  Kind kind = Kind::skipped;
  TrackRecord record;  // tracks; unchanged and skipped: the path only
  ScanError error;     // file_error, folder_error
};

Outcome error_outcome(ScanError&& error, Outcome::Kind kind = Outcome::Kind::file_error) {
  Outcome o;
  o.kind = kind;
  o.error = std::move(error);
  return o;
}

Outcome path_outcome(Outcome::Kind kind, std::string&& path) {
  Outcome o;
  o.kind = kind;
  o.record.path = std::move(path);
  return o;
}

// Started threads, joined at destruction. Room is reserved up front so
// recording a started thread cannot fail.
class Threads {
 public:
  explicit Threads(std::size_t count) {
    functions_.reserve(count);
    handles_.reserve(count);
  }
  ~Threads() { join(); }

  core::Result<void> start(std::function<void()> function, std::size_t stack_bytes) {
    functions_.push_back(std::make_unique<std::function<void()>>(std::move(function)));
    pthread_attr_t attr;
    const bool have_attr = pthread_attr_init(&attr) == 0;
    if (have_attr) (void)pthread_attr_setstacksize(&attr, stack_bytes);
    pthread_t handle{};
    const int failed = pthread_create(&handle, have_attr ? &attr : nullptr, &trampoline, functions_.back().get());
    if (have_attr) pthread_attr_destroy(&attr);
    if (failed != 0) {
      functions_.pop_back();
      core::Error error = make_error(Errc::io, "scan: cannot start a worker thread");
      error.os_error = failed;
      return error;
    }
    handles_.push_back(handle);
    return core::ok();
  }

  void join() {
    for (const pthread_t t : handles_) pthread_join(t, nullptr);
    handles_.clear();
  }

 private:
  static void* trampoline(void* function) {
    (*static_cast<std::function<void()>*>(function))();
    return nullptr;
  }
  std::vector<std::unique_ptr<std::function<void()>>> functions_;
  std::vector<pthread_t> handles_;
};

core::Result<void> check(const ScanOptions& o) {
  if (o.io_workers == 0 || o.io_workers > Scanner::kMaxWorkers)
    return make_error(Errc::invalid_argument, "scan: io_workers not in 1..kMaxWorkers");
  if (o.cpu_workers > Scanner::kMaxWorkers) return make_error(Errc::invalid_argument, "scan: cpu_workers over kMaxWorkers");
  if (o.chunk_bytes < (std::size_t{4} << 10) || o.chunk_bytes > (std::size_t{64} << 20))
    return make_error(Errc::invalid_argument, "scan: chunk_bytes not in 4 KiB..64 MiB");
  if (o.queue_capacity == 0) return make_error(Errc::invalid_argument, "scan: queue_capacity is 0");
  return core::ok();
}

}  // namespace

struct Scanner::Run {
  Run(std::size_t capacity, unsigned io, unsigned cpu) : paths(capacity, 1), hashed(capacity, io), outcomes(capacity, cpu) {}

  detail::BoundedQueue<std::string> paths;   // walk → I/O workers
  detail::BoundedQueue<Hashed> hashed;       // I/O → CPU workers
  detail::BoundedQueue<Outcome> outcomes;    // walk, I/O and CPU workers → the sink (closed by the CPU workers,
                                             // the last stage to finish)
  std::atomic<bool> stop{false};
  std::mutex fatal_mutex;
  std::optional<core::Error> fatal;  // guarded by fatal_mutex
  std::atomic<std::uint64_t> discovered{0}, bytes_hashed{0}, parsed{0};
  std::atomic<std::int64_t> discovery_ns{0}, hashing_ns{0}, parsing_ns{0};

  void halt() {
    stop.store(true, std::memory_order_relaxed);
    paths.stop();
    hashed.stop();
    outcomes.stop();
  }
  void fail(const core::Error& error) {
    {
      std::lock_guard lock(fatal_mutex);
      if (!fatal) fatal = error;
    }
    halt();
  }
};

Scanner::Scanner(ScanOptions options) : options_(std::move(options)) {}

void Scanner::cancel() noexcept {
  std::lock_guard lock(mutex_);
  cancel_requested_ = true;
  if (run_) run_->halt();
}

namespace {

// The I/O stage for one file: stat, the caller's unchanged check, sniff,
// hash. Returns the file for a CPU worker, or sets `outcome`; nullopt with
// `outcome` unset when cancelled mid-file.
std::optional<Hashed> read_one(std::string&& path, const ScanOptions& options, detail::ContentHasher& hasher,
                               const std::atomic<bool>& stop, std::atomic<std::uint64_t>& hashed,
                               std::optional<Outcome>& outcome) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    outcome = error_outcome(detail::os_scan_error(std::move(path), "cannot stat", errno));
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {  // replaced since the walk saw it
    outcome = path_outcome(Outcome::Kind::skipped, std::move(path));
    return std::nullopt;
  }
  FileStamp stamp;
  stamp.size = static_cast<std::uint64_t>(st.st_size);
  stamp.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  stamp.inode = st.st_ino;
  stamp.device = st.st_dev;
  if (options.unchanged && options.unchanged(path, stamp)) {
    outcome = path_outcome(Outcome::Kind::unchanged, std::move(path));
    return std::nullopt;
  }
  auto source = core::FileSource::open(path.c_str());
  if (!source) {
    outcome = error_outcome(ScanError{std::move(path), source.error()});
    return std::nullopt;
  }
  core::Result<ContentHash> hash = make_error(Errc::io, "file changed while scanned");
  if (source->size() == stamp.size) {
    auto head = hasher.read_head(*source);
    if (!head) {
      outcome = error_outcome(ScanError{std::move(path), head.error()});
      return std::nullopt;
    }
    auto container = detail::sniff_audio(*source, *head);
    if (container && !*container) {
      outcome = path_outcome(Outcome::Kind::skipped, std::move(path));
      return std::nullopt;
    }
    if (!container) {
      outcome = error_outcome(ScanError{std::move(path), container.error()});
      return std::nullopt;
    }
    hash = hasher.hash(*source, stamp.size, stop, hashed);
    if (hash) {
      Hashed h{TrackRecord{}, std::move(*source)};
      h.record.path = std::move(path);
      h.record.stamp = stamp;
      h.record.hash = *hash;
      h.record.container = detail::container_name(**container);
      return h;
    }
    if (hash.error().code == Errc::cancelled) return std::nullopt;
  }
  outcome = error_outcome(ScanError{std::move(path), hash.error()});
  return std::nullopt;
}

}  // namespace

core::Result<ScanStats> Scanner::run(std::span<const std::string> roots, ScanSink& sink) {
  FRUGAL_CHECK(check(options_));
  mem::MemoryTracker& tracker = options_.tracker ? *options_.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account("library/scan"));
  unsigned cpu = options_.cpu_workers;
  if (cpu == 0) cpu = std::max(1u, std::min(std::thread::hardware_concurrency(), kMaxWorkers));

  std::vector<detail::ContentHasher> hashers;
  hashers.reserve(options_.io_workers);
  for (unsigned i = 0; i < options_.io_workers; ++i) {
    FRUGAL_TRY(detail::ContentHasher h, detail::ContentHasher::create(account, options_.chunk_bytes));
    hashers.push_back(std::move(h));
  }

  Run run(options_.queue_capacity, options_.io_workers, cpu);
  {
    std::lock_guard lock(mutex_);
    if (cancel_requested_) {
      cancel_requested_ = false;
      return make_error(Errc::cancelled, "scan cancelled");
    }
    run_ = &run;
  }
  Threads threads(1 + options_.io_workers + cpu);
  const ScanOptions& options = options_;

  core::Result<void> started = threads.start(
      [&] {
        const auto start = Clock::now();
        std::int64_t blocked = 0;  // waiting on a full queue is not discovery
        const auto timed_push = [&](auto& queue, auto&& item) {
          const auto t = Clock::now();
          const bool pushed = queue.push(std::move(item));
          blocked += nanoseconds_since(t);
          return pushed;
        };
        const std::function<bool(std::string&&)> file = [&](std::string&& path) {
          run.discovered.fetch_add(1, std::memory_order_relaxed);
          return timed_push(run.paths, std::move(path));
        };
        const std::function<bool(ScanError&&)> error = [&](ScanError&& e) {
          return timed_push(run.outcomes, error_outcome(std::move(e), Outcome::Kind::folder_error));
        };
        const auto walked = detail::walk(roots, {options.max_depth, account, &run.stop}, file, error);
        run.discovery_ns.fetch_add(nanoseconds_since(start) - blocked, std::memory_order_relaxed);
        if (!walked) run.fail(walked.error());
        run.paths.producer_done();
      },
      kSmallStackBytes);
  for (unsigned i = 0; started && i < options_.io_workers; ++i) {
    started = threads.start(
        [&run, &options, &hasher = hashers[i]] {
          while (std::optional<std::string> path = run.paths.pop()) {
            const auto start = Clock::now();
            std::optional<Outcome> outcome;
            std::optional<Hashed> file = read_one(std::move(*path), options, hasher, run.stop, run.bytes_hashed, outcome);
            run.hashing_ns.fetch_add(nanoseconds_since(start), std::memory_order_relaxed);
            const bool pushed = file       ? run.hashed.push(std::move(*file))
                                : outcome ? run.outcomes.push(std::move(*outcome))
                                          : false;
            if (!pushed) break;
          }
          run.hashed.producer_done();
        },
        kSmallStackBytes);
  }
  for (unsigned i = 0; started && i < cpu; ++i) {
    started = threads.start(
        [&run, &options] {
          while (std::optional<Hashed> file = run.hashed.pop()) {
            const auto start = Clock::now();
            const auto read = detail::read_facts(file->source, options.tracker, file->record);
            run.parsing_ns.fetch_add(nanoseconds_since(start), std::memory_order_relaxed);
            run.parsed.fetch_add(1, std::memory_order_relaxed);
            Outcome outcome;
            if (read) {
              outcome.kind = *read ? Outcome::Kind::track : Outcome::Kind::untagged_track;
              outcome.record = std::move(file->record);
            } else {
              outcome = error_outcome(ScanError{std::move(file->record.path), read.error()});
            }
            if (!run.outcomes.push(std::move(outcome))) break;
          }
          run.outcomes.producer_done();
        },
        kParseStackBytes);
  }

  // The sink, on this thread.
  ScanProgress progress;
  std::int64_t sink_ns = 0;
  bool sink_stopped = !started;
  const auto snapshot = [&] {
    progress.files_discovered = run.discovered.load(std::memory_order_relaxed);
    progress.bytes_hashed = run.bytes_hashed.load(std::memory_order_relaxed);
    progress.files_parsed = run.parsed.load(std::memory_order_relaxed);
    progress.discovery_seconds = double(run.discovery_ns.load(std::memory_order_relaxed)) / 1e9;
    progress.hashing_seconds = double(run.hashing_ns.load(std::memory_order_relaxed)) / 1e9;
    progress.parsing_seconds = double(run.parsing_ns.load(std::memory_order_relaxed)) / 1e9;
    progress.sink_seconds = double(sink_ns) / 1e9;
    return progress;
  };
  while (!sink_stopped) {
    std::optional<Outcome> outcome = run.outcomes.pop();
    if (!outcome) break;
    const auto start = Clock::now();
    bool go_on = true;
    switch (outcome->kind) {
      case Outcome::Kind::untagged_track: ++progress.untagged; [[fallthrough]];
      case Outcome::Kind::track:
        ++progress.audio;
        go_on = sink.on_track(std::move(outcome->record));
        break;
      case Outcome::Kind::unchanged:
        ++progress.unchanged;
        go_on = sink.on_unchanged(outcome->record.path);
        break;
      case Outcome::Kind::skipped: ++progress.skipped; break;
      case Outcome::Kind::file_error:
      case Outcome::Kind::folder_error:
        ++progress.errors;
        go_on = sink.on_error(outcome->error);
        break;
    }
    if (outcome->kind != Outcome::Kind::folder_error) ++progress.files_done;
    if (go_on && options_.progress_every != 0 && outcome->kind != Outcome::Kind::folder_error &&
        progress.files_done % options_.progress_every == 0)
      go_on = sink.on_progress(snapshot());
    sink_ns += nanoseconds_since(start);
    sink_stopped = !go_on;
  }
  if (sink_stopped) run.halt();
  threads.join();

  bool cancelled = sink_stopped && started;
  {
    std::lock_guard lock(mutex_);
    run_ = nullptr;
    cancelled = cancelled || cancel_requested_;
    cancel_requested_ = false;
  }
  if (!started) return started.error();
  if (run.fatal) return *run.fatal;
  if (cancelled) return make_error(Errc::cancelled, "scan cancelled");
  const ScanStats stats = snapshot();
  const auto start = Clock::now();
  (void)sink.on_progress(stats);  // the end: nothing left to cancel
  progress.sink_seconds += double(nanoseconds_since(start)) / 1e9;
  return progress;
}

}  // namespace frugal::library
