// What needs an operating system: the dispatch thread, MemAvailable
// sampling over a fake /proc/meminfo, Linux PSI triggers.
#include <frugal/mem/manual_source.hpp>
#include <frugal/mem/os_pressure.hpp>

#include "mem/helpers.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace frugal::mem {
namespace {

using core::Errc;
using test::budget_options;
using test::Clock;
using test::eventually;
using test::kBudget;
using test::kPatience;
using test::LevelLog;
using test::open_account;
using namespace std::chrono_literals;

constexpr PressureLevel kNormal = PressureLevel::normal;
constexpr PressureLevel kHigh = PressureLevel::high;
constexpr PressureLevel kCritical = PressureLevel::critical;

// "code (os_error: strerror)", for failure and skip messages.
std::string describe(const core::Error& e) {
  return std::string(core::errc_name(e.code)) + ": " + e.message + " (os_error " + std::to_string(e.os_error) +
         ": " + std::strerror(e.os_error) + ")";
}

// ---- DispatchThread ------------------------------------------------------------------

class DispatchThreadTest : public testing::Test {
 protected:
  static constexpr std::uint32_t kCooldownMs = 100;

  explicit DispatchThreadTest(std::uint32_t renotify_ms = 0)
      : tracker(budget_options(kBudget, kCooldownMs, renotify_ms)),
        account(open_account(tracker, "a")),
        subscription(tracker.subscribe(log.callback())) {}

  MemoryTracker tracker;
  Account account;
  LevelLog log;
  Subscription subscription;
};

TEST_F(DispatchThreadTest, DeliversChangesOnItsOwnThreadAndStopsCleanly) {
  std::optional<DispatchThread> dispatcher(std::in_place, tracker);

  account.charge(950);  // critical; charge() itself delivers nothing
  ASSERT_TRUE(log.wait_for_size(1)) << "escalation not delivered";
  auto delivered = log.deliveries();
  EXPECT_EQ(delivered[0].level, kCritical);
  EXPECT_NE(delivered[0].thread, std::this_thread::get_id());

  const auto dropped_at = Clock::now();
  account.release(950);
  ASSERT_TRUE(log.wait_for_size(2)) << "de-escalation not delivered";
  delivered = log.deliveries();
  EXPECT_EQ(delivered[1].level, kNormal);
  EXPECT_GE(delivered[1].at - dropped_at, std::chrono::milliseconds(kCooldownMs));
  EXPECT_EQ(delivered[1].thread, delivered[0].thread);

  const auto stopping = Clock::now();
  dispatcher.reset();
  EXPECT_LT(Clock::now() - stopping, kPatience);

  account.charge(950);  // nobody dispatches any more
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(log.size(), 2u);
  account.release(950);
}

TEST_F(DispatchThreadTest, DeliversWhatASourceRaises) {
  ManualPressureSource source(&tracker);
  ASSERT_TRUE(tracker.add_source(source));
  {
    const DispatchThread dispatcher(tracker);
    source.set(kHigh);
    ASSERT_TRUE(log.wait_for_size(1));
    source.set(kCritical);
    ASSERT_TRUE(log.wait_for_size(2));
  }
  tracker.remove_source(source);
  EXPECT_EQ(log.levels(), (std::vector<PressureLevel>{kHigh, kCritical}));
}

class DispatchThreadRenotifyTest : public DispatchThreadTest {
 protected:
  static constexpr std::uint32_t kRenotifyMs = 50;
  DispatchThreadRenotifyTest() : DispatchThreadTest(kRenotifyMs) {}
};

TEST_F(DispatchThreadRenotifyTest, RenotifiesOnSchedule) {
  const DispatchThread dispatcher(tracker);
  account.charge(750);
  ASSERT_TRUE(log.wait_for_size(3));
  test::expect_repeated(log.deliveries(), 3, kHigh, std::chrono::milliseconds(kRenotifyMs));
  account.release(750);
}

// ---- MemAvailable -------------------------------------------------------------------------

constexpr std::uint64_t kMemTotalKb = 1'000'000;

std::string meminfo_text(unsigned available_percent) {
  return "MemTotal:        " + std::to_string(kMemTotalKb) + " kB\n" +
         "MemFree:           12345 kB\n"
         "MemAvailable:    " + std::to_string(kMemTotalKb / 100 * available_percent) + " kB\n" +
         "Buffers:            1000 kB\n";
}

// Replaces `path` atomically, so a sampler never reads half a file.
void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    ASSERT_TRUE(out.good()) << tmp;
  }
  std::filesystem::rename(tmp, path);
}

class MeminfoSourceTest : public testing::Test {
 protected:
  MeminfoOptions options() const {
    MeminfoOptions o;  // default thresholds: below 10% high, below 5% critical
    o.path = path.c_str();
    o.interval_ms = 10;
    return o;
  }
  void write(unsigned available_percent) const { write_file(path, meminfo_text(available_percent)); }

  test::TempDir dir;
  const std::string path = dir.file("meminfo");
  MemoryTracker tracker;
};

struct MeminfoCase {
  unsigned available_percent;
  PressureLevel expected;
};

class MeminfoLevel : public MeminfoSourceTest, public testing::WithParamInterface<MeminfoCase> {};

TEST_P(MeminfoLevel, FollowsMemAvailableAfterTheFileChanges) {
  const MeminfoCase& c = GetParam();
  // Start from a level other than the expected one, so the sampler must notice the rewrite.
  const unsigned start = c.expected == kNormal ? 3 : 50;
  write(start);
  auto source = make_meminfo_source(tracker, options());
  ASSERT_TRUE(source) << describe(source.error());
  EXPECT_EQ((*source)->level(), c.expected == kNormal ? kCritical : kNormal) << "not sampled at creation";
  ASSERT_TRUE(tracker.add_source(**source));

  write(c.available_percent);
  EXPECT_TRUE(eventually([&] { return tracker.current_level() == c.expected; }))
      << "level " << pressure_level_name(tracker.current_level()) << " at " << c.available_percent << "% available";
  tracker.remove_source(**source);
}

INSTANTIATE_TEST_SUITE_P(MeminfoSource, MeminfoLevel,
                         testing::Values(MeminfoCase{50, kNormal}, MeminfoCase{10, kNormal}, MeminfoCase{9, kHigh},
                                         MeminfoCase{8, kHigh}, MeminfoCase{5, kHigh}, MeminfoCase{4, kCritical},
                                         MeminfoCase{3, kCritical}, MeminfoCase{0, kCritical}),
                         [](const testing::TestParamInfo<MeminfoCase>& param_info) {
                           return std::to_string(param_info.param.available_percent) + "_percent_available";
                         });

TEST_F(MeminfoSourceTest, WakesTheDispatcherWhenTheLevelChanges) {
  write(50);
  auto source = make_meminfo_source(tracker, options());
  ASSERT_TRUE(source) << describe(source.error());
  ASSERT_TRUE(tracker.add_source(**source));
  LevelLog log;
  const Subscription subscription = tracker.subscribe(log.callback());
  {
    const DispatchThread dispatcher(tracker);
    write(3);
    ASSERT_TRUE(log.wait_for_size(1));
    EXPECT_EQ(log.levels().front(), kCritical);
  }
  tracker.remove_source(**source);
}

TEST_F(MeminfoSourceTest, CustomThresholds) {
  write(30);
  MeminfoOptions o = options();
  o.high_percent = 40;
  o.critical_percent = 20;
  auto source = make_meminfo_source(tracker, o);
  ASSERT_TRUE(source) << describe(source.error());
  EXPECT_EQ((*source)->level(), kHigh);
}

class MeminfoUnsupported : public MeminfoSourceTest, public testing::WithParamInterface<const char*> {};

TEST_P(MeminfoUnsupported, IsRefused) {
  write_file(path, GetParam());
  const auto source = make_meminfo_source(tracker, options());
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code, Errc::unsupported);
}

INSTANTIATE_TEST_SUITE_P(MeminfoSource, MeminfoUnsupported,
                         testing::Values("MemTotal:        1000000 kB\nMemFree:          500000 kB\n",
                                         "MemAvailable:     500000 kB\n",
                                         "MemTotal:              0 kB\nMemAvailable:          0 kB\n", ""));

TEST_F(MeminfoSourceTest, MissingFileIsUnsupported) {
  const auto source = make_meminfo_source(tracker, options());  // never written
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code, Errc::unsupported);
}

// Regression (failed before the fix): platform/linux/os_pressure.cpp:124 and :142: MeminfoSource keeps the
// caller's MeminfoOptions::path pointer (options_ is a shallow copy) and
// reads through it on its sampler thread for its whole life. A caller that
// builds the path in a std::string (a cgroup path, a test directory) and
// lets it change or go after make_meminfo_source() returns has the source
// sample another file, or read freed memory (heap-use-after-free under
// ASan). Expected: the source keeps its own copy of the path, as
// make_psi_source uses its path only during the call (or the header says
// the path must outlive the source).
TEST_F(MeminfoSourceTest, KeepsSamplingTheFileItWasCreatedFor) {
  write(50);
  const std::string other = path.substr(0, path.size() - 1) + "X";  // same length
  write_file(other, meminfo_text(3));
  std::string caller_path = path;
  MeminfoOptions o = options();
  o.path = caller_path.c_str();
  auto source = make_meminfo_source(tracker, o);
  ASSERT_TRUE(source) << describe(source.error());
  caller_path.back() = 'X';  // the caller reuses its buffer (same storage)
  std::this_thread::sleep_for(300ms);  // many sampling intervals
  EXPECT_EQ((*source)->level(), kNormal) << "the source followed the caller's buffer to another file";
}

// ---- PSI -------------------------------------------------------------------------------------

constexpr const char* kSystemPsi = "/proc/pressure/memory";

// Triggers an unprivileged process may register too (windows in multiples of 2 s).
PsiOptions psi_options() {
  PsiOptions options;
  options.some_stall_us = 150'000;
  options.full_stall_us = 1'000'000;
  options.window_us = 2'000'000;
  return options;
}

// "some avg10" from the system file: recent memory stalls, in percent.
double recent_some_stall_percent() {
  std::FILE* f = std::fopen(kSystemPsi, "re");
  if (!f) return 0;
  double avg10 = 0;
  if (std::fscanf(f, "some avg10=%lf", &avg10) != 1) avg10 = 0;
  std::fclose(f);
  return avg10;
}

TEST(PsiSource, RegistersRealTriggersWhenTheKernelAcceptsThem) {
  MemoryTracker tracker;
  auto source = make_psi_source(tracker, psi_options());
  if (!source) {
    if (source.error().code == Errc::unsupported) GTEST_SKIP() << "PSI triggers unavailable: " << describe(source.error());
    FAIL() << describe(source.error());
  }
  std::unique_ptr<OsPressureSource> psi = std::move(*source);
  ASSERT_TRUE(tracker.add_source(*psi));
  if (recent_some_stall_percent() < 1.0) {  // a machine at rest
    EXPECT_EQ(tracker.current_level(), kNormal);
  }
  tracker.dispatch();
  tracker.remove_source(*psi);
  const auto stopping = Clock::now();
  psi.reset();  // stops and joins the watcher thread
  EXPECT_LT(Clock::now() - stopping, kPatience);
}

// Regression (failed before the fix): include/frugal/mem/os_pressure.hpp:24-26 (PsiOptions defaults): a
// 1 s window, which the kernel refuses (EINVAL) to every process without
// CAP_SYS_RESOURCE, as the header itself notes ("Unprivileged processes
// need windows that are multiples of 2 s"). With the defaults,
// make_psi_source() fails as unsupported for a normal user (and for root in
// most containers) even where PSI triggers work, and the frugal command
// (src/cli/common.cpp:137 uses the defaults) silently falls back to
// MemAvailable sampling. Expected: defaults an unprivileged process may
// register (e.g. some 140 ms / full 1.4 s per 2 s window), or a retry with
// a 2 s window when the kernel answers EINVAL.
TEST(PsiSource, DefaultOptionsRegisterWhereUnprivilegedTriggersDo) {
  MemoryTracker tracker;
  const auto unprivileged = make_psi_source(tracker, psi_options());
  if (!unprivileged) GTEST_SKIP() << "PSI triggers unavailable: " << describe(unprivileged.error());
  const auto defaults = make_psi_source(tracker);
  EXPECT_TRUE(defaults) << describe(defaults.error());
}

TEST(PsiSource, TriggerTheKernelRefusesIsUnsupported) {
  if (!std::filesystem::exists(kSystemPsi)) GTEST_SKIP() << kSystemPsi << " does not exist (no PSI)";
  MemoryTracker tracker;
  PsiOptions options = psi_options();
  options.window_us = 1000;  // below the kernel's 500 ms minimum
  options.some_stall_us = 500;
  options.full_stall_us = 900;
  const auto source = make_psi_source(tracker, options);
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code, Errc::unsupported) << describe(source.error());
  EXPECT_NE(source.error().os_error, 0);
}

TEST(PsiSource, MissingFileIsUnsupported) {
  const test::TempDir dir;
  const std::string missing = dir.file("no-such-pressure-file");
  MemoryTracker tracker;
  PsiOptions options = psi_options();
  options.path = missing.c_str();
  const auto source = make_psi_source(tracker, options);
  ASSERT_FALSE(source);
  EXPECT_EQ(source.error().code, Errc::unsupported);
  EXPECT_EQ(source.error().os_error, ENOENT);
}

}  // namespace
}  // namespace frugal::mem
