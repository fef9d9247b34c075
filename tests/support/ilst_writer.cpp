#include "support/ilst_writer.hpp"

namespace frugal::test {

std::span<const std::byte> bytes_of(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

Bytes ilst_item(FourCC type, std::span<const std::byte> value, std::uint32_t data_type) {
  BoxWriter w;
  w.begin(type).begin("data").u32(data_type).u32(0).bytes(value).end().end();
  return w.take();
}

Bytes freeform_item(std::optional<std::string_view> mean, std::optional<std::string_view> name,
                    std::optional<std::string_view> data) {
  BoxWriter w;
  w.begin("----");
  if (mean) w.full_box("mean").bytes(bytes_of(*mean)).end();
  if (name) w.full_box("name").bytes(bytes_of(*name)).end();
  if (data) w.begin("data").u32(1).u32(0).bytes(bytes_of(*data)).end();
  return w.end().take();
}

Bytes udta_with(std::vector<Bytes> items, MetaStyle style) {
  BoxWriter w;
  w.begin("udta");
  if (style == MetaStyle::iso) {
    w.full_box("meta");
  } else {
    w.begin("meta");
  }
  w.bytes(hdlr_box(FourCC("mdir"), FourCC(), ""));
  w.begin("ilst");
  for (const Bytes& item : items) w.bytes(item);
  w.end().end().end();
  return w.take();
}

}  // namespace frugal::test
