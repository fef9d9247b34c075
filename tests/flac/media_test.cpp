// flac::Demuxer on the media folder's FLAC files: seeks land on the frame a
// full walk says holds the time, whatever the SEEKTABLE (present, empty,
// absent).
#include "support/media.hpp"

#include <frugal/core/file_source.hpp>
#include <frugal/flac/demuxer.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

namespace fs = std::filesystem;
using namespace frugal;

namespace {

std::vector<fs::path> flac_files() {
  std::vector<fs::path> out;
  for (const fs::path& p : test::media_files("other"))
    if (p.extension() == ".flac") out.push_back(p);
  return out;
}

class FlacMedia : public ::testing::TestWithParam<fs::path> {};

std::string name_of(const ::testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FlacMedia);
INSTANTIATE_TEST_SUITE_P(Media, FlacMedia, ::testing::ValuesIn(flac_files()), name_of);

TEST_P(FlacMedia, SeeksLandOnTheFrameHoldingTheTime) {
  auto file = core::FileSource::open(GetParam().c_str());
  ASSERT_TRUE(file);
  auto d = flac::Demuxer::open(*file);
  if (!d) GTEST_SKIP() << "does not open: " << d.error().message;
  std::vector<core::Packet> all;
  for (core::Packet p; d->next_packet(p);) all.push_back(p);
  ASSERT_FALSE(all.empty());
  const std::uint64_t end = static_cast<std::uint64_t>(all.back().dts) + all.back().duration;
  for (std::uint64_t t : {std::uint64_t{0}, end / 7, end / 2, end / 2 + 1, end - 1, end + 100000}) {
    SCOPED_TRACE("t = " + std::to_string(t));
    std::size_t k = 0;
    while (k + 1 < all.size() && static_cast<std::uint64_t>(all[k + 1].dts) <= t) ++k;
    auto point = d->seek(1, t);
    ASSERT_TRUE(point) << point.error().message;
    EXPECT_EQ(point->dts, all[k].dts);
    core::Packet p;
    ASSERT_TRUE(d->next_packet(p));
    EXPECT_EQ(p.pos, all[k].pos);
    EXPECT_EQ(p.size, all[k].size);
  }
}

}  // namespace
