// The Ogg demuxer on hostile input: open, every packet with its bytes,
// an earlier packet read again (from its page), then seeks at times the
// input steers, each followed by packet reads; one input in four through a
// source that says it cannot seek (a pipe). Anything but a clean error is a
// finding.
#include "harness.hpp"

#include "support/forward_source.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/ogg/demuxer.hpp>

#include <vector>

using namespace frugal;

namespace {

// Reads up to `max` packets with their bytes; returns the one at `keep`.
core::Packet read_packets(ogg::Demuxer& demuxer, std::uint64_t max, std::uint64_t keep) {
  core::Packet p, kept;
  std::vector<std::byte> data;
  for (std::uint64_t i = 0; i < max; ++i) {
    if (!demuxer.next_packet(p)) break;
    data.resize(p.size);
    (void)demuxer.read_packet(p, data);
    if (i == keep) kept = p;
  }
  return kept;
}

void run(core::ByteSource& source, std::span<const std::byte> input, mem::MemoryTracker& tracker) {
  core::DemuxerOptions options;
  options.limits = fuzz::limits();
  options.tracker = &tracker;
  auto demuxer = ogg::Demuxer::open(source, options);
  if (!demuxer) return;
  fuzz::Steering steer(input);
  for (const core::Track& t : demuxer->tracks()) {
    if (t.error) continue;
    (void)demuxer->seek(t.id, 0);
    const core::Packet earlier = read_packets(*demuxer, fuzz::kMaxPackets, steer.up_to(64));
    std::vector<std::byte> data(earlier.size);
    (void)demuxer->read_packet(earlier, data);
    (void)demuxer->packet_count(t.id);
    for (int k = 0; k < 4; ++k) {
      (void)demuxer->seek(t.id, steer.up_to(t.duration + 96000));
      read_packets(*demuxer, 4, 0);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const auto input = std::span(reinterpret_cast<const std::byte*>(bytes), size);
  mem::MemoryTracker tracker({.budget = fuzz::kBudgetBytes});
  {
    core::MemorySource memory(input);
    test::ForwardSource forward(input);
    const bool pipe = size > 0 && (bytes[size - 1] & 3) == 0;
    run(pipe ? static_cast<core::ByteSource&>(forward) : memory, input, tracker);
  }
  fuzz::expect_all_released(tracker);
  return 0;
}
