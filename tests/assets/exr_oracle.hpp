#pragma once
// OpenEXRCore's verdict on a file, from the test-only exr_core_oracle
// program (tests/support/exr_core_oracle.cpp, built when libOpenEXRCore and its
// headers are found: FRUGAL_EXR_ORACLE is its path). Its first line is
// "ok <parts>" or "error <code>: <message>".

#include "support/exr_writer.hpp"
#include "support/media.hpp"
#include "support/temp_dir.hpp"

#include <optional>
#include <string>

namespace frugal::test {

inline bool exr_oracle_available() {
#ifdef FRUGAL_EXR_ORACLE
  return true;
#else
  return false;
#endif
}

/// The oracle's whole output for the file at `path`; nullopt without it.
inline std::optional<std::string> exr_oracle(const std::string& path) {
#ifdef FRUGAL_EXR_ORACLE
  return run_capture(std::string(FRUGAL_EXR_ORACLE) + " '" + path + "'");
#else
  (void)path;
  return std::nullopt;
#endif
}

/// The oracle's verdict on `bytes` (true: accepted); nullopt without it.
inline std::optional<bool> exr_oracle_accepts(const Bytes& bytes) {
  if (!exr_oracle_available()) return std::nullopt;
  TempDir dir;
  const auto out = exr_oracle(dir.write("case.exr", bytes));
  if (!out) return std::nullopt;
  return out->rfind("ok ", 0) == 0;
}

}  // namespace frugal::test
