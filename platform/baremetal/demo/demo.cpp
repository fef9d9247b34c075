// The bare-metal demo: demuxes an MP4 linked into the image (the bundled
// speech-chirp.opus.m4a) through core::MemorySource, with every byte the
// demuxer keeps charged to a MemoryTracker: lists the tracks, reads every
// packet (summing sizes and durations), seeks to the middle, and prints the
// tracker's peak. Output goes to the host through semihosting.
// Runs on an MPS2-AN386 (Cortex-M4) under qemu-system-arm; see
// docs/BAREMETAL.md.
#include <frugal/core/byte_source.hpp>
#include <frugal/core/media.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/demuxer.hpp>

#include <cstdint>
#include <cstdio>
#include <span>

// The MP4, linked in from FRUGAL_DEMO_MP4 (a path, set by CMake).
asm(".section .rodata.frugal_demo_mp4, \"a\"\n"
    ".balign 4\n"
    ".global frugal_demo_mp4, frugal_demo_mp4_end\n"
    "frugal_demo_mp4:\n"
    ".incbin \"" FRUGAL_DEMO_MP4 "\"\n"
    "frugal_demo_mp4_end:\n"
    ".previous\n");
extern "C" const std::byte frugal_demo_mp4[];
extern "C" const std::byte frugal_demo_mp4_end[];

// The tracker's clock (platform/baremetal/sync.hpp): pressure re-notification
// is the only user, and the demo never waits, so a counter will do.
extern "C" std::uint64_t frugal_ticks_now(void) {
  static std::uint64_t ticks = 0;
  return ++ticks;
}

namespace {

using namespace frugal;

int fail(const char* what, const core::Error& e) {
  std::printf("demo: %s: %s\n", what, e.message);
  return 1;
}

}  // namespace

extern "C" int frugal_demo_main() {
  const std::span file(frugal_demo_mp4, static_cast<std::size_t>(frugal_demo_mp4_end - frugal_demo_mp4));
  core::MemorySource source(file);
  mem::MemoryTracker tracker({.budget = 64 * 1024});
  core::DemuxerOptions options;
  options.tracker = &tracker;
  auto demuxer = mp4::Demuxer::open(source, options);
  if (!demuxer) return fail("open", demuxer.error());

  std::printf("demo: %u-byte MP4, %u track(s)\n", static_cast<unsigned>(file.size()),
              static_cast<unsigned>(demuxer->tracks().size()));
  for (const core::Track& t : demuxer->tracks()) {
    if (t.error || t.sample_entries.empty()) continue;
    const core::CodecParameters& codec = t.sample_entries.front().codec;
    // Integer arithmetic only: the M4F's FPU is single precision.
    std::printf("track %u: %s, %u Hz, %u ch, %lu samples, %lu ms\n", static_cast<unsigned>(t.id),
                core::codec_name(codec), static_cast<unsigned>(codec.sample_rate),
                static_cast<unsigned>(codec.channels), static_cast<unsigned long>(t.sample_count),
                static_cast<unsigned long>(t.timescale ? t.duration * 1000 / t.timescale : 0));
    if (!demuxer->set_track_enabled(t.id, true)) return 1;
  }

  core::Packet p;
  std::uint64_t packets = 0, bytes = 0;
  for (;;) {
    if (auto next = demuxer->next_packet(p); !next) {
      if (next.error().code != core::Errc::end_of_stream) return fail("packet", next.error());
      break;
    }
    ++packets;
    bytes += p.size;
  }
  std::printf("read %lu packets, %lu bytes\n", static_cast<unsigned long>(packets),
              static_cast<unsigned long>(bytes));

  const core::Track& first = demuxer->tracks().front();
  if (auto landed = demuxer->seek(first.id, first.duration / 2); !landed) return fail("seek", landed.error());
  if (!demuxer->next_packet(p)) return 1;
  std::printf("seek to the middle: packet %lu at tick %ld\n", static_cast<unsigned long>(p.index),
              static_cast<long>(p.dts));
  std::printf("tracker peak: %u bytes\n", static_cast<unsigned>(tracker.peak_total()));
  return packets > 0 && bytes > 0 ? 0 : 1;
}
