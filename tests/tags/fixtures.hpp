#pragma once
// Small tagged files for the tags tests, byte by byte: FLAC metadata blocks
// (RFC 9639 §8), Vorbis comments, Ogg pages with their CRC (RFC 3533 §6),
// Opus and Vorbis header packets, images with known dimensions, and MP4
// movies holding an ilst.

#include "support/ilst_writer.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace frugal::test {

using Fields = std::vector<std::pair<std::string, std::string>>;

/// A Vorbis comment body (vendor, count, "KEY=value" fields; little-endian
/// lengths; no framing bit).
Bytes vorbis_comment(const Fields& fields, const std::string& vendor = "frugal tests");

struct FlacBlock {
  std::uint8_t type;  ///< 4 VORBIS_COMMENT, 6 PICTURE, 1 PADDING...
  Bytes body;
};

/// "fLaC", a STREAMINFO (44.1 kHz stereo 16-bit), `blocks` (the last flagged
/// last), then `audio` bytes.
Bytes flac_file(const std::vector<FlacBlock>& blocks, const Bytes& audio = Bytes(64, std::byte{0xAA}));

/// A PICTURE block body: type, MIME, description, stated width/height, data.
Bytes flac_picture(std::uint32_t type, const std::string& mime, const std::string& description, std::uint32_t width,
                   std::uint32_t height, const Bytes& data);

/// An Ogg stream of `packets` (serial 0x1234), each packet starting a page
/// and spanning as many as it needs; the first page BOS, the last EOS.
Bytes ogg_stream(const std::vector<Bytes>& packets);

/// OpusHead (RFC 7845 §5.1: stereo, pre-skip 312, 48 kHz) and OpusTags (§5.2).
Bytes opus_head();
Bytes opus_tags(const Fields& fields);

/// An Ogg Opus file with these comments and one empty audio packet.
Bytes opus_file(const Fields& fields);

/// A movie (ftyp M4A, moov holding `udta`, an mdat) for the tags reader.
Bytes m4a_with(const Bytes& udta);

/// Images with known dimensions and a few bytes of body.
Bytes png_image(std::uint32_t width, std::uint32_t height, std::size_t extra = 16);
Bytes jpeg_image(std::uint16_t width, std::uint16_t height, std::size_t extra = 16);

}  // namespace frugal::test
