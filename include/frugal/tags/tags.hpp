#pragma once
// Tags, cover art and chapters of an audio file, read through TagLib over any
// core::ByteSource, within stated bounds.
//
// How a read stays bounded: before TagLib sees a byte, frugal's own walkers
// find the tag area and measure it — MP4: moov/udta/meta/ilst items
// (ISO/IEC 14496-12 §4.2 boxes, iTunes metadata items); FLAC: the metadata
// block headers (RFC 9639 §8, ID3v2 before "fLaC" and ID3v1 after the
// audio included); Ogg: the comment header packet's size from the page
// lacing values (RFC 3533 §6; Vorbis I §5, RFC 7845 §5.2, the Ogg FLAC
// mapping); MP3 and other MPEG audio: the ID3v2 header's size (ID3v2.4
// §3.1) and a trailing ID3v1 tag. TagLib then reads a *view*: the tag area
// alone, spliced out of the source (MP4: a moov holding only udta/meta/ilst;
// FLAC: "fLaC", STREAMINFO, VORBIS_COMMENT and PICTURE blocks), without the
// pictures over the cap, so it never reads, let alone allocates, what the
// caps exclude. What TagLib will allocate for the view is charged before it
// runs (see TagOptions::tracker).
//
// Thread-safety: read_tags may run on several threads at once (each call
// has its own TagLib objects); one source must allow concurrent read_at.

#include <frugal/core/byte_source.hpp>
#include <frugal/core/demuxer.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace frugal::tags {

/// The container the tags came from, picked from the first bytes.
enum class TagFormat : std::uint8_t { mp4, flac, ogg_vorbis, ogg_opus, ogg_flac, mpeg };

/// "mp4", "flac", "ogg_vorbis", "ogg_opus", "ogg_flac", "mpeg".
const char* tag_format_name(TagFormat format) noexcept;

/// One picture (cover art).
struct Picture {
  /// "image/jpeg"...: as stored (FLAC, ID3v2 APIC, Vorbis
  /// METADATA_BLOCK_PICTURE); MP4 covr's data type (13 JPEG, 14 PNG, 27 BMP,
  /// 12 GIF), else what the image's signature says; "" when unknown.
  std::string mime_type;
  /// ID3v2 APIC / FLAC picture type (ID3v2.4 §4.14; RFC 9639 §8.8): 0
  /// other, 3 front cover, 4 back cover... MP4 covr has none: 3.
  std::uint32_t type = 3;
  std::string description;  ///< UTF-8; empty for MP4
  /// The image's bytes in the file (pictures not loaded included).
  std::uint64_t size = 0;
  /// Pixels, from a header-only read of the image (assets::read_image_info)
  /// — of the bytes loaded, or of the file for one not loaded — else what
  /// the FLAC PICTURE block states; 0 when unknown.
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  /// The image, when loaded; empty otherwise.
  std::vector<std::byte> data;
  /// nullptr when loaded, else why not (a static string: "over
  /// max_picture_bytes", "pictures not requested", "more than max_pictures",
  /// "shares a covr item with a picture not loaded", "shares a covr item
  /// with other boxes over the caps").
  const char* not_loaded = nullptr;
  /// For a picture not loaded from MP4 covr or a FLAC PICTURE block: the
  /// image's byte offset in the source, so a caller can read it itself;
  /// else nullopt.
  std::optional<std::uint64_t> offset;

  bool loaded() const noexcept { return not_loaded == nullptr; }
};


/// MusicBrainz identifiers (UUID text as stored; empty when absent):
/// MUSICBRAINZ_TRACKID (recording), _ALBUMID (release), _ARTISTID,
/// _ALBUMARTISTID, _RELEASEGROUPID, and their MP4 freeform and ID3v2
/// TXXX/UFID spellings (mapped by TagLib's property names).
struct MusicBrainz {
  std::string track_id;
  std::string release_id;
  std::string artist_id;
  std::string album_artist_id;
  std::string release_group_id;
};

/// What read_tags found. Strings are UTF-8, empty when absent; several
/// values of one field are joined with " " as TagLib's Tag does. Move-only:
/// it holds the charge for its picture bytes (released when destroyed).
struct Tags {
  TagFormat format = TagFormat::mp4;
  std::string title, artist, album, album_artist, date, genre, composer, comment;
  /// 0 when absent. MP4 trkn/disk; TRACKNUMBER "n/m" or TRACKTOTAL
  /// (TOTALTRACKS), DISCNUMBER and DISCTOTAL (TOTALDISCS); ID3v2 TRCK/TPOS.
  std::uint32_t track_number = 0, track_total = 0, disc_number = 0, disc_total = 0;
  /// Sources, first found wins: REPLAYGAIN_TRACK_GAIN/_PEAK,
  /// REPLAYGAIN_ALBUM_GAIN/_PEAK (Vorbis comments, ID3v2 TXXX, MP4
  /// '----:com.apple.iTunes:replaygain_track_gain'...); for Ogg Opus without
  /// them, R128_TRACK_GAIN/R128_ALBUM_GAIN (RFC 7845 §5.2.1: a Q7.8 integer,
  /// dB relative to −23 LUFS, applied after the header's output gain) plus
  /// 5 dB, as opusfile converts them (op_set_gain_offset: OP_TRACK_GAIN and
  /// OP_ALBUM_GAIN both refer to the −23 LUFS target; 89 dB SPL ReplayGain ≈
  /// −18 LUFS) — no peak then.
  core::ReplayGain replay_gain;
  MusicBrainz musicbrainz;
  /// From Vorbis comments CHAPTERxx=HH:MM:SS.sss and CHAPTERxxNAME (the
  /// Vorbis chapter extension), in number order; timescale 1000. The tags
  /// do not know the duration: the last chapter's end is its start (the
  /// player sets it from the stream).
  std::vector<core::Chapter> chapters;
  /// The pictures loaded, in file order, then those not loaded (file order).
  std::vector<Picture> pictures;
  /// Bytes of `pictures` held, on the tracker account "tags/taglib".
  mem::Charge memory;
};

struct TagOptions {
  /// Largest tag area TagLib may read, in bytes: MP4 ilst items other than
  /// the pictures left out; FLAC VORBIS_COMMENT and ID3 tags; the Ogg
  /// stream up to the end of its comment packet (pictures in Vorbis
  /// comments included); MPEG ID3v2 + ID3v1. Over it: Errc::limit_exceeded.
  std::size_t max_tag_bytes = 1u << 20;
  /// Largest picture loaded, in bytes. Larger ones are reported (size, type,
  /// why) but not loaded: TagLib never reads MP4 covr items or FLAC PICTURE
  /// blocks holding one. Ogg and ID3v2 pictures sit inside the tag area
  /// (bounded by max_tag_bytes): TagLib reads those, frugal drops them.
  std::size_t max_picture_bytes = 4u << 20;
  /// Pictures loaded at most; later ones are reported, not loaded.
  std::size_t max_pictures = 8;
  /// false: no picture is loaded (all reported as "pictures not requested").
  bool load_pictures = true;
  /// Charged on account "tags/taglib" with try_charge (past the budget:
  /// Errc::out_of_memory, nothing charged): while TagLib reads, what it
  /// will allocate at most — the view's size, plus 16 bytes per byte of
  /// text and 384 per item (TagLib 1.13 keeps text as UTF-32 strings in
  /// two maps, and each item as objects: measured with the malloc counter
  /// at 13 bytes per byte of text and ~300 per item); then the loaded
  /// pictures' bytes, for the life of the Tags. nullptr:
  /// mem::default_tracker().
  mem::MemoryTracker* tracker = nullptr;
};

/// Reads the tags of the file in `source`.
/// Errors: Errc::unsupported (not MP4, FLAC, Ogg Vorbis/Opus/FLAC or MPEG
/// audio; a source without a size or not seekable; a view larger than
/// TagLib's offsets reach); Errc::limit_exceeded (tag area over
/// max_tag_bytes); Errc::out_of_memory (the tracker's budget, or TagLib's
/// allocation failing); Errc::malformed (the tag area's structure is broken:
/// sizes past their parent, FLAC without STREAMINFO first, an Ogg page
/// without capture pattern); Errc::io (the source's).
core::Result<Tags> read_tags(core::ByteSource& source, const TagOptions& options = {});

}  // namespace frugal::tags
