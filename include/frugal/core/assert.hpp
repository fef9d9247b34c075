#pragma once
// Programmer-error checks (ETL style). A failed FRUGAL_ASSERT means frugal was
// misused (e.g. reading the value of a failed Result), never bad input: bad
// input is reported through Result. The handler is process-wide and
// replaceable; the default prints the location and aborts.

namespace frugal::core {

/// Called on a failed assertion; must not return.
using AssertHandler = void (*)(const char* expression, const char* file, int line);

/// Installs `handler` (nullptr restores the default). Not thread-safe: call at
/// start-up. Returns the previous handler.
AssertHandler set_assert_handler(AssertHandler handler) noexcept;

[[noreturn]] void assert_failed(const char* expression, const char* file, int line) noexcept;

}  // namespace frugal::core

#define FRUGAL_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::frugal::core::assert_failed(#cond, __FILE__, __LINE__))
