// frugal decode FILE -o OUT.wav|- [--track N] [--format F] [--no-edit-list]
#include "cli/common.hpp"

#include <frugal/player/wav_sink.hpp>

#include <cstdio>

namespace frugal::cli {

int run_decode(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"-o", "--track", "--format"}, {"--no-edit-list"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("decode takes one FILE");
  auto out = args->value("-o");
  if (!out) return usage_error("decode needs -o OUT.wav (or -o - for standard output)");
  int code = kOk;
  player::StreamOptions options;
  if (!parse_stream_options(*args, options, code)) return code;

  const std::string& path = args->positional[0];
  auto input = Input::open(path);
  if (!input) return report(path, input.error());
  auto stream = player::AudioStream::open((*input)->source(), decoders(), options);
  if (!stream) return report(path, stream.error());

  auto sink = *out == "-" ? player::make_wav_stream_sink(1) : player::make_wav_file_sink(*out);
  if (auto r = sink->open(stream->format()); !r) return report(*out, r.error());
  while (true) {
    auto block = stream->read();
    if (!block) return report(path, block.error());  // the sink's temporary file goes with it
    if (block->empty()) break;
    if (auto r = sink->write(*block); !r) return report(*out, r.error());
  }
  if (auto r = sink->close(); !r) return report(*out, r.error());
  if (const std::uint64_t n = stream->skipped_packets())
    std::fprintf(stderr, "frugal: %s: skipped %llu corrupt packets\n", path.c_str(), static_cast<unsigned long long>(n));
  return kOk;
}

}  // namespace frugal::cli
