#pragma once
// Playback through ALSA (platform/linux; needs libasound at build time,
// FRUGAL_WITH_ALSA). Underruns (EPIPE) and suspends (ESTRPIPE) are recovered
// with snd_pcm_recover and counted; playback goes on.

#include <frugal/player/sink.hpp>

#include <memory>
#include <string>

namespace frugal::player {

/// True when this build has the ALSA sink.
bool alsa_supported() noexcept;

/// Opens ALSA PCM `device` ("default", "hw:0", "plughw:1,0"...) for
/// playback. The device is opened here, so a missing sound card shows up now,
/// not at the first write. Errors: Errc::unsupported when built without ALSA;
/// Errc::io when the device cannot be opened (the message is ALSA's).
/// open() accepts s16, s24, s32 and f32 in native order (ALSA's plug layer
/// converts when the card cannot take them).
core::Result<std::unique_ptr<Sink>> make_alsa_sink(const std::string& device = "default");

}  // namespace frugal::player
