// frugal packets FILE [--track N] [--json]: the packets the demuxer delivers,
// times in track timescale ticks as stored (edit lists not applied).
#include "cli/common.hpp"
#include "cli/json.hpp"

#include <frugal/mp4/demuxer.hpp>

#include <cstdio>

namespace frugal::cli {

int run_packets(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"--track"}, {"--json"}, err);
  if (!args) return usage_error(err);
  int code = kOk;
  std::optional<std::uint32_t> track;
  if (!parse_track(*args, track, code)) return code;
  std::vector<std::string> paths;
  if (!one_input(*args, "packets", paths, code)) return code;
  const std::string& path = paths[0];

  auto input = Input::open(paths);
  if (!input) return report(path, input.error());
  auto demuxer = open_demuxer(**input);
  if (!demuxer) return report(path, demuxer.error());
  core::Demuxer& d = **demuxer;
  if (track) {
    if (!d.track(*track)) return usage_error("no track " + std::to_string(*track) + " in " + path);
    for (const core::Track& t : d.tracks())
      if (auto r = d.set_track_enabled(t.id, t.id == *track); !r) return report(path, r.error());
  } else {
    // Broken tracks were left out at open; say so, and fail at the end.
    for (const core::Track& t : d.tracks())
      if (t.error) code = report(path + ": track " + std::to_string(t.id), *t.error);
  }

  const bool json = args->has("--json");
  if (!json) std::printf("%-6s %-8s %-12s %-12s %-8s %-8s %-12s %s\n", "track", "index", "dts", "pts", "duration",
                         "size", "pos", "sync");
  core::Packet p;
  while (true) {
    if (auto r = d.next_packet(p); !r) {
      if (r.error().code == core::Errc::end_of_stream) break;
      return report(path, r.error());
    }
    if (json) {
      JsonObject o;
      o.add("track", p.track)
          .add("index", p.index)
          .add("dts", p.dts)
          .add("pts", p.pts)
          .add("duration", p.duration)
          .add("size", p.size)
          .add("pos", p.pos)
          .add("sync", p.sync);
      std::printf("%s\n", o.str().c_str());
    } else {
      std::printf("%-6u %-8llu %-12lld %-12lld %-8llu %-8u %-12llu %s\n", p.track,
                  static_cast<unsigned long long>(p.index), static_cast<long long>(p.dts),
                  static_cast<long long>(p.pts), static_cast<unsigned long long>(p.duration), p.size,
                  static_cast<unsigned long long>(p.pos), p.sync ? "K" : "-");
    }
  }
  return code;
}

}  // namespace frugal::cli
