#pragma once
// Error model shared by every frugal module.
//
// Errors are small values (no allocation, no exceptions): a category, a static
// message that names the problem, and where it was found in the input.
// Thread-safety: plain values.

#include <cstdint>

namespace frugal::core {

/// Error categories. Every public operation that can fail returns one of these
/// through `Result<T>`.
enum class Errc : std::uint8_t {
  io,              ///< the byte source failed (read error, medium removed)
  malformed,       ///< the input breaks its format's rules
  unsupported,     ///< valid input that frugal does not handle (codec, feature)
  limit_exceeded,  ///< a size or count from the input exceeds a configured `Limits` cap
  out_of_memory,   ///< an allocation failed or would exceed a memory budget
  seek,            ///< a seek target cannot be reached
  end_of_stream,   ///< no more data: the normal end of iteration
  invalid_argument,  ///< the caller passed a bad argument (unknown track, bad option)
  cancelled,       ///< the caller (or a shutdown) withdrew the operation before it finished
};

/// Stable lower-case name of a category, e.g. "malformed".
const char* errc_name(Errc code) noexcept;

/// An error value.
struct Error {
  static constexpr std::uint64_t kNoOffset = ~std::uint64_t{0};

  Errc code = Errc::io;
  /// What went wrong, as a static string (e.g. "stsz: entry count exceeds box size").
  const char* message = "";
  /// Byte offset in the input where the problem was found, or kNoOffset.
  std::uint64_t offset = kNoOffset;
  /// errno (or another OS error number) for Errc::io, else 0.
  int os_error = 0;
};

constexpr Error make_error(Errc code, const char* message,
                           std::uint64_t offset = Error::kNoOffset) noexcept {
  return Error{code, message, offset, 0};
}

}  // namespace frugal::core
