#include "ogg/mapping.hpp"

#include <cstring>

namespace frugal::ogg::detail {

using core::Errc;
using core::make_error;

namespace {

std::uint32_t le(std::span<const std::byte> b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = n; i-- > 0;) v = v << 8 | std::to_integer<std::uint32_t>(b[at + i]);
  return v;
}

bool starts_with(std::span<const std::byte> b, const char* magic, std::size_t n) {
  return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

void put_be(std::vector<std::byte>& out, std::uint32_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::byte>(v >> (8 * i)));
}

// OpusHead (RFC 7845 §5.1): magic, version, channel count, pre-skip,
// input sample rate, output gain (all little-endian), mapping family and,
// unless family 0, stream count, coupled count and the mapping table.
core::Result<StreamKind> opus_head(std::span<const std::byte> p) {
  if (p.size() < 19) return make_error(Errc::malformed, "OpusHead too short");
  const std::uint8_t version = std::to_integer<std::uint8_t>(p[8]);
  const std::uint8_t channels = std::to_integer<std::uint8_t>(p[9]);
  const std::uint8_t family = std::to_integer<std::uint8_t>(p[18]);
  if (version >> 4 != 0) return make_error(Errc::unsupported, "OpusHead: major version is not 0");
  if (channels == 0) return make_error(Errc::malformed, "OpusHead: zero channels");
  const std::size_t size = family == 0 ? 19 : 21u + channels;
  if (p.size() < size) return make_error(Errc::malformed, "OpusHead: channel mapping table cut short");
  StreamKind k;
  k.type = core::TrackType::audio;
  k.pre_skip = static_cast<std::uint16_t>(le(p, 10, 2));
  core::CodecParameters& c = k.entry.codec;
  c.codec = core::Codec::opus;
  c.format = core::FourCC("Opus");
  c.channels = channels;
  c.sample_rate = 48000;  // Opus always decodes at 48 kHz (RFC 7845 §5.1)
  put_be(c.config, 0, 1);  // dOps Version
  put_be(c.config, channels, 1);
  put_be(c.config, k.pre_skip, 2);
  put_be(c.config, le(p, 12, 4), 4);  // InputSampleRate
  put_be(c.config, le(p, 16, 2), 2);  // OutputGain
  for (std::size_t i = 18; i < size; ++i) c.config.push_back(p[i]);  // family, counts, table: bytes
  k.entry.format = c.format;
  return k;
}

// The first packet of Ogg FLAC (FLAC-in-Ogg mapping 1.0): 0x7F "FLAC",
// major and minor version, count of header packets to follow (big-endian),
// "fLaC", then the STREAMINFO block (4-byte header, 34 bytes; RFC 9639
// §8.2: rate 20 bits, channels − 1 3 bits, bits − 1 5 bits from byte 10).
core::Result<StreamKind> flac_head(std::span<const std::byte> p) {
  constexpr std::size_t kBlock = 13, kInfo = kBlock + 4;
  if (p.size() < kInfo + 34 || !starts_with(p.subspan(9), "fLaC", 4))
    return make_error(Errc::malformed, "Ogg FLAC: first packet cut short");
  if (std::to_integer<unsigned>(p[5]) != 1) return make_error(Errc::unsupported, "Ogg FLAC: mapping version is not 1.x");
  if ((std::to_integer<unsigned>(p[kBlock]) & 0x7F) != 0 || le(p, kBlock + 1, 1) != 0 || le(p, kBlock + 2, 1) != 0 ||
      le(p, kBlock + 3, 1) != 34)
    return make_error(Errc::malformed, "Ogg FLAC: STREAMINFO missing");
  const std::uint32_t b = le(p, kInfo + 10, 1) << 24 | le(p, kInfo + 11, 1) << 16 | le(p, kInfo + 12, 1) << 8 |
                          le(p, kInfo + 13, 1);  // big-endian
  StreamKind k;
  k.type = core::TrackType::audio;
  core::CodecParameters& c = k.entry.codec;
  c.codec = core::Codec::flac;
  c.format = k.entry.format = core::FourCC("fLaC");
  c.sample_rate = b >> 12;
  c.channels = static_cast<std::uint16_t>(((b >> 9) & 7) + 1);
  c.bits_per_sample = static_cast<std::uint16_t>(((b >> 4) & 0x1F) + 1);
  c.config.assign(p.begin() + kBlock, p.begin() + kInfo + 34);
  c.config[0] |= std::byte{0x80};  // the only block the decoder is given: the last
  if (c.sample_rate == 0) return make_error(Errc::malformed, "Ogg FLAC: sample rate 0");
  return k;
}

StreamKind unsupported(core::TrackType type, core::Codec codec, const char* message) {
  StreamKind k;
  k.type = type;
  k.entry.codec.codec = codec;
  k.entry.error = make_error(Errc::unsupported, message);
  return k;
}

}  // namespace

core::Result<std::uint32_t> opus_packet_samples(std::span<const std::byte> packet) {
  if (packet.empty()) return make_error(Errc::malformed, "Opus: empty packet");
  const unsigned toc = std::to_integer<unsigned>(packet[0]);
  const unsigned config = toc >> 3;
  // Frame sizes in 48 kHz samples: SILK 10/20/40/60 ms, hybrid 10/20 ms,
  // CELT 2.5/5/10/20 ms (RFC 6716 §3.1, Table 2).
  static constexpr std::uint32_t kSilk[4] = {480, 960, 1920, 2880};
  static constexpr std::uint32_t kCelt[4] = {120, 240, 480, 960};
  const std::uint32_t frame = config < 12 ? kSilk[config % 4] : config < 16 ? kSilk[config % 2] : kCelt[config % 4];
  std::uint32_t frames = 1;
  switch (toc & 3) {
    case 0: break;
    case 1:
    case 2: frames = 2; break;
    default:
      if (packet.size() < 2) return make_error(Errc::malformed, "Opus: code 3 packet without frame count");
      frames = std::to_integer<std::uint32_t>(packet[1]) & 0x3F;
      if (frames == 0) return make_error(Errc::malformed, "Opus: code 3 packet with no frames");
  }
  if (frame * frames > 5760) return make_error(Errc::malformed, "Opus: packet longer than 120 ms");
  return frame * frames;
}

core::Result<std::uint32_t> flac_frame_samples(std::span<const std::byte> packet) {
  if (packet.size() < 5 || std::to_integer<unsigned>(packet[0]) != 0xFF ||
      (std::to_integer<unsigned>(packet[1]) & 0xFE) != 0xF8)
    return make_error(Errc::malformed, "FLAC: not a frame");
  const unsigned code = std::to_integer<unsigned>(packet[2]) >> 4;
  if (code == 0) return make_error(Errc::malformed, "FLAC: reserved block size");
  if (code == 1) return 192;
  if (code <= 5) return std::uint32_t{144} << code;
  if (code >= 8) return std::uint32_t{1} << code;
  // The coded number's length: 1 byte below 0x80, else as many bytes as
  // leading one bits (UTF-8's scheme, up to 7).
  const unsigned lead = std::to_integer<unsigned>(packet[4]);
  std::size_t n = 1;
  if (lead >= 0x80) {
    n = 0;
    while (n < 8 && (lead & (0x80u >> n))) ++n;
    if (n < 2 || n > 7) return make_error(Errc::malformed, "FLAC: bad coded number");
  }
  const std::size_t at = 4 + n;
  const std::size_t bytes = code == 6 ? 1 : 2;
  if (packet.size() < at + bytes) return make_error(Errc::malformed, "FLAC: frame header cut short");
  std::uint32_t size = 0;
  for (std::size_t i = 0; i < bytes; ++i) size = size << 8 | std::to_integer<std::uint32_t>(packet[at + i]);
  return size + 1;
}

core::Result<StreamKind> identify_stream(std::span<const std::byte> p) {
  using core::Codec;
  using core::TrackType;
  if (starts_with(p, "OpusHead", 8)) return opus_head(p);
  if (starts_with(p, "\x01vorbis", 7)) {
    StreamKind k = unsupported(TrackType::audio, Codec::vorbis, "Ogg: Vorbis is not decoded");
    if (p.size() >= 16) {  // identification header (Vorbis I §4.2.2)
      k.entry.codec.channels = std::to_integer<std::uint16_t>(p[11]);
      k.entry.codec.sample_rate = le(p, 12, 4);
    }
    return k;
  }
  if (starts_with(p, "\x7F" "FLAC", 5)) return flac_head(p);
  if (starts_with(p, "Speex   ", 8)) return unsupported(TrackType::audio, Codec::unknown, "Ogg: Speex is not decoded");
  if (starts_with(p, "\x80theora", 7) || starts_with(p, "OVP80", 5))
    return unsupported(TrackType::video, Codec::unknown, "Ogg: video streams are not read");
  if (starts_with(p, "\x80kate", 5)) return unsupported(TrackType::text, Codec::unknown, "Ogg: Kate text is not read");
  if (starts_with(p, "fishead", 8) || starts_with(p, "fisbone", 8))
    return unsupported(TrackType::metadata, Codec::unknown, "Ogg: Skeleton streams are not read");
  return unsupported(TrackType::other, Codec::unknown, "Ogg: unknown stream mapping");
}

}  // namespace frugal::ogg::detail
