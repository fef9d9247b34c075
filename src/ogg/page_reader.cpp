#include "ogg/page_reader.hpp"

#include <algorithm>

namespace frugal::ogg::detail {

using core::Errc;
using core::make_error;

namespace {
constexpr long kChunk = 8192;  // bytes read from the source at a time
}

PageReader::PageReader(core::ByteSource& source, mem::Account account) noexcept
    : source_(source), charge_(account, 0) {
  ogg_sync_init(&sync_);
}

void PageReader::seek(std::uint64_t offset) noexcept {
  ogg_sync_reset(&sync_);
  fed_ = at_ = offset;
}

core::Result<bool> PageReader::next(Page& out, std::uint64_t limit) {
  for (;;) {
    const long n = ogg_sync_pageseek(&sync_, &out.page);
    if (n > 0) {
      out.offset = at_;
      out.size = static_cast<std::uint32_t>(n);
      at_ += static_cast<std::uint64_t>(n);
      return out.offset < limit;
    }
    if (n < 0) {
      at_ += static_cast<std::uint64_t>(-n);  // skipped: not a page, or its CRC fails
      continue;
    }
    if (at_ >= limit) return false;
    // ogg_sync_buffer keeps the unreturned bytes and grows to them + the
    // request + 4096 when they do not fit: charge that first.
    const long kept = sync_.fill - sync_.returned;
    if (kChunk > sync_.storage - kept)
      FRUGAL_CHECK(charge_.try_resize(static_cast<std::size_t>(kept + kChunk + 4096)));
    char* buffer = ogg_sync_buffer(&sync_, kChunk);
    charge_.resize(static_cast<std::size_t>(std::max(sync_.storage, 0)));
    if (!buffer) return make_error(Errc::out_of_memory, "Ogg: sync buffer allocation failed");
    FRUGAL_TRY(std::size_t got, source_.read_at(fed_, std::span(reinterpret_cast<std::byte*>(buffer), kChunk)));
    if (got == 0) return false;
    ogg_sync_wrote(&sync_, static_cast<long>(got));
    fed_ += got;
  }
}

}  // namespace frugal::ogg::detail
