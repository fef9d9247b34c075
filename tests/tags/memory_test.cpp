// What "tags/taglib" is charged covers what TagLib really allocates: the
// malloc counter (platform/linux/heap_counter.cpp; not under sanitizers)
// measures the heap a read grows by, for tags shaped to cost TagLib the
// most per byte (many items, long text, many Vorbis fields) and for a
// picture. Each test runs in its own process (gtest_discover_tests), so the
// counter's peak is this read's.
#include "tags/fixtures.hpp"

#include "heap_counter.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/tags/tags.hpp>

#include <gtest/gtest.h>

using namespace frugal;
using namespace frugal::test;

namespace {

// Heap growth of reading `file` and the tracker's peak for it.
void expect_charge_covers_heap(const Bytes& file) {
  if (!platform::heap_counts().available) GTEST_SKIP() << "no malloc counter (sanitizer build)";
  // TagLib's lazily made statics (genre table, frame factory), made by
  // small reads of each format so they do not count, nor raise the peak.
  for (const Bytes& small : {m4a_with(udta_with({ilst_item(FourCC("\251nam"), bytes_of("w"))})),
                             flac_file({{4, vorbis_comment({{"TITLE", "w"}})}}), opus_file({{"TITLE", "w"}})}) {
    core::MemorySource warm(small);
    (void)tags::read_tags(warm);
  }
  core::MemorySource source(file);
  mem::MemoryTracker tracker;
  tags::TagOptions options;
  options.tracker = &tracker;
  const platform::HeapCounts before = platform::heap_counts();
  {
    auto t = tags::read_tags(source, options);
    ASSERT_TRUE(t) << t.error().message;
  }
  const platform::HeapCounts after = platform::heap_counts();
  ASSERT_GT(after.peak, before.peak) << "an earlier allocation hides this read's peak";
  const std::uint64_t used = after.peak - before.current;
  std::printf("[ tags ] file %zu bytes: heap %llu, charged %zu\n", file.size(), static_cast<unsigned long long>(used),
              tracker.peak_total());
  // The Tags value's own strings and vectors are the caller's (a few
  // hundred bytes of bookkeeping per read allowed for them).
  EXPECT_LE(used, tracker.peak_total() + 4096);
}

Bytes many_items() {
  std::vector<Bytes> items;
  for (int i = 0; i < 2000; ++i) {
    const std::string name = "\251x" + std::to_string(10 + i % 90);
    const char type[5] = {name[0], name[1], name[2], name[3], 0};
    items.push_back(ilst_item(FourCC(type), bytes_of("v" + std::to_string(i))));
  }
  return m4a_with(udta_with(items));
}

TEST(TagsMemory, ManyMp4Items) { expect_charge_covers_heap(many_items()); }

TEST(TagsMemory, LongMp4Text) {
  const std::string text(200000, 'x');
  expect_charge_covers_heap(m4a_with(udta_with({ilst_item(FourCC("\251nam"), bytes_of(text))})));
}

TEST(TagsMemory, ManyVorbisFields) {
  Fields fields;
  for (int i = 0; i < 5000; ++i) fields.emplace_back("F" + std::to_string(i % 50), "v");
  expect_charge_covers_heap(opus_file(fields));
}

TEST(TagsMemory, FlacPicture) {
  expect_charge_covers_heap(
      flac_file({{4, vorbis_comment({{"TITLE", "t"}})}, {6, flac_picture(3, "image/png", "", 0, 0, png_image(9, 9, 300000))}}));
}

}  // namespace
