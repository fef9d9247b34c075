#include <frugal/core/assert.hpp>
#include <frugal/core/error.hpp>

#include <cstdio>
#include <cstdlib>

namespace frugal::core {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::io: return "io";
    case Errc::malformed: return "malformed";
    case Errc::unsupported: return "unsupported";
    case Errc::limit_exceeded: return "limit_exceeded";
    case Errc::out_of_memory: return "out_of_memory";
    case Errc::seek: return "seek";
    case Errc::end_of_stream: return "end_of_stream";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::cancelled: return "cancelled";
  }
  return "unknown";
}

namespace {

void default_assert_handler(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "frugal: assertion failed: %s (%s:%d)\n", expression, file, line);
  std::abort();
}

AssertHandler g_assert_handler = default_assert_handler;

}  // namespace

AssertHandler set_assert_handler(AssertHandler handler) noexcept {
  AssertHandler previous = g_assert_handler;
  g_assert_handler = handler ? handler : default_assert_handler;
  return previous;
}

void assert_failed(const char* expression, const char* file, int line) noexcept {
  g_assert_handler(expression, file, line);
  std::abort();  // a handler must not return
}

}  // namespace frugal::core
