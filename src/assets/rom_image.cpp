#include <frugal/assets/rom_image.hpp>

#include "assets/page_cache.hpp"
#include "assets/rom_header.hpp"
#include "sync.hpp"

#include <algorithm>

namespace frugal::assets {

using core::Errc;
using core::make_error;

namespace {
constexpr std::uint64_t kCopierHeaderBytes = 512;
constexpr std::uint64_t kBankBytes = 0x8000;  // a LoROM bank: the smallest ROM
}  // namespace

const char* chip_name(RomChip chip) noexcept {
  switch (chip) {
    case RomChip::none: return "none";
    case RomChip::dsp1: return "dsp1";
    case RomChip::superfx: return "superfx";
    case RomChip::obc1: return "obc1";
    case RomChip::sa1: return "sa1";
    case RomChip::sdd1: return "sdd1";
    case RomChip::srtc: return "srtc";
    case RomChip::other: return "other";
    case RomChip::spc7110: return "spc7110";
    case RomChip::st010: return "st010";
    case RomChip::st018: return "st018";
    case RomChip::cx4: return "cx4";
    case RomChip::unknown: break;
  }
  return "unknown";
}

struct RomImage::Impl {
  Impl(core::ByteSource& source, std::uint64_t copier, std::uint64_t image_bytes, mem::Account account)
      : copier_bytes(copier), size(image_bytes), cache(source, copier, image_bytes, kPageBytes, account) {}

  RomHeader header;
  std::uint64_t copier_bytes;
  std::uint64_t size;
  std::size_t configured_pages = 0;
  platform::Mutex mutex;
  detail::PageCache cache;  // under mutex
  // Pressure arrives on the tracker's dispatch thread; the next read applies it.
  platform::Atomic<int> pending_level{-1};
  mem::Subscription pressure;

  void apply_pressure() {
    const int level = pending_level.exchange(-1);
    if (level < 0 || configured_pages == 0) return;
    std::size_t pages = configured_pages;
    if (level == static_cast<int>(mem::PressureLevel::high)) pages = std::max<std::size_t>(1, pages / 2);
    if (level == static_cast<int>(mem::PressureLevel::critical)) pages = 1;
    // Growing back may fail against the budget: the cache then stays small.
    (void)cache.resize(pages);
  }
};

std::size_t RomImage::cache_bytes(std::size_t pages) noexcept {
  return detail::PageCache::bytes_for(pages, kPageBytes);
}

core::Result<RomImage> RomImage::open(core::ByteSource& source, const RomOptions& options) {
  const std::optional<std::uint64_t> file_bytes = source.size();
  if (!file_bytes) return make_error(Errc::unsupported, "a ROM image needs a source with a known size");
  const std::uint64_t copier = *file_bytes % kBankBytes == kCopierHeaderBytes ? kCopierHeaderBytes : 0;
  const std::uint64_t size = *file_bytes - copier;
  if (size < kBankBytes) return make_error(Errc::malformed, "smaller than 32 KiB: not an SNES ROM image");
  if (size > options.max_image_bytes) return make_error(Errc::limit_exceeded, "ROM image larger than max_image_bytes");

  FRUGAL_TRY(const std::uint16_t computed, detail::computed_checksum(source, copier, size));
  FRUGAL_TRY(RomHeader header, detail::detect_header(source, copier, size, computed));

  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account account, tracker.account("assets/rom_pages"));
  auto impl = std::make_unique<Impl>(source, copier, size, account);
  impl->header = header;
  impl->configured_pages = options.cache_pages;
  FRUGAL_CHECK(impl->cache.resize(options.cache_pages));
  Impl* p = impl.get();
  impl->pressure = tracker.subscribe([p](mem::PressureLevel level) { p->pending_level.store(static_cast<int>(level)); });
  return RomImage(std::move(impl));
}

RomImage::RomImage(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
RomImage::RomImage(RomImage&&) noexcept = default;
RomImage& RomImage::operator=(RomImage&&) noexcept = default;
RomImage::~RomImage() = default;

const RomHeader& RomImage::header() const noexcept { return impl_->header; }
bool RomImage::copier_header() const noexcept { return impl_->copier_bytes != 0; }
std::uint64_t RomImage::size() const noexcept { return impl_->size; }

core::Result<void> RomImage::read(std::uint64_t offset, std::span<std::byte> dst) {
  if (offset > impl_->size || dst.size() > impl_->size - offset)
    return make_error(Errc::invalid_argument, "read past the end of the ROM image", offset);
  platform::LockGuard lock(impl_->mutex);
  impl_->apply_pressure();
  return impl_->cache.read(offset, dst);
}

std::size_t RomImage::cache_pages() const noexcept {
  platform::LockGuard lock(impl_->mutex);
  return impl_->cache.pages();
}

std::uint64_t RomImage::page_reads() const noexcept {
  platform::LockGuard lock(impl_->mutex);
  return impl_->cache.page_reads();
}

}  // namespace frugal::assets
