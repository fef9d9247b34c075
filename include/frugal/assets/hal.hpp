#pragma once
// HAL Laboratory decompression: the LZ/RLE format of Kirby and other HAL games
// on the SNES (and Game Boy), as documented by exhal/inhal (Devin Acker,
// MIT) and docs/ANCHORS.md "SNES ROM images".
//
// A stream is a list of commands ended by 0xFF. A command byte b is
//   (b & 0xE0) == 0xE0: long form, cmd = (b >> 2) & 7, len = ((b & 3) << 8 | next byte) + 1
//   otherwise:          short form, cmd = b >> 5,      len = (b & 0x1F) + 1
// followed by its argument:
//   0 literal: len bytes copied from the input;
//   1 byte fill: 1 byte, written len times;
//   2 word fill: 2 bytes, written len times (len counts words: 2 * len bytes out);
//   3 increasing fill: 1 byte v, writing v, v+1, ... (mod 256), len bytes;
//   4, 7 copy: big-endian 16-bit offset into the output, len bytes copied
//     forwards (7 only exists in the long form, 0xFC-0xFE; exhal treats it as
//     4, a quirk of the original routine);
//   5 bit-reversed copy: as 4, each byte's bits reversed;
//   6 backwards copy: big-endian offset, bytes offset, offset-1, ... (len of them).
// Output never exceeds 64 KiB (kHalMaxOutput).
//
// Copies run a byte at a time, as exhal's and the games' decoders do, so a
// forward copy may overlap what it writes (source offset < write position <
// offset + len repeats a pattern); exhal's compressor emits such copies. What
// is rejected is a read of output not yet written: a copy starting at or
// beyond the write position, a backwards copy running below offset 0.
//
// LC_LZ2 (Lunar Compress's name; Super Mario World, A Link to the Past and
// many Nintendo titles; MushROMs "LC_LZ2 Compression Format") is the same
// command set less commands 5 and 6, with one difference: its word fill
// writes len bytes (alternating the two), not len words. lz2_decompress
// decodes it; a 5 or 6, or a 7 inside a long form, is an error there.
//
// Everything here is portable (no exceptions, no allocation in the decoder)
// and reentrant: concurrent calls on distinct outputs are safe when the
// ByteSource allows concurrent reads.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

namespace frugal::assets {

/// Largest output of one HAL stream, in bytes (copy offsets are 16-bit).
inline constexpr std::size_t kHalMaxOutput = 0x10000;

/// The command sets the decoder knows (hal_scan's HalScanOptions::format).
enum class LzFormat : std::uint8_t {
  hal,     ///< HAL Laboratory (exhal/inhal)
  lc_lz2,  ///< LC_LZ2
};

/// What a successful decode produced.
struct HalBlock {
  std::size_t decompressed = 0;  ///< bytes written to the output
  std::size_t compressed = 0;    ///< input bytes consumed, the 0xFF end marker included
};

/// Decompresses the stream at the start of `input` into `output`; the bytes
/// after the 0xFF end marker are ignored. At most min(output.size(),
/// kHalMaxOutput) bytes are written.
/// Errors, each at the input offset of the offending command:
/// - Errc::malformed "HAL: input ends before the 0xFF end marker" (a command,
///   a long form's length byte or an argument cut off);
/// - Errc::malformed "HAL: copy from output not written yet" (a forward or
///   bit-reversed copy whose offset is at or beyond the bytes written);
/// - Errc::malformed "HAL: backwards copy runs below offset 0";
/// - Errc::malformed "HAL: output exceeds 64 KiB";
/// - Errc::limit_exceeded "HAL: output exceeds the caller's buffer" (the
///   caller's cap: `output` smaller than the stream's output).
/// On error, `output` holds what was written so far. Work is bounded: every
/// command writes at least one byte, so at most kHalMaxOutput commands run.
core::Result<HalBlock> hal_decompress(std::span<const std::byte> input, std::span<std::byte> output);

/// As above, reading the stream from `source` at byte `offset` through a
/// 256-byte read-ahead buffer on the stack (bounded reads: the ROM is never
/// read whole). The end of the source ends the input. Errors: as above, plus
/// the source's (Errc::io).
core::Result<HalBlock> hal_decompress(core::ByteSource& source, std::uint64_t offset, std::span<std::byte> output);

/// LC_LZ2 streams: as hal_decompress, the messages starting "LC_LZ2:" and
/// one more error, Errc::malformed "LC_LZ2: unused command (5, 6, or 7 in a
/// long form)".
core::Result<HalBlock> lz2_decompress(std::span<const std::byte> input, std::span<std::byte> output);
core::Result<HalBlock> lz2_decompress(core::ByteSource& source, std::uint64_t offset, std::span<std::byte> output);

/// One plausible HAL stream found by hal_scan.
struct HalCandidate {
  std::uint64_t offset = 0;  ///< where the stream starts in the source, bytes
  HalBlock block;
};

/// What makes a decode "plausible" in hal_scan.
struct HalScanOptions {
  /// Fewest output bytes (a tile is 16-64 bytes; shorter runs decode by chance).
  std::size_t min_decompressed = 32;
  /// Least decompressed/compressed ratio, percent: 100 = no growth. Random
  /// bytes that happen to decode are mostly literals and copies of 1-3 bytes,
  /// which expand; real HAL data compresses.
  std::uint32_t min_ratio_percent = 100;
  /// A try stops once its input runs this many bytes ahead of its output.
  /// Bounds the work on filler: a zero-filled area decodes as endless
  /// one-byte literals (2 bytes in, 1 out) up to the end of the source or
  /// 64 KiB of output. Real streams stay far below it (a literal run costs
  /// 1-2 header bytes per 32-1024 bytes); a stream that does not is cut off
  /// and not listed.
  std::size_t max_excess = 256;
  /// The command set streams are decoded with.
  LzFormat format = LzFormat::hal;
};

/// Where hal_scan stopped.
struct HalScanResult {
  std::size_t found = 0;    ///< candidates written to the front of `found`
  std::uint64_t next = 0;   ///< the offset to resume from (`end` when done)
};

/// Lists plausible HAL streams (LC_LZ2 with `options.format`) starting in [begin, end) of `source`
/// (streams may read past `end`; the source's end ends them). Heuristic: a
/// stream is plausible when it decodes without error into at most
/// min(output.size(), kHalMaxOutput) bytes, writes at least
/// `min_decompressed` bytes and its ratio is at least `min_ratio_percent`.
/// Each offset is tried in turn; after a hit the scan goes on after that
/// stream's end marker (streams do not overlap). It stops when `found` is
/// full; call again from `next` for more. False positives remain possible
/// on non-HAL data: check a candidate's contents (tiles, palettes) before
/// trusting it.
/// `output` is scratch for the decodes (64 KiB lets any stream through).
/// Work: one decode per offset, each stopping at its first error, at
/// kHalMaxOutput bytes of output or once its input runs `max_excess` bytes
/// ahead of its output; reads go through a 512-byte read-ahead buffer on the
/// stack. Errors: the source's (Errc::io).
core::Result<HalScanResult> hal_scan(core::ByteSource& source, std::uint64_t begin, std::uint64_t end,
                                     std::span<std::byte> output, std::span<HalCandidate> found,
                                     const HalScanOptions& options = {});

}  // namespace frugal::assets
