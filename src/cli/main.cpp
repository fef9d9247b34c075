// The frugal command: probe, packets, decode, play.
#include "cli/common.hpp"
#include "cli/json.hpp"

#include "process.hpp"

#include <cstdio>
#include <cstring>

namespace {

constexpr const char* kHelp = R"(usage: frugal COMMAND [options] [--stats]

  probe FILE [--json]               container and tracks (codec, rate, channels, counts)
  packets FILE [--track N] [--json] every packet: dts/pts/duration (track ticks), size, pos, sync
  decode FILE -o OUT.wav|-          decode an audio track to a WAV file (or standard output)
         [--track N] [--format s16|s24|s32|f32] [--no-edit-list]
  play [FILE...]                    play files in order (no FILE: the bundled sample)
         [--output alsa[:DEVICE]|wav:PATH|raw|null] [--track N] [--format F] [--no-edit-list]

  --track N       a track ID (tkhd track_ID), as probe lists them
  --format F      output samples; default: the source's depth for lossless, s16 for lossy
  --no-edit-list  ignore edit lists: drop only the codec's priming (Opus pre-skip)
  --stats         print {"io":{...},"memory":{...}} as one JSON line on stderr at exit

exit status: 0 ok, 1 usage, 2 unsupported or malformed input, 3 I/O error
)";

void print_stats() {
  using namespace frugal::cli;
  JsonObject io;
  io.add("bytes_read", io_stats().bytes_read).add("read_calls", io_stats().read_calls);
  JsonObject memory;
  memory.add("peak_rss_bytes", frugal::platform::peak_rss_bytes());
  JsonObject all;
  all.add_raw("io", io.str()).add_raw("memory", memory.str());
  std::fprintf(stderr, "%s\n", all.str().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace frugal::cli;
  std::vector<std::string> args;
  bool stats = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--stats") == 0) stats = true;
    else args.emplace_back(argv[i]);
  }
  if (args.empty()) return usage_error("no command");
  const std::string command = args.front();
  args.erase(args.begin());
  int code;
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kHelp, stdout);
    return kOk;
  } else if (command == "--version") {
    std::printf("frugal %s\n", FRUGAL_VERSION);
    return kOk;
  } else if (command == "probe") {
    code = run_probe(args);
  } else if (command == "packets") {
    code = run_packets(args);
  } else if (command == "decode") {
    code = run_decode(args);
  } else if (command == "play") {
    code = run_play(args);
  } else {
    return usage_error("unknown command '" + command + "'");
  }
  if (stats) print_stats();
  return code;
}
