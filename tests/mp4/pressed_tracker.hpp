#pragma once
// A tracker whose pressure level tests set by hand (header-only; link frugal::mem).

#include <frugal/mem/manual_source.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <gtest/gtest.h>

namespace frugal::test {

// A tracker whose pressure level is set by hand and delivered at once (no
// cooldown), as the demuxer sees it at its next call.
class PressedTracker {
 public:
  PressedTracker() : tracker_(no_cooldown()), source_(&tracker_) { EXPECT_TRUE(tracker_.add_source(source_)); }
  ~PressedTracker() { tracker_.remove_source(source_); }
  PressedTracker(const PressedTracker&) = delete;
  PressedTracker& operator=(const PressedTracker&) = delete;

  void deliver(mem::PressureLevel level) {
    source_.set(level);
    EXPECT_EQ(tracker_.dispatch(), level);
  }
  mem::MemoryTracker& tracker() { return tracker_; }
  std::size_t current(const char* account) {
    auto a = tracker_.account(account);
    return a ? a->current() : 0;
  }

 private:
  static mem::TrackerOptions no_cooldown() {
    mem::TrackerOptions o;
    o.cooldown_ms = 0;
    return o;
  }
  mem::MemoryTracker tracker_;
  mem::ManualPressureSource source_;
};

}  // namespace frugal::test
