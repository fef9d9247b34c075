#include <frugal/core/arith.hpp>

namespace frugal::core {

std::uint64_t mul_div(std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept {
  constexpr std::uint64_t kMax = ~std::uint64_t{0};
  if (c == 0) return kMax;
  std::uint64_t product;
  if (checked_mul(a, b, product)) return product / c;
  // 128-bit product hi:lo from 32-bit halves.
  const std::uint64_t a_lo = a & 0xFFFFFFFFu, a_hi = a >> 32, b_lo = b & 0xFFFFFFFFu, b_hi = b >> 32;
  const std::uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
  const std::uint64_t mid = (ll >> 32) + (lh & 0xFFFFFFFFu) + (hl & 0xFFFFFFFFu);
  std::uint64_t lo = (mid << 32) | (ll & 0xFFFFFFFFu);
  std::uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
  if (hi >= c) return kMax;  // quotient needs more than 64 bits
  // Restoring division of hi:lo by c, one bit at a time.
  std::uint64_t q = 0;
  for (int i = 0; i < 64; ++i) {
    const bool carry = hi >> 63;
    hi = (hi << 1) | (lo >> 63);
    lo <<= 1;
    q <<= 1;
    if (carry || hi >= c) {
      hi -= c;
      q |= 1;
    }
  }
  return q;
}

}  // namespace frugal::core
