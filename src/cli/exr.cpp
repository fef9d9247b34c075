// frugal exr FILE [--json] [--preview OUT.png]: an OpenEXR file's headers
// (assets::ExrHeader), read without the offset tables or the pixels, and its
// preview image; frugal exr scan (exr_scan.cpp): many files' headers.
#include "cli/common.hpp"
#include "cli/exr_commands.hpp"
#include "cli/json.hpp"

#include <frugal/assets/exr_header.hpp>
#include <frugal/assets/exr_preview.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

namespace frugal::cli {

namespace {

using namespace frugal::assets;

// A float or double as JSON: shortest text that reads back the same; null
// when not finite.
std::string num(double v, bool single) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof buf, single ? "%.9g" : "%.17g", v);
  return buf;
}
std::string num(float v) { return num(static_cast<double>(v), true); }
std::string num(double v) { return num(v, false); }
std::string num(std::int64_t v) { return std::to_string(v); }

template <typename T>
std::string array(const T* values, std::size_t n) {
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    if constexpr (std::is_floating_point_v<T>) out += num(values[i]);
    else out += num(static_cast<std::int64_t>(values[i]));
  }
  return out + "]";
}

std::string box_json(const ExrBox2i& b) {
  const std::int32_t v[] = {b.xmin, b.ymin, b.xmax, b.ymax};
  return array(v, 4);
}

const char* level_mode_name(ExrLevelMode m) {
  switch (m) {
    case ExrLevelMode::one_level: return "one_level";
    case ExrLevelMode::mipmap_levels: return "mipmap_levels";
    case ExrLevelMode::ripmap_levels: return "ripmap_levels";
  }
  return "unknown";
}

std::string channels_json(const std::vector<ExrChannel>& list) {
  JsonArray channels;
  for (const ExrChannel& c : list) {
    JsonObject o;
    o.add("name", c.name).add("type", exr_pixel_type_name(c.type)).add("x_sampling", c.x_sampling);
    o.add("y_sampling", c.y_sampling).add("linear", c.linear).add("layer", c.layer);
    o.add_raw("view", c.view.empty() ? std::string("null") : json_string(c.view));
    channels.add_raw(o.str());
  }
  return channels.str();
}

// The value of one attribute as JSON.
std::string value_json(const ExrPart& part, const ExrAttribute& a) {
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ExrOpaque>) {
          std::string hex = "\"";
          char b[4];
          for (const std::byte x : v.bytes) {
            std::snprintf(b, sizeof b, "%02x", static_cast<unsigned>(x));
            hex += b;
          }
          return hex + "\"";
        } else if constexpr (std::is_same_v<T, ExrBox2i>) return box_json(v);
        else if constexpr (std::is_same_v<T, ExrBox2f>) {
          const float f[] = {v.xmin, v.ymin, v.xmax, v.ymax};
          return array(f, 4);
        } else if constexpr (std::is_same_v<T, ExrChannelListRef>) return channels_json(part.channels);
        else if constexpr (std::is_same_v<T, std::vector<ExrChannel>>) return channels_json(v);
        else if constexpr (std::is_same_v<T, ExrCompression>) return json_string(exr_compression_name(v));
        else if constexpr (std::is_same_v<T, ExrLineOrder>) {
          static constexpr const char* kNames[] = {"increasing_y", "decreasing_y", "random_y"};
          return json_string(kNames[static_cast<int>(v)]);
        } else if constexpr (std::is_same_v<T, ExrEnvmap>) return json_string(v == ExrEnvmap::latlong ? "latlong" : "cube");
        else if constexpr (std::is_same_v<T, ExrDeepImageState>) {
          static constexpr const char* kNames[] = {"messy", "sorted", "non_overlapping", "tidy"};
          return json_string(kNames[static_cast<int>(v)]);
        } else if constexpr (std::is_same_v<T, std::int32_t>) return num(std::int64_t{v});
        else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) return num(v);
        else if constexpr (std::is_same_v<T, ExrRational>) {
          const std::int64_t r[] = {v.numerator, v.denominator};
          return array(r, 2);
        } else if constexpr (std::is_same_v<T, std::string>) return json_string(v);
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          JsonArray out;
          for (const std::string& s : v) out.add_raw(json_string(s));
          return out.str();
        } else if constexpr (std::is_same_v<T, std::vector<float>>) return array(v.data(), v.size());
        else if constexpr (std::is_same_v<T, ExrV2i>) {
          const std::int32_t r[] = {v.x, v.y};
          return array(r, 2);
        } else if constexpr (std::is_same_v<T, ExrV2f>) {
          const float r[] = {v.x, v.y};
          return array(r, 2);
        } else if constexpr (std::is_same_v<T, ExrV2d>) {
          const double r[] = {v.x, v.y};
          return array(r, 2);
        } else if constexpr (std::is_same_v<T, ExrV3i>) {
          const std::int32_t r[] = {v.x, v.y, v.z};
          return array(r, 3);
        } else if constexpr (std::is_same_v<T, ExrV3f>) {
          const float r[] = {v.x, v.y, v.z};
          return array(r, 3);
        } else if constexpr (std::is_same_v<T, ExrV3d>) {
          const double r[] = {v.x, v.y, v.z};
          return array(r, 3);
        } else if constexpr (std::is_same_v<T, ExrM33f> || std::is_same_v<T, ExrM33d> || std::is_same_v<T, ExrM44f> ||
                             std::is_same_v<T, ExrM44d>) {
          return array(v.m, sizeof v.m / sizeof v.m[0]);
        } else if constexpr (std::is_same_v<T, ExrTileDesc>) {
          JsonObject o;
          o.add("x_size", v.x_size).add("y_size", v.y_size).add("level_mode", level_mode_name(v.level_mode));
          o.add("round_mode", v.round_mode == ExrRoundMode::round_down ? "round_down" : "round_up");
          return o.str();
        } else if constexpr (std::is_same_v<T, ExrChromaticities>) {
          const float r[] = {v.red_x, v.red_y, v.green_x, v.green_y, v.blue_x, v.blue_y, v.white_x, v.white_y};
          return array(r, 8);
        } else if constexpr (std::is_same_v<T, ExrKeycode>) {
          JsonObject o;
          o.add("film_mfc_code", v.film_mfc_code).add("film_type", v.film_type).add("prefix", v.prefix);
          o.add("count", v.count).add("perf_offset", v.perf_offset).add("perfs_per_frame", v.perfs_per_frame);
          o.add("perfs_per_count", v.perfs_per_count);
          return o.str();
        } else if constexpr (std::is_same_v<T, ExrTimecode>) {
          JsonObject o;
          o.add("time_and_flags", v.time_and_flags).add("user_data", v.user_data);
          return o.str();
        } else if constexpr (std::is_same_v<T, ExrPreview>) {
          JsonObject o;
          o.add("width", v.width).add("height", v.height);
          return o.str();
        } else {
          return "null";
        }
      },
      a.value);
}

std::string header_json(const ExrHeader& h) {
  JsonObject flags;
  flags.add("tiled", h.flags.tiled).add("long_names", h.flags.long_names).add("deep", h.flags.deep);
  flags.add("multipart", h.flags.multipart);
  JsonArray parts;
  for (const ExrPart& p : h.parts) {
    JsonObject o;
    o.add_raw("name", p.name.empty() ? std::string("null") : json_string(p.name));
    o.add("type", exr_storage_name(p.storage)).add("compression", exr_compression_name(p.compression));
    o.add_raw("data_window", box_json(p.data_window)).add_raw("display_window", box_json(p.display_window));
    o.add_raw("channels", channels_json(p.channels));
    JsonArray layers, views;
    for (const std::string& l : p.layers) layers.add_raw(json_string(l));
    for (const std::string& v : p.views) views.add_raw(json_string(v));
    o.add_raw("layers", layers.str()).add_raw("views", views.str());
    o.add("chunk_count", p.chunk_count).add("declared_chunk_count", p.declared_chunk_count);
    o.add("offset_table_offset", p.offset_table_offset).add("offset_table_bytes", p.offset_table_bytes);
    o.add("header_offset", p.header_offset).add("header_bytes", p.header_bytes);
    JsonObject attributes;
    for (const ExrAttribute& a : p.attributes) {
      JsonObject attr;
      attr.add("type", a.type).add("size", a.size).add_raw("value", value_json(p, a));
      attributes.add_raw(a.name, attr.str());
    }
    o.add_raw("attributes", attributes.str());
    parts.add_raw(o.str());
  }
  JsonObject o;
  o.add("version", h.version).add_raw("flags", flags.str()).add_raw("parts", parts.str());
  o.add("header_bytes", h.header_bytes).add("offset_tables_bytes", h.offset_tables_bytes);
  o.add("bytes_read", h.bytes_read);
  return o.str();
}

void print_text(const std::string& path, const ExrHeader& h) {
  std::printf("%s: OpenEXR version %d%s%s%s%s, %zu part%s\n", path.c_str(), h.version, h.flags.tiled ? ", tiled" : "",
              h.flags.long_names ? ", long names" : "", h.flags.deep ? ", deep" : "",
              h.flags.multipart ? ", multipart" : "", h.parts.size(), h.parts.size() == 1 ? "" : "s");
  for (std::size_t i = 0; i < h.parts.size(); ++i) {
    const ExrPart& p = h.parts[i];
    std::printf("part %zu%s%s: %s, compression %s\n", i, p.name.empty() ? "" : " ", p.name.c_str(),
                exr_storage_name(p.storage), exr_compression_name(p.compression));
    const ExrBox2i& d = p.data_window;
    const ExrBox2i& s = p.display_window;
    std::printf("  data window (%d, %d) - (%d, %d), display window (%d, %d) - (%d, %d)\n", d.xmin, d.ymin, d.xmax,
                d.ymax, s.xmin, s.ymin, s.xmax, s.ymax);
    std::printf("  channels:\n");
    for (const ExrChannel& c : p.channels)
      std::printf("    %s, %s, sampling %d %d%s%s\n", c.name.c_str(), exr_pixel_type_name(c.type), c.x_sampling,
                  c.y_sampling, c.view.empty() ? "" : ", view ", c.view.c_str());
    if (!p.layers.empty()) {
      std::printf("  layers:");
      for (const std::string& l : p.layers) std::printf(" %s", l.c_str());
      std::printf("\n");
    }
    std::printf("  chunks %llu, offset table %llu bytes at %llu\n", static_cast<unsigned long long>(p.chunk_count),
                static_cast<unsigned long long>(p.offset_table_bytes),
                static_cast<unsigned long long>(p.offset_table_offset));
    if (p.declared_chunk_count >= 0 && static_cast<std::uint64_t>(p.declared_chunk_count) != p.chunk_count)
      std::printf("  chunkCount attribute says %lld chunks\n", static_cast<long long>(p.declared_chunk_count));
    std::printf("  attributes:\n");
    for (const ExrAttribute& a : p.attributes) {
      if (std::holds_alternative<ExrChannelListRef>(a.value)) {
        std::printf("    %s (%s): %zu channels\n", a.name.c_str(), a.type.c_str(), p.channels.size());
        continue;
      }
      std::string v = value_json(p, a);
      if (v.size() > 200) v = v.substr(0, 200) + "...";
      std::printf("    %s (%s): %s\n", a.name.c_str(), a.type.c_str(), v.c_str());
    }
  }
  std::printf("header bytes %llu, offset tables %llu bytes, read %llu bytes\n",
              static_cast<unsigned long long>(h.header_bytes), static_cast<unsigned long long>(h.offset_tables_bytes),
              static_cast<unsigned long long>(h.bytes_read));
}

// Writes the first part's preview that has one to `out`; prints what it wrote.
int write_preview(const std::string& path, core::ByteSource& source, const ExrHeader& header, const std::string& out,
                  bool json) {
  std::size_t part = 0;
  while (part < header.parts.size() && !header.parts[part].find("preview")) ++part;
  if (part == header.parts.size())
    return report(path, core::make_error(core::Errc::unsupported, "EXR: no part has a preview attribute"));
  auto preview = read_exr_preview(source, header.parts[part], kExrMaxPreviewBytes, &tracker());
  if (!preview) return report(path, preview.error());
  if (auto written = write_preview_png(out, *preview); !written)
    return report(written.error().code == core::Errc::io ? out : path, written.error());
  if (json) {
    JsonObject o;
    o.add("output", out).add("part", std::uint64_t{part}).add("width", preview->width).add("height", preview->height);
    std::printf("%s\n", o.str().c_str());
  } else {
    std::printf("%s: preview of part %zu, %ux%u, written to %s\n", path.c_str(), part, preview->width,
                preview->height, out.c_str());
  }
  return kOk;
}

}  // namespace

int run_exr(const std::vector<std::string>& argv) {
  if (!argv.empty() && argv[0] == "scan") return run_exr_scan({argv.begin() + 1, argv.end()});
  std::string err;
  auto args = parse_args(argv, {"--preview"}, {"--json"}, err);
  if (!args) return usage_error(err);
  if (args->positional.size() != 1) return usage_error("exr takes one OpenEXR file");
  const std::string& path = args->positional[0];
  auto file = core::FileSource::open(path.c_str());
  if (!file) return report(path, file.error());
  core::CountingSource counted(*file);
  auto header = assets::read_exr_header(counted, {}, &tracker());
  int code = kOk;
  if (!header) code = report(path, header.error());
  else if (const auto out = args->value("--preview")) code = write_preview(path, counted, *header, *out, args->has("--json"));
  else if (args->has("--json")) std::printf("%s\n", header_json(*header).c_str());
  else print_text(path, *header);
  io_stats().bytes_read += counted.bytes_read();
  io_stats().read_calls += counted.read_calls();
  return code;
}

}  // namespace frugal::cli
