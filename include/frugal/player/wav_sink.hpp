#pragma once
// RIFF/WAVE writer (Microsoft "Multimedia Programming Interface and Data
// Specifications 1.0"; WAVE_FORMAT_EXTENSIBLE per the Windows "Multiple
// Channel Audio Data and WAVE Files" note).
//
// 16-bit audio with one or two channels is written as WAVE_FORMAT_PCM;
// anything else (24/32-bit integer, 32-bit float, more than two channels) as
// WAVE_FORMAT_EXTENSIBLE with the standard channel mask for the count. Sizes
// past 4 GiB saturate at 0xFFFFFFFF (readers treat that as "to the end").
//
// Files are written atomically: into a temporary file beside the target,
// renamed over it by close(). A sink destroyed before close() succeeds, or
// whose writes failed, removes its temporary file and leaves any existing
// target untouched. A target that is a device or a FIFO (/dev/null, a named
// pipe) is written into as a stream instead; a symbolic link is followed.
// One sink holds one stream: a second open() is Errc::unsupported.

#include <frugal/player/sink.hpp>

namespace frugal::player {

/// A WAV file at `path` (committed by close()). Errors from close():
/// Errc::io when an earlier write failed (nothing committed).
std::unique_ptr<Sink> make_wav_file_sink(std::string path);

/// A WAV stream on file descriptor `fd` (e.g. stdout), which cannot seek
/// back, so the RIFF and data sizes are written as 0xFFFFFFFF ("unknown"),
/// as FFmpeg does for pipes. The descriptor is not closed.
std::unique_ptr<Sink> make_wav_stream_sink(int fd);

/// The 44- or 68-byte header for `data_bytes` bytes of `format` audio.
/// Exposed for tests.
std::string wav_header(const core::AudioFormat& format, std::uint64_t data_bytes);

}  // namespace frugal::player
