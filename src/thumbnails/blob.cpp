#include <frugal/thumbnails/blob.hpp>

#include <new>

namespace frugal::thumbnails {

core::Result<Blob> make_blob(std::span<const std::byte> bytes) noexcept {
  try {
    return Blob(std::make_shared<const std::vector<std::byte>>(bytes.begin(), bytes.end()));
  } catch (const std::bad_alloc&) {
    return core::make_error(core::Errc::out_of_memory, "thumbnails: no memory for a blob");
  }
}

core::Result<Blob> make_blob(std::vector<std::byte>&& bytes) noexcept {
  try {
    // make_shared allocates before it moves from `bytes`.
    return Blob(std::make_shared<const std::vector<std::byte>>(std::move(bytes)));
  } catch (const std::bad_alloc&) {
    return core::make_error(core::Errc::out_of_memory, "thumbnails: no memory for a blob");
  }
}

}  // namespace frugal::thumbnails
