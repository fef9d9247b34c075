// FLAC: metadata blocks (RFC 9639 §8: a 4-byte header — last-block flag,
// 7-bit type, 24-bit length — then the body), after an optional ID3v2 tag;
// an ID3v1 tag may end the file. TagLib's view: the ID3v2 tag, "fLaC",
// STREAMINFO, the first VORBIS_COMMENT, the PICTURE blocks that may be
// loaded (headers rewritten so the last kept block carries the last-block
// flag), the ID3v1 tag.
#include "tags/plan.hpp"

#include <frugal/core/byte_reader.hpp>

#include <array>
#include <optional>
#include <string_view>

namespace frugal::tags::detail {

using core::Errc;
using core::make_error;

namespace {

enum BlockType : std::uint8_t { kStreamInfo = 0, kVorbisComment = 4, kPicture = 6 };

// More blocks than this is not a FLAC file a tagger wrote.
constexpr std::uint32_t kMaxBlocks = 1u << 16;

// Longest MIME type and description read to describe a PICTURE block.
constexpr std::uint32_t kMaxPictureText = 8u << 10;

struct Block {
  std::uint8_t type;
  std::uint64_t body;  // offset
  std::uint32_t length;
};

// RFC 9639 §8.8: type, MIME type, description, width, height, depth,
// colours, then the image data's length and the data. Read field by field,
// so none of the image is read. nullopt when the fields do not fit the
// block (TagLib would reject it too), the data does not end the block or
// the texts are over kMaxPictureText.
core::Result<std::optional<Picture>> read_picture_head(core::ByteSource& source, const Block& b) {
  std::uint64_t pos = b.body;
  const std::uint64_t end = b.body + b.length;
  std::vector<std::byte> buf;
  // Reads `n` more bytes of the block into buf; false when they are not there.
  const auto take = [&](std::uint64_t n) -> core::Result<bool> {
    if (n > end - pos || n > kMaxPictureText + 24) return false;
    buf.resize(static_cast<std::size_t>(n));
    FRUGAL_CHECK(core::read_exact(source, pos, buf));
    pos += n;
    return true;
  };
  Picture p;
  FRUGAL_TRY(bool ok, take(8));
  if (!ok) return std::optional<Picture>();
  p.type = core::load_be32(&buf[0]);
  const std::uint32_t mime_length = core::load_be32(&buf[4]);
  FRUGAL_TRY(ok, take(std::uint64_t{mime_length} + 4));
  if (!ok) return std::optional<Picture>();
  p.mime_type.assign(reinterpret_cast<const char*>(buf.data()), mime_length);
  const std::uint32_t description_length = core::load_be32(&buf[mime_length]);
  FRUGAL_TRY(ok, take(std::uint64_t{description_length} + 20));
  if (!ok) return std::optional<Picture>();
  p.description.assign(reinterpret_cast<const char*>(buf.data()), description_length);
  const std::byte* f = &buf[description_length];
  p.width = core::load_be32(f);
  p.height = core::load_be32(f + 4);
  p.size = core::load_be32(f + 16);  // after colour depth and colours used
  p.offset = pos;
  // The data must end the block: bytes after it would reach TagLib (it
  // reads the block whole) uncounted by max_picture_bytes.
  if (p.size != end - pos) return std::optional<Picture>();
  return std::optional<Picture>(std::move(p));
}

// The field count of a VORBIS_COMMENT block (vendor length, vendor, count;
// little-endian), at most one per 4 bytes of the block; that bound when the
// count is not there.
core::Result<std::uint64_t> comment_fields(core::ByteSource& source, const Block& b) {
  const std::uint64_t bound = b.length / 4;
  std::array<std::byte, 4> v{};
  if (b.length < 8) return bound;
  FRUGAL_CHECK(core::read_exact(source, b.body, v));
  const std::uint64_t count_at = 4 + std::uint64_t{core::load_le32(v.data())};
  if (count_at + 4 > b.length) return bound;
  FRUGAL_CHECK(core::read_exact(source, b.body + count_at, v));
  return std::min<std::uint64_t>(core::load_le32(v.data()), bound);
}

}  // namespace

core::Result<Plan> plan_flac(core::ByteSource& source, std::uint64_t size, std::uint64_t marker,
                             const TagOptions& options) {
  Plan plan;
  plan.format = TagFormat::flac;
  FRUGAL_CHECK(add_tag_bytes(plan, marker, options, 0));  // ID3v2
  plan.items = marker / kMinItemBytes;
  std::vector<Block> kept;
  bool comment = false;
  std::uint64_t pos = marker + 4;
  for (std::uint32_t n = 0;; ++n) {
    if (n == kMaxBlocks) return make_error(Errc::limit_exceeded, "FLAC: more metadata blocks than 65536", pos);
    std::array<std::byte, 4> h{};
    if (auto r = core::read_exact(source, pos, h); !r)
      return r.error().code == Errc::end_of_stream ? make_error(Errc::malformed, "FLAC: metadata ends early", pos)
                                                   : r.error();
    const auto flags = std::to_integer<std::uint8_t>(h[0]);
    const Block b{static_cast<std::uint8_t>(flags & 0x7F), pos + 4, core::load_be24(&h[1])};
    if (b.body + b.length > size) return make_error(Errc::malformed, "FLAC: metadata block past the end", pos);
    if (n == 0 && b.type != kStreamInfo) return make_error(Errc::malformed, "FLAC: STREAMINFO is not first", pos);
    if (n == 0) {
      kept.push_back(b);
    } else if (b.type == kVorbisComment && !comment) {  // TagLib reads the first only
      FRUGAL_CHECK(add_tag_bytes(plan, 4 + b.length, options, pos));
      FRUGAL_TRY(std::uint64_t fields, comment_fields(source, b));
      plan.items += fields;
      kept.push_back(b);
      comment = true;
    } else if (b.type == kPicture) {
      FRUGAL_TRY(std::optional<Picture> picture, read_picture_head(source, b));
      if (picture) {
        if (const char* reason = leave_out_reason(plan.pictures_kept, picture->size, options)) {
          picture->not_loaded = reason;
          FRUGAL_CHECK(probe_dimensions(source, *picture->offset, *picture));
          plan.left_out.push_back(std::move(*picture));
        } else {
          ++plan.pictures_kept;
          kept.push_back(b);
        }
      }
    }
    pos = b.body + b.length;
    if (flags & 0x80) break;
  }
  FRUGAL_TRY(bool v1, has_id3v1(source, size));
  if (v1) FRUGAL_CHECK(add_tag_bytes(plan, 128, options, size - 128));

  plan.view.add_source(0, marker);
  plan.view.add_bytes(std::as_bytes(std::span("fLaC", 4)));
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const Block& b = kept[i];
    const std::uint8_t last = i + 1 == kept.size() ? 0x80 : 0;
    const std::array<std::byte, 4> h{std::byte(b.type | last), std::byte(b.length >> 16), std::byte(b.length >> 8),
                                     std::byte(b.length)};
    plan.view.add_bytes(h);
    plan.view.add_source(b.body, b.length);
  }
  if (v1 && size - 128 >= pos) plan.view.add_source(size - 128, 128);
  return plan;
}

}  // namespace frugal::tags::detail
