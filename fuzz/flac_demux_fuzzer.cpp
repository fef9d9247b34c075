// The native FLAC reader on hostile input: open, every frame read with its
// bytes, packet_count, then seeks to times the input steers, each followed
// by a few packets. Anything but a clean error is a finding.
#include "harness.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/flac/demuxer.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <vector>

using namespace frugal;

namespace {

void read_packets(flac::Demuxer& demuxer, std::uint64_t max) {
  core::Packet p;
  std::vector<std::byte> data;
  for (std::uint64_t i = 0; i < max; ++i) {
    if (!demuxer.next_packet(p)) return;
    data.resize(p.size);
    (void)demuxer.read_packet(p, data);
  }
}

void run(std::span<const std::byte> input, mem::MemoryTracker& tracker) {
  core::MemorySource source(input);
  core::DemuxerOptions options;
  options.limits = fuzz::limits();
  options.tracker = &tracker;
  auto demuxer = flac::Demuxer::open(source, options);
  if (!demuxer) return;
  fuzz::Steering steer(input);
  read_packets(*demuxer, fuzz::kMaxPackets);
  (void)demuxer->packet_count(1);
  // Past the stated length too (0 = unknown): 2^32 samples is ~27 h at 44.1 kHz.
  const std::uint64_t span = demuxer->tracks()[0].duration ? 2 * demuxer->tracks()[0].duration : 1ull << 32;
  for (int k = 0; k < 4; ++k) {
    (void)demuxer->seek(1, steer.up_to(span));
    read_packets(*demuxer, 4);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  return fuzz::run_under_budget(bytes, size, run);
}
