// iTunSMPB (iTunes' gapless info: moov/udta/meta/ilst/'----' with mean
// "com.apple.iTunes", name "iTunSMPB" and a data box holding hexadecimal
// words: reserved, encoder delay, padding, original length...) read through
// Demuxer::open on writer-built files, and detail::parse_itunsmpb on its own.
// Gapless info is optional: whatever is wrong with it, open succeeds and the
// file simply has none.
#include "mp4/movie.hpp"
#include "support/demux_fixture.hpp"
#include "support/ilst_writer.hpp"
#include "support/mp4_writer.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

using namespace frugal;
using namespace frugal::test;

namespace {

constexpr std::string_view kWellFormed =
    " 00000000 00000840 000001E4 0000000000A8C7DC 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
    "00000000";

Bytes smpb_item(std::string_view text) { return freeform_item("com.apple.iTunes", "iTunSMPB", text); }

MovieSpec movie_with(std::vector<Bytes> moov_extra) {
  MovieSpec m;
  m.tracks = {aac_track(ramp(3))};
  m.moov_extra = std::move(moov_extra);
  return m;
}

// Opens the movie (which must succeed, with its one track intact) and
// returns its iTunSMPB.
std::optional<core::GaplessInfo> gapless_of(const MovieSpec& spec) {
  OpenedMovie m(spec);
  EXPECT_TRUE(m.demuxer) << m.demuxer.error().message;
  if (!m.demuxer) return std::nullopt;
  EXPECT_EQ(m.demux().tracks().size(), 1u);
  if (!m.demux().tracks().empty()) {
    EXPECT_FALSE(m.track(0).error);
  }
  auto packets = read_all_packets(m.demux());
  EXPECT_TRUE(packets && packets->size() == 3u) << "the tag disturbs the packets";
  return m.demux().gapless();
}

void expect_values(const std::optional<core::GaplessInfo>& g, std::uint32_t delay, std::uint32_t padding,
                   std::uint64_t length) {
  ASSERT_TRUE(g);
  EXPECT_EQ(g->encoder_delay, delay);
  EXPECT_EQ(g->padding, padding);
  EXPECT_EQ(g->original_length, length);
}

std::optional<core::GaplessInfo> parse(std::string_view text) { return mp4::detail::parse_itunsmpb(bytes_of(text)); }

}  // namespace

// ---- through the demuxer ------------------------------------------------------------------

TEST(ItunesGapless, NoUdtaNoGaplessInfo) { EXPECT_FALSE(gapless_of(movie_with({}))); }

TEST(ItunesGapless, IsoMetaGivesTheThreeValues) {
  expect_values(gapless_of(movie_with({udta_with({smpb_item(kWellFormed)})})), 0x840, 0x1E4, 0xA8C7DC);
}

TEST(ItunesGapless, QuickTimeMetaWithoutVersionAndFlags) {
  expect_values(gapless_of(movie_with({udta_with({smpb_item(kWellFormed)}, MetaStyle::quicktime)})), 0x840, 0x1E4,
                0xA8C7DC);
}

TEST(ItunesGapless, FoundAmongOtherItems) {
  // iTunNORM before it, a plain tag after it; udta holding other boxes first.
  const Bytes norm = freeform_item("com.apple.iTunes", "iTunNORM", " 00000001 00000002");
  const Bytes title = BoxWriter().begin("\xA9nam").begin("data").u32(1).u32(0).bytes(bytes_of("t")).end().end().take();
  BoxWriter udta;
  udta.begin("udta").begin("Xtra").u32(0).end();
  udta.full_box("meta").bytes(hdlr_box(FourCC("mdir"), FourCC(), "")).begin("free").end();
  udta.begin("ilst").bytes(norm).bytes(smpb_item(" 00000000 00000A00 00000010 0000000000000100")).bytes(title);
  udta.end().end().end();
  expect_values(gapless_of(movie_with({udta.take()})), 0xA00, 0x10, 0x100);
}

// Two udtas in moov, the first without iTunSMPB: the second's is found.
TEST(ItunesGapless, SecondUdtaHoldsTheTag) {
  expect_values(gapless_of(movie_with({udta_with({freeform_item("com.apple.iTunes", "iTunNORM", " 1 2 3 4")}),
                                       udta_with({smpb_item(" 0 1 2 3")})})),
                1, 2, 3);
}

TEST(ItunesGapless, LengthZeroMeansNotGiven) {
  expect_values(gapless_of(movie_with({udta_with({smpb_item(" 00000000 00000840 00000000 0000000000000000")})})),
                0x840, 0, 0);
}

TEST(ItunesGapless, MalformedTextMeansNone) {
  for (std::string_view text : {
           std::string_view(" 00000000 0000084G 000001E4 0000000000A8C7DC"),   // not hexadecimal
           std::string_view(" 00000000 00000840 000001E4"),                    // three words
           std::string_view(""),                                               // nothing
           std::string_view("   "),                                            // blanks
           std::string_view(" 00000000 00000840 000001E4 00000000000A8C7DC00"), // 17+ digits
           std::string_view(" 00000000 100000000 000001E4 0000000000A8C7DC"),  // delay over 32 bits
           std::string_view(" 00000000 00000840 100000000 0000000000A8C7DC"),  // padding over 32 bits
           std::string_view(" 00000000 -0000840 000001E4 0000000000A8C7DC"),   // a sign
           std::string_view(" 0x000000 00000840 000001E4 0000000000A8C7DC"),   // a 0x prefix
       }) {
    SCOPED_TRACE(std::string(text));
    EXPECT_FALSE(gapless_of(movie_with({udta_with({smpb_item(text)})})));
  }
}

TEST(ItunesGapless, WrongMeanOrNameMeansNone) {
  const std::string_view text = kWellFormed;
  EXPECT_FALSE(gapless_of(movie_with({udta_with({freeform_item("com.apple.iTune", "iTunSMPB", text)})})));
  EXPECT_FALSE(gapless_of(movie_with({udta_with({freeform_item("org.example", "iTunSMPB", text)})})));
  EXPECT_FALSE(gapless_of(movie_with({udta_with({freeform_item("com.apple.iTunes", "iTunNORM", text)})})));
  EXPECT_FALSE(gapless_of(movie_with({udta_with({freeform_item("com.apple.iTunes", "itunsmpb", text)})})));
  EXPECT_FALSE(gapless_of(movie_with({udta_with({freeform_item(std::nullopt, "iTunSMPB", text)})})));
  EXPECT_FALSE(gapless_of(movie_with({udta_with({freeform_item("com.apple.iTunes", std::nullopt, text)})})));
}

TEST(ItunesGapless, FreeformItemWithoutDataMeansNone) {
  EXPECT_FALSE(gapless_of(movie_with({udta_with({freeform_item("com.apple.iTunes", "iTunSMPB", std::nullopt)})})));
  // A data box too short for its type and locale.
  const Bytes short_data = BoxWriter()
                               .begin("----")
                               .full_box("mean").bytes(bytes_of("com.apple.iTunes")).end()
                               .full_box("name").bytes(bytes_of("iTunSMPB")).end()
                               .begin("data").u32(1).end()
                               .end()
                               .take();
  EXPECT_FALSE(gapless_of(movie_with({udta_with({short_data})})));
}

TEST(ItunesGapless, ItemsOutsideIlstAreNotRead) {
  // A '----' straight in meta, or meta straight in moov: not where iTunes puts it.
  BoxWriter w;
  w.begin("udta").full_box("meta").bytes(hdlr_box(FourCC("mdir"), FourCC(), "")).bytes(smpb_item(kWellFormed));
  w.end().end();
  EXPECT_FALSE(gapless_of(movie_with({w.take()})));
  BoxWriter m;
  m.full_box("meta").bytes(hdlr_box(FourCC("mdir"), FourCC(), "")).begin("ilst").bytes(smpb_item(kWellFormed));
  m.end().end();
  EXPECT_FALSE(gapless_of(movie_with({m.take()})));
}

// Sizes that overrun their parent inside udta: the tag is dropped, the
// movie opens.
TEST(ItunesGapless, TruncatedUdtaMeansNoneAndOpenSucceeds) {
  const Bytes good = udta_with({smpb_item(kWellFormed)});
  // The size of each box inside udta (meta, ilst, ----, mean, name, data)
  // bumped past its parent's end, one at a time.
  const auto header_offsets = [&] {
    std::vector<std::size_t> at;
    for (std::size_t i = 4; i + 4 <= good.size(); ++i) {
      const std::string_view type(reinterpret_cast<const char*>(good.data()) + i, 4);
      if (type == "meta" || type == "ilst" || type == "----" || type == "data" || type == "mean" || type == "name")
        at.push_back(i - 4);
    }
    return at;
  }();
  ASSERT_EQ(header_offsets.size(), 6u);
  for (std::size_t at : header_offsets) {
    SCOPED_TRACE("size of '" + std::string(reinterpret_cast<const char*>(good.data()) + at + 4, 4) + "' at " +
                 std::to_string(at));
    Bytes bad = good;
    const auto size = static_cast<std::uint32_t>(std::to_integer<std::uint32_t>(bad[at]) << 24 |
                                                 std::to_integer<std::uint32_t>(bad[at + 1]) << 16 |
                                                 std::to_integer<std::uint32_t>(bad[at + 2]) << 8 |
                                                 std::to_integer<std::uint32_t>(bad[at + 3])) + 1000;
    for (int k = 0; k < 4; ++k) bad[at + static_cast<std::size_t>(k)] = static_cast<std::byte>(size >> (24 - 8 * k));
    EXPECT_FALSE(gapless_of(movie_with({bad})));
  }
  // A udta whose last child is cut after its header's first bytes.
  Bytes cut = BoxWriter().begin("udta").bytes(bytes_of(std::string_view("\0\0\0\x40me", 6))).end().take();
  EXPECT_FALSE(gapless_of(movie_with({cut})));
  // A meta too short to hold anything.
  EXPECT_FALSE(gapless_of(movie_with({BoxWriter().begin("udta").full_box("meta").end().end().take()})));
  // A good udta after the broken one: found.
  expect_values(gapless_of(movie_with({cut, good})), 0x840, 0x1E4, 0xA8C7DC);
}

// A file cut short inside the udta at the end of its movie header (moov
// last, after mdat, as ffmpeg writes by default and tag editors append to).
// Every track is whole, yet open fails: the demuxer takes any moov cut off
// by the end of the file for malformed, whichever of its boxes the cut
// falls in. (What this pins down is a policy; if a cut inside a trailing
// udta is to lose only the tag, this test changes with it.)
TEST(ItunesGapless, FileCutShortInsideTheUdtaIsAMoovCutOff) {
  MovieSpec spec = movie_with({udta_with({smpb_item(kWellFormed)})});
  spec.layout = Layout::mdat_first;
  const Bytes whole = build_mp4(spec);
  {
    OpenedMovie m(whole);
    ASSERT_TRUE(m.demuxer) << m.demuxer.error().message;
    expect_values(m.demux().gapless(), 0x840, 0x1E4, 0xA8C7DC);
  }
  const std::size_t udta_size = udta_with({smpb_item(kWellFormed)}).size();
  for (const std::size_t cut : {std::size_t{4}, std::size_t{20}, udta_size / 2, udta_size - 10}) {
    SCOPED_TRACE("cut " + std::to_string(cut) + " bytes into the udta");
    OpenedMovie m(Bytes(whole.begin(), whole.end() - static_cast<std::ptrdiff_t>(udta_size - cut)));
    ASSERT_FALSE(m.demuxer);
    EXPECT_EQ(m.demuxer.error().code, core::Errc::malformed) << m.demuxer.error().message;
  }
}

// A data box whose size runs past the end of its '----' item, the item
// ending inside the text: the text is cut ("...0000000000A8" of
// "...0000000000A8C7DC"). A nested box larger than its parent is malformed
// (BoxReader's rule below the top level), so there is no gapless info; it
// must not be read as an original length of 0xA8.
TEST(ItunesGapless, DataBoxOverrunningItsItemIsMalformed) {
  Bytes item = smpb_item(" 00000000 00000840 000001E4 0000000000A8");
  // The data box is the item's last child: its size is at 8 + 28 (mean) + 20 (name).
  const std::size_t at = 8 + (12 + 16) + (12 + 8);
  ASSERT_EQ(std::string_view(reinterpret_cast<const char*>(item.data()) + at + 4, 4), "data");
  // 4 bytes ("C7DC") more than there are.
  item[at + 3] = static_cast<std::byte>(std::to_integer<int>(item[at + 3]) + 4);
  const auto g = gapless_of(movie_with({udta_with({item})}));
  EXPECT_FALSE(g) << "read as delay " << (g ? g->encoder_delay : 0) << ", length " << (g ? g->original_length : 0);
}

// ---- parse_itunsmpb on its own -----------------------------------------------------------

TEST(ParseItunsmpb, UpperAndLowerCaseHex) {
  auto upper = parse(" 00000000 00000A1F 000001E4 0000000000A8C7DC");
  ASSERT_TRUE(upper);
  EXPECT_EQ(upper->encoder_delay, 0xA1Fu);
  EXPECT_EQ(upper->padding, 0x1E4u);
  EXPECT_EQ(upper->original_length, 0xA8C7DCu);
  auto lower = parse(" 00000000 00000a1f 000001e4 0000000000a8c7dc");
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->encoder_delay, upper->encoder_delay);
  EXPECT_EQ(lower->padding, upper->padding);
  EXPECT_EQ(lower->original_length, upper->original_length);
  auto mixed = parse(" 0 a1F 1E4 A8c7Dc");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->encoder_delay, 0xA1Fu);
  EXPECT_EQ(mixed->original_length, 0xA8C7DCu);
}

TEST(ParseItunsmpb, ExtraWordsAreIgnored) {
  auto g = parse(kWellFormed);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->encoder_delay, 0x840u);
  EXPECT_EQ(g->padding, 0x1E4u);
  EXPECT_EQ(g->original_length, 0xA8C7DCu);
  // Whatever follows the fourth word is not looked at.
  auto junk = parse(" 00000000 00000840 000001E4 0000000000A8C7DC zz 0000000000000000000000");
  ASSERT_TRUE(junk);
  EXPECT_EQ(junk->original_length, 0xA8C7DCu);
}

TEST(ParseItunsmpb, SpacingAndWidths) {
  // No leading blank, several blanks between words, a trailing blank.
  auto g = parse("00000000  00000840   000001E4 0000000000A8C7DC ");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->encoder_delay, 0x840u);
  // The largest values: 32-bit delay and padding, 64-bit length (16 digits).
  auto big = parse(" 00000000 FFFFFFFF FFFFFFFF FFFFFFFFFFFFFFFF");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->encoder_delay, 0xFFFFFFFFu);
  EXPECT_EQ(big->padding, 0xFFFFFFFFu);
  EXPECT_EQ(big->original_length, ~std::uint64_t{0});
  // Leading zeros count as digits: 17 of them is too long.
  EXPECT_FALSE(parse(" 00000000 00000840 000001E4 00000000000000001"));
  EXPECT_TRUE(parse(" 00000000 00000840 000001E4 0000000000000001"));
}

TEST(ParseItunsmpb, RejectsWhatIsNotTheTag) {
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse(" "));
  EXPECT_FALSE(parse(" 00000000 00000840 000001E4"));
  EXPECT_FALSE(parse(" 00000000 00000840 000001E4 "));
  EXPECT_FALSE(parse(" 00000000 0000084g 000001E4 0000000000A8C7DC"));
  EXPECT_FALSE(parse(" 00000000 100000000 000001E4 0000000000A8C7DC"));
  EXPECT_FALSE(parse(" 00000000 00000840 1FFFFFFFF 0000000000A8C7DC"));
  EXPECT_FALSE(parse("\t00000000\t00000840\t000001E4\t0000000000A8C7DC"));  // blanks are spaces only
  EXPECT_FALSE(parse(std::string_view(" 00000000 00000840\0 000001E4 0000000000A8C7DC", 44)));
}
