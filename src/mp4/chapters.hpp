#pragma once
// MP4 chapters from the two places files keep them:
// - Nero's 'chpl' box in moov/udta (no published spec; read as FFmpeg's
//   mov_read_chpl reads it);
// - a QuickTime chapter list (QuickTime File Format, "Chapter lists"): a
//   text track that another track names in its tref/'chap' box, one chapter
//   per sample.
// Chapters are optional: whatever is wrong with them leaves them empty (the
// error says why) and never fails the open.

#include "mp4/sample_table.hpp"
#include "mp4/vocabulary.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/core/limits.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace frugal::mp4::detail {

/// chpl times are in 100 ns units.
inline constexpr std::uint32_t kChplTimescale = 10'000'000;

/// A file's chapters and the memory they are charged for.
struct Chapters {
  std::vector<Chapter> list;
  mem::Charge charge;
};

/// Parses a chpl body (after the box header): version (u8), flags (u24),
/// 4 reserved bytes when the version is not 0, a u8 count, then per chapter
/// a u64 start (100 ns units), a u8 title length and the title (UTF-8; cut at
/// a NUL). Entries cut off by the end of the box are dropped with those after
/// them, as FFmpeg does. A chapter ends where the nearest later one starts;
/// the last at `end` (kChplTimescale ticks; 0: unknown, the chapter is then
/// empty). Errors: Errc::malformed (no count), Errc::limit_exceeded
/// (Limits::max_chapters), Errc::out_of_memory (the account's hard limit).
core::Result<Chapters> parse_chpl(std::span<const std::byte> body, std::uint64_t end, const core::Limits& limits,
                                  mem::Account account);

/// The title in a QuickTime text sample: a u16 byte length, then the text:
/// UTF-16 after a byte-order mark (FE FF big-endian, FF FE little-endian),
/// converted to UTF-8, else UTF-8 as is; cut at a NUL. What follows the text
/// (style and encoding atoms) is ignored. nullopt when the length runs past
/// the sample.
std::optional<std::string> text_sample_title(std::span<const std::byte> sample);

/// Reads a QuickTime chapter track: each sample is a chapter starting at
/// its decode time (track timescale) and ending where the next sample
/// starts; the last ends at the track's duration, or when that is earlier
/// than its start at `end` (the movie's, kChplTimescale ticks), or at its
/// start. The edit list applies as FFmpeg applies it (leading empty edits
/// delay the chapters, by `movie_timescale` ticks; the first edit with media
/// picks the samples it overlaps, shifts them to its start and gives the
/// duration; times before 0 become 0; later edits are not applied). Samples whose title length runs past the sample are passed
/// over, as FFmpeg does. Reads each sample's first 2 + max_chapter_title_bytes
/// bytes at most, through `source`. Errors: Errc::limit_exceeded
/// (Limits::max_chapters, Limits::max_chapter_title_bytes),
/// Errc::out_of_memory, the table's errors (Errc::malformed, Errc::io).
core::Result<Chapters> read_chapter_track(core::ByteSource& source, const Track& track, SampleTable& table,
                                          std::uint32_t movie_timescale, std::uint64_t end,
                                          const core::Limits& limits, mem::Account account);

/// FFmpeg's merge when a file has both: chpl's entries past the chapter
/// track's count follow the track's chapters, each ending at the nearest
/// later start of any chapter, else at `end` (the movie's, kChplTimescale
/// ticks). Errors: Errc::out_of_memory (`listed` unchanged).
core::Result<void> append_chpl_tail(Chapters& listed, Chapters chpl, std::uint64_t end);

}  // namespace frugal::mp4::detail
