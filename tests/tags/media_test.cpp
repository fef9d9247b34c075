// Every file in the media folder (mp4/ and other/): what read_tags finds
// agrees with TagLib's own reading of the file (TagLib::FileRef on the path,
// and the format classes for pictures) field by field, and with ffprobe's
// tags where ffprobe reports them.
//
// Legitimate differences, checked as such:
// - frugal picks the reader from the content, FileRef from the extension:
//   files whose extension names another format (or none TagLib knows) are
//   compared only when both read them;
// - ffprobe joins several values of one Vorbis field with ";" where TagLib
//   joins them with " ": such values are compared value by value;
// - ffprobe reads every Vorbis comment field, TagLib (and frugal) only the
//   first VORBIS_COMMENT block of a FLAC file (multiple-vc.flac);
// - invalid UTF-8 (bear_with_vorbis_comments_invalid_mutf8.flac): TagLib
//   gives an empty string, ffprobe U+FFFD replacement characters;
// - taglib's 64bit.mp4 nests an ilst 8 bytes larger than its meta: TagLib
//   reads past the parent, frugal refuses it (ISO/IEC 14496-12 §4.2: a box
//   lies within its parent) with Errc::malformed;
// - TagLib 1.x's MP4 properties leave out '----:com.apple.iTunes:
//   replaygain_*', which frugal reads: compared with TagLib's item map.
#include "support/media.hpp"

#include <frugal/core/file_source.hpp>
#include <frugal/tags/tags.hpp>

#include <fileref.h>
#include <flacfile.h>
#include <mp4file.h>
#include <oggfile.h>
#include <opusfile.h>
#include <tpropertymap.h>
#include <vorbisfile.h>
#include <xiphcomment.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>

using namespace frugal;
namespace fs = std::filesystem;

namespace {

std::string utf8(const TagLib::String& s) { return s.to8Bit(true); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<fs::path> tagged_candidates() {
  std::vector<fs::path> files = test::media_files("mp4");
  const auto other = test::media_files("other");
  files.insert(files.end(), other.begin(), other.end());
  return files;
}

std::string property(const TagLib::PropertyMap& p, const char* key) {
  const auto it = p.find(key);
  return it == p.end() ? std::string() : utf8(it->second.toString(" "));
}

// The number before any "/".
std::uint32_t leading_number(const std::string& s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) return 0;
  return static_cast<std::uint32_t>(std::stoul(s.substr(0, 9)));
}

// The image bytes of every picture TagLib's format class loads from `path`.
std::vector<TagLib::ByteVector> taglib_pictures(const fs::path& path, tags::TagFormat format) {
  std::vector<TagLib::ByteVector> out;
  const auto add_flac = [&](const TagLib::List<TagLib::FLAC::Picture*>& list) {
    for (const auto* p : list) out.push_back(p->data());
  };
  switch (format) {
    case tags::TagFormat::mp4: {
      TagLib::MP4::File f(path.c_str(), false);
      if (f.isValid() && f.tag()->contains("covr"))
        for (const auto& art : f.tag()->item("covr").toCoverArtList()) out.push_back(art.data());
      break;
    }
    case tags::TagFormat::flac: {
      TagLib::FLAC::File f(path.c_str(), false);
      add_flac(f.pictureList());
      break;
    }
    case tags::TagFormat::ogg_opus: {
      TagLib::Ogg::Opus::File f(path.c_str(), false);
      if (f.isValid()) add_flac(f.tag()->pictureList());
      break;
    }
    case tags::TagFormat::ogg_vorbis: {
      TagLib::Ogg::Vorbis::File f(path.c_str(), false);
      if (f.isValid()) add_flac(f.tag()->pictureList());
      break;
    }
    default: break;
  }
  return out;
}

// ReplayGain as TagLib states it: its properties, and for MP4 the
// freeform items of its item map; numbers read with strtod.
core::ReplayGain taglib_replaygain(const fs::path& path, tags::TagFormat format, const TagLib::PropertyMap& p) {
  std::map<std::string, std::string> texts;
  for (const char* key : {"REPLAYGAIN_TRACK_GAIN", "REPLAYGAIN_TRACK_PEAK", "REPLAYGAIN_ALBUM_GAIN", "REPLAYGAIN_ALBUM_PEAK"})
    if (p.contains(key)) texts[key] = property(p, key);
  if (format == tags::TagFormat::mp4) {
    TagLib::MP4::File f(path.c_str(), false);
    for (const auto& [key, item] : f.tag()->itemMap()) {
      const std::string k = utf8(key.upper());
      const std::string prefix = "----:COM.APPLE.ITUNES:";
      if (k.rfind(prefix, 0) == 0) texts.emplace(k.substr(prefix.size()), utf8(item.toStringList().toString(" ")));
    }
  }
  const auto number = [&](const char* key) -> std::optional<double> {
    const auto it = texts.find(key);
    if (it == texts.end()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (end == it->second.c_str()) return std::nullopt;
    return v;
  };
  return {number("REPLAYGAIN_TRACK_GAIN"), number("REPLAYGAIN_TRACK_PEAK"), number("REPLAYGAIN_ALBUM_GAIN"),
          number("REPLAYGAIN_ALBUM_PEAK")};
}

// ffprobe's format and stream tags, keys lower-cased, format tags first.
std::map<std::string, std::string> ffprobe_tags(const fs::path& file) {
  std::map<std::string, std::string> tags;
  // Audio streams only: an attached picture's stream carries its picture
  // type as "comment" ("Cover (front)").
  const auto json = test::run_capture("ffprobe -v quiet -select_streams a -show_entries format_tags:stream_tags -of json " +
                                      test::shell_quote(file.string()));
  if (!json) return tags;
  const std::string& j = *json;
  // Parses a JSON string literal at j[i] (the opening quote); i ends past it.
  const auto string_at = [&](std::size_t& i) {
    std::string s;
    for (++i; i < j.size() && j[i] != '"'; ++i) {
      if (j[i] != '\\') {
        s += j[i];
        continue;
      }
      const char e = j[++i];
      if (e == 'n') s += '\n';
      else if (e == 't') s += '\t';
      else if (e == 'u') {
        const unsigned cp = static_cast<unsigned>(std::stoul(j.substr(i + 1, 4), nullptr, 16));
        if (cp < 0x80) s += static_cast<char>(cp);
        i += 4;
      } else s += e;
    }
    ++i;
    return s;
  };
  // Format tags come after the streams in ffprobe's output: read every
  // "tags" object, then let the format's win.
  std::vector<std::map<std::string, std::string>> objects;
  for (std::size_t at = j.find("\"tags\": {"); at != std::string::npos; at = j.find("\"tags\": {", at)) {
    std::size_t i = at + 9;
    std::map<std::string, std::string> object;
    while (i < j.size()) {
      i = j.find_first_of("\"}", i);
      if (i == std::string::npos || j[i] == '}') break;
      std::string key = string_at(i);
      i = j.find('"', i);
      object[lower(key)] = string_at(i);
    }
    objects.push_back(std::move(object));
    at = i;
  }
  for (auto it = objects.rbegin(); it != objects.rend(); ++it)
    for (const auto& [k, v] : *it) tags.emplace(k, v);
  return tags;
}

TEST(TagsMedia, AgreesWithTagLibOnEveryFile) {
  FRUGAL_REQUIRE_MEDIA(dir);
  int compared = 0, tagged = 0;
  std::vector<std::string> only_frugal, only_taglib;
  for (const fs::path& path : tagged_candidates()) {
    SCOPED_TRACE(path.filename().string());
    auto file = core::FileSource::open(path.c_str());
    ASSERT_TRUE(file);
    auto ours = tags::read_tags(*file);
    TagLib::FileRef ref(path.c_str(), false);
    const bool theirs = !ref.isNull() && ref.file()->isValid() && ref.tag();
    if (path.filename() == "taglib__tests_data_64bit.mp4") {
      ASSERT_FALSE(ours);
      EXPECT_EQ(ours.error().code, core::Errc::malformed);
      continue;
    }
    if (!ours || !theirs) {
      if (ours && !ours->title.empty()) only_frugal.push_back(path.filename().string());
      if (!ours && theirs && !ref.tag()->isEmpty()) only_taglib.push_back(path.filename().string());
      continue;
    }
    const tags::Tags& t = *ours;
    const TagLib::Tag& tag = *ref.tag();
    const TagLib::PropertyMap p = ref.file()->properties();
    ++compared;
    if (!tag.isEmpty()) ++tagged;
    EXPECT_EQ(t.title, utf8(tag.title()));
    EXPECT_EQ(t.artist, utf8(tag.artist()));
    EXPECT_EQ(t.album, utf8(tag.album()));
    EXPECT_EQ(t.genre, utf8(tag.genre()));
    EXPECT_EQ(t.comment, utf8(tag.comment()));
    EXPECT_EQ(t.track_number, tag.track());
    EXPECT_EQ(t.album_artist, property(p, "ALBUMARTIST"));
    EXPECT_EQ(t.date, property(p, "DATE"));
    EXPECT_EQ(t.composer, property(p, "COMPOSER"));
    EXPECT_EQ(t.disc_number, leading_number(property(p, "DISCNUMBER")));
    EXPECT_EQ(t.musicbrainz.track_id, property(p, "MUSICBRAINZ_TRACKID"));
    EXPECT_EQ(t.musicbrainz.release_id, property(p, "MUSICBRAINZ_ALBUMID"));
    EXPECT_EQ(t.musicbrainz.artist_id, property(p, "MUSICBRAINZ_ARTISTID"));
    EXPECT_EQ(t.musicbrainz.album_artist_id, property(p, "MUSICBRAINZ_ALBUMARTISTID"));
    EXPECT_EQ(t.musicbrainz.release_group_id, property(p, "MUSICBRAINZ_RELEASEGROUPID"));
    const auto gains = taglib_replaygain(path, t.format, p);
    EXPECT_EQ(t.replay_gain.track_gain_db, gains.track_gain_db);
    EXPECT_EQ(t.replay_gain.track_peak, gains.track_peak);
    EXPECT_EQ(t.replay_gain.album_gain_db, gains.album_gain_db);
    EXPECT_EQ(t.replay_gain.album_peak, gains.album_peak);
    const auto pictures = taglib_pictures(path, t.format);
    ASSERT_EQ(t.pictures.size(), pictures.size());
    for (std::size_t i = 0; i < pictures.size(); ++i) {
      ASSERT_TRUE(t.pictures[i].loaded());
      EXPECT_TRUE(std::equal(t.pictures[i].data.begin(), t.pictures[i].data.end(),
                             reinterpret_cast<const std::byte*>(pictures[i].data()),
                             reinterpret_cast<const std::byte*>(pictures[i].data()) + pictures[i].size()));
    }
  }
  std::printf("[ tags ] %d files read by both, %d of them tagged\n", compared, tagged);
  for (const auto& f : only_frugal) std::printf("[ tags ] only frugal reads a title from %s\n", f.c_str());
  for (const auto& f : only_taglib) std::printf("[ tags ] only TagLib reads tags from %s\n", f.c_str());
  EXPECT_GT(tagged, 10);
  EXPECT_TRUE(only_taglib.empty());
}

TEST(TagsMedia, AgreesWithFfprobeWhereItReportsTags) {
  FRUGAL_REQUIRE_MEDIA(dir);
  FRUGAL_REQUIRE_PROGRAM(ffprobe, "ffprobe");
  int compared = 0;
  for (const fs::path& path : tagged_candidates()) {
    SCOPED_TRACE(path.filename().string());
    auto file = core::FileSource::open(path.c_str());
    ASSERT_TRUE(file);
    auto ours = tags::read_tags(*file);
    if (!ours) continue;
    const auto ff = ffprobe_tags(path);
    const auto lookup = [&](std::initializer_list<const char*> keys) -> std::optional<std::string> {
      for (const char* k : keys)
        if (auto it = ff.find(k); it != ff.end()) return it->second;
      return std::nullopt;
    };
    // frugal's text vs ffprobe's, several values allowed (";" vs " ").
    const auto same_text = [&](const std::string& mine, std::initializer_list<const char*> keys, const char* what) {
      const auto v = lookup(keys);
      if (!v || v->find("\xEF\xBF\xBD") != std::string::npos) return;  // U+FFFD: invalid UTF-8 in the file
      if (path.filename() == "taglib__tests_data_multiple-vc.flac") return;  // ffprobe reads both comment blocks
      std::string theirs = *v;
      std::replace(theirs.begin(), theirs.end(), ';', ' ');
      EXPECT_EQ(mine, theirs) << what;
      ++compared;
    };
    const tags::Tags& t = *ours;
    same_text(t.title, {"title"}, "title");
    same_text(t.artist, {"artist"}, "artist");
    same_text(t.album, {"album"}, "album");
    same_text(t.album_artist, {"album_artist", "albumartist"}, "album_artist");
    same_text(t.date, {"date"}, "date");
    same_text(t.genre, {"genre"}, "genre");
    same_text(t.composer, {"composer"}, "composer");
    same_text(t.comment, {"comment"}, "comment");
    if (const auto v = lookup({"track", "tracknumber"})) {
      EXPECT_EQ(t.track_number, leading_number(*v)) << "track";
      ++compared;
    }
    if (const auto v = lookup({"disc", "discnumber"})) {
      EXPECT_EQ(t.disc_number, leading_number(*v)) << "disc";
      ++compared;
    }
  }
  std::printf("[ tags ] compared %d fields with ffprobe\n", compared);
  EXPECT_GT(compared, 10);
}

}  // namespace
