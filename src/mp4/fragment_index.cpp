#include "mp4/fragment_index.hpp"

#include "mp4/fragment.hpp"

#include <frugal/core/arith.hpp>
#include <frugal/core/byte_reader.hpp>

#include <algorithm>
#include <array>

namespace frugal::mp4::detail {

using core::Errc;
using core::FourCC;
using core::make_error;
using core::Result;

Result<FragmentTable> read_sidx(core::ByteSource& source, const BoxHeader& sidx, std::uint32_t& reference_id) {
  std::array<std::byte, 32> head{};
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(sidx.body_size(), head.size()));
  FRUGAL_CHECK(core::read_exact(source, sidx.body_offset(), std::span(head).first(n)));
  core::ByteReader r{std::span<const std::byte>(head).first(n)};
  const std::uint8_t version = r.u8();
  r.skip(3);
  reference_id = r.u32();
  FragmentTable t;
  t.kind = FragmentTable::Kind::sidx;
  t.timescale = r.u32();
  const std::uint64_t earliest = version == 0 ? r.u32() : r.u64();
  const std::uint64_t first_offset = version == 0 ? r.u32() : r.u64();
  r.skip(2);
  t.count = r.u16();
  t.entry_bytes = 12;
  if (!r.ok() || t.timescale == 0) return make_error(Errc::malformed, "sidx too short or without timescale", sidx.offset);
  if (t.count * 12 > sidx.body_size() - r.position())
    return make_error(Errc::malformed, "sidx: reference count exceeds its box", sidx.offset);
  // Offsets count from the first byte after the sidx (§8.16.3.3).
  if (!core::checked_add(sidx.end(), first_offset, t.first_offset) || earliest > INT64_MAX)
    return make_error(Errc::malformed, "sidx: offsets out of range", sidx.offset);
  t.first_time = static_cast<std::int64_t>(earliest);
  t.entries = sidx.body_offset() + r.position();
  return t;
}

Result<std::optional<FragmentTable>> find_tfra(core::ByteSource& source, const core::Limits& limits,
                                              std::uint32_t track_id, std::uint32_t timescale) {
  const std::optional<std::uint64_t> size = source.size();
  if (!size || *size < 16) return std::optional<FragmentTable>{};
  std::array<std::byte, 16> mfro{};
  FRUGAL_CHECK(core::read_exact(source, *size - 16, mfro));
  // 'mfro' (§8.8.11): the last box, giving the size of the mfra it closes.
  const std::uint32_t mfra_size = core::load_be32(&mfro[12]);
  if (core::load_be32(&mfro[0]) != 16 || FourCC(core::load_be32(&mfro[4])) != FourCC("mfro") ||
      mfra_size < 16 || mfra_size > *size)
    return std::optional<FragmentTable>{};
  BoxReader at_mfra(source, limits, *size - mfra_size, *size, 0);
  FRUGAL_TRY(auto mfra, at_mfra.next());
  if (!mfra || mfra->type != FourCC("mfra")) return std::optional<FragmentTable>{};
  FRUGAL_TRY(BoxReader children, at_mfra.children(*mfra));
  while (true) {
    auto box = children.next();
    if (!box) return box.error().code == Errc::io ? box.error() : Result<std::optional<FragmentTable>>(std::nullopt);
    if (!*box) return std::optional<FragmentTable>{};
    if ((*box)->type != FourCC("tfra")) continue;
    std::array<std::byte, 16> head{};
    if ((*box)->body_size() < head.size()) continue;
    FRUGAL_CHECK(core::read_exact(source, (*box)->body_offset(), head));
    core::ByteReader r(head);
    const std::uint8_t version = r.u8();
    r.skip(3);
    if (r.u32() != track_id) continue;
    const std::uint32_t sizes = r.u32();
    FragmentTable t;
    t.kind = FragmentTable::Kind::tfra;
    t.wide = version == 1;
    t.skip_bytes = static_cast<std::uint8_t>(((sizes >> 4) & 3) + ((sizes >> 2) & 3) + (sizes & 3) + 3);
    t.entry_bytes = (t.wide ? 16u : 8u) + t.skip_bytes;
    t.count = r.u32();
    t.timescale = timescale;
    t.entries = (*box)->body_offset() + head.size();
    if (t.count > ((*box)->body_size() - head.size()) / t.entry_bytes) return std::optional<FragmentTable>{};
    return std::optional<FragmentTable>{t};
  }
}

Result<void> FragmentIndex::init(mem::Account account, const FragmentPoint& start) {
  mem::Charge charge(account, 0);
  if (!charge.try_resize(kMaxPoints * sizeof(FragmentPoint)))
    return make_error(Errc::out_of_memory, "fragment index over the memory budget");
  points_.reserve(kMaxPoints);
  points_.push_back(start);
  points_.back().entry = kNoEntry;
  charge_ = std::move(charge);
  capacity_ = kMaxPoints;
  return core::ok();
}

// Entry i of a tfra; for a sidx, where reference i starts (the references
// are cumulative: `previous`, the start of reference i - 1, plus its size
// and duration).
Result<FragmentPoint> FragmentIndex::entry_point(core::ByteSource& source, std::uint64_t i,
                                                 const FragmentPoint& previous) const {
  const FragmentTable& t = *table_;
  FragmentPoint point{0, 0, kUnknownSample, i};
  const auto ticks = [&](std::uint64_t table_ticks) { return core::mul_div(table_ticks, timescale_, t.timescale); };
  if (t.kind == FragmentTable::Kind::sidx && i == 0) {
    point.time = static_cast<std::int64_t>(ticks(static_cast<std::uint64_t>(t.first_time)) & INT64_MAX);
    point.offset = t.first_offset;
    return point;
  }
  const std::uint64_t read = t.kind == FragmentTable::Kind::sidx ? i - 1 : i;
  std::array<std::byte, 32> raw{};
  FRUGAL_CHECK(core::read_exact(source, t.entries + read * t.entry_bytes, std::span(raw).first(t.entry_bytes)));
  core::ByteReader r{std::span<const std::byte>(raw).first(t.entry_bytes)};
  if (t.kind == FragmentTable::Kind::tfra) {
    const std::uint64_t time = t.wide ? r.u64() : r.u32();
    point.offset = t.wide ? r.u64() : r.u32();
    point.time = static_cast<std::int64_t>(ticks(time) & INT64_MAX);
    return point;
  }
  // A sidx reference: reference_type (1 bit), referenced_size (31), subsegment_duration.
  const std::uint32_t size = r.u32() & 0x7FFFFFFFu;
  const std::uint32_t duration = r.u32();
  if (!core::checked_add(previous.offset, size, point.offset))
    return make_error(Errc::malformed, "sidx: references beyond 2^64", t.entries);
  point.time = static_cast<std::int64_t>((static_cast<std::uint64_t>(previous.time) + ticks(duration)) & INT64_MAX);
  return point;
}

Result<void> FragmentIndex::load(core::ByteSource& source, const FragmentTable& table, std::uint32_t timescale) {
  if (table.count == 0) return core::ok();
  table_ = table;
  timescale_ = timescale;
  const std::uint64_t stride = table.count / (capacity_ - 1) + 1;
  FragmentPoint at;
  for (std::uint64_t i = 0; i < table.count; ++i) {
    auto next = entry_point(source, i, at);
    if (!next) {
      points_.resize(1);
      table_.reset();
      return next.error();
    }
    at = *next;
    // Entries out of order (a broken table) are left out; walks correct the rest.
    if (i % stride == 0 && at.offset > points_.back().offset && at.time >= points_.back().time &&
        points_.size() < capacity_)
      points_.push_back(at);
  }
  return core::ok();
}

void FragmentIndex::add(const FragmentPoint& point) noexcept {
  if (points_.empty() || point.offset <= points_.back().offset || point.time < points_.back().time) return;
  if (++since_last_ < stride_) return;
  since_last_ = 0;
  if (points_.size() == capacity_) thin();
  points_.push_back(point);
  points_.back().entry = kNoEntry;
}

void FragmentIndex::thin() noexcept {
  std::size_t kept = 1;
  for (std::size_t i = 2; i < points_.size(); i += 2) points_[kept++] = points_[i];
  points_.resize(kept);
  stride_ *= 2;
}

void FragmentIndex::coarsen() noexcept {
  if (!ready() || capacity_ <= 16) return;
  capacity_ /= 2;
  while (points_.size() > capacity_ / 2) thin();
  std::vector<FragmentPoint> smaller;
  smaller.reserve(capacity_);
  smaller.assign(points_.begin(), points_.end());
  points_.swap(smaller);
  charge_.resize(capacity_ * sizeof(FragmentPoint));
}

Result<FragmentPoint> FragmentIndex::locate(core::ByteSource& source, std::int64_t time, std::uint64_t before) {
  // The last point at or before `time` and below `before` (points ascend in both).
  auto it = std::upper_bound(points_.begin(), points_.end(), time,
                             [](std::int64_t t, const FragmentPoint& p) { return t < p.time; });
  while (it != points_.begin() && std::prev(it)->offset >= before) --it;
  if (it == points_.begin()) return points_.front();
  FragmentPoint best = *std::prev(it);
  if (!table_ || best.entry == kNoEntry) return best;
  // Refine through the table's entries up to the next point.
  const std::uint64_t last = it != points_.end() && it->entry != kNoEntry ? it->entry : table_->count;
  for (std::uint64_t i = best.entry + 1; i < last; ++i) {
    FRUGAL_TRY(FragmentPoint next, entry_point(source, i, best));
    if (next.time > time || next.offset >= before) break;
    best = next;
  }
  return best;
}

}  // namespace frugal::mp4::detail
