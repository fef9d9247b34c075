#include <frugal/mem/tracked_resource.hpp>

#include <new>

namespace frugal::mem {

void* TrackedResource::do_allocate(std::size_t bytes, std::size_t alignment) {
  void* p = upstream_->allocate(bytes, alignment);
  account_.charge(bytes);
  return p;
}

void TrackedResource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  upstream_->deallocate(p, bytes, alignment);
  account_.release(bytes);
}

void TrackedBuffer::Free::operator()(std::byte* p) const noexcept { ::operator delete(p); }

core::Result<TrackedBuffer> TrackedBuffer::try_allocate(Account account, std::size_t bytes) noexcept {
  FRUGAL_TRY(Charge charge, Charge::try_make(account, bytes));
  auto* p = static_cast<std::byte*>(::operator new(bytes, std::nothrow));
  if (!p && bytes) return core::make_error(core::Errc::out_of_memory, "heap allocation failed");
  TrackedBuffer b;
  b.data_.reset(p);
  b.charge_ = std::move(charge);
  return b;
}

}  // namespace frugal::mem
