// read_tags on files built byte by byte: every field, the caps (pictures
// reported but never read, tag areas refused), hostile structures, and the
// memory charged.
#include "tags/fixtures.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/tags/tags.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

using namespace frugal;
using namespace frugal::test;

namespace {

// A source that counts the bytes read in a range: to prove a picture was
// never read.
class WatchingSource final : public core::ByteSource {
 public:
  WatchingSource(const Bytes& bytes, std::uint64_t begin, std::uint64_t end)
      : inner_(bytes), begin_(begin), end_(end) {}
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    const std::uint64_t lo = std::max(offset, begin_), hi = std::min(offset + dst.size(), end_);
    if (lo < hi) watched_ += hi - lo;
    return inner_.read_at(offset, dst);
  }
  std::optional<std::uint64_t> size() const override { return inner_.size(); }
  std::uint64_t watched() const { return watched_; }

 private:
  core::MemorySource inner_;
  std::uint64_t begin_, end_;
  std::uint64_t watched_ = 0;
};

// A file of stored runs each followed by declared zeros: multi-GiB boxes
// for a few bytes of memory. Counts the zeros read, to prove a box's
// padding never was.
class SparseSource final : public core::ByteSource {
 public:
  struct Run {
    Bytes bytes;
    std::uint64_t zeros = 0;
  };
  explicit SparseSource(std::vector<Run> runs) : runs_(std::move(runs)) {
    for (const Run& r : runs_) size_ += r.bytes.size() + r.zeros;
  }
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    const auto n = static_cast<std::size_t>(offset >= size_ ? 0 : std::min<std::uint64_t>(dst.size(), size_ - offset));
    std::fill_n(dst.begin(), n, std::byte{0});
    std::uint64_t at = 0, stored = 0;
    for (const Run& r : runs_) {
      const std::uint64_t lo = std::max(offset, at), hi = std::min(offset + n, at + r.bytes.size());
      if (lo < hi) std::memcpy(dst.data() + (lo - offset), r.bytes.data() + (lo - at), hi - lo);
      stored += lo < hi ? hi - lo : 0;
      at += r.bytes.size() + r.zeros;
    }
    zeros_read_ += n - stored;
    return n;
  }
  std::optional<std::uint64_t> size() const override { return size_; }
  std::uint64_t zeros_read() const { return zeros_read_; }

 private:
  std::vector<Run> runs_;
  std::uint64_t size_ = 0;
  std::uint64_t zeros_read_ = 0;
};

Bytes header64(FourCC type, std::uint64_t size) { return BoxWriter().u32(1).fourcc(type).u64(size).take(); }

// ftyp, then moov/udta/meta/ilst (64-bit headers) holding a title item and
// an item `type` (64-bit header) of `children`.
std::vector<SparseSource::Run> sparse_m4a(FourCC type, std::vector<SparseSource::Run> children) {
  const Bytes title = ilst_item("\251nam", bytes_of("Sparse"));
  std::uint64_t item = 16;
  for (const auto& c : children) item += c.bytes.size() + c.zeros;
  const std::uint64_t ilst = 16 + title.size() + item, meta = 16 + 4 + ilst, udta = 16 + meta;
  const Bytes ftyp = BoxWriter().begin("ftyp").fourcc("M4A ").u32(0).fourcc("M4A ").end().take();
  const Bytes head = concat({ftyp, header64("moov", 16 + udta), header64("udta", udta), header64("meta", meta),
                             Bytes(4), header64("ilst", ilst), title, header64(type, item)});
  children.insert(children.begin(), {head, 0});
  return children;
}

core::Result<tags::Tags> read(const Bytes& file, const tags::TagOptions& options = {}) {
  core::MemorySource source(file);
  return tags::read_tags(source, options);
}

std::uint64_t find(const Bytes& haystack, const Bytes& needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end());
  return it == haystack.end() ? ~std::uint64_t{0} : static_cast<std::uint64_t>(it - haystack.begin());
}

Bytes text_item(FourCC type, std::string_view text) { return ilst_item(type, bytes_of(text)); }

Bytes position_item(FourCC type, std::uint16_t n, std::uint16_t total) {
  const std::byte v[] = {std::byte{0}, std::byte{0}, std::byte(n >> 8), std::byte(n), std::byte(total >> 8),
                         std::byte(total), std::byte{0}, std::byte{0}};
  return ilst_item(type, v, 0);
}

Bytes covr(std::initializer_list<std::pair<std::uint32_t, Bytes>> pictures) {
  BoxWriter w;
  w.begin("covr");
  for (const auto& [type, data] : pictures) w.begin("data").u32(type).u32(0).bytes(data).end();
  return w.end().take();
}

TEST(ReadTags, Mp4TextNumbersGenreReplayGainAndMusicBrainz) {
  const std::byte gnre[] = {std::byte{0}, std::byte{18}};  // ID3v1 genre 17 + 1: Rock
  const Bytes file = m4a_with(udta_with({
      text_item("\251nam", "Title"),
      text_item("\251ART", "Artist"),
      text_item("\251alb", "Album"),
      text_item("aART", "Album Artist"),
      text_item("\251day", "2024-05-01"),
      text_item("\251wrt", "Composer"),
      text_item("\251cmt", "Comment"),
      ilst_item(FourCC("gnre"), gnre, 0),
      position_item("trkn", 3, 12),
      position_item("disk", 1, 2),
      freeform_item("com.apple.iTunes", "replaygain_track_gain", "-6.48 dB"),
      freeform_item("com.apple.iTunes", "replaygain_track_peak", "0.988831"),
      freeform_item("com.apple.iTunes", "replaygain_album_gain", "-7.00 dB"),
      freeform_item("com.apple.iTunes", "replaygain_album_peak", "1.000000"),
      freeform_item("com.apple.iTunes", "MusicBrainz Track Id", "6f1d6a4c-1c1c-4c1c-9c1c-1c1c1c1c1c1c"),
      freeform_item("com.apple.iTunes", "MusicBrainz Album Id", "a1"),
      freeform_item("com.apple.iTunes", "MusicBrainz Artist Id", "b2"),
      freeform_item("com.apple.iTunes", "MusicBrainz Album Artist Id", "c3"),
      freeform_item("com.apple.iTunes", "MusicBrainz Release Group Id", "d4"),
  }));
  auto t = read(file);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->format, tags::TagFormat::mp4);
  EXPECT_EQ(t->title, "Title");
  EXPECT_EQ(t->artist, "Artist");
  EXPECT_EQ(t->album, "Album");
  EXPECT_EQ(t->album_artist, "Album Artist");
  EXPECT_EQ(t->date, "2024-05-01");
  EXPECT_EQ(t->composer, "Composer");
  EXPECT_EQ(t->comment, "Comment");
  EXPECT_EQ(t->genre, "Rock");
  EXPECT_EQ(t->track_number, 3u);
  EXPECT_EQ(t->track_total, 12u);
  EXPECT_EQ(t->disc_number, 1u);
  EXPECT_EQ(t->disc_total, 2u);
  EXPECT_DOUBLE_EQ(t->replay_gain.track_gain_db.value_or(0), -6.48);
  EXPECT_DOUBLE_EQ(t->replay_gain.track_peak.value_or(0), 0.988831);
  EXPECT_DOUBLE_EQ(t->replay_gain.album_gain_db.value_or(0), -7.0);
  EXPECT_DOUBLE_EQ(t->replay_gain.album_peak.value_or(0), 1.0);
  EXPECT_EQ(t->musicbrainz.track_id, "6f1d6a4c-1c1c-4c1c-9c1c-1c1c1c1c1c1c");
  EXPECT_EQ(t->musicbrainz.release_id, "a1");
  EXPECT_EQ(t->musicbrainz.artist_id, "b2");
  EXPECT_EQ(t->musicbrainz.album_artist_id, "c3");
  EXPECT_EQ(t->musicbrainz.release_group_id, "d4");
  EXPECT_TRUE(t->chapters.empty());
  EXPECT_TRUE(t->pictures.empty());
}

TEST(ReadTags, QuickTimeStyleMetaWithoutVersionAndFlags) {
  auto t = read(m4a_with(udta_with({text_item("\251nam", "QT")}, MetaStyle::quicktime)));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->title, "QT");
}

TEST(ReadTags, FilesWithoutTagsGiveEmptyTags) {
  BoxWriter w;
  w.begin("ftyp").fourcc("M4A ").u32(0).end().begin("moov").end();
  auto t = read(w.take());
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->title.empty());
  auto f = read(flac_file({}));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->format, tags::TagFormat::flac);
  EXPECT_TRUE(f->artist.empty());
}

TEST(ReadTags, Mp4CoverArtLoadedWithDimensions) {
  const Bytes jpeg = jpeg_image(600, 400), png = png_image(32, 16);
  auto t = read(m4a_with(udta_with({text_item("\251nam", "x"), covr({{13, jpeg}, {14, png}})})));
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->pictures.size(), 2u);
  EXPECT_EQ(t->pictures[0].mime_type, "image/jpeg");
  EXPECT_EQ(t->pictures[0].data, jpeg);
  EXPECT_EQ(t->pictures[0].width, 600u);
  EXPECT_EQ(t->pictures[0].height, 400u);
  EXPECT_EQ(t->pictures[1].mime_type, "image/png");
  EXPECT_EQ(t->pictures[1].width, 32u);
  EXPECT_TRUE(t->pictures[1].loaded());
  EXPECT_EQ(t->memory.bytes(), jpeg.size() + png.size());
}

TEST(ReadTags, OversizedCovrIsReportedNeverReadNorCharged) {
  const Bytes big = png_image(4000, 3000, 100000);
  const Bytes file = m4a_with(udta_with({text_item("\251nam", "Big art"), covr({{14, big}})}));
  const std::uint64_t at = find(file, big);
  WatchingSource source(file, at + 64, at + big.size());  // past the header probe_dimensions reads
  mem::MemoryTracker tracker;
  tags::TagOptions options;
  options.max_picture_bytes = 50000;
  options.tracker = &tracker;
  auto t = tags::read_tags(source, options);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->title, "Big art");
  ASSERT_EQ(t->pictures.size(), 1u);
  const tags::Picture& p = t->pictures[0];
  EXPECT_FALSE(p.loaded());
  EXPECT_STREQ(p.not_loaded, "over max_picture_bytes");
  EXPECT_EQ(p.size, big.size());
  EXPECT_EQ(p.offset, at);
  EXPECT_EQ(p.width, 4000u);  // from the first bytes only
  EXPECT_EQ(p.mime_type, "image/png");
  EXPECT_TRUE(p.data.empty());
  EXPECT_LE(source.watched(), 4096u - 64u) << "TagLib read the picture";
  EXPECT_EQ(t->memory.bytes(), 0u);
  EXPECT_LT(tracker.peak_total(), 1000u) << "the view held the picture";
}

TEST(ReadTags, OnePictureOverTheCapKeepsItsWholeCovrItemOut) {
  const Bytes small = png_image(8, 8), big = png_image(9, 9, 5000);
  tags::TagOptions options;
  options.max_picture_bytes = 1000;
  auto t = read(m4a_with(udta_with({covr({{14, small}, {14, big}})})), options);
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->pictures.size(), 2u);
  EXPECT_STREQ(t->pictures[0].not_loaded, "shares a covr item with a picture not loaded");
  EXPECT_STREQ(t->pictures[1].not_loaded, "over max_picture_bytes");
}

TEST(ReadTags, PicturesNotRequestedAndPastTheCount) {
  const Bytes png = png_image(8, 8);
  tags::TagOptions none;
  none.load_pictures = false;
  auto t = read(m4a_with(udta_with({covr({{14, png}})})), none);
  ASSERT_TRUE(t);
  ASSERT_EQ(t->pictures.size(), 1u);
  EXPECT_STREQ(t->pictures[0].not_loaded, "pictures not requested");

  tags::TagOptions two;
  two.max_pictures = 2;
  const Bytes flac = flac_file({{6, flac_picture(3, "image/png", "a", 8, 8, png)},
                                {6, flac_picture(4, "image/png", "b", 8, 8, png)},
                                {6, flac_picture(5, "image/png", "c", 8, 8, png)}});
  auto f = read(flac, two);
  ASSERT_TRUE(f) << f.error().message;
  ASSERT_EQ(f->pictures.size(), 3u);
  EXPECT_TRUE(f->pictures[0].loaded());
  EXPECT_TRUE(f->pictures[1].loaded());
  EXPECT_STREQ(f->pictures[2].not_loaded, "more than max_pictures");
  EXPECT_EQ(f->pictures[2].description, "c");
}

// A covr item holding boxes besides 'data': TagLib reads the item whole,
// so its other children (here 4.5 GiB of 'free') count against the picture
// caps: the picture is reported, not loaded, and the padding never read
// (a few header bytes past a box are peeked).
TEST(ReadTags, CovrWithOtherChildrenCountsThemAgainstTheCaps) {
  const Bytes data = BoxWriter().begin("data").u32(13).u32(0).bytes(jpeg_image(2, 2, 0)).end().take();
  const auto free_box = [](std::uint32_t size) {
    return SparseSource::Run{BoxWriter().u32(size).fourcc("free").take(), size - 8u};
  };
  SparseSource huge(sparse_m4a("covr", {{data, 0}, free_box(0x90000000u), free_box(0x90000000u)}));
  auto t = tags::read_tags(huge);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->title, "Sparse");
  ASSERT_EQ(t->pictures.size(), 1u);
  EXPECT_STREQ(t->pictures[0].not_loaded, "shares a covr item with other boxes over the caps");
  EXPECT_EQ(t->pictures[0].width, 2u);
  EXPECT_LT(huge.zeros_read(), 64u);

  // 768 MiB of padding around a tiny picture, under a 64 KiB budget: the
  // tags are still read, the padding never.
  mem::TrackerOptions budgeted;
  budgeted.budget = 64u << 10;
  mem::MemoryTracker tracker(budgeted);
  tags::TagOptions options;
  options.tracker = &tracker;
  SparseSource padded(sparse_m4a("covr", {{data, 0}, free_box(768u << 20)}));
  auto p = tags::read_tags(padded, options);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->title, "Sparse");
  ASSERT_EQ(p->pictures.size(), 1u);
  EXPECT_FALSE(p->pictures[0].loaded());
  EXPECT_LT(padded.zeros_read(), 64u);
  EXPECT_LT(tracker.peak_total(), 64u << 10);
}

// Caps set past what an MP4 view can hold (32-bit box sizes): an error, not
// an assertion, and nothing read.
TEST(ReadTags, Mp4TagAreaPastFourGibIsAnError) {
  const auto data_box = [](std::uint32_t size) {
    return SparseSource::Run{BoxWriter().u32(size).fourcc("data").u32(1).u32(0).take(), size - 16u};
  };
  SparseSource source(sparse_m4a("\251cmt", {data_box(0x90000000u), data_box(0x90000000u)}));
  tags::TagOptions options;
  options.max_tag_bytes = SIZE_MAX;
  auto t = tags::read_tags(source, options);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, core::Errc::limit_exceeded);
  EXPECT_LT(source.zeros_read(), 64u);
}

TEST(ReadTags, Mp4TagAreaOverTheCapIsRefused) {
  const std::string long_text(5000, 'x');
  tags::TagOptions options;
  options.max_tag_bytes = 4096;
  auto t = read(m4a_with(udta_with({text_item("\251nam", long_text)})), options);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, core::Errc::limit_exceeded);
  options.max_tag_bytes = 8192;
  EXPECT_TRUE(read(m4a_with(udta_with({text_item("\251nam", long_text)})), options));
}

TEST(ReadTags, HostileIlstItemsAreDroppedOrRefused) {
  // An item whose data child claims more than the item holds, a data child
  // too short for its header, and a good item after them.
  BoxWriter bad;
  bad.begin("\251ART").u32(0x7FFFFFF0).fourcc("data").u32(1).u32(0).end();
  BoxWriter tiny;
  tiny.begin("\251alb").u32(12).fourcc("data").u32(1).end();
  const Bytes file = m4a_with(udta_with({bad.take(), tiny.take(), text_item("\251nam", "Survivor")}));
  auto t = read(file);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->title, "Survivor");
  EXPECT_TRUE(t->artist.empty());
  EXPECT_TRUE(t->album.empty());

  // ilst larger than its parent: the structure itself is broken.
  Bytes broken = m4a_with(udta_with({text_item("\251nam", "x")}));
  const std::uint64_t ilst = find(broken, Bytes{std::byte{'i'}, std::byte{'l'}, std::byte{'s'}, std::byte{'t'}}) - 4;
  broken[ilst] = std::byte{0x7F};
  auto b = read(broken);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, core::Errc::malformed);

  // Every truncation of a tagged file: a clean result or a clean error.
  const Bytes whole = m4a_with(udta_with({text_item("\251nam", "Cut"), covr({{14, png_image(2, 2)}})}));
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
    (void)read(cut);
  }
}

TEST(ReadTags, FlacCommentsPicturesAndOversizedPictureBlock) {
  const Bytes png = png_image(64, 48), big = jpeg_image(3000, 2000, 70000);
  const Bytes file = flac_file({{4, vorbis_comment({{"TITLE", "Flac Title"},
                                                    {"ARTIST", "A"},
                                                    {"ARTIST", "B"},
                                                    {"ALBUMARTIST", "AA"},
                                                    {"TRACKNUMBER", "4"},
                                                    {"TRACKTOTAL", "9"},
                                                    {"DISCNUMBER", "2/2"},
                                                    {"REPLAYGAIN_TRACK_GAIN", "-3.21 dB"},
                                                    {"replaygain_album_gain", "-4.5 dB"},
                                                    {"MUSICBRAINZ_RELEASEGROUPID", "rg"},
                                                    {"CHAPTER001", "00:00:00.000"},
                                                    {"CHAPTER001NAME", "One"},
                                                    {"CHAPTER002", "00:00:10.000"}})},
                                {1, Bytes(100)},
                                {6, flac_picture(3, "image/png", "front", 0, 0, png)},
                                {6, flac_picture(4, "image/jpeg", "back", 3000, 2000, big)}});
  const std::uint64_t at = find(file, big);
  // Past the header probe_dimensions reads, short of the ID3v1 check's
  // 3 bytes at the end - 128.
  WatchingSource source(file, at + 4096, file.size() - 128);
  tags::TagOptions options;
  options.max_picture_bytes = 10000;
  auto t = tags::read_tags(source, options);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->format, tags::TagFormat::flac);
  EXPECT_EQ(t->title, "Flac Title");
  EXPECT_EQ(t->artist, "A B");  // joined as TagLib joins them
  EXPECT_EQ(t->album_artist, "AA");
  EXPECT_EQ(t->track_number, 4u);
  EXPECT_EQ(t->track_total, 9u);
  EXPECT_EQ(t->disc_number, 2u);
  EXPECT_EQ(t->disc_total, 2u);
  EXPECT_DOUBLE_EQ(t->replay_gain.track_gain_db.value_or(0), -3.21);
  EXPECT_DOUBLE_EQ(t->replay_gain.album_gain_db.value_or(0), -4.5);
  EXPECT_EQ(t->musicbrainz.release_group_id, "rg");
  ASSERT_EQ(t->chapters.size(), 2u);
  EXPECT_EQ(t->chapters[0].title, "One");
  EXPECT_EQ(t->chapters[0].end, 10000u);
  ASSERT_EQ(t->pictures.size(), 2u);
  EXPECT_TRUE(t->pictures[0].loaded());
  EXPECT_EQ(t->pictures[0].description, "front");
  EXPECT_EQ(t->pictures[0].width, 64u);  // parsed; the block said 0
  EXPECT_EQ(t->pictures[0].data, png);
  const tags::Picture& back = t->pictures[1];
  EXPECT_STREQ(back.not_loaded, "over max_picture_bytes");
  EXPECT_EQ(back.type, 4u);
  EXPECT_EQ(back.size, big.size());
  EXPECT_EQ(back.offset, at);
  EXPECT_EQ(back.width, 3000u);
  EXPECT_EQ(source.watched(), 0u) << "TagLib read the oversized PICTURE block";
}

// A PICTURE block longer than its picture: the bytes after the data would
// reach TagLib uncounted by max_picture_bytes, so the block is dropped.
TEST(ReadTags, FlacPictureBlockWithTrailingBytesIsDropped) {
  const Bytes png = png_image(4, 4);
  Bytes padded = flac_picture(3, "image/png", "padded", 4, 4, png);
  padded.resize(padded.size() + 100000);
  tags::TagOptions options;
  options.max_picture_bytes = 1000;
  const Bytes file = flac_file({{4, vorbis_comment({{"TITLE", "T"}})},
                                {6, padded},
                                {6, flac_picture(4, "image/png", "kept", 4, 4, png)}});
  const std::uint64_t at = find(file, Bytes(100000));
  WatchingSource source(file, at, at + 100000);
  auto t = tags::read_tags(source, options);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->title, "T");
  ASSERT_EQ(t->pictures.size(), 1u);
  EXPECT_EQ(t->pictures[0].description, "kept");
  EXPECT_EQ(t->pictures[0].data, png);
  EXPECT_EQ(source.watched(), 0u) << "TagLib read the padded PICTURE block";
}

TEST(ReadTags, FlacStructureErrors) {
  Bytes no_streaminfo = flac_file({});
  no_streaminfo[4] = std::byte{0x84};  // first block VORBIS_COMMENT
  auto a = read(no_streaminfo);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, core::Errc::malformed);

  Bytes past_end = flac_file({{4, vorbis_comment({{"TITLE", "x"}})}}, {});
  past_end.resize(past_end.size() - 3);
  auto b = read(past_end);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, core::Errc::malformed);

  tags::TagOptions small;
  small.max_tag_bytes = 100;
  auto c = read(flac_file({{4, vorbis_comment({{"TITLE", std::string(200, 'y')}})}}), small);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::Errc::limit_exceeded);
}

TEST(ReadTags, OpusR128GainsAndChapters) {
  auto t = read(opus_file({{"TITLE", "Opus"},
                           {"R128_TRACK_GAIN", "-1280"},
                           {"R128_ALBUM_GAIN", "256"},
                           {"CHAPTER01", "00:00:05.250"},
                           {"CHAPTER01NAME", "Five"}}));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->format, tags::TagFormat::ogg_opus);
  EXPECT_EQ(t->title, "Opus");
  EXPECT_DOUBLE_EQ(t->replay_gain.track_gain_db.value_or(0), 0.0);  // -5 dB + 5
  EXPECT_DOUBLE_EQ(t->replay_gain.album_gain_db.value_or(0), 6.0);
  EXPECT_FALSE(t->replay_gain.track_peak);
  ASSERT_EQ(t->chapters.size(), 1u);
  EXPECT_EQ(t->chapters[0].start, 5250u);
  EXPECT_EQ(t->chapters[0].title, "Five");

  // REPLAYGAIN_* win over R128_*.
  auto both = read(opus_file({{"R128_TRACK_GAIN", "0"}, {"REPLAYGAIN_TRACK_GAIN", "-2 dB"}}));
  ASSERT_TRUE(both);
  EXPECT_DOUBLE_EQ(both->replay_gain.track_gain_db.value_or(0), -2.0);
}

TEST(ReadTags, OggCommentSpanningPagesAndItsCap) {
  const std::string long_title(70000, 't');  // about 275 segments: two pages
  const Bytes file = opus_file({{"TITLE", long_title}});
  auto t = read(file);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->title, long_title);
  tags::TagOptions options;
  options.max_tag_bytes = 65536;
  auto capped = read(file, options);
  ASSERT_FALSE(capped);
  EXPECT_EQ(capped.error().code, core::Errc::limit_exceeded);

  Bytes cut(file.begin(), file.begin() + 1000);
  auto c = read(cut);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::Errc::malformed);
}

TEST(ReadTags, OggVorbisPicturesOverTheCapAreDropped) {
  Bytes ident;
  const char id[] = "\x01vorbis";
  ident.insert(ident.end(), reinterpret_cast<const std::byte*>(id), reinterpret_cast<const std::byte*>(id) + 7);
  ident.resize(30);
  ident[11] = std::byte{2};  // channels
  ident[12] = std::byte{0x44};
  ident[13] = std::byte{0xAC};  // 44100 Hz
  ident[29] = std::byte{1};     // framing
  // METADATA_BLOCK_PICTURE: base64 of a PICTURE block (RFC 9639 §8.8).
  const Bytes picture = flac_picture(3, "image/png", "", 0, 0, png_image(5, 7, 2000));
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  for (std::size_t i = 0; i < picture.size(); i += 3) {
    std::uint32_t v = std::to_integer<std::uint32_t>(picture[i]) << 16;
    if (i + 1 < picture.size()) v |= std::to_integer<std::uint32_t>(picture[i + 1]) << 8;
    if (i + 2 < picture.size()) v |= std::to_integer<std::uint32_t>(picture[i + 2]);
    encoded += b64[v >> 18 & 63];
    encoded += b64[v >> 12 & 63];
    encoded += i + 1 < picture.size() ? b64[v >> 6 & 63] : '=';
    encoded += i + 2 < picture.size() ? b64[v & 63] : '=';
  }
  Bytes comment;
  const char hdr[] = "\x03vorbis";
  comment.insert(comment.end(), reinterpret_cast<const std::byte*>(hdr), reinterpret_cast<const std::byte*>(hdr) + 7);
  const Bytes vc = vorbis_comment({{"TITLE", "V"}, {"METADATA_BLOCK_PICTURE", encoded}});
  comment.insert(comment.end(), vc.begin(), vc.end());
  comment.push_back(std::byte{1});  // framing bit
  const Bytes file = ogg_stream({ident, comment, Bytes(10, std::byte{0})});

  auto loaded = read(file);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->format, tags::TagFormat::ogg_vorbis);
  EXPECT_EQ(loaded->title, "V");
  ASSERT_EQ(loaded->pictures.size(), 1u);
  EXPECT_EQ(loaded->pictures[0].width, 5u);
  EXPECT_EQ(loaded->pictures[0].height, 7u);

  tags::TagOptions options;
  options.max_picture_bytes = 1000;
  auto dropped = read(file, options);
  ASSERT_TRUE(dropped);
  ASSERT_EQ(dropped->pictures.size(), 1u);
  EXPECT_STREQ(dropped->pictures[0].not_loaded, "over max_picture_bytes");
  EXPECT_EQ(dropped->pictures[0].width, 5u);  // described from the bytes TagLib read
  EXPECT_FALSE(dropped->pictures[0].offset);
  EXPECT_EQ(dropped->memory.bytes(), 0u);
}

TEST(ReadTags, MpegId3v2AndId3v1) {
  // ID3v2.3 with a TIT2 frame, then MPEG frames, then an ID3v1 tag.
  Bytes file;
  const std::string frame_text = std::string("\x03", 1) + "Mpeg Title";
  const auto add = [&](std::string_view s) {
    for (char c : s) file.push_back(static_cast<std::byte>(c));
  };
  add("ID3");
  file.push_back(std::byte{3});
  file.push_back(std::byte{0});
  file.push_back(std::byte{0});
  const std::uint32_t frames = 10 + static_cast<std::uint32_t>(frame_text.size());
  for (int s = 21; s >= 0; s -= 7) file.push_back(static_cast<std::byte>(frames >> s & 0x7F));
  add("TIT2");
  for (int s = 24; s >= 0; s -= 8) file.push_back(static_cast<std::byte>(frame_text.size() >> s));
  file.push_back(std::byte{0});
  file.push_back(std::byte{0});
  add(frame_text);
  for (int i = 0; i < 4; ++i) add("\xFF\xFB\x90\x00");
  file.resize(file.size() + 400);
  Bytes v1(128);
  std::memcpy(v1.data(), "TAG", 3);
  std::memcpy(v1.data() + 33, "V1 Artist", 9);
  file.insert(file.end(), v1.begin(), v1.end());
  auto t = read(file);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->format, tags::TagFormat::mpeg);
  EXPECT_EQ(t->title, "Mpeg Title");
  EXPECT_EQ(t->artist, "V1 Artist");  // TagLib's union: ID3v2 first, then ID3v1
}

TEST(ReadTags, UnsupportedContentAndSources) {
  auto t = read(Bytes(64, std::byte{'x'}));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, core::Errc::unsupported);
}

TEST(ReadTags, ChargesPicturesUntilTheTagsGoAndFailsPastTheBudget) {
  const Bytes png = png_image(10, 10, 3000);
  const Bytes file = flac_file({{4, vorbis_comment({{"TITLE", "t"}})}, {6, flac_picture(3, "image/png", "", 0, 0, png)}});
  mem::TrackerOptions budgeted;
  budgeted.budget = 64u << 10;
  mem::MemoryTracker tracker(budgeted);
  tags::TagOptions options;
  options.tracker = &tracker;
  {
    auto t = read(file, options);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->memory.bytes(), png.size());
    EXPECT_EQ(tracker.total(), png.size());
    EXPECT_GE(tracker.peak_total(), png.size() + 3000) << "the view is charged while TagLib reads it";
  }
  EXPECT_EQ(tracker.total(), 0u);

  mem::TrackerOptions tight;
  tight.budget = 2000;
  mem::MemoryTracker small(tight);
  options.tracker = &small;
  auto t = read(file, options);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, core::Errc::out_of_memory);
  EXPECT_EQ(small.total(), 0u);

  // The view fits; the picture does not: out of memory when it is copied.
  const Bytes two = flac_file({{6, flac_picture(3, "image/png", "", 0, 0, png)},
                               {6, flac_picture(3, "image/png", "", 0, 0, png)}});
  tight.budget = static_cast<std::size_t>(two.size()) + png.size();
  mem::MemoryTracker fits_one(tight);
  options.tracker = &fits_one;
  auto u = read(two, options);
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, core::Errc::out_of_memory);
  EXPECT_EQ(fits_one.total(), 0u);
}

}  // namespace
