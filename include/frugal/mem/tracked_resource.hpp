#pragma once
// Allocation through the tracker.
//
// - TrackedResource: a std::pmr::memory_resource that charges an account for
//   every allocation, for containers whose sizes frugal's code bounds itself
//   (charging is unconditional: the level rises, nothing fails).
// - TrackedBuffer::try_allocate: the fallible path for sizes that come from
//   input: fails with Errc::out_of_memory past the budget or a hard limit, or
//   when the heap refuses, without exceptions.
//
// Thread-safety: a TrackedResource may be shared by threads when its
// upstream may; a TrackedBuffer is a plain owner.

#include <frugal/mem/memory_tracker.hpp>

#include <cstddef>
#include <memory_resource>
#include <span>

namespace frugal::mem {

class TrackedResource final : public std::pmr::memory_resource {
 public:
  explicit TrackedResource(Account account,
                           std::pmr::memory_resource* upstream = std::pmr::new_delete_resource()) noexcept
      : account_(account), upstream_(upstream) {}
  const Account& account() const noexcept { return account_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  Account account_;
  std::pmr::memory_resource* upstream_;
};

/// Bytes from the heap, charged to an account while they live (move-only).
class TrackedBuffer {
 public:
  TrackedBuffer() = default;
  /// `bytes` uninitialised bytes. Errors: Errc::out_of_memory when the
  /// budget or a hard limit would be passed, or the heap has no room.
  static core::Result<TrackedBuffer> try_allocate(Account account, std::size_t bytes) noexcept;

  TrackedBuffer(TrackedBuffer&& other) noexcept = default;
  TrackedBuffer& operator=(TrackedBuffer&& other) noexcept = default;

  std::span<std::byte> span() noexcept { return {data_.get(), charge_.bytes()}; }
  std::span<const std::byte> span() const noexcept { return {data_.get(), charge_.bytes()}; }
  std::size_t size() const noexcept { return charge_.bytes(); }

 private:
  struct Free {
    void operator()(std::byte* p) const noexcept;
  };
  std::unique_ptr<std::byte, Free> data_;
  Charge charge_;
};

}  // namespace frugal::mem
