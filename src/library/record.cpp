#include <frugal/library/record.hpp>

namespace frugal::library {

std::array<char, 32> ContentHash::hex() const noexcept {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::array<char, 32> out{};
  for (int i = 0; i < 16; ++i) {
    out[i] = kDigits[(high >> (60 - 4 * i)) & 0xF];
    out[16 + i] = kDigits[(low >> (60 - 4 * i)) & 0xF];
  }
  return out;
}

core::Result<ContentHash> ContentHash::parse(std::string_view hex) noexcept {
  if (hex.size() != 32) return core::make_error(core::Errc::invalid_argument, "content hash: not 32 hex digits");
  ContentHash hash;
  for (std::size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    unsigned digit;
    if (c >= '0' && c <= '9') digit = unsigned(c - '0');
    else if (c >= 'a' && c <= 'f') digit = unsigned(c - 'a' + 10);
    else return core::make_error(core::Errc::invalid_argument, "content hash: not lowercase hex");
    std::uint64_t& half = i < 16 ? hash.high : hash.low;
    half = (half << 4) | digit;
  }
  return hash;
}

}  // namespace frugal::library
