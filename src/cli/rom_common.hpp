#pragma once
// What the rom subcommands share: opening a ROM file mapped, and reading an
// offset as the command line writes it.

#include <frugal/assets/rom_image.hpp>
#include <frugal/core/file_source.hpp>
#include <frugal/core/result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace frugal::cli {

/// A ROM file mapped whole (an image is at most RomOptions::max_image_bytes
/// plus a copier header, so one window covers it), read by RomImage without a
/// page cache: pages come from the kernel's page cache, read once. A file cut
/// short while mapped raises SIGBUS (MappedFileSource's policy). Not for
/// concurrent reads (rom extract reads through pread instead).
class RomFile {
 public:
  /// Errors: MappedFileSource::open's and RomImage::open's.
  static core::Result<std::unique_ptr<RomFile>> open(const std::string& path);
  assets::RomImage& image() { return *image_; }
  /// The whole file, copier header included.
  core::ByteSource& file() { return file_; }

 private:
  explicit RomFile(core::MappedFileSource file) : file_(std::move(file)) {}
  core::MappedFileSource file_;
  std::optional<assets::RomImage> image_;
};

/// All of `text` as an unsigned number in `base` (10 or 16, digits only), at
/// most `max`.
std::optional<std::uint64_t> parse_number(const std::string& text, int base, std::uint64_t max);

/// One offset as the command line and offsets files write it: decimal,
/// 0x hex, or a bus address `$BB:AAAA` / `BB:AAAA` (hex) mapped through
/// `mapping` in an image of `image_bytes`. The result is below image_bytes.
/// Errors: Errc::invalid_argument with a static message.
core::Result<std::uint64_t> parse_rom_offset(const std::string& text, assets::RomMapping mapping,
                                             std::uint64_t image_bytes);

}  // namespace frugal::cli
