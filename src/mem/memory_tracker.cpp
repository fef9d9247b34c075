#include <frugal/mem/memory_tracker.hpp>

#include "sync.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

namespace frugal::mem {

using core::Errc;
using core::make_error;
using platform::LockGuard;
using platform::UniqueLock;

const char* pressure_level_name(PressureLevel level) noexcept {
  switch (level) {
    case PressureLevel::normal: return "normal";
    case PressureLevel::high: return "high";
    case PressureLevel::critical: return "critical";
  }
  return "normal";
}

namespace detail {

// One account. The root node is the total; every other node has a parent.
struct Node {
  TrackerState* tracker = nullptr;
  Node* parent = nullptr;
  char name[MemoryTracker::kMaxNameLength + 1] = {};
  platform::Atomic<std::size_t> hard_limit{0};
  platform::Atomic<std::size_t> current{0};
  platform::Atomic<std::size_t> peak{0};
};

struct Subscriber {
  std::uint64_t id = 0;
  PressureCallback callback;
  bool removed = false;
  bool running = false;
  platform::ThreadId running_on{};
};

struct TrackerState {
  TrackerOptions options;
  std::size_t high_bytes = 0;      // budget level thresholds
  std::size_t critical_bytes = 0;
  std::uint64_t cooldown_ticks = 0;
  std::uint64_t renotify_ticks = 0;

  Node total;
  Node nodes[MemoryTracker::kMaxAccounts];
  platform::Atomic<std::size_t> node_count{0};
  platform::Mutex accounts_mutex;  // account creation

  // Every change to the counters (and the budget level derived from them)
  // happens under counters_mutex, so a refused try_charge never shows
  // anywhere and the level always matches the total. Readers load without it.
  platform::SpinLock counters_mutex;
  platform::Atomic<std::uint8_t> budget_level{0};
  platform::Mutex sources_mutex;
  PressureSource* sources[MemoryTracker::kMaxSources] = {};

  // Dispatch state, guarded by dispatch_mutex (never held during callbacks).
  platform::Mutex dispatch_mutex;
  platform::Atomic<bool> dispatching{false};
  platform::Atomic<std::uint8_t> delivered{0};
  std::uint64_t below_since = 0;   // since when the level has been `below_level` < delivered; 0 = not below
  PressureLevel below_level = PressureLevel::normal;
  std::uint64_t last_delivery = 0;

  // Subscribers, guarded by subscribers_mutex; done_cv signals a callback returning.
  platform::Mutex subscribers_mutex;
  platform::CondVar done_cv;
  std::vector<std::unique_ptr<Subscriber>> subscribers;
  std::uint64_t next_id = 1;

  // Wake-ups for wait_for_work.
  platform::Mutex wake_mutex;
  platform::CondVar wake_cv;
  bool woken = false;

  PressureLevel level_of(std::size_t total_bytes) const noexcept {
    if (options.budget == 0) return PressureLevel::normal;
    if (total_bytes >= critical_bytes) return PressureLevel::critical;
    if (total_bytes >= high_bytes) return PressureLevel::high;
    return PressureLevel::normal;
  }

  // After the total changed (counters_mutex held): the new budget level;
  // true when it differs from the last one, so the caller wakes the dispatcher.
  bool update_budget_level(std::size_t total_bytes) noexcept {
    const auto level = static_cast<std::uint8_t>(level_of(total_bytes));
    if (budget_level.load(std::memory_order_relaxed) == level) return false;
    budget_level.store(level, std::memory_order_relaxed);
    return true;
  }

  void wake() noexcept {
    {
      LockGuard lock(wake_mutex);
      woken = true;
    }
    wake_cv.notify_all();
  }

  PressureLevel current_level() noexcept {
    auto level = static_cast<PressureLevel>(budget_level.load());
    LockGuard lock(sources_mutex);
    for (PressureSource* s : sources) {
      if (!s) continue;
      const PressureLevel l = s->level();  // read once: a source may change meanwhile
      if (l > level) level = l;
    }
    return level;
  }

  // What dispatch should deliver now, if anything (dispatch_mutex held).
  // Asking twice gives the same answer: only commit() moves the state on
  // (starting the cooldown clock is idempotent).
  bool due(std::uint64_t now, PressureLevel& out) noexcept {
    const PressureLevel target = current_level();
    const auto last = static_cast<PressureLevel>(delivered.load());
    if (target > last) {
      out = target;
      return true;
    }
    if (target < last) {
      // The clock runs for one lower level: falling further (or rising but
      // staying below) starts it again, so what is delivered has held for
      // the whole cooldown.
      if (below_since == 0 || below_level != target) {
        below_since = now ? now : 1;
        below_level = target;
      }
      if (now - below_since < cooldown_ticks) return false;
      out = target;
      return true;
    }
    below_since = 0;  // back at the delivered level: a later drop starts a new cooldown
    if (last != PressureLevel::normal && renotify_ticks && now - last_delivery >= renotify_ticks) {
      out = last;
      return true;
    }
    return false;
  }

  void commit(PressureLevel level, std::uint64_t now) noexcept {
    delivered.store(static_cast<std::uint8_t>(level));
    last_delivery = now;
    below_since = 0;
  }

  // Calls every live subscriber with `level`, none under a lock. Subscribers
  // are visited in id order, so additions and removals during the loop are safe.
  void deliver(PressureLevel level) {
    std::uint64_t after = 0;
    UniqueLock lock(subscribers_mutex);
    while (true) {
      Subscriber* next = nullptr;
      for (auto& s : subscribers)
        if (!s->removed && s->id > after && (!next || s->id < next->id)) next = s.get();
      if (!next) break;
      after = next->id;
      next->running = true;
      next->running_on = platform::this_thread_id();
      lock.unlock();
      next->callback(level);
      lock.lock();
      next->running = false;
      done_cv.notify_all();
    }
    auto dead = take_subscribers([](const Subscriber& s) { return s.removed && !s.running; });
    lock.unlock();
    // `dead` goes here, after the lock: a callback's capture may own another
    // Subscription, whose destructor takes the lock again.
  }

  // Moves the subscribers matching `pred` out of the list (subscribers_mutex held).
  template <typename Pred>
  std::vector<std::unique_ptr<Subscriber>> take_subscribers(Pred pred) {
    std::vector<std::unique_ptr<Subscriber>> taken;
    for (auto& s : subscribers)
      if (pred(*s)) taken.push_back(std::move(s));
    std::erase(subscribers, nullptr);
    return taken;
  }

  void unsubscribe(std::uint64_t id) noexcept {
    UniqueLock lock(subscribers_mutex);
    // Looked up by id each time: deliver() may remove the entry meanwhile.
    auto find = [&]() -> Subscriber* {
      for (auto& p : subscribers)
        if (p->id == id) return p.get();
      return nullptr;
    };
    Subscriber* s = find();
    if (!s) return;
    s->removed = true;
    if (s->running && s->running_on == platform::this_thread_id()) return;  // inside its callback: deliver() removes it
    done_cv.wait(lock, [&] {
      const Subscriber* x = find();
      return !x || !x->running;
    });
    auto dead = take_subscribers([id](const Subscriber& x) { return x.id == id; });
    lock.unlock();  // `dead` is destroyed after the lock (see deliver())
  }

  std::uint64_t ms_to_ticks(std::uint32_t ms) const noexcept {
    return platform::kTicksPerSecond / 1000 * ms + platform::kTicksPerSecond % 1000 * ms / 1000;
  }
};

namespace {

// floor(value * percent / 100) without overflow.
std::size_t percent_of(std::size_t value, unsigned percent) {
  return value / 100 * percent + value % 100 * percent / 100;
}

// Counters change under counters_mutex, whose acquire/release orders them;
// readers load them without it. Relaxed loads and stores are enough (and
// plain moves on x86, unlike seq_cst stores).
constexpr auto kRelaxed = std::memory_order_relaxed;

void add(Node& n, std::size_t bytes) noexcept {
  const std::size_t now = n.current.load(kRelaxed) + bytes;
  n.current.store(now, kRelaxed);
  if (now > n.peak.load(kRelaxed)) n.peak.store(now, kRelaxed);
}

void subtract(Node& n, std::size_t bytes) noexcept {
  const std::size_t before = n.current.load(kRelaxed);
  FRUGAL_ASSERT(before >= bytes);  // releasing more than was charged
  n.current.store(before - bytes, kRelaxed);
}

// `n` can take `bytes` more without passing `limit` (0 = none).
bool fits(const Node& n, std::size_t bytes, std::size_t limit) noexcept {
  const std::size_t cur = n.current.load(kRelaxed);
  return !limit || (bytes <= limit && cur <= limit - bytes);
}

}  // namespace
}  // namespace detail

// ---- Account ----------------------------------------------------------------

void Account::charge(std::size_t bytes) noexcept {
  if (!node_ || bytes == 0) return;
  detail::TrackerState& t = *node_->tracker;
  bool level_changed;
  {
    platform::SpinGuard lock(t.counters_mutex);
    for (detail::Node* n = node_; n; n = n->parent) detail::add(*n, bytes);
    detail::add(t.total, bytes);
    level_changed = t.update_budget_level(t.total.current.load(std::memory_order_relaxed));
  }
  if (level_changed) t.wake();
}

core::Result<void> Account::try_charge(std::size_t bytes) noexcept {
  if (!node_ || bytes == 0) return core::ok();
  detail::TrackerState& t = *node_->tracker;
  bool level_changed;
  {
    platform::SpinGuard lock(t.counters_mutex);
    // Every limit is checked before anything changes.
    for (const detail::Node* n = node_; n; n = n->parent)
      if (!detail::fits(*n, bytes, n->hard_limit.load()))
        return make_error(Errc::out_of_memory, "memory account limit reached");
    if (!detail::fits(t.total, bytes, t.options.budget)) return make_error(Errc::out_of_memory, "memory budget reached");
    for (detail::Node* n = node_; n; n = n->parent) detail::add(*n, bytes);
    detail::add(t.total, bytes);
    level_changed = t.update_budget_level(t.total.current.load(std::memory_order_relaxed));
  }
  if (level_changed) t.wake();
  return core::ok();
}

void Account::release(std::size_t bytes) noexcept {
  if (!node_ || bytes == 0) return;
  detail::TrackerState& t = *node_->tracker;
  bool level_changed;
  {
    platform::SpinGuard lock(t.counters_mutex);
    for (detail::Node* n = node_; n; n = n->parent) detail::subtract(*n, bytes);
    detail::subtract(t.total, bytes);
    level_changed = t.update_budget_level(t.total.current.load(std::memory_order_relaxed));
  }
  if (level_changed) t.wake();
}

std::size_t Account::current() const noexcept { return node_ ? node_->current.load() : 0; }
std::size_t Account::peak() const noexcept { return node_ ? node_->peak.load() : 0; }
const char* Account::name() const noexcept { return node_ ? node_->name : ""; }

// ---- Charge -----------------------------------------------------------------

Charge::Charge(Account account, std::size_t bytes) noexcept : account_(account), bytes_(bytes) {
  account_.charge(bytes);
}

core::Result<Charge> Charge::try_make(Account account, std::size_t bytes) noexcept {
  FRUGAL_CHECK(account.try_charge(bytes));
  Charge c;
  c.account_ = account;
  c.bytes_ = bytes;
  return c;
}

Charge::Charge(Charge&& other) noexcept : account_(other.account_), bytes_(other.bytes_) { other.bytes_ = 0; }

Charge& Charge::operator=(Charge&& other) noexcept {
  if (this != &other) {
    reset();
    account_ = other.account_;
    bytes_ = other.bytes_;
    other.bytes_ = 0;
  }
  return *this;
}

core::Result<void> Charge::try_resize(std::size_t bytes) noexcept {
  if (bytes > bytes_) FRUGAL_CHECK(account_.try_charge(bytes - bytes_));
  else account_.release(bytes_ - bytes);
  bytes_ = bytes;
  return core::ok();
}

void Charge::resize(std::size_t bytes) noexcept {
  if (bytes > bytes_) account_.charge(bytes - bytes_);
  else account_.release(bytes_ - bytes);
  bytes_ = bytes;
}

// ---- Subscription -------------------------------------------------------------

Subscription::Subscription(Subscription&& other) noexcept : state_(other.state_), id_(other.id_) {
  other.state_ = nullptr;
}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = other.state_;
    id_ = other.id_;
    other.state_ = nullptr;
  }
  return *this;
}

void Subscription::reset() noexcept {
  if (state_) state_->unsubscribe(id_);
  state_ = nullptr;
}

// ---- MemoryTracker --------------------------------------------------------------

MemoryTracker::MemoryTracker(const TrackerOptions& options) : state_(std::make_unique<detail::TrackerState>()) {
  detail::TrackerState& t = *state_;
  t.options = options;
  t.high_bytes = detail::percent_of(options.budget, options.high_percent);
  t.critical_bytes = detail::percent_of(options.budget, options.critical_percent);
  t.cooldown_ticks = t.ms_to_ticks(options.cooldown_ms);
  t.renotify_ticks = t.ms_to_ticks(options.renotify_ms);
  t.total.tracker = &t;
  for (detail::Node& n : t.nodes) n.tracker = &t;
}

MemoryTracker::~MemoryTracker() = default;

core::Result<Account> MemoryTracker::account(std::string_view path, std::size_t hard_limit) {
  if (path.empty() || path.size() > kMaxNameLength || path.front() == '/' || path.back() == '/' ||
      path.find("//") != std::string_view::npos)
    return make_error(Errc::invalid_argument, "account path empty, too long or with an empty segment");
  detail::TrackerState& t = *state_;
  LockGuard lock(t.accounts_mutex);
  const std::size_t count = t.node_count.load();
  auto find = [&](std::string_view name) -> detail::Node* {
    for (std::size_t i = 0; i < t.node_count.load(); ++i)
      if (name == t.nodes[i].name) return &t.nodes[i];
    return nullptr;
  };
  // Count what is missing first: a path that does not fit creates nothing.
  std::size_t missing = 0;
  for (std::size_t end = path.find('/');; end = path.find('/', end + 1)) {
    if (!find(path.substr(0, end))) ++missing;
    if (end == std::string_view::npos) break;
  }
  if (count + missing > kMaxAccounts) return make_error(Errc::limit_exceeded, "more memory accounts than kMaxAccounts");
  detail::Node* parent = nullptr;
  // Walk "a", "a/b", "a/b/c", creating what is missing.
  for (std::size_t end = path.find('/');; end = path.find('/', end + 1)) {
    const std::string_view prefix = path.substr(0, end);
    detail::Node* found = find(prefix);
    if (!found) {
      const std::size_t index = t.node_count.load();
      found = &t.nodes[index];
      std::memcpy(found->name, prefix.data(), prefix.size());
      found->name[prefix.size()] = '\0';
      found->parent = parent;
      t.node_count.store(index + 1);  // publish after the node is complete
    }
    parent = found;
    if (end == std::string_view::npos) break;
  }
  if (hard_limit) parent->hard_limit.store(hard_limit);
  return Account(parent);
}

std::size_t MemoryTracker::budget() const noexcept { return state_->options.budget; }
std::size_t MemoryTracker::total() const noexcept { return state_->total.current.load(); }
std::size_t MemoryTracker::peak_total() const noexcept { return state_->total.peak.load(); }

void MemoryTracker::reset_peaks() noexcept {
  detail::TrackerState& t = *state_;
  platform::SpinGuard lock(t.counters_mutex);
  t.total.peak.store(t.total.current.load());
  for (std::size_t i = 0; i < t.node_count.load(); ++i) t.nodes[i].peak.store(t.nodes[i].current.load());
}

std::size_t MemoryTracker::account_count() const noexcept { return state_->node_count.load(); }

AccountStats MemoryTracker::account_stats(std::size_t index) const noexcept {
  FRUGAL_ASSERT(index < account_count());
  const detail::Node& n = state_->nodes[index];
  return AccountStats{n.name, n.current.load(), n.peak.load(), n.hard_limit.load()};
}

PressureLevel MemoryTracker::level() const noexcept { return static_cast<PressureLevel>(state_->delivered.load()); }
PressureLevel MemoryTracker::current_level() const noexcept { return state_->current_level(); }

Subscription MemoryTracker::subscribe(PressureCallback callback) {
  detail::TrackerState& t = *state_;
  LockGuard lock(t.subscribers_mutex);
  auto s = std::make_unique<detail::Subscriber>();
  s->id = t.next_id++;
  s->callback = std::move(callback);
  const std::uint64_t id = s->id;
  t.subscribers.push_back(std::move(s));
  return Subscription(&t, id);
}

core::Result<void> MemoryTracker::add_source(PressureSource& source) {
  detail::TrackerState& t = *state_;
  {
    LockGuard lock(t.sources_mutex);
    PressureSource** slot = nullptr;
    for (PressureSource*& s : t.sources)
      if (!s && !slot) slot = &s;
    if (!slot) return make_error(Errc::limit_exceeded, "more pressure sources than kMaxSources");
    *slot = &source;
  }
  t.wake();
  return core::ok();
}

void MemoryTracker::remove_source(PressureSource& source) noexcept {
  detail::TrackerState& t = *state_;
  {
    LockGuard lock(t.sources_mutex);
    for (PressureSource*& s : t.sources)
      if (s == &source) s = nullptr;
  }
  t.wake();
}

PressureLevel MemoryTracker::dispatch() {
  detail::TrackerState& t = *state_;
  // Bounded: a callback that keeps changing the level cannot keep this loop
  // going; what is left is delivered by the next dispatch.
  constexpr int kMaxDeliveries = 8;
  int deliveries = 0;
  while (deliveries < kMaxDeliveries && !t.dispatching.exchange(true)) {
    PressureLevel level;
    for (; deliveries < kMaxDeliveries; ++deliveries) {
      {
        LockGuard lock(t.dispatch_mutex);
        const std::uint64_t now = platform::ticks_now();
        if (!t.due(now, level)) break;
        t.commit(level, now);
      }
      t.deliver(level);
    }
    t.dispatching.store(false);
    // A change made while the flag was up found dispatch busy and returned:
    // look once more now that the flag is down.
    LockGuard lock(t.dispatch_mutex);
    if (!t.due(platform::ticks_now(), level)) break;
  }
  return level();
}

void MemoryTracker::wake() noexcept { state_->wake(); }

void MemoryTracker::wait_for_work(std::uint32_t max_ms) {
  detail::TrackerState& t = *state_;
  std::uint64_t wait = t.ms_to_ticks(max_ms);
  {
    LockGuard lock(t.dispatch_mutex);
    const std::uint64_t now = platform::ticks_now();
    // During a cooldown nothing is re-notified: only the cooldown's end counts.
    if (t.below_since) {
      const std::uint64_t due = t.below_since + t.cooldown_ticks;
      wait = due > now ? std::min(wait, due - now) : 0;
    } else if (t.renotify_ticks && t.delivered.load() != 0) {
      const std::uint64_t due = t.last_delivery + t.renotify_ticks;
      wait = due > now ? std::min(wait, due - now) : 0;
    }
  }
  UniqueLock lock(t.wake_mutex);
  t.wake_cv.wait_for(lock, wait, [&] { return t.woken; });
  t.woken = false;
}

MemoryTracker& default_tracker() {
  static MemoryTracker tracker;
  return tracker;
}

}  // namespace frugal::mem
