#pragma once
// Result<T>: a value or an Error, returned by every fallible frugal call
// (std::expected is C++23; this is the subset frugal needs). Reading the value
// of a failed Result is a programmer error (FRUGAL_ASSERT).
// Thread-safety: plain values.

#include <frugal/core/assert.hpp>
#include <frugal/core/error.hpp>

#include <new>
#include <type_traits>
#include <utility>

namespace frugal::core {

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : ok_(true) { new (&value_) T(value); }
  Result(T&& value) : ok_(true) { new (&value_) T(std::move(value)); }
  Result(Error error) : ok_(false) { new (&error_) Error(error); }

  Result(const Result& other) : ok_(other.ok_) {
    if (ok_) new (&value_) T(other.value_);
    else new (&error_) Error(other.error_);
  }
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(other.ok_) {
    if (ok_) new (&value_) T(std::move(other.value_));
    else new (&error_) Error(other.error_);
  }
  Result& operator=(Result other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    destroy();
    ok_ = other.ok_;
    if (ok_) new (&value_) T(std::move(other.value_));
    else new (&error_) Error(other.error_);
    return *this;
  }
  ~Result() { destroy(); }

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }

  T& value() & { FRUGAL_ASSERT(ok_); return value_; }
  const T& value() const& { FRUGAL_ASSERT(ok_); return value_; }
  T&& value() && { FRUGAL_ASSERT(ok_); return std::move(value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { FRUGAL_ASSERT(!ok_); return error_; }

 private:
  void destroy() noexcept {
    if (ok_) value_.~T();
  }

  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : ok_(false), error_(error) {}

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const { FRUGAL_ASSERT(ok_); }
  const Error& error() const { FRUGAL_ASSERT(!ok_); return error_; }

 private:
  bool ok_ = true;
  Error error_{};
};

/// A successful Result<void>.
inline Result<void> ok() { return {}; }

}  // namespace frugal::core

/// Evaluates `expr` (a Result); on failure returns its error from the
/// enclosing function.
#define FRUGAL_CHECK(expr)                                   \
  do {                                                        \
    auto&& frugal_check_result_ = (expr);                     \
    if (!frugal_check_result_) return frugal_check_result_.error(); \
  } while (0)

#define FRUGAL_CONCAT_INNER(a, b) a##b
#define FRUGAL_CONCAT(a, b) FRUGAL_CONCAT_INNER(a, b)

/// `FRUGAL_TRY(auto x, expr)`: declares x from the value of Result `expr`, or
/// returns its error from the enclosing function.
#define FRUGAL_TRY(decl, expr) FRUGAL_TRY_IMPL(FRUGAL_CONCAT(frugal_try_, __LINE__), decl, expr)
#define FRUGAL_TRY_IMPL(tmp, decl, expr)   \
  auto tmp = (expr);                        \
  if (!tmp) return tmp.error();             \
  decl = std::move(tmp).value()
