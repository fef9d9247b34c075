#include "mp4/sample_table.hpp"

#include <frugal/core/arith.hpp>
#include <frugal/core/byte_reader.hpp>

#include <algorithm>
#include <array>

namespace frugal::mp4::detail {

using core::Errc;
using core::make_error;
using core::Result;

namespace {

// Reads `n` fixed-size header bytes of a table box body (after the box header).
template <std::size_t N>
Result<std::array<std::byte, N>> read_table_header(core::ByteSource& source, const BoxHeader& box) {
  std::array<std::byte, N> raw{};
  if (box.body_size() < N) return make_error(Errc::malformed, "sample table box too short", box.offset);
  FRUGAL_CHECK(core::read_exact(source, box.body_offset(), raw));
  return raw;
}

// Streams `count` entries of `entry_bytes` each, starting `skip` bytes into
// the body of `box`, through a fixed buffer, calling `f(ByteReader&)` once per
// entry. The caller has checked that they fit in the box.
template <typename F>
Result<void> for_each_entry(core::ByteSource& source, const BoxHeader& box, std::uint64_t skip,
                            std::uint64_t count, std::uint32_t entry_bytes, F&& f) {
  std::array<std::byte, 4096> buf;
  const std::uint64_t per_read = buf.size() / entry_bytes;
  std::uint64_t pos = box.body_offset() + skip;
  while (count > 0) {
    const std::uint64_t n = std::min(count, per_read);
    auto chunk = std::span(buf).first(static_cast<std::size_t>(n * entry_bytes));
    auto r = core::read_exact(source, pos, chunk);
    if (!r) {
      if (r.error().code == Errc::end_of_stream)
        return make_error(Errc::malformed, "sample table cut off by end of file", box.offset);
      return r.error();
    }
    core::ByteReader reader(chunk);
    for (std::uint64_t i = 0; i < n; ++i) f(reader);
    pos += chunk.size();
    count -= n;
  }
  return core::ok();
}

// Memory for tables: bounded by Limits::max_table_bytes, and charged to the
// tracker (fallibly) before anything is allocated.
class TableMemory {
 public:
  TableMemory(std::uint64_t limit, mem::Charge& charge) noexcept : left_(limit), charge_(charge) {}

  Result<void> reserve(std::uint64_t count, std::uint32_t element_bytes, const BoxHeader& box) {
    if (count > left_ / element_bytes)
      return make_error(Errc::limit_exceeded, "sample tables larger than the table memory limit", box.offset);
    const std::uint64_t bytes = count * element_bytes;  // <= the limit: fits size_t
    if (!charge_.try_resize(charge_.bytes() + static_cast<std::size_t>(bytes)))
      return make_error(Errc::out_of_memory, "sample tables exceed the memory budget", box.offset);
    left_ -= bytes;
    return core::ok();
  }

 private:
  std::uint64_t left_;
  mem::Charge& charge_;
};

// Checks that `count` entries of `entry_bytes` fit in the box after `skip`
// bytes, then reserves memory for `count` elements of `element_bytes`.
Result<void> check_table(const BoxHeader& box, std::uint64_t skip, std::uint64_t count,
                         std::uint32_t entry_bytes, std::uint32_t element_bytes, TableMemory& memory) {
  if (count > (box.body_size() - skip) / entry_bytes)
    return make_error(Errc::malformed, "sample table entry count exceeds its box", box.offset);
  return memory.reserve(count, element_bytes, box);
}

// Reads a table box laid out as version/flags, a 32-bit entry count and
// `entry_bytes`-byte entries, appending `parse(reader)` per entry to `out`.
template <typename T, typename Parse>
Result<void> load_table(core::ByteSource& source, const BoxHeader& box, std::uint32_t entry_bytes,
                        TableMemory& memory, std::vector<T>& out, Parse&& parse) {
  FRUGAL_TRY(auto h, read_table_header<8>(source, box));
  const std::uint32_t count = core::load_be32(&h[4]);
  FRUGAL_CHECK(check_table(box, 8, count, entry_bytes, sizeof(T), memory));
  out.reserve(count);
  return for_each_entry(source, box, 8, count, entry_bytes, [&](core::ByteReader& r) { out.push_back(parse(r)); });
}

}  // namespace

Result<SampleTable> SampleTable::load(core::ByteSource& source, const TableBoxes& boxes,
                                      const core::Limits& limits, mem::Account account) {
  SampleTable t;
  t.charge_ = mem::Charge(account, 0);
  TableMemory memory(limits.max_table_bytes, t.charge_);

  // Chunk offsets: stco (32-bit) or co64.
  if (boxes.chunk_offsets) {
    const bool wide = boxes.chunk_offsets->type == core::FourCC("co64");
    FRUGAL_CHECK(load_table(source, *boxes.chunk_offsets, wide ? 8 : 4, memory, t.chunk_offsets_,
                            [&](core::ByteReader& r) { return wide ? r.u64() : std::uint64_t{r.u32()}; }));
  }
  const std::uint64_t chunks = t.chunk_offsets_.size();

  // Sample sizes: stsz (constant or 32-bit entries) or stz2 (4/8/16-bit).
  std::uint64_t size_count = 0;
  if (boxes.sizes && boxes.sizes->type == core::FourCC("stsz")) {
    const BoxHeader& box = *boxes.sizes;
    FRUGAL_TRY(auto h, read_table_header<12>(source, box));
    t.constant_size_ = core::load_be32(&h[4]);
    size_count = core::load_be32(&h[8]);
    if (t.constant_size_ == 0) {
      FRUGAL_CHECK(check_table(box, 12, size_count, 4, 4, memory));
      t.sizes_.reserve(static_cast<std::size_t>(size_count));
      FRUGAL_CHECK(for_each_entry(source, box, 12, size_count, 4,
                                  [&](core::ByteReader& r) { t.sizes_.push_back(r.u32()); }));
    }
  } else if (boxes.sizes) {  // stz2 (§8.7.3.3): 4-bit entries pack two to a byte
    const BoxHeader& box = *boxes.sizes;
    FRUGAL_TRY(auto h, read_table_header<12>(source, box));
    const unsigned field = std::to_integer<unsigned>(h[7]);
    size_count = core::load_be32(&h[8]);
    if (field != 4 && field != 8 && field != 16)
      return make_error(Errc::malformed, "stz2: field size is not 4, 8 or 16", box.offset);
    const std::uint64_t entries = field == 4 ? (size_count + 1) / 2 : size_count;
    const std::uint32_t entry_bytes = field == 16 ? 2 : 1;
    FRUGAL_CHECK(check_table(box, 12, entries, entry_bytes, field == 4 ? 8 : 4, memory));
    t.sizes_.reserve(static_cast<std::size_t>(size_count));
    FRUGAL_CHECK(for_each_entry(source, box, 12, entries, entry_bytes, [&](core::ByteReader& r) {
      if (field == 16) {
        t.sizes_.push_back(r.u16());
      } else if (field == 8) {
        t.sizes_.push_back(r.u8());
      } else {
        const std::uint8_t b = r.u8();
        t.sizes_.push_back(b >> 4);
        if (t.sizes_.size() < size_count) t.sizes_.push_back(b & 0xF);
      }
    }));
  }

  // Sample-to-chunk runs: first_chunk strictly ascending and within stco.
  if (boxes.sample_to_chunk) {
    const BoxHeader& box = *boxes.sample_to_chunk;
    FRUGAL_CHECK(load_table(source, box, 12, memory, t.chunk_runs_,
                            [](core::ByteReader& r) { return ChunkRun{r.u32(), r.u32(), r.u32()}; }));
    // Writers exist that repeat an entry with the same first_chunk (one file
    // has 1948 copies of {1, 1, 1}); a repeat that says the same thing adds
    // nothing and is dropped, one that contradicts it is an error.
    std::size_t kept = 0;
    for (ChunkRun run : t.chunk_runs_) {
      if (kept == 0 && run.first_chunk == 0) run.first_chunk = 1;  // 0-based writers
      if (kept > 0 && run.first_chunk <= t.chunk_runs_[kept - 1].first_chunk) {
        const ChunkRun& last = t.chunk_runs_[kept - 1];
        if (run.first_chunk == last.first_chunk && run.samples_per_chunk == last.samples_per_chunk &&
            run.description_index == last.description_index)
          continue;
        return make_error(Errc::malformed, "stsc: first_chunk not ascending", box.offset);
      }
      if (run.first_chunk > chunks) return make_error(Errc::malformed, "stsc: names a chunk beyond stco", box.offset);
      t.chunk_runs_[kept++] = run;
    }
    t.chunk_runs_.resize(kept);
  }

  // Time-to-sample and composition offset runs; runs of no samples dropped.
  // (Version 1 ctts offsets are signed; version 0 writers put negative values
  // there too, so both are read as signed.)
  if (boxes.time_to_sample)
    FRUGAL_CHECK(load_table(source, *boxes.time_to_sample, 8, memory, t.time_runs_,
                            [](core::ByteReader& r) { return TimeRun{r.u32(), r.u32()}; }));
  if (boxes.composition_offsets)
    FRUGAL_CHECK(load_table(source, *boxes.composition_offsets, 8, memory, t.offset_runs_,
                            [](core::ByteReader& r) { return OffsetRun{r.u32(), r.i32()}; }));
  std::erase_if(t.time_runs_, [](const TimeRun& run) { return run.count == 0; });
  std::erase_if(t.offset_runs_, [](const OffsetRun& run) { return run.count == 0; });
  std::uint64_t timed_samples = 0;
  for (const TimeRun& run : t.time_runs_) timed_samples += run.count;

  // Sync samples: an empty or absent stss means every sample is a sync sample
  // (empty stss occurs on audio, where FFmpeg reads it the same way).
  if (boxes.sync_samples) {
    FRUGAL_CHECK(load_table(source, *boxes.sync_samples, 4, memory, t.sync_samples_,
                            [](core::ByteReader& r) { return r.u32(); }));
    if (!std::is_sorted(t.sync_samples_.begin(), t.sync_samples_.end()))
      return make_error(Errc::malformed, "stss: sample numbers not ascending", boxes.sync_samples->offset);
  }

  // Samples the chunks hold (counted only as far as stsz goes, so the sum
  // cannot overflow).
  std::uint64_t chunked = 0;
  for (std::size_t i = 0; i < t.chunk_runs_.size() && chunked < size_count; ++i) {
    const std::uint64_t end = i + 1 < t.chunk_runs_.size() ? t.chunk_runs_[i + 1].first_chunk - 1 : chunks;
    const std::uint64_t first = i == 0 ? 0 : t.chunk_runs_[i].first_chunk - 1;
    chunked += (end - first) * t.chunk_runs_[i].samples_per_chunk;
  }
  t.sample_count_ = std::min(size_count, chunked);
  if (size_count > 0 && chunks > 0 && (t.chunk_runs_.empty() || timed_samples == 0))
    return make_error(Errc::malformed, "sample tables missing stts or stsc");
  FRUGAL_CHECK(t.check_duration(boxes));
  return t;
}

// Decode times are int64 and pts adds a 32-bit composition offset: the
// whole track (samples past stts repeat its last delta) must stay well
// inside that range, or a hostile stts would overflow them.
Result<void> SampleTable::check_duration(const TableBoxes& boxes) const {
  constexpr std::uint64_t kMax = std::uint64_t{1} << 62;
  std::uint64_t total = 0, counted = 0, ticks = 0;
  for (const TimeRun& run : time_runs_) {
    if (counted >= sample_count_) break;
    const std::uint64_t n = std::min<std::uint64_t>(run.count, sample_count_ - counted);
    counted += n;
    if (!core::checked_mul(n, run.delta, ticks) || !core::checked_add(total, ticks, total) || total > kMax)
      return make_error(Errc::malformed, "stts: track duration out of range", boxes.time_to_sample->offset);
  }
  if (counted < sample_count_ && !time_runs_.empty()) {
    if (!core::checked_mul(sample_count_ - counted, time_runs_.back().delta, ticks) ||
        !core::checked_add(total, ticks, total) || total > kMax)
      return make_error(Errc::malformed, "stts: track duration out of range", boxes.time_to_sample->offset);
  }
  return core::ok();
}

std::uint64_t SampleTable::run_count(std::uint32_t max_run) const noexcept {
  if (max_run == 0) return 0;
  std::uint64_t left = sample_count_;
  std::uint64_t runs = 0;
  const std::uint64_t chunks = chunk_offsets_.size();
  for (std::size_t i = 0; i < chunk_runs_.size() && left > 0; ++i) {
    const std::uint64_t spc = chunk_runs_[i].samples_per_chunk;
    if (spc == 0) continue;
    const std::uint64_t first = i == 0 ? 0 : chunk_runs_[i].first_chunk - 1;
    const std::uint64_t end = i + 1 < chunk_runs_.size() ? chunk_runs_[i + 1].first_chunk - 1 : chunks;
    const std::uint64_t full = std::min(end - first, left / spc);
    runs += full * ((spc + max_run - 1) / max_run);
    left -= full * spc;
    if (full < end - first && left > 0) {  // the last, partly used chunk
      runs += (left + max_run - 1) / max_run;
      left = 0;
    }
  }
  return runs;
}

std::uint64_t SampleTable::memory_bytes() const noexcept { return charge_.bytes(); }

bool SampleTable::Cursor::enter_next_chunk() noexcept {
  const auto& runs = table_->chunk_runs_;
  while (chunk_left_ == 0) {
    if (chunk_ >= table_->chunk_offsets_.size()) return false;
    ++chunk_;
    while (stsc_ + 1 < runs.size() && runs[stsc_ + 1].first_chunk <= chunk_) ++stsc_;
    chunk_left_ = runs[stsc_].samples_per_chunk;
    chunk_pos_ = table_->chunk_offsets_[static_cast<std::size_t>(chunk_ - 1)];
  }
  return true;
}

// Sum of the next `n` samples' durations; past the end of stts the last
// delta repeats (as FFmpeg reads short tables).
std::uint64_t SampleTable::Cursor::take_durations(std::uint32_t n) noexcept {
  const auto& runs = table_->time_runs_;
  std::uint64_t total = 0;
  while (n > 0) {
    if (stts_ >= runs.size()) {
      total += std::uint64_t{runs.back().delta} * n;
      break;
    }
    const std::uint32_t take = std::min(n, runs[stts_].count - stts_used_);
    total += std::uint64_t{runs[stts_].delta} * take;
    n -= take;
    stts_used_ += take;
    if (stts_used_ == runs[stts_].count) {
      ++stts_;
      stts_used_ = 0;
    }
  }
  return total;
}

bool SampleTable::Cursor::next(SampleRun& out, std::uint32_t max_run, std::uint32_t frame_bytes) noexcept {
  const SampleTable& t = *table_;
  if (sample_ >= t.sample_count_ || max_run == 0 || !enter_next_chunk()) return false;
  const auto n = static_cast<std::uint32_t>(
      std::min<std::uint64_t>({max_run, chunk_left_, t.sample_count_ - sample_}));

  out.first_sample = sample_;
  out.sample_count = n;
  out.offset = chunk_pos_;
  out.description_index = t.chunk_runs_[stsc_].description_index;
  if (frame_bytes) {
    out.size = std::uint64_t{frame_bytes} * n;
  } else if (t.constant_size_) {
    out.size = std::uint64_t{t.constant_size_} * n;
  } else {
    out.size = 0;
    for (std::uint32_t i = 0; i < n; ++i) out.size += t.sample_size(sample_ + i);
  }
  out.dts = dts_;
  out.duration = take_durations(n);
  dts_ += static_cast<std::int64_t>(out.duration);

  out.composition_offset = 0;
  if (ctts_ < t.offset_runs_.size()) {
    out.composition_offset = t.offset_runs_[ctts_].offset;
    std::uint32_t left = n;
    while (left > 0 && ctts_ < t.offset_runs_.size()) {
      const std::uint32_t take = std::min(left, t.offset_runs_[ctts_].count - ctts_used_);
      left -= take;
      ctts_used_ += take;
      if (ctts_used_ == t.offset_runs_[ctts_].count) {
        ++ctts_;
        ctts_used_ = 0;
      }
    }
  }

  out.sync = true;
  if (!t.sync_samples_.empty()) {
    const std::uint64_t number = sample_ + 1;
    while (stss_ < t.sync_samples_.size() && t.sync_samples_[stss_] < number) ++stss_;
    out.sync = stss_ < t.sync_samples_.size() && t.sync_samples_[stss_] == number;
  }

  sample_ += n;
  chunk_left_ -= n;
  chunk_pos_ += out.size;
  return true;
}

}  // namespace frugal::mp4::detail
