// HAL decompression: every command in both forms on hand-built streams,
// hostile streams, round trips through the test compressor, scanning.

#include <frugal/assets/hal.hpp>

#include "support/hal_compressor.hpp"
#include "support/media.hpp"
#include "support/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string_view>
#include <vector>

namespace frugal::assets {
namespace {

using core::Errc;

std::vector<std::byte> bytes(std::initializer_list<int> values) {
  std::vector<std::byte> out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

std::vector<std::byte> cat(std::vector<std::byte> a, const std::vector<std::byte>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Decoded {
  core::Result<HalBlock> result;
  std::vector<std::byte> out;
};

Decoded decode(const std::vector<std::byte>& stream, std::size_t cap = kHalMaxOutput,
               LzFormat format = LzFormat::hal) {
  std::vector<std::byte> out(cap);
  auto r = format == LzFormat::hal ? hal_decompress(stream, out) : lz2_decompress(stream, out);
  out.resize(r ? r->decompressed : 0);
  return {r, out};
}

// Decodes `stream`, expecting `expected` and the whole stream consumed.
void expect_decodes(const std::vector<std::byte>& stream, const std::vector<std::byte>& expected,
                    LzFormat format = LzFormat::hal) {
  const Decoded d = decode(stream, kHalMaxOutput, format);
  ASSERT_TRUE(d.result) << d.result.error().message;
  EXPECT_EQ(d.result->decompressed, expected.size());
  EXPECT_EQ(d.result->compressed, stream.size());
  EXPECT_EQ(d.out, expected);
}

void expect_error(const std::vector<std::byte>& stream, Errc code, std::string_view message, std::uint64_t offset,
                  std::size_t cap = kHalMaxOutput, LzFormat format = LzFormat::hal) {
  const Decoded d = decode(stream, cap, format);
  ASSERT_FALSE(d.result);
  EXPECT_EQ(d.result.error().code, code);
  EXPECT_EQ(std::string_view(d.result.error().message), message);
  EXPECT_EQ(d.result.error().offset, offset);
}

constexpr std::string_view kTruncated = "HAL: input ends before the 0xFF end marker";
constexpr std::string_view kNotWritten = "HAL: copy from output not written yet";

std::vector<std::byte> sequence(std::size_t n, int first = 0) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(first + static_cast<int>(i));
  return out;
}

TEST(HalDecompress, EndMarkerOnly) { expect_decodes(bytes({0xFF}), {}); }

TEST(HalDecompress, LiteralShortAndLong) {
  expect_decodes(bytes({0x02, 'a', 'b', 'c', 0xFF}), bytes({'a', 'b', 'c'}));
  // Long form: 0xE1 0x00 = cmd 0, length (1 << 8 | 0) + 1 = 257.
  const auto data = sequence(257, 7);
  expect_decodes(cat(cat(bytes({0xE1, 0x00}), data), bytes({0xFF})), data);
}

TEST(HalDecompress, ByteFillShortAndLong) {
  expect_decodes(bytes({0x24, 0x7A, 0xFF}), std::vector<std::byte>(5, std::byte{0x7A}));
  // 0xE5 0x00: cmd (0xE5 >> 2) & 7 = 1, length 257.
  expect_decodes(bytes({0xE5, 0x00, 0x55, 0xFF}), std::vector<std::byte>(257, std::byte{0x55}));
}

TEST(HalDecompress, WordFillCountsWords) {
  // Short: 0x42 = cmd 2, 3 words = 6 bytes.
  expect_decodes(bytes({0x42, 0x12, 0x34, 0xFF}), bytes({0x12, 0x34, 0x12, 0x34, 0x12, 0x34}));
  // Long: 0xE8 0x27 = cmd 2, 40 words = 80 bytes.
  std::vector<std::byte> words;
  for (int i = 0; i < 40; ++i) words = cat(words, bytes({0xAB, 0xCD}));
  expect_decodes(bytes({0xE8, 0x27, 0xAB, 0xCD, 0xFF}), words);
}

TEST(HalDecompress, IncreasingFillWrapsAround) {
  expect_decodes(bytes({0x63, 0xFD, 0xFF}), bytes({0xFD, 0xFE, 0xFF, 0x00}));
  // 0xEC 0x2F: cmd 3, length 48.
  expect_decodes(bytes({0xEC, 0x2F, 0x00, 0xFF}), sequence(48));
}

TEST(HalDecompress, ForwardCopyShortAndLong) {
  const auto abcd = bytes({0x03, 'A', 'B', 'C', 'D'});
  // 0x82 = cmd 4, length 3, from big-endian offset 0x0001.
  expect_decodes(cat(abcd, bytes({0x82, 0x00, 0x01, 0xFF})), bytes({'A', 'B', 'C', 'D', 'B', 'C', 'D'}));
  // 0xF0 0x27 = cmd 4, length 40 from 0: overlaps what it writes, so the
  // four bytes repeat (byte-by-byte copy, as exhal and the games decode).
  std::vector<std::byte> expected;
  for (int i = 0; i < 11; ++i) expected = cat(expected, bytes({'A', 'B', 'C', 'D'}));
  expect_decodes(cat(abcd, bytes({0xF0, 0x27, 0x00, 0x00, 0xFF})), expected);
}

TEST(HalDecompress, LongCommandSevenCopiesLikeFour) {
  // 0xFC 0x02: cmd (0xFC >> 2) & 7 = 7, length 3 (exhal: "behaves the same as 4").
  const auto abcd = bytes({0x03, 'A', 'B', 'C', 'D'});
  expect_decodes(cat(abcd, bytes({0xFC, 0x02, 0x00, 0x01, 0xFF})), bytes({'A', 'B', 'C', 'D', 'B', 'C', 'D'}));
  // 0xFE: the largest cmd-7 byte (0xFF ends the stream); length (2 << 8 | 0) + 1 = 513.
  std::vector<std::byte> expected;
  for (int i = 0; i < 130; ++i) expected = cat(expected, bytes({'A', 'B', 'C', 'D'}));
  expected.resize(4 + 513);
  expect_decodes(cat(abcd, bytes({0xFE, 0x00, 0x00, 0x00, 0xFF})), expected);
}

TEST(HalDecompress, BitReversedCopyShortAndLong) {
  const auto lit = bytes({0x02, 0x01, 0x80, 0x0F});
  // 0xA2 = cmd 5, length 3.
  expect_decodes(cat(lit, bytes({0xA2, 0x00, 0x00, 0xFF})), bytes({0x01, 0x80, 0x0F, 0x80, 0x01, 0xF0}));
  // 0xF4 0x01 = cmd 5, length 2, from 1.
  expect_decodes(cat(lit, bytes({0xF4, 0x01, 0x00, 0x01, 0xFF})), bytes({0x01, 0x80, 0x0F, 0x01, 0xF0}));
}

TEST(HalDecompress, OverlappingBitReversedCopyReadsItsOwnOutput) {
  // From 0, length 3, one byte written: each byte reversed from the one before.
  expect_decodes(bytes({0x00, 0x01, 0xA2, 0x00, 0x00, 0xFF}), bytes({0x01, 0x80, 0x01, 0x80}));
}

TEST(HalDecompress, BackwardsCopyShortAndLong) {
  const auto abcd = bytes({0x03, 'A', 'B', 'C', 'D'});
  // 0xC3 = cmd 6, length 4, from 3 going down.
  expect_decodes(cat(abcd, bytes({0xC3, 0x00, 0x03, 0xFF})), bytes({'A', 'B', 'C', 'D', 'D', 'C', 'B', 'A'}));
  // 0xF8 0x02 = cmd 6, length 3, from 2.
  expect_decodes(cat(abcd, bytes({0xF8, 0x02, 0x00, 0x02, 0xFF})), bytes({'A', 'B', 'C', 'D', 'C', 'B', 'A'}));
}

TEST(HalDecompress, ReportsConsumedSizeNotTrailingBytes) {
  const auto stream = bytes({0x24, 0x7A, 0x00, 0x11, 0xFF, 0x01, 0x02, 0x03});
  const Decoded d = decode(stream);
  ASSERT_TRUE(d.result);
  EXPECT_EQ(d.result->compressed, 5u);
  EXPECT_EQ(d.result->decompressed, 6u);
  EXPECT_EQ(d.out, bytes({0x7A, 0x7A, 0x7A, 0x7A, 0x7A, 0x11}));
}

TEST(HalDecompress, RejectsCopiesOfUnwrittenOutput) {
  expect_error(bytes({0x80, 0x00, 0x00, 0xFF}), Errc::malformed, kNotWritten, 0);  // nothing written yet
  const auto ab = bytes({0x01, 'A', 'B'});
  expect_error(cat(ab, bytes({0x80, 0x00, 0x02, 0xFF})), Errc::malformed, kNotWritten, 3);
  expect_error(cat(ab, bytes({0xF0, 0x00, 0xFF, 0xFF, 0xFF})), Errc::malformed, kNotWritten, 3);
  expect_error(cat(ab, bytes({0xA0, 0x00, 0x02, 0xFF})), Errc::malformed, kNotWritten, 3);
  expect_error(cat(ab, bytes({0xFC, 0x00, 0x02, 0x00, 0xFF})), Errc::malformed, kNotWritten, 3);
  expect_error(cat(ab, bytes({0xC0, 0x00, 0x02, 0xFF})), Errc::malformed, kNotWritten, 3);
}

TEST(HalDecompress, RejectsBackwardsCopyBelowZero) {
  // From 1 going down 3 bytes: 1, 0, -1.
  expect_error(bytes({0x01, 'A', 'B', 0xC2, 0x00, 0x01, 0xFF}), Errc::malformed,
               "HAL: backwards copy runs below offset 0", 3);
  // Exactly down to 0 is fine.
  expect_decodes(bytes({0x01, 'A', 'B', 0xC1, 0x00, 0x01, 0xFF}), bytes({'A', 'B', 'B', 'A'}));
}

TEST(HalDecompress, OutputBeyond64KiBIsMalformed) {
  std::vector<std::byte> stream;
  for (int i = 0; i < 64; ++i) stream = cat(stream, bytes({0xE7, 0xFF, i}));  // 64 x 1024-byte fills
  const Decoded full = decode(cat(stream, bytes({0xFF})));
  ASSERT_TRUE(full.result);
  EXPECT_EQ(full.result->decompressed, kHalMaxOutput);
  expect_error(cat(stream, bytes({0x00, 0x00, 0xFF})), Errc::malformed, "HAL: output exceeds 64 KiB",
               stream.size());
  // Word fills count twice: 32 x 1024 words fill 64 KiB.
  std::vector<std::byte> words;
  for (int i = 0; i < 32; ++i) words = cat(words, bytes({0xEB, 0xFF, i, i}));
  expect_error(cat(words, bytes({0x40, 0, 0, 0xFF})), Errc::malformed, "HAL: output exceeds 64 KiB", words.size());
  // A larger buffer does not lift the format's cap.
  expect_error(cat(stream, bytes({0x00, 0x00, 0xFF})), Errc::malformed, "HAL: output exceeds 64 KiB", stream.size(),
               2 * kHalMaxOutput);
}

TEST(HalDecompress, CallerBufferCapsOutput) {
  const auto stream = bytes({0x02, 'a', 'b', 'c', 0x2A, 0x00, 0xFF});  // 3 + 11 bytes
  expect_error(stream, Errc::limit_exceeded, "HAL: output exceeds the caller's buffer", 4, 13);
  const Decoded d = decode(stream, 14);
  ASSERT_TRUE(d.result);
  EXPECT_EQ(d.result->decompressed, 14u);
}

// Every proper prefix of a valid stream is cut off: each must fail cleanly.
void expect_every_prefix_truncated(const std::vector<std::byte>& stream) {
  std::vector<std::byte> out(kHalMaxOutput);
  for (std::size_t n = 0; n < stream.size(); ++n) {
    auto r = hal_decompress(std::span(stream).first(n), out);
    ASSERT_FALSE(r) << "prefix " << n;
    EXPECT_EQ(r.error().code, Errc::malformed) << "prefix " << n;
    EXPECT_EQ(std::string_view(r.error().message), kTruncated) << "prefix " << n;
  }
}

// One stream with every command, short and long.
std::vector<std::byte> all_commands() {
  return bytes({0x03, 'A', 'B', 'C', 'D', 0xE0, 0x01, 'E', 'F', 0x24, 0x7A, 0xE4, 0x20, 0x7B, 0x42, 0x12, 0x34,
                0xE8, 0x21, 0xAB, 0xCD, 0x63, 0xFD, 0xEC, 0x21, 0x10, 0x82, 0x00, 0x01, 0xF0, 0x21, 0x00, 0x00,
                0xA2, 0x00, 0x00, 0xF4, 0x21, 0x00, 0x04, 0xC3, 0x00, 0x03, 0xF8, 0x21, 0x00, 0x30, 0xFC, 0x21,
                0x00, 0x02, 0xFF});
}

TEST(HalDecompress, AllCommandsStreamDecodes) {
  const Decoded d = decode(all_commands());
  ASSERT_TRUE(d.result) << d.result.error().message << " at " << d.result.error().offset;
  EXPECT_EQ(d.result->compressed, all_commands().size());
  // 6 literal + 5 + 33 fill + 6 + 68 words + 4 + 34 increasing + 3 + 34 + 3 + 34 + 4 + 34 + 34 copies.
  EXPECT_EQ(d.result->decompressed, 6u + 5 + 33 + 6 + 68 + 4 + 34 + 3 + 34 + 3 + 34 + 4 + 34 + 34);
}

TEST(HalDecompress, EveryPrefixIsTruncated) {
  expect_every_prefix_truncated(all_commands());
  expect_every_prefix_truncated(bytes({0xE0}));              // long form at the end of input
  expect_every_prefix_truncated(bytes({0x00, 'a', 0xE4}));   // long fill without its length byte
  expect_every_prefix_truncated(bytes({0x00, 'a', 0xF0, 0x00, 0x00}));  // copy without its offset's low byte
  test::Rng rng(7);
  std::vector<std::byte> data(3000);
  for (auto& b : data) b = static_cast<std::byte>(rng.below(4) ? rng.below(6) : rng.below(256));
  const auto stream = test::hal_compress(data);
  expect_every_prefix_truncated(stream);
}

TEST(HalDecompress, RandomStreamsNeverCrashAndStayBounded) {
  test::Rng rng(42);
  std::vector<std::byte> out(kHalMaxOutput);
  for (int round = 0; round < 3000; ++round) {
    std::vector<std::byte> input(rng.between(0, 300));
    // Bias towards command bytes and small offsets so some decode far.
    for (auto& b : input) b = static_cast<std::byte>(rng.below(3) ? rng.below(0x100) : rng.below(8));
    auto r = hal_decompress(input, out);
    if (r) {
      EXPECT_LE(r->compressed, input.size());
      EXPECT_LE(r->decompressed, kHalMaxOutput);
    } else {
      EXPECT_TRUE(r.error().code == Errc::malformed || r.error().code == Errc::limit_exceeded);
      EXPECT_LE(r.error().offset, input.size());
    }
  }
}

// --- Round trips through the test compressor --------------------------------

void expect_round_trip(const std::vector<std::byte>& data, test::HalCommandCounts* counts = nullptr,
                       LzFormat format = LzFormat::hal) {
  const auto stream = test::hal_compress(data, counts, format);
  std::vector<std::byte> out(kHalMaxOutput);
  auto r = format == LzFormat::hal ? hal_decompress(stream, out) : lz2_decompress(stream, out);
  ASSERT_TRUE(r) << r.error().message << " at " << r.error().offset;
  EXPECT_EQ(r->compressed, stream.size());
  ASSERT_EQ(r->decompressed, data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
}

TEST(HalRoundTrip, EmptyAndTiny) {
  expect_round_trip({});
  expect_round_trip(bytes({1}));
  expect_round_trip(bytes({1, 2}));
}

TEST(HalRoundTrip, RandomBytes) {
  test::Rng rng(1);
  for (std::size_t size : {1u, 31u, 32u, 33u, 1000u, 1025u, 5000u}) {
    std::vector<std::byte> data(size);
    for (auto& b : data) b = static_cast<std::byte>(rng.below(256));
    expect_round_trip(data);
  }
}

TEST(HalRoundTrip, RunsPatternsAndSequences) {
  test::Rng rng(2);
  std::vector<std::byte> data;
  while (data.size() < 20000) {
    const std::size_t n = rng.between(1, 1500);
    const auto v = static_cast<std::byte>(rng.below(256));
    switch (rng.below(5)) {
      case 0: data.insert(data.end(), n, v); break;                                    // runs
      case 1: for (std::size_t i = 0; i < n; ++i) data.push_back(static_cast<std::byte>(i & 1 ? 0x5A : 0xC3)); break;
      case 2: { const auto s = sequence(n, rng.below(256)); data.insert(data.end(), s.begin(), s.end()); break; }
      case 3: {  // a repeat of earlier data
        if (data.size() < n) break;
        const std::size_t from = rng.below(data.size() - n + 1);
        for (std::size_t i = 0; i < n; ++i) data.push_back(data[from + i]);
        break;
      }
      default: for (std::size_t i = 0; i < n; ++i) data.push_back(static_cast<std::byte>(rng.below(256)));
    }
  }
  data.resize(20000);
  expect_round_trip(data);
}

TEST(HalRoundTrip, EveryCommandKindIsUsed) {
  // Mirrored and bit-reversed halves, fills, random tiles: the compressor's
  // choice of each command kind must decode back.
  test::Rng rng(3);
  std::vector<std::byte> tile(64);
  for (auto& b : tile) b = static_cast<std::byte>(rng.below(256));
  std::vector<std::byte> data = tile;
  data.insert(data.end(), tile.rbegin(), tile.rend());  // backwards copy
  for (std::byte b : tile) {                            // bit-reversed copy
    unsigned v = std::to_integer<unsigned>(b), r = 0;
    for (int i = 0; i < 8; ++i) r = (r << 1) | ((v >> i) & 1);
    data.push_back(static_cast<std::byte>(r));
  }
  data.insert(data.end(), 100, std::byte{0x11});                                        // byte fill
  for (int i = 0; i < 50; ++i) data = cat(data, bytes({0x12, 0x34}));                   // word fill
  data = cat(data, sequence(40, 0x80));                                                 // increasing
  data.insert(data.end(), tile.begin(), tile.end());                                    // copy
  expect_round_trip(data);
  test::HalCommandCounts counts{};
  expect_round_trip(data, &counts);
  for (unsigned cmd = 0; cmd < 7; ++cmd) EXPECT_GT(counts[cmd], 0u) << "command " << cmd;
}

TEST(HalRoundTrip, Max64KiB) {
  test::Rng rng(4);
  std::vector<std::byte> data(kHalMaxOutput);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::byte>((i / 700) % 3 == 0 ? rng.below(256) : (i / 4096) & 0xFF);
  expect_round_trip(data);
  expect_round_trip(std::vector<std::byte>(kHalMaxOutput, std::byte{0}));
  std::vector<std::byte> noise(kHalMaxOutput);
  for (auto& b : noise) b = static_cast<std::byte>(rng.below(256));
  expect_round_trip(noise);
}

// --- ByteSource input ---------------------------------------------------------

class FailingSource final : public core::ByteSource {
 public:
  core::Result<std::size_t> read_at(std::uint64_t, std::span<std::byte>) override {
    return core::make_error(Errc::io, "test: read failed");
  }
  std::optional<std::uint64_t> size() const override { return 1000; }
};

TEST(HalSource, DecodesAtAnOffsetWithBoundedReads) {
  std::vector<std::byte> rom(1 << 20, std::byte{0xFF});
  const auto stream = all_commands();
  std::copy(stream.begin(), stream.end(), rom.begin() + 0x8000);
  core::MemorySource memory(rom);
  core::CountingSource counting(memory);
  std::vector<std::byte> out(kHalMaxOutput);
  auto r = hal_decompress(counting, 0x8000, out);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->compressed, stream.size());
  const Decoded expected = decode(stream);
  EXPECT_TRUE(std::equal(expected.out.begin(), expected.out.end(), out.begin()));
  EXPECT_LE(counting.bytes_read(), 512u);  // one or two 256-byte windows, never the ROM

  // Errors carry the source offset of the bad command.
  rom[0x8000] = std::byte{0x80};  // copy with nothing written
  r = hal_decompress(memory, 0x8000, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 0x8000u);
  // The source's end ends the input.
  r = hal_decompress(memory, rom.size() - 1, out);
  ASSERT_TRUE(r);  // 0xFF
  rom.back() = std::byte{0x00};
  r = hal_decompress(memory, rom.size() - 1, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(std::string_view(r.error().message), kTruncated);
}

TEST(HalSource, PassesIoErrorsThrough) {
  FailingSource failing;
  std::vector<std::byte> out(64);
  auto r = hal_decompress(failing, 0, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  HalCandidate found[4];
  auto s = hal_scan(failing, 0, 100, out, found);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::io);
}

// --- Scanning -----------------------------------------------------------------

struct Planted {
  std::uint64_t offset;
  std::vector<std::byte> stream;
  std::size_t decompressed;
};

std::vector<Planted> plant(std::vector<std::byte>& rom) {
  test::Rng rng(9);
  std::vector<Planted> planted;
  for (std::uint64_t offset : {0x1000u, 0x3000u, 0x9000u}) {
    std::vector<std::byte> data(rng.between(200, 3000));
    for (std::size_t i = 0; i < data.size(); ++i)
      data[i] = static_cast<std::byte>((i / 16) % 2 ? rng.below(4) : (i / 64) & 0xFF);
    auto stream = test::hal_compress(data);
    std::copy(stream.begin(), stream.end(), rom.begin() + static_cast<std::ptrdiff_t>(offset));
    planted.push_back({offset, std::move(stream), data.size()});
  }
  return planted;
}

TEST(HalScan, FindsPlantedStreamsInPadding) {
  std::vector<std::byte> rom(0x10000, std::byte{0xFF});  // erased/padding bytes decode to nothing
  const auto planted = plant(rom);
  core::MemorySource source(rom);
  std::vector<std::byte> out(kHalMaxOutput);
  HalCandidate found[8];
  auto r = hal_scan(source, 0, rom.size(), out, found);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->found, planted.size());
  EXPECT_EQ(r->next, rom.size());
  for (std::size_t i = 0; i < planted.size(); ++i) {
    EXPECT_EQ(found[i].offset, planted[i].offset);
    EXPECT_EQ(found[i].block.compressed, planted[i].stream.size());
    EXPECT_EQ(found[i].block.decompressed, planted[i].decompressed);
  }
}

TEST(HalScan, StopsWhenFullAndResumes) {
  std::vector<std::byte> rom(0x10000, std::byte{0xFF});
  const auto planted = plant(rom);
  core::MemorySource source(rom);
  std::vector<std::byte> out(kHalMaxOutput);
  HalCandidate found[1];
  std::uint64_t at = 0;
  for (const Planted& p : planted) {
    auto r = hal_scan(source, at, rom.size(), out, found);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->found, 1u);
    EXPECT_EQ(found[0].offset, p.offset);
    EXPECT_EQ(r->next, p.offset + p.stream.size());
    at = r->next;
  }
  auto r = hal_scan(source, at, rom.size(), out, found);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->found, 0u);
}

TEST(HalScan, ThresholdsAndSmallBuffersFilter) {
  std::vector<std::byte> rom(0x10000, std::byte{0xFF});
  const auto planted = plant(rom);
  core::MemorySource source(rom);
  HalCandidate found[8];
  // A scratch buffer smaller than every planted block: nothing fits, nothing found.
  std::vector<std::byte> small(100);
  auto r = hal_scan(source, 0, rom.size(), small, found);
  ASSERT_TRUE(r);
  for (std::size_t i = 0; i < r->found; ++i)
    for (const Planted& p : planted) EXPECT_NE(found[i].offset, p.offset);
  // A minimum above the largest block.
  std::vector<std::byte> out(kHalMaxOutput);
  r = hal_scan(source, 0, rom.size(), out, found, HalScanOptions{4000, 100});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->found, 0u);
}

TEST(HalScan, FindsPlantedStreamsAmongNoise) {
  test::Rng rng(11);
  std::vector<std::byte> rom(0x10000);
  for (auto& b : rom) b = static_cast<std::byte>(rng.below(256));
  const auto planted = plant(rom);
  core::MemorySource source(rom);
  std::vector<std::byte> out(kHalMaxOutput);
  std::vector<HalCandidate> found(256);
  auto r = hal_scan(source, 0, rom.size(), out, found);
  ASSERT_TRUE(r);
  found.resize(r->found);
  // Noise may add candidates (documented), but every planted stream that no
  // earlier candidate swallowed is found with its sizes, and every candidate
  // decodes as reported.
  for (const Planted& p : planted) {
    const bool hit = std::any_of(found.begin(), found.end(), [&](const HalCandidate& c) {
      return c.offset == p.offset && c.block.compressed == p.stream.size() && c.block.decompressed == p.decompressed;
    });
    const bool swallowed = std::any_of(found.begin(), found.end(), [&](const HalCandidate& c) {
      return c.offset < p.offset && c.offset + c.block.compressed > p.offset;
    });
    EXPECT_TRUE(hit || swallowed) << "planted at " << p.offset;
  }
  for (const HalCandidate& c : found) {
    auto d = hal_decompress(source, c.offset, out);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->compressed, c.block.compressed);
    EXPECT_GE(d->decompressed, 32u);
    EXPECT_GE(d->decompressed, d->compressed);
  }
}


TEST(HalScan, StopsTriesWhoseInputRunsAheadOfOutput) {
  // 300 one-byte literals (input 300 bytes ahead of output), then fills that
  // bring the ratio above 100%: a valid stream the default scan gives up on.
  std::vector<std::byte> stream;
  for (int i = 0; i < 300; ++i) stream = cat(stream, bytes({0x00, i & 0xFF}));
  for (int i = 0; i < 4; ++i) stream = cat(stream, bytes({0xE7, 0xFF, i}));
  stream.push_back(std::byte{0xFF});
  std::vector<std::byte> rom(0x2000, std::byte{0xFF});
  std::copy(stream.begin(), stream.end(), rom.begin() + 0x100);
  core::MemorySource source(rom);
  std::vector<std::byte> out(kHalMaxOutput);
  ASSERT_TRUE(hal_decompress(source, 0x100, out));
  HalCandidate found[4];
  auto r = hal_scan(source, 0, rom.size(), out, found);
  ASSERT_TRUE(r);
  for (std::size_t i = 0; i < r->found; ++i) EXPECT_NE(found[i].offset, 0x100u);
  HalScanOptions lenient;
  lenient.max_excess = 400;
  r = hal_scan(source, 0, rom.size(), out, found, lenient);
  ASSERT_TRUE(r);
  ASSERT_GE(r->found, 1u);
  EXPECT_EQ(found[0].offset, 0x100u);
  EXPECT_EQ(found[0].block.decompressed, 300u + 4 * 1024);
}

TEST(HalScan, ZeroFillerYieldsNothing) {
  // Zeros decode as endless one-byte literals: every try is cut off.
  std::vector<std::byte> rom(0x4000, std::byte{0x00});
  core::MemorySource source(rom);
  std::vector<std::byte> out(kHalMaxOutput);
  HalCandidate found[4];
  auto r = hal_scan(source, 0, rom.size(), out, found);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->found, 0u);
  EXPECT_EQ(r->next, rom.size());
}

// Real homebrew ROMs (no HAL data in them): the scan must run through real
// code and graphics bytes, and whatever it lists must decode as listed.
TEST(HalMedia, ScansRealRomsConsistently) {
  const auto files = test::media_files("rom");
  if (files.empty()) GTEST_SKIP() << "no ROMs in the media folder (../shared/media/rom)";
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> rom(raw.size());
    std::transform(raw.begin(), raw.end(), rom.begin(), [](char c) { return static_cast<std::byte>(c); });
    core::MemorySource source(rom);
    std::vector<std::byte> out(kHalMaxOutput);
    std::vector<HalCandidate> found(64);
    // 8 KiB at the start (code, data) and 8 KiB before the LoROM header: zero
    // filler costs ~max_excess commands per offset, too slow for a Debug test
    // over whole ROMs.
    for (std::uint64_t begin : {std::uint64_t{0}, std::uint64_t{0x6000}}) {
      const std::uint64_t end = std::min<std::uint64_t>(begin + 0x2000, rom.size());
      for (std::uint64_t at = begin; at < end;) {
        auto r = hal_scan(source, at, end, out, found);
        ASSERT_TRUE(r) << path;
        for (std::size_t i = 0; i < r->found; ++i) {
          const HalCandidate& c = found[i];
          auto d = hal_decompress(source, c.offset, out);
          ASSERT_TRUE(d) << path << " at " << c.offset;
          EXPECT_EQ(d->compressed, c.block.compressed);
          EXPECT_EQ(d->decompressed, c.block.decompressed);
          EXPECT_GE(d->decompressed, 32u);
          EXPECT_GE(d->decompressed, d->compressed);
        }
        ASSERT_GT(r->next, at);
        at = r->next;
      }
    }
  }
}

// --- LC_LZ2 ---------------------------------------------------------------------

void expect_lz2(const std::vector<std::byte>& stream, const std::vector<std::byte>& expected) {
  expect_decodes(stream, expected, LzFormat::lc_lz2);
}

void expect_lz2_error(const std::vector<std::byte>& stream, std::string_view message, std::uint64_t offset) {
  expect_error(stream, Errc::malformed, message, offset, kHalMaxOutput, LzFormat::lc_lz2);
}

TEST(Lz2Decompress, EveryCommandShortAndLong) {
  expect_lz2(bytes({0x01, 'a', 'b', 0xFF}), bytes({'a', 'b'}));                      // direct copy
  expect_lz2(bytes({0x23, 0x7E, 0xFF}), bytes({0x7E, 0x7E, 0x7E, 0x7E}));             // byte fill
  expect_lz2(bytes({0x44, 0x12, 0x34, 0xFF}), bytes({0x12, 0x34, 0x12, 0x34, 0x12}));  // word fill: 5 bytes
  expect_lz2(bytes({0x62, 0xFE, 0xFF}), bytes({0xFE, 0xFF, 0x00}));                   // increasing fill
  // Repeat from big-endian output offset 1, overlapping what it writes.
  expect_lz2(bytes({0x01, 'x', 'y', 0x83, 0x00, 0x01, 0xFF}), bytes({'x', 'y', 'y', 'y', 'y', 'y'}));
  // Long forms: 111CCCLL LLLLLLLL.
  expect_lz2(bytes({0xE5, 0x00, 0x55, 0xFF}), std::vector<std::byte>(257, std::byte{0x55}));  // cmd 1, length 257
  std::vector<std::byte> words(301);
  for (std::size_t i = 0; i < words.size(); ++i) words[i] = i & 1 ? std::byte{0xBB} : std::byte{0xAA};
  expect_lz2(bytes({0xE9, 0x2C, 0xAA, 0xBB, 0xFF}), words);  // cmd 2, length 0x12C + 1 = 301 bytes
  std::vector<std::byte> copied = bytes({1, 2, 3});
  for (int i = 0; i < 40; ++i) copied.push_back(copied[static_cast<std::size_t>(i)]);
  expect_lz2(bytes({0x02, 1, 2, 3, 0xF0, 0x27, 0x00, 0x00, 0xFF}), copied);  // cmd 4, length 40
}

TEST(Lz2Decompress, HalOnlyCommandsAreRejected) {
  constexpr std::string_view kUnused = "LC_LZ2: unused command (5, 6, or 7 in a long form)";
  expect_lz2_error(bytes({0x00, 'a', 0xA0, 0x00, 0x00, 0xFF}), kUnused, 2);  // 5: bit-reversed in HAL
  expect_lz2_error(bytes({0x00, 'a', 0xC0, 0x00, 0x00, 0xFF}), kUnused, 2);  // 6: backwards in HAL
  expect_lz2_error(bytes({0x00, 'a', 0xFC, 0x00, 0x00, 0x00, 0xFF}), kUnused, 2);  // long-form 7
  // The same streams decode as HAL.
  EXPECT_TRUE(decode(bytes({0x00, 'a', 0xA0, 0x00, 0x00, 0xFF})).result);
}

TEST(Lz2Decompress, HostileStreamsGetCleanErrors) {
  expect_lz2_error(bytes({0x02, 'a'}), "LC_LZ2: input ends before the 0xFF end marker", 0);
  expect_lz2_error(bytes({0x00, 'a', 0x80, 0x00, 0x01, 0xFF}), "LC_LZ2: copy from output not written yet", 2);
  std::vector<std::byte> over;
  for (int i = 0; i < 64; ++i) over = cat(over, bytes({0xE7, 0xFF, 0x00}));  // 64 × 1024 fill bytes
  expect_lz2_error(cat(over, bytes({0x20, 0x00, 0xFF})), "LC_LZ2: output exceeds 64 KiB", over.size());
}

TEST(Lz2RoundTrip, CompressorOutputDecodes) {
  test::Rng rng(5);
  std::vector<std::byte> data;
  while (data.size() < 30000) {
    const std::size_t n = rng.between(1, 1200);
    switch (rng.below(5)) {
      case 0: data.insert(data.end(), n, static_cast<std::byte>(rng.below(256))); break;
      case 1: for (std::size_t i = 0; i < n; ++i) data.push_back(static_cast<std::byte>(i & 1 ? 0x5A : 0xC3)); break;
      case 2: { const auto q = sequence(n, rng.below(256)); data.insert(data.end(), q.begin(), q.end()); break; }
      case 3:  // a repeat of earlier data
        for (std::size_t i = 0, from = rng.below(data.size() + 1); i < n && from + i < data.size(); ++i)
          data.push_back(data[from + i]);
        break;
      default: for (std::size_t i = 0; i < n; ++i) data.push_back(static_cast<std::byte>(rng.below(256)));
    }
  }
  test::HalCommandCounts counts{};
  expect_round_trip(data, &counts, LzFormat::lc_lz2);
  EXPECT_EQ(counts[5] + counts[6], 0u);
  for (unsigned cmd = 0; cmd < 5; ++cmd) EXPECT_GT(counts[cmd], 0u) << "command " << cmd;
  // A word fill of odd length counts bytes in LC_LZ2 and words in HAL: the
  // same stream decodes to different lengths, so the format matters.
  std::vector<std::byte> out(kHalMaxOutput);
  auto as_hal = hal_decompress(test::hal_compress(data, nullptr, LzFormat::lc_lz2), out);
  EXPECT_TRUE(!as_hal || as_hal->decompressed != data.size());
}

TEST(Lz2Scan, FindsPlantedStreams) {
  std::vector<std::byte> rom(0x8000, std::byte{0xFF});
  std::vector<std::byte> data(1500);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>((i / 16) % 2 ? 0 : (i / 64) & 0xFF);
  const auto stream = test::hal_compress(data, nullptr, LzFormat::lc_lz2);
  std::copy(stream.begin(), stream.end(), rom.begin() + 0x2345);
  core::MemorySource source(rom);
  std::vector<std::byte> out(kHalMaxOutput);
  HalCandidate found[4];
  HalScanOptions options;
  options.format = LzFormat::lc_lz2;
  auto r = hal_scan(source, 0, rom.size(), out, found, options);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->found, 1u);
  EXPECT_EQ(found[0].offset, 0x2345u);
  EXPECT_EQ(found[0].block.compressed, stream.size());
  EXPECT_EQ(found[0].block.decompressed, data.size());
}

}  // namespace
}  // namespace frugal::assets
