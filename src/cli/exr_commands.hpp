#pragma once
// What frugal exr (src/cli/exr.cpp) dispatches to files of its own: the
// batch header scan (exr_scan.cpp) and the preview's PNG (exr_preview_png.cpp,
// or exr_preview_unavailable.cpp in a build without libpng).

#include <frugal/assets/exr_preview.hpp>
#include <frugal/core/result.hpp>

#include <string>
#include <vector>

namespace frugal::cli {

/// frugal exr scan DIR|FILE... [--threads N] [--recursive] [--json].
int run_exr_scan(const std::vector<std::string>& argv);

/// Writes `preview` to `path` as an RGBA8 PNG (imageio::write_png, atomic).
/// Errors: imageio's (Errc::io writing `path`); Errc::unsupported in a build
/// without libpng, or for a preview with a side of 0 or over 1,000,000 pixels.
core::Result<void> write_preview_png(const std::string& path, const assets::ExrPreviewImage& preview);

}  // namespace frugal::cli
