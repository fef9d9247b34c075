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

namespace {

// tfhd flags (§8.8.7.1).
constexpr std::uint32_t kBaseDataOffset = 0x1, kDescriptionIndex = 0x2, kDefaultDuration = 0x8,
                        kDefaultSize = 0x10, kDefaultFlags = 0x20, kDurationIsEmpty = 0x10000,
                        kDefaultBaseIsMoof = 0x20000;
// trun flags (§8.8.8.1).
constexpr std::uint32_t kDataOffset = 0x1, kFirstSampleFlags = 0x4, kSampleDuration = 0x100,
                        kSampleSize = 0x200, kSampleFlags = 0x400, kSampleCompositionOffset = 0x800;
// Sample flags (§8.8.3.1): sample_is_non_sync_sample.
constexpr std::uint32_t kNonSync = 0x10000;

// Decode times stay below 2^62, so adding a duration or a composition
// offset never overflows int64.
constexpr std::uint64_t kMaxDecodeTime = std::uint64_t{1} << 62;

// Reads up to 32 bytes of a small box's body (tfhd, tfdt, a trun's header).
Result<std::size_t> read_head(core::ByteSource& source, const BoxHeader& box, std::span<std::byte> dst) {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(box.body_size(), dst.size()));
  FRUGAL_CHECK(core::read_exact(source, box.body_offset(), dst.first(n)));
  return n;
}

}  // namespace

Result<TrackExtends> parse_trex(std::span<const std::byte> body, const BoxHeader& box) {
  core::ByteReader r(body);
  r.skip(4);  // version, flags
  TrackExtends t;
  t.track_id = r.u32();
  t.description_index = r.u32();
  t.duration = r.u32();
  t.size = r.u32();
  t.flags = r.u32();
  if (!r.ok()) return make_error(Errc::malformed, "trex too short", box.offset);
  return t;
}

Result<void> TrafReader::open(core::ByteSource& source, const core::Limits& limits, const BoxHeader& traf,
                              std::uint64_t moof_offset, std::uint64_t implicit_base,
                              std::span<const TrackExtends> extends) {
  *this = TrafReader();
  source_ = &source;
  limits_ = &limits;
  child_pos_ = traf.body_offset();
  end_ = traf.end();
  depth_ = 2;
  BoxReader children(source, limits, child_pos_, end_, depth_);
  bool saw_tfhd = false;
  while (true) {
    FRUGAL_TRY(auto box, children.next());
    if (!box) break;
    std::array<std::byte, 32> head{};
    if (box->type == FourCC("tfhd") && !saw_tfhd) {
      FRUGAL_TRY(std::size_t n, read_head(source, *box, head));
      core::ByteReader r{std::span<const std::byte>(head).first(n)};
      const std::uint32_t flags = r.u32() & 0xFFFFFF;
      track_id_ = r.u32();
      TrackExtends defaults;
      for (const TrackExtends& e : extends)
        if (e.track_id == track_id_) defaults = e;
      base_ = flags & kBaseDataOffset ? r.u64() : (flags & kDefaultBaseIsMoof ? moof_offset : implicit_base);
      description_index_ = flags & kDescriptionIndex ? r.u32() : defaults.description_index;
      default_duration_ = flags & kDefaultDuration ? r.u32() : defaults.duration;
      default_size_ = flags & kDefaultSize ? r.u32() : defaults.size;
      default_flags_ = flags & kDefaultFlags ? r.u32() : defaults.flags;
      if (!r.ok()) return make_error(Errc::malformed, "tfhd too short for its flags", box->offset);
      explicit_base_ = (flags & (kBaseDataOffset | kDefaultBaseIsMoof)) != 0;
      empty_ = (flags & kDurationIsEmpty) != 0;
      saw_tfhd = true;
    } else if (box->type == FourCC("tfdt") && !has_tfdt_) {
      FRUGAL_TRY(std::size_t n, read_head(source, *box, head));
      core::ByteReader r{std::span<const std::byte>(head).first(n)};
      const std::uint8_t version = r.u8();
      r.skip(3);
      const std::uint64_t tfdt = version == 1 ? r.u64() : r.u32();
      if (!r.ok()) return make_error(Errc::malformed, "tfdt too short", box->offset);
      if (tfdt > kMaxDecodeTime) return make_error(Errc::malformed, "tfdt: decode time past 2^62", box->offset);
      tfdt_ = static_cast<std::int64_t>(tfdt);
      has_tfdt_ = true;
    }
  }
  if (!saw_tfhd) return make_error(Errc::malformed, "traf without tfhd", traf.offset);
  data_pos_ = base_;
  return core::ok();
}

// Moves to the next trun of the traf; false when there is none.
Result<bool> TrafReader::next_trun() {
  BoxReader children(*source_, *limits_, child_pos_, end_, depth_);
  while (true) {
    FRUGAL_TRY(auto box, children.next());
    if (!box) {
      child_pos_ = end_;
      return false;
    }
    child_pos_ = box->end();
    if (box->type != FourCC("trun")) continue;
    std::array<std::byte, 16> head{};
    FRUGAL_TRY(std::size_t n, read_head(*source_, *box, head));
    core::ByteReader r{std::span<const std::byte>(head).first(n)};
    trun_version_ = r.u8();
    trun_flags_ = r.u24();
    const std::uint32_t count = r.u32();
    const std::int32_t data_offset = trun_flags_ & kDataOffset ? r.i32() : 0;
    first_flags_pending_ = (trun_flags_ & kFirstSampleFlags) != 0;
    first_flags_ = first_flags_pending_ ? r.u32() : 0;
    if (!r.ok()) return make_error(Errc::malformed, "trun too short for its flags", box->offset);
    const std::uint64_t entry_bytes = this->entry_bytes();
    if (std::uint64_t{count} * entry_bytes > box->body_size() - r.position())
      return make_error(Errc::malformed, "trun: sample count exceeds its box", box->offset);
    // Samples without entries cost no bytes in the box: their data, a byte
    // each at least, must be in the file.
    const std::optional<std::uint64_t> file = source_->size();
    if (entry_bytes == 0 && file && std::uint64_t{count} * std::max<std::uint64_t>(default_size_, 1) > *file)
      return make_error(Errc::malformed, "trun: more samples than the file holds", box->offset);
    // A trun without data_offset continues where the previous one ended; the
    // first starts at the base (§8.8.8.3).
    if (trun_flags_ & kDataOffset) {
      const std::uint64_t magnitude = data_offset < 0 ? 0 - static_cast<std::uint64_t>(data_offset)
                                                      : static_cast<std::uint64_t>(data_offset);
      if (data_offset < 0 ? magnitude > base_ : !core::checked_add(base_, magnitude, data_pos_))
        return make_error(Errc::malformed, "trun: data offset out of range", box->offset);
      if (data_offset < 0) data_pos_ = base_ - magnitude;
    } else if (first_trun_) {
      data_pos_ = base_;
    }
    first_trun_ = false;
    entry_pos_ = box->body_offset() + r.position();
    left_ = empty_ ? 0 : count;
    if (left_ > 0) return true;
  }
}

// Bytes of one trun entry: four for each per-sample field present.
std::uint32_t TrafReader::entry_bytes() const noexcept {
  return 4u * (((trun_flags_ & kSampleDuration) != 0) + ((trun_flags_ & kSampleSize) != 0) +
               ((trun_flags_ & kSampleFlags) != 0) + ((trun_flags_ & kSampleCompositionOffset) != 0));
}

Result<void> TrafReader::skip_data() {
  SampleRun run;
  while (true) {
    if (left_ > 0 && !(trun_flags_ & kSampleSize)) {
      std::uint64_t bytes = 0;
      if (!core::checked_mul(left_, default_size_, bytes) || !core::checked_add(data_pos_, bytes, data_pos_))
        return make_error(Errc::malformed, "trun: sample data beyond 2^64", entry_pos_);
      entry_pos_ += std::uint64_t{left_} * entry_bytes();
      left_ = 0;
      first_flags_pending_ = false;
    }
    FRUGAL_TRY(bool more, next(run));
    if (!more) return core::ok();
  }
}

Result<bool> TrafReader::next(SampleRun& out) {
  while (left_ == 0) {
    FRUGAL_TRY(bool more, next_trun());
    if (!more) return false;
  }
  std::array<std::byte, 16> entry{};
  const std::size_t n = entry_bytes();
  FRUGAL_CHECK(core::read_exact(*source_, entry_pos_, std::span(entry).first(n)));
  core::ByteReader r{std::span<const std::byte>(entry).first(n)};
  const std::uint32_t duration = trun_flags_ & kSampleDuration ? r.u32() : default_duration_;
  const std::uint32_t size = trun_flags_ & kSampleSize ? r.u32() : default_size_;
  std::uint32_t flags = trun_flags_ & kSampleFlags ? r.u32() : default_flags_;
  std::int32_t composition = 0;
  if (trun_flags_ & kSampleCompositionOffset) {
    const std::uint32_t raw = r.u32();
    // Version 0 offsets are unsigned; values past INT32_MAX are not real offsets.
    if (trun_version_ == 0 && raw > 0x7FFFFFFFu)
      return make_error(Errc::malformed, "trun: composition offset out of range", entry_pos_);
    composition = static_cast<std::int32_t>(raw);
  }
  if (first_flags_pending_) {
    flags = first_flags_;
    first_flags_pending_ = false;
  }
  out.offset = data_pos_;
  out.size = size;
  out.duration = duration;
  out.composition_offset = composition;
  out.sync = (flags & kNonSync) == 0;
  out.description_index = description_index_;
  if (!core::checked_add(data_pos_, size, data_pos_))
    return make_error(Errc::malformed, "trun: sample data beyond 2^64", entry_pos_);
  entry_pos_ += n;
  --left_;
  return true;
}

void FragmentCursor::restart(std::uint64_t offset, std::int64_t dts, std::uint64_t sample) noexcept {
  walk_pos_ = offset;
  moof_ = BoxHeader();
  in_traf_ = false;
  forget_trafs();
  dts_ = dts;
  sample_ = sample;
}

void FragmentCursor::forget_trafs() noexcept {
  previous_end_.reset();
  passed_.reset();
}

// Where the data of the traf before moof_child_ ends (§8.8.7.1: a traf
// that names no base starts there).
Result<std::uint64_t> FragmentCursor::previous_data_end() {
  if (!previous_end_) {
    if (!passed_) return moof_.offset;
    FRUGAL_CHECK(passed_->skip_data());
    previous_end_ = passed_->data_end();
    passed_.reset();
  }
  return *previous_end_;
}

// Enters the next traf of the track in the current moof; false when none is left.
Result<bool> FragmentCursor::enter_next_traf() {
  if (in_traf_) {  // leaving the track's traf: its data ends here; an empty one spans time
    forget_trafs();
    previous_end_ = traf_.data_end();
    dts_ = static_cast<std::int64_t>(static_cast<std::uint64_t>(dts_) + traf_.empty_duration());
    in_traf_ = false;
  }
  BoxReader children(*source_, *limits_, moof_child_, moof_.end(), 1);
  while (true) {
    FRUGAL_TRY(auto box, children.next());
    if (!box) {
      moof_child_ = moof_.end();
      return false;
    }
    moof_child_ = box->end();
    if (box->type != FourCC("traf")) continue;
    const bool first = trafs_seen_++ == 0;
    TrafReader traf;
    FRUGAL_CHECK(traf.open(*source_, *limits_, *box, moof_.offset, moof_.offset, extends_));
    if (!first && !traf.explicit_base()) {
      FRUGAL_TRY(std::uint64_t base, previous_data_end());
      FRUGAL_CHECK(traf.open(*source_, *limits_, *box, moof_.offset, base, extends_));
    }
    forget_trafs();
    if (traf.track_id() != track_id_) {
      passed_ = traf;
      continue;
    }
    traf_ = traf;
    if (traf_.has_decode_time()) dts_ = traf_.decode_time();
    in_traf_ = true;
    return true;
  }
}

// Reads what is left of the track's samples in the current moof: a
// fragment without tfdt starts where the previous one ended, and that end
// is known only by reading them.
Result<void> FragmentCursor::finish_fragment() {
  SampleRun run;
  while (in_traf_) {
    FRUGAL_TRY(bool more, traf_.next(run));
    if (more) {
      FRUGAL_CHECK(advance(run.duration));
      continue;
    }
    FRUGAL_TRY(in_traf_, enter_next_traf());
  }
  return core::ok();
}

Result<void> FragmentCursor::advance(std::uint64_t duration) {
  if (++moof_samples_ > limits_->max_fragment_samples)
    return make_error(Errc::limit_exceeded, "moof: more samples of one track than Limits::max_fragment_samples",
                      moof_.offset);
  const std::uint64_t dts = static_cast<std::uint64_t>(dts_) + duration;
  if (dts > kMaxDecodeTime) return make_error(Errc::malformed, "fragments: decode times past 2^62", moof_.offset);
  dts_ = static_cast<std::int64_t>(dts);
  if (sample_ != kUnknownSample) ++sample_;
  return core::ok();
}

Result<bool> FragmentCursor::next_fragment() {
  FRUGAL_CHECK(finish_fragment());
  BoxReader top(*source_, *limits_, walk_pos_, end_, 0);
  while (true) {
    FRUGAL_TRY(auto box, top.next());
    if (!box || box->type == FourCC("mfra")) {
      moof_ = BoxHeader();
      return false;
    }
    if (box->type != FourCC("moof")) {
      walk_pos_ = box->end();
      continue;
    }
    if (box->truncated) return make_error(Errc::malformed, "moof cut off by end of file", box->offset);
    moof_ = *box;
    moof_child_ = box->body_offset();
    trafs_seen_ = 0;
    moof_samples_ = 0;
    forget_trafs();
    FRUGAL_TRY(bool entered, enter_next_traf());
    walk_pos_ = box->end();
    if (!entered) continue;
    fragment_dts_ = dts_;
    fragment_sample_ = sample_;
    return true;
  }
}

Result<bool> FragmentCursor::next(SampleRun& out) {
  while (true) {
    if (in_traf_) {
      FRUGAL_TRY(bool more, traf_.next(out));
      if (more) break;
      FRUGAL_TRY(in_traf_, enter_next_traf());
      if (in_traf_) continue;
    }
    FRUGAL_TRY(bool fragment, next_fragment());
    if (!fragment) return false;
  }
  out.dts = dts_;
  out.first_sample = sample_;
  out.sample_count = 1;
  FRUGAL_CHECK(advance(out.duration));
  return true;
}

}  // namespace frugal::mp4::detail
