#include "support/exr_writer.hpp"

#include <algorithm>
#include <cstring>

namespace frugal::test {

namespace {
Bytes le(std::uint64_t v, int n) {
  Bytes out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::byte>(v >> (8 * i));
  return out;
}
}  // namespace

Bytes exr_i32(std::int32_t v) { return le(static_cast<std::uint32_t>(v), 4); }
Bytes exr_u32(std::uint32_t v) { return le(v, 4); }
Bytes exr_f32(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return le(bits, 4);
}
Bytes exr_f64(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return le(bits, 8);
}
Bytes exr_u8(std::uint8_t v) { return Bytes{static_cast<std::byte>(v)}; }
Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Bytes exr_box2i(std::int32_t xmin, std::int32_t ymin, std::int32_t xmax, std::int32_t ymax) {
  return exr_i32(xmin) + exr_i32(ymin) + exr_i32(xmax) + exr_i32(ymax);
}
Bytes exr_v2f(float x, float y) { return exr_f32(x) + exr_f32(y); }
Bytes exr_tiledesc(std::uint32_t x_size, std::uint32_t y_size, int level_mode, int round_mode) {
  return exr_u32(x_size) + exr_u32(y_size) + exr_u8(static_cast<std::uint8_t>(level_mode | round_mode << 4));
}
Bytes exr_text(const std::string& s) {
  Bytes out(s.size());
  if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
  return out;
}
Bytes exr_preview(std::uint32_t width, std::uint32_t height, const Bytes& rgba) {
  return exr_u32(width) + exr_u32(height) + rgba;
}
Bytes exr_stringvector(const std::vector<std::string>& strings) {
  Bytes out;
  for (const std::string& s : strings) out = out + exr_i32(static_cast<std::int32_t>(s.size())) + exr_text(s);
  return out;
}
Bytes exr_chlist(const std::vector<ExrChannelSpec>& channels) {
  Bytes out;
  for (const ExrChannelSpec& c : channels) {
    out = out + exr_text(c.name) + exr_u8(0) + exr_i32(c.type) + exr_u8(c.linear) + exr_u8(0) + exr_u8(0) +
          exr_u8(0) + exr_i32(c.x_sampling) + exr_i32(c.y_sampling);
  }
  return out + exr_u8(0);
}

ExrHeaderBuilder ExrHeaderBuilder::standard(std::int32_t width, std::int32_t height, std::uint8_t compression,
                                            std::vector<ExrChannelSpec> channels) {
  if (channels.empty()) channels = {{"B"}, {"G"}, {"R"}};
  ExrHeaderBuilder b;
  b.set("channels", "chlist", exr_chlist(channels));
  b.set("compression", "compression", exr_u8(compression));
  b.set("dataWindow", "box2i", exr_box2i(0, 0, width - 1, height - 1));
  b.set("displayWindow", "box2i", exr_box2i(0, 0, width - 1, height - 1));
  b.set("lineOrder", "lineOrder", exr_u8(0));
  b.set("pixelAspectRatio", "float", exr_f32(1.0f));
  b.set("screenWindowCenter", "v2f", exr_v2f(0, 0));
  b.set("screenWindowWidth", "float", exr_f32(1.0f));
  return b;
}

ExrHeaderBuilder& ExrHeaderBuilder::set(const std::string& name, const std::string& type, Bytes value) {
  for (Attr& a : attrs_) {
    if (a.name != name) continue;
    a.type = type;
    a.size = static_cast<std::int32_t>(value.size());
    a.value = std::move(value);
    return *this;
  }
  return append(name, type, std::move(value));
}
ExrHeaderBuilder& ExrHeaderBuilder::append(const std::string& name, const std::string& type, Bytes value) {
  const auto size = static_cast<std::int32_t>(value.size());
  return append_sized(name, type, size, std::move(value));
}
ExrHeaderBuilder& ExrHeaderBuilder::append_sized(const std::string& name, const std::string& type, std::int32_t size,
                                                 Bytes value) {
  attrs_.push_back({name, type, size, std::move(value)});
  return *this;
}
ExrHeaderBuilder& ExrHeaderBuilder::remove(const std::string& name) {
  attrs_.erase(std::remove_if(attrs_.begin(), attrs_.end(), [&](const Attr& a) { return a.name == name; }),
               attrs_.end());
  return *this;
}
Bytes ExrHeaderBuilder::bytes() const {
  Bytes out;
  for (const Attr& a : attrs_) out = out + exr_text(a.name) + exr_u8(0) + exr_text(a.type) + exr_u8(0) + exr_i32(a.size) + a.value;
  return out + exr_u8(0);
}

Bytes exr_file(std::uint32_t flags, const std::vector<ExrHeaderBuilder>& parts, std::uint64_t chunks, std::size_t tail) {
  Bytes out = exr_u32(20000630) + exr_u32(2 | flags);
  for (const ExrHeaderBuilder& p : parts) out = out + p.bytes();
  if (flags & kExrMultipart) out = out + exr_u8(0);
  out.resize(out.size() + chunks * 8 + tail);
  return out;
}

}  // namespace frugal::test
