#include "mp4/movie.hpp"

#include "mp4/sample_entry.hpp"

#include <frugal/core/byte_reader.hpp>

#include <algorithm>
#include <array>
#include <string_view>

namespace frugal::mp4::detail {

using core::Errc;
using core::FourCC;
using core::make_error;
using core::Result;

namespace {

// Reads a whole small box (a header box: mvhd, tkhd, mdhd, hdlr, elst).
Result<std::vector<std::byte>> read_small_box(core::ByteSource& source, const BoxHeader& box,
                                              const core::Limits& limits) {
  std::vector<std::byte> body;
  FRUGAL_CHECK(read_box_body(source, box, limits, body));
  return body;
}

// mvhd / mdhd share their start (§8.2.2, §8.4.2): version, flags, creation and
// modification times (32 or 64 bits), timescale, duration (32 or 64 bits).
struct TimeHeader {
  std::uint32_t timescale = 0;
  std::uint64_t duration = 0;
  std::uint16_t language = 0;  // mdhd only
};

Result<TimeHeader> parse_time_header(std::span<const std::byte> body, const BoxHeader& box) {
  core::ByteReader r(body);
  const std::uint8_t version = r.u8();
  r.skip(3);
  if (version > 1) return make_error(Errc::unsupported, "unknown header box version", box.offset);
  TimeHeader h;
  if (version == 1) {
    r.skip(16);
    h.timescale = r.u32();
    h.duration = r.u64();
  } else {
    r.skip(8);
    h.timescale = r.u32();
    h.duration = r.u32();
    if (h.duration == 0xFFFFFFFFu) h.duration = 0;  // "unknown"
  }
  if (h.duration == ~std::uint64_t{0}) h.duration = 0;
  h.language = r.u16();
  if (!r.ok()) return make_error(Errc::malformed, "header box too short", box.offset);
  return h;
}

// Packed ISO 639-2/T: three 5-bit letters, each offset by 0x60.
std::array<char, 4> decode_language(std::uint16_t packed) {
  std::array<char, 4> out{'u', 'n', 'd', '\0'};
  if (packed == 0 || packed == 0x7FFF) return out;
  for (int i = 0; i < 3; ++i) {
    const unsigned c = (packed >> (10 - 5 * i)) & 0x1F;
    if (c == 0 || c > 26) return {'u', 'n', 'd', '\0'};
    out[static_cast<std::size_t>(i)] = static_cast<char>(0x60 + c);
  }
  return out;
}

TrackType track_type_of(FourCC handler) {
  if (handler == FourCC("soun")) return TrackType::audio;
  if (handler == FourCC("vide")) return TrackType::video;
  if (handler == FourCC("text") || handler == FourCC("sbtl") || handler == FourCC("subt"))
    return TrackType::text;
  if (handler == FourCC("meta")) return TrackType::metadata;
  return TrackType::other;
}

// elst (§8.6.6).
Result<void> parse_elst(std::span<const std::byte> body, const BoxHeader& box, const core::Limits& limits,
                        std::vector<EditListEntry>& out) {
  core::ByteReader r(body);
  const std::uint8_t version = r.u8();
  r.skip(3);
  if (version > 1) return make_error(Errc::unsupported, "elst: unknown version", box.offset);
  const std::uint32_t count = r.u32();
  if (count > limits.max_edit_entries)
    return make_error(Errc::limit_exceeded, "elst: more entries than the limit", box.offset);
  if (count > r.remaining() / (version == 1 ? 20 : 12))
    return make_error(Errc::malformed, "elst: entry count exceeds its box", box.offset);
  out.clear();
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    EditListEntry e;
    if (version == 1) {
      e.segment_duration = r.u64();
      e.media_time = r.i64();
    } else {
      e.segment_duration = r.u32();
      e.media_time = r.i32();
    }
    e.media_rate = r.i32();
    out.push_back(e);
  }
  return core::ok();
}

// Walks a container whose children are all handled by `visit`.
template <typename F>
Result<void> walk(const BoxReader& parent, const BoxHeader& box, F&& visit) {
  FRUGAL_TRY(BoxReader children, parent.children(box));
  while (true) {
    FRUGAL_TRY(auto child, children.next());
    if (!child) return core::ok();
    FRUGAL_CHECK(visit(children, *child));
  }
}

class TrakParser {
 public:
  TrakParser(core::ByteSource& source, const core::Limits& limits) : source_(source), limits_(limits) {}

  Result<void> parse(const BoxReader& parent, const BoxHeader& trak, ParsedTrack& out) {
    FRUGAL_CHECK(walk(parent, trak, [&](const BoxReader& r, const BoxHeader& b) {
      return visit(r, b, FourCC("trak"), out);
    }));
    if (!saw_tkhd_) return make_error(Errc::malformed, "trak without tkhd", trak.offset);
    if (!saw_mdhd_) return make_error(Errc::malformed, "trak without mdhd", trak.offset);
    if (stsd_) {
      FRUGAL_TRY(out.track.sample_entries,
                 parse_stsd(*stsd_, out.track.type, out.track.timescale, stsd_depth_, limits_));
    }
    return core::ok();
  }

 private:
  // `parent` is the type of the box holding `b`.
  Result<void> visit(const BoxReader& r, const BoxHeader& b, FourCC parent, ParsedTrack& out) {
    Track& t = out.track;
    const FourCC type = b.type;
    if (type == FourCC("tkhd")) {  // §8.3.2
      FRUGAL_TRY(auto body, read_small_box(source_, b, limits_));
      core::ByteReader br(body);
      const std::uint8_t version = br.u8();
      br.skip(3 + (version == 1 ? 16 : 8));
      t.id = br.u32();
      if (!br.ok()) return make_error(Errc::malformed, "tkhd too short", b.offset);
      saw_tkhd_ = true;
      return core::ok();
    }
    if (type == FourCC("mdhd")) {
      FRUGAL_TRY(auto body, read_small_box(source_, b, limits_));
      FRUGAL_TRY(TimeHeader h, parse_time_header(body, b));
      t.timescale = h.timescale;
      t.duration = h.duration;
      t.language = decode_language(h.language);
      saw_mdhd_ = true;
      return core::ok();
    }
    // §8.4.3: version/flags, pre_defined, handler_type. Only mdia's: QuickTime
    // also puts a data handler reference ('url ', 'alis') in minf.
    if (type == FourCC("hdlr") && parent == FourCC("mdia")) {
      FRUGAL_TRY(auto body, read_small_box(source_, b, limits_));
      core::ByteReader br(body);
      br.skip(8);
      t.handler = FourCC(br.u32());
      if (!br.ok()) return make_error(Errc::malformed, "hdlr too short", b.offset);
      t.type = track_type_of(t.handler);
      return core::ok();
    }
    // QuickTime chapter lists: tref/'chap' names the chapter track(s).
    if (type == FourCC("tref"))
      return walk(r, b, [&](const BoxReader&, const BoxHeader& ref) -> Result<void> {
        if (ref.type != FourCC("chap") || ref.body_size() < 4 || out.chapter_track != 0) return core::ok();
        std::array<std::byte, 4> id{};
        FRUGAL_CHECK(core::read_exact(source_, ref.body_offset(), id));
        out.chapter_track = core::load_be32(id.data());
        return core::ok();
      });
    if (type == FourCC("elst")) {
      FRUGAL_TRY(auto body, read_small_box(source_, b, limits_));
      return parse_elst(body, b, limits_, t.edit_list);
    }
    if (type == FourCC("stsd")) {
      // Read now, while the read-ahead window holds it; parsed once hdlr and mdhd are known.
      FRUGAL_TRY(stsd_, read_small_box(source_, b, limits_));
      stsd_depth_ = r.depth();
      return core::ok();
    }
    auto& tb = out.tables;
    std::optional<TableBox>* slot = nullptr;
    if (type == FourCC("stts")) slot = &tb.time_to_sample;
    else if (type == FourCC("ctts")) slot = &tb.composition_offsets;
    else if (type == FourCC("stsc")) slot = &tb.sample_to_chunk;
    else if (type == FourCC("stsz") || type == FourCC("stz2")) slot = &tb.sizes;
    else if (type == FourCC("stco") || type == FourCC("co64")) slot = &tb.chunk_offsets;
    else if (type == FourCC("stss")) slot = &tb.sync_samples;
    else if (type == FourCC("sbgp")) slot = &tb.roll_groups;
    else if (type == FourCC("sgpd")) slot = &tb.roll_group_entries;
    else if (type == FourCC("edts") || type == FourCC("mdia") || type == FourCC("minf") ||
             type == FourCC("stbl"))
      return walk(r, b, [&](const BoxReader& cr, const BoxHeader& cb) { return visit(cr, cb, type, out); });
    if (!slot) return core::ok();
    TableBox table{b, {}};
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(b.body_size(), table.head.size()));
    FRUGAL_CHECK(core::read_exact(source_, b.body_offset(), std::span(table.head).first(n)));
    // Sample groups other than 'roll' (§10.1; the type follows version/flags) are not used.
    const bool group = slot == &tb.roll_groups || slot == &tb.roll_group_entries;
    if (group && FourCC(core::load_be32(&table.head[4])) != FourCC("roll")) return core::ok();
    *slot = table;
    return core::ok();
  }

  core::ByteSource& source_;
  const core::Limits& limits_;
  std::optional<std::vector<std::byte>> stsd_;  // body
  std::uint32_t stsd_depth_ = 0;
  bool saw_tkhd_ = false;
  bool saw_mdhd_ = false;
};

// moov/udta/meta/ilst (QuickTime metadata as iTunes writes it): only the
// '----' item com.apple.iTunes / iTunSMPB is read here (tags are TagLib's).
// moov/udta/chpl (Nero chapters) is kept whole for the demuxer to parse.
Result<void> parse_udta(core::ByteSource& source, const BoxReader& parent, const BoxHeader& udta,
                        const core::Limits& limits, Movie& movie) {
  return walk(parent, udta, [&](const BoxReader& r, const BoxHeader& meta) -> Result<void> {
    if (meta.type == FourCC("chpl") && !movie.chpl) {
      movie.chpl = read_small_box(source, meta, limits);
      if (!*movie.chpl && movie.chpl->error().code == Errc::io) return movie.chpl->error();
      return core::ok();
    }
    if (meta.type != FourCC("meta") || meta.body_size() < 8) return core::ok();
    // ISO meta is a FullBox; QuickTime's is not: its first child follows at once.
    std::array<std::byte, 8> head{};
    FRUGAL_CHECK(core::read_exact(source, meta.body_offset(), head));
    const std::uint64_t skip = core::load_be32(head.data()) == 0 ? 4 : 0;
    FRUGAL_TRY(BoxReader items, r.children(meta, skip));
    while (true) {
      FRUGAL_TRY(auto ilst, items.next());
      if (!ilst) return core::ok();
      if (ilst->type != FourCC("ilst")) continue;
      return walk(items, *ilst, [&](const BoxReader&, const BoxHeader& item) -> Result<void> {
        if (item.type != FourCC("----") || movie.itunes_gapless) return core::ok();
        FRUGAL_TRY(auto body, read_small_box(source, item, limits));
        // Children: mean (FullBox + "com.apple.iTunes"), name (FullBox + "iTunSMPB"), data (type, locale, text).
        core::MemorySource inner(body);
        BoxReader fields(inner, limits, 0, body.size(), 1);  // nested: a field past the item is malformed
        std::string_view mean, name;
        std::span<const std::byte> text;
        while (true) {
          auto field = fields.next();
          if (!field) return field.error();
          if (!*field) break;
          const auto bytes = std::span<const std::byte>(body).subspan(static_cast<std::size_t>((*field)->body_offset()),
                                                                      static_cast<std::size_t>((*field)->body_size()));
          if (bytes.size() < 8 && (*field)->type == FourCC("data")) continue;
          const auto as_text = [](std::span<const std::byte> b) {
            return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
          };
          if ((*field)->type == FourCC("mean") && bytes.size() >= 4) mean = as_text(bytes.subspan(4));
          if ((*field)->type == FourCC("name") && bytes.size() >= 4) name = as_text(bytes.subspan(4));
          if ((*field)->type == FourCC("data")) text = bytes.subspan(8);
        }
        if (mean == "com.apple.iTunes" && name == "iTunSMPB") movie.itunes_gapless = parse_itunsmpb(text);
        return core::ok();
      });
    }
  });
}

}  // namespace

std::optional<GaplessInfo> parse_itunsmpb(std::span<const std::byte> text) {
  std::uint64_t words[4] = {};
  std::size_t n = 0, i = 0;
  const auto at = [&](std::size_t k) { return std::to_integer<char>(text[k]); };
  while (n < 4) {
    while (i < text.size() && at(i) == ' ') ++i;
    if (i == text.size()) break;
    std::uint64_t v = 0;
    std::size_t digits = 0;
    for (; i < text.size() && at(i) != ' '; ++i, ++digits) {
      const char c = at(i);
      const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0 || digits >= 16) return std::nullopt;
      v = v * 16 + static_cast<std::uint64_t>(d);
    }
    words[n++] = v;
  }
  if (n < 4 || words[1] > 0xFFFFFFFFu || words[2] > 0xFFFFFFFFu) return std::nullopt;
  return GaplessInfo{static_cast<std::uint32_t>(words[1]), static_cast<std::uint32_t>(words[2]), words[3]};
}

Result<Movie> parse_moov(core::ByteSource& source, const BoxReader& top, const BoxHeader& moov,
                         const core::Limits& limits) {
  Movie movie;
  bool saw_mvhd = false;
  FRUGAL_CHECK(walk(top, moov, [&](const BoxReader& r, const BoxHeader& b) -> Result<void> {
    if (b.type == FourCC("mvhd")) {
      FRUGAL_TRY(auto body, read_small_box(source, b, limits));
      FRUGAL_TRY(TimeHeader h, parse_time_header(body, b));
      movie.timescale = h.timescale;
      movie.duration = h.duration;
      saw_mvhd = true;
    } else if (b.type == FourCC("mvex")) {
      movie.fragmented = true;
      return walk(r, b, [&](const BoxReader&, const BoxHeader& e) -> Result<void> {
        if (e.type == FourCC("trex")) {
          if (movie.extends.size() >= limits.max_tracks)
            return make_error(Errc::limit_exceeded, "more trex boxes than the track limit", e.offset);
          FRUGAL_TRY(auto body, read_small_box(source, e, limits));
          FRUGAL_TRY(TrackExtends t, parse_trex(body, e));
          movie.extends.push_back(t);
        } else if (e.type == FourCC("mehd")) {
          FRUGAL_TRY(auto body, read_small_box(source, e, limits));
          core::ByteReader m(body);
          const std::uint8_t version = m.u8();
          m.skip(3);
          movie.fragment_duration = version == 1 ? m.u64() : m.u32();
          if (!m.ok()) return make_error(Errc::malformed, "mehd too short", e.offset);
        }
        return core::ok();
      });
    } else if (b.type == FourCC("udta")) {
      // Gapless info is optional: a broken udta does not fail the movie.
      if (auto gapless = parse_udta(source, r, b, limits, movie); !gapless && gapless.error().code == Errc::io)
        return gapless.error();
    } else if (b.type == FourCC("trak")) {
      if (movie.tracks.size() >= limits.max_tracks)
        return make_error(Errc::limit_exceeded, "more tracks than the limit", b.offset);
      ParsedTrack pt;
      if (auto parsed = TrakParser(source, limits).parse(r, b, pt); !parsed) {
        if (parsed.error().code == Errc::io) return parsed.error();
        pt.track.error = parsed.error();
      }
      movie.tracks.push_back(std::move(pt));
    }
    return core::ok();
  }));
  if (!saw_mvhd) return make_error(Errc::malformed, "moov without mvhd", moov.offset);
  return movie;
}

}  // namespace frugal::mp4::detail
