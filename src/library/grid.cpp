#include <frugal/library/grid.hpp>

#include <frugal/core/assert.hpp>

#include <algorithm>

namespace frugal::library {

core::Result<Grid> Grid::create(const GridLayout& layout, std::uint64_t item_count) noexcept {
  if (layout.item_width == 0 || layout.item_height == 0)
    return core::make_error(core::Errc::invalid_argument, "grid: item width and height must be > 0");
  for (std::uint32_t size : {layout.viewport_width, layout.viewport_height, layout.item_width, layout.item_height,
                             layout.spacing, layout.padding})
    if (size > kMaxPixels) return core::make_error(core::Errc::invalid_argument, "grid: a size exceeds kMaxPixels");
  if (item_count > kMaxItems) return core::make_error(core::Errc::invalid_argument, "grid: item count exceeds kMaxItems");
  // n items take n * item_width + (n - 1) * spacing: n = (width + spacing) / pitch.
  const std::uint64_t padding2 = 2 * std::uint64_t{layout.padding};
  const std::uint64_t inner = layout.viewport_width > padding2 ? layout.viewport_width - padding2 : 0;
  const std::uint64_t columns =
      std::max<std::uint64_t>(1, (inner + layout.spacing) / (std::uint64_t{layout.item_width} + layout.spacing));
  return Grid(layout, item_count, columns);
}

Grid::Grid(const GridLayout& layout, std::uint64_t item_count, std::uint64_t columns) noexcept
    : layout_(layout), item_count_(item_count), columns_(columns),
      rows_(item_count / columns + (item_count % columns != 0)) {}

std::uint64_t Grid::content_height() const noexcept {
  if (rows_ == 0) return 0;
  return 2 * std::uint64_t{layout_.padding} + rows_ * row_pitch() - layout_.spacing;
}

std::uint64_t Grid::max_scroll() const noexcept {
  const std::uint64_t height = content_height();
  return height > layout_.viewport_height ? height - layout_.viewport_height : 0;
}

std::uint64_t Grid::clamp_scroll(std::uint64_t scroll) const noexcept { return std::min(scroll, max_scroll()); }

IndexRange Grid::visible_range(std::uint64_t scroll, std::uint32_t overscan_rows) const noexcept {
  if (rows_ == 0 || layout_.viewport_height == 0) return {};
  const std::uint64_t top = clamp_scroll(scroll);
  const std::uint64_t bottom = top + layout_.viewport_height;  // exclusive
  const std::uint64_t padding = layout_.padding, pitch = row_pitch();
  // Row r spans [padding + r * pitch, padding + r * pitch + item_height).
  // First row whose bottom is below `top`: r * pitch > top - padding - item_height.
  const std::uint64_t reach = padding + layout_.item_height;
  std::uint64_t first_row = top < reach ? 0 : (top - reach) / pitch + 1;
  // Rows whose top is above `bottom`: r * pitch < bottom - padding.
  std::uint64_t end_row = bottom <= padding ? 0 : std::min(rows_, (bottom - padding - 1) / pitch + 1);
  if (first_row >= end_row) return {};  // the viewport shows only spacing or padding
  first_row -= std::min<std::uint64_t>(first_row, overscan_rows);
  end_row = std::min(rows_, end_row + overscan_rows);
  return {first_row * columns_, std::min(item_count_, end_row * columns_)};
}

Rect Grid::item_rect(std::uint64_t index) const noexcept {
  FRUGAL_ASSERT(index < item_count_);
  const std::uint64_t row = index / columns_, column = index % columns_;
  return {static_cast<std::int64_t>(layout_.padding + column * column_pitch()),
          static_cast<std::int64_t>(layout_.padding + row * row_pitch()), layout_.item_width, layout_.item_height};
}

Rect Grid::item_rect_in_viewport(std::uint64_t index, std::uint64_t scroll) const noexcept {
  Rect rect = item_rect(index);
  rect.y -= static_cast<std::int64_t>(clamp_scroll(scroll));
  return rect;
}

std::uint64_t Grid::scroll_to(std::uint64_t index, std::uint64_t scroll) const noexcept {
  const std::uint64_t current = clamp_scroll(scroll);
  const auto top = static_cast<std::uint64_t>(item_rect(index).y);
  const std::uint64_t bottom = top + layout_.item_height;
  std::uint64_t target = current;
  if (top < current || layout_.item_height > layout_.viewport_height) target = top;
  else if (bottom > current + layout_.viewport_height) target = bottom - layout_.viewport_height;
  return clamp_scroll(target);
}

std::optional<std::uint64_t> Grid::hit_test(std::int64_t x, std::int64_t y, std::uint64_t scroll) const noexcept {
  if (x < 0 || y < 0 || x >= std::int64_t{layout_.viewport_width} || y >= std::int64_t{layout_.viewport_height})
    return std::nullopt;
  const std::uint64_t padding = layout_.padding;
  const std::uint64_t cx = static_cast<std::uint64_t>(x), cy = clamp_scroll(scroll) + static_cast<std::uint64_t>(y);
  if (cx < padding || cy < padding) return std::nullopt;
  const std::uint64_t column = (cx - padding) / column_pitch(), row = (cy - padding) / row_pitch();
  if (column >= columns_ || row >= rows_) return std::nullopt;
  if ((cx - padding) % column_pitch() >= layout_.item_width || (cy - padding) % row_pitch() >= layout_.item_height)
    return std::nullopt;
  const std::uint64_t index = row * columns_ + column;
  if (index >= item_count_) return std::nullopt;
  return index;
}

}  // namespace frugal::library
