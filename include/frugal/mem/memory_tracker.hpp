#pragma once
// The memory tracker: every component charges the bytes it holds to a named
// account; the tracker keeps current and peak figures per account and in
// total, enforces a budget and hard limits on the fallible path, and turns
// the total (and any OS pressure sources) into a pressure level delivered to
// subscribers, who shrink what they can.
//
// Delivery semantics (the contract subscribers can rely on):
// - callbacks run only inside dispatch() (called by the owner, or by a
//   DispatchThread), never inside charge()/release(), and never under a lock
//   of the tracker;
// - escalation is delivered at the next dispatch; a lower level only once it
//   has held for TrackerOptions::cooldown_ms (falling further restarts the
//   clock for the new level);
// - levels passed through between two dispatches are merged (normal → high
//   → critical may arrive as critical alone);
// - the same level is never delivered twice in a row, except as the optional
//   re-notification every renotify_ms while above normal;
// - once the level stops changing, the last level delivered equals the
//   current one (given dispatch keeps being called: DispatchThread does).
//
// Thread-safety: all members are safe to call from any thread. Accounts,
// subscriptions and the Charge helper point into their tracker, which must
// outlive them. No floating point; counters are size_t; time is in platform
// ticks — all of it builds for bare metal, where locks are no-ops.

#include <frugal/core/result.hpp>
#include <frugal/mem/pressure.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace frugal::mem {

namespace detail {
struct Node;
struct TrackerState;
}  // namespace detail

struct TrackerOptions {
  /// Bytes all accounts may hold together; 0 = no budget (levels then come
  /// only from pressure sources, and try_charge fails only at hard limits).
  std::size_t budget = 0;
  /// Percent of the budget at which the level becomes high / critical.
  std::uint8_t high_percent = 70;
  std::uint8_t critical_percent = 90;
  /// How long a lower level must hold before it is delivered, milliseconds.
  std::uint32_t cooldown_ms = 1000;
  /// Re-deliver the current level this often while above normal, in
  /// milliseconds (Chromium re-notifies every 10 s); 0 = never.
  std::uint32_t renotify_ms = 0;
};

/// A named account: a handle, cheap to copy. A default-constructed Account is
/// untracked: its charges go nowhere (for components built without a tracker).
class Account {
 public:
  Account() = default;

  /// Adds `bytes` unconditionally: for memory the code itself bounds. The
  /// total may pass the budget; that raises the level. Holds the tracker's
  /// counter lock for a few additions (a no-op lock on bare metal).
  void charge(std::size_t bytes) noexcept;

  /// Adds `bytes` unless this account or one of its ancestors would pass its
  /// hard limit, or the total would pass the budget. Errors:
  /// Errc::out_of_memory (nothing charged, no figure moves).
  core::Result<void> try_charge(std::size_t bytes) noexcept;

  /// Takes back bytes charged earlier. Releasing more than is charged is a
  /// programmer error (FRUGAL_ASSERT).
  void release(std::size_t bytes) noexcept;

  /// Bytes charged now / at most since creation (or reset_peaks), this
  /// account and its descendants together.
  std::size_t current() const noexcept;
  std::size_t peak() const noexcept;
  /// Full path, e.g. "mp4/sample_tables"; "" for an untracked account.
  const char* name() const noexcept;
  explicit operator bool() const noexcept { return node_ != nullptr; }

 private:
  friend class MemoryTracker;
  explicit Account(detail::Node* node) noexcept : node_(node) {}
  detail::Node* node_ = nullptr;
};

/// Bytes held on an account for as long as the Charge lives (move-only).
class Charge {
 public:
  Charge() = default;
  /// Charges `bytes` unconditionally.
  Charge(Account account, std::size_t bytes) noexcept;
  /// Charges `bytes` if the budget and hard limits allow. Errors: Errc::out_of_memory.
  static core::Result<Charge> try_make(Account account, std::size_t bytes) noexcept;

  Charge(Charge&& other) noexcept;
  Charge& operator=(Charge&& other) noexcept;
  Charge(const Charge&) = delete;
  Charge& operator=(const Charge&) = delete;
  ~Charge() { reset(); }

  /// Changes the amount held to `bytes`. Growth is checked against the
  /// budget and hard limits (Errc::out_of_memory, amount unchanged);
  /// shrinking always succeeds.
  core::Result<void> try_resize(std::size_t bytes) noexcept;
  /// Changes the amount held to `bytes`, unconditionally.
  void resize(std::size_t bytes) noexcept;
  /// Releases everything held.
  void reset() noexcept { resize(0); }

  std::size_t bytes() const noexcept { return bytes_; }
  const Account& account() const noexcept { return account_; }

 private:
  Account account_;
  std::size_t bytes_ = 0;
};

using PressureCallback = std::function<void(PressureLevel)>;

/// Keeps a callback subscribed; destroying or reset() unsubscribes. When the
/// callback is running on another thread, unsubscribing waits for it to
/// return; from inside the callback itself it does not wait (and the
/// callback is not called again).
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }
  void reset() noexcept;
  explicit operator bool() const noexcept { return state_ != nullptr; }

 private:
  friend class MemoryTracker;
  Subscription(detail::TrackerState* state, std::uint64_t id) noexcept : state_(state), id_(id) {}
  detail::TrackerState* state_ = nullptr;
  std::uint64_t id_ = 0;
};

/// Figures of one account, for reports.
struct AccountStats {
  const char* name;         ///< full path
  std::size_t current;      ///< bytes
  std::size_t peak;         ///< bytes
  std::size_t hard_limit;   ///< bytes; 0 = none
};

class MemoryTracker {
 public:
  static constexpr std::size_t kMaxAccounts = 64;
  static constexpr std::size_t kMaxNameLength = 47;
  static constexpr std::size_t kMaxSources = 8;

  explicit MemoryTracker(const TrackerOptions& options = {});
  ~MemoryTracker();
  MemoryTracker(const MemoryTracker&) = delete;
  MemoryTracker& operator=(const MemoryTracker&) = delete;

  /// The account at `path` ("a/b/c": charges to it also count in "a/b" and
  /// "a"), created with its parents on first use. `hard_limit` (bytes, 0 =
  /// none) is set when the account is created or when a later call gives one.
  /// Errors: Errc::invalid_argument for an empty path, an empty segment or a
  /// path longer than kMaxNameLength; Errc::limit_exceeded past kMaxAccounts.
  core::Result<Account> account(std::string_view path, std::size_t hard_limit = 0);

  std::size_t budget() const noexcept;
  /// Bytes on all accounts now / at most.
  std::size_t total() const noexcept;
  std::size_t peak_total() const noexcept;
  /// Resets every peak (and the total's) to the current figure.
  void reset_peaks() noexcept;

  /// Number of accounts, and each one's figures (index < account_count()), in
  /// creation order (a parent before its children).
  std::size_t account_count() const noexcept;
  AccountStats account_stats(std::size_t index) const noexcept;

  /// The level last delivered to subscribers.
  PressureLevel level() const noexcept;
  /// The level now: the highest of the budget's and the sources'.
  PressureLevel current_level() const noexcept;

  /// Subscribes `callback` (see the delivery semantics above).
  Subscription subscribe(PressureCallback callback);

  /// Adds a pressure source (it must outlive the tracker or be removed).
  /// Errors: Errc::limit_exceeded past kMaxSources.
  core::Result<void> add_source(PressureSource& source);
  void remove_source(PressureSource& source) noexcept;

  /// Delivers what is due (escalation, a de-escalation whose cooldown has
  /// passed, a re-notification) to the subscribers, on this thread. Returns
  /// the level delivered last. A dispatch() called while another is
  /// delivering (on another thread, or from inside a callback) returns at
  /// once; the running one picks the change up.
  PressureLevel dispatch();

  /// Tells a waiting dispatcher that the level may have changed (pressure
  /// sources call it). Charges that change the budget level do it themselves.
  void wake() noexcept;

  /// Blocks until wake() or until something falls due (a cooldown, a
  /// re-notification), at most `max_ms`. Returns at once on bare metal.
  void wait_for_work(std::uint32_t max_ms);

 private:
  std::unique_ptr<detail::TrackerState> state_;
};

/// The tracker components use when given none: no budget, no sources.
MemoryTracker& default_tracker();

}  // namespace frugal::mem
