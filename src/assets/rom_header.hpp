#pragma once
// Header detection and the checksum, over image bytes [base, base + size)
// of a source (base: past a copier header). Rules documented at RomImage.

#include <frugal/assets/rom_image.hpp>

namespace frugal::assets::detail {

/// The image's checksum, the non-power-of-two remainder mirrored (snes9x).
/// Errors: the source's; Errc::io when it ends early.
core::Result<std::uint16_t> computed_checksum(core::ByteSource& source, std::uint64_t base, std::uint64_t size);

/// The best-scoring header, its fields decoded.
/// Errors: Errc::malformed (no candidate scores 8), Errc::unsupported
/// (interleaved), the source's.
core::Result<RomHeader> detect_header(core::ByteSource& source, std::uint64_t base, std::uint64_t size,
                                      std::uint16_t computed);

}  // namespace frugal::assets::detail
