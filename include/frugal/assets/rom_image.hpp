#pragma once
// SNES ROM images: the cartridge header found by scoring, and the image's
// bytes read through a small page cache.
//
// Header layout (SNES development manual; fullsnes "SNES Cartridge ROM
// Header"; docs/ANCHORS.md), from base $xxB0 at $7FB0 (LoROM), $FFB0
// (HiROM), $407FB0 (ExLoROM), $40FFB0 (ExHiROM) in the image:
//   +$00 maker code (2) · +$02 game code (4) · +$0C expansion flash size ·
//   +$0D expansion RAM size · +$0E special version · +$0F chip sub-type
//   (the extended header, meaningful when the developer ID is $33) ·
//   +$10 title (21) · +$25 map mode · +$26 cartridge type · +$27 ROM size
//   (log2 KiB) · +$28 RAM size (log2 KiB) · +$29 region · +$2A developer ID ·
//   +$2B version · +$2C checksum complement · +$2E checksum (little-endian) ·
//   +$4C reset vector (emulation mode).
// Thread-safety: RomHeader, RomExtendedHeader and the name functions are
// plain values / pure; RomImage as documented on it.

#include <frugal/assets/rom_mapping.hpp>
#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace frugal::assets {

/// The coprocessor the cartridge type byte (+$26) names: its low nibble
/// >= 3 means "ROM + coprocessor", the high nibble which one (fullsnes
/// "Chipset"; bsnes heuristics/super-famicom.cpp board()); $Fx is custom,
/// named by the extended header's chip sub-type (+$0F).
enum class RomChip : std::uint8_t {
  none,     ///< no coprocessor (types $00-$02: ROM, +RAM, +battery)
  dsp1,     ///< $0x: NEC µPD7725 DSP-1/1A/1B/2/3/4; the header does not tell which, so all are
            ///< named after DSP-1, which most cartridges carry
  superfx,  ///< $1x: GSU (Super FX)
  obc1,     ///< $2x: OBC-1
  sa1,      ///< $3x: SA-1
  sdd1,     ///< $4x: S-DD1
  srtc,     ///< $5x: S-RTC (Sharp real-time clock)
  other,    ///< $Ex: Super Game Boy, Satellaview
  spc7110,  ///< $Fx, sub-type $00: SPC7110
  st010,    ///< $Fx, sub-type $01: ST010/ST011 (NEC µPD96050)
  st018,    ///< $Fx, sub-type $02: ST018 (ARM)
  cx4,      ///< $Fx, sub-type $10: Cx4 (Hitachi HG51BS169)
  unknown,  ///< a coprocessor code not listed above ($6x-$Dx, other $Fx sub-types)
};

/// "none", "dsp1", "superfx", "obc1", "sa1", "sdd1", "srtc", "other",
/// "spc7110", "st010", "st018", "cx4", "unknown".
const char* chip_name(RomChip chip) noexcept;

/// The extended header ($xxB0-$xxBF), present when the developer ID is $33.
struct RomExtendedHeader {
  std::array<char, 2> maker_code{};  ///< two ASCII characters, as stored
  std::array<char, 4> game_code{};   ///< four ASCII characters, as stored
  std::uint32_t expansion_flash_bytes = 0;  ///< 1 KiB << n, 0 for n = 0 (or n > 13: not a size)
  std::uint32_t expansion_ram_bytes = 0;    ///< 1 KiB << n, 0 for n = 0 (or n > 13)
  std::uint8_t special_version = 0;
  std::uint8_t chip_subtype = 0;  ///< names the custom chip of cartridge types $Fx
};

/// What the winning header says, and how it won.
struct RomHeader {
  static constexpr std::size_t kTitleBytes = 21;
  static constexpr std::size_t kMaxReasons = 8;

  RomMapping mapping = RomMapping::lorom;
  RomChip chip = RomChip::none;
  /// Image offset of the header's base ($xxB0); the title is at +$10.
  std::uint64_t base_offset = 0;
  std::uint8_t map_mode = 0;        ///< +$25 as stored (bit 4: FastROM)
  std::uint8_t cartridge_type = 0;  ///< +$26 as stored
  /// Declared sizes in bytes (1 KiB << the stored log2), 0 when the byte is
  /// 0 or out of range (ROM: above 8 MiB; RAM: above 8 MiB).
  std::uint32_t rom_size = 0;
  std::uint32_t ram_size = 0;
  std::uint8_t region = 0;        ///< +$29 destination code (0 Japan, 1 North America, 2 Europe, ...)
  std::uint8_t developer_id = 0;  ///< +$2A ($33: extended header present)
  std::uint8_t version = 0;       ///< +$2B mask ROM version
  std::uint16_t checksum = 0;     ///< +$2E as stored
  std::uint16_t complement = 0;   ///< +$2C as stored
  /// Sum of the image's bytes mod 0x10000 (copier header excluded); an image
  /// whose size is not a power of two has its remainder mirrored up to the
  /// next power of two, as snes9x (after NSRT) does: size = 2^k + rest sums
  /// the first 2^k bytes once and the rest's own mirrored sum doubled until
  /// it covers 2^k (3 MiB: 2 MiB + 2 × 1 MiB; 1.5 MiB: 1 MiB + 2 × 512 KiB).
  std::uint16_t computed_checksum = 0;
  std::uint16_t reset_vector = 0;  ///< +$4C, the bank $00 address the CPU starts at
  std::optional<RomExtendedHeader> extended;

  /// The title, JIS X 0201 decoded to UTF-8 (ASCII as is, half-width katakana
  /// $A1-$DF → U+FF61-U+FF9F, other bytes '?'), trailing spaces and NULs trimmed.
  std::string_view title() const noexcept { return {title_utf8.data(), title_length}; }
  /// checksum + complement == $FFFF and checksum == computed_checksum.
  bool checksum_valid() const noexcept {
    return static_cast<std::uint16_t>(checksum + complement) == 0xFFFF && checksum == computed_checksum;
  }

  /// The winner's score and why: one static sentence per rule, in the order
  /// the rules are listed at RomImage.
  int score = 0;
  std::array<const char*, kMaxReasons> reasons{};
  std::size_t reason_count = 0;
  std::span<const char* const> reason_list() const noexcept { return {reasons.data(), reason_count}; }

  std::array<char, kTitleBytes * 3> title_utf8{};  ///< title() storage
  std::size_t title_length = 0;
};

struct RomOptions {
  /// Tracker for the page cache (account "assets/rom_pages"); nullptr:
  /// mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
  /// Pages of RomImage::kPageBytes in the LRU cache; 0 = no cache, every
  /// read goes to the source (for sources already in memory: MemorySource,
  /// MappedFileSource).
  std::size_t cache_pages = 16;
  /// Largest image accepted, in bytes (copier header excluded). 8 MiB is
  /// the most ExLoROM/ExHiROM can map; larger files are limit_exceeded.
  std::uint64_t max_image_bytes = std::uint64_t{8} << 20;
};

/// An SNES ROM image over a ByteSource.
///
/// Copier header: a file whose size is 512 bytes more than a multiple of
/// 32 KiB (`size % 0x8000 == 512`, bsnes's rule) starts with a 512-byte
/// copier header, which is skipped. ROM chips come in whole 32 KiB LoROM
/// banks, so 512 left over is the header; snes9x's `% 0x2000` would also
/// take 8 KiB-granular files, which no cartridge has.
///
/// Detection: each candidate location that fits in the image is scored
///   +4 checksum + complement == $FFFF, +4 more when the checksum equals the
///      computed one;
///   +4 map mode fits the location ($20/$30/$22/$32 LoROM, $23/$33 SA-1 at
///      $7FC0; $21/$31/$2A/$3A at $FFC0; $20/$30/$32 at $407FC0; $25/$35 at $40FFC0);
///   +2 reset vector >= $8000, −4 below (never ROM);
///   +2 every title byte printable (ASCII or half-width katakana);
///   +2 declared ROM size fits the image (half of it < image <= it);
/// the highest wins; ties go to ExHiROM, ExLoROM, LoROM, HiROM in that
/// order (an Ex image often keeps a copy of its header in its first 4 MiB;
/// the CPU reads the Ex one). Below 8 (what map mode and reset vector
/// alone give, which random bytes meet 1 time in 128) there is no header. Interleaved images (HiROM stored with each
/// 64 KiB bank's halves swapped, as some copiers wrote them) put a HiROM
/// header at $7FC0: a winner at $7FC0 whose map mode says HiROM/ExHiROM is
/// refused, not misreported.
///
/// Truncation: the size is taken at open. A FileSource that shrinks later
/// gives Errc::io ("ROM image shrank") for pages past the new end; a
/// MappedFileSource follows its own policy (file_source.hpp): Errc::io when
/// its window moves past the new end, SIGBUS for a page of the current window.
///
/// Thread-safety: read() may be called from several threads at once; reads
/// of the source are serialized under the image's mutex, so the source need
/// not be thread-safe (MappedFileSource is not). header() is immutable after open.
/// The source (and the tracker) must outlive the image.
class RomImage {
 public:
  static constexpr std::size_t kPageBytes = 4096;

  /// Bytes a cache of `pages` pages charges: the pages and their slots.
  static std::size_t cache_bytes(std::size_t pages) noexcept;

  /// Detects the copier header and the cartridge header, computes the
  /// checksum (one pass over the image, 1 KiB at a time), and sets up the
  /// cache (charged before it is allocated).
  /// Errors: Errc::unsupported (source without a size; an interleaved
  /// image); Errc::malformed (smaller than 32 KiB, empty; no header scores
  /// 8); Errc::limit_exceeded (past max_image_bytes); Errc::out_of_memory
  /// (the cache past the tracker's budget); Errc::io from the source.
  static core::Result<RomImage> open(core::ByteSource& source, const RomOptions& options = {});

  RomImage(RomImage&&) noexcept;
  RomImage& operator=(RomImage&&) noexcept;
  RomImage(const RomImage&) = delete;
  RomImage& operator=(const RomImage&) = delete;
  ~RomImage();

  const RomHeader& header() const noexcept;
  /// True when the file starts with a 512-byte copier header.
  bool copier_header() const noexcept;
  /// Image bytes (the file without its copier header).
  std::uint64_t size() const noexcept;

  /// Reads image bytes [offset, offset + dst.size()) exactly. Thread-safe.
  /// Errors: Errc::invalid_argument past the image's end; Errc::io (the
  /// source's, or "ROM image shrank" when the file became shorter).
  core::Result<void> read(std::uint64_t offset, std::span<std::byte> dst);

  /// Pages in the cache now (the configured count, fewer under memory
  /// pressure: half at high, one at critical).
  std::size_t cache_pages() const noexcept;
  /// Source reads made for the cache so far (for tests and --stats).
  std::uint64_t page_reads() const noexcept;

 private:
  struct Impl;
  explicit RomImage(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace frugal::assets
