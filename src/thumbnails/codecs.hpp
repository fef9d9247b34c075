#pragma once
// The thumbnailer's decoders (libjpeg-turbo, libpng) and what they share.
// Internal: thumbnailer.cpp picks one by signature.
//
// Each codec has a plan (header only: sizes, scale, the decoder's peak
// bytes) and a decode that feeds RGBA8 rows of the plan's decoded size into
// an AreaFilter. Thread-safety: independent calls may run concurrently.

#include <frugal/thumbnails/thumbnailer.hpp>

#include "thumbnails/resample.hpp"

namespace frugal::thumbnails::detail {

/// Checks `options` (max_size, orientation). Errors: Errc::invalid_argument.
core::Result<void> check_options(const ThumbnailOptions& options) noexcept;

/// Checks a source's size against the caps. Errors: Errc::malformed (a side
/// 0), Errc::limit_exceeded.
core::Result<void> check_source_size(std::uint32_t width, std::uint32_t height, const ThumbnailOptions& options) noexcept;

/// The thumbnail's size before orientation: the source fitted to max_size.
Size target_size(const ThumbnailPlan& plan, const ThumbnailOptions& options) noexcept;

/// Completes `plan` (codec, source and decoded sizes set): the thumbnail's
/// size after orientation, and peak_bytes = `decoder_bytes` + the filter's
/// + the output's (twice when oriented), SIZE_MAX when that does not fit a
/// size_t (32-bit targets: make_thumbnail then refuses it).
void finish_plan(ThumbnailPlan& plan, std::uint64_t decoder_bytes, const ThumbnailOptions& options) noexcept;

core::Result<ThumbnailPlan> plan_jpeg(core::ByteSource& source, const ThumbnailOptions& options);
/// Decodes at plan.scale_num / 8 into `filter`, libjpeg capped at
/// `decoder_bytes` (max_memory_to_use).
core::Result<void> decode_jpeg(core::ByteSource& source, const ThumbnailPlan& plan, std::uint64_t decoder_bytes,
                               AreaFilter& filter);

core::Result<ThumbnailPlan> plan_png(core::ByteSource& source, const ThumbnailOptions& options);
core::Result<void> decode_png(core::ByteSource& source, const ThumbnailPlan& plan, AreaFilter& filter);

/// The decoder's share of plan.peak_bytes (what finish_plan added to it).
std::size_t decoder_bytes(const ThumbnailPlan& plan, const ThumbnailOptions& options) noexcept;

}  // namespace frugal::thumbnails::detail
