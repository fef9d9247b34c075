#pragma once
// An embedder's decoder plug-in: AAC on a (pretend) hardware block.
//
// Many players decode AAC on a DSP or a hardware codec block rather than
// the CPU. Such a decoder joins frugal through codec::DecoderRegistry at run
// time: register a factory for the codec, and streams of that codec try it
// before frugal's built-ins. The factory declines what the hardware cannot
// do (Errc::unsupported), and the registry hands those streams to the next
// factory, here libavcodec.
//
// This stand-in "hardware" takes AAC LC (object type 2) of 1 or 2 channels
// at 8 to 48 kHz, as typical AAC DSP firmware does, and forwards the
// packets to libavcodec's decoder, counting them, where a real one would
// queue them to the device.

#include <frugal/codec/registry.hpp>

#include <atomic>
#include <cstdint>

namespace example {

/// What the plug-in did, for the embedder's logs (and the test).
struct HardwareStats {
  std::atomic<std::uint64_t> streams{0};  ///< decoders created
  std::atomic<std::uint64_t> declined{0};  ///< streams passed to the next factory
  std::atomic<std::uint64_t> packets{0};  ///< packets decoded
};

/// Registers the hardware AAC decoder in `registry` as "hardware-aac",
/// before the decoders already there. `stats` must outlive the registry's
/// decoders. Thread-safety: as DecoderRegistry::add (not concurrently with
/// anything on `registry`).
void register_hardware_aac(frugal::codec::DecoderRegistry& registry, HardwareStats& stats);

}  // namespace example
