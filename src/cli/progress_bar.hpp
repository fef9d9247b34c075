#pragma once
// A progress bar on standard error for long commands (rom extract, library
// scan): redrawn in place ("\r") at most ten times a second and when done,
// only when enabled (standard error a terminal), ended by finish().

#include <chrono>
#include <cstdint>
#include <string>

namespace frugal::cli {

class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  /// `done` of `total` (total 0: not known yet, no bar drawn, only the
  /// note), then `note` (e.g. "12/40 blocks, 0 failed").
  void update(std::uint64_t done, std::uint64_t total, const std::string& note);
  /// Ends the line when something was drawn.
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::string last_;  // what was drawn last
  std::chrono::steady_clock::time_point drawn_at_;
};

}  // namespace frugal::cli
