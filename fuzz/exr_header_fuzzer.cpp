// OpenEXR headers on hostile bytes: read_exr_header either fails cleanly or
// gives parts that obey the header's own rules (windows ordered, chunk
// counts within an int32, offset tables after the headers, every byte read
// from the headers), and leaves nothing charged once the header is gone;
// each part's preview, when it has one, is read back from the same bytes
// (read_exr_preview: its pixels are the attribute's, sized as declared).
#include <frugal/assets/exr_header.hpp>
#include <frugal/assets/exr_preview.hpp>

#include "harness.hpp"

#include <cstring>


namespace {

using frugal::fuzz::check;

void run(std::span<const std::byte> input, frugal::mem::MemoryTracker& tracker) {
  using namespace frugal::assets;
  frugal::core::MemorySource source(input);
  ExrLimits limits;
  limits.max_attribute_bytes = 1u << 16;
  auto h = read_exr_header(source, limits, &tracker);
  if (!h) return;
  check(!h->parts.empty(), "no parts");
  check(h->header_bytes <= input.size(), "headers past the input");
  std::uint64_t table = h->header_bytes;
  for (const ExrPart& p : h->parts) {
    check(p.data_window.xmin <= p.data_window.xmax && p.data_window.ymin <= p.data_window.ymax, "data window");
    check(!p.channels.empty(), "no channels");
    check(p.chunk_count <= 0x7FFFFFFF, "chunk count");
    check(p.offset_table_offset == table, "offset table offset");
    check(p.offset_table_bytes == p.chunk_count * 8, "offset table size");
    table += p.offset_table_bytes;
    auto preview = read_exr_preview(source, p, std::uint64_t{1} << 16, &tracker);
    if (!preview) continue;
    // The pixels are the attribute's bytes after its two sides, inside the headers.
    const ExrAttribute* attribute = nullptr;
    for (const ExrAttribute& a : p.attributes)
      if (a.name == "preview") attribute = &a;
    check(attribute != nullptr, "a preview without its attribute");
    const std::size_t bytes = preview->pixels.size();
    check(bytes == std::size_t{preview->width} * preview->height * 4, "preview size");
    check(attribute->offset + 8 + bytes <= h->header_bytes, "preview past the headers");
    check(std::memcmp(preview->rgba().data(), input.data() + attribute->offset + 8, bytes) == 0, "preview pixels");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return frugal::fuzz::run_under_budget(data, size, run);
}
