#pragma once
// Test-only OpenEXR header writer: headers built attribute by attribute
// (any name, type and value bytes, so broken ones too), and files made of a
// magic, a version field, headers and zero-filled offset tables. Layout from
// the OpenEXR file layout document; all little-endian.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace frugal::test {

using Bytes = std::vector<std::byte>;

// Value encoders.
Bytes exr_i32(std::int32_t v);
Bytes exr_u32(std::uint32_t v);
Bytes exr_f32(float v);
Bytes exr_f64(double v);
Bytes exr_u8(std::uint8_t v);
Bytes exr_box2i(std::int32_t xmin, std::int32_t ymin, std::int32_t xmax, std::int32_t ymax);
Bytes exr_v2f(float x, float y);
Bytes exr_tiledesc(std::uint32_t x_size, std::uint32_t y_size, int level_mode, int round_mode);
Bytes exr_stringvector(const std::vector<std::string>& strings);
Bytes exr_text(const std::string& s);
/// A preview attribute's value: width, height, then `rgba` (width × height × 4
/// bytes when well formed; any bytes, to build broken ones).
Bytes exr_preview(std::uint32_t width, std::uint32_t height, const Bytes& rgba);
Bytes operator+(Bytes a, const Bytes& b);

struct ExrChannelSpec {
  std::string name;
  std::int32_t type = 1;  // 0 uint, 1 half, 2 float
  std::uint8_t linear = 0;
  std::int32_t x_sampling = 1, y_sampling = 1;
};
Bytes exr_chlist(const std::vector<ExrChannelSpec>& channels);

class ExrHeaderBuilder {
 public:
  /// The eight attributes every part needs: channels (R, G, B half unless
  /// given), compression, dataWindow (0,0)-(width-1,height-1), displayWindow
  /// the same, lineOrder increasing, pixelAspectRatio 1, screenWindowCenter
  /// (0,0), screenWindowWidth 1.
  static ExrHeaderBuilder standard(std::int32_t width, std::int32_t height, std::uint8_t compression = 0,
                                   std::vector<ExrChannelSpec> channels = {});

  /// Sets `name` (replacing its value and type when present, else appending).
  ExrHeaderBuilder& set(const std::string& name, const std::string& type, Bytes value);
  /// Appends, even when `name` is already there.
  ExrHeaderBuilder& append(const std::string& name, const std::string& type, Bytes value);
  /// Appends with a size field that need not match the value.
  ExrHeaderBuilder& append_sized(const std::string& name, const std::string& type, std::int32_t size, Bytes value);
  ExrHeaderBuilder& remove(const std::string& name);

  /// The attributes and the header's null byte.
  Bytes bytes() const;

 private:
  struct Attr {
    std::string name, type;
    std::int32_t size;
    Bytes value;
  };
  std::vector<Attr> attrs_;
};

inline constexpr std::uint32_t kExrTiled = 0x200, kExrLongNames = 0x400, kExrDeep = 0x800, kExrMultipart = 0x1000;

/// Magic, version 2 | `flags`, the headers (multipart: then an empty
/// header), then `chunks` zero bytes of offset table (8 per chunk) and
/// `tail` more zero bytes.
Bytes exr_file(std::uint32_t flags, const std::vector<ExrHeaderBuilder>& parts, std::uint64_t chunks = 0,
               std::size_t tail = 0);

}  // namespace frugal::test
