#include "flac/metadata.hpp"

#include <frugal/core/byte_reader.hpp>

namespace frugal::flac::detail {

using core::Errc;
using core::make_error;

namespace {

constexpr unsigned kStreamInfo = 0, kSeekTable = 3, kInvalid = 127;
constexpr std::uint32_t kStreamInfoBytes = 34;

// Reads exactly `dst.size()` bytes at `offset`; data ending first is
// malformed (`message`, at `header`).
core::Result<void> read_block_bytes(core::ByteSource& source, std::uint64_t offset, std::span<std::byte> dst,
                                    const char* message, std::uint64_t header) {
  auto r = core::read_exact(source, offset, dst);
  if (!r && r.error().code == Errc::end_of_stream) return make_error(Errc::malformed, message, header);
  return r;
}

core::Result<StreamInfo> parse_streaminfo(std::span<const std::byte> body, std::uint64_t at) {
  core::ByteReader r(body);
  StreamInfo s;
  s.min_block_size = r.u16();
  s.max_block_size = r.u16();
  s.min_frame_size = r.u24();
  s.max_frame_size = r.u24();
  const std::uint64_t packed = r.u64();  // rate 20, channels-1 3, bits-1 5, total samples 36
  s.sample_rate = static_cast<std::uint32_t>(packed >> 44);
  s.channels = static_cast<std::uint8_t>(((packed >> 41) & 7) + 1);
  s.bits_per_sample = static_cast<std::uint8_t>(((packed >> 36) & 31) + 1);
  s.total_samples = packed & ((std::uint64_t{1} << 36) - 1);
  // §8.2: block sizes 16-65535 (the minimum may be smaller only in files
  // of one short block, which FLAC encoders write; accepted), bit depth 4-32.
  if (s.max_block_size < 16 || s.min_block_size > s.max_block_size)
    return make_error(Errc::malformed, "FLAC STREAMINFO: block sizes out of range", at);
  if (s.bits_per_sample < 4) return make_error(Errc::malformed, "FLAC STREAMINFO: bit depth below 4", at);
  if (s.sample_rate == 0) return make_error(Errc::unsupported, "FLAC STREAMINFO: sample rate 0 (not audio)", at);
  return s;
}

}  // namespace

core::Result<Metadata> read_metadata(core::ByteSource& source, std::uint64_t marker) {
  const std::optional<std::uint64_t> size = source.size();
  Metadata meta;
  std::uint64_t at = marker + 4;
  for (bool first = true;; first = false) {
    std::array<std::byte, 4> h{};
    FRUGAL_CHECK(read_block_bytes(source, at, h, "FLAC: metadata block header cut off", at));
    const unsigned type = std::to_integer<unsigned>(h[0]) & 0x7F;
    const bool last = (std::to_integer<unsigned>(h[0]) & 0x80) != 0;
    const std::uint32_t length = core::load_be24(&h[1]);
    const std::uint64_t end = at + 4 + length;
    if (size && end > *size) return make_error(Errc::malformed, "FLAC: metadata block runs past the end of the file", at);
    if (type == kInvalid) return make_error(Errc::malformed, "FLAC: invalid metadata block type 127", at);
    if (first != (type == kStreamInfo))
      return make_error(Errc::malformed, first ? "FLAC: STREAMINFO must be the first metadata block"
                                               : "FLAC: a second STREAMINFO", at);
    if (type == kStreamInfo) {
      if (length != kStreamInfoBytes) return make_error(Errc::malformed, "FLAC STREAMINFO: length is not 34", at);
      std::span<std::byte> block(meta.streaminfo_block);
      FRUGAL_CHECK(read_block_bytes(source, at, block, "FLAC: STREAMINFO cut off", at));
      block[0] = std::byte{kStreamInfo};  // the decoder marks the last block itself
      FRUGAL_TRY(meta.info, parse_streaminfo(block.subspan(4), at));
    } else if (type == kSeekTable && meta.seektable_points == 0) {
      if (length % SeekTablePoint::kBytes != 0)
        return make_error(Errc::malformed, "FLAC SEEKTABLE: length is not a multiple of 18", at);
      meta.seektable_offset = at + 4;
      meta.seektable_points = length / SeekTablePoint::kBytes;
    }
    at = end;
    if (last) break;
  }
  meta.frames_offset = at;
  return meta;
}

core::Result<SeekTablePoint> read_seek_point(core::ByteSource& source, const Metadata& meta, std::uint64_t i) {
  std::array<std::byte, SeekTablePoint::kBytes> b{};
  const std::uint64_t at = meta.seektable_offset + i * SeekTablePoint::kBytes;
  FRUGAL_CHECK(read_block_bytes(source, at, b, "FLAC: SEEKTABLE cut off", at));
  return SeekTablePoint{core::load_be64(&b[0]), core::load_be64(&b[8])};
}

}  // namespace frugal::flac::detail
