// MP4: the iTunes metadata items in moov/udta/meta/ilst (ISO/IEC 14496-12
// §4.2 boxes; QuickTime File Format "Metadata" for the item layout: each
// item a box of 'data' children — type indicator (4), locale (4), value —
// with '----' items led by 'mean' and 'name').
//
// The view TagLib reads is a moov holding only udta/meta/ilst and the items
// kept: TagLib's MP4 reader builds an atom for every box of the containers it
// knows (every moof, trak, stbl...) and reads each ilst item whole, so the
// rest of the file stays out of its sight.
#include "tags/plan.hpp"

#include <frugal/core/byte_reader.hpp>
#include <frugal/mp4/box.hpp>

#include <array>
#include <optional>

namespace frugal::tags::detail {

using core::Errc;
using core::FourCC;
using core::make_error;
using mp4::BoxHeader;
using mp4::BoxReader;

namespace {

// The first child of `parent` of type `type`, or nullopt.
core::Result<std::optional<BoxHeader>> first_child(BoxReader& reader, FourCC type) {
  while (true) {
    FRUGAL_TRY(auto box, reader.next());
    if (!box || box->type == type) return box;
  }
}

// covr data type indicators (QuickTime "Well-known types").
const char* covr_mime(std::uint32_t type) {
  switch (type) {
    case 13: return "image/jpeg";
    case 14: return "image/png";
    case 27: return "image/bmp";
    case 12: return "image/gif";
    default: return "";
  }
}

struct Item {
  BoxHeader box;
  bool ok = true;                  // children tile the item, each large enough for TagLib
  std::vector<BoxHeader> data;     // its 'data' children
};

// Walks an item's children. A malformed item is dropped from the view (the
// other items still count); only read errors fail.
core::Result<Item> read_item(BoxReader& items, const BoxHeader& box) {
  Item item{box, true, {}};
  auto children = items.children(box);
  if (!children) return children.error().code == Errc::io ? core::Result<Item>(children.error()) : Item{box, false, {}};
  while (true) {
    auto child = children->next();
    if (!child) {
      if (child.error().code == Errc::io) return child.error();
      item.ok = false;
      return item;
    }
    if (!*child) return item;
    const BoxHeader& c = **child;
    const bool is_data = c.type == FourCC("data");
    // TagLib takes 'mean'/'name' values at +12 and 'data' values at +16.
    if (c.size < (is_data ? 16u : 12u) || c.header_size != 8) item.ok = false;
    if (is_data) item.data.push_back(c);
  }
}

// covr's pictures: kept in the view when every one may be loaded, else all
// reported as not loaded (TagLib reads a covr item whole). Other children
// (TagLib's tests have 'free' junk there) are read too: each picture is
// checked as if it carried them, so they never reach TagLib uncapped; the
// headers count as tag bytes.
core::Result<bool> plan_covr(core::ByteSource& source, const Item& item, const TagOptions& options, Plan& plan) {
  const std::size_t n = item.data.size();
  std::uint64_t data_bytes = 0;
  for (const BoxHeader& d : item.data) data_bytes += d.size;
  const std::uint64_t other = item.box.body_size() - data_bytes;
  const char* reason = nullptr;
  for (std::size_t i = 0; i < n && !reason; ++i)
    reason = leave_out_reason(plan.pictures_kept + i, item.data[i].size - 16 + other, options);
  if (!reason) {
    FRUGAL_CHECK(add_tag_bytes(plan, item.box.header_size + 16 * std::uint64_t{n}, options, item.box.offset));
    plan.pictures_kept += n;
    return true;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const BoxHeader& d = item.data[i];
    std::array<std::byte, 4> type{};
    FRUGAL_CHECK(core::read_exact(source, d.body_offset(), type));
    Picture p;
    p.mime_type = covr_mime(core::load_be32(type.data()));
    p.size = d.size - 16;
    p.offset = d.offset + 16;
    const char* own = leave_out_reason(plan.pictures_kept + i, p.size, options);
    p.not_loaded = own                ? own
                   : other == 0 ? "shares a covr item with a picture not loaded"
                                : "shares a covr item with other boxes over the caps";
    FRUGAL_CHECK(probe_dimensions(source, *p.offset, p));
    plan.left_out.push_back(std::move(p));
  }
  return false;
}

}  // namespace

core::Result<Plan> plan_mp4(core::ByteSource& source, const TagOptions& options) {
  Plan plan;
  plan.format = TagFormat::mp4;
  const core::Limits limits;
  BoxReader top(source, limits);
  FRUGAL_TRY(auto moov, first_child(top, FourCC("moov")));
  if (!moov) return plan;
  FRUGAL_TRY(BoxReader in_moov, top.children(*moov));
  FRUGAL_TRY(auto udta, first_child(in_moov, FourCC("udta")));
  if (!udta) return plan;
  FRUGAL_TRY(BoxReader in_udta, in_moov.children(*udta));
  FRUGAL_TRY(auto meta, first_child(in_udta, FourCC("meta")));
  if (!meta || meta->body_size() < 8) return plan;
  // ISO meta is a FullBox (version 0, flags 0); QuickTime's is a plain box.
  std::array<std::byte, 4> head{};
  FRUGAL_CHECK(core::read_exact(source, meta->body_offset(), head));
  FRUGAL_TRY(BoxReader in_meta, in_udta.children(*meta, core::load_be32(head.data()) == 0 ? 4 : 0));
  FRUGAL_TRY(auto ilst, first_child(in_meta, FourCC("ilst")));
  if (!ilst) return plan;
  FRUGAL_TRY(BoxReader items, in_meta.children(*ilst));

  std::vector<BoxHeader> kept;
  std::uint64_t kept_bytes = 0;
  while (true) {
    FRUGAL_TRY(auto box, items.next());
    if (!box) break;
    FRUGAL_TRY(Item item, read_item(items, *box));
    if (!item.ok) continue;
    if (box->type == FourCC("covr")) {
      FRUGAL_TRY(bool keep, plan_covr(source, item, options, plan));
      if (!keep) continue;
    } else {
      FRUGAL_CHECK(add_tag_bytes(plan, box->size, options, box->offset));
    }
    ++plan.items;
    kept.push_back(*box);
    kept_bytes += box->size;
  }
  FRUGAL_CHECK(plan.view.add_box_header("moov", 8 + 8 + 12 + 8 + kept_bytes));
  FRUGAL_CHECK(plan.view.add_box_header("udta", 8 + 12 + 8 + kept_bytes));
  FRUGAL_CHECK(plan.view.add_box_header("meta", 12 + 8 + kept_bytes));
  plan.view.add_bytes(std::array<std::byte, 4>{});  // FullBox version and flags
  FRUGAL_CHECK(plan.view.add_box_header("ilst", 8 + kept_bytes));
  for (const BoxHeader& b : kept) plan.view.add_source(b.offset, b.size);
  return plan;
}

}  // namespace frugal::tags::detail
