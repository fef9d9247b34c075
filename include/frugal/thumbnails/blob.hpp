#pragma once
// The values the thumbnail caches hold: opaque, immutable byte blobs — an
// encoded thumbnail (e.g. PNG bytes) as the thumbnailer produced it. The
// caches never look inside; whatever distinguishes two renderings (size,
// format) belongs in the CacheKey.

#include <frugal/core/result.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace frugal::thumbnails {

/// Shared, immutable bytes: the caches and their callers hold the same copy.
/// A blob stays valid for as long as someone holds it, even after a cache
/// dropped it (its bytes then count as the holder's, no longer on the
/// cache's account). Thread-safety: as std::shared_ptr (the bytes never change).
using Blob = std::shared_ptr<const std::vector<std::byte>>;

/// A new blob holding a copy of `bytes`. Errors: Errc::out_of_memory when the
/// heap refuses (caught inside: no exception leaves).
core::Result<Blob> make_blob(std::span<const std::byte> bytes) noexcept;
/// A new blob taking `bytes` over (no copy; on an error `bytes` is left as
/// it was). Errors: Errc::out_of_memory when the heap refuses.
core::Result<Blob> make_blob(std::vector<std::byte>&& bytes) noexcept;

}  // namespace frugal::thumbnails
