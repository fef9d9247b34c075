#pragma once
// Typed samples to and from the raw bytes decoders and converters work on
// (native byte order), for codec tests.

#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

namespace frugal::test {

template <typename T>
std::vector<std::byte> to_bytes(std::span<const T> values) {
  std::vector<std::byte> out(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

template <typename T>
std::vector<std::byte> to_bytes(const std::vector<T>& values) {
  return to_bytes(std::span<const T>(values));
}

/// The bytes as values of T; a trailing partial value is dropped.
template <typename T>
std::vector<T> from_bytes(std::span<const std::byte> bytes) {
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
  return out;
}

/// Bytes from a list of octets: bytes({0x12, 0x34}).
inline std::vector<std::byte> bytes(std::initializer_list<unsigned> octets) {
  std::vector<std::byte> out;
  for (unsigned o : octets) out.push_back(static_cast<std::byte>(o));
  return out;
}

}  // namespace frugal::test
