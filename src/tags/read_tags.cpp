// read_tags: plan the view (frugal's walkers), charge it, let TagLib read
// it, turn TagLib's answer into a Tags value. TagLib's exceptions (it
// allocates with new) stop here.
#include "tags/plan.hpp"
#include "tags/taglib_stream.hpp"
#include "tags/values.hpp"

#include <frugal/assets/image_info.hpp>

#include <attachedpictureframe.h>
#include <flacfile.h>
#include <flacpicture.h>
#include <id3v2tag.h>
#include <mp4file.h>
#include <mpegfile.h>
#include <oggflacfile.h>
#include <opusfile.h>
#include <tpropertymap.h>
#include <vorbisfile.h>
#include <xiphcomment.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>

namespace frugal::tags {

using core::Errc;
using core::make_error;

const char* tag_format_name(TagFormat format) noexcept {
  switch (format) {
    case TagFormat::mp4: return "mp4";
    case TagFormat::flac: return "flac";
    case TagFormat::ogg_vorbis: return "ogg_vorbis";
    case TagFormat::ogg_opus: return "ogg_opus";
    case TagFormat::ogg_flac: return "ogg_flac";
    case TagFormat::mpeg: return "mpeg";
  }
  return "";
}

namespace {

std::string utf8(const TagLib::String& s) { return s.to8Bit(true); }

// A property's values joined with " ", as TagLib's Tag joins them.
std::string property(const TagLib::PropertyMap& p, const char* key) {
  const auto it = p.find(key);
  return it == p.end() ? std::string() : utf8(it->second.toString(" "));
}

std::uint32_t total(const TagLib::PropertyMap& p, std::uint32_t from_position, const char* key, const char* alias) {
  if (from_position) return from_position;
  const std::string v = property(p, key);
  return detail::parse_position(v.empty() ? property(p, alias) : v).first;
}

void fill_text(const TagLib::Tag& tag, const TagLib::PropertyMap& p, bool xiph, Tags& out) {
  out.title = utf8(tag.title());
  out.artist = utf8(tag.artist());
  out.album = utf8(tag.album());
  out.genre = utf8(tag.genre());
  out.comment = utf8(tag.comment());
  out.album_artist = property(p, "ALBUMARTIST");
  out.date = property(p, "DATE");
  out.composer = property(p, "COMPOSER");
  const auto track = detail::parse_position(property(p, "TRACKNUMBER"));
  out.track_number = track.first;
  out.track_total = total(p, track.second, "TRACKTOTAL", "TOTALTRACKS");
  const auto disc = detail::parse_position(property(p, "DISCNUMBER"));
  out.disc_number = disc.first;
  out.disc_total = total(p, disc.second, "DISCTOTAL", "TOTALDISCS");

  core::ReplayGain& rg = out.replay_gain;
  rg.track_gain_db = detail::parse_decimal(property(p, "REPLAYGAIN_TRACK_GAIN"));
  rg.track_peak = detail::parse_decimal(property(p, "REPLAYGAIN_TRACK_PEAK"));
  rg.album_gain_db = detail::parse_decimal(property(p, "REPLAYGAIN_ALBUM_GAIN"));
  rg.album_peak = detail::parse_decimal(property(p, "REPLAYGAIN_ALBUM_PEAK"));
  if (out.format == TagFormat::ogg_opus) {
    if (!rg.track_gain_db) rg.track_gain_db = detail::r128_to_replaygain_db(property(p, "R128_TRACK_GAIN"));
    if (!rg.album_gain_db) rg.album_gain_db = detail::r128_to_replaygain_db(property(p, "R128_ALBUM_GAIN"));
  }

  MusicBrainz& mb = out.musicbrainz;
  mb.track_id = property(p, "MUSICBRAINZ_TRACKID");
  mb.release_id = property(p, "MUSICBRAINZ_ALBUMID");
  mb.artist_id = property(p, "MUSICBRAINZ_ARTISTID");
  mb.album_artist_id = property(p, "MUSICBRAINZ_ALBUMARTISTID");
  mb.release_group_id = property(p, "MUSICBRAINZ_RELEASEGROUPID");

  if (xiph) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& [key, values] : p)
      if (key.startsWith("CHAPTER") && !values.isEmpty()) fields.emplace_back(utf8(key), utf8(values.front()));
    out.chapters = detail::parse_chapters(fields);
  }
}

// TagLib 1.x leaves MP4's '----:com.apple.iTunes:replaygain_*' items out of
// its property names: they join the properties here, upper-cased, as the
// Vorbis comment names they mirror.
TagLib::PropertyMap with_itunes_replaygain(const TagLib::MP4::Tag& tag, TagLib::PropertyMap p) {
  const TagLib::String prefix = "----:com.apple.iTunes:";
  for (const auto& [key, item] : tag.itemMap()) {
    if (!key.startsWith(prefix)) continue;
    const TagLib::String name = key.substr(prefix.size()).upper();
    if (name.startsWith("REPLAYGAIN_") && !p.contains(name)) p.insert(name, item.toStringList());
  }
  return p;
}

// Turns pictures TagLib loaded into Picture values, charging their bytes
// before copying them; pictures past the caps (Ogg, ID3v2: TagLib read
// them inside the tag area) are reported, not kept.
class PictureSink {
 public:
  PictureSink(Tags& out, const TagOptions& options) : out_(out), options_(options) {}

  core::Result<void> add(std::string mime, std::uint32_t type, std::string description, const TagLib::ByteVector& data,
                         std::uint32_t stated_width = 0, std::uint32_t stated_height = 0) {
    Picture p;
    p.mime_type = std::move(mime);
    p.type = type;
    p.description = std::move(description);
    p.size = data.size();
    const auto bytes = std::as_bytes(std::span(data.data(), data.size()));
    const auto info = assets::read_image_info(bytes);
    const bool sized = info && info->has_size();
    p.width = sized ? info->width : stated_width;
    p.height = sized ? info->height : stated_height;
    if (p.mime_type.empty()) p.mime_type = assets::image_mime_type(assets::sniff_image_format(bytes));
    p.not_loaded = detail::leave_out_reason(kept_, p.size, options_);
    if (!p.not_loaded) {
      FRUGAL_CHECK(out_.memory.try_resize(out_.memory.bytes() + bytes.size()));
      p.data.assign(bytes.begin(), bytes.end());
      ++kept_;
    }
    out_.pictures.push_back(std::move(p));
    return core::ok();
  }

 private:
  Tags& out_;
  const TagOptions& options_;
  std::size_t kept_ = 0;
};

const char* mp4_mime(TagLib::MP4::CoverArt::Format f) {
  switch (f) {
    case TagLib::MP4::CoverArt::JPEG: return "image/jpeg";
    case TagLib::MP4::CoverArt::PNG: return "image/png";
    case TagLib::MP4::CoverArt::BMP: return "image/bmp";
    case TagLib::MP4::CoverArt::GIF: return "image/gif";
    default: return "";
  }
}

core::Result<void> add_flac_pictures(const TagLib::List<TagLib::FLAC::Picture*>& list, PictureSink& sink) {
  for (const TagLib::FLAC::Picture* pic : list)
    FRUGAL_CHECK(sink.add(utf8(pic->mimeType()), static_cast<std::uint32_t>(pic->type()), utf8(pic->description()),
                          pic->data(), static_cast<std::uint32_t>(pic->width()),
                          static_cast<std::uint32_t>(pic->height())));
  return core::ok();
}

// The TagLib file class for the format, its tag and properties, its pictures.
core::Result<void> read_file(TagLib::IOStream& stream, Tags& out, PictureSink& sink) {
  namespace T = TagLib;
  // Fills the text fields from a file TagLib found valid.
  const auto done = [&](T::File& f, const T::Tag* tag, bool xiph,
                        T::PropertyMap (*properties)(T::File&)) -> core::Result<void> {
    if (!f.isValid() || !tag) return make_error(Errc::malformed, "TagLib: the tag area is not valid");
    fill_text(*tag, properties(f), xiph, out);
    return core::ok();
  };
  const auto plain = [](T::File& f) { return f.properties(); };
  switch (out.format) {
    case TagFormat::mp4: {
      T::MP4::File f(&stream, false);
      FRUGAL_CHECK(done(f, f.tag(), false, [](T::File& file) {
        auto& mp4 = static_cast<T::MP4::File&>(file);
        return with_itunes_replaygain(*mp4.tag(), mp4.properties());
      }));
      if (f.tag()->contains("covr"))
        for (const T::MP4::CoverArt& art : f.tag()->item("covr").toCoverArtList())
          FRUGAL_CHECK(sink.add(mp4_mime(art.format()), 3, {}, art.data()));
      return core::ok();
    }
    case TagFormat::flac: {
      T::FLAC::File f(&stream, T::ID3v2::FrameFactory::instance(), false);
      FRUGAL_CHECK(done(f, f.tag(), f.hasXiphComment(), plain));
      return add_flac_pictures(f.pictureList(), sink);
    }
    case TagFormat::ogg_vorbis: {
      T::Ogg::Vorbis::File f(&stream, false);
      FRUGAL_CHECK(done(f, f.tag(), true, plain));
      return add_flac_pictures(f.tag()->pictureList(), sink);
    }
    case TagFormat::ogg_opus: {
      T::Ogg::Opus::File f(&stream, false);
      FRUGAL_CHECK(done(f, f.tag(), true, plain));
      return add_flac_pictures(f.tag()->pictureList(), sink);
    }
    case TagFormat::ogg_flac: {
      T::Ogg::FLAC::File f(&stream, false);
      FRUGAL_CHECK(done(f, f.tag(), true, plain));
      return add_flac_pictures(f.tag()->pictureList(), sink);
    }
    case TagFormat::mpeg: {
      T::MPEG::File f(&stream, T::ID3v2::FrameFactory::instance(), false);
      FRUGAL_CHECK(done(f, f.tag(), false, plain));
      if (!f.hasID3v2Tag()) return core::ok();
      for (const T::ID3v2::Frame* frame : f.ID3v2Tag()->frameList("APIC"))
        if (const auto* apic = dynamic_cast<const T::ID3v2::AttachedPictureFrame*>(frame))
          FRUGAL_CHECK(sink.add(utf8(apic->mimeType()), static_cast<std::uint32_t>(apic->type()),
                                utf8(apic->description()), apic->picture()));
      return core::ok();
    }
  }
  return make_error(Errc::unsupported, "tags: unknown format");
}

core::Result<void> run_taglib(core::ByteSource& view, Tags& out, PictureSink& sink) {
  FRUGAL_TRY(std::unique_ptr<detail::SourceStream> stream, detail::SourceStream::create(view));
  core::Result<void> result = core::ok();
  try {
    result = read_file(*stream, out, sink);
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "TagLib: an allocation failed");
  } catch (...) {
    return make_error(Errc::malformed, "TagLib: failed on the tag area");
  }
  if (stream->error()) return *stream->error();  // a read error TagLib took for the end
  return result;
}

}  // namespace

core::Result<Tags> read_tags(core::ByteSource& source, const TagOptions& options) {
  const auto size = source.size();
  if (!size || !source.seekable())
    return make_error(Errc::unsupported, "tags: the source must be seekable with a known size");
  FRUGAL_TRY(detail::Plan plan, detail::plan_read(source, *size, options));
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account("tags/taglib"));
  Tags out;
  out.format = plan.format;
  out.memory = mem::Charge(account, 0);
  if (!plan.view.empty()) {
    const std::uint64_t cost = detail::taglib_cost(plan);
    // Narrowing would wrap on 32-bit targets: such a read cannot fit anyway.
    if (cost > SIZE_MAX) return make_error(Errc::out_of_memory, "tags: TagLib would need more than the address space");
    FRUGAL_TRY(mem::Charge reading, mem::Charge::try_make(account, static_cast<std::size_t>(cost)));
    detail::SpliceSource view(source, plan.view);
    PictureSink sink(out, options);
    FRUGAL_CHECK(run_taglib(view, out, sink));
  }
  for (Picture& p : plan.left_out) out.pictures.push_back(std::move(p));
  return out;
}

}  // namespace frugal::tags
