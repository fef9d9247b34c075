#pragma once
// iTunes metadata items (moov/udta/meta/ilst, QuickTime File Format
// "Metadata") for test movies: text and freeform items, covr pictures, and
// the udta box around them.

#include "support/mp4_writer.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace frugal::test {

/// The bytes of `s`.
std::span<const std::byte> bytes_of(std::string_view s);

/// An item `type` ('\251nam', 'aART'...) with one 'data' child: type
/// indicator `data_type` (1 UTF-8, 0 implicit, 21 signed integer, 13 JPEG,
/// 14 PNG), locale 0, then `value`.
Bytes ilst_item(FourCC type, std::span<const std::byte> value, std::uint32_t data_type = 1);

/// A '----' item: mean, name (each FullBox + text), then a data box (type 1:
/// UTF-8, locale 0, the text); a field given as nullopt is left out.
Bytes freeform_item(std::optional<std::string_view> mean, std::optional<std::string_view> name,
                    std::optional<std::string_view> data);

enum class MetaStyle { iso, quicktime };

/// udta/meta/ilst around `items`: ISO meta is a FullBox with an 'mdir' hdlr
/// first (as iTunes writes it); QuickTime's meta has no version and flags.
Bytes udta_with(std::vector<Bytes> items, MetaStyle style = MetaStyle::iso);

}  // namespace frugal::test
