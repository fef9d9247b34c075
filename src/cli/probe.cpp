// frugal probe FILE [--json]: container and per-track facts.
#include "cli/common.hpp"
#include "cli/json.hpp"

#include <frugal/mp4/demuxer.hpp>

#include <string_view>
#include <frugal/player/presentation.hpp>

#include <algorithm>
#include <cstdio>

namespace frugal::cli {

namespace {

std::string error_text(const core::Error& e) {
  return std::string(core::errc_name(e.code)) + ": " + e.message;
}

// MP4 facts beyond the Demuxer interface, or nullptr for other containers.
const mp4::Demuxer* as_mp4(const core::Demuxer& d) {
  return std::string_view(d.format_name()) == "mp4" ? static_cast<const mp4::Demuxer*>(&d) : nullptr;
}

// The movie's duration (mvhd), else the longest track's (mdhd).
double duration_seconds(const core::Demuxer& d) {
  const mp4::Demuxer* m = as_mp4(d);
  if (m && m->movie_timescale() && m->movie_duration())
    return static_cast<double>(m->movie_duration()) / m->movie_timescale();
  double longest = 0;
  for (const core::Track& t : d.tracks())
    if (t.timescale) longest = std::max(longest, static_cast<double>(t.duration) / t.timescale);
  return longest;
}

// What probe reports beyond the Track: packets counted from the tables (the
// count reads stsc; FLAC walks its frames, which a pipe cannot), what an audio track presents (gapless info), and the
// first problem found with the track.
struct TrackFacts {
  std::optional<std::uint64_t> packets;  // nullopt: not countable here (FLAC from a pipe)
  std::optional<player::Presentation> presentation;
  std::optional<core::Error> error;
};

TrackFacts facts_of(core::Demuxer& d, const core::Track& t) {
  TrackFacts f;
  f.error = t.error;
  if (!f.error && !t.sample_entries.empty()) f.error = t.sample_entries.front().error;
  if (t.error) return f;
  if (auto n = d.packet_count(t.id)) f.packets = *n;
  else if (n.error().code != core::Errc::unsupported) f.error = n.error();
  if (const core::CodecParameters* a = t.audio()) {
    // iTunSMPB speaks for the first audio track.
    const auto first_audio = std::find_if(d.tracks().begin(), d.tracks().end(),
                                          [](const core::Track& x) { return x.type == core::TrackType::audio; });
    const std::optional<core::GaplessInfo> none;
    auto p = player::presentation(t, d.movie_timescale(), a->sample_rate,
                                  &*first_audio == &t ? d.gapless() : none, true);
    if (p) f.presentation = std::move(*p);
    else if (!f.error) f.error = p.error();
  }
  return f;
}

const char* source_name(player::Presentation::Source s) {
  switch (s) {
    case player::Presentation::Source::edit_list: return "edit_list";
    case player::Presentation::Source::itunes: return "itunsmpb";
    case player::Presentation::Source::codec: return "codec";
    case player::Presentation::Source::none: break;
  }
  return "none";
}

std::string optional_number(const std::optional<std::uint64_t>& v) {
  return v ? std::to_string(*v) : "null";
}

// Names of this build's decoders for the codec, most preferred first
// (--decoder NAME picks another).
std::vector<std::string> decoder_names(const core::CodecParameters& a) {
  static const codec::DecoderRegistry registry = codec::DecoderRegistry::with_builtins();
  return registry.names(a.codec);
}

std::string track_json(const core::Track& t, const TrackFacts& f) {
  JsonObject o;
  o.add("id", t.id).add("type", core::track_type_name(t.type));
  const core::SampleEntry* entry = t.sample_entries.empty() ? nullptr : &t.sample_entries.front();
  if (entry) o.add("format", entry->format.str().data());
  if (const core::CodecParameters* a = t.audio()) {
    const char* profile = core::codec_profile(*a);
    JsonArray decoders;
    for (const std::string& name : decoder_names(*a)) decoders.add_raw(json_string(name));
    o.add("codec", core::codec_name(*a))
        .add_raw("profile", profile ? json_string(profile) : "null")
        .add_raw("decoders", decoders.str())
        .add("sample_rate", a->sample_rate)
        .add("channels", std::uint32_t{a->channels})
        .add("bits_per_sample", std::uint32_t{a->bits_per_sample});
  }
  o.add("timescale", t.timescale)
      .add("sample_count", t.sample_count)
      .add_raw("packet_count", optional_number(f.packets))
      .add("duration_ticks", t.duration)
      .add("language", t.language.data());
  if (f.presentation) {
    // Output sample frames (at sample_rate): the priming dropped at the
    // start, the padding at the end, and what is presented between.
    o.add("encoder_delay", f.presentation->encoder_delay)
        .add_raw("padding", optional_number(f.presentation->padding))
        .add_raw("presentation_samples",
                 optional_number(f.presentation->frames_exact ? f.presentation->frames : std::nullopt))
        .add("gapless_source", source_name(f.presentation->source));
  }
  o.add_raw("error", f.error ? json_string(error_text(*f.error)) : "null");
  return o.str();
}

double seconds(std::uint64_t ticks, std::uint32_t timescale) {
  return timescale ? static_cast<double>(ticks) / timescale : 0.0;
}

std::string chapters_json(const core::Demuxer& d) {
  JsonArray chapters;
  for (const core::Chapter& c : d.chapters()) {
    JsonObject o;
    o.add("start_seconds", seconds(c.start, c.timescale))
        .add("end_seconds", seconds(c.end, c.timescale))
        .add("title", c.title);
    chapters.add_raw(o.str());
  }
  return chapters.str();
}

void print_chapters(const core::Demuxer& d) {
  const auto chapters = d.chapters();
  if (!chapters.empty()) std::printf("  chapters:\n");
  for (std::size_t i = 0; i < chapters.size(); ++i) {
    const core::Chapter& c = chapters[i];
    std::printf("    %zu: %.3f-%.3f s %s\n", i + 1, seconds(c.start, c.timescale), seconds(c.end, c.timescale),
                c.title.c_str());
  }
  const mp4::Demuxer* m = as_mp4(d);
  if (m && m->chapters_error()) std::printf("  chapters unreadable: %s\n", error_text(*m->chapters_error()).c_str());
}

void print_text(const std::string& path, core::Demuxer& d) {
  std::printf("%s: %s", path.c_str(), d.format_name());
  if (const mp4::Demuxer* m = as_mp4(d)) std::printf(", brand %s", m->major_brand().str().data());
  std::printf(", %.3f s%s\n", duration_seconds(d), as_mp4(d) && as_mp4(d)->fragmented() ? ", fragmented" : "");
  for (const core::Track& t : d.tracks()) {
    const TrackFacts f = facts_of(d, t);
    std::printf("  track %u: %s", t.id, core::track_type_name(t.type));
    if (!t.sample_entries.empty()) std::printf(" [%s]", t.sample_entries.front().format.str().data());
    if (const core::CodecParameters* a = t.audio()) {
      std::printf(" %s", core::codec_name(*a));
      if (const char* profile = core::codec_profile(*a)) std::printf(" (%s)", profile);
      std::printf(", %u Hz, %u ch, %u bits", a->sample_rate, a->channels, a->bits_per_sample);
      const std::vector<std::string> names = decoder_names(*a);
      for (std::size_t i = 0; i < names.size(); ++i) std::printf("%s%s", i ? ", " : ", decoders ", names[i].c_str());
    }
    const std::string packets = f.packets ? std::to_string(*f.packets) : "?";
    std::printf(", timescale %u, %llu samples, %s packets, %llu ticks, lang %s\n", t.timescale,
                static_cast<unsigned long long>(t.sample_count), packets.c_str(),
                static_cast<unsigned long long>(t.duration), t.language.data());
    if (f.presentation)
      std::printf("    gapless (%s): delay %llu, padding %s, %s samples presented\n", source_name(f.presentation->source),
                  static_cast<unsigned long long>(f.presentation->encoder_delay),
                  optional_number(f.presentation->padding).c_str(),
                  optional_number(f.presentation->frames_exact ? f.presentation->frames : std::nullopt).c_str());
    if (f.error) std::printf("    cannot play: %s\n", error_text(*f.error).c_str());
  }
  print_chapters(d);
}

}  // namespace

int run_probe(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {}, {"--json"}, err);
  if (!args) return usage_error(err);
  int code = kOk;
  std::vector<std::string> paths;
  if (!one_input(*args, "probe", paths, code)) return code;
  const std::string& path = paths[0];
  auto input = Input::open(paths);
  if (!input) return report(path, input.error());
  auto demuxer = open_demuxer(**input);
  if (!demuxer) return report(path, demuxer.error());
  if (!args->has("--json")) {
    print_text(path, **demuxer);
    return kOk;
  }
  JsonArray tracks;
  core::Demuxer& d = **demuxer;
  for (const core::Track& t : d.tracks()) tracks.add_raw(track_json(t, facts_of(d, t)));
  JsonObject o;
  o.add("file", path).add("format", d.format_name());
  if (const mp4::Demuxer* m = as_mp4(d))
    o.add("major_brand", m->major_brand().str().data()).add("fragmented", m->fragmented());
  o.add("duration_seconds", duration_seconds(d)).add_raw("tracks", tracks.str()).add_raw("chapters", chapters_json(d));
  std::printf("%s\n", o.str().c_str());
  return kOk;
}

}  // namespace frugal::cli
