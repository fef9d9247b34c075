#pragma once
// The media library's scanner: walks folders, tells audio files by their
// content, hashes each one (XXH3-128) and reads its technical facts and tags,
// handing TrackRecords to a sink. It knows nothing of the catalogue: the
// caller answers `ScanOptions::unchanged` and stores what the sink receives.
//
// Pipeline (threads started with pthread_create on small stacks):
//   walk (1 thread) → I/O workers (stat, open, sniff, hash: few, as an SD
//   card thrashes under parallel reads) → CPU workers (demuxer + tags) → the
//   sink, called on the thread of run() only.
// Between the stages, bounded queues of ScanOptions::queue_capacity items
// each: however large the folder, at most 3 × queue_capacity files are in
// flight (each holding its path, at most one open descriptor and, past the
// CPU stage, its TrackRecord), plus one file per worker.
//
// Audio by content, never by name: MP4 with an ftyp box first (ISO/IEC
// 14496-12 §4.3) and a track whose handler is 'soun' (§8.4.3, read from box
// headers before the file is hashed: a video is skipped, not read through),
// FLAC ("fLaC", after an ID3v2 tag too; RFC 9639 §6), Ogg whose first
// packet is OpusHead (RFC 7845 §3). A file that sniffs as one of them but
// whose demuxer cannot read it is a ScanError; one whose tag area is broken
// or over tags::TagOptions::max_tag_bytes is a track without tags
// (ScanProgress::untagged).
//
// Memory (tracker account "library/scan"): each I/O worker's read buffer
// (ScanOptions::chunk_bytes) and XXH3 state; each open folder of the walk
// (kDirBytes, glibc's DIR buffer) and each entry of the visited-folder set
// (kVisitedBytes). Past the budget the scan fails with Errc::out_of_memory.
// The CPU workers' demuxers and tags are charged to ScanOptions::tracker
// too, on their own accounts ("mp4/…", "tags/taglib"...).
//
// Thread-safety: one run() at a time per Scanner; cancel() from any thread.

#include <frugal/core/result.hpp>
#include <frugal/library/record.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>

namespace frugal::library {

/// Counters and per-phase times of a scan, as far as it got. Each file
/// discovered ends as exactly one of: a track (audio), skipped (not audio),
/// unchanged, or an error; folder errors count in `errors` only.
/// Seconds are summed over a phase's threads (steady clock), so with
/// several workers a phase's seconds may exceed the wall time.
struct ScanProgress {
  std::uint64_t files_discovered = 0;  ///< regular files the walk found
  std::uint64_t files_done = 0;        ///< files whose outcome the sink has seen
  std::uint64_t audio = 0;             ///< TrackRecords delivered
  std::uint64_t untagged = 0;          ///< of those, delivered without tags: their tag area is broken or over
                                       ///< tags::TagOptions::max_tag_bytes (the audio plays)
  std::uint64_t skipped = 0;           ///< files whose content is not MP4 with sound, FLAC or Ogg Opus
  std::uint64_t unchanged = 0;         ///< files ScanOptions::unchanged accepted (not read)
  std::uint64_t errors = 0;            ///< ScanErrors delivered (files and folders)
  std::uint64_t bytes_hashed = 0;      ///< bytes read into XXH3
  std::uint64_t files_parsed = 0;      ///< files the CPU workers read (tracks and parse errors)
  double discovery_seconds = 0;        ///< walking folders
  double hashing_seconds = 0;          ///< I/O workers: open, stat, sniff, hash
  double parsing_seconds = 0;          ///< CPU workers: demuxer and tags
  double sink_seconds = 0;             ///< inside the sink's callbacks

  /// Throughputs (0 when the phase took no measurable time).
  double discovery_files_per_second() const noexcept;
  double hashing_megabytes_per_second() const noexcept;  ///< 10^6 bytes per second
  double parsing_files_per_second() const noexcept;      ///< files_parsed per second
  double sink_files_per_second() const noexcept;         ///< outcomes delivered per second
};

/// What run() returns: the final figures.
using ScanStats = ScanProgress;

/// Receives a scan's results, always on the thread that called run(), one
/// call at a time (a catalogue writer needs no lock). A callback returning
/// false cancels the scan as cancel() does.
class ScanSink {
 public:
  virtual ~ScanSink() = default;
  /// An audio file, whole.
  virtual bool on_track(TrackRecord&& record) = 0;
  /// A file ScanOptions::unchanged accepted (absolute path).
  virtual bool on_unchanged(const std::string& path) = 0;
  /// A file or folder that could not be read or parsed; the scan goes on.
  virtual bool on_error(const ScanError& error) = 0;
  /// Every ScanOptions::progress_every files done, and once at the end
  /// (not after a cancellation).
  virtual bool on_progress(const ScanProgress& progress) = 0;
};

struct ScanOptions {
  /// I/O workers (open, stat, hash). Default 1: parallel reads thrash an SD
  /// card. 1 to kMaxWorkers, else Errc::invalid_argument.
  unsigned io_workers = 1;
  /// CPU workers (demuxer, tags); 0: the number of cores
  /// (std::thread::hardware_concurrency). At most kMaxWorkers.
  unsigned cpu_workers = 0;
  /// Bytes read at a time for the hash (per I/O worker, charged). At least
  /// 4 KiB, at most 64 MiB, else Errc::invalid_argument.
  std::size_t chunk_bytes = std::size_t{1} << 20;
  /// Items each queue between stages holds at most (≥ 1).
  std::size_t queue_capacity = 64;
  /// Folders deeper than this below a root are not entered (reported as a
  /// ScanError, Errc::limit_exceeded): bounds the open folders (one
  /// descriptor and DIR buffer each) and stops runaway trees.
  unsigned max_depth = 32;
  /// on_progress every this many files done (0: only at the end).
  std::uint64_t progress_every = 256;
  /// Answers whether a file is already catalogued as it is (absolute path,
  /// its stamp): true → neither hashed nor parsed; the sink gets
  /// on_unchanged. Called on I/O workers, concurrently when io_workers > 1.
  /// Empty: every file is read.
  std::function<bool(const std::string& path, const FileStamp& stamp)> unchanged;
  /// nullptr: mem::default_tracker(). Account "library/scan".
  mem::MemoryTracker* tracker = nullptr;
};

class Scanner {
 public:
  /// Workers per stage at most.
  static constexpr unsigned kMaxWorkers = 16;
  /// Charged per open folder of the walk (glibc's DIR buffer is 32 KiB).
  static constexpr std::size_t kDirBytes = std::size_t{32} << 10;
  /// Charged per folder in the visited set ((st_dev, st_ino) and its tree node).
  static constexpr std::size_t kVisitedBytes = 64;
  /// Stack of each worker thread: the walker and I/O workers need little;
  /// CPU workers run the demuxers and TagLib (as thumbnails' producers).
  static constexpr std::size_t kSmallStackBytes = std::size_t{256} << 10;
  static constexpr std::size_t kParseStackBytes = std::size_t{512} << 10;

  explicit Scanner(ScanOptions options = {});

  /// Scans `roots` (folders or files; relative ones are made absolute from
  /// the current directory, symlinks are not resolved) and hands every
  /// outcome to `sink` on this thread. Hidden entries (names starting with
  /// '.') are skipped, symlinks followed (a folder reached twice, by a loop
  /// or two links, is walked once: (st_dev, st_ino) set), special files
  /// ignored. A root that cannot be read is a ScanError, not a failure.
  /// Errors: Errc::cancelled (cancel() or a callback returned false; what
  /// the sink received is whole); Errc::invalid_argument (options);
  /// Errc::out_of_memory (the tracker's budget; the account cannot be made);
  /// Errc::io (a worker thread cannot be started, os_error set).
  core::Result<ScanStats> run(std::span<const std::string> roots, ScanSink& sink);

  /// Stops the running scan soon (workers finish the file in hand, nothing
  /// more reaches the sink) and makes run() return Errc::cancelled. Called
  /// before run(), that run is cancelled at once; run() clears the request
  /// when it returns. Any thread.
  void cancel() noexcept;

 private:
  struct Run;
  ScanOptions options_;
  std::mutex mutex_;       // guards run_
  Run* run_ = nullptr;     // the scan in progress
  bool cancel_requested_ = false;  // guarded by mutex_
};

}  // namespace frugal::library
