#pragma once
// Internal: a file's XXH3-128 (xxHash 0.8, seed 0), read through a ByteSource
// in chunks of a fixed buffer. The first chunk doubles as the head the
// scanner sniffs the content from. One per I/O worker; not thread-safe.

#include <frugal/core/byte_source.hpp>
#include <frugal/library/record.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace frugal::library::detail {

class ContentHasher {
 public:
  /// A hasher reading `chunk_bytes` at a time; the buffer and the XXH3 state
  /// are charged to `account`. Errors: Errc::out_of_memory.
  static core::Result<ContentHasher> create(mem::Account account, std::size_t chunk_bytes);

  /// Reads the first chunk of `source` (fewer bytes for a shorter file).
  /// Errors: the source's.
  core::Result<std::span<const std::byte>> read_head(core::ByteSource& source);

  /// Hashes the whole of `source` (`size` bytes), the head read by
  /// read_head() first. Adds each chunk's bytes to `hashed`; checks `stop`
  /// between chunks. Errors: Errc::io (the source's; a file shorter than
  /// `size`); Errc::cancelled.
  core::Result<ContentHash> hash(core::ByteSource& source, std::uint64_t size, const std::atomic<bool>& stop,
                                 std::atomic<std::uint64_t>& hashed);

 private:
  struct StateDeleter {
    void operator()(void* state) const noexcept;
  };
  ContentHasher() = default;
  std::unique_ptr<void, StateDeleter> state_;
  std::vector<std::byte> buffer_;
  std::size_t head_bytes_ = 0;
  mem::Charge charge_;
};

}  // namespace frugal::library::detail
