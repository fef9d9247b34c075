#pragma once
// Internal: what the scanner learns of one file — whether it is audio it
// catalogues (by content) and, on a CPU worker, its facts and tags.

#include <frugal/core/byte_source.hpp>
#include <frugal/library/record.hpp>
#include <frugal/mem/memory_tracker.hpp>
#include <frugal/player/container.hpp>

#include <optional>
#include <span>

namespace frugal::library::detail {

/// The container of an audio file the library catalogues, or nullopt for
/// other content: MP4 with an ftyp box first (ISO/IEC 14496-12 §4.3) and a
/// 'soun' track in its moov (a video without sound, an AVIF is not audio;
/// box headers only are read, so it is known before the file is hashed), FLAC
/// ("fLaC", after an ID3v2 tag too; RFC 9639 §6), Ogg whose first page's
/// first packet is OpusHead (RFC 7845 §3). `head`: the file's first bytes
/// (at least 4 KiB of them when the file has them). Errors: the source's.
core::Result<std::optional<player::Container>> sniff_audio(core::ByteSource& source,
                                                           std::span<const std::byte> head);

/// "mp4", "flac", "ogg".
const char* container_name(player::Container container) noexcept;

/// Fills `record`'s facts (from the first audio track of the demuxer
/// player::open_demuxer picks) and tags (tags::read_tags, pictures not
/// loaded); the demuxer's and the tags' memory is charged to `tracker`
/// (nullptr: mem::default_tracker()). Returns whether the tags were read: false
/// when the tag area is broken or over TagOptions::max_tag_bytes
/// (Errc::malformed, Errc::limit_exceeded), which leaves a playable track
/// without tags. Errors: the demuxer's; Errc::unsupported for a file
/// without an audio track; the tags reader's others (out_of_memory, io).
core::Result<bool> read_facts(core::ByteSource& source, mem::MemoryTracker* tracker, TrackRecord& record);

}  // namespace frugal::library::detail
