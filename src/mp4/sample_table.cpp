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

// Decode times stay far inside int64 (pts adds a 32-bit composition offset).
constexpr std::uint64_t kMaxTicks = std::uint64_t{1} << 62;

core::Error table_error(const char* message, const TableRef& t) { return make_error(Errc::malformed, message, t.offset); }

// A table whose entries start `skip` bytes into `box`: checks that `count`
// entries of `bits` bits fit in it.
Result<TableRef> table_in(const BoxHeader& box, std::uint64_t skip, std::uint64_t count, std::uint32_t bits,
                          std::uint32_t& next_id) {
  if (box.body_size() < skip) return make_error(Errc::malformed, "sample table box too short", box.offset);
  const std::uint64_t bytes = (count * bits + 7) / 8;  // count < 2^32, bits <= 96: no overflow
  if (bytes > box.body_size() - skip)
    return make_error(Errc::malformed, "sample table entry count exceeds its box", box.offset);
  return TableRef{box.body_offset() + skip, count, bits, next_id++};
}

// "version/flags, entry_count, entries" tables (stts, ctts, stsc, stco, co64, stss).
Result<TableRef> counted_table(const std::optional<TableBox>& t, std::uint32_t bits, std::uint32_t& next_id) {
  if (!t) return TableRef{};
  return table_in(t->box, 8, core::load_be32(&t->head[4]), bits, next_id);
}

}  // namespace

// ---- opening ----------------------------------------------------------------------

Result<SampleTable> SampleTable::open(core::ByteSource& source, const TableBoxes& boxes, PageCache& cache,
                                      mem::Account index_account, std::uint32_t& next_table_id) {
  SampleTable t;
  t.cache_ = &cache;
  t.source_ = &source;
  t.index_charge_ = mem::Charge(index_account, 0);
  std::uint32_t& id = next_table_id;
  FRUGAL_TRY(t.stts_, counted_table(boxes.time_to_sample, 64, id));
  FRUGAL_TRY(t.ctts_, counted_table(boxes.composition_offsets, 64, id));
  FRUGAL_TRY(t.stsc_, counted_table(boxes.sample_to_chunk, 96, id));
  FRUGAL_TRY(t.stss_, counted_table(boxes.sync_samples, 32, id));
  if (const auto& co = boxes.chunk_offsets) {
    FRUGAL_TRY(t.stco_, counted_table(co, co->box.type == core::FourCC("co64") ? 64 : 32, id));
  }

  const auto& sz = boxes.sizes;
  if (sz && sz->box.body_size() < 12) return make_error(Errc::malformed, "sample table box too short", sz->box.offset);
  if (sz && sz->box.type == core::FourCC("stsz")) {
    t.constant_size_ = core::load_be32(&sz->head[4]);
    t.sample_count_ = core::load_be32(&sz->head[8]);
    if (t.constant_size_ == 0) {
      FRUGAL_TRY(t.stsz_, table_in(sz->box, 12, t.sample_count_, 32, id));
    }
  } else if (sz) {  // stz2 (§8.7.3.3): 4-, 8- or 16-bit entries
    const unsigned field = std::to_integer<unsigned>(sz->head[7]);
    if (field != 4 && field != 8 && field != 16)
      return make_error(Errc::malformed, "stz2: field size is not 4, 8 or 16", sz->box.offset);
    t.sample_count_ = core::load_be32(&sz->head[8]);
    FRUGAL_TRY(t.stsz_, table_in(sz->box, 12, t.sample_count_, field, id));
  }

  if (const auto& sbgp = boxes.roll_groups) {  // version/flags, grouping_type, [parameter,] entry_count
    const bool v1 = std::to_integer<unsigned>(sbgp->head[0]) == 1;
    const std::uint32_t count = core::load_be32(&sbgp->head[v1 ? 12 : 8]);
    FRUGAL_TRY(t.sbgp_, table_in(sbgp->box, v1 ? 16 : 12, count, 64, id));
    if (boxes.roll_group_entries) t.sgpd_ = boxes.roll_group_entries->box;
  }

  if (t.sample_count_ > 0 && !t.stco_.empty() && (t.stsc_.empty() || t.stts_.empty()))
    return make_error(Errc::malformed, "sample tables missing stts or stsc");
  if (t.stco_.empty() || t.stsc_.empty()) t.sample_count_ = 0;  // no chunk holds a sample
  return t;
}

// ---- entries ----------------------------------------------------------------------------

Result<SampleTable::TimeRun> SampleTable::stts_run(std::uint64_t i) {
  FRUGAL_TRY(const std::byte* p, cache_->entry(stts_, i));
  return TimeRun{core::load_be32(p), core::load_be32(p + 4)};
}

Result<SampleTable::OffsetRun> SampleTable::ctts_run(std::uint64_t i) {
  FRUGAL_TRY(const std::byte* p, cache_->entry(ctts_, i));
  // Version 1 offsets are signed; version 0 writers put negative values
  // there too, so both are read as signed.
  return OffsetRun{core::load_be32(p), static_cast<std::int32_t>(core::load_be32(p + 4))};
}

Result<SampleTable::ChunkRun> SampleTable::stsc_run(std::uint64_t i) {
  FRUGAL_TRY(const std::byte* p, cache_->entry(stsc_, i));
  ChunkRun run{core::load_be32(p), core::load_be32(p + 4), core::load_be32(p + 8)};
  if (i == 0) run.first_chunk = 1;  // chunks before the first entry use it (and 0-based writers exist)
  if (run.first_chunk > stco_.count) return table_error("stsc: names a chunk beyond stco", stsc_);
  return run;
}

Result<std::uint64_t> SampleTable::next_first_chunk(std::uint64_t i) {
  if (i + 1 >= stsc_.count) return stco_.count + 1;
  FRUGAL_TRY(ChunkRun next, stsc_run(i + 1));
  FRUGAL_TRY(ChunkRun run, stsc_run(i));
  if (next.first_chunk < run.first_chunk) return table_error("stsc: first_chunk not ascending", stsc_);
  return next.first_chunk;
}

Result<std::uint32_t> SampleTable::sample_size(std::uint64_t sample) {
  if (constant_size_) return constant_size_;
  FRUGAL_TRY(const std::byte* p, cache_->entry(stsz_, sample));
  switch (stsz_.entry_bits) {
    case 4: {
      const unsigned b = std::to_integer<unsigned>(*p);
      return sample % 2 ? b & 0xF : b >> 4;
    }
    case 8: return std::to_integer<std::uint32_t>(*p);
    case 16: return core::load_be16(p);
    default: return core::load_be32(p);
  }
}

Result<std::uint64_t> SampleTable::chunk_offset(std::uint64_t chunk) {
  FRUGAL_TRY(const std::byte* p, cache_->entry(stco_, chunk - 1));
  return stco_.entry_bits == 64 ? core::load_be64(p) : core::load_be32(p);
}

Result<std::uint32_t> SampleTable::sync_entry(std::uint64_t i) {
  FRUGAL_TRY(const std::byte* p, cache_->entry(stss_, i));
  return core::load_be32(p);
}

Result<bool> SampleTable::unit_deltas() {
  if (stts_.count != 1) return false;
  FRUGAL_TRY(TimeRun run, stts_run(0));
  return run.delta == 1;
}

Result<std::uint64_t> SampleTable::total_duration() {
  std::uint64_t ticks = 0;
  std::uint64_t left = sample_count_;
  for (std::uint64_t i = 0; i < stts_.count && left > 0; ++i) {
    FRUGAL_CHECK(bulk_window(stts_, i));
    FRUGAL_TRY(TimeRun run, stts_run(i));
    const std::uint64_t n = std::min<std::uint64_t>(run.count, left);
    ticks += n * run.delta;
    left -= n;
  }
  return ticks;
}

Result<std::uint64_t> SampleTable::run_count(std::uint32_t max_run) {
  if (max_run == 0 || sample_count_ == 0) return std::uint64_t{0};
  std::uint64_t left = sample_count_;
  std::uint64_t runs = 0;
  for (std::uint64_t i = 0; i < stsc_.count && left > 0; ++i) {
    FRUGAL_CHECK(bulk_window(stsc_, i));
    FRUGAL_TRY(ChunkRun run, stsc_run(i));
    FRUGAL_TRY(std::uint64_t end, next_first_chunk(i));
    const std::uint64_t spc = run.samples_per_chunk;
    if (spc == 0) continue;
    const std::uint64_t chunks = end - run.first_chunk;
    const std::uint64_t full = std::min(chunks, left / spc);
    runs += full * ((spc + max_run - 1) / max_run);
    left -= full * spc;
    if (full < chunks && left > 0) {  // the last, partly used chunk
      runs += (left + max_run - 1) / max_run;
      left = 0;
    }
  }
  return runs;
}

Result<std::uint64_t> SampleTable::sum_sizes(std::uint64_t first, std::uint64_t count) {
  if (constant_size_) return count * constant_size_;
  std::uint64_t bytes = 0;
  // Within one cache page: through the cache; across pages: one bulk read
  // rather than a page read each.
  if (count > 1 && first / stsz_.per_page() != (first + count - 1) / stsz_.per_page()) {
    FRUGAL_CHECK(for_each_size(first, count, [&](std::uint32_t size) { bytes += size; }));
    return bytes;
  }
  for (std::uint64_t s = first; s < first + count; ++s) {
    FRUGAL_TRY(std::uint32_t size, sample_size(s));
    bytes += size;
  }
  return bytes;
}

// Reads the sizes of samples [first, first + count) in bulk (kBulkBytes a
// read, not page by page), calling `f(size)` for each in order.
template <typename F>
Result<void> SampleTable::for_each_size(std::uint64_t first, std::uint64_t count, F&& f) {
  const std::uint32_t bits = stsz_.entry_bits;
  for (std::uint64_t at = first; at < first + count;) {
    // Byte-aligned spans: 4-bit tables start on an even entry. One entry past
    // the span comes along when it fits: the next packet's size.
    const std::uint64_t start = bits == 4 ? at & ~std::uint64_t{1} : at;
    std::uint64_t n = first + count + 1 - start;
    FRUGAL_TRY(const std::byte* data, cache_->read_entries(stsz_, start, n));
    const std::uint64_t end = std::min(start + n, first + count);
    for (std::uint64_t i = at - start; i < end - start; ++i) {
      const std::byte* p = data + i * bits / 8;
      switch (bits) {
        case 4: f((i % 2 ? std::to_integer<std::uint32_t>(*p) & 0xF : std::to_integer<std::uint32_t>(*p) >> 4)); break;
        case 8: f(std::to_integer<std::uint32_t>(*p)); break;
        case 16: f(std::uint32_t{core::load_be16(p)}); break;
        default: f(core::load_be32(p)); break;
      }
    }
    at = end;
  }
  return core::ok();
}

// Bytes of the first `k` samples of `chunk`, whose samples start at
// `chunk_first` and number `chunk_samples`. Big chunks keep an index of
// cumulative sizes every `stride` samples, built on the first seek into the
// chunk by one bulk pass over the chunk's sizes (one chunk of stsz: the
// least any reader must read to place a sample inside it).
Result<std::uint64_t> SampleTable::bytes_before(std::uint64_t chunk, std::uint64_t chunk_first,
                                                std::uint64_t chunk_samples, std::uint64_t k) {
  if (constant_size_ || k <= 2 * stsz_.per_page()) return sum_sizes(chunk_first, k);
  ChunkSizes* slot = nullptr;
  for (ChunkSizes& c : chunk_sizes_)
    if (c.chunk == chunk) slot = &c;
  if (!slot) {
    slot = &chunk_sizes_[0];
    for (ChunkSizes& c : chunk_sizes_)
      if (c.last_use < slot->last_use) slot = &c;
    // A point every kChunkStride samples, fewer for giant chunks (samples per
    // chunk come from the file: up to 2^32).
    const std::uint64_t stride =
        std::max<std::uint64_t>(kChunkStride, (chunk_samples + kMaxChunkPoints - 1) / kMaxChunkPoints);
    // All slots are allocated at the first big chunk, at their full size:
    // the memory does not depend on how many chunks the file has, and reusing
    // a slot allocates nothing.
    if (slot->bytes_before.capacity() == 0) {
      const std::size_t slot_bytes = (kMaxChunkPoints + 1) * sizeof(std::uint64_t);
      if (!index_charge_.try_resize(index_charge_.bytes() + std::size(chunk_sizes_) * slot_bytes))
        return make_error(Errc::out_of_memory, "chunk size index over the memory budget");
      for (ChunkSizes& c : chunk_sizes_) c.bytes_before.reserve(kMaxChunkPoints + 1);
    }
    slot->bytes_before.assign(1, 0);  // the chunk's start
    slot->chunk = chunk;
    slot->stride = stride;
  }
  slot->last_use = ++chunk_clock_;
  const std::uint64_t point = std::min<std::uint64_t>(k / slot->stride, slot->bytes_before.size() - 1);
  const std::uint64_t from = point * slot->stride;
  std::uint64_t sum = slot->bytes_before[static_cast<std::size_t>(point)];
  if (k / slot->stride == point) {  // the points reach k's: add the sizes after it
    FRUGAL_TRY(std::uint64_t rest, sum_sizes(chunk_first + from, k - from));
    return sum + rest;
  }
  // Past the last point: one pass to k extends the points (a seek reads only
  // up to its target) and gives the answer. Points stay within the slot's
  // reservation: k <= chunk_samples <= kMaxChunkPoints * stride.
  FRUGAL_CHECK(for_each_size(chunk_first + from, k - from, [&, at = from](std::uint32_t size) mutable {
    sum += size;
    if (++at % slot->stride == 0) slot->bytes_before.push_back(sum);
  }));
  return sum;
}

// ---- indexes ----------------------------------------------------------------------------

const IndexPoint& SampleTable::Index::floor(std::uint64_t key, std::uint64_t IndexPoint::*field) const noexcept {
  auto it = std::upper_bound(points.begin(), points.end(), key,
                             [field](std::uint64_t k, const IndexPoint& p) { return k < p.*field; });
  return it == points.begin() ? points.front() : *(it - 1);
}

std::uint64_t SampleTable::stride_for(std::uint64_t runs) const noexcept {
  return std::max<std::uint64_t>(1, (runs + kMaxIndexPoints - 1) / kMaxIndexPoints);
}

// Every index takes the same room, whatever the table's length: memory does
// not depend on the file's duration.
Result<void> SampleTable::build_index(Index& index, std::uint64_t runs) {
  index.stride = stride_for(runs);
  const std::size_t points = kMaxIndexPoints + 1;
  if (!index_charge_.try_resize(index_charge_.bytes() + points * sizeof(IndexPoint)))
    return make_error(Errc::out_of_memory, "sample table index over the memory budget");
  index.points.reserve(points);
  return core::ok();
}

// In a pass over a table, reads ahead a bulk window at each window start:
// one read per kBulkBytes instead of one per page.
Result<void> SampleTable::bulk_window(const TableRef& table, std::uint64_t i) {
  const std::uint64_t window = PageCache::kBulkBytes * 8 / table.entry_bits;
  return i % window == 0 ? cache_->prefetch(table, i, window) : core::ok();
}

// One pass over each table, keeping a point every `stride` runs.
Result<void> SampleTable::build_indexes() {
  if (!stsc_index_.built() && !stsc_.empty()) {
    FRUGAL_CHECK(build_index(stsc_index_, stsc_.count));
    std::uint64_t before = 0;
    for (std::uint64_t i = 0; i < stsc_.count; ++i) {
      FRUGAL_CHECK(bulk_window(stsc_, i));
      FRUGAL_TRY(ChunkRun run, stsc_run(i));
      FRUGAL_TRY(std::uint64_t end, next_first_chunk(i));
      if (i % stsc_index_.stride == 0) stsc_index_.points.push_back({i, before, 0});
      before += (end - run.first_chunk) * run.samples_per_chunk;
    }
  }
  if (!stts_index_.built() && !stts_.empty()) {
    FRUGAL_CHECK(build_index(stts_index_, stts_.count));
    std::uint64_t before = 0, ticks = 0;
    for (std::uint64_t i = 0; i < stts_.count; ++i) {
      FRUGAL_CHECK(bulk_window(stts_, i));
      if (i % stts_index_.stride == 0) stts_index_.points.push_back({i, before, ticks});
      FRUGAL_TRY(TimeRun run, stts_run(i));
      before += run.count;
      ticks += std::uint64_t{run.count} * run.delta;
      if (ticks > kMaxTicks) return table_error("stts: track duration out of range", stts_);
    }
  }
  if (!ctts_index_.built() && !ctts_.empty()) {
    FRUGAL_CHECK(build_index(ctts_index_, ctts_.count));
    std::uint64_t before = 0;
    for (std::uint64_t i = 0; i < ctts_.count; ++i) {
      FRUGAL_CHECK(bulk_window(ctts_, i));
      if (i % ctts_index_.stride == 0) ctts_index_.points.push_back({i, before, 0});
      FRUGAL_TRY(OffsetRun run, ctts_run(i));
      before += run.count;
    }
  }
  if (!stss_index_.built() && !stss_.empty()) {
    FRUGAL_CHECK(build_index(stss_index_, stss_.count));
    std::uint32_t last = 0;
    for (std::uint64_t i = 0; i < stss_.count; ++i) {
      FRUGAL_CHECK(bulk_window(stss_, i));
      FRUGAL_TRY(std::uint32_t number, sync_entry(i));
      if (number < last) return table_error("stss: sample numbers not ascending", stss_);
      last = number;
      if (i % stss_index_.stride == 0) stss_index_.points.push_back({i, number, 0});
    }
  }
  if (!sbgp_index_.built() && !sbgp_.empty()) {
    FRUGAL_CHECK(build_index(sbgp_index_, sbgp_.count));
    std::uint64_t before = 0;
    for (std::uint64_t i = 0; i < sbgp_.count; ++i) {
      FRUGAL_CHECK(bulk_window(sbgp_, i));
      if (i % sbgp_index_.stride == 0) sbgp_index_.points.push_back({i, before, 0});
      FRUGAL_TRY(const std::byte* p, cache_->entry(sbgp_, i));
      before += core::load_be32(p);
    }
  }
  return core::ok();
}

void SampleTable::coarsen() noexcept {
  for (Index* index : {&stts_index_, &ctts_index_, &stsc_index_, &stss_index_, &sbgp_index_}) {
    if (!index->built() || index->points.size() < 2) continue;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < index->points.size(); i += 2) index->points[kept++] = index->points[i];
    index->points.resize(kept);
    // shrink_to_fit does nothing without exceptions (libstdc++): copy instead.
    std::vector<IndexPoint>(index->points.begin(), index->points.end()).swap(index->points);
    index->stride *= 2;
  }
  for (ChunkSizes& c : chunk_sizes_) {
    c.chunk = 0;
    c.last_use = 0;
    std::vector<std::uint64_t>().swap(c.bytes_before);  // `= {}` would keep the capacity
  }
  std::size_t bytes = 0;
  for (Index* index : {&stts_index_, &ctts_index_, &stsc_index_, &stss_index_, &sbgp_index_})
    bytes += index->points.capacity() * sizeof(IndexPoint);
  index_charge_.resize(bytes);
}

// ---- lookups ------------------------------------------------------------------------------

Result<std::uint64_t> SampleTable::sample_at_time(std::uint64_t ticks) {
  if (sample_count_ == 0) return std::uint64_t{0};
  FRUGAL_CHECK(build_indexes());
  const IndexPoint& p = stts_index_.floor(ticks, &IndexPoint::ticks_before);
  FRUGAL_CHECK(cache_->prefetch(stts_, p.run, stts_index_.stride));
  std::uint64_t before = p.samples_before, time = p.ticks_before;
  std::uint32_t delta = 0;
  for (std::uint64_t i = p.run; i < stts_.count; ++i) {
    FRUGAL_TRY(TimeRun run, stts_run(i));
    delta = run.delta;
    const std::uint64_t span = std::uint64_t{run.count} * run.delta;
    if (run.delta && ticks < time + span) {
      before += (ticks - time) / run.delta;
      return std::min(before, sample_count_ - 1);
    }
    before += run.count;
    time += span;
  }
  // Past stts: its last delta repeats.
  if (delta) before += (ticks - time) / delta;
  return std::min(before, sample_count_ - 1);
}

Result<std::uint64_t> SampleTable::sync_sample_at_or_before(std::uint64_t sample) {
  if (stss_.empty()) return sample;
  FRUGAL_CHECK(build_indexes());
  const std::uint64_t number = sample + 1;  // stss counts from 1
  const IndexPoint& p = stss_index_.floor(number, &IndexPoint::samples_before);
  FRUGAL_CHECK(cache_->prefetch(stss_, p.run, stss_index_.stride + 1));
  std::uint64_t best = 0;  // none at or before: the track's start
  for (std::uint64_t i = p.run; i < stss_.count; ++i) {
    FRUGAL_TRY(std::uint32_t n, sync_entry(i));
    if (n > number) break;
    if (n > 0) best = n - 1;
  }
  return best;
}

// roll_distance of entry `group` (1-based) of sgpd 'roll' (§8.9.3, §10.1.1.2),
// read from the file when asked: nothing of sgpd is kept in memory. 0 when
// the entry is missing or unreadable (no roll known).
Result<std::int16_t> SampleTable::roll_distance(std::uint32_t group) {
  if (!sgpd_ || group == 0) return std::int16_t{0};
  const std::uint64_t body = sgpd_->body_offset(), end = body + sgpd_->body_size();
  const auto read = [&](std::uint64_t at, std::span<std::byte> dst) -> Result<bool> {
    if (at > end || dst.size() > end - at) return false;
    FRUGAL_CHECK(core::read_exact(*source_, at, dst));
    return true;
  };
  // version/flags, grouping_type, [v1+: default_length], [v2+: default_sample_description_index], entry_count
  std::array<std::byte, 20> head{};
  const auto head_bytes = static_cast<std::size_t>(std::min<std::uint64_t>(head.size(), sgpd_->body_size()));
  FRUGAL_CHECK(read(body, std::span(head).first(head_bytes)));
  core::ByteReader r{std::span<const std::byte>(head.data(), head_bytes)};
  const std::uint8_t version = r.u8();
  r.skip(3 + 4);
  const std::uint32_t default_length = version >= 1 ? r.u32() : 2;  // version 0: roll entries are 2 bytes
  if (version >= 2) r.skip(4);
  const std::uint32_t count = r.u32();
  if (!r.ok() || group > count) return std::int16_t{0};
  std::uint64_t at = body + r.position();
  std::array<std::byte, 4> length{};
  if (default_length != 0) {
    at += std::uint64_t{group - 1} * default_length;
  } else {  // each entry says its length: walk to it, a bounded way
    constexpr std::uint32_t kMaxWalk = 1024;
    if (group > kMaxWalk) return std::int16_t{0};
    for (std::uint32_t i = 1; i < group; ++i) {
      FRUGAL_TRY(bool got, read(at, length));
      if (!got) return std::int16_t{0};
      at += 4 + std::uint64_t{core::load_be32(length.data())};
    }
    at += 4;
  }
  std::array<std::byte, 2> distance{};
  FRUGAL_TRY(bool got, read(at, distance));
  return got ? static_cast<std::int16_t>(core::load_be16(distance.data())) : std::int16_t{0};
}

Result<std::optional<std::uint32_t>> SampleTable::preroll_samples(std::uint64_t sample) {
  if (sbgp_.empty()) return std::optional<std::uint32_t>{};
  FRUGAL_CHECK(build_indexes());
  const IndexPoint& p = sbgp_index_.floor(sample, &IndexPoint::samples_before);
  FRUGAL_CHECK(cache_->prefetch(sbgp_, p.run, sbgp_index_.stride));
  std::uint64_t before = p.samples_before;
  for (std::uint64_t i = p.run; i < sbgp_.count; ++i) {
    FRUGAL_TRY(const std::byte* e, cache_->entry(sbgp_, i));
    const std::uint32_t count = core::load_be32(e);
    const std::uint32_t group = core::load_be32(e + 4);
    if (sample < before + count) {
      // Group 0: in no group (no roll known); fragment-local indices (> 0x10000) do not apply here.
      if (group > 0x10000) return std::optional<std::uint32_t>{0};
      FRUGAL_TRY(const std::int16_t roll, roll_distance(group));
      return std::optional<std::uint32_t>{roll < 0 ? static_cast<std::uint32_t>(-roll) : 0u};
    }
    before += count;
  }
  return std::optional<std::uint32_t>{0};
}

// ---- the cursor -------------------------------------------------------------------------

Result<bool> SampleCursor::enter_next_chunk() {
  SampleTable& t = *table_;
  if (!stsc_loaded_) {
    auto run = t.stsc_run(0);
    if (!run) return run.error();
    samples_per_chunk_ = run->samples_per_chunk;
    description_index_ = run->description_index;
    FRUGAL_TRY(next_first_chunk_, t.next_first_chunk(0));
    stsc_run_ = 0;
    stsc_loaded_ = true;
  }
  while (chunk_left_ == 0) {
    if (chunk_ >= t.stco_.count) return false;
    ++chunk_;
    while (chunk_ >= next_first_chunk_) {  // runs of no chunks (repeated entries) are passed over
      ++stsc_run_;
      FRUGAL_TRY(SampleTable::ChunkRun run, t.stsc_run(stsc_run_));
      samples_per_chunk_ = run.samples_per_chunk;
      description_index_ = run.description_index;
      FRUGAL_TRY(next_first_chunk_, t.next_first_chunk(stsc_run_));
    }
    chunk_left_ = samples_per_chunk_;
    FRUGAL_TRY(chunk_pos_, t.chunk_offset(chunk_));
  }
  return true;
}

// Sum of the next `n` samples' durations; past the end of stts the last
// delta repeats (as FFmpeg reads short tables).
Result<std::uint64_t> SampleCursor::take_durations(std::uint32_t n) {
  SampleTable& t = *table_;
  std::uint64_t total = 0;
  while (n > 0) {
    if (stts_run_ >= t.stts_.count) {
      FRUGAL_TRY(SampleTable::TimeRun last, t.stts_run(t.stts_.count - 1));
      total += std::uint64_t{last.delta} * n;
      break;
    }
    FRUGAL_TRY(SampleTable::TimeRun run, t.stts_run(stts_run_));
    const std::uint64_t take = std::min<std::uint64_t>(n, run.count - stts_used_);
    total += std::uint64_t{run.delta} * take;
    n -= static_cast<std::uint32_t>(take);
    stts_used_ += take;
    if (stts_used_ >= run.count) {
      ++stts_run_;
      stts_used_ = 0;
    }
  }
  if (total > kMaxTicks || static_cast<std::uint64_t>(dts_) > kMaxTicks - total)
    return table_error("stts: track duration out of range", t.stts_);
  return total;
}

Result<std::int32_t> SampleCursor::take_composition_offsets(std::uint32_t n) {
  SampleTable& t = *table_;
  std::int32_t first = 0;
  bool have_first = false;
  while (n > 0 && ctts_run_ < t.ctts_.count) {
    FRUGAL_TRY(SampleTable::OffsetRun run, t.ctts_run(ctts_run_));
    if (!have_first && run.count > ctts_used_) {
      first = run.offset;
      have_first = true;
    }
    const std::uint64_t take = std::min<std::uint64_t>(n, run.count - std::min<std::uint64_t>(run.count, ctts_used_));
    n -= static_cast<std::uint32_t>(take);
    ctts_used_ += take;
    if (ctts_used_ >= run.count) {
      ++ctts_run_;
      ctts_used_ = 0;
    }
  }
  return first;
}

Result<bool> SampleCursor::is_sync(std::uint64_t sample) {
  SampleTable& t = *table_;
  if (t.stss_.empty()) return true;  // no stss (or an empty one, as on audio): every sample
  const std::uint64_t number = sample + 1;
  while (stss_entry_ < t.stss_.count) {
    FRUGAL_TRY(std::uint32_t n, t.sync_entry(stss_entry_));
    if (n >= number) return n == number;
    ++stss_entry_;
  }
  return false;
}

Result<bool> SampleCursor::next(SampleRun& out, std::uint32_t max_run, std::uint32_t frame_bytes) {
  const SampleCursor before = *this;
  auto more = step(out, max_run, frame_bytes);
  if (!more) *this = before;
  return more;
}

Result<void> SampleCursor::seek(std::uint64_t sample, std::uint32_t frame_bytes) {
  const SampleCursor before = *this;
  auto located = locate(sample, frame_bytes);
  if (!located) *this = before;
  return located;
}

Result<bool> SampleCursor::step(SampleRun& out, std::uint32_t max_run, std::uint32_t frame_bytes) {
  SampleTable& t = *table_;
  if (sample_ >= t.sample_count_ || max_run == 0) return false;
  FRUGAL_TRY(bool more, enter_next_chunk());
  if (!more) return false;
  const auto n = static_cast<std::uint32_t>(
      std::min<std::uint64_t>({max_run, chunk_left_, t.sample_count_ - sample_}));

  out.first_sample = sample_;
  out.sample_count = n;
  out.offset = chunk_pos_;
  out.description_index = description_index_;
  if (frame_bytes) {
    out.size = std::uint64_t{frame_bytes} * n;
  } else {
    FRUGAL_TRY(out.size, t.sum_sizes(sample_, n));
  }
  out.dts = dts_;
  FRUGAL_TRY(out.duration, take_durations(n));
  dts_ += static_cast<std::int64_t>(out.duration);
  FRUGAL_TRY(out.composition_offset, take_composition_offsets(n));
  FRUGAL_TRY(out.sync, is_sync(sample_));

  sample_ += n;
  chunk_left_ -= n;
  chunk_pos_ += out.size;
  return true;
}

Result<void> SampleCursor::locate(std::uint64_t sample, std::uint32_t frame_bytes) {
  SampleTable& t = *table_;
  *this = SampleCursor(t);
  if (sample == 0 || t.sample_count_ == 0) return core::ok();
  FRUGAL_CHECK(t.build_indexes());
  if (sample >= t.sample_count_) {
    sample_ = t.sample_count_;
    return core::ok();
  }
  // stsc: the run and chunk holding `sample`.
  {
    const IndexPoint& p = t.stsc_index_.floor(sample, &IndexPoint::samples_before);
    FRUGAL_CHECK(t.cache_->prefetch(t.stsc_, p.run, t.stsc_index_.stride + 1));
    std::uint64_t before = p.samples_before;
    for (std::uint64_t r = p.run;; ++r) {
      if (r >= t.stsc_.count) {  // the chunks end before the sample
        sample_ = t.sample_count_;
        return core::ok();
      }
      FRUGAL_TRY(SampleTable::ChunkRun run, t.stsc_run(r));
      FRUGAL_TRY(std::uint64_t end, t.next_first_chunk(r));
      const std::uint64_t in_run = (end - run.first_chunk) * run.samples_per_chunk;
      if (sample < before + in_run) {
        const std::uint64_t k = (sample - before) % run.samples_per_chunk;
        chunk_ = run.first_chunk + (sample - before) / run.samples_per_chunk;
        chunk_left_ = run.samples_per_chunk - k;
        stsc_run_ = r;
        next_first_chunk_ = end;
        samples_per_chunk_ = run.samples_per_chunk;
        description_index_ = run.description_index;
        stsc_loaded_ = true;
        FRUGAL_TRY(std::uint64_t chunk_start, t.chunk_offset(chunk_));
        std::uint64_t skipped = std::uint64_t{frame_bytes} * k;
        if (!frame_bytes) {
          FRUGAL_TRY(skipped, t.bytes_before(chunk_, sample - k, run.samples_per_chunk, k));
        }
        chunk_pos_ = chunk_start + skipped;
        break;
      }
      before += in_run;
    }
  }
  // stts: the run holding `sample`, and its decode time.
  {
    const IndexPoint& p = t.stts_index_.floor(sample, &IndexPoint::samples_before);
    FRUGAL_CHECK(t.cache_->prefetch(t.stts_, p.run, t.stts_index_.stride));
    std::uint64_t before = p.samples_before, ticks = p.ticks_before;
    std::uint32_t delta = 0;
    stts_run_ = t.stts_.count;
    for (std::uint64_t r = p.run; r < t.stts_.count; ++r) {
      FRUGAL_TRY(SampleTable::TimeRun run, t.stts_run(r));
      delta = run.delta;
      if (sample < before + run.count) {
        stts_run_ = r;
        break;
      }
      before += run.count;
      ticks += std::uint64_t{run.count} * run.delta;
    }
    stts_used_ = stts_run_ < t.stts_.count ? sample - before : 0;
    ticks += (sample - before) * delta;  // past stts: the last delta repeats
    if (ticks > kMaxTicks) return table_error("stts: track duration out of range", t.stts_);
    dts_ = static_cast<std::int64_t>(ticks);
  }
  // ctts: the run holding `sample`.
  if (!t.ctts_.empty()) {
    const IndexPoint& p = t.ctts_index_.floor(sample, &IndexPoint::samples_before);
    FRUGAL_CHECK(t.cache_->prefetch(t.ctts_, p.run, t.ctts_index_.stride));
    std::uint64_t before = p.samples_before;
    ctts_run_ = t.ctts_.count;
    for (std::uint64_t r = p.run; r < t.ctts_.count; ++r) {
      FRUGAL_TRY(SampleTable::OffsetRun run, t.ctts_run(r));
      if (sample < before + run.count) {
        ctts_run_ = r;
        ctts_used_ = sample - before;
        break;
      }
      before += run.count;
    }
  }
  // stss: the first entry at or after `sample`.
  if (!t.stss_.empty()) {
    const IndexPoint& p = t.stss_index_.floor(sample + 1, &IndexPoint::samples_before);
    FRUGAL_CHECK(t.cache_->prefetch(t.stss_, p.run, t.stss_index_.stride + 1));
    stss_entry_ = p.run;
    for (; stss_entry_ < t.stss_.count; ++stss_entry_) {
      FRUGAL_TRY(std::uint32_t n, t.sync_entry(stss_entry_));
      if (n >= sample + 1) break;
    }
  }
  sample_ = sample;
  return core::ok();
}

}  // namespace frugal::mp4::detail
