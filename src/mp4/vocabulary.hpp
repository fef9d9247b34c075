#pragma once
// The mp4 module speaks core's container-neutral vocabulary (tracks,
// packets, seek points) unqualified.

#include <frugal/core/demuxer.hpp>

namespace frugal::mp4 {

using core::Chapter;
using core::EditListEntry;
using core::GaplessInfo;
using core::kUnknownIndex;
using core::Packet;
using core::SampleEntry;
using core::SeekPoint;
using core::SoundPacking;
using core::Track;
using core::TrackType;

}  // namespace frugal::mp4
