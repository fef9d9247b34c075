// HAL and LC_LZ2 streams on hostile bytes: a decode fails cleanly or
// reports sizes inside its bounds, and the span and ByteSource entry points
// agree byte for byte (the latter reads through its read-ahead window).
#include <frugal/assets/hal.hpp>

#include "harness.hpp"

#include <array>
#include <cstring>
#include <span>

namespace {

using namespace frugal;
using fuzz::check;

template <typename Span, typename Source>
void compare(std::span<const std::byte> input, Span from_span, Source from_source) {
  static std::array<std::byte, assets::kHalMaxOutput> a, b;
  const auto x = from_span(input, std::span(a));
  core::MemorySource source(input);
  const auto y = from_source(source, 0, std::span(b));
  check(static_cast<bool>(x) == static_cast<bool>(y), "span and source disagree on success");
  if (!x) {
    check(x.error().code == y.error().code && x.error().offset == y.error().offset, "span and source errors differ");
    return;
  }
  check(x->compressed == y->compressed && x->decompressed == y->decompressed, "span and source sizes differ");
  check(x->compressed >= 1 && x->compressed <= input.size(), "consumed size outside the input");
  check(x->decompressed <= assets::kHalMaxOutput, "output past 64 KiB");
  check(std::memcmp(a.data(), b.data(), x->decompressed) == 0, "span and source outputs differ");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = std::as_bytes(std::span(data, size));
  using Span = core::Result<assets::HalBlock> (*)(std::span<const std::byte>, std::span<std::byte>);
  using Source = core::Result<assets::HalBlock> (*)(core::ByteSource&, std::uint64_t, std::span<std::byte>);
  compare(input, static_cast<Span>(assets::hal_decompress), static_cast<Source>(assets::hal_decompress));
  compare(input, static_cast<Span>(assets::lz2_decompress), static_cast<Source>(assets::lz2_decompress));
  return 0;
}
