#pragma once
// Deterministic pseudo-random numbers for tests: the same sequence for a
// seed on every platform and standard library (the <random> distributions
// are implementation-defined, so they are not used).

#include <cstdint>

namespace frugal::test {

/// SplitMix64's output function: a well-mixed hash of `x`.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// SplitMix64: a small generator with fixed seeds.
class Rng {
 public:
  explicit constexpr Rng(std::uint64_t seed) noexcept : state_(seed) {}

  constexpr std::uint64_t next() noexcept {
    state_ += 0x9E3779B97F4A7C15ull;
    return mix64(state_ - 0x9E3779B97F4A7C15ull);
  }
  /// Uniform in [0, n) (n > 0; the modulo bias is irrelevant for tests).
  constexpr std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
  /// Uniform in [lo, hi].
  constexpr std::uint64_t between(std::uint64_t lo, std::uint64_t hi) noexcept { return lo + below(hi - lo + 1); }
  /// True with probability `percent` / 100.
  constexpr bool chance(std::uint32_t percent) noexcept { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

}  // namespace frugal::test
