#pragma once
// ExrHeader: the headers of an OpenEXR file, read without its pixels.
//
// Source: "The OpenEXR File Layout" (openexr.com, sections "Header",
// "Attribute Layout", "Predefined attribute types", "Offset tables",
// "Multi-Part and Deep Data"), checked against OpenEXRCore 3.1's parser and
// validation (parse_header.c, validation.c), whose strict-header verdict
// ExrHeader follows. Known differences (tests/assets/exr_header_test.cpp):
// OpenEXRCore 3.1 reads a stringvector entry longer than its attribute on
// into the following bytes, ExrHeader refuses it; it reports 0 chunks for a
// scan-line part that carries a tiles attribute, ExrHeader the scan-line
// count; and ExrLimits' caps refuse what OpenEXRCore would read.
//
// Layout, all little-endian: magic 76 2F 31 01; a 32-bit version field (low
// byte 2, flags 0x200 single-part tiled, 0x400 long names, 0x800 non-image
// (deep), 0x1000 multipart); then per part a header — attributes
// `name\0 type\0 int32 size, value`, ended by a null byte — (multipart: the
// list of headers ends with an empty header); then one offset table per part
// (a uint64 per chunk), then the chunks. ExrHeader reads the headers only,
// byte by byte through a small read-ahead window, never the offset tables
// or the pixels: it computes the tables' size instead.
//
// Memory: everything kept (attributes, channels, strings) is charged to the
// tracker account "assets/exr_header" before it is allocated, and held by
// the ExrHeader for as long as it lives; the read-ahead window (4 KiB) is
// charged while read_exr_header runs. Attribute values larger than
// `ExrLimits::max_attribute_bytes` (previews excepted: only their size is
// kept), more than `max_attributes` attributes and more than `max_channels`
// channels are refused.
// Arithmetic on sizes is 64-bit, also on 32-bit targets.
//
// Thread-safety: read_exr_header may run on several threads at once on
// different sources; an ExrHeader is a plain value (const use is safe).

#include <frugal/core/byte_source.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace frugal::assets {

/// Compression methods (the `compression` attribute's byte, 0-9).
enum class ExrCompression : std::uint8_t { none, rle, zips, zip, piz, pxr24, b44, b44a, dwaa, dwab };
/// OpenEXR's lower-case name: "none", "rle", "zips", "zip", "piz", "pxr24",
/// "b44", "b44a", "dwaa", "dwab".
const char* exr_compression_name(ExrCompression c) noexcept;
/// Scan lines per chunk: none/rle/zips 1, zip/pxr24 16, piz/b44/b44a/dwaa 32,
/// dwab 256 (file layout, "Scan Line Blocks"; OpenEXRCore's table).
int exr_lines_per_chunk(ExrCompression c) noexcept;

/// Channel pixel types (uint 0, half 1, float 2).
enum class ExrPixelType : std::uint8_t { uint, half, float32 };
/// "uint", "half", "float".
const char* exr_pixel_type_name(ExrPixelType t) noexcept;

/// How a part stores its pixels: from the `type` attribute (multipart, deep)
/// or from the version flags (single-part: tiled flag or scan lines).
enum class ExrStorage : std::uint8_t { scanline, tiled, deep_scanline, deep_tiled };
/// The `type` attribute's spelling: "scanlineimage", "tiledimage",
/// "deepscanline", "deeptile".
const char* exr_storage_name(ExrStorage s) noexcept;

/// `lineOrder` (file layout, "Header Attributes"): the order of scan-line chunks.
enum class ExrLineOrder : std::uint8_t { increasing_y, decreasing_y, random_y };
/// `envmap`: an environment map's projection.
enum class ExrEnvmap : std::uint8_t { latlong, cube };
/// Tile levels (file layout, "Tiles"): one, mipmap (halved in x and y
/// together) or ripmap (halved in x and y independently). A tiles attribute
/// may carry other values (kept as read; a tiled part refuses them).
enum class ExrLevelMode : std::uint8_t { one_level, mipmap_levels, ripmap_levels };
/// How level sizes are rounded when halved.
enum class ExrRoundMode : std::uint8_t { round_down, round_up };
/// `deepImageState` (ImfDeepImageState.h).
enum class ExrDeepImageState : std::uint8_t { messy, sorted, non_overlapping, tidy };

/// A box of pixels, both corners inclusive: width = xmax - xmin + 1.
struct ExrBox2i {
  std::int32_t xmin = 0, ymin = 0, xmax = 0, ymax = 0;
  friend bool operator==(const ExrBox2i&, const ExrBox2i&) = default;
};
/// A box in float coordinates (box2f).
struct ExrBox2f {
  float xmin = 0, ymin = 0, xmax = 0, ymax = 0;
};
/// 2- and 3-vectors of int32, float and double (v2i … v3d).
struct ExrV2i {
  std::int32_t x = 0, y = 0;
};
struct ExrV2f {
  float x = 0, y = 0;
};
struct ExrV2d {
  double x = 0, y = 0;
};
struct ExrV3i {
  std::int32_t x = 0, y = 0, z = 0;
};
struct ExrV3f {
  float x = 0, y = 0, z = 0;
};
struct ExrV3d {
  double x = 0, y = 0, z = 0;
};
/// Row-major 3×3 / 4×4 matrices as stored.
struct ExrM33f {
  float m[9] = {};
};
struct ExrM33d {
  double m[9] = {};
};
struct ExrM44f {
  float m[16] = {};
};
struct ExrM44d {
  double m[16] = {};
};
/// rational: numerator / denominator.
struct ExrRational {
  std::int32_t numerator = 0;
  std::uint32_t denominator = 0;
};
/// CIE x,y of the primaries and white point.
struct ExrChromaticities {
  float red_x = 0, red_y = 0, green_x = 0, green_y = 0, blue_x = 0, blue_y = 0, white_x = 0, white_y = 0;
};
/// Film key code, seven int32 as stored.
struct ExrKeycode {
  std::int32_t film_mfc_code = 0, film_type = 0, prefix = 0, count = 0, perf_offset = 0, perfs_per_frame = 0,
               perfs_per_count = 0;
};
/// SMPTE 12M time code and user data, packed as stored.
struct ExrTimecode {
  std::uint32_t time_and_flags = 0, user_data = 0;
};
/// Tile size and level/rounding modes (the mode byte: level in the low
/// nibble, rounding in the high one).
struct ExrTileDesc {
  std::uint32_t x_size = 0, y_size = 0;
  ExrLevelMode level_mode = ExrLevelMode::one_level;
  ExrRoundMode round_mode = ExrRoundMode::round_down;
};
/// A preview image: its size only (the RGBA8 pixels are skipped).
struct ExrPreview {
  std::uint32_t width = 0, height = 0;
};
/// One entry of a `chlist` (file layout, "chlist").
struct ExrChannel {
  std::string name;
  ExrPixelType type = ExrPixelType::half;
  bool linear = false;      ///< pLinear
  std::int32_t x_sampling = 1, y_sampling = 1;
  std::string layer;        ///< the name up to its last '.', "" for none ("diffuse.R" → "diffuse")
  std::string view;         ///< ImfMultiView's view, "" for none (see ExrPart::views)
};
/// The value of the `channels` attribute lives in ExrPart::channels (other
/// chlist attributes hold a std::vector<ExrChannel> of their own).
struct ExrChannelListRef {};
/// An attribute of a type frugal does not decode: its bytes as stored.
struct ExrOpaque {
  std::vector<std::byte> bytes;
};

/// A decoded attribute value; the alternative follows the type name
/// ("int" → std::int32_t, "float" → float, "double" → double, "string" →
/// std::string, "stringvector" → std::vector<std::string>, "floatvector"
/// → std::vector<float>, others their struct or enum).
using ExrValue = std::variant<ExrOpaque, ExrBox2i, ExrBox2f, ExrChannelListRef, std::vector<ExrChannel>, ExrCompression, ExrLineOrder, ExrEnvmap,
                              ExrDeepImageState, std::int32_t, float, double, ExrRational, std::string,
                              std::vector<std::string>, std::vector<float>, ExrV2i, ExrV2f, ExrV2d, ExrV3i, ExrV3f,
                              ExrV3d, ExrM33f, ExrM33d, ExrM44f, ExrM44d, ExrTileDesc, ExrChromaticities, ExrKeycode,
                              ExrTimecode, ExrPreview>;

/// One attribute as stored (file layout, "Attribute Layout").
struct ExrAttribute {
  std::string name;
  std::string type;         ///< the type name as stored ("box2i", "v2f", …)
  std::uint32_t size = 0;   ///< the value's size in the file, bytes
  std::uint64_t offset = 0; ///< file offset of the value
  ExrValue value;
};


/// One part (a single-part file has one).
struct ExrPart {
  std::string name;                      ///< the `name` attribute, "" when absent
  ExrStorage storage = ExrStorage::scanline;
  ExrCompression compression = ExrCompression::none;
  ExrLineOrder line_order = ExrLineOrder::increasing_y;
  ExrBox2i data_window, display_window;
  bool has_tiles = false;
  ExrTileDesc tiles;                     ///< when has_tiles
  std::vector<ExrChannel> channels;      ///< in file order
  std::vector<std::string> layers;       ///< distinct non-empty layers, first appearance first
  std::vector<std::string> views;        ///< the `multiView` attribute (first: the default view)
  std::vector<ExrAttribute> attributes;  ///< every attribute, file order

  /// Chunks of this part, computed from the header as OpenEXRCore 3.1 does
  /// (exr_get_chunk_count): scan lines: the data window's height over the
  /// compression's lines per chunk, rounded up; tiles: the tiles of every
  /// level (file layout, "Tiles": mipmap levels down to 1×1 from the larger
  /// side, ripmap levels in x and y separately, level sizes rounded down or
  /// up as the tile description says). At most INT32_MAX.
  std::uint64_t chunk_count = 0;
  /// The `chunkCount` attribute (multipart, deep), -1 when absent. It should
  /// equal chunk_count; OpenEXRCore 3.1 does not refuse a file where it does
  /// not, so neither does ExrHeader: compare the two to find such files.
  std::int64_t declared_chunk_count = -1;
  std::uint64_t offset_table_offset = 0;   ///< where this part's offset table starts
  std::uint64_t offset_table_bytes = 0;    ///< 8 × chunk_count
  std::uint64_t header_offset = 0, header_bytes = 0;  ///< this header's bytes, its null byte included

  /// The attribute named `name`, or nullptr.
  const ExrAttribute* find(std::string_view name) const noexcept;
};

/// The version field's flags (file layout, "Version Field").
struct ExrFlags {
  bool tiled = false, long_names = false, deep = false, multipart = false;
};

/// Caps on what a file may make the reader keep (defaults safe for hostile input).
struct ExrLimits {
  std::uint32_t max_parts = 1024;
  std::uint32_t max_attributes = 4096;         ///< over all parts
  std::uint32_t max_attribute_bytes = 1u << 20; ///< a kept value's size (previews are skipped, not kept)
  std::uint32_t max_channels = 8192;           ///< over all chlist attributes of all parts
  std::uint64_t max_header_bytes = 64u << 20;  ///< bytes read before the offset tables, previews included
};

/// What read_exr_header returns: the version, flags and parts, and the
/// sizes the reader worked out. Move-only (it holds its memory charge).
struct ExrHeader {
  int version = 2;
  ExrFlags flags;
  std::vector<ExrPart> parts;
  std::uint64_t header_bytes = 0;        ///< bytes from the magic to the end of the headers
  std::uint64_t offset_tables_bytes = 0; ///< all parts' offset tables together
  std::uint64_t bytes_read = 0;          ///< bytes fetched from the source (4 KiB windows: may pass header_bytes)
  mem::Charge memory;                    ///< what the header holds, on "assets/exr_header"
};

/// The tracker account charged for ExrHeader's memory.
inline constexpr const char* kExrHeaderAccount = "assets/exr_header";

/// Reads and validates the headers of the OpenEXR file in `source`.
/// `tracker` null: mem::default_tracker().
/// Errors (each a static message starting "EXR:", at the offending byte's
/// offset): Errc::malformed — not OpenEXR (magic), a bad version or flag
/// combination, a header cut short, an attribute whose size does not fit its
/// type or runs past the end of the file, a bad enum value, a missing or
/// duplicated required attribute, a required attribute of the wrong type, a
/// bad window, channel list, tile description or part type, deep data with
/// another compression than none/rle/zips, more chunks than INT32_MAX;
/// Errc::unsupported — a version other than 2 or unknown flags;
/// Errc::limit_exceeded — an ExrLimits cap; Errc::out_of_memory — the
/// tracker refused a charge; the source's Errc::io.
core::Result<ExrHeader> read_exr_header(core::ByteSource& source, const ExrLimits& limits = {},
                                        mem::MemoryTracker* tracker = nullptr);

}  // namespace frugal::assets
