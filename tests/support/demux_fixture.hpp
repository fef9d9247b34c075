#pragma once
// Header-only helpers for tests that demux writer-built files (link frugal::mp4).

#include "support/mp4_writer.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/mp4/demuxer.hpp>

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace frugal::test {

/// An AAC track (one packet per sample) with these sample sizes.
inline TrackSpec aac_track(std::vector<std::uint32_t> sizes) {
  return audio_track(audio_sample_entry(AudioEntrySpec("mp4a", {esds_box(0x40)})), std::move(sizes));
}

/// Sizes first, first + 1, ... (distinct, so a wrong sample shows).
inline std::vector<std::uint32_t> ramp(std::size_t n, std::uint32_t first = 10) {
  std::vector<std::uint32_t> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

/// A writer-built file in memory and the Demuxer opened over it. Not movable:
/// the demuxer points at the source, which points at the bytes.
struct OpenedMovie {
  explicit OpenedMovie(const MovieSpec& spec, const core::DemuxerOptions& options = {})
      : bytes(build_mp4(spec, &layout)), source(bytes), demuxer(mp4::Demuxer::open(source, options)) {}
  explicit OpenedMovie(Bytes file, const core::DemuxerOptions& options = {})
      : bytes(std::move(file)), source(bytes), demuxer(mp4::Demuxer::open(source, options)) {}
  OpenedMovie(const OpenedMovie&) = delete;
  OpenedMovie& operator=(const OpenedMovie&) = delete;

  mp4::Demuxer& demux() { return *demuxer; }
  const core::Track& track(std::size_t i) { return demuxer->tracks()[i]; }

  MovieLayout layout;  // declared first: build_mp4 fills it while `bytes` is built
  Bytes bytes;
  core::MemorySource source;
  core::Result<mp4::Demuxer> demuxer;
};

/// Every packet next_packet() delivers until Errc::end_of_stream, or the
/// first other error.
inline core::Result<std::vector<core::Packet>> read_all_packets(core::Demuxer& demuxer) {
  std::vector<core::Packet> out;
  core::Packet p;
  while (true) {
    auto r = demuxer.next_packet(p);
    if (!r) {
      if (r.error().code == core::Errc::end_of_stream) return out;
      return r.error();
    }
    out.push_back(p);
    if (out.size() > 1'000'000) return core::make_error(core::Errc::limit_exceeded, "runaway packet loop");
  }
}

/// Demuxer::packet_count of track `i` (0 with a test failure when it fails).
inline std::uint64_t packet_count(OpenedMovie& m, std::size_t i) {
  auto n = m.demux().packet_count(m.track(i).id);
  if (!n) {
    ADD_FAILURE() << "packet_count failed: " << n.error().message;
    return 0;
  }
  return *n;
}

/// All packets of an opened movie; fails the test (and returns none) when
/// open or next_packet fails.
inline std::vector<core::Packet> packets_of(OpenedMovie& m) {
  if (!m.demuxer) {
    ADD_FAILURE() << "open failed: " << m.demuxer.error().message;
    return {};
  }
  auto packets = read_all_packets(m.demux());
  if (!packets) {
    ADD_FAILURE() << "next_packet failed: " << packets.error().message;
    return {};
  }
  return *packets;
}

/// The bytes of `packet`, read through the demuxer (empty, with a test
/// failure, when that fails).
inline Bytes packet_data(core::Demuxer& demuxer, const core::Packet& packet) {
  Bytes data(packet.size);
  auto r = demuxer.read_packet(packet, data);
  if (!r) {
    ADD_FAILURE() << "read_packet failed: " << r.error().message;
    return {};
  }
  return data;
}

/// The writer's default payload for samples [first, first + count) of
/// track `track`, whose sizes are `sizes` (indexed by sample).
inline Bytes expected_payload(std::size_t track, std::uint64_t first, std::uint64_t count,
                              const std::vector<std::uint32_t>& sizes) {
  Bytes out;
  for (std::uint64_t s = first; s < first + count; ++s)
    for (std::uint32_t i = 0; i < sizes.at(s); ++i) out.push_back(sample_byte(track, s, i));
  return out;
}

/// Checks each packet of a default-payload movie against the writer's
/// layout: its position, its size (the sum of its samples' sizes) and its
/// bytes as read_packet returns them.
inline void expect_packets_match_layout(OpenedMovie& m, const MovieSpec& spec,
                                        const std::vector<core::Packet>& packets) {
  const auto tracks = m.demux().tracks();
  std::vector<std::uint64_t> next_sample(tracks.size(), 0);
  for (const core::Packet& p : packets) {
    std::size_t ti = 0;
    while (ti < tracks.size() && tracks[ti].id != p.track) ++ti;
    ASSERT_LT(ti, tracks.size()) << "packet of unknown track " << p.track;
    const std::uint64_t first = next_sample[ti];
    next_sample[ti] += p.sample_count;
    const auto& sizes = spec.tracks[ti].sample_sizes;
    ASSERT_LE(first + p.sample_count, sizes.size()) << "packet " << p.index << " of track " << p.track;
    std::uint64_t size = 0;
    for (std::uint64_t s = first; s < first + p.sample_count; ++s) size += sizes[s];
    EXPECT_EQ(p.pos, m.layout.sample_offsets[ti][first]) << "packet " << p.index << " of track " << p.track;
    EXPECT_EQ(p.size, size) << "packet " << p.index << " of track " << p.track;
    EXPECT_EQ(packet_data(m.demux(), p), expected_payload(ti, first, p.sample_count, sizes))
        << "packet " << p.index << " of track " << p.track;
  }
}

/// One field of every packet, for comparing with EXPECT_EQ.
template <typename T>
std::vector<T> field(const std::vector<core::Packet>& packets, T core::Packet::*member) {
  std::vector<T> out;
  for (const core::Packet& p : packets) out.push_back(p.*member);
  return out;
}

}  // namespace frugal::test
