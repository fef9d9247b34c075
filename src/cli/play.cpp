// frugal play [FILE...] [--output alsa[:DEVICE]|wav:PATH|raw|null] [--track N]
//             [--format F] [--no-edit-list] [--chapter N]
//             [--replay-gain track|album|off] [--preamp DB] [--no-clip-prevention]
#include "cli/common.hpp"

#include "process.hpp"

#include <frugal/core/arith.hpp>
#include <frugal/player/alsa_sink.hpp>
#include <frugal/player/player.hpp>
#include <frugal/player/replay_gain.hpp>
#include <frugal/player/wav_sink.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace frugal::cli {

namespace {

constexpr const char* kFallbackWav = "frugal-play.wav";
constexpr const char* kBundledSample = "speech-chirp.opus.m4a";

// The bundled sample: in the source tree, else where `cmake --install` put it.
std::optional<std::string> bundled_sample() {
  std::string dirs = FRUGAL_SAMPLE_DIRS;
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::filesystem::path p = std::filesystem::path(dirs.substr(start, end - start)) / kBundledSample;
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) return p.string();
    start = end + 1;
  }
  return std::nullopt;
}

// The sink --output names; with none, the sound card, else a WAV file.
core::Result<std::unique_ptr<player::Sink>> make_sink(const std::optional<std::string>& output) {
  if (!output) {
    auto alsa = player::make_alsa_sink("default");
    if (alsa) return alsa;
    std::fprintf(stderr, "frugal: no sound card (%s: %s); writing to %s\n", alsa.error().message,
                 std::strerror(alsa.error().os_error), kFallbackWav);
    return player::make_wav_file_sink(kFallbackWav);
  }
  const std::string& o = *output;
  if (o == "alsa") return player::make_alsa_sink("default");
  if (o.rfind("alsa:", 0) == 0) return player::make_alsa_sink(o.substr(5));
  if (o.rfind("wav:", 0) == 0 && o.size() > 4) return player::make_wav_file_sink(o.substr(4));
  if (o == "raw") return player::make_raw_sink(1);
  if (o == "null") return player::make_null_sink();
  return core::make_error(core::Errc::invalid_argument, "unknown --output (alsa[:DEVICE], wav:PATH, raw, null)");
}

std::string clock(double seconds) {
  const auto centis = static_cast<std::uint64_t>(seconds * 100);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu:%02llu.%02llu", static_cast<unsigned long long>(centis / 6000),
                static_cast<unsigned long long>(centis / 100 % 60), static_cast<unsigned long long>(centis % 100));
  return buf;
}

// Output frame where chapter `n` (1-based) starts, or an error naming the
// chapters there are.
core::Result<std::uint64_t> chapter_start(std::span<const core::Chapter> chapters, std::uint32_t n,
                                          std::uint32_t rate) {
  if (chapters.empty()) return core::make_error(core::Errc::invalid_argument, "--chapter: the file has no chapters");
  if (n > chapters.size())
    return core::make_error(core::Errc::invalid_argument, "--chapter: no such chapter (they count from 1)");
  const core::Chapter& c = chapters[n - 1];
  return c.timescale ? core::mul_div(c.start, rate, c.timescale) : 0;
}

// --replay-gain, --preamp, --no-clip-prevention; false after a usage error.
bool parse_gain(const Args& args, player::GainSettings& gain, int& exit_code) {
  if (auto v = args.value("--replay-gain")) {
    if (*v == "track") gain.mode = player::GainMode::track;
    else if (*v == "album") gain.mode = player::GainMode::album;
    else if (*v != "off") {
      exit_code = usage_error("--replay-gain takes track, album or off, not '" + *v + "'");
      return false;
    }
  }
  if (auto v = args.value("--preamp")) {
    char* end = nullptr;
    gain.preamp_db = std::strtod(v->c_str(), &end);
    if (v->empty() || *end != '\0' || !(gain.preamp_db >= -60 && gain.preamp_db <= 60)) {
      exit_code = usage_error("--preamp takes decibels between -60 and 60, not '" + *v + "'");
      return false;
    }
  }
  gain.prevent_clipping = !args.has("--no-clip-prevention");
  return true;
}

}  // namespace

int run_play(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--output", "--track", "--format", "--decoder", "--chapter", "--replay-gain", "--preamp"},
                         {"--no-edit-list", "--no-clip-prevention"}, err);
  if (!args) return usage_error(err);
  int code = kOk;
  player::StreamOptions options;
  if (!parse_stream_options(*args, options, code)) return code;
  const auto registry = parse_decoders(*args, code);
  if (!registry) return code;
  player::GainSettings gain;
  if (!parse_gain(*args, gain, code)) return code;
  std::optional<std::uint32_t> chapter;
  if (auto v = args->value("--chapter")) {
    chapter = parse_positive(*v);
    if (!chapter) return usage_error("--chapter takes a chapter number (1 is the first)");
  }
  std::vector<std::string> files = args->positional;
  if (files.empty()) {
    auto sample = bundled_sample();
    if (!sample) return report("play", core::make_error(core::Errc::io, "bundled sample not found"));
    files.push_back(*sample);
  }

  auto sink = make_sink(args->value("--output"));
  if (!sink) return report("--output", sink.error());
  player::PlayerOptions player_options;
  player_options.tracker = &tracker();
  player::Player player(**sink, player_options);
  const bool tty = platform::is_terminal(2);
  for (const std::vector<std::string>& paths : group_inputs(files)) {
    const std::string& path = paths[0];
    auto input = Input::open(paths);
    if (!input) {
      code = std::max(code, report(path, input.error()));
      continue;
    }
    // Tags are shown and applied when they can be read; playing does not need them.
    auto tagged = now_playing((*input)->source());
    if (!tagged && gain.mode != player::GainMode::off)
      std::fprintf(stderr, "frugal: %s: no ReplayGain (%s)\n", path.c_str(), tagged.error().message);
    const NowPlaying about = tagged ? std::move(*tagged) : NowPlaying{};
    options.gain = player::replay_gain_factor(gain, about.replay_gain);
    auto stream = player::AudioStream::open((*input)->source(), *registry, options);
    if (!stream) {
      code = std::max(code, report(path, stream.error()));
      continue;
    }
    std::string name = std::filesystem::path(path).filename().string();
    if (!about.title.empty()) name = about.artist.empty() ? about.title : about.artist + " - " + about.title;
    const auto total = stream->total_frames();
    const std::uint32_t rate = stream->format().sample_rate;
    if (chapter) {
      const std::span<const core::Chapter> from_container = stream->demuxer().chapters();
      auto start = chapter_start(from_container.empty() ? std::span(about.chapters) : from_container, *chapter, rate);
      if (auto r = start ? stream->seek(*start) : core::Result<void>(start.error()); !r) {
        code = std::max(code, report(path, r.error()));
        continue;
      }
    }
    // Where playing has got to: blocks count at their own rate (a stream may change it).
    double at = static_cast<double>(stream->position_frames()) / rate;
    auto played = player.play(*stream, [&, from = at](const player::Progress& p) {
      at = from + p.seconds;
      if (tty)
        std::fprintf(stderr, "\r%s  %s / %s ", name.c_str(), clock(at).c_str(),
                     total && p.sample_rate == rate ? clock(static_cast<double>(*total) / rate).c_str() : "?");
    });
    if (tty) std::fprintf(stderr, "\n");
    if (!played && player.sink_failed()) {  // nothing more can play: stop, keep the output untouched
      return std::max(code, report((*sink)->describe(), played.error()));
    }
    if (!played) {
      code = std::max(code, report(path, played.error()));
      continue;
    }
    std::fprintf(stderr, "frugal: played %s (%s) to %s\n", name.c_str(),
                 clock(at).c_str(), (*sink)->describe().c_str());
    if (const std::uint64_t n = stream->skipped_packets())
      std::fprintf(stderr, "frugal: %s: skipped %llu corrupt packets\n", path.c_str(), static_cast<unsigned long long>(n));
  }
  if (auto r = player.finish(); !r) code = std::max(code, report((*sink)->describe(), r.error()));
  if (const std::uint64_t n = (*sink)->underruns())
    std::fprintf(stderr, "frugal: %s ran dry %llu times (recovered)\n", (*sink)->describe().c_str(),
                 static_cast<unsigned long long>(n));
  return code;
}

}  // namespace frugal::cli
