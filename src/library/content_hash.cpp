#include "library/content_hash.hpp"

#define XXH_STATIC_LINKING_ONLY  // sizeof(XXH3_state_t), for the charge
#include <xxhash.h>

#include <new>

namespace frugal::library::detail {

using core::Errc;
using core::make_error;

void ContentHasher::StateDeleter::operator()(void* state) const noexcept {
  XXH3_freeState(static_cast<XXH3_state_t*>(state));
}

core::Result<ContentHasher> ContentHasher::create(mem::Account account, std::size_t chunk_bytes) {
  FRUGAL_TRY(mem::Charge charge, mem::Charge::try_make(account, chunk_bytes + sizeof(XXH3_state_t)));
  ContentHasher h;
  h.state_.reset(XXH3_createState());
  if (!h.state_) return make_error(Errc::out_of_memory, "scan: no memory for the XXH3 state");
  try {
    h.buffer_.resize(chunk_bytes);
  } catch (const std::bad_alloc&) {
    return make_error(Errc::out_of_memory, "scan: no memory for the read buffer");
  }
  h.charge_ = std::move(charge);
  return h;
}

core::Result<std::span<const std::byte>> ContentHasher::read_head(core::ByteSource& source) {
  FRUGAL_TRY(head_bytes_, source.read_at(0, buffer_));
  return std::span<const std::byte>(buffer_).first(head_bytes_);
}

core::Result<ContentHash> ContentHasher::hash(core::ByteSource& source, std::uint64_t size,
                                              const std::atomic<bool>& stop, std::atomic<std::uint64_t>& hashed) {
  auto* state = static_cast<XXH3_state_t*>(state_.get());
  if (XXH3_128bits_reset(state) != XXH_OK) return make_error(Errc::io, "XXH3: reset failed");
  std::uint64_t offset = 0;
  std::size_t n = head_bytes_;
  while (true) {
    if (n == 0 && offset < size) return make_error(Errc::io, "file shrank while hashed", offset);
    if (XXH3_128bits_update(state, buffer_.data(), n) != XXH_OK) return make_error(Errc::io, "XXH3: update failed");
    offset += n;
    hashed.fetch_add(n, std::memory_order_relaxed);
    if (offset >= size) break;
    if (stop.load(std::memory_order_relaxed)) return make_error(Errc::cancelled, "scan cancelled");
    FRUGAL_TRY(n, source.read_at(offset, buffer_));
  }
  const XXH128_hash_t digest = XXH3_128bits_digest(state);
  return ContentHash{digest.high64, digest.low64};
}

}  // namespace frugal::library::detail
