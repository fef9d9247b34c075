#include "cli/progress_bar.hpp"

#include <cstdio>
#include <utility>

namespace frugal::cli {

void ProgressBar::update(std::uint64_t done, std::uint64_t total, const std::string& note) {
  if (!enabled_) return;
  // At most ten redraws a second (a terminal is slow), but always the last.
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - drawn_at_ < std::chrono::milliseconds(100) && !(total && done >= total)) return;
  constexpr std::uint64_t kWidth = 40;
  std::string line;
  if (total) {
    const std::uint64_t percent = (done < total ? done : total) * 100 / total;
    const std::uint64_t filled = percent * kWidth / 100;
    line = "[" + std::string(filled, '#') + std::string(kWidth - filled, ' ') + "] " +
           std::to_string(percent) + "% ";
  }
  line += note;
  if (line == last_) return;
  // Pad over a longer previous line.
  std::fprintf(stderr, "\r%s%s", line.c_str(),
               last_.size() > line.size() ? std::string(last_.size() - line.size(), ' ').c_str() : "");
  std::fflush(stderr);
  last_ = std::move(line);
  drawn_ = true;
  drawn_at_ = now;
}

void ProgressBar::finish() {
  if (drawn_) std::fputc('\n', stderr);
  drawn_ = false;
}

}  // namespace frugal::cli
