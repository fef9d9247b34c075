#pragma once
// A headless virtual grid for small screens: which items of a long list a
// viewport shows at a scroll offset, where each one is, which one is under a
// point, and where to scroll to show one. Items of one size fill rows left to
// right; one column is a list. Only the visible items need to exist (the
// paged loader, library/paged_loader.hpp, fetches them); nothing here
// allocates or depends on the item count's size.
//
// Geometry (pixels): `padding` surrounds the content on all four sides,
// `spacing` separates neighbouring items horizontally and vertically. Content
// coordinates start at the content's top-left corner (padding included);
// viewport coordinates are content coordinates less the scroll offset
// (vertical scrolling only: x is the same in both).
//
// Degenerate inputs, defined:
// - no items: no rows, content height 0, every range empty, no hit;
// - an item wider than the viewport (less padding): one column, its
//   rectangle wider than the viewport (the caller clips);
// - a zero-height viewport: nothing visible (overscan or not); a zero-width
//   viewport: one column;
// - a scroll offset past max_scroll() (or below 0: offsets are unsigned) is
//   clamped to [0, max_scroll()] by every function that takes one.
// Overflow: item count ≤ kMaxItems (2^32) and every pixel size ≤ kMaxPixels
// (2^24 - 1) keep content heights below 2^58, so all arithmetic is exact in
// 64 bits (also on 32-bit targets); create() refuses larger inputs.
//
// Thread-safety: Grid is an immutable value; all members are const and pure.

#include <frugal/core/result.hpp>

#include <cstdint>
#include <optional>

namespace frugal::library {

/// What a grid is laid out from; all sizes in pixels.
struct GridLayout {
  std::uint32_t viewport_width = 0, viewport_height = 0;
  std::uint32_t item_width = 0, item_height = 0;  ///< > 0
  std::uint32_t spacing = 0;  ///< between neighbouring items, both directions
  std::uint32_t padding = 0;  ///< around the content, all four sides
};

/// Item indices [first, last); empty when first == last.
struct IndexRange {
  std::uint64_t first = 0, last = 0;
  bool empty() const noexcept { return first >= last; }
  std::uint64_t size() const noexcept { return empty() ? 0 : last - first; }
  friend bool operator==(const IndexRange&, const IndexRange&) = default;
};

/// A rectangle in pixels: top-left corner (x, y) and size. Signed: in
/// viewport coordinates an item above the viewport has y < 0.
struct Rect {
  std::int64_t x = 0, y = 0;
  std::uint32_t width = 0, height = 0;
  friend bool operator==(const Rect&, const Rect&) = default;
};

/// The layout of `item_count` items (see the file comment for geometry,
/// degenerate inputs and limits).
class Grid {
 public:
  static constexpr std::uint64_t kMaxItems = std::uint64_t{1} << 32;
  static constexpr std::uint32_t kMaxPixels = (std::uint32_t{1} << 24) - 1;

  /// Errors: Errc::invalid_argument when item_width or item_height is 0, a
  /// size exceeds kMaxPixels, or item_count exceeds kMaxItems.
  static core::Result<Grid> create(const GridLayout& layout, std::uint64_t item_count) noexcept;

  const GridLayout& layout() const noexcept { return layout_; }
  std::uint64_t item_count() const noexcept { return item_count_; }
  /// Items per row: as many as fit in viewport_width less twice the
  /// padding, at least 1.
  std::uint64_t columns() const noexcept { return columns_; }
  std::uint64_t rows() const noexcept { return rows_; }

  /// Pixels from the content's top to its bottom: padding, the rows and the
  /// spacing between them, padding; 0 without items.
  std::uint64_t content_height() const noexcept;
  /// The largest scroll offset: content_height() - viewport_height, or 0.
  std::uint64_t max_scroll() const noexcept;
  /// `scroll` clamped to [0, max_scroll()].
  std::uint64_t clamp_scroll(std::uint64_t scroll) const noexcept;

  /// Items of the rows that overlap the viewport at `scroll` (a row overlaps
  /// when some pixel row of its items is inside the viewport; spacing and
  /// padding alone do not count), plus `overscan_rows` rows above and below
  /// when that is not empty (for prefetching), whole rows, clipped to the
  /// item count.
  IndexRange visible_range(std::uint64_t scroll, std::uint32_t overscan_rows = 0) const noexcept;

  /// Item `index`'s rectangle in content coordinates. `index` < item_count()
  /// (a programmer error otherwise: FRUGAL_ASSERT).
  Rect item_rect(std::uint64_t index) const noexcept;
  /// The same rectangle in viewport coordinates at `scroll`.
  Rect item_rect_in_viewport(std::uint64_t index, std::uint64_t scroll) const noexcept;

  /// The scroll offset nearest `scroll` at which item `index` is wholly
  /// visible (its top aligned when it is taller than the viewport), clamped
  /// to [0, max_scroll()]; `scroll` itself when the item is already
  /// visible. `index` < item_count() (FRUGAL_ASSERT).
  std::uint64_t scroll_to(std::uint64_t index, std::uint64_t scroll) const noexcept;

  /// The item under viewport point (x, y) at `scroll`, or nullopt when the
  /// point is outside the viewport, on spacing or padding, or past the last
  /// item.
  std::optional<std::uint64_t> hit_test(std::int64_t x, std::int64_t y, std::uint64_t scroll) const noexcept;

 private:
  Grid(const GridLayout& layout, std::uint64_t item_count, std::uint64_t columns) noexcept;
  std::uint64_t row_pitch() const noexcept { return std::uint64_t{layout_.item_height} + layout_.spacing; }
  std::uint64_t column_pitch() const noexcept { return std::uint64_t{layout_.item_width} + layout_.spacing; }

  GridLayout layout_;
  std::uint64_t item_count_ = 0;
  std::uint64_t columns_ = 1;
  std::uint64_t rows_ = 0;
};

}  // namespace frugal::library
