#pragma once
// A pressure source whose level is set by hand: tests, or an application's
// own signal (Android's onTrimMemory, a watchdog). Portable.

#include <frugal/mem/memory_tracker.hpp>

#include <atomic>
#include <cstdint>

namespace frugal::mem {

/// A level set by hand. set() wakes the tracker's dispatcher. Thread-safe.
class ManualPressureSource final : public PressureSource {
 public:
  /// `tracker` is woken on every set(); nullptr for none.
  explicit ManualPressureSource(MemoryTracker* tracker = nullptr) noexcept : tracker_(tracker) {}
  void set(PressureLevel level) noexcept;
  PressureLevel level() const noexcept override;

 private:
  MemoryTracker* tracker_;
  std::atomic<std::uint8_t> level_{0};  // loads and stores only: fine without libatomic
};

}  // namespace frugal::mem
