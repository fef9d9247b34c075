// The L2 disk cache: round trips, restarts, the size/count caps and TTL on an
// injected clock, corrupt and hostile files, and writers killed mid-write.

#include <frugal/thumbnails/disk_cache.hpp>

#include "support/rng.hpp"
#include "support/temp_dir.hpp"
#include "thumbnails/key_of.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace frugal::thumbnails {
namespace {

namespace fs = std::filesystem;
using core::Errc;

// The payload for key n: its length and bytes follow from n alone.
std::vector<std::byte> payload_of(std::uint64_t n, std::size_t bytes) {
  std::vector<std::byte> out(bytes);
  test::Rng rng(n);
  for (std::size_t i = 0; i < bytes; i += 8) {
    const std::uint64_t v = rng.next();
    for (std::size_t j = 0; j < 8 && i + j < bytes; ++j) out[i + j] = static_cast<std::byte>(v >> (8 * j));
  }
  return out;
}

class DiskCacheTest : public ::testing::Test {
 protected:
  DiskCacheOptions options() {
    DiskCacheOptions o;
    o.clock = [this] { return now.load(); };
    o.tracker = &tracker;
    return o;
  }
  std::unique_ptr<DiskCache> open_cache(const DiskCacheOptions& o) {
    auto cache = DiskCache::open(root(), o);
    EXPECT_TRUE(cache) << (cache ? "" : cache.error().message);
    return cache ? std::move(*cache) : nullptr;
  }
  std::unique_ptr<DiskCache> open_cache() { return open_cache(options()); }
  std::string root() const { return dir.file("cache"); }
  std::size_t index_charge() { return tracker.account(DiskCache::kAccountName)->current(); }
  // Every file under the root, relative names.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root()))
      if (!e.is_directory()) out.push_back(fs::relative(e.path(), root()).string());
    std::sort(out.begin(), out.end());
    return out;
  }
  void expect_hit(DiskCache& cache, std::uint64_t n, std::size_t bytes) {
    auto r = cache.get(key_of(n));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_NE(*r, nullptr) << n;
    EXPECT_EQ(**r, payload_of(n, bytes)) << n;
  }
  void expect_miss(DiskCache& cache, std::uint64_t n) {
    auto r = cache.get(key_of(n));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, nullptr) << n;
  }

  test::TempDir dir;
  mem::MemoryTracker tracker;
  std::atomic<std::int64_t> now{1'700'000'000};
};

TEST_F(DiskCacheTest, RoundTripInBucketFolders) {
  auto cache = open_cache();
  ASSERT_TRUE(cache);
  expect_miss(*cache, 1);
  ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 5000)));
  ASSERT_TRUE(cache->put(key_of(2), payload_of(2, 0)));  // empty payloads are fine
  expect_hit(*cache, 1, 5000);
  expect_hit(*cache, 2, 0);
  const std::string hex = std::string(key_of(1).hex());
  EXPECT_EQ(cache->entry_path(key_of(1)), root() + "/" + hex.substr(0, 2) + "/" + hex);
  EXPECT_EQ(fs::file_size(cache->entry_path(key_of(1))), DiskCache::kHeaderBytes + 5000);
  const DiskCacheStats s = cache->stats();
  EXPECT_EQ(s.hits, 2u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.writes, 2u);
  EXPECT_EQ(s.entries, 2u);
  EXPECT_EQ(s.bytes, 2 * DiskCache::kHeaderBytes + 5000);
  EXPECT_EQ(index_charge(), 2 * DiskCache::index_entry_cost());
  EXPECT_EQ(files().size(), 2u);  // no temporary files left behind
  EXPECT_TRUE(cache->invalidate(key_of(1)));
  EXPECT_FALSE(cache->invalidate(key_of(1)));
  expect_miss(*cache, 1);
  EXPECT_FALSE(fs::exists(cache->entry_path(key_of(1))));
  EXPECT_EQ(index_charge(), DiskCache::index_entry_cost());
}

TEST_F(DiskCacheTest, ANewInstanceSeesTheEntriesOfTheLast) {
  {
    auto cache = open_cache();
    for (std::uint64_t i = 0; i < 20; ++i) ASSERT_TRUE(cache->put(key_of(i), payload_of(i, 100 + i)));
  }
  auto cache = open_cache();
  EXPECT_EQ(cache->stats().entries, 20u);
  for (std::uint64_t i = 0; i < 20; ++i) expect_hit(*cache, i, 100 + i);
  expect_miss(*cache, 20);
}

TEST_F(DiskCacheTest, SizeCapEvictsLeastRecentlyUsedAcrossRestarts) {
  DiskCacheOptions o = options();
  o.max_bytes = 4 * (DiskCache::kHeaderBytes + 1000);
  {
    auto cache = open_cache(o);
    for (std::uint64_t i = 0; i < 4; ++i) {
      ASSERT_TRUE(cache->put(key_of(i), payload_of(i, 1000)));
      ++now;
    }
    expect_hit(*cache, 0, 1000);  // last access now: 1 is the oldest
    ++now;
    ASSERT_TRUE(cache->put(key_of(4), payload_of(4, 1000)));
    expect_miss(*cache, 1);
    EXPECT_EQ(cache->stats().evictions, 1u);
    EXPECT_LE(cache->stats().bytes, o.max_bytes);
    ++now;
    expect_hit(*cache, 2, 1000);  // 3 is the oldest now
  }
  // The order is in the files' mtimes: a smaller cap on reopen evicts 3, then 0.
  o.max_bytes = 3 * (DiskCache::kHeaderBytes + 1000);
  auto cache = open_cache(o);
  EXPECT_EQ(cache->stats().entries, 3u);
  expect_miss(*cache, 3);
  expect_hit(*cache, 0, 1000);
  expect_hit(*cache, 2, 1000);
  expect_hit(*cache, 4, 1000);
  EXPECT_EQ(files().size(), 3u);
}

TEST_F(DiskCacheTest, EntryCountCap) {
  DiskCacheOptions o = options();
  o.max_entries = 3;
  auto cache = open_cache(o);
  for (std::uint64_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(cache->put(key_of(i), payload_of(i, 10)));
    ++now;
  }
  EXPECT_EQ(cache->stats().entries, 3u);
  EXPECT_EQ(index_charge(), 3 * DiskCache::index_entry_cost());
  expect_miss(*cache, 0);
  expect_miss(*cache, 1);
  expect_hit(*cache, 4, 10);
  // Reopened with a smaller cap, the most recently used survive, whatever
  // order the folder lists them in.
  cache.reset();
  o.max_entries = 2;
  cache = open_cache(o);
  EXPECT_EQ(cache->stats().entries, 2u);
  expect_miss(*cache, 2);
  expect_hit(*cache, 3, 10);
  expect_hit(*cache, 4, 10);
}

TEST_F(DiskCacheTest, OversizedPayloadsAreRefused) {
  DiskCacheOptions o = options();
  o.max_entry_bytes = 100;
  o.max_bytes = 150;
  auto cache = open_cache(o);
  EXPECT_EQ(cache->put(key_of(1), payload_of(1, 101)).error().code, Errc::limit_exceeded);
  EXPECT_EQ(cache->put(key_of(1), payload_of(1, 90)).error().code, Errc::limit_exceeded);  // 64 + 90 > 150
  EXPECT_TRUE(cache->put(key_of(1), payload_of(1, 86)));
  o.max_entries = 0;
  EXPECT_EQ(DiskCache::open(root(), o).error().code, Errc::invalid_argument);
}

TEST_F(DiskCacheTest, ExpiredEntriesAreMissesAndDeleted) {
  DiskCacheOptions o = options();
  o.ttl_seconds = 100;
  auto cache = open_cache(o);
  ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 10)));
  now += 50;
  ASSERT_TRUE(cache->put(key_of(2), payload_of(2, 10)));
  now += 51;  // 1 was created 101 s ago, 2 51 s ago
  expect_hit(*cache, 2, 10);
  now += 10;
  // 1 is expired even though a hit would have refreshed its access time.
  expect_miss(*cache, 1);
  EXPECT_EQ(cache->stats().expired, 1u);
  EXPECT_FALSE(fs::exists(cache->entry_path(key_of(1))));
  // The sweep removes what was not used for the TTL; then open() does too.
  now += 200;
  ASSERT_TRUE(cache->put(key_of(3), payload_of(3, 10)));
  EXPECT_EQ(cache->evict_expired(), 1u);  // 2
  EXPECT_EQ(cache->stats().entries, 1u);
  cache.reset();
  now += 101;
  cache = open_cache(o);
  EXPECT_EQ(cache->stats().entries, 0u);
  EXPECT_TRUE(files().empty());
}

TEST_F(DiskCacheTest, CreationTimesFarFromNowNeitherOverflowNorLiveForever) {
  DiskCacheOptions o = options();
  o.ttl_seconds = 100;
  auto cache = open_cache(o);
  // Written by a clock at the far past: expired, no signed overflow (UBSan).
  const std::int64_t today = now.load();
  now = INT64_MIN + 5;
  ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 10)));
  // Written by a clock a year ahead: corrupt (it would never expire).
  now = today + 365 * 24 * 3600;
  ASSERT_TRUE(cache->put(key_of(2), payload_of(2, 10)));
  // A few minutes ahead is a clock adjustment: still served.
  now = today + 300;
  ASSERT_TRUE(cache->put(key_of(3), payload_of(3, 10)));
  now = today;
  expect_miss(*cache, 1);
  expect_miss(*cache, 2);
  expect_hit(*cache, 3, 10);
  EXPECT_EQ(cache->stats().expired, 1u);
  EXPECT_EQ(cache->stats().corrupt, 1u);
  // The sweep's arithmetic on access times at both ends is safe too.
  now = INT64_MIN + 5;
  ASSERT_TRUE(cache->put(key_of(4), payload_of(4, 10)));
  now = INT64_MAX;
  EXPECT_EQ(cache->evict_expired(), 2u);  // 3 and 4
  o.ttl_seconds = std::uint64_t{INT64_MAX} + 1;
  EXPECT_EQ(DiskCache::open(root(), o).error().code, Errc::invalid_argument);
}

TEST_F(DiskCacheTest, ReadBuffersAreChargedBeforeTheyAreAllocated) {
  ASSERT_TRUE(tracker.account(DiskCache::kReadAccountName, 500));  // hard limit, bytes
  auto cache = open_cache();
  ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 400)));
  ASSERT_TRUE(cache->put(key_of(2), payload_of(2, 1000)));
  expect_hit(*cache, 1, 400);
  auto read = tracker.account(DiskCache::kReadAccountName);
  EXPECT_EQ(read->peak(), 400u);
  EXPECT_EQ(read->current(), 0u);  // the blob is the caller's
  auto refused = cache->get(key_of(2));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::out_of_memory);
  EXPECT_EQ(read->peak(), 400u);
  EXPECT_TRUE(fs::exists(cache->entry_path(key_of(2))));  // the entry stays
  EXPECT_EQ(cache->stats().entries, 2u);
}

TEST_F(DiskCacheTest, AReadInProgressHoldsNoLockOtherCallsNeed) {
  // get() asks the clock while it reads the entry: a clock that blocks
  // stands in for a slow card. Other calls must go on meanwhile.
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> block{false};
  DiskCacheOptions o = options();
  o.clock = [&] {
    if (block.exchange(false)) {
      entered.set_value();
      released.wait();
    }
    return now.load();
  };
  auto cache = open_cache(o);
  ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 100)));
  ASSERT_TRUE(cache->put(key_of(2), payload_of(2, 100)));
  block = true;
  std::thread reader([&] { expect_hit(*cache, 1, 100); });
  entered.get_future().wait();
  auto others = std::async(std::launch::async, [&] {
    EXPECT_EQ(cache->stats().entries, 2u);
    EXPECT_TRUE(cache->invalidate(key_of(2)));
  });
  // Seconds only on failure: with the lock held through the read this waits forever.
  EXPECT_EQ(others.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  release.set_value();
  reader.join();
  others.wait();
  EXPECT_EQ(cache->stats().hits, 1u);
}

// Writes `bytes` over the file at `offset` (keeping the rest).
void patch(const std::string& path, std::uint64_t offset, std::span<const unsigned char> bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

TEST_F(DiskCacheTest, CorruptEntriesAreDroppedAndReportedAsMisses) {
  auto cache = open_cache();
  // One way to break each entry; every one must read as a miss and vanish.
  struct Case {
    const char* what;
    std::function<void(const std::string&)> damage;
  };
  const unsigned char flip = 0xFF;
  const std::vector<Case> cases = {
      {"payload byte flipped", [&](const std::string& p) { patch(p, DiskCache::kHeaderBytes + 500, {&flip, 1}); }},
      {"truncated", [](const std::string& p) { fs::resize_file(p, DiskCache::kHeaderBytes + 999); }},
      {"truncated into the header", [](const std::string& p) { fs::resize_file(p, 20); }},
      {"zero length", [](const std::string& p) { fs::resize_file(p, 0); }},
      {"wrong magic", [](const std::string& p) { const unsigned char m[] = {'P', 'N', 'G', 0}; patch(p, 0, m); }},
      {"other version", [](const std::string& p) { const unsigned char v[] = {1}; patch(p, 4, v); }},
      {"created moved (header checksum)", [](const std::string& p) { const unsigned char t[] = {0x01}; patch(p, 24, t); }},
      {"length lies (longer)", [](const std::string& p) { const unsigned char l[] = {0xE9, 0x03}; patch(p, 8, l); }},
      {"length lies (huge)", [](const std::string& p) { const unsigned char l[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}; patch(p, 8, l); }},
      {"hash byte flipped", [&](const std::string& p) { patch(p, 16, {&flip, 1}); }},
      {"another key's entry", [](const std::string& p) { const unsigned char k[] = {'g'}; patch(p, 32, k); }},
      {"extra bytes appended", [](const std::string& p) { fs::resize_file(p, DiskCache::kHeaderBytes + 1001); }},
  };
  std::uint64_t n = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ++n;
    ASSERT_TRUE(cache->put(key_of(n), payload_of(n, 1000)));
    c.damage(cache->entry_path(key_of(n)));
    expect_miss(*cache, n);
    EXPECT_FALSE(fs::exists(cache->entry_path(key_of(n))));
    expect_miss(*cache, n);  // and stays one
  }
  EXPECT_EQ(cache->stats().corrupt, cases.size());
  EXPECT_EQ(cache->stats().entries, 0u);
  EXPECT_EQ(index_charge(), 0u);
}

TEST_F(DiskCacheTest, CorruptEntriesFoundOnOpenAreDroppedToo) {
  {
    auto cache = open_cache();
    ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 1000)));
    ASSERT_TRUE(cache->put(key_of(2), payload_of(2, 1000)));
    ASSERT_TRUE(cache->put(key_of(3), payload_of(3, 1000)));
    fs::resize_file(cache->entry_path(key_of(1)), 10);         // shorter than a header
    fs::resize_file(cache->entry_path(key_of(2)), 2000);       // same size class, wrong length
  }
  auto cache = open_cache();
  EXPECT_EQ(cache->stats().corrupt, 1u);  // the short one, at once
  expect_miss(*cache, 1);
  expect_miss(*cache, 2);  // on get
  expect_hit(*cache, 3, 1000);
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(DiskCacheTest, HostileNamesInTheFolderAreIgnored) {
  {
    auto cache = open_cache();
    ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 100)));
  }
  const std::string hex = std::string(key_of(7).hex());
  const std::string bucket = hex.substr(0, 2);
  const std::vector<std::byte> junk = payload_of(9, 100);
  auto write = [&](const std::string& rel) {
    fs::create_directories(fs::path(root() + "/" + rel).parent_path());
    std::ofstream(root() + "/" + rel, std::ios::binary).write(reinterpret_cast<const char*>(junk.data()), 100);
  };
  // Bucket names no real entry here uses, for the hostile ones.
  std::vector<std::string> spare;
  for (const char* b : {"fa", "fb", "fc", "fd", "fe"})
    if (b != bucket && b != std::string(key_of(1).bucket())) spare.emplace_back(b);
  // Not keys, a key in the wrong bucket, upper case, a file where a bucket
  // goes, a link to a file outside at an entry's name, a link as a bucket.
  write("notes.txt");
  write("zz/" + hex);
  write(bucket + "/" + hex + ".bak");
  write(spare[0] + "/" + hex);
  std::string upper = hex;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  write(bucket + "/" + upper);
  write(spare[1]);
  fs::create_directories(dir.file("outside"));
  std::ofstream(dir.file("outside/secret")) << "secret";
  write("../outside/" + spare[2] + hex.substr(2));  // indexed if the link below were followed
  fs::create_directories(root() + "/" + bucket);
  fs::create_symlink(dir.file("outside/secret"), root() + "/" + bucket + "/" + hex);
  fs::create_directory_symlink(dir.file("outside"), root() + "/" + spare[2]);

  auto cache = open_cache();
  EXPECT_EQ(cache->stats().entries, 1u);  // only key 1
  expect_hit(*cache, 1, 100);
  expect_miss(*cache, 7);
  // A put over the link replaces the link, never writes through it.
  ASSERT_TRUE(cache->put(key_of(7), payload_of(7, 100)));
  expect_hit(*cache, 7, 100);
  EXPECT_EQ(test::read_file(dir.file("outside/secret")), "secret");
  EXPECT_TRUE(fs::exists(root() + "/notes.txt"));  // not ours: left alone
}

TEST_F(DiskCacheTest, StaleTemporaryFilesAreNeverServedAndCleanedOnOpen) {
  {
    auto cache = open_cache();
    ASSERT_TRUE(cache->put(key_of(1), payload_of(1, 100)));
  }
  // What a killed writer leaves: AtomicFile's temporary name beside the entry.
  const std::string hex = std::string(key_of(2).hex());
  fs::create_directories(root() + "/" + hex.substr(0, 2));
  const std::string temp = root() + "/" + hex.substr(0, 2) + "/" + hex + ".partial-12345-0";
  std::ofstream(temp, std::ios::binary) << "half an entry";
  auto cache = open_cache();
  EXPECT_FALSE(fs::exists(temp));
  expect_miss(*cache, 2);
  expect_hit(*cache, 1, 100);
}

// THE INTERRUPTED WRITER: a child process writes large entries in a loop and
// is killed at random moments; whatever it left, a fresh cache serves only
// complete, exact payloads, and never a temporary file.
TEST_F(DiskCacheTest, WritersKilledMidWriteNeverLeaveACorruptEntryServed) {
  constexpr std::uint64_t kKeys = 24;  // the child cycles through these
  constexpr int kRounds = 6;
  auto size_of = [](std::uint64_t n) { return std::size_t{512} * 1024 + n * 4099; };  // ~0.5-0.6 MB
  DiskCacheOptions o;  // no injected clock in the child: real time
  o.max_bytes = std::uint64_t{1} << 30;
  o.max_entry_bytes = 1 << 20;
  o.tracker = &tracker;
  test::Rng rng(2026);
  std::size_t temps_seen = 0;
  for (int round = 0; round < kRounds; ++round) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto cache = DiskCache::open(root(), o);
      if (!cache) ::_exit(2);
      for (std::uint64_t i = static_cast<std::uint64_t>(round) * 7;; ++i) {
        const std::uint64_t n = i % kKeys;
        if (!(*cache)->put(key_of(n), payload_of(n, size_of(n)))) ::_exit(3);
      }
    }
    // Even rounds: killed as soon as a temporary file shows (mid-write for
    // sure, whatever the machine's speed). Odd rounds: 5-60 ms after the
    // child's first file shows, wherever it is then.
    const bool at_temp = round % 2 == 0;
    bool seen = false;
    for (int polls = 0; polls < 50'000 && !seen; ++polls) {
      ::usleep(200);
      std::error_code ec;
      for (fs::recursive_directory_iterator it(root(), ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() >= CacheKey::kLength && (!at_temp || name.find(".partial-") != std::string::npos)) seen = true;
      }
    }
    EXPECT_TRUE(seen) << "round " << round << ": the writer never started";
    if (!at_temp) ::usleep(static_cast<useconds_t>(rng.between(5'000, 60'000)));
    ::kill(child, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped on its own, status " << status;
    if (fs::exists(root()))
      for (const auto& e : fs::recursive_directory_iterator(root()))
        if (e.path().filename().string().find(".partial-") != std::string::npos) ++temps_seen;

    // Before any cleanup: a cache opened on what the killed writer left.
    auto cache = open_cache(o);
    ASSERT_TRUE(cache);
    std::size_t hits = 0;
    for (std::uint64_t n = 0; n < kKeys; ++n) {
      auto r = cache->get(key_of(n));
      ASSERT_TRUE(r) << r.error().message;
      if (!*r) continue;
      ++hits;
      ASSERT_EQ((*r)->size(), size_of(n)) << "round " << round << " key " << n;
      ASSERT_TRUE(**r == payload_of(n, size_of(n))) << "round " << round << " key " << n;
    }
    EXPECT_EQ(cache->stats().corrupt, 0u);  // rename makes entries whole: nothing to drop
    for (const auto& e : fs::recursive_directory_iterator(root()))
      EXPECT_EQ(e.path().filename().string().find(".partial-"), std::string::npos) << e.path();
    RecordProperty("round" + std::to_string(round) + "_hits", static_cast<int>(hits));
  }
  // The kills must have landed mid-write at least once for the test to mean anything.
  EXPECT_GT(temps_seen, 0u);
}

}  // namespace
}  // namespace frugal::thumbnails
