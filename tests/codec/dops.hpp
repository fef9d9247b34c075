#pragma once
// Builds Opus dOps bodies (Opus in ISOBMFF §4.3.2: the box without its header
// and without version/flags, big-endian) for codec tests.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace frugal::test {

struct DopsFields {
  std::uint8_t version = 0;
  std::uint8_t channels = 2;
  std::uint16_t pre_skip = 312;
  std::uint32_t input_sample_rate = 48000;
  std::int16_t output_gain = 0;  // Q7.8 dB
  std::uint8_t mapping_family = 0;
  // Family != 0 only: the ChannelMappingTable.
  std::uint8_t streams = 1;
  std::uint8_t coupled = 1;
  std::vector<std::uint8_t> mapping;
};

inline std::vector<std::byte> make_dops(const DopsFields& f) {
  std::vector<std::byte> out;
  auto put = [&out](std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xFF));
  };
  put(f.version, 1);
  put(f.channels, 1);
  put(f.pre_skip, 2);
  put(f.input_sample_rate, 4);
  put(static_cast<std::uint16_t>(f.output_gain), 2);
  put(f.mapping_family, 1);
  if (f.mapping_family != 0) {
    put(f.streams, 1);
    put(f.coupled, 1);
    for (std::uint8_t m : f.mapping) put(m, 1);
  }
  return out;
}

}  // namespace frugal::test
