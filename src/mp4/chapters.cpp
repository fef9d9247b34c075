#include "mp4/chapters.hpp"

#include <frugal/core/arith.hpp>
#include <frugal/core/assert.hpp>
#include <frugal/core/byte_reader.hpp>

#include <algorithm>
#include <string_view>

namespace frugal::mp4::detail {

using core::Errc;
using core::make_error;
using core::Result;

namespace {

// Fills a Chapters within the limits, charging before it grows.
class Builder {
 public:
  Builder(const core::Limits& limits, mem::Account account) : limits_(limits) {
    out_.charge = mem::Charge(account, 0);
  }

  // Room for `count` chapters: the list never grows past it.
  Result<void> reserve(std::uint64_t count) {
    if (count > limits_.max_chapters) return make_error(Errc::limit_exceeded, "more chapters than the limit");
    FRUGAL_CHECK(out_.charge.try_resize(static_cast<std::size_t>(count) * sizeof(Chapter)));
    out_.list.reserve(static_cast<std::size_t>(count));
    return core::ok();
  }

  Result<void> add(std::uint64_t start, std::uint64_t end, std::uint32_t timescale, std::string title) {
    FRUGAL_ASSERT(out_.list.size() < out_.list.capacity());
    FRUGAL_CHECK(out_.charge.try_resize(out_.charge.bytes() + title.size()));
    out_.list.push_back(Chapter{start, end, timescale, std::move(title)});
    return core::ok();
  }

  Result<void> check_title(std::size_t bytes) const {
    if (bytes > limits_.max_chapter_title_bytes)
      return make_error(Errc::limit_exceeded, "chapter title longer than the limit");
    return core::ok();
  }

  std::vector<Chapter>& list() noexcept { return out_.list; }
  Chapters take() noexcept { return std::move(out_); }

 private:
  const core::Limits& limits_;
  Chapters out_;
};

std::string_view as_text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Text up to its first NUL, as C strings end.
std::string up_to_nul(std::string_view s) { return std::string(s.substr(0, s.find('\0'))); }

void append_utf8(std::string& out, char32_t c) {
  const auto put = [&](unsigned v) { out.push_back(static_cast<char>(v)); };
  if (c < 0x80) {
    put(c);
  } else if (c < 0x800) {
    put(0xC0 | (c >> 6));
    put(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    put(0xE0 | (c >> 12));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  } else {
    put(0xF0 | (c >> 18));
    put(0x80 | ((c >> 12) & 0x3F));
    put(0x80 | ((c >> 6) & 0x3F));
    put(0x80 | (c & 0x3F));
  }
}

// UTF-16 to UTF-8 up to the first NUL; unpaired surrogates become U+FFFD.
std::string utf16_to_utf8(std::span<const std::byte> text, bool big_endian) {
  const auto unit = [&](std::size_t i) -> char32_t {
    const auto a = std::to_integer<char32_t>(text[i]), b = std::to_integer<char32_t>(text[i + 1]);
    return big_endian ? (a << 8 | b) : (b << 8 | a);
  };
  std::string out;
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    char32_t c = unit(i);
    if (c == 0) break;
    if (c >= 0xD800 && c < 0xE000) {
      const char32_t low = c < 0xDC00 && i + 3 < text.size() ? unit(i + 2) : 0;
      if (low >= 0xDC00 && low < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      } else {
        c = 0xFFFD;
      }
    }
    append_utf8(out, c);
  }
  return out;
}

// Ends the last `count` chapters of `list` as FFmpeg does for chapters
// without one (chpl need not be in time order): at the nearest later start
// of any chapter, else at `end` (kChplTimescale ticks; 0: unknown); never
// before the chapter's own start.
void close_chapters(std::vector<Chapter>& list, std::size_t count, std::uint64_t end) {
  const auto in = [](const Chapter& c, std::uint32_t timescale) {
    return c.timescale == timescale ? c.start : core::mul_div(c.start, timescale, c.timescale);
  };
  for (Chapter& c : std::span(list).last(count)) {
    std::uint64_t next = end != 0 ? core::mul_div(end, c.timescale, kChplTimescale) : ~std::uint64_t{0};
    for (const Chapter& other : list)
      if (in(other, c.timescale) > c.start) next = std::min(next, in(other, c.timescale));
    c.end = next == ~std::uint64_t{0} || next < c.start ? c.start : next;
  }
}

std::uint64_t add_sat(std::uint64_t a, std::uint64_t b) {
  std::uint64_t sum = 0;
  return core::checked_add(a, b, sum) ? sum : ~std::uint64_t{0};
}

// A chapter track's edit list as FFmpeg applies it (mov_fix_index): empty
// edits first delay the media; the first edit with media presents the
// samples that overlap [begin, end) of it, the first starting at or after
// begin placed at the delay and the one before (overlapping begin) just
// before it (a time before 0 becomes 0); later edits are not applied.
class Presented {
 public:
  Presented(const Track& t, std::uint32_t movie_timescale) {
    for (const EditListEntry& e : t.edit_list) {
      const std::uint64_t d = movie_timescale ? core::mul_div(e.segment_duration, t.timescale, movie_timescale) : 0;
      if (e.media_time < 0) {
        delay_ = add_sat(delay_, d);
        continue;
      }
      begin_ = static_cast<std::uint64_t>(e.media_time);
      if (d != 0) {  // 0: to the end of the media, as some writers mean it
        end_ = add_sat(begin_, d);
        duration_ = std::min(d, t.duration > begin_ ? t.duration - begin_ : 0);  // no longer than the media
        has_duration_ = true;
      }
      return;
    }
  }

  // Whether the sample is presented at all.
  bool shows(const SampleRun& run) const {
    const std::uint64_t dts = dts_of(run);
    return dts < end_ && (add_sat(dts, run.duration) > begin_ || run.duration == 0);
  }

  // A presented sample's start (samples in decode order).
  std::uint64_t start_of(const SampleRun& run) {
    const std::uint64_t dts = dts_of(run);
    if (dts < begin_) {
      origin_ = add_sat(dts, run.duration);
      has_origin_ = true;
      return delay_ > run.duration ? delay_ - run.duration : 0;
    }
    if (!has_origin_) {
      origin_ = dts;
      has_origin_ = true;
    }
    return add_sat(delay_, dts - origin_);
  }

  // What the edit presents (track ticks), or `media` without one.
  std::uint64_t duration_or(std::uint64_t media) const { return has_duration_ ? duration_ : media; }

 private:
  static std::uint64_t dts_of(const SampleRun& run) { return static_cast<std::uint64_t>(std::max<std::int64_t>(run.dts, 0)); }

  std::uint64_t begin_ = 0;
  std::uint64_t end_ = ~std::uint64_t{0};
  std::uint64_t delay_ = 0;  // track ticks
  // Plain flags, not std::optional: arm-none-eabi g++ 12 -Os warns (falsely) that an optional may be
  // read uninitialized here.
  std::uint64_t duration_ = 0;
  bool has_duration_ = false;
  std::uint64_t origin_ = 0;  // the decode time presented at the delay
  bool has_origin_ = false;
};

}  // namespace

Result<Chapters> parse_chpl(std::span<const std::byte> body, std::uint64_t end, const core::Limits& limits,
                            mem::Account account) {
  core::ByteReader r(body);
  const std::uint8_t version = r.u8();
  r.skip(3);
  if (version != 0) r.skip(4);  // FFmpeg skips these unnamed bytes; Nero writes version 1 with zeros here
  const std::uint8_t count = r.u8();
  if (!r.ok()) return make_error(Errc::malformed, "chpl too short");
  Builder chapters(limits, account);
  FRUGAL_CHECK(chapters.reserve(count));
  for (std::uint8_t i = 0; i < count && r.remaining() >= 9; ++i) {
    const std::uint64_t start = r.u64();
    const std::uint8_t length = r.u8();
    if (length > r.remaining()) break;
    FRUGAL_CHECK(chapters.check_title(length));
    FRUGAL_CHECK(chapters.add(start, 0, kChplTimescale, up_to_nul(as_text(r.bytes(length)))));
  }
  close_chapters(chapters.list(), chapters.list().size(), end);
  return chapters.take();
}

Result<void> append_chpl_tail(Chapters& listed, Chapters chpl, std::uint64_t end) {
  if (chpl.list.size() <= listed.list.size()) return core::ok();
  const auto tail = std::span(chpl.list).subspan(listed.list.size());
  std::size_t bytes = tail.size() * sizeof(Chapter);
  for (const Chapter& c : tail) bytes += c.title.size();
  FRUGAL_CHECK(listed.charge.try_resize(listed.charge.bytes() + bytes));
  listed.list.reserve(listed.list.size() + tail.size());
  for (Chapter& c : tail) listed.list.push_back(std::move(c));
  close_chapters(listed.list, tail.size(), end);
  return core::ok();
}

std::optional<std::string> text_sample_title(std::span<const std::byte> sample) {
  core::ByteReader r(sample);
  const std::uint16_t length = r.u16();
  if (!r.ok() || length > r.remaining()) return std::nullopt;
  const std::span<const std::byte> text = r.bytes(length);
  const std::uint16_t bom = length >= 2 ? core::load_be16(text.data()) : 0;
  if (bom == 0xFEFF || bom == 0xFFFE) return utf16_to_utf8(text.subspan(2), bom == 0xFEFF);
  return up_to_nul(as_text(text));
}

Result<Chapters> read_chapter_track(core::ByteSource& source, const Track& track, SampleTable& table,
                                    std::uint32_t movie_timescale, std::uint64_t end, const core::Limits& limits,
                                    mem::Account account) {
  Presented edit(track, movie_timescale);
  Builder chapters(limits, account);
  FRUGAL_CHECK(chapters.reserve(table.sample_count()));
  const std::size_t head_bytes = 2 + std::size_t{limits.max_chapter_title_bytes};
  FRUGAL_TRY(mem::Charge head_charge, mem::Charge::try_make(account, head_bytes));
  std::vector<std::byte> head(head_bytes);
  SampleCursor cursor = table.cursor();
  SampleRun run;
  bool last_open = false;  // the last chapter's end is the next sample's start
  while (true) {
    FRUGAL_TRY(bool more, cursor.next(run, 1, 0));
    if (!more) break;
    if (!edit.shows(run)) continue;
    const std::uint64_t start = edit.start_of(run);
    if (last_open) chapters.list().back().end = start;
    last_open = false;
    const auto sample = std::span(head).first(static_cast<std::size_t>(std::min<std::uint64_t>(run.size, head.size())));
    if (auto read = core::read_exact(source, run.offset, sample); !read) {
      if (read.error().code == Errc::end_of_stream)
        return make_error(Errc::malformed, "chapter sample cut off by end of file", run.offset);
      return read.error();
    }
    if (sample.size() < 2) continue;
    const std::uint16_t length = core::load_be16(sample.data());
    if (length > run.size - 2) continue;  // as FFmpeg: a broken sample is no chapter
    FRUGAL_CHECK(chapters.check_title(length));
    // The title is within `sample`: its length was checked against both sizes.
    FRUGAL_CHECK(chapters.add(start, start, track.timescale, *text_sample_title(sample)));
    last_open = true;
  }
  if (last_open) {
    // As FFmpeg: a track ending before its last sample starts does not count.
    Chapter& last = chapters.list().back();
    const std::uint64_t movie_end = core::mul_div(end, track.timescale, kChplTimescale);
    const std::uint64_t duration = edit.duration_or(track.duration);
    last.end = duration >= last.start ? duration : std::max(movie_end, last.start);
  }
  return chapters.take();
}

}  // namespace frugal::mp4::detail
