// Picking the container from the first bytes, and what the planners share.
#include "tags/plan.hpp"

#include <frugal/core/arith.hpp>
#include <frugal/core/byte_reader.hpp>
#include <frugal/assets/image_info.hpp>

#include <array>
#include <cstdint>
#include <cstring>

namespace frugal::tags::detail {

using core::Errc;
using core::make_error;

namespace {

bool is(std::span<const std::byte> b, const char* magic, std::size_t at = 0) {
  const std::size_t n = std::strlen(magic);
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

// Top-level box types an MP4/QuickTime file starts with.
bool mp4_start(std::span<const std::byte> head) {
  for (const char* t : {"ftyp", "moov", "mdat", "free", "skip", "wide", "pnot"})
    if (is(head, t, 4)) return true;
  return false;
}

}  // namespace

core::Result<std::uint64_t> id3v2_size(core::ByteSource& source) {
  std::array<std::byte, 10> h{};
  FRUGAL_TRY(std::size_t n, source.read_at(0, h));
  if (n < h.size() || !is(h, "ID3")) return std::uint64_t{0};
  // Size: 28 bits, 7 per byte (synchsafe); a footer (flag 0x10) adds 10 bytes.
  std::uint64_t size = 0;
  for (std::size_t i = 6; i < 10; ++i) {
    const auto b = std::to_integer<std::uint8_t>(h[i]);
    if (b & 0x80) return make_error(Errc::malformed, "ID3v2 size is not synchsafe", i);
    size = size << 7 | b;
  }
  const bool footer = (std::to_integer<std::uint8_t>(h[5]) & 0x10) != 0;
  return 10 + size + (footer ? 10 : 0);
}

core::Result<bool> has_id3v1(core::ByteSource& source, std::uint64_t size) {
  if (size < 128) return false;
  std::array<std::byte, 3> tag{};
  FRUGAL_CHECK(core::read_exact(source, size - 128, tag));
  return is(tag, "TAG");
}

std::uint64_t taglib_cost(const Plan& plan) noexcept {
  // Saturates: the caps may be set near SIZE_MAX, and a wrapped cost would pass the budget.
  std::uint64_t text = 0, items = 0, sum = 0;
  if (!core::checked_mul(kTextCost, plan.text_bytes, text) || !core::checked_mul(kItemCost, plan.items, items) ||
      !core::checked_add(plan.view.size(), text, sum) || !core::checked_add(sum, items, sum))
    return UINT64_MAX;
  return sum;
}

core::Result<void> add_tag_bytes(Plan& plan, std::uint64_t bytes, const TagOptions& options, std::uint64_t offset) {
  plan.text_bytes += bytes;
  if (plan.text_bytes > options.max_tag_bytes) return make_error(Errc::limit_exceeded, "tag area over max_tag_bytes", offset);
  return core::ok();
}

const char* leave_out_reason(std::size_t kept, std::uint64_t size, const TagOptions& options) noexcept {
  if (!options.load_pictures) return "pictures not requested";
  if (size > options.max_picture_bytes) return "over max_picture_bytes";
  if (kept >= options.max_pictures) return "more than max_pictures";
  return nullptr;
}

core::Result<void> probe_dimensions(core::ByteSource& source, std::uint64_t offset, Picture& picture) {
  // The header only, through ImageInfo's small window: JPEG segments before
  // the frame (EXIF, ICC) are skipped, not read.
  core::SubSource image(source, offset, picture.size);
  const auto info = assets::read_image_info(image);
  if (!info && info.error().code == core::Errc::io) return info.error();
  if (info && info->has_size()) {
    picture.width = info->width;
    picture.height = info->height;
  }
  if (picture.mime_type.empty()) {
    std::array<std::byte, 12> head;
    FRUGAL_TRY(std::size_t n, image.read_at(0, head));
    picture.mime_type = assets::image_mime_type(assets::sniff_image_format(std::span(head).first(n)));
  }
  return core::ok();
}

core::Result<Plan> plan_mpeg(core::ByteSource& source, std::uint64_t size, std::uint64_t id3v2_bytes,
                             const TagOptions& options) {
  // ID3v2 frames (APIC pictures included) are read whole by TagLib: the
  // whole tag counts against max_tag_bytes.
  Plan plan;
  plan.format = TagFormat::mpeg;
  if (id3v2_bytes > size) return make_error(Errc::malformed, "ID3v2 tag larger than the file", 0);
  FRUGAL_CHECK(add_tag_bytes(plan, id3v2_bytes, options, 0));
  plan.view.add_source(0, id3v2_bytes);
  FRUGAL_TRY(bool v1, has_id3v1(source, size));
  if (v1 && size - 128 >= id3v2_bytes) {
    FRUGAL_CHECK(add_tag_bytes(plan, 128, options, size - 128));
    plan.view.add_source(size - 128, 128);
  }
  plan.items = plan.text_bytes / kMinItemBytes;
  return plan;
}

core::Result<Plan> plan_read(core::ByteSource& source, std::uint64_t size, const TagOptions& options) {
  FRUGAL_TRY(std::uint64_t id3, id3v2_size(source));
  std::array<std::byte, 8> head{};
  FRUGAL_TRY(std::size_t n, source.read_at(id3, head));
  const auto got = std::span(head).first(n);
  if (is(got, "fLaC")) return plan_flac(source, size, id3, options);
  if (id3 != 0) return plan_mpeg(source, size, id3, options);
  if (is(got, "OggS")) return plan_ogg(source, size, options);
  if (mp4_start(got)) return plan_mp4(source, options);
  // MPEG audio frame sync (11 set bits): MP3 with at most an ID3v1 tag.
  if (n >= 2 && got[0] == std::byte{0xFF} && (std::to_integer<unsigned>(got[1]) & 0xE0) == 0xE0)
    return plan_mpeg(source, size, 0, options);
  return make_error(Errc::unsupported, "tags: not MP4, FLAC, Ogg or MPEG audio", 0);
}

}  // namespace frugal::tags::detail
