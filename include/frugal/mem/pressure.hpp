#pragma once
// Memory pressure: the levels frugal delivers, and where levels come from
// besides the tracker's own budget (the OS, a test).

#include <cstdint>

namespace frugal::mem {

/// How hard memory is to come by. Ordered: compare with >= (as Android's
/// onTrimMemory levels are compared).
/// - normal: caches may grow to their configured size.
/// - high: stop growing caches; shrink what is cheap to rebuild.
/// - critical: drop every cache and buffer that can be rebuilt; work goes on
///   slower, never wrong.
enum class PressureLevel : std::uint8_t { normal = 0, high = 1, critical = 2 };

/// "normal", "high", "critical".
const char* pressure_level_name(PressureLevel level) noexcept;

/// A source of pressure besides the budget (Linux PSI, MemAvailable, a test).
/// The tracker delivers the highest level of the budget and its sources.
/// level() is called from the tracker's dispatch, possibly on another thread
/// than the one that changes the level: implementations make it thread-safe.
class PressureSource {
 public:
  virtual ~PressureSource() = default;
  virtual PressureLevel level() const noexcept = 0;
};

}  // namespace frugal::mem
