// read_exr_preview: the pixels of writer-built preview attributes read
// back exactly, from their offset only; a part without a preview; a file
// cut inside the pixels; a preview over the limit or the budget; and, on
// the media folder's files that carry one, the same pixels as OpenEXR's
// Imf::Header::previewImage (the exr_preview_oracle program, built when
// libopenexr-dev is installed).

#include <frugal/assets/exr_preview.hpp>
#include <frugal/core/file_source.hpp>

#include "support/exr_writer.hpp"
#include "support/media.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace frugal::assets {
namespace {

using core::Errc;
using namespace frugal::test;

Bytes pattern(std::uint32_t width, std::uint32_t height) {
  Bytes rgba(std::size_t{width} * height * 4);
  for (std::size_t i = 0; i < rgba.size(); ++i) rgba[i] = static_cast<std::byte>((i * 37 + i / 4) & 0xFF);
  return rgba;
}

// A single-part file with a preview attribute (between other attributes)
// holding `value`.
Bytes file_with_preview(const Bytes& value) {
  ExrHeaderBuilder h = ExrHeaderBuilder::standard(64, 32);
  h.append("preview", "preview", value).append("owner", "string", exr_text("frugal"));
  return exr_file(0, {h}, 32, 100);
}

// A source that refuses reads outside [begin, end): proves which bytes are read.
class WindowOnly final : public core::ByteSource {
 public:
  WindowOnly(core::ByteSource& inner, std::uint64_t begin, std::uint64_t end) : inner_(inner), begin_(begin), end_(end) {}
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    if (offset < begin_ || offset + dst.size() > end_) return core::make_error(Errc::io, "read outside the window", offset);
    return inner_.read_at(offset, dst);
  }
  std::optional<std::uint64_t> size() const override { return inner_.size(); }

 private:
  core::ByteSource& inner_;
  std::uint64_t begin_, end_;
};

TEST(ExrPreview, PixelsReadBackFromTheirOffsetOnly) {
  const Bytes rgba = pattern(7, 5);
  const Bytes bytes = file_with_preview(exr_preview(7, 5, rgba));
  core::MemorySource source(bytes);
  auto header = read_exr_header(source);
  ASSERT_TRUE(header) << header.error().message;
  const ExrAttribute* attr = header->parts[0].find("preview");
  ASSERT_NE(attr, nullptr);
  WindowOnly pixels_only(source, attr->offset + 8, attr->offset + attr->size);
  mem::MemoryTracker tracker;
  auto image = read_exr_preview(pixels_only, header->parts[0], kExrMaxPreviewBytes, &tracker);
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->width, 7u);
  EXPECT_EQ(image->height, 5u);
  ASSERT_EQ(image->rgba().size(), rgba.size());
  EXPECT_TRUE(std::equal(rgba.begin(), rgba.end(), image->pixels.span().begin()));
  EXPECT_EQ(tracker.account(kExrPreviewAccount)->current(), rgba.size());
}

TEST(ExrPreview, PartWithoutPreview) {
  const Bytes bytes = exr_file(0, {ExrHeaderBuilder::standard(4, 4)}, 4);
  core::MemorySource source(bytes);
  auto header = read_exr_header(source);
  ASSERT_TRUE(header);
  auto image = read_exr_preview(source, header->parts[0]);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, Errc::invalid_argument);
  EXPECT_STREQ(image.error().message, "EXR: the part has no preview attribute");
  // Another attribute passed as a preview.
  auto other = read_exr_preview(source, *header->parts[0].find("dataWindow"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, Errc::invalid_argument);
}

TEST(ExrPreview, FileCutInsideThePixels) {
  const Bytes bytes = file_with_preview(exr_preview(16, 16, pattern(16, 16)));
  core::MemorySource whole(bytes);
  auto header = read_exr_header(whole);
  ASSERT_TRUE(header);
  const ExrAttribute& attr = *header->parts[0].find("preview");
  // The file truncated after its header was read: the pixels end early.
  const Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(attr.offset + 8 + 100));
  core::MemorySource source(cut);
  mem::MemoryTracker tracker;
  auto image = read_exr_preview(source, attr, kExrMaxPreviewBytes, &tracker);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, Errc::malformed);
  EXPECT_STREQ(image.error().message, "EXR: preview pixels cut short (end of file)");
  EXPECT_EQ(image.error().offset, attr.offset + 8);
  EXPECT_EQ(tracker.total(), 0u);  // nothing stays allocated
  // read_exr_header itself refuses the cut file.
  EXPECT_FALSE(read_exr_header(source));
}

TEST(ExrPreview, OverTheLimitOrTheBudget) {
  const Bytes bytes = file_with_preview(exr_preview(32, 32, pattern(32, 32)));  // 4096 pixel bytes
  core::MemorySource source(bytes);
  auto header = read_exr_header(source);
  ASSERT_TRUE(header);
  mem::MemoryTracker tracker;
  auto limited = read_exr_preview(source, header->parts[0], 4095, &tracker);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().code, Errc::limit_exceeded);
  EXPECT_TRUE(read_exr_preview(source, header->parts[0], 4096, &tracker));
  mem::MemoryTracker small(mem::TrackerOptions{.budget = 4000});
  auto over = read_exr_preview(source, header->parts[0], kExrMaxPreviewBytes, &small);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, Errc::out_of_memory);
  EXPECT_EQ(small.total(), 0u);
}

TEST(ExrPreview, AttributeWhoseSizeDisagrees) {
  // Built by hand (read_exr_header refuses such a file): 3 × 3 pixels in 20 bytes.
  ExrAttribute attr;
  attr.name = attr.type = "preview";
  attr.size = 28;
  attr.value = ExrPreview{3, 3};
  const Bytes bytes(64);
  core::MemorySource source(bytes);
  auto image = read_exr_preview(source, attr);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, Errc::invalid_argument);
}

// The media folder's files with a preview, against OpenEXR's C++ library.
TEST(ExrPreview, MediaPreviewsMatchOpenExr) {
  const auto files = media_files("exr");
  if (files.empty()) GTEST_SKIP() << "no media folder with exr/ (FRUGAL_MEDIA_DIR or ../shared/media)";
#ifndef FRUGAL_EXR_PREVIEW_ORACLE
  GTEST_SKIP() << "exr_preview_oracle not built (libopenexr-dev absent, or a cross build)";
#else
  int compared = 0;
  for (const auto& path : files) {
    auto file = core::FileSource::open(path.string().c_str());
    ASSERT_TRUE(file);
    auto header = read_exr_header(*file);
    if (!header) continue;
    for (std::size_t p = 0; p < header->parts.size(); ++p) {
      if (!header->parts[p].find("preview")) continue;
      auto image = read_exr_preview(*file, header->parts[p]);
      ASSERT_TRUE(image) << path << ": " << image.error().message;
      // The oracle prints "<width> <height> <fnv-1a of the RGBA bytes>".
      const auto out = run_capture(std::string(FRUGAL_EXR_PREVIEW_ORACLE) + " " + shell_quote(path.string()) + " " +
                                   std::to_string(p));
      ASSERT_TRUE(out) << path;
      std::uint64_t hash = 14695981039346656037ull;
      for (const std::byte b : image->pixels.span()) hash = (hash ^ static_cast<std::uint8_t>(b)) * 1099511628211ull;
      std::ostringstream want;
      want << image->width << " " << image->height << " " << hash << "\n";
      EXPECT_EQ(*out, want.str()) << path << " part " << p;
      ++compared;
    }
  }
  std::printf("exr previews vs OpenEXR: %d compared\n", compared);
  if (compared == 0) GTEST_SKIP() << "no file in the media folder has a preview";
#endif
}

}  // namespace
}  // namespace frugal::assets
