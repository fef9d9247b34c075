#include <frugal/mem/manual_source.hpp>

namespace frugal::mem {

void ManualPressureSource::set(PressureLevel level) noexcept {
  level_.store(static_cast<std::uint8_t>(level));
  if (tracker_) tracker_->wake();
}

PressureLevel ManualPressureSource::level() const noexcept { return static_cast<PressureLevel>(level_.load()); }

}  // namespace frugal::mem
