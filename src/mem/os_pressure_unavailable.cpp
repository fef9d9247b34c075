// Hosted platforms other than Linux: no kernel pressure sources yet.
#include <frugal/mem/os_pressure.hpp>

namespace frugal::mem {

core::Result<std::unique_ptr<OsPressureSource>> make_psi_source(MemoryTracker&, const PsiOptions&) {
  return core::make_error(core::Errc::unsupported, "PSI is Linux-only");
}

core::Result<std::unique_ptr<OsPressureSource>> make_meminfo_source(MemoryTracker&, const MeminfoOptions&) {
  return core::make_error(core::Errc::unsupported, "/proc/meminfo is Linux-only");
}

}  // namespace frugal::mem
