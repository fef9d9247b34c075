// Frame headers and checksums (RFC 9639 §9.1, §9.3) against the test writer.
#include "flac/frame_header.hpp"
#include "support/flac_writer.hpp"

#include <gtest/gtest.h>

using namespace frugal;
using flac::detail::FrameHeader;
using flac::detail::parse_frame_header;
using test::Bytes;

namespace {

Bytes frame(bool variable, std::uint64_t number, std::size_t block, std::uint8_t channels = 1) {
  return test::flac_frame({variable, number, channels, test::flac_test_samples(block * channels, 1)});
}

TEST(FlacFrameHeader, ParsesWhatTheWriterWrites) {
  for (std::uint64_t number : {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{2047},
                               std::uint64_t{65536}, (std::uint64_t{1} << 31) - 1}) {
    SCOPED_TRACE(number);
    FrameHeader h;
    ASSERT_TRUE(parse_frame_header(frame(false, number, 4096, 2), h));
    EXPECT_FALSE(h.variable);
    EXPECT_EQ(h.number, number);
    EXPECT_EQ(h.block_size, 4096u);
    EXPECT_EQ(h.channels, 2u);
    EXPECT_EQ(h.sample_rate, 0u);
    EXPECT_EQ(h.bits_per_sample, 0u);
  }
  FrameHeader h;
  ASSERT_TRUE(parse_frame_header(frame(true, (std::uint64_t{1} << 36) - 1, 1000), h));  // 7-byte number
  EXPECT_TRUE(h.variable);
  EXPECT_EQ(h.number, (std::uint64_t{1} << 36) - 1);
  EXPECT_EQ(h.block_size, 1000u);  // uncommon 16-bit size
  EXPECT_EQ(h.length, 4u + 7 + 2 + 1);
}

TEST(FlacFrameHeader, RejectsBadCrcReservedCodesAndShortInput) {
  const Bytes good = frame(false, 5, 1152);
  FrameHeader h;
  for (std::size_t i = 0; i < 6; ++i) {
    Bytes b = good;
    b[i] ^= std::byte{0x01};
    EXPECT_FALSE(parse_frame_header(b, h)) << "byte " << i;
  }
  EXPECT_FALSE(parse_frame_header(std::span(good).first(5), h));
  // A frame number of 31 bits or more in a fixed block size stream.
  Bytes big = test::flac_frame({false, std::uint64_t{1} << 31, 1, test::flac_test_samples(192, 2)});
  EXPECT_FALSE(parse_frame_header(big, h));
}

TEST(FlacFrameHeader, Crc16OfAWholeFrameIsZero) {
  const Bytes f = frame(false, 3, 576, 2);
  std::uint16_t crc = 0;
  for (std::size_t i = 0; i + 1 < f.size(); ++i) crc = flac::detail::crc16_byte(crc, f[i]);
  EXPECT_NE(crc, 0);  // without the CRC-16's last byte
  EXPECT_EQ(flac::detail::crc16_byte(crc, f.back()), 0);
}

}  // namespace
