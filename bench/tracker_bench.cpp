// What charging the memory tracker costs, beside what it accompanies.
//
// Peers in the same run: a bare atomic add/sub pair (the floor for any
// shared counter) and malloc+free of a small block (the allocation a
// per-allocation charge rides along with). docs/BENCHMARKS.md reports the
// ratios.
#include <frugal/mem/memory_tracker.hpp>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>

namespace {

using frugal::mem::Account;
using frugal::mem::MemoryTracker;
using frugal::mem::TrackerOptions;

// One tracker for all threads of a run: contention is part of the cost.
MemoryTracker& shared_tracker() {
  static MemoryTracker tracker([] {
    TrackerOptions o;
    o.budget = std::size_t{1} << 40;  // never reached: levels stay normal
    return o;
  }());
  return tracker;
}

Account shared_account() {
  static Account account = *shared_tracker().account("bench/leaf");  // two levels: bench, bench/leaf
  return account;
}

std::atomic<std::size_t> g_counter{0};

void BM_AtomicAddSub(benchmark::State& state) {
  for (auto _ : state) {
    g_counter.fetch_add(64);
    g_counter.fetch_sub(64);
  }
}
BENCHMARK(BM_AtomicAddSub)->ThreadRange(1, 2);

void BM_MallocFree64(benchmark::State& state) {
  for (auto _ : state) {
    void* p = std::malloc(64);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
}
BENCHMARK(BM_MallocFree64)->ThreadRange(1, 2);

void BM_ChargeRelease(benchmark::State& state) {
  Account account = shared_account();
  for (auto _ : state) {
    account.charge(64);
    account.release(64);
  }
}
BENCHMARK(BM_ChargeRelease)->ThreadRange(1, 2);

void BM_TryChargeRelease(benchmark::State& state) {
  Account account = shared_account();
  for (auto _ : state) {
    benchmark::DoNotOptimize(account.try_charge(64));
    account.release(64);
  }
}
BENCHMARK(BM_TryChargeRelease)->ThreadRange(1, 2);

// A tracked allocation as components do it: charge, allocate, free, release.
void BM_TrackedMallocFree64(benchmark::State& state) {
  Account account = shared_account();
  for (auto _ : state) {
    account.charge(64);
    void* p = std::malloc(64);
    benchmark::DoNotOptimize(p);
    std::free(p);
    account.release(64);
  }
}
BENCHMARK(BM_TrackedMallocFree64)->ThreadRange(1, 2);

}  // namespace

BENCHMARK_MAIN();
