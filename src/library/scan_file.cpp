#include "library/scan_file.hpp"

#include <frugal/core/byte_reader.hpp>
#include <frugal/core/media.hpp>
#include <frugal/mp4/box.hpp>
#include <frugal/tags/tags.hpp>

#include <cstring>

namespace frugal::library::detail {

using core::Errc;
using core::make_error;

namespace {

bool has_at(std::span<const std::byte> head, std::size_t at, const char* magic) {
  const std::size_t n = std::strlen(magic);
  return head.size() >= at + n && std::memcmp(head.data() + at, magic, n) == 0;
}

// RFC 3533 §6: the first page's segment table (its length at byte 26)
// ends at 27 + length; the first packet starts there.
bool opus_first(std::span<const std::byte> head) {
  if (head.size() < 27) return false;
  const std::size_t segments = std::to_integer<std::size_t>(head[26]);
  return has_at(head, 27 + segments, "OpusHead");
}

// Whether an MP4's moov holds a sound track, told the way the MP4 demuxer
// tells it (src/mp4/movie.cpp, TrakParser) from box headers and each hdlr's
// 12 bytes, so a video (an AVIF, an init segment without audio) is known
// before it is hashed. Unsure when the boxes do not say cleanly (an error,
// over the box budget): the file is then read as audio and the demuxer
// says what is wrong.
enum class Sound : std::uint8_t { no, yes, unsure };
using core::FourCC;

// The children of a trak's `parent` box, walked as the demuxer walks them:
// into edts, mdia, minf and stbl; the last hdlr whose parent is mdia names
// the track's handler (ISO/IEC 14496-12 §8.4.3: after version, flags and
// pre_defined). False: not clean.
bool track_handler(core::ByteSource& source, mp4::BoxReader& reader, FourCC parent, FourCC& handler, int& budget) {
  while (--budget >= 0) {
    auto box = reader.next();
    if (!box) return false;
    if (!*box) return true;
    const FourCC type = (*box)->type;
    if (type == FourCC("hdlr") && parent == FourCC("mdia")) {
      std::byte body[12];
      if ((*box)->body_size() < sizeof body || !core::read_exact(source, (*box)->body_offset(), body)) return false;
      handler = FourCC(core::load_be32(body + 8));
    } else if (type == FourCC("edts") || type == FourCC("mdia") || type == FourCC("minf") || type == FourCC("stbl")) {
      auto children = reader.children(**box);
      if (!children || !track_handler(source, *children, type, handler, budget)) return false;
    }
  }
  return false;
}

// The first moov's traks: yes when one has the 'soun' handler.
Sound find_sound(core::ByteSource& source) {
  const core::Limits limits;
  int budget = 4096;  // boxes looked at, at most
  mp4::BoxReader top(source, limits);
  while (--budget >= 0) {
    auto box = top.next();
    if (!box) return Sound::unsure;
    if (!*box) return Sound::no;  // no moov
    if ((*box)->type != FourCC("moov")) continue;
    auto traks = top.children(**box);
    if (!traks) return Sound::unsure;
    while (--budget >= 0) {
      auto trak = traks->next();
      if (!trak) return Sound::unsure;
      if (!*trak) return Sound::no;
      if ((*trak)->type != FourCC("trak")) continue;
      auto children = traks->children(**trak);
      FourCC handler;
      if (!children || !track_handler(source, *children, FourCC("trak"), handler, budget)) return Sound::unsure;
      if (handler == FourCC("soun")) return Sound::yes;
    }
  }
  return Sound::unsure;
}

// The first four digits of a date tag ("2004", "2004-05-06"), else 0.
std::uint32_t year_of(const std::string& date) {
  if (date.size() < 4) return 0;
  std::uint32_t year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (date[i] < '0' || date[i] > '9') return 0;
    year = year * 10 + std::uint32_t(date[i] - '0');
  }
  return year;
}

// ticks / timescale in milliseconds, without overflow (ticks may be near 2^64).
std::uint64_t to_ms(std::uint64_t ticks, std::uint32_t timescale) {
  if (timescale == 0) return 0;
  return ticks / timescale * 1000 + ticks % timescale * 1000 / timescale;
}

}  // namespace

core::Result<std::optional<player::Container>> sniff_audio(core::ByteSource& source,
                                                           std::span<const std::byte> head) {
  // detect_container tells FLAC (ID3v2 skipped) and Ogg; what it hands to
  // MP4 by default must start with ftyp here, and Ogg must carry Opus.
  FRUGAL_TRY(player::Container container, player::detect_container(source));
  switch (container) {
    case player::Container::flac: return std::optional(container);
    case player::Container::ogg:
      if (opus_first(head)) return std::optional(container);
      break;
    case player::Container::mp4: {
      if (!has_at(head, 4, "ftyp")) break;
      if (find_sound(source) != Sound::no) return std::optional(container);
      break;
    }
  }
  return std::optional<player::Container>();
}

const char* container_name(player::Container container) noexcept {
  switch (container) {
    case player::Container::mp4: return "mp4";
    case player::Container::flac: return "flac";
    case player::Container::ogg: return "ogg";
  }
  return "";
}

core::Result<bool> read_facts(core::ByteSource& source, mem::MemoryTracker* tracker, TrackRecord& record) {
  {
    core::DemuxerOptions demuxer_options;
    demuxer_options.tracker = tracker;
    FRUGAL_TRY(auto demuxer, player::open_demuxer(source, demuxer_options));
    const core::Track* audio = nullptr;
    for (const core::Track& track : demuxer->tracks())
      if (track.audio()) {
        audio = &track;
        break;
      }
    if (!audio) return make_error(Errc::unsupported, "no audio track");
    const core::CodecParameters& codec = *audio->audio();
    record.codec = core::codec_name(codec);
    record.sample_rate = codec.sample_rate;
    record.channels = codec.channels;
    record.duration_ms = to_ms(audio->duration, audio->timescale);
  }
  tags::TagOptions options;
  options.load_pictures = false;
  options.tracker = tracker;
  auto read = tags::read_tags(source, options);
  if (!read) {
    // A big embedded cover (an Ogg comment over max_tag_bytes) or a broken
    // tag must not hide a track that plays: it is listed untagged.
    if (read.error().code == Errc::malformed || read.error().code == Errc::limit_exceeded) return false;
    return read.error();
  }
  tags::Tags& tags = *read;
  record.title = std::move(tags.title);
  record.artist = std::move(tags.artist);
  record.album = std::move(tags.album);
  record.album_artist = std::move(tags.album_artist);
  record.genre = std::move(tags.genre);
  record.year = year_of(tags.date);
  record.track_number = tags.track_number;
  record.disc_number = tags.disc_number;
  const tags::Picture* cover = nullptr;
  for (const tags::Picture& p : tags.pictures)
    if (p.type == 3) {
      cover = &p;
      break;
    }
  if (!cover && !tags.pictures.empty()) cover = &tags.pictures.front();
  record.cover_bytes = cover ? cover->size : 0;
  return true;
}

}  // namespace frugal::library::detail
