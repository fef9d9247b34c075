// frugal decode FILE -o OUT.wav|- [--track N] [--format F] [--no-edit-list]
//               [--decoder NAME] [--start SECONDS] [--duration SECONDS]
#include "cli/common.hpp"

#include <frugal/core/arith.hpp>
#include <frugal/player/wav_sink.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace frugal::cli {

namespace {

// --start/--duration: seconds (decimal) → frames at `rate`; false after a usage error.
bool parse_seconds(const Args& args, const std::string& name, std::uint32_t rate, std::optional<std::uint64_t>& frames,
                   int& exit_code) {
  auto v = args.value(name);
  if (!v) return true;
  char* end = nullptr;
  const double seconds = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || !(seconds >= 0) || seconds > 1e9) {
    exit_code = usage_error(name + " takes seconds (e.g. 12.5), not '" + *v + "'");
    return false;
  }
  frames = static_cast<std::uint64_t>(std::llround(seconds * rate));
  return true;
}

// A WAV file holds one format; the player follows a change, a file cannot.
int report_format_change(const std::string& path, const core::AudioFormat& from, const core::AudioFormat& to,
                         std::uint64_t frame) {
  char message[256];
  std::snprintf(message, sizeof message,
                "the audio changes format at frame %llu, from %u Hz %u ch %s to %u Hz %u ch %s; a WAV file "
                "holds one format (frugal play follows the change)",
                static_cast<unsigned long long>(frame), from.sample_rate, from.channels,
                core::sample_format_name(from.format), to.sample_rate, to.channels, core::sample_format_name(to.format));
  return report(path, core::make_error(core::Errc::unsupported, message));
}

}  // namespace

int run_decode(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"-o", "--track", "--format", "--decoder", "--start", "--duration"}, {"--no-edit-list"}, err);
  if (!args) return usage_error(err);
  auto out = args->value("-o");
  if (!out) return usage_error("decode needs -o OUT.wav (or -o - for standard output)");
  int code = kOk;
  player::StreamOptions options;
  if (!parse_stream_options(*args, options, code)) return code;
  const auto registry = parse_decoders(*args, code);
  if (!registry) return code;

  std::vector<std::string> paths;
  if (!one_input(*args, "decode", paths, code)) return code;
  const std::string& path = paths[0];
  auto input = Input::open(paths);
  if (!input) return report(path, input.error());
  auto stream = player::AudioStream::open((*input)->source(), *registry, options);
  if (!stream) return report(path, stream.error());
  std::optional<std::uint64_t> start, length;
  const std::uint32_t rate = stream->format().sample_rate;
  if (!parse_seconds(*args, "--start", rate, start, code) || !parse_seconds(*args, "--duration", rate, length, code))
    return code;
  if (start) {
    if (auto r = stream->seek(*start); !r) return report(path, r.error());
  }
  std::uint64_t left = ~std::uint64_t{0};  // output frames still to write

  auto sink = *out == "-" ? player::make_wav_stream_sink(1) : player::make_wav_file_sink(*out);
  std::optional<core::AudioFormat> format;  // the first block's (a FLAC STREAMINFO may be wrong): the file's
  while (true) {
    const std::uint64_t at = stream->position_frames();
    auto block = stream->read();
    if (!block) return report(path, block.error());  // the sink's temporary file goes with it
    if (!format) {
      format = stream->format();
      if (auto r = sink->open(*format); !r) return report(*out, r.error());
      // The duration at the output's rate (AAC whose SBR doubles the rate).
      if (length) left = core::mul_div(*length, format->sample_rate, rate);
    }
    if (block->empty() || left == 0) break;
    if (stream->format() != *format) return report_format_change(path, *format, stream->format(), at);
    const std::size_t frame_bytes = format->bytes_per_frame();
    const std::size_t bytes = static_cast<std::size_t>(std::min<std::uint64_t>(block->size(), left * frame_bytes));
    if (auto r = sink->write(block->first(bytes)); !r) return report(*out, r.error());
    left -= bytes / frame_bytes;
  }
  if (auto r = sink->close(); !r) return report(*out, r.error());
  if (const std::uint64_t n = stream->skipped_packets())
    std::fprintf(stderr, "frugal: %s: skipped %llu corrupt packets\n", path.c_str(), static_cast<unsigned long long>(n));
  return kOk;
}

}  // namespace frugal::cli
