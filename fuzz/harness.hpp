#pragma once
// What the fuzz harnesses share: the budget and limits a run works under,
// and the few numbers a run takes from its input to steer seeks and
// pressure.

#include <frugal/core/limits.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

namespace frugal::fuzz {

/// The tracker budget of one run, in bytes. libFuzzer's -malloc_limit_mb
/// (fuzz/CMakeLists.txt: FRUGAL_FUZZ_MALLOC_LIMIT_MB) sits above it, so a
/// single allocation past it is a finding, not a slow run.
inline constexpr std::size_t kBudgetBytes = std::size_t{16} << 20;

/// Packets one run reads at most: a hostile stsz may declare 2^32 samples in
/// a few bytes of file, and reading all of them would look like a hang.
inline constexpr std::uint64_t kMaxPackets = 100'000;

/// frugal's default limits, with packets capped at 1 MiB.
inline core::Limits limits() {
  core::Limits l;
  l.max_packet_bytes = 1u << 20;
  l.max_fragment_samples = 1u << 16;  // a seek walks a fragment's samples
  return l;
}

/// Aborts with `what` on stderr unless `condition` holds: a finding.
inline void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "frugal fuzz: %s\n", what);
  std::abort();
}

/// A finding unless every byte charged to `tracker` during the run has been
/// released (call it once the run's demuxer or stream is gone): a charge left
/// behind would make a long-lived player drift towards its budget.
inline void expect_all_released(const mem::MemoryTracker& tracker) {
  if (tracker.total() == 0) return;
  std::fprintf(stderr, "frugal fuzz: %zu bytes still charged to the tracker\n", tracker.total());
  std::abort();
}

/// Runs `run(input, tracker)` on libFuzzer's input under a tracker with
/// the run budget, then checks that every byte was released: the body of
/// a harness whose run needs no more than a tracker.
template <typename Run>
int run_under_budget(const std::uint8_t* bytes, std::size_t size, Run run) {
  mem::MemoryTracker tracker({.budget = kBudgetBytes});
  run(std::span(reinterpret_cast<const std::byte*>(bytes), size), tracker);
  expect_all_released(tracker);
  return 0;
}

/// Numbers taken from the input's last 16 bytes, in turn. Trailing bytes
/// after a movie are mostly ignored by the parser, so mutations there steer
/// the run without breaking the file, and mutations of the file still
/// reach it.
class Steering {
 public:
  explicit Steering(std::span<const std::byte> input) noexcept {
    const std::size_t n = input.size() < bytes_.size() ? input.size() : bytes_.size();
    for (std::size_t i = 0; i < n; ++i) bytes_[i] = std::to_integer<std::uint8_t>(input[input.size() - n + i]);
  }
  /// The next 32-bit number (the 16 bytes cycle as four words).
  std::uint32_t next() noexcept {
    const std::size_t at = (word_++ % 4) * 4;
    return std::uint32_t{bytes_[at]} << 24 | std::uint32_t{bytes_[at + 1]} << 16 |
           std::uint32_t{bytes_[at + 2]} << 8 | bytes_[at + 3];
  }
  /// A number in [0, bound] (0 when bound is 0).
  std::uint64_t up_to(std::uint64_t bound) noexcept {
    if (bound == 0) return 0;
    return bound == ~std::uint64_t{0} ? next() : next() % (bound + 1);
  }

 private:
  std::array<std::uint8_t, 16> bytes_{};
  std::size_t word_ = 0;
};

}  // namespace frugal::fuzz
