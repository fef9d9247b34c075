// The MP4 demuxer on hostile input: open, every packet of every track (its
// bytes read), critical memory pressure at a point the input picks, then
// seeks by time and by sample, time lookups and pre-roll queries the input
// steers. Anything but a clean error is a finding.
#include "harness.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/mem/manual_source.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/mp4/demuxer.hpp>

#include <vector>

using namespace frugal;

namespace {

// Reads up to `max` packets with their bytes; critical pressure arrives
// before packet `press_at`.
void read_packets(mp4::Demuxer& demuxer, std::uint64_t max, std::uint64_t press_at,
                  mem::ManualPressureSource& pressure, mem::MemoryTracker& tracker) {
  core::Packet p;
  std::vector<std::byte> data;
  for (std::uint64_t i = 0; i < max; ++i) {
    if (i == press_at) {
      pressure.set(mem::PressureLevel::critical);
      tracker.dispatch();
    }
    if (!demuxer.next_packet(p)) return;
    data.resize(p.size);
    (void)demuxer.read_packet(p, data);
  }
}

void run(std::span<const std::byte> input, mem::MemoryTracker& tracker, mem::ManualPressureSource& pressure) {
  core::MemorySource source(input);
  core::DemuxerOptions options;
  options.limits = fuzz::limits();
  options.tracker = &tracker;
  auto demuxer = mp4::Demuxer::open(source, options);
  if (!demuxer) return;
  fuzz::Steering steer(input);

  for (const core::Track& t : demuxer->tracks()) (void)demuxer->set_track_enabled(t.id, true);
  read_packets(*demuxer, fuzz::kMaxPackets, steer.up_to(fuzz::kMaxPackets), pressure, tracker);
  pressure.set(mem::PressureLevel::normal);
  tracker.dispatch();

  for (const core::Track& t : demuxer->tracks()) {
    if (t.error) continue;
    (void)demuxer->packet_count(t.id);
    for (int k = 0; k < 4; ++k) {
      (void)demuxer->seek(t.id, steer.up_to(t.duration));
      read_packets(*demuxer, 4, ~std::uint64_t{0}, pressure, tracker);
      const std::uint64_t sample = steer.up_to(t.sample_count);
      (void)demuxer->seek_to_sample(t.id, sample);
      (void)demuxer->sample_at_time(t.id, steer.up_to(t.duration));
      (void)demuxer->preroll_samples(t.id, sample);
      read_packets(*demuxer, 4, ~std::uint64_t{0}, pressure, tracker);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  mem::MemoryTracker tracker({.budget = fuzz::kBudgetBytes});
  mem::ManualPressureSource pressure(&tracker);
  if (!tracker.add_source(pressure)) return 0;
  run(std::span(reinterpret_cast<const std::byte*>(bytes), size), tracker, pressure);
  fuzz::expect_all_released(tracker);
  return 0;
}
