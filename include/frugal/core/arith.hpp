#pragma once
// Overflow-safe integer arithmetic for sizes and times taken from files,
// without 128-bit types (absent on 32-bit ARM). Thread-safety: pure functions.

#include <cstdint>

namespace frugal::core {

/// floor(a * b / c) computed exactly; saturates at UINT64_MAX when the result
/// does not fit (or c is 0).
std::uint64_t mul_div(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept;

/// a + b, or false when it overflows.
constexpr bool checked_add(std::uint64_t a, std::uint64_t b, std::uint64_t& out) noexcept {
  if (a > ~std::uint64_t{0} - b) return false;
  out = a + b;
  return true;
}

/// a * b, or false when it overflows.
constexpr bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) noexcept {
  if (a != 0 && b > ~std::uint64_t{0} / a) return false;
  out = a * b;
  return true;
}

}  // namespace frugal::core
