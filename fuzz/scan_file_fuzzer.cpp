// The library scanner's steps for one file on hostile input: the content
// sniff (for MP4, box headers down moov/trak/mdia/hdlr looking for a sound
// track, before anything is hashed), then the facts and tags of what it
// takes as audio. Oracle: an MP4 that starts with ftyp (what the library
// asks of MP4 audio) and that the sniff calls "not audio" is one the
// demuxer opens with no audio track, or does not open — the box walk must
// never hide a track the player would play.
#include "harness.hpp"

#include "library/scan_file.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/player/container.hpp>

#include <algorithm>

using namespace frugal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fuzz::run_under_budget(data, size, [](std::span<const std::byte> input, mem::MemoryTracker& tracker) {
    core::MemorySource source(input);
    auto container = library::detail::sniff_audio(source, input.first(std::min<std::size_t>(input.size(), 4096)));
    if (!container) return;
    if (*container) {
      library::TrackRecord record;
      (void)library::detail::read_facts(source, &tracker, record);
      return;
    }
    // An MP4 by its ftyp, that detect_container also hands to MP4 ("OggS"
    // as an ftyp's size is an Ogg stream, which the Ogg reader resyncs in).
    const auto ftyp = std::as_bytes(std::span("ftyp", 4));
    if (input.size() < 8 || !std::equal(ftyp.begin(), ftyp.end(), input.begin() + 4)) return;
    auto detected = player::detect_container(source);
    if (!detected || *detected != player::Container::mp4) return;
    core::DemuxerOptions options;  // the default limits, as the sniff's
    options.tracker = &tracker;
    auto demuxer = player::open_demuxer(source, options);
    if (!demuxer) return;
    for (const core::Track& track : (*demuxer)->tracks())
      fuzz::check(!track.audio(), "the sniff called an MP4 with an audio track not audio");
  });
}
