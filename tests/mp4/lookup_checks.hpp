#pragma once
// Helpers shared by the sample-lookup tests: the packet a sample should
// give, the packet a seek gives, and a demuxer whose reads are counted.

#include <frugal/core/byte_source.hpp>
#include <frugal/mp4/demuxer.hpp>

#include <gtest/gtest.h>

#include <cstdint>

namespace frugal::test {

/// What the packet of one sample (max_run 1: not grouped PCM) must hold.
struct ExpectedPacket {
  std::uint64_t pos = 0;
  std::uint32_t size = 0;
  std::int64_t dts = 0;
  std::int64_t pts = 0;
  std::uint64_t duration = 0;
  bool sync = true;
  std::uint32_t sample_description_index = 1;
};

/// Whether `p` is the packet of sample `sample` as `e` describes it (every
/// differing field is named in the failure message).
inline testing::AssertionResult packet_is(const core::Packet& p, std::uint64_t sample, const ExpectedPacket& e) {
  testing::AssertionResult result = testing::AssertionSuccess();
  const auto check = [&](const char* name, auto actual, auto expected) {
    if (actual == expected) return;
    if (result) result = testing::AssertionFailure() << "sample " << sample << ":";
    result << " " << name << " " << actual << " (expected " << expected << ")";
  };
  check("index", p.index, sample);
  check("sample_count", p.sample_count, 1u);
  check("pos", p.pos, e.pos);
  check("size", p.size, e.size);
  check("dts", p.dts, e.dts);
  check("pts", p.pts, e.pts);
  check("duration", p.duration, e.duration);
  check("sync", p.sync, e.sync);
  check("sample_description_index", p.sample_description_index, e.sample_description_index);
  return result;
}

/// seek_to_sample(track, sample), then the next packet. Allocation-free.
inline core::Result<core::Packet> packet_after_seek(mp4::Demuxer& demuxer, std::uint32_t track,
                                                   std::uint64_t sample) {
  FRUGAL_TRY(core::SeekPoint at, demuxer.seek_to_sample(track, sample));
  if (at.sample != sample) return core::make_error(core::Errc::seek, "seek_to_sample landed elsewhere");
  core::Packet p;
  FRUGAL_CHECK(demuxer.next_packet(p));
  return p;
}

/// A demuxer over `inner` whose reads are counted. Not movable: the demuxer
/// points at the counting source.
struct CountedDemuxer {
  explicit CountedDemuxer(core::ByteSource& inner, const core::DemuxerOptions& options = {})
      : counting(inner), demuxer(mp4::Demuxer::open(counting, options)) {}
  CountedDemuxer(const CountedDemuxer&) = delete;
  CountedDemuxer& operator=(const CountedDemuxer&) = delete;

  mp4::Demuxer& demux() { return *demuxer; }

  /// Reads made by `action` (calls and bytes).
  struct Reads {
    std::uint64_t calls = 0;
    std::uint64_t bytes = 0;
  };
  template <typename F>
  Reads reads_during(F&& action) {
    const Reads before{counting.read_calls(), counting.bytes_read()};
    action();
    return {counting.read_calls() - before.calls, counting.bytes_read() - before.bytes};
  }

  core::CountingSource counting;
  core::Result<mp4::Demuxer> demuxer;
};

}  // namespace frugal::test
