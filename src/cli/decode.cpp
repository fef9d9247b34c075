// frugal decode FILE -o OUT.wav|- [--track N] [--format F] [--no-edit-list]
//               [--start SECONDS] [--duration SECONDS]
#include "cli/common.hpp"

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

}  // namespace

int run_decode(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"-o", "--track", "--format", "--start", "--duration"}, {"--no-edit-list"}, err);
  if (!args) return usage_error(err);
  auto out = args->value("-o");
  if (!out) return usage_error("decode needs -o OUT.wav (or -o - for standard output)");
  int code = kOk;
  player::StreamOptions options;
  if (!parse_stream_options(*args, options, code)) return code;

  std::vector<std::string> paths;
  if (!one_input(*args, "decode", paths, code)) return code;
  const std::string& path = paths[0];
  auto input = Input::open(paths);
  if (!input) return report(path, input.error());
  auto stream = player::AudioStream::open((*input)->source(), decoders(), options);
  if (!stream) return report(path, stream.error());
  std::optional<std::uint64_t> start, length;
  const std::uint32_t rate = stream->format().sample_rate;
  if (!parse_seconds(*args, "--start", rate, start, code) || !parse_seconds(*args, "--duration", rate, length, code))
    return code;
  if (start) {
    if (auto r = stream->seek(*start); !r) return report(path, r.error());
  }
  const std::size_t frame_bytes = stream->format().bytes_per_frame();
  std::uint64_t left = length.value_or(~std::uint64_t{0});

  auto sink = *out == "-" ? player::make_wav_stream_sink(1) : player::make_wav_file_sink(*out);
  if (auto r = sink->open(stream->format()); !r) return report(*out, r.error());
  while (true) {
    auto block = stream->read();
    if (!block) return report(path, block.error());  // the sink's temporary file goes with it
    if (block->empty() || left == 0) break;
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
