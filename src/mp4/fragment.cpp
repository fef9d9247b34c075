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
                              const TrackExtends& defaults) {
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
      tfdt_ = version == 1 ? r.i64() : std::int64_t{r.u32()};
      if (!r.ok()) return make_error(Errc::malformed, "tfdt too short", box->offset);
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
    const std::uint64_t entry_bytes = 4u * (((trun_flags_ & kSampleDuration) != 0) + ((trun_flags_ & kSampleSize) != 0) +
                                            ((trun_flags_ & kSampleFlags) != 0) +
                                            ((trun_flags_ & kSampleCompositionOffset) != 0));
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

Result<bool> TrafReader::next(SampleRun& out) {
  while (left_ == 0) {
    FRUGAL_TRY(bool more, next_trun());
    if (!more) return false;
  }
  std::array<std::byte, 16> entry{};
  const std::size_t n = 4u * (((trun_flags_ & kSampleDuration) != 0) + ((trun_flags_ & kSampleSize) != 0) +
                              ((trun_flags_ & kSampleFlags) != 0) + ((trun_flags_ & kSampleCompositionOffset) != 0));
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
  dts_ = dts;
  sample_ = sample;
}

// The end of the data of the trafs of the current moof before the one at
// `traf_offset`, each starting where the previous ended unless it names its
// own base (§8.8.7.1). Only trafs that name no base need this.
Result<std::uint64_t> FragmentCursor::data_end_of_trafs_before(std::uint64_t traf_offset) {
  BoxReader children(*source_, *limits_, moof_.body_offset(), moof_.end(), 1);
  std::uint64_t end = moof_.offset;
  while (true) {
    FRUGAL_TRY(auto box, children.next());
    if (!box || box->offset >= traf_offset) return end;
    if (box->type != FourCC("traf")) continue;
    TrafReader earlier;
    FRUGAL_CHECK(earlier.open(*source_, *limits_, *box, moof_.offset, end, TrackExtends{}));
    SampleRun run;
    while (true) {
      FRUGAL_TRY(bool more, earlier.next(run));
      if (!more) break;
    }
    end = earlier.data_end();
  }
}

// Enters the next traf of the track in the current moof; false when none is left.
Result<bool> FragmentCursor::enter_next_traf() {
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
    // The implicit base of a later traf is costly to find (the data of the
    // trafs before it); it is worked out only when the traf needs it.
    FRUGAL_CHECK(traf_.open(*source_, *limits_, *box, moof_.offset, moof_.offset, extends_));
    if (traf_.track_id() != extends_.track_id) continue;
    if (!first && !traf_.explicit_base()) {
      FRUGAL_TRY(std::uint64_t base, data_end_of_trafs_before(box->offset));
      FRUGAL_CHECK(traf_.open(*source_, *limits_, *box, moof_.offset, base, extends_));
    }
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
  dts_ = static_cast<std::int64_t>(static_cast<std::uint64_t>(dts_) + duration);
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
