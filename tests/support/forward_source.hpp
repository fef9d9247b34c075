#pragma once
// A memory source that says it cannot seek and has no size, as a pipe
// does: readers must play it forward (tests, fuzz harnesses). The bytes
// must outlive it. Thread-safe.

#include <frugal/core/byte_source.hpp>

namespace frugal::test {

class ForwardSource final : public core::ByteSource {
 public:
  explicit ForwardSource(std::span<const std::byte> bytes) noexcept : inner_(bytes) {}
  core::Result<std::size_t> read_at(std::uint64_t offset, std::span<std::byte> dst) override {
    return inner_.read_at(offset, dst);
  }
  std::optional<std::uint64_t> size() const override { return std::nullopt; }
  bool seekable() const override { return false; }

 private:
  core::MemorySource inner_;
};

}  // namespace frugal::test
