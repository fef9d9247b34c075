// frugal tags FILE [--json] and frugal art FILE -o OUT [--index N]: tags and
// cover art through the tags module (TagLib).
#include "cli/common.hpp"
#include "cli/json.hpp"

#include "output_file.hpp"

#include <frugal/tags/tags.hpp>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace frugal::cli {

namespace {

// Reads the one input's tags with --max-picture-bytes; false after reporting.
bool read_input_tags(const Args& args, const std::string& command, bool load_pictures, std::optional<tags::Tags>& out,
                     std::string& path, int& code) {
  tags::TagOptions options;
  options.tracker = &tracker();
  options.load_pictures = load_pictures;
  if (auto v = args.value("--max-picture-bytes")) {
    auto bytes = parse_bytes(*v);
    if (!bytes) {
      code = usage_error("--max-picture-bytes takes bytes (e.g. 4M), not '" + *v + "'");
      return false;
    }
    options.max_picture_bytes = *bytes;
  }
  std::vector<std::string> paths;
  if (!one_input(args, command, paths, code)) return false;
  path = paths[0];
  auto input = Input::open(paths);
  if (!input) {
    code = report(path, input.error());
    return false;
  }
  auto t = tags::read_tags((*input)->source(), options);
  if (!t) {
    code = report(path, t.error());
    return false;
  }
  out.emplace(std::move(*t));
  return true;
}

std::string text_or_null(const std::string& s) { return s.empty() ? "null" : json_string(s); }
std::string number_or_null(const std::optional<double>& v) {
  if (!v) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", *v);
  return buf;
}

std::string position_json(std::uint32_t number, std::uint32_t total) {
  if (!number && !total) return "null";
  JsonObject o;
  o.add_raw("number", number ? std::to_string(number) : "null").add_raw("total", total ? std::to_string(total) : "null");
  return o.str();
}

std::string tags_json(const tags::Tags& t) {
  JsonObject o;
  o.add("format", tags::tag_format_name(t.format));
  const std::pair<const char*, const std::string*> texts[] = {
      {"title", &t.title}, {"artist", &t.artist}, {"album", &t.album}, {"album_artist", &t.album_artist},
      {"date", &t.date},   {"genre", &t.genre},   {"composer", &t.composer}, {"comment", &t.comment}};
  for (const auto& [key, value] : texts) o.add_raw(key, text_or_null(*value));
  o.add_raw("track", position_json(t.track_number, t.track_total));
  o.add_raw("disc", position_json(t.disc_number, t.disc_total));
  JsonObject rg;
  rg.add_raw("track_gain_db", number_or_null(t.replay_gain.track_gain_db))
      .add_raw("track_peak", number_or_null(t.replay_gain.track_peak))
      .add_raw("album_gain_db", number_or_null(t.replay_gain.album_gain_db))
      .add_raw("album_peak", number_or_null(t.replay_gain.album_peak));
  o.add_raw("replaygain", rg.str());
  JsonObject mb;
  mb.add_raw("track_id", text_or_null(t.musicbrainz.track_id))
      .add_raw("release_id", text_or_null(t.musicbrainz.release_id))
      .add_raw("artist_id", text_or_null(t.musicbrainz.artist_id))
      .add_raw("album_artist_id", text_or_null(t.musicbrainz.album_artist_id))
      .add_raw("release_group_id", text_or_null(t.musicbrainz.release_group_id));
  o.add_raw("musicbrainz", mb.str());
  JsonArray chapters;
  for (const core::Chapter& c : t.chapters) {
    JsonObject j;
    j.add("start_ms", c.start).add("end_ms", c.end).add("title", c.title);
    chapters.add_raw(j.str());
  }
  o.add_raw("chapters", chapters.str());
  JsonArray pictures;
  for (std::size_t i = 0; i < t.pictures.size(); ++i) {
    const tags::Picture& p = t.pictures[i];
    JsonObject j;
    j.add("index", std::uint64_t{i})
        .add("mime_type", p.mime_type)
        .add("type", p.type)
        .add("description", p.description)
        .add("size", p.size)
        .add("width", p.width)
        .add("height", p.height)
        .add("loaded", p.loaded())
        .add_raw("not_loaded", p.not_loaded ? json_string(p.not_loaded) : "null")
        .add_raw("offset", p.offset ? std::to_string(*p.offset) : "null");
    pictures.add_raw(j.str());
  }
  o.add_raw("pictures", pictures.str());
  return o.str();
}

void print_text(const tags::Tags& t) {
  std::printf("format: %s\n", tags::tag_format_name(t.format));
  const std::pair<const char*, const std::string*> texts[] = {
      {"title", &t.title}, {"artist", &t.artist}, {"album", &t.album}, {"album artist", &t.album_artist},
      {"date", &t.date},   {"genre", &t.genre},   {"composer", &t.composer}, {"comment", &t.comment}};
  for (const auto& [key, value] : texts)
    if (!value->empty()) std::printf("%s: %s\n", key, value->c_str());
  if (t.track_number || t.track_total) std::printf("track: %u/%u\n", t.track_number, t.track_total);
  if (t.disc_number || t.disc_total) std::printf("disc: %u/%u\n", t.disc_number, t.disc_total);
  const std::pair<const char*, const std::optional<double>*> gains[] = {
      {"replaygain track gain (dB)", &t.replay_gain.track_gain_db}, {"replaygain track peak", &t.replay_gain.track_peak},
      {"replaygain album gain (dB)", &t.replay_gain.album_gain_db}, {"replaygain album peak", &t.replay_gain.album_peak}};
  for (const auto& [key, value] : gains)
    if (*value) std::printf("%s: %.2f\n", key, **value);
  const std::pair<const char*, const std::string*> ids[] = {
      {"musicbrainz track id", &t.musicbrainz.track_id},
      {"musicbrainz release id", &t.musicbrainz.release_id},
      {"musicbrainz artist id", &t.musicbrainz.artist_id},
      {"musicbrainz album artist id", &t.musicbrainz.album_artist_id},
      {"musicbrainz release group id", &t.musicbrainz.release_group_id}};
  for (const auto& [key, value] : ids)
    if (!value->empty()) std::printf("%s: %s\n", key, value->c_str());
  for (const core::Chapter& c : t.chapters)
    std::printf("chapter: %" PRIu64 " ms %s\n", c.start, c.title.c_str());
  for (std::size_t i = 0; i < t.pictures.size(); ++i) {
    const tags::Picture& p = t.pictures[i];
    std::printf("picture %zu: %s type %u, %" PRIu64 " bytes, %ux%u%s%s%s\n", i,
                p.mime_type.empty() ? "(unknown type)" : p.mime_type.c_str(), p.type, p.size, p.width, p.height,
                p.loaded() ? "" : " (not loaded: ", p.loaded() ? "" : p.not_loaded, p.loaded() ? "" : ")");
  }
}

}  // namespace

core::Result<NowPlaying> now_playing(core::ByteSource& source) {
  tags::TagOptions options;
  options.tracker = &tracker();
  options.load_pictures = false;
  FRUGAL_TRY(tags::Tags t, tags::read_tags(source, options));
  return NowPlaying{std::move(t.title), std::move(t.artist), t.replay_gain, std::move(t.chapters)};
}

int run_tags(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--max-picture-bytes"}, {"--json"}, err);
  if (!args) return usage_error(err);
  std::optional<tags::Tags> t;
  std::string path;
  int code = kOk;
  if (!read_input_tags(*args, "tags", true, t, path, code)) return code;
  if (args->has("--json")) std::printf("%s\n", tags_json(*t).c_str());
  else print_text(*t);
  return kOk;
}

int run_art(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"-o", "--index", "--max-picture-bytes"}, {}, err);
  if (!args) return usage_error(err);
  const auto out = args->value("-o");
  if (!out) return usage_error("art needs -o OUT (e.g. -o cover.jpg)");
  std::size_t index = 0;
  if (auto v = args->value("--index")) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(v->c_str(), &end, 10);
    if (v->empty() || *end != '\0' || (*v)[0] == '-') return usage_error("--index takes a picture number, not '" + *v + "'");
    index = n;
  }
  std::optional<tags::Tags> t;
  std::string path;
  int code = kOk;
  if (!read_input_tags(*args, "art", true, t, path, code)) return code;
  if (t->pictures.empty())
    return report(path, core::make_error(core::Errc::invalid_argument, "the file has no picture"));
  if (index >= t->pictures.size())
    return report(path, core::make_error(core::Errc::invalid_argument, "no picture with that --index"));
  const tags::Picture& p = t->pictures[index];
  if (!p.loaded()) {
    std::fprintf(stderr, "frugal: %s: picture %zu (%" PRIu64 " bytes) not loaded: %s\n", path.c_str(), index, p.size,
                 p.not_loaded);
    return kBadInput;
  }
  auto file = platform::AtomicFile::create(*out);
  if (!file) return report(*out, file.error());
  if (auto r = file->write(p.data); !r) return report(*out, r.error());
  if (auto r = file->commit(); !r) return report(*out, r.error());
  return kOk;
}

}  // namespace frugal::cli
