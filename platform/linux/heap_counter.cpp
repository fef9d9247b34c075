// Counts heap use by replacing malloc, free, calloc, realloc and the aligned
// allocators with wrappers around glibc's own (__libc_*), per the glibc
// manual's "Replacing malloc". Sizes are malloc_usable_size, so a block
// counts what it really occupies.
#include "heap_counter.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FRUGAL_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FRUGAL_SANITIZED 1
#endif

#if defined(__GLIBC__) && !defined(FRUGAL_SANITIZED)

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <malloc.h>
#include <unistd.h>

extern "C" {
void* __libc_malloc(std::size_t);
void __libc_free(void*);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
}

namespace {

std::atomic<std::uint64_t> g_current{0};
std::atomic<std::uint64_t> g_peak{0};
std::atomic<std::uint64_t> g_allocations{0};

void* counted(void* p) noexcept {
  if (!p) return p;
  const std::uint64_t now = g_current.fetch_add(malloc_usable_size(p), std::memory_order_relaxed) +
                            malloc_usable_size(p);
  std::uint64_t seen = g_peak.load(std::memory_order_relaxed);
  while (now > seen && !g_peak.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return p;
}

void uncount(void* p) noexcept {
  if (p) g_current.fetch_sub(malloc_usable_size(p), std::memory_order_relaxed);
}

}  // namespace

extern "C" {

void* malloc(std::size_t n) { return counted(__libc_malloc(n)); }
void free(void* p) {
  uncount(p);
  __libc_free(p);
}
void* calloc(std::size_t n, std::size_t size) { return counted(__libc_calloc(n, size)); }
void* realloc(void* p, std::size_t n) {
  if (p && n == 0) {  // glibc frees the block and returns null
    uncount(p);
    return __libc_realloc(p, 0);
  }
  const std::size_t old = p ? malloc_usable_size(p) : 0;
  void* q = __libc_realloc(p, n);
  if (!q) return q;  // on failure the old block stays, counted
  g_current.fetch_sub(old, std::memory_order_relaxed);
  return counted(q);
}
void* memalign(std::size_t alignment, std::size_t n) { return counted(__libc_memalign(alignment, n)); }
void* aligned_alloc(std::size_t alignment, std::size_t n) { return counted(__libc_memalign(alignment, n)); }
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
  if (alignment % sizeof(void*) || (alignment & (alignment - 1))) return EINVAL;
  void* p = __libc_memalign(alignment, n);
  if (!p) return ENOMEM;
  *out = counted(p);
  return 0;
}
void* reallocarray(void* p, std::size_t n, std::size_t size) {  // glibc's own would bypass realloc above
  if (size && n > static_cast<std::size_t>(-1) / size) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(p, n * size);
}
void* pvalloc(std::size_t n) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return counted(__libc_memalign(page, (n + page - 1) / page * page));
}
void* valloc(std::size_t n) { return counted(__libc_memalign(static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), n)); }

}  // extern "C"

namespace frugal::platform {

HeapCounts heap_counts() noexcept {
  return HeapCounts{true, g_current.load(), g_peak.load(), g_allocations.load()};
}

void reset_heap_peak() noexcept { g_peak.store(g_current.load()); }

}  // namespace frugal::platform

#else

namespace frugal::platform {

HeapCounts heap_counts() noexcept { return HeapCounts{}; }
void reset_heap_peak() noexcept {}

}  // namespace frugal::platform

#endif
