// frugal thumb: a PNG thumbnail of an image (JPEG, PNG) or of an audio
// file's cover art (thumbnails::make_file_thumbnail, encode_thumbnail_png),
// or with --cache DIR through the thumbnail service and its disk cache
// (a miss's reads are not counted in --stats: they happen on its worker); built with the thumbnails module only
// (thumb_unavailable.cpp).
#include "cli/common.hpp"
#include "cli/json.hpp"

#include <frugal/assets/image_info.hpp>
#include <frugal/thumbnails/disk_cache.hpp>
#include <frugal/thumbnails/thumbnail_service.hpp>
#include <frugal/thumbnails/thumbnailer.hpp>

#include "output_file.hpp"

#include <cstdio>

namespace frugal::cli {

namespace {

// Writes `png` to `out` atomically.
core::Result<void> write_file(const std::string& out, std::span<const std::byte> png) {
  FRUGAL_TRY(platform::AtomicFile file, platform::AtomicFile::create(out));
  FRUGAL_CHECK(file.write(png));
  return file.commit();
}

// --cache DIR: through the thumbnail service and its disk cache at DIR; the
// cached PNG is the output's bytes.
int thumb_through_cache(const std::string& path, const std::string& out, const std::string& cache_dir,
                        const thumbnails::ThumbnailOptions& options, bool json) {
  thumbnails::DiskCacheOptions cache_options;
  cache_options.tracker = options.tracker;
  auto l2 = thumbnails::DiskCache::open(cache_dir, cache_options);
  if (!l2) return report(cache_dir, l2.error());
  thumbnails::ThumbnailServiceOptions service_options;
  service_options.queue.workers = 1;
  service_options.queue.l2 = l2->get();
  service_options.tracker = options.tracker;
  auto service = thumbnails::ThumbnailService::create(service_options);
  if (!service) return report(path, service.error());
  thumbnails::ThumbnailRequest request;
  request.size = options.max_size;
  request.orientation = options.orientation;
  auto blob = (*service)->thumbnail_of_file(path, request);
  if (!blob) return report(path, blob.error());
  const bool hit = (*service)->queue().stats().l2_hits == 1;
  auto info = assets::read_image_info(**blob);
  if (!info) return report(path, info.error());
  if (auto w = write_file(out, **blob); !w) return report(out, w.error());
  if (json) {
    JsonObject o;
    o.add("output", out)
        .add("cache", hit ? "hit" : "miss")
        .add("width", info->width)
        .add("height", info->height)
        .add("png_bytes", std::uint64_t{(*blob)->size()});
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("%s: %ux%u, %s the cache %s\n", out.c_str(), info->width, info->height,
                hit ? "from" : "made and stored in", cache_dir.c_str());
  }
  return kOk;
}

}  // namespace

int run_thumb(const std::vector<std::string>& argv) {
  std::string err;
  auto args = parse_args(argv, {"-o", "--size", "--orientation", "--cache"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("thumb takes one FILE");
  const std::string& path = args->positional[0];
  const auto out = args->value("-o");
  if (!out) return usage_error("thumb needs -o OUT.png");
  thumbnails::ThumbnailOptions options;
  options.tracker = &tracker();
  if (auto v = args->value("--size")) {
    auto size = parse_positive(*v);
    if (!size || *size > thumbnails::kMaxThumbnailSide) return usage_error("--size takes pixels from 1 to 4096");
    options.max_size = *size;
  }
  if (auto v = args->value("--orientation")) {
    auto o = parse_positive(*v);
    if (!o || *o > 8) return usage_error("--orientation takes an EXIF orientation from 1 to 8");
    options.orientation = static_cast<std::uint8_t>(*o);
  }

  if (auto dir = args->value("--cache")) return thumb_through_cache(path, *out, *dir, options, args->has("--json"));

  auto file = core::FileSource::open(path.c_str());
  if (!file) return report(path, file.error());
  core::CountingSource source(*file);
  bool cover = false;
  auto thumb = thumbnails::make_file_thumbnail(source, options, &cover);
  io_stats().bytes_read += source.bytes_read();
  io_stats().read_calls += source.read_calls();
  if (!thumb) return report(path, thumb.error());
  auto png = thumbnails::encode_thumbnail_png(*thumb, options.tracker);
  if (!png) return report(*out, png.error());
  if (auto w = write_file(*out, *png); !w) return report(*out, w.error());

  const thumbnails::ThumbnailPlan& plan = thumb->plan;
  const std::string scale = std::to_string(plan.scale_num) + "/8";
  if (args->has("--json")) {
    JsonObject o;
    o.add("output", *out)
        .add("cover_art", cover)
        .add("codec", thumbnails::image_codec_name(plan.codec))
        .add("source_width", plan.source_width)
        .add("source_height", plan.source_height)
        .add("scale", scale)
        .add("decoded_width", plan.decoded_width)
        .add("decoded_height", plan.decoded_height)
        .add("width", thumb->width)
        .add("height", thumb->height)
        .add("orientation", std::uint64_t{plan.orientation})
        .add("whole_image", plan.whole_image)
        .add("planned_peak_bytes", std::uint64_t{plan.peak_bytes});
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("%s: %ux%u from %s%s %ux%u (decoded at %s: %ux%u), planned peak %zu bytes\n", out->c_str(),
                thumb->width, thumb->height, cover ? "the cover art, " : "", thumbnails::image_codec_name(plan.codec),
                plan.source_width, plan.source_height, scale.c_str(), plan.decoded_width, plan.decoded_height,
                plan.peak_bytes);
  }
  return kOk;
}

}  // namespace frugal::cli
