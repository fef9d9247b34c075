#include "support/flac_writer.hpp"

#include <algorithm>

namespace frugal::test {

namespace {

void put(Bytes& b, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) b.push_back(static_cast<std::byte>(v >> (8 * i)));
}

std::uint8_t crc8_bitwise(const Bytes& b) {
  unsigned crc = 0;
  for (std::byte x : b) {
    crc ^= std::to_integer<unsigned>(x);
    for (int k = 0; k < 8; ++k) crc = (crc & 0x80) ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
  }
  return static_cast<std::uint8_t>(crc);
}

std::uint16_t crc16_bitwise(const Bytes& b) {
  unsigned crc = 0;
  for (std::byte x : b) {
    crc ^= std::to_integer<unsigned>(x) << 8;
    for (int k = 0; k < 8; ++k) crc = (crc & 0x8000) ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
  }
  return static_cast<std::uint16_t>(crc);
}

// §9.1.5: the number in UTF-8's extended coding (up to 7 bytes, 36 bits).
void put_coded_number(Bytes& b, std::uint64_t v) {
  if (v < 0x80) {
    put(b, v, 1);
    return;
  }
  int n = 2;
  while (n < 7 && v >= (std::uint64_t{1} << (5 * n + 1))) ++n;
  const unsigned lead = n == 7 ? 0xFE : (0xFF00u >> n) & 0xFF;
  put(b, lead | (n == 7 ? 0 : v >> (6 * (n - 1))), 1);
  for (int i = n - 2; i >= 0; --i) put(b, 0x80 | ((v >> (6 * i)) & 0x3F), 1);
}

// §9.1.1: the block size code, or 7 (16-bit value after the number).
unsigned block_size_code(std::uint32_t n) {
  if (n == 192) return 1;
  for (unsigned c = 2; c <= 5; ++c)
    if (n == 576u << (c - 2)) return c;
  for (unsigned c = 8; c <= 15; ++c)
    if (n == 256u << (c - 8)) return c;
  return 7;
}

}  // namespace

Bytes flac_frame_header(bool variable, std::uint64_t number, std::uint32_t block_size, std::uint8_t channels) {
  Bytes f;
  put(f, 0xFFF8 | (variable ? 1 : 0), 2);
  const unsigned code = block_size_code(block_size);
  put(f, code << 4, 1);                                  // sample rate: STREAMINFO's
  put(f, static_cast<unsigned>(channels - 1) << 4, 1);  // bit depth: STREAMINFO's
  put_coded_number(f, number);
  if (code == 7) put(f, block_size - 1, 2);
  put(f, crc8_bitwise(f), 1);
  return f;
}

Bytes flac_frame(const FlacFrameSpec& spec) {
  const auto block = static_cast<std::uint32_t>(spec.samples.size() / spec.channels);
  Bytes f = flac_frame_header(spec.variable, spec.number, block, spec.channels);
  for (unsigned ch = 0; ch < spec.channels; ++ch) {
    put(f, 0x02, 1);  // verbatim subframe, no wasted bits
    for (std::uint32_t i = 0; i < block; ++i)
      put(f, static_cast<std::uint16_t>(spec.samples[i * spec.channels + ch]), 2);
  }
  put(f, crc16_bitwise(f), 2);
  return f;
}

Bytes flac_metadata_block(std::uint8_t type, bool last, const Bytes& body) {
  Bytes b;
  put(b, type | (last ? 0x80 : 0), 1);
  put(b, body.size(), 3);
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

Bytes build_flac(const FlacStreamSpec& spec, FlacLayout* layout) {
  FlacLayout l;
  Bytes frames;
  std::uint64_t sample = 0;
  std::uint32_t min_block = 65535, max_block = 16;
  for (std::size_t i = 0; i < spec.frames.size(); ++i) {
    const std::uint8_t channels = spec.frame_channels.empty() ? spec.channels : spec.frame_channels[i];
    const Bytes f = flac_frame({spec.variable, spec.variable ? sample : i, channels, spec.frames[i]});
    const auto block = static_cast<std::uint32_t>(spec.frames[i].size() / channels);
    l.frame_offsets.push_back(frames.size());
    l.frame_sizes.push_back(f.size());
    l.first_samples.push_back(sample);
    if (i + 1 < spec.frames.size() || spec.frames.size() == 1) min_block = std::min(min_block, block);
    max_block = std::max(max_block, block);
    sample += block;
    frames.insert(frames.end(), f.begin(), f.end());
  }
  if (spec.frames.empty()) min_block = max_block = 4096;
  min_block = std::min(min_block, max_block);
  if (spec.streaminfo_block_size) min_block = max_block = *spec.streaminfo_block_size;

  Bytes info;
  put(info, min_block, 2);
  put(info, max_block, 2);
  put(info, 0, 3);
  put(info, 0, 3);  // frame sizes unknown
  const std::uint64_t total = spec.total_samples.value_or(sample);
  put(info, std::uint64_t{spec.sample_rate} << 44 | std::uint64_t{spec.channels - 1u} << 41 | std::uint64_t{15} << 36 |
                (total & 0xFFFFFFFFF), 8);
  info.resize(info.size() + 16);  // MD5: unknown (zero)

  std::vector<Bytes> blocks{info};
  std::vector<std::uint8_t> types{0};
  if (spec.seek_every != 0 || spec.placeholders != 0) {
    Bytes table;
    for (std::size_t i = 0; spec.seek_every != 0 && i < spec.frames.size(); i += spec.seek_every) {
      put(table, l.first_samples[i], 8);
      put(table, l.frame_offsets[i], 8);
      put(table, spec.frames[i].size() / spec.channels, 2);
    }
    for (std::size_t i = 0; i < spec.placeholders; ++i) {
      put(table, ~std::uint64_t{0}, 8);
      put(table, 0, 8);
      put(table, 0, 2);
    }
    blocks.push_back(table);
    types.push_back(3);
  }
  if (spec.padding != 0) {
    blocks.emplace_back(spec.padding);
    types.push_back(1);
  }

  Bytes out = spec.prefix;
  for (char c : {'f', 'L', 'a', 'C'}) out.push_back(static_cast<std::byte>(c));
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Bytes b = flac_metadata_block(types[i], i + 1 == blocks.size(), blocks[i]);
    out.insert(out.end(), b.begin(), b.end());
  }
  l.frames_offset = out.size();
  for (auto& o : l.frame_offsets) o += out.size();
  out.insert(out.end(), frames.begin(), frames.end());
  out.insert(out.end(), spec.trailer.begin(), spec.trailer.end());
  if (layout) *layout = std::move(l);
  return out;
}

std::vector<std::int16_t> flac_test_samples(std::size_t n, std::uint32_t seed) {
  std::vector<std::int16_t> v(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& s : v) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s = static_cast<std::int16_t>(x >> 16);
  }
  return v;
}

Bytes id3v2_tag(std::uint32_t body_bytes) {
  Bytes b;
  for (char c : {'I', 'D', '3'}) b.push_back(static_cast<std::byte>(c));
  put(b, 0x0400, 2);  // v2.4.0
  put(b, 0, 1);       // flags
  for (int i = 3; i >= 0; --i) put(b, (body_bytes >> (7 * i)) & 0x7F, 1);
  b.resize(b.size() + body_bytes);
  return b;
}

}  // namespace frugal::test
