// frugal tags/art in a build without TagLib (the tags module is absent).
#include "cli/common.hpp"

namespace frugal::cli {

namespace {
int unavailable(const std::vector<std::string>& argv) {
  return report(argv.empty() ? "tags" : argv.front(),
                core::make_error(core::Errc::unsupported, "built without TagLib"));
}
}  // namespace

core::Result<NowPlaying> now_playing(core::ByteSource&) { return NowPlaying{}; }
int run_tags(const std::vector<std::string>& argv) { return unavailable(argv); }
int run_art(const std::vector<std::string>& argv) { return unavailable(argv); }

}  // namespace frugal::cli
