#pragma once
// Opens the right demuxer for a file, chosen from its content (never its
// name): "fLaC" (after any ID3v2 tag) is FLAC, "OggS" is Ogg, anything else
// is tried as ISO-BMFF/MP4. Thread-safety: free functions, no shared state.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/demuxer.hpp>

#include <memory>

namespace frugal::player {

enum class Container : std::uint8_t { mp4, flac, ogg };

/// The container in `source`, from its first bytes. Errors: Errc::io.
core::Result<Container> detect_container(core::ByteSource& source);

/// Opens `source` (which must outlive the demuxer) with the demuxer for its
/// container. Errors: that demuxer's open() errors; Errc::unsupported for a
/// container this build has no reader for.
core::Result<std::unique_ptr<core::Demuxer>> open_demuxer(core::ByteSource& source,
                                                          const core::DemuxerOptions& options = {});

}  // namespace frugal::player
