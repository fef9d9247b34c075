// ExrHeader: OpenEXR headers read through a small read-ahead window.
// Facts: the OpenEXR file layout document; rules as OpenEXRCore 3.1 applies
// them in strict-header mode (parse_header.c, validation.c). See the header.
#include <frugal/assets/exr_header.hpp>

#include <frugal/mem/tracked_resource.hpp>

#include <algorithm>
#include <cstring>
#include <optional>

namespace frugal::assets {

using core::Errc;
using core::Error;
using core::make_error;
using core::Result;

const char* exr_compression_name(ExrCompression c) noexcept {
  static constexpr const char* kNames[] = {"none", "rle", "zips", "zip", "piz", "pxr24", "b44", "b44a", "dwaa", "dwab"};
  const auto i = static_cast<unsigned>(c);
  return i < 10 ? kNames[i] : "unknown";
}

int exr_lines_per_chunk(ExrCompression c) noexcept {
  switch (c) {
    case ExrCompression::none:
    case ExrCompression::rle:
    case ExrCompression::zips: return 1;
    case ExrCompression::zip:
    case ExrCompression::pxr24: return 16;
    case ExrCompression::piz:
    case ExrCompression::b44:
    case ExrCompression::b44a:
    case ExrCompression::dwaa: return 32;
    case ExrCompression::dwab: return 256;
  }
  return 1;
}

const char* exr_pixel_type_name(ExrPixelType t) noexcept {
  switch (t) {
    case ExrPixelType::uint: return "uint";
    case ExrPixelType::half: return "half";
    case ExrPixelType::float32: return "float";
  }
  return "unknown";
}

const char* exr_storage_name(ExrStorage s) noexcept {
  switch (s) {
    case ExrStorage::scanline: return "scanlineimage";
    case ExrStorage::tiled: return "tiledimage";
    case ExrStorage::deep_scanline: return "deepscanline";
    case ExrStorage::deep_tiled: return "deeptile";
  }
  return "unknown";
}

const ExrAttribute* ExrPart::find(std::string_view attribute) const noexcept {
  for (const ExrAttribute& a : attributes)
    if (a.name == attribute) return &a;
  return nullptr;
}

namespace {

constexpr std::uint32_t kMagic = 20000630;  // 76 2F 31 01
constexpr std::uint32_t kTiledFlag = 0x200, kLongNamesFlag = 0x400, kDeepFlag = 0x800, kMultipartFlag = 0x1000;
constexpr std::size_t kWindowBytes = 4096;
// Bookkeeping charged per kept attribute/channel/string beside its bytes.
constexpr std::size_t kEntryOverhead = 64;
constexpr std::int64_t kLargeCoordinate = INT32_MAX / 2;  // OpenEXRCore's window bound

std::uint32_t le32(const std::byte* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
float lef(const std::byte* p) {
  const std::uint32_t bits = le32(p);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
double led(const std::byte* p) {
  const std::uint64_t bits = le32(p) | static_cast<std::uint64_t>(le32(p + 4)) << 32;
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}
std::int32_t lei(const std::byte* p) { return static_cast<std::int32_t>(le32(p)); }

// Sequential reader over the headers: bytes come through a BufferedSource
// window; every read is bounded by max_header_bytes and by the file's size.
class Cursor {
 public:
  Cursor(core::ByteSource& source, std::span<std::byte> window, std::uint64_t max_bytes)
      : counting_(source), source_(counting_, window), max_bytes_(max_bytes), size_(source.size()) {}

  std::uint64_t pos() const { return pos_; }
  std::optional<std::uint64_t> size() const { return size_; }
  std::uint64_t bytes_read() const { return counting_.bytes_read(); }

  Result<void> read(void* dst, std::size_t n) {
    if (n == 0) return core::ok();
    if (pos_ + n > max_bytes_) return make_error(Errc::limit_exceeded, "EXR: headers larger than max_header_bytes", pos_);
    FRUGAL_TRY(const std::size_t got, source_.read_at(pos_, std::span<std::byte>(static_cast<std::byte*>(dst), n)));
    if (got < n) return make_error(Errc::malformed, "EXR: header cut short (end of file)", pos_ + got);
    pos_ += n;
    return core::ok();
  }
  Result<std::uint8_t> u8() {
    std::byte b{};
    FRUGAL_CHECK(read(&b, 1));
    return static_cast<std::uint8_t>(b);
  }
  Result<std::int32_t> i32() {
    std::byte b[4];
    FRUGAL_CHECK(read(b, 4));
    return lei(b);
  }
  // Passes over `n` bytes (a preview's pixels) without reading them; they
  // must lie in the file when its size is known.
  Result<void> skip(std::uint64_t n) {
    if (pos_ + n > max_bytes_) return make_error(Errc::limit_exceeded, "EXR: headers larger than max_header_bytes", pos_);
    if (size_ && pos_ + n > *size_) return make_error(Errc::malformed, "EXR: header cut short (end of file)", pos_);
    pos_ += n;
    return core::ok();
  }
  // A null-terminated name of at most `max_len` bytes (OpenEXRCore's
  // read_text), appended to `out`, which may hold a first byte already.
  Result<void> text(std::string& out, std::size_t max_len, const char* too_long) {
    const std::uint64_t start = pos_;
    while (true) {
      FRUGAL_TRY(const std::uint8_t c, u8());
      if (c == 0) return core::ok();
      if (out.size() >= max_len) return make_error(Errc::malformed, too_long, start);
      out.push_back(static_cast<char>(c));
    }
  }

 private:
  core::CountingSource counting_;  // what the window fetched from the source
  core::BufferedSource source_;
  std::uint64_t max_bytes_;
  std::optional<std::uint64_t> size_;
  std::uint64_t pos_ = 0;
};

// The required attributes (file layout, "Header Attributes") and their types.
struct Required {
  const char* name;
  const char* type;
};
constexpr Required kRequired[] = {
    {"channels", "chlist"},       {"compression", "compression"},   {"dataWindow", "box2i"},
    {"displayWindow", "box2i"},   {"lineOrder", "lineOrder"},       {"pixelAspectRatio", "float"},
    {"screenWindowCenter", "v2f"}, {"screenWindowWidth", "float"},  {"tiles", "tiledesc"},
    {"name", "string"},           {"type", "string"},               {"version", "int"},
    {"chunkCount", "int"},
};
constexpr int kRequiredCount = sizeof kRequired / sizeof kRequired[0];
enum RequiredIndex { kChannels, kCompression, kDataWindow, kDisplayWindow, kLineOrder, kPixelAspect, kScreenCenter,
                     kScreenWidth, kTiles, kName, kType, kVersion, kChunkCount };

int required_index(std::string_view name) {
  for (int i = 0; i < kRequiredCount; ++i)
    if (name == kRequired[i].name) return i;
  return -1;
}

struct Context {
  Cursor& in;
  const ExrLimits& limits;
  mem::Charge& charge;
  ExrFlags flags;
  std::size_t max_name;
  std::uint32_t attributes = 0;
  std::uint32_t channels = 0;

  // Charges `bytes` more before they are allocated.
  Result<void> reserve(std::size_t bytes) {
    const std::size_t now = charge.bytes();
    if (bytes > SIZE_MAX - now) return make_error(Errc::out_of_memory, "EXR: header memory charge overflows");
    return charge.try_resize(now + bytes);
  }
};

// Per-part state while its header is read: which required attributes came,
// where, and the part type string.
struct PartState {
  int seen[kRequiredCount] = {};
  std::string type_string;
  std::int32_t chunk_count_attr = 0;
  std::int32_t version_attr = 0;
  float pixel_aspect = 0;
  float screen_width = 0;
};

Result<void> read_value_bytes(Context& cx, std::int32_t size, std::vector<std::byte>& out) {
  FRUGAL_CHECK(cx.reserve(static_cast<std::size_t>(size)));
  out.resize(static_cast<std::size_t>(size));
  return cx.in.read(out.data(), out.size());
}

Result<void> read_channels(Context& cx, std::int32_t size, std::vector<ExrChannel>& channels) {
  std::int64_t left = size;
  const std::uint64_t start = cx.in.pos();
  while (left > 0) {
    std::string name;
    FRUGAL_CHECK(cx.in.text(name, cx.max_name, "EXR: channel name longer than the name limit"));
    left -= static_cast<std::int64_t>(name.size()) + 1;
    if (name.empty()) break;
    if (left < 16) return make_error(Errc::malformed, "EXR: channel list ends inside a channel", cx.in.pos());
    std::byte b[16];
    FRUGAL_CHECK(cx.in.read(b, 16));
    left -= 16;
    const std::int32_t type = lei(b);
    const auto linear = static_cast<std::uint8_t>(b[4]);
    if (type < 0 || type > 2) return make_error(Errc::malformed, "EXR: channel pixel type not uint, half or float", cx.in.pos() - 16);
    if (linear > 1) return make_error(Errc::malformed, "EXR: channel pLinear flag not 0 or 1", cx.in.pos() - 12);
    for (const ExrChannel& c : channels)
      if (c.name == name) return make_error(Errc::malformed, "EXR: channel listed twice", cx.in.pos() - 16);
    if (++cx.channels > cx.limits.max_channels)
      return make_error(Errc::limit_exceeded, "EXR: more channels than max_channels", cx.in.pos() - 16);
    FRUGAL_CHECK(cx.reserve(sizeof(ExrChannel) + kEntryOverhead + 2 * name.size()));
    ExrChannel c;
    c.name = std::move(name);
    c.type = static_cast<ExrPixelType>(type);
    c.linear = linear != 0;
    c.x_sampling = lei(b + 8);
    c.y_sampling = lei(b + 12);
    channels.push_back(std::move(c));
  }
  if (left > 0) FRUGAL_CHECK(cx.in.skip(static_cast<std::uint64_t>(left)));
  (void)start;
  return core::ok();
}

// Decodes one attribute's value of `size` bytes at the cursor into `a`.
Result<void> read_value(Context& cx, ExrPart& part, ExrAttribute& a, std::int32_t size) {
  const std::string& t = a.type;
  const std::uint64_t at = cx.in.pos();
  // Fixed-size types: the size must be exact.
  struct Fixed {
    const char* type;
    int bytes;
  };
  static constexpr Fixed kFixed[] = {
      {"box2i", 16},  {"box2f", 16},   {"chromaticities", 32}, {"compression", 1}, {"double", 8},
      {"envmap", 1},  {"float", 4},    {"int", 4},             {"keycode", 28},    {"lineOrder", 1},
      {"m33f", 36},   {"m33d", 72},    {"m44f", 64},           {"m44d", 128},      {"rational", 8},
      {"tiledesc", 9}, {"timecode", 8}, {"v2i", 8},            {"v2f", 8},         {"v2d", 16},
      {"v3i", 12},    {"v3f", 12},     {"v3d", 24},
  };
  for (const Fixed& f : kFixed) {
    if (t != f.type) continue;
    if (size != f.bytes) return make_error(Errc::malformed, "EXR: attribute size does not match its type", at - 4);
    std::byte b[128];
    FRUGAL_CHECK(cx.in.read(b, static_cast<std::size_t>(size)));
    auto fl = [&](int i) { return lef(b + 4 * i); };
    auto in = [&](int i) { return lei(b + 4 * i); };
    auto db = [&](int i) { return led(b + 8 * i); };
    if (t == "box2i") a.value = ExrBox2i{in(0), in(1), in(2), in(3)};
    else if (t == "box2f") a.value = ExrBox2f{fl(0), fl(1), fl(2), fl(3)};
    else if (t == "chromaticities") a.value = ExrChromaticities{fl(0), fl(1), fl(2), fl(3), fl(4), fl(5), fl(6), fl(7)};
    else if (t == "compression" || t == "envmap" || t == "lineOrder") {
      const auto v = static_cast<std::uint8_t>(b[0]);
      const unsigned max = t == "compression" ? 10 : t == "envmap" ? 2 : 3;
      if (v >= max) return make_error(Errc::malformed, "EXR: compression, lineOrder or envmap value out of range", at);
      if (t == "compression") a.value = static_cast<ExrCompression>(v);
      else if (t == "envmap") a.value = static_cast<ExrEnvmap>(v);
      else a.value = static_cast<ExrLineOrder>(v);
    } else if (t == "double") a.value = db(0);
    else if (t == "float") a.value = fl(0);
    else if (t == "int") a.value = in(0);
    else if (t == "keycode") a.value = ExrKeycode{in(0), in(1), in(2), in(3), in(4), in(5), in(6)};
    else if (t == "m33f") { ExrM33f m; for (int i = 0; i < 9; ++i) m.m[i] = fl(i); a.value = m; }
    else if (t == "m33d") { ExrM33d m; for (int i = 0; i < 9; ++i) m.m[i] = db(i); a.value = m; }
    else if (t == "m44f") { ExrM44f m; for (int i = 0; i < 16; ++i) m.m[i] = fl(i); a.value = m; }
    else if (t == "m44d") { ExrM44d m; for (int i = 0; i < 16; ++i) m.m[i] = db(i); a.value = m; }
    else if (t == "rational") a.value = ExrRational{in(0), le32(b + 4)};
    else if (t == "tiledesc") {
      const auto mode = static_cast<std::uint8_t>(b[8]);
      a.value = ExrTileDesc{le32(b), le32(b + 4), static_cast<ExrLevelMode>(mode & 0x0F),
                            static_cast<ExrRoundMode>(mode >> 4)};
    } else if (t == "timecode") a.value = ExrTimecode{le32(b), le32(b + 4)};
    else if (t == "v2i") a.value = ExrV2i{in(0), in(1)};
    else if (t == "v2f") a.value = ExrV2f{fl(0), fl(1)};
    else if (t == "v2d") a.value = ExrV2d{db(0), db(1)};
    else if (t == "v3i") a.value = ExrV3i{in(0), in(1), in(2)};
    else if (t == "v3f") a.value = ExrV3f{fl(0), fl(1), fl(2)};
    else if (t == "v3d") a.value = ExrV3d{db(0), db(1), db(2)};
    return core::ok();
  }

  // Variable sizes: the value must lie within the file (OpenEXRCore's
  // check_bad_attrsz) and within max_attribute_bytes when it is kept.
  if (cx.in.size() && at + static_cast<std::uint64_t>(size) > *cx.in.size())
    return make_error(Errc::malformed, "EXR: attribute runs past the end of the file", at - 4);
  if (t == "preview") {
    if (size < 8) return make_error(Errc::malformed, "EXR: preview attribute shorter than its size fields", at - 4);
    std::byte b[8];
    FRUGAL_CHECK(cx.in.read(b, 8));
    const ExrPreview p{le32(b), le32(b + 4)};
    // width × height < 2^64: compared with the pixel bytes' count, never
    // multiplied by 4 (which could wrap).
    const auto pixel_bytes = static_cast<std::uint64_t>(size) - 8;
    if (pixel_bytes % 4 != 0 || std::uint64_t{p.width} * p.height != pixel_bytes / 4)
      return make_error(Errc::malformed, "EXR: preview size does not match its width and height", at);
    a.value = p;
    return cx.in.skip(static_cast<std::uint64_t>(size) - 8);
  }
  if (static_cast<std::uint32_t>(size) > cx.limits.max_attribute_bytes)
    return make_error(Errc::limit_exceeded, "EXR: attribute larger than max_attribute_bytes", at - 4);
  if (t == "chlist") {
    if (a.name == "channels") {
      a.value = ExrChannelListRef{};
      return read_channels(cx, size, part.channels);
    }
    std::vector<ExrChannel> other;
    FRUGAL_CHECK(read_channels(cx, size, other));
    a.value = std::move(other);
    return core::ok();
  }
  if (t == "string") {
    FRUGAL_CHECK(cx.reserve(static_cast<std::size_t>(size)));
    std::string s(static_cast<std::size_t>(size), '\0');
    FRUGAL_CHECK(cx.in.read(s.data(), s.size()));
    a.value = std::move(s);
    return core::ok();
  }
  if (t == "floatvector") {
    if (size % 4 != 0) return make_error(Errc::malformed, "EXR: floatvector size not a multiple of 4", at - 4);
    std::vector<std::byte> raw;
    FRUGAL_CHECK(read_value_bytes(cx, size, raw));
    std::vector<float> v(raw.size() / 4);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = lef(raw.data() + 4 * i);
    a.value = std::move(v);
    return core::ok();
  }
  if (t == "stringvector") {
    std::vector<std::string> v;
    std::int64_t left = size;
    while (left > 0) {
      if (left < 4) return make_error(Errc::malformed, "EXR: stringvector ends inside a length", cx.in.pos());
      FRUGAL_TRY(const std::int32_t n, cx.in.i32());
      left -= 4;
      if (n < 0 || n > left) return make_error(Errc::malformed, "EXR: stringvector entry runs past the attribute", cx.in.pos() - 4);
      FRUGAL_CHECK(cx.reserve(static_cast<std::size_t>(n) + kEntryOverhead));
      std::string s(static_cast<std::size_t>(n), '\0');
      FRUGAL_CHECK(cx.in.read(s.data(), s.size()));
      left -= n;
      v.push_back(std::move(s));
    }
    a.value = std::move(v);
    return core::ok();
  }
  // deepImageState: a byte, 0-3 (ImfDeepImageStateAttribute). OpenEXRCore 3.1
  // does not know the type, so other shapes are kept as bytes, not refused.
  ExrOpaque raw;
  FRUGAL_CHECK(read_value_bytes(cx, size, raw.bytes));
  if (t == "deepImageState" && size == 1 && static_cast<std::uint8_t>(raw.bytes[0]) < 4)
    a.value = static_cast<ExrDeepImageState>(raw.bytes[0]);
  else
    a.value = std::move(raw);
  return core::ok();
}

// Reads one header (after its first byte `first`, non-zero) up to and with
// its null byte.
Result<void> read_part_header(Context& cx, ExrPart& part, PartState& st, std::uint8_t first) {
  std::uint8_t lead = first;
  while (true) {
    const std::uint64_t attr_offset = cx.in.pos() - 1;
    if (++cx.attributes > cx.limits.max_attributes)
      return make_error(Errc::limit_exceeded, "EXR: more attributes than max_attributes", attr_offset);
    std::string name(1, static_cast<char>(lead));
    FRUGAL_CHECK(cx.in.text(name, cx.max_name, "EXR: attribute name longer than the name limit"));
    std::string type;
    FRUGAL_CHECK(cx.in.text(type, cx.max_name, "EXR: attribute type name longer than the name limit"));
    if (type.empty()) return make_error(Errc::malformed, "EXR: attribute with an empty type name", attr_offset);
    FRUGAL_TRY(const std::int32_t size, cx.in.i32());
    if (size < 0) return make_error(Errc::malformed, "EXR: attribute with a negative size", cx.in.pos() - 4);

    const int req = required_index(name);
    if (req >= 0) {
      if (st.seen[req]) return make_error(Errc::malformed, "EXR: required attribute repeated", attr_offset);
      if (type != kRequired[req].type)
        return make_error(Errc::malformed, "EXR: required attribute of the wrong type", attr_offset);
      st.seen[req] = 1;
    }
    FRUGAL_CHECK(cx.reserve(sizeof(ExrAttribute) + kEntryOverhead + name.size() + type.size()));
    ExrAttribute a;
    a.name = std::move(name);
    a.type = std::move(type);
    a.size = static_cast<std::uint32_t>(size);
    a.offset = cx.in.pos();
    FRUGAL_CHECK(read_value(cx, part, a, size));

    switch (req) {
      case kCompression: part.compression = std::get<ExrCompression>(a.value); break;
      case kDataWindow: part.data_window = std::get<ExrBox2i>(a.value); break;
      case kDisplayWindow: part.display_window = std::get<ExrBox2i>(a.value); break;
      case kLineOrder: part.line_order = std::get<ExrLineOrder>(a.value); break;
      case kPixelAspect: st.pixel_aspect = std::get<float>(a.value); break;
      case kScreenWidth: st.screen_width = std::get<float>(a.value); break;
      case kTiles: part.has_tiles = true; part.tiles = std::get<ExrTileDesc>(a.value); break;
      case kName:
        FRUGAL_CHECK(cx.reserve(a.size));
        part.name = std::get<std::string>(a.value);
        break;
      case kType: st.type_string = std::get<std::string>(a.value); break;
      case kVersion: st.version_attr = std::get<std::int32_t>(a.value); break;
      case kChunkCount: st.chunk_count_attr = std::get<std::int32_t>(a.value); break;
      default: break;
    }
    if (a.name == "multiView") {
      if (const auto* views = std::get_if<std::vector<std::string>>(&a.value)) {
        FRUGAL_CHECK(cx.reserve(a.size + views->size() * kEntryOverhead));
        part.views = *views;
      }
    }
    // A repeated ordinary attribute replaces the earlier one, as in
    // OpenEXRCore's attribute list (same type), else it is refused.
    bool replaced = false;
    for (ExrAttribute& old : part.attributes) {
      if (old.name != a.name) continue;
      if (old.type != a.type)
        return make_error(Errc::malformed, "EXR: attribute repeated with another type", attr_offset);
      old = std::move(a);
      replaced = true;
      break;
    }
    if (!replaced) part.attributes.push_back(std::move(a));

    FRUGAL_TRY(lead, cx.in.u8());
    if (lead == 0) return core::ok();
  }
}

// floor/ceil of log2(x), x ≥ 1 (the file layout's "Tiles", roundLog2).
int round_log2(std::uint64_t x, ExrRoundMode mode) {
  int floor_log = 0;
  while ((x >> (floor_log + 1)) != 0) ++floor_log;
  if (mode == ExrRoundMode::round_up && (x & (x - 1)) != 0) return floor_log + 1;
  return floor_log;
}

std::uint64_t level_size(std::uint64_t size, int level, ExrRoundMode mode) {
  std::uint64_t s = size >> level;
  if (mode == ExrRoundMode::round_up && (s << level) < size) ++s;
  return s < 1 ? 1 : s;
}

std::uint64_t compute_chunks(const ExrPart& p) {
  const std::uint64_t w = static_cast<std::uint64_t>(std::int64_t{p.data_window.xmax} - p.data_window.xmin + 1);
  const std::uint64_t h = static_cast<std::uint64_t>(std::int64_t{p.data_window.ymax} - p.data_window.ymin + 1);
  if (p.storage == ExrStorage::scanline || p.storage == ExrStorage::deep_scanline) {
    const std::uint64_t lines = static_cast<std::uint64_t>(exr_lines_per_chunk(p.compression));
    return (h + lines - 1) / lines;
  }
  const ExrTileDesc& t = p.tiles;
  auto tiles = [](std::uint64_t size, std::uint32_t tile) { return (size + tile - 1) / tile; };
  const ExrRoundMode r = t.round_mode;
  switch (t.level_mode) {
    case ExrLevelMode::one_level: return tiles(w, t.x_size) * tiles(h, t.y_size);
    case ExrLevelMode::mipmap_levels: {
      const int levels = round_log2(std::max(w, h), r) + 1;
      std::uint64_t n = 0;
      for (int l = 0; l < levels; ++l) n += tiles(level_size(w, l, r), t.x_size) * tiles(level_size(h, l, r), t.y_size);
      return n;
    }
    case ExrLevelMode::ripmap_levels: {
      const int xl = round_log2(w, r) + 1, yl = round_log2(h, r) + 1;
      std::uint64_t xs = 0, ys = 0;
      for (int l = 0; l < xl; ++l) xs += tiles(level_size(w, l, r), t.x_size);
      for (int l = 0; l < yl; ++l) ys += tiles(level_size(h, l, r), t.y_size);
      return xs * ys;  // w, h < 2^30: each sum < 2^31, the product < 2^62
    }
  }
  return 0;
}

// OpenEXRCore's validate_read_part in strict mode, in its order.
Result<void> validate_part(const Context& cx, ExrPart& p, const PartState& st) {
  const std::uint64_t at = p.header_offset;
  for (int i = kChannels; i <= kScreenWidth; ++i)
    if (!st.seen[i]) return make_error(Errc::malformed, "EXR: a required attribute is missing", at);
  // A `version` attribute, required for deep parts, must be 1 on any part.
  if (st.seen[kVersion] && st.version_attr != 1) return make_error(Errc::malformed, "EXR: version attribute is not 1", at);
  if (cx.flags.multipart || cx.flags.deep) {
    if (cx.flags.multipart && !st.seen[kName]) return make_error(Errc::malformed, "EXR: multipart part without a name", at);
    if (!st.seen[kType]) return make_error(Errc::malformed, "EXR: multipart or deep part without a type", at);
    if (cx.flags.deep && !st.seen[kVersion]) return make_error(Errc::malformed, "EXR: deep part without a version", at);
    if (!st.seen[kChunkCount]) return make_error(Errc::malformed, "EXR: multipart or deep part without a chunkCount", at);
  }
  const ExrBox2i& dw = p.data_window;
  const ExrBox2i& dp = p.display_window;
  auto bad = [](const ExrBox2i& b) {
    return b.xmin > b.xmax || b.ymin > b.ymax || b.xmin <= -kLargeCoordinate || b.ymin <= -kLargeCoordinate ||
           b.xmax >= kLargeCoordinate || b.ymax >= kLargeCoordinate;
  };
  if (bad(dp)) return make_error(Errc::malformed, "EXR: invalid display window", at);
  if (bad(dw)) return make_error(Errc::malformed, "EXR: invalid data window", at);
  const float par = st.pixel_aspect;
  if (!(par >= 1e-6f && par <= 1e6f)) return make_error(Errc::malformed, "EXR: invalid pixel aspect ratio", at);
  if (st.screen_width < 0.f) return make_error(Errc::malformed, "EXR: negative screen window width", at);

  if (p.channels.empty()) return make_error(Errc::malformed, "EXR: no channels", at);
  const std::int64_t w = std::int64_t{dw.xmax} - dw.xmin + 1, h = std::int64_t{dw.ymax} - dw.ymin + 1;
  for (const ExrChannel& c : p.channels) {
    if (c.x_sampling < 1 || c.y_sampling < 1) return make_error(Errc::malformed, "EXR: channel sampling below 1", at);
    if (dw.xmin % c.x_sampling || dw.ymin % c.y_sampling || w % c.x_sampling || h % c.y_sampling)
      return make_error(Errc::malformed, "EXR: data window not a multiple of a channel's sampling", at);
  }
  // OpenEXRCore 3.1 works out tile levels for any part with a tiles
  // attribute, scan-line parts included, and fails on a bad level mode.
  if (p.has_tiles && static_cast<unsigned>(p.tiles.level_mode) > 2)
    return make_error(Errc::malformed, "EXR: invalid tile level mode", at);
  if (p.storage == ExrStorage::tiled || p.storage == ExrStorage::deep_tiled) {
    if (!p.has_tiles) return make_error(Errc::malformed, "EXR: tiled part without a tiles attribute", at);
    const ExrTileDesc& t = p.tiles;
    if (t.x_size == 0 || t.y_size == 0 || t.x_size > INT32_MAX / 4 || t.y_size > INT32_MAX / 4)
      return make_error(Errc::malformed, "EXR: invalid tile size", at);
    if (static_cast<unsigned>(t.level_mode) > 2) return make_error(Errc::malformed, "EXR: invalid tile level mode", at);
    if (static_cast<unsigned>(t.round_mode) > 1) return make_error(Errc::malformed, "EXR: invalid tile rounding mode", at);
    for (const ExrChannel& c : p.channels)
      if (c.x_sampling != 1 || c.y_sampling != 1)
        return make_error(Errc::malformed, "EXR: subsampled channel in a tiled part", at);
  }
  if (p.storage == ExrStorage::deep_scanline || p.storage == ExrStorage::deep_tiled) {
    if (p.compression != ExrCompression::none && p.compression != ExrCompression::rle &&
        p.compression != ExrCompression::zips)
      return make_error(Errc::malformed, "EXR: deep part compressed other than none, rle or zips", at);
    for (const ExrChannel& c : p.channels)
      if (c.x_sampling != 1 || c.y_sampling != 1)
        return make_error(Errc::malformed, "EXR: subsampled channel in a deep part", at);
  }
  return core::ok();
}

// The part's storage from the flags and its type string (OpenEXRCore: a
// single-part file believes its flags; multipart and deep ones the type).
Result<void> settle_storage(const Context& cx, ExrPart& p, const PartState& st) {
  std::optional<ExrStorage> typed;
  if (st.seen[kType]) {
    const std::string& s = st.type_string;
    if (s == "scanlineimage") typed = ExrStorage::scanline;
    else if (s == "tiledimage") typed = ExrStorage::tiled;
    else if (s == "deepscanline") typed = ExrStorage::deep_scanline;
    else if (s == "deeptile") typed = ExrStorage::deep_tiled;
    else return make_error(Errc::malformed, "EXR: unknown part type string", p.header_offset);
  }
  if (cx.flags.multipart || cx.flags.deep) p.storage = typed ? *typed : ExrStorage::scanline;
  else p.storage = cx.flags.tiled ? ExrStorage::tiled : ExrStorage::scanline;
  return core::ok();
}

// Layers and views of the channels (ImfChannelList::layers, ImfMultiView's
// viewFromChannelName: a one-section name is in the default view, the
// first of multiView; otherwise the second-to-last section if it names a view).
Result<void> group_channels(Context& cx, ExrPart& p) {
  for (ExrChannel& c : p.channels) {
    const std::size_t dot = c.name.rfind('.');
    if (dot != std::string::npos && dot > 0) c.layer = c.name.substr(0, dot);
    if (!p.views.empty()) {
      const std::string* view = nullptr;
      if (dot == std::string::npos) {
        view = &p.views.front();
      } else {
        const std::size_t prev = dot == 0 ? std::string::npos : c.name.rfind('.', dot - 1);
        const std::size_t from = prev == std::string::npos ? 0 : prev + 1;
        const std::string_view section = std::string_view(c.name).substr(from, dot - from);
        for (const std::string& v : p.views)
          if (v == section) view = &v;
      }
      // Each channel keeps a copy: charged, or a long default view name
      // times many channels would allocate past the budget.
      if (view) {
        FRUGAL_CHECK(cx.reserve(view->size() + kEntryOverhead));
        c.view = *view;
      }
    }
    if (!c.layer.empty() && std::find(p.layers.begin(), p.layers.end(), c.layer) == p.layers.end()) {
      FRUGAL_CHECK(cx.reserve(c.layer.size() + kEntryOverhead));
      p.layers.push_back(c.layer);
    }
  }
  return core::ok();
}

}  // namespace

Result<ExrHeader> read_exr_header(core::ByteSource& source, const ExrLimits& limits, mem::MemoryTracker* tracker) {
  mem::MemoryTracker& t = tracker ? *tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, t.account(kExrHeaderAccount));
  FRUGAL_TRY(mem::TrackedBuffer window, mem::TrackedBuffer::try_allocate(account, kWindowBytes));
  FRUGAL_TRY(mem::Charge charge, mem::Charge::try_make(account, sizeof(ExrHeader)));
  Cursor in(source, window.span(), limits.max_header_bytes);

  std::byte head[8];
  FRUGAL_CHECK(in.read(head, 8));
  if (le32(head) != kMagic) return make_error(Errc::malformed, "EXR: not an OpenEXR file (magic)", 0);
  const std::uint32_t version = le32(head + 4);
  if ((version & 0xFF) != 2) return make_error(Errc::unsupported, "EXR: file format version other than 2", 4);
  if (version & ~(0xFFu | kTiledFlag | kLongNamesFlag | kDeepFlag | kMultipartFlag))
    return make_error(Errc::unsupported, "EXR: unknown version flags", 4);

  ExrHeader header;
  header.version = 2;
  header.flags = {(version & kTiledFlag) != 0, (version & kLongNamesFlag) != 0, (version & kDeepFlag) != 0,
                  (version & kMultipartFlag) != 0};
  if (header.flags.tiled && (header.flags.deep || header.flags.multipart))
    return make_error(Errc::malformed, "EXR: tiled flag with the deep or multipart flag", 4);

  Context cx{in, limits, charge, header.flags, header.flags.long_names ? 255u : 31u};
  std::vector<PartState> states;
  while (true) {
    const std::uint64_t start = in.pos();
    FRUGAL_TRY(const std::uint8_t first, in.u8());
    if (first == 0) {
      // An empty header: the end of a multipart list; in a single-part file a
      // header with no attributes (the required ones are then missing).
      if (header.flags.multipart && !header.parts.empty()) break;
      return make_error(Errc::malformed, "EXR: a required attribute is missing", start);
    }
    if (header.parts.size() >= limits.max_parts)
      return make_error(Errc::limit_exceeded, "EXR: more parts than max_parts", start);
    FRUGAL_CHECK(cx.reserve(sizeof(ExrPart) + sizeof(PartState)));
    header.parts.emplace_back();
    states.emplace_back();
    ExrPart& part = header.parts.back();
    part.header_offset = start;
    FRUGAL_CHECK(read_part_header(cx, part, states.back(), first));
    part.header_bytes = in.pos() - start;
    if (!header.flags.multipart) break;
  }
  header.header_bytes = in.pos();

  std::uint64_t table = in.pos();
  for (std::size_t i = 0; i < header.parts.size(); ++i) {
    ExrPart& p = header.parts[i];
    const PartState& st = states[i];
    FRUGAL_CHECK(settle_storage(cx, p, st));
    FRUGAL_CHECK(validate_part(cx, p, st));
    // The count OpenEXRCore 3.1 uses (exr_get_chunk_count): computed from
    // the header whatever chunkCount says; a declared count that differs
    // is reported, not refused (OpenEXRCore accepts it too).
    const std::uint64_t computed = compute_chunks(p);
    if (computed > INT32_MAX)
      return make_error(Errc::malformed, "EXR: more chunks than a chunk count can hold", p.header_offset);
    p.chunk_count = computed;
    p.declared_chunk_count = st.seen[kChunkCount] ? st.chunk_count_attr : -1;
    p.offset_table_offset = table;
    p.offset_table_bytes = p.chunk_count * 8;
    table += p.offset_table_bytes;
    header.offset_tables_bytes += p.offset_table_bytes;
    FRUGAL_CHECK(group_channels(cx, p));
  }
  header.bytes_read = in.bytes_read();
  header.memory = std::move(charge);
  return header;
}

}  // namespace frugal::assets
