#include <frugal/mp4/box.hpp>

#include "support/mp4_writer.hpp"

#include <gtest/gtest.h>

#include <array>

using namespace frugal;
using core::Errc;
using core::Limits;
using core::MemorySource;
using mp4::BoxHeader;
using mp4::BoxReader;
using test::BoxWriter;
using test::Bytes;

namespace {

constexpr std::array<std::byte, 16> kUuid = {std::byte{0xDE}, std::byte{0xAD}, std::byte{0xBE}, std::byte{0xEF}};

// Every header the reader yields, or the error that stopped it.
core::Result<std::vector<BoxHeader>> headers(BoxReader reader) {
  std::vector<BoxHeader> out;
  while (true) {
    FRUGAL_TRY(auto box, reader.next());
    if (!box) return out;
    out.push_back(*box);
  }
}

core::Result<std::vector<BoxHeader>> top_level(const Bytes& file, const Limits& limits = {}) {
  MemorySource src(file);
  return headers(BoxReader(src, limits));
}

// The first top-level box's children.
core::Result<std::vector<BoxHeader>> children_of_first(const Bytes& file, const Limits& limits = {}) {
  MemorySource src(file);
  BoxReader top(src, limits);
  FRUGAL_TRY(auto parent, top.next());
  if (!parent) return core::make_error(Errc::malformed, "no parent box");
  FRUGAL_TRY(BoxReader children, top.children(*parent));
  return headers(children);
}

// A source whose size is unknown, like a pipe.
class UnsizedSource final : public core::ByteSource {
 public:
  explicit UnsizedSource(const Bytes& bytes) : inner_(bytes) {}
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    return inner_.read_at(offset, dst);
  }
  std::optional<std::uint64_t> size() const override { return std::nullopt; }

 private:
  MemorySource inner_;
};

void expect_error(const core::Result<std::vector<BoxHeader>>& r, Errc code, std::uint64_t offset) {
  ASSERT_FALSE(r) << "expected an error, got " << r->size() << " boxes";
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_EQ(r.error().offset, offset);
}

}  // namespace

TEST(BoxReader, Reads32And64BitSizes) {
  const Bytes file = BoxWriter().box("ftyp", Bytes(4)).begin("mdat", /*large=*/true).zeros(10).end().take();
  auto boxes = top_level(file);
  ASSERT_TRUE(boxes);
  ASSERT_EQ(boxes->size(), 2u);
  const BoxHeader& ftyp = (*boxes)[0];
  EXPECT_EQ(ftyp.type, core::FourCC("ftyp"));
  EXPECT_EQ(ftyp.offset, 0u);
  EXPECT_EQ(ftyp.size, 12u);
  EXPECT_EQ(ftyp.header_size, 8u);
  const BoxHeader& mdat = (*boxes)[1];
  EXPECT_EQ(mdat.type, core::FourCC("mdat"));
  EXPECT_EQ(mdat.offset, 12u);
  EXPECT_EQ(mdat.size, 26u);
  EXPECT_EQ(mdat.header_size, 16u);
  EXPECT_EQ(mdat.body_offset(), 28u);
  EXPECT_EQ(mdat.body_size(), 10u);
  EXPECT_EQ(mdat.end(), file.size());
  EXPECT_FALSE(mdat.truncated);
}

TEST(BoxReader, LargeSizeBeyond4GiBIsClippedAtTopLevel) {
  const Bytes file = BoxWriter().u32(1).fourcc("mdat").u64(std::uint64_t{5} << 30).zeros(4).take();
  auto boxes = top_level(file);
  ASSERT_TRUE(boxes);
  ASSERT_EQ(boxes->size(), 1u);
  EXPECT_EQ((*boxes)[0].size, file.size());
  EXPECT_TRUE((*boxes)[0].truncated);
}

TEST(BoxReader, SizeZeroExtendsToEndOfFile) {
  const Bytes file = BoxWriter().box("ftyp", Bytes(4)).u32(0).fourcc("mdat").zeros(20).take();
  auto boxes = top_level(file);
  ASSERT_TRUE(boxes);
  ASSERT_EQ(boxes->size(), 2u);
  EXPECT_EQ((*boxes)[1].offset, 12u);
  EXPECT_EQ((*boxes)[1].size, 28u);
  EXPECT_FALSE((*boxes)[1].truncated);
}

TEST(BoxReader, SizeZeroInsideParentExtendsToParentEnd) {
  BoxWriter w;
  w.begin("moov").box("mvhd", Bytes(4)).u32(0).fourcc("free").zeros(6).end();
  w.box("free", Bytes(3));  // after the parent: not part of the size-0 box
  auto children = children_of_first(w.take());
  ASSERT_TRUE(children);
  ASSERT_EQ(children->size(), 2u);
  EXPECT_EQ((*children)[1].type, core::FourCC("free"));
  EXPECT_EQ((*children)[1].offset, 20u);
  EXPECT_EQ((*children)[1].size, 14u);
}

TEST(BoxReader, UuidHeaderIncludesTheExtendedType) {
  BoxWriter w;
  w.begin("uuid").bytes(kUuid).zeros(4).end();
  w.begin("uuid", /*large=*/true).bytes(kUuid).zeros(2).end();
  auto boxes = top_level(w.take());
  ASSERT_TRUE(boxes);
  ASSERT_EQ(boxes->size(), 2u);
  EXPECT_EQ((*boxes)[0].header_size, 24u);
  EXPECT_EQ((*boxes)[0].body_size(), 4u);
  EXPECT_EQ((*boxes)[1].header_size, 32u);
  EXPECT_EQ((*boxes)[1].body_size(), 2u);
}

struct BadHeader {
  const char* name;
  Bytes bytes;  // a 'free' box first, then the bad one at offset 8
};

class BoxReaderBadHeader : public testing::TestWithParam<BadHeader> {};

TEST_P(BoxReaderBadHeader, IsMalformedAtItsOffset) {
  const Bytes file = test::concat({BoxWriter().box("free", {}).data(), GetParam().bytes});
  expect_error(top_level(file), Errc::malformed, 8);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, BoxReaderBadHeader,
    testing::Values(BadHeader{"size_7", BoxWriter().u32(7).fourcc("free").zeros(8).take()},
                    BadHeader{"largesize_15", BoxWriter().u32(1).fourcc("free").u64(15).zeros(8).take()},
                    BadHeader{"uuid_size_23", BoxWriter().u32(23).fourcc("uuid").bytes(kUuid).zeros(8).take()},
                    BadHeader{"largesize_cut_off", BoxWriter().u32(1).fourcc("free").u32(0).take()},
                    BadHeader{"uuid_cut_off", BoxWriter().u32(0).fourcc("uuid").zeros(8).take()}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(BoxReader, NestedBoxLargerThanParentIsMalformed) {
  BoxWriter w;
  w.begin("moov").u32(100).fourcc("trak").zeros(8).end().box("free", Bytes(200));
  expect_error(children_of_first(w.take()), Errc::malformed, 8);
}

TEST(BoxReader, NestedBoxExactlyFillingItsParentIsFine) {
  const Bytes file = BoxWriter().begin("moov").box("trak", Bytes(8)).end().take();
  auto children = children_of_first(file);
  ASSERT_TRUE(children);
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ((*children)[0].end(), file.size());
}

TEST(BoxReader, TopLevelBoxPastEndOfFileIsClippedAndMarked) {
  const Bytes file = BoxWriter().box("ftyp", Bytes(4)).u32(1000).fourcc("mdat").zeros(10).take();
  auto boxes = top_level(file);
  ASSERT_TRUE(boxes);
  ASSERT_EQ(boxes->size(), 2u);
  EXPECT_FALSE((*boxes)[0].truncated);
  EXPECT_TRUE((*boxes)[1].truncated);
  EXPECT_EQ((*boxes)[1].size, 18u);
  EXPECT_EQ((*boxes)[1].end(), file.size());
}

TEST(BoxReader, FewerThanEightTrailingBytesEndIteration) {
  // Top level: 7 bytes of padding.
  const Bytes file = BoxWriter().box("ftyp", Bytes(4)).zeros(7).take();
  auto boxes = top_level(file);
  ASSERT_TRUE(boxes);
  EXPECT_EQ(boxes->size(), 1u);
  // Inside a parent: QuickTime's 4-byte terminator.
  auto children = children_of_first(BoxWriter().begin("wave").box("frma", Bytes(4)).u32(0).end().take());
  ASSERT_TRUE(children);
  ASSERT_EQ(children->size(), 1u);
  EXPECT_EQ((*children)[0].type, core::FourCC("frma"));
}

TEST(BoxReader, UnsizedSourceEndsAtItsLastBox) {
  const Bytes file = BoxWriter().box("ftyp", Bytes(4)).box("free", Bytes(2)).take();
  UnsizedSource src(file);
  auto boxes = headers(BoxReader(src, Limits{}));
  ASSERT_TRUE(boxes);
  ASSERT_EQ(boxes->size(), 2u);
  EXPECT_EQ((*boxes)[1].end(), file.size());
}

TEST(BoxReader, ChildrenSkipFullBoxFields) {
  const Bytes file = BoxWriter().full_box("stsd", 0, 0).u32(1).box("sowt", Bytes(2)).end().take();
  MemorySource src(file);
  Limits limits;
  BoxReader top(src, limits);
  auto stsd = top.next();
  ASSERT_TRUE(stsd && *stsd);
  auto entries = top.children(**stsd, 8);
  ASSERT_TRUE(entries);
  EXPECT_EQ(entries->depth(), 1u);
  auto all = headers(*entries);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].type, core::FourCC("sowt"));
  auto too_far = top.children(**stsd, (*stsd)->body_size() + 1);
  ASSERT_FALSE(too_far);
  EXPECT_EQ(too_far.error().code, Errc::malformed);
}

// Boxes nested `levels` deep: the outermost at the top level.
Bytes nested_boxes(int levels) {
  BoxWriter w;
  for (int i = 0; i < levels; ++i) w.begin("test");
  for (int i = 0; i < levels; ++i) w.end();
  return w.take();
}

// Descends as deep as the boxes go; returns the error that stopped it, or
// the depth of the innermost reader.
core::Result<std::uint32_t> descend(const Bytes& file, const Limits& limits) {
  MemorySource src(file);
  BoxReader reader(src, limits);
  while (true) {
    FRUGAL_TRY(auto box, reader.next());
    if (!box) return reader.depth();
    FRUGAL_TRY(reader, reader.children(*box));
  }
}

TEST(BoxReader, NestingUpToMaxBoxDepthIsAccepted) {
  Limits limits;
  limits.max_box_depth = 4;
  auto depth = descend(nested_boxes(4), limits);  // readers at depths 0..4
  ASSERT_TRUE(depth) << depth.error().message;
  EXPECT_EQ(*depth, 4u);
}

TEST(BoxReader, NestingBeyondMaxBoxDepthIsLimitExceeded) {
  Limits limits;
  limits.max_box_depth = 4;
  const Bytes file = nested_boxes(5);
  auto depth = descend(file, limits);
  ASSERT_FALSE(depth);
  EXPECT_EQ(depth.error().code, Errc::limit_exceeded);
  EXPECT_EQ(depth.error().offset, 4u * 8);  // the fifth box, whose children would be too deep
}

class ReadBoxBody : public testing::Test {
 protected:
  // A top-level box with a body of `n` bytes 0, 1, 2...
  void make(std::size_t n) {
    Bytes body(n);
    for (std::size_t i = 0; i < n; ++i) body[i] = static_cast<std::byte>(i);
    file_ = BoxWriter().box("esds", body).take();
    box_ = BoxHeader{core::FourCC("esds"), 0, file_.size(), 8, false};
  }
  core::Result<void> read(std::uint64_t skip = 0) {
    MemorySource src(file_);
    return mp4::read_box_body(src, box_, limits_, out_, skip);
  }

  Limits limits_;
  Bytes file_;
  BoxHeader box_;
  std::vector<std::byte> out_{std::byte{0x55}};
};

TEST_F(ReadBoxBody, BodyAtTheLimitIsRead) {
  limits_.max_box_bytes = 32;
  make(32);
  ASSERT_TRUE(read());
  ASSERT_EQ(out_.size(), 32u);
  EXPECT_EQ(out_.front(), std::byte{0});
  EXPECT_EQ(out_.back(), std::byte{31});
}

TEST_F(ReadBoxBody, BodyOneByteBeyondTheLimitIsLimitExceeded) {
  limits_.max_box_bytes = 32;
  make(33);
  auto r = read();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::limit_exceeded);
  EXPECT_EQ(r.error().offset, 0u);
}

TEST_F(ReadBoxBody, SkipCountsAgainstTheLimitAndTheBody) {
  limits_.max_box_bytes = 32;
  make(33);
  ASSERT_TRUE(read(1));  // 32 bytes left after the skip
  ASSERT_EQ(out_.size(), 32u);
  EXPECT_EQ(out_.front(), std::byte{1});
  auto past = read(34);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, Errc::malformed);
}

TEST_F(ReadBoxBody, BodyCutByEndOfDataIsMalformedAndLeavesNothing) {
  make(16);
  box_.size += 4;  // claims more than the source holds
  auto r = read();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::malformed);
  EXPECT_TRUE(out_.empty());
}
