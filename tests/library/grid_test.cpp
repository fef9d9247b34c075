// The virtual grid against a brute-force reference (every item's rectangle,
// the visible range, hit tests pixel by pixel, scroll_to) over many small
// layouts; huge counts; and the paged loader against a fake keyset source.

#include <frugal/library/grid.hpp>
#include <frugal/library/paged_loader.hpp>

#include <support/rng.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace frugal::library {
namespace {

using core::Errc;

// The reference: columns by trying every count, rows by walking them.
std::uint64_t reference_columns(const GridLayout& l) {
  std::uint64_t n = 1;
  while (2ull * l.padding + (n + 1) * l.item_width + n * l.spacing <= l.viewport_width) ++n;
  return n;
}

Rect reference_rect(const GridLayout& l, std::uint64_t columns, std::uint64_t i) {
  std::int64_t x = l.padding, y = l.padding;
  for (std::uint64_t c = 0; c < i % columns; ++c) x += l.item_width + l.spacing;
  for (std::uint64_t r = 0; r < i / columns; ++r) y += l.item_height + l.spacing;
  return {x, y, l.item_width, l.item_height};
}

// Items of rows overlapping [scroll, scroll + height), widened by overscan rows.
IndexRange reference_visible(const GridLayout& l, std::uint64_t count, std::uint64_t scroll, std::uint32_t overscan) {
  if (l.viewport_height == 0) return {};  // an empty viewport overlaps nothing
  const std::uint64_t columns = reference_columns(l);
  std::int64_t first_row = -1, last_row = -1;
  for (std::uint64_t i = 0; i < count; ++i) {
    const Rect r = reference_rect(l, columns, i);
    if (r.y < std::int64_t(scroll + l.viewport_height) && r.y + r.height > std::int64_t(scroll)) {
      if (first_row < 0) first_row = std::int64_t(i / columns);
      last_row = std::int64_t(i / columns);
    }
  }
  if (first_row < 0) return {};
  const std::int64_t rows = std::int64_t((count + columns - 1) / columns);
  first_row = std::max<std::int64_t>(0, first_row - overscan);
  last_row = std::min<std::int64_t>(rows - 1, last_row + overscan);
  return {std::uint64_t(first_row) * columns, std::min<std::uint64_t>(count, std::uint64_t(last_row + 1) * columns)};
}

TEST(Grid, MatchesTheBruteForceReferenceOnSmallLayouts) {
  int checked = 0;
  for (std::uint32_t vw : {0u, 1u, 7u, 10u, 23u})
    for (std::uint32_t vh : {0u, 1u, 9u, 16u})
      for (std::uint32_t iw : {1u, 3u, 5u, 12u, 30u})
        for (std::uint32_t ih : {1u, 4u, 20u})
          for (std::uint32_t sp : {0u, 1u, 3u})
            for (std::uint32_t pad : {0u, 2u})
              for (std::uint64_t count : {0ull, 1ull, 2ull, 5ull, 13ull}) {
                const GridLayout l{vw, vh, iw, ih, sp, pad};
                auto grid = Grid::create(l, count);
                ASSERT_TRUE(grid);
                const std::uint64_t columns = reference_columns(l);
                ASSERT_EQ(grid->columns(), columns);
                const std::uint64_t rows = (count + columns - 1) / columns;
                ASSERT_EQ(grid->rows(), rows);
                const std::uint64_t height = rows == 0 ? 0 : 2 * pad + rows * ih + (rows - 1) * sp;
                ASSERT_EQ(grid->content_height(), height);
                ASSERT_EQ(grid->max_scroll(), height > vh ? height - vh : 0);
                for (std::uint64_t i = 0; i < count; ++i) ASSERT_EQ(grid->item_rect(i), reference_rect(l, columns, i));
                for (std::uint64_t scroll = 0; scroll <= grid->max_scroll() + 3; ++scroll) {
                  const std::uint64_t clamped = std::min(scroll, grid->max_scroll());
                  for (std::uint32_t overscan : {0u, 1u, 2u})
                    ASSERT_EQ(grid->visible_range(scroll, overscan), reference_visible(l, count, clamped, overscan))
                        << vw << "x" << vh << " item " << iw << "x" << ih << " sp " << sp << " pad " << pad
                        << " n " << count << " scroll " << scroll << " overscan " << overscan;
                  // Every viewport pixel: the item whose rectangle holds it, if any.
                  for (std::int64_t y = -1; y <= std::int64_t(vh); ++y)
                    for (std::int64_t x = -1; x <= std::int64_t(vw); ++x) {
                      std::optional<std::uint64_t> expected;
                      const bool inside = x >= 0 && y >= 0 && x < std::int64_t(vw) && y < std::int64_t(vh);
                      for (std::uint64_t i = 0; inside && i < count; ++i) {
                        const Rect r = grid->item_rect_in_viewport(i, scroll);
                        if (x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height) expected = i;
                      }
                      ASSERT_EQ(grid->hit_test(x, y, scroll), expected) << x << "," << y;
                    }
                  // scroll_to: the item ends up wholly visible (or top-aligned
                  // when taller), moving as little as possible.
                  for (std::uint64_t i = 0; i < count; ++i) {
                    const std::uint64_t to = grid->scroll_to(i, scroll);
                    ASSERT_LE(to, grid->max_scroll());
                    const Rect r = grid->item_rect(i);
                    const bool was_visible = r.y >= std::int64_t(clamped) && r.y + ih <= std::int64_t(clamped + vh);
                    if (was_visible && ih <= vh) {
                      ASSERT_EQ(to, clamped);
                    } else if (ih > vh) {
                      ASSERT_EQ(to, std::min<std::uint64_t>(r.y, grid->max_scroll()));
                    } else {
                      ASSERT_GE(r.y, std::int64_t(to));
                      ASSERT_LE(r.y + ih, std::int64_t(to + vh));
                      ASSERT_TRUE(r.y == std::int64_t(to) || r.y + ih == std::int64_t(to + vh) || to == grid->max_scroll());
                    }
                  }
                  ++checked;
                }
              }
  EXPECT_GT(checked, 10000);
}

TEST(Grid, OneColumnIsAList) {
  auto grid = Grid::create({100, 50, 90, 10, 2, 0}, 1000);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->columns(), 1u);
  EXPECT_EQ(grid->content_height(), 1000u * 12 - 2);
  for (std::uint64_t i = 0; i < 1000; ++i) EXPECT_EQ(grid->item_rect(i), (Rect{0, std::int64_t(i * 12), 90, 10}));
  EXPECT_EQ(grid->visible_range(120), (IndexRange{10, 15}));  // rows 10..14 start at 120..168 < 170
  EXPECT_EQ(grid->visible_range(121), (IndexRange{10, 15}));
  EXPECT_EQ(grid->visible_range(130), (IndexRange{11, 15}));  // row 10 spans [120, 130): gone; row 15 starts at 180
}

TEST(Grid, ItemWiderThanTheViewportTakesOneColumn) {
  auto grid = Grid::create({50, 50, 80, 10, 0, 4}, 3);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->columns(), 1u);
  EXPECT_EQ(grid->item_rect(2), (Rect{4, 24, 80, 10}));
  EXPECT_EQ(grid->hit_test(49, 5, 0), std::optional<std::uint64_t>(0));
  EXPECT_EQ(grid->hit_test(50, 5, 0), std::nullopt);  // outside the viewport
}

TEST(Grid, HugeCountsStayExact) {
  const GridLayout l{1920, 1080, 100, 150, 10, 20};
  auto grid = Grid::create(l, Grid::kMaxItems);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->columns(), 17u);  // 40 + 17 * 100 + 16 * 10 = 1900 <= 1920
  const std::uint64_t rows = (Grid::kMaxItems + 16) / 17;
  EXPECT_EQ(grid->rows(), rows);
  EXPECT_EQ(grid->content_height(), 40 + rows * 160 - 10);
  const std::uint64_t end = grid->max_scroll();
  const IndexRange last = grid->visible_range(~std::uint64_t{0});  // clamped to the end
  EXPECT_EQ(last.last, Grid::kMaxItems);
  EXPECT_EQ(grid->visible_range(end), last);
  const Rect r = grid->item_rect(Grid::kMaxItems - 1);
  EXPECT_EQ(r.y, std::int64_t(20 + (rows - 1) * 160));
  const std::uint64_t to = grid->scroll_to(Grid::kMaxItems - 1, 0);
  EXPECT_EQ(to, end - 20);  // the item's bottom at the viewport's, the padding below it hidden
  const Rect v = grid->item_rect_in_viewport(Grid::kMaxItems - 1, to);
  EXPECT_EQ(grid->hit_test(v.x + 1, v.y + 1, to), std::optional<std::uint64_t>(Grid::kMaxItems - 1));
  // Limits at their maximum: still exact (content height below 2^58).
  const std::uint32_t m = Grid::kMaxPixels;
  auto biggest = Grid::create({m, m, 1, m, m, m}, Grid::kMaxItems);
  ASSERT_TRUE(biggest);
  EXPECT_EQ(biggest->columns(), 1u);
  EXPECT_EQ(biggest->content_height(), 2ull * m + Grid::kMaxItems * (2ull * m) - m);
}

TEST(Grid, RefusesInputsPastItsLimits) {
  EXPECT_EQ(Grid::create({10, 10, 0, 5, 0, 0}, 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(Grid::create({10, 10, 5, 0, 0, 0}, 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(Grid::create({10, 10, 5, 5, Grid::kMaxPixels + 1, 0}, 1).error().code, Errc::invalid_argument);
  EXPECT_EQ(Grid::create({10, 10, 5, 5, 0, 0}, Grid::kMaxItems + 1).error().code, Errc::invalid_argument);
}

TEST(Grid, HitTestRoundTripsOnRandomLayouts) {
  test::Rng rng(10);
  for (int round = 0; round < 2000; ++round) {
    const GridLayout l{std::uint32_t(rng.between(1, 800)), std::uint32_t(rng.between(1, 600)),
                       std::uint32_t(rng.between(1, 200)), std::uint32_t(rng.between(1, 200)),
                       std::uint32_t(rng.below(20)), std::uint32_t(rng.below(20))};
    auto grid = Grid::create(l, rng.below(1'000'000));
    ASSERT_TRUE(grid);
    const std::uint64_t scroll = grid->max_scroll() == 0 ? 0 : rng.below(grid->max_scroll() + 1);
    const IndexRange visible = grid->visible_range(scroll);
    for (std::uint64_t i = visible.first; i < visible.last; ++i) {
      const Rect r = grid->item_rect_in_viewport(i, scroll);
      // The item's top-left pixel, clipped to the viewport.
      const std::int64_t x = r.x, y = std::max<std::int64_t>(r.y, 0);
      if (x < l.viewport_width && y < r.y + r.height) { EXPECT_EQ(grid->hit_test(x, y, scroll), std::optional(i)); }
    }
  }
}

// A keyset source over rows 0..n-1: the cursor is the last row's key.
struct FakeSource {
  std::uint64_t n = 0;
  int fetches = 0;
  bool fail = false;
  std::vector<std::string> cursors_seen;

  PageFetch<std::uint64_t> fetch() {
    return [this](const std::string& cursor, std::uint32_t limit) -> core::Result<Page<std::uint64_t>> {
      ++fetches;
      cursors_seen.push_back(cursor);
      if (fail) return core::make_error(Errc::io, "fake: read failed");
      const std::uint64_t from = cursor.empty() ? 0 : std::stoull(cursor) + 1;
      Page<std::uint64_t> page;
      for (std::uint64_t k = from; k < n && page.rows.size() < limit; ++k) page.rows.push_back(k);
      if (!page.rows.empty() && page.rows.back() + 1 < n) page.next_cursor = std::to_string(page.rows.back());
      return page;
    };
  }
};

class PagedLoaderTest : public ::testing::TestWithParam<std::uint64_t> {
 public:
  mem::MemoryTracker tracker;
  FakeSource source;
  static constexpr std::uint32_t kPage = 50, kMaxPages = 3;

  PagedLoader<std::uint64_t> make(std::size_t row_bytes = 0) {
    auto loader = PagedLoader<std::uint64_t>::create(tracker, source.fetch(), {kPage, kMaxPages, row_bytes});
    EXPECT_TRUE(loader);
    return std::move(*loader);
  }
  std::size_t account_bytes() { return tracker.account(PagedLoader<std::uint64_t>::kAccountName)->current(); }
  std::uint64_t pages() const { return std::max<std::uint64_t>(1, (source.n + kPage - 1) / kPage); }
  void expect_range(const PagedLoader<std::uint64_t>& loader, std::uint64_t first, std::uint64_t last) {
    for (std::uint64_t i = first; i < std::min(last, source.n); ++i) {
      const std::uint64_t* row = loader.item(i);
      ASSERT_NE(row, nullptr) << i;
      ASSERT_EQ(*row, i);
    }
    if (loader.end_reached()) { EXPECT_EQ(loader.item(source.n), nullptr); }
  }
};

TEST_P(PagedLoaderTest, ScrollingDownFetchesEachPageOnceWithinMaxPages) {
  source.n = GetParam();
  auto loader = make();
  EXPECT_EQ(loader.item(0), nullptr);
  const std::uint64_t window = 30;  // visible rows: under one page, often across two
  for (std::uint64_t first = 0; first < source.n + window; first += 7) {
    loader.set_visible_range(first, first + window);
    auto done = loader.pump();
    ASSERT_TRUE(done);
    EXPECT_TRUE(*done);
    expect_range(loader, first, first + window);
    ASSERT_LE(loader.held_pages(), kMaxPages);
    ASSERT_EQ(account_bytes(), loader.charged_bytes());
  }
  EXPECT_TRUE(loader.end_reached());
  EXPECT_EQ(loader.known_count(), source.n);
  EXPECT_EQ(std::uint64_t(source.fetches), pages());  // never the same page twice
  std::vector<std::string> unique = source.cursors_seen;
  std::sort(unique.begin(), unique.end());
  EXPECT_EQ(std::unique(unique.begin(), unique.end()), unique.end());

  // Back to the top: the dropped pages come back from their stored cursors.
  const int before = source.fetches;
  loader.set_visible_range(0, window);
  ASSERT_TRUE(loader.pump());
  expect_range(loader, 0, window);
  EXPECT_EQ(source.fetches - before, source.n > kPage * kMaxPages ? 1 : 0);
  if (source.n > kPage * kMaxPages) { EXPECT_EQ(source.cursors_seen.back(), ""); }
  loader.set_visible_range(kPage, kPage + 1);  // page 1: its cursor is row 49's key
  ASSERT_TRUE(loader.pump());
  if (source.n > kPage * kMaxPages) { EXPECT_EQ(source.cursors_seen.back(), std::to_string(kPage - 1)); }
  expect_range(loader, kPage, kPage + 1);
}

TEST_P(PagedLoaderTest, JumpingToTheEndFetchesEveryPageExactlyOnce) {
  source.n = GetParam();
  auto loader = make();
  loader.set_visible_range(source.n == 0 ? 0 : source.n - 1, source.n + 5);
  auto done = loader.pump();
  ASSERT_TRUE(done);
  EXPECT_TRUE(*done);
  EXPECT_EQ(std::uint64_t(source.fetches), pages());
  EXPECT_TRUE(loader.end_reached());
  EXPECT_EQ(loader.known_count(), source.n);
  EXPECT_EQ(loader.known_cursors(), pages());
  EXPECT_LE(loader.held_pages(), kMaxPages);
  expect_range(loader, source.n == 0 ? 0 : source.n - 1, source.n);
  // Past the end: nothing more to fetch, however far the range reaches.
  loader.set_visible_range(source.n + 100, source.n + 200);
  EXPECT_TRUE(*loader.pump());
  loader.set_visible_range(0, ~std::uint64_t{0});
  const bool fits = source.n <= kPage * kMaxPages;
  EXPECT_EQ(*loader.pump(), fits);  // the range's first max_pages pages, refetched when the end was held
  EXPECT_EQ(std::uint64_t(source.fetches), pages() + (fits ? 0 : kMaxPages));
  expect_range(loader, 0, std::min<std::uint64_t>(source.n, kPage * kMaxPages));
}

TEST_P(PagedLoaderTest, FetchErrorsLeaveTheStateUnchanged) {
  source.n = GetParam();
  auto loader = make();
  loader.set_visible_range(0, 10);
  ASSERT_TRUE(loader.pump());
  const std::uint64_t count = loader.known_count();
  const std::size_t cursors = loader.known_cursors(), held = loader.held_pages(), bytes = account_bytes();
  source.fail = true;
  loader.set_visible_range(source.n + 500, source.n + 510);
  auto result = loader.pump();
  if (loader.end_reached()) {  // nothing left to fetch
    EXPECT_TRUE(result);
  } else {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, Errc::io);
  }
  EXPECT_EQ(loader.known_count(), count);
  EXPECT_EQ(loader.known_cursors(), cursors);
  EXPECT_EQ(loader.held_pages(), held);
  EXPECT_EQ(account_bytes(), bytes);
  source.fail = false;
  loader.set_visible_range(0, 10);
  ASSERT_TRUE(loader.pump());
  expect_range(loader, 0, 10);
}

INSTANTIATE_TEST_SUITE_P(Sizes, PagedLoaderTest, ::testing::Values(0, 1, PagedLoaderTest::kPage, 10'007));

TEST(PagedLoader, PumpHonoursItsFetchAllowance) {
  mem::MemoryTracker tracker;
  FakeSource source{1000, 0, false, {}};
  auto loader = PagedLoader<std::uint64_t>::create(tracker, source.fetch(), {10, 2, 0});
  ASSERT_TRUE(loader);
  loader->set_visible_range(995, 1000);
  for (int step = 1; step < 100; ++step) {
    auto done = loader->pump(1);
    ASSERT_TRUE(done);
    EXPECT_EQ(source.fetches, step);
    EXPECT_FALSE(*done);
    EXPECT_EQ(loader->known_count(), std::uint64_t(step) * 10);
  }
  EXPECT_TRUE(*loader->pump(1));
  EXPECT_EQ(source.fetches, 100);
  EXPECT_EQ(*loader->item(999), 999u);
}

TEST(PagedLoader, ChargesRowsAtTheCallersEstimate) {
  mem::MemoryTracker tracker;
  FakeSource source{100, 0, false, {}};
  auto loader = PagedLoader<std::uint64_t>::create(tracker, source.fetch(), {10, 4, 1000});
  ASSERT_TRUE(loader);
  const std::size_t empty = loader->charged_bytes();
  loader->set_visible_range(0, 10);
  ASSERT_TRUE(loader->pump());
  EXPECT_GE(loader->charged_bytes() - empty, 10u * 1000);
  EXPECT_LT(loader->charged_bytes() - empty, 10u * 1000 + 1000);
  EXPECT_EQ(tracker.account("library/pages")->current(), loader->charged_bytes());
}

TEST(PagedLoader, ARefusedChargeLeavesTheStateUnchanged) {
  mem::MemoryTracker tracker;
  FakeSource source{100, 0, false, {}};
  ASSERT_TRUE(tracker.account("library/pages", 5000));  // room for the cursors and half a page
  auto loader = PagedLoader<std::uint64_t>::create(tracker, source.fetch(), {10, 4, 1000});
  ASSERT_TRUE(loader);
  loader->set_visible_range(0, 10);
  auto result = loader->pump();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::out_of_memory);
  EXPECT_EQ(loader->known_count(), 0u);
  EXPECT_EQ(loader->known_cursors(), 1u);
  EXPECT_EQ(loader->held_pages(), 0u);
  EXPECT_EQ(loader->item(0), nullptr);
}

TEST(PagedLoader, RefusesMalformedPages) {
  mem::MemoryTracker tracker;
  int calls = 0;
  PageFetch<int> short_page = [&](const std::string&, std::uint32_t) -> core::Result<Page<int>> {
    ++calls;
    return Page<int>{{1, 2}, "more"};  // fewer than the limit, yet not the end
  };
  auto loader = PagedLoader<int>::create(tracker, short_page, {10, 2, 0});
  ASSERT_TRUE(loader);
  loader->set_visible_range(0, 1);
  auto result = loader->pump();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::malformed);
  EXPECT_EQ(loader->known_count(), 0u);
  EXPECT_EQ(calls, 1);
  PageFetch<int> long_page = [](const std::string&, std::uint32_t limit) -> core::Result<Page<int>> {
    return Page<int>{std::vector<int>(limit + 1, 0), ""};
  };
  auto other = PagedLoader<int>::create(tracker, long_page, {10, 2, 0});
  ASSERT_TRUE(other);
  other->set_visible_range(0, 1);
  EXPECT_EQ(other->pump().error().code, Errc::malformed);
  EXPECT_EQ(PagedLoader<int>::create(tracker, long_page, {0, 2, 0}).error().code, Errc::invalid_argument);
  EXPECT_EQ(PagedLoader<int>::create(tracker, nullptr, {10, 2, 0}).error().code, Errc::invalid_argument);
}

TEST(PagedLoader, ASourceThatReportsTheEndOneEmptyPageLateWorksToo) {
  mem::MemoryTracker tracker;
  int calls = 0;
  // Exactly 20 rows; a next cursor after every full page, then an empty page.
  PageFetch<int> source = [&](const std::string& cursor, std::uint32_t limit) -> core::Result<Page<int>> {
    ++calls;
    const int from = cursor.empty() ? 0 : std::stoi(cursor);
    Page<int> page;
    for (int k = from; k < 20 && page.rows.size() < limit; ++k) page.rows.push_back(k);
    if (page.rows.size() == limit) page.next_cursor = std::to_string(from + int(limit));
    return page;
  };
  auto loader = PagedLoader<int>::create(tracker, source, {10, 2, 0});
  ASSERT_TRUE(loader);
  loader->set_visible_range(15, 40);
  ASSERT_TRUE(*loader->pump());
  EXPECT_EQ(calls, 3);
  EXPECT_TRUE(loader->end_reached());
  EXPECT_EQ(loader->known_count(), 20u);
  EXPECT_EQ(*loader->item(19), 19);
  EXPECT_EQ(loader->item(20), nullptr);
}

TEST(PagedLoader, DropsThePageFarthestFromTheVisibleRange) {
  mem::MemoryTracker tracker;
  FakeSource source{100, 0, false, {}};
  auto loader = PagedLoader<std::uint64_t>::create(tracker, source.fetch(), {10, 3, 0});
  ASSERT_TRUE(loader);
  loader->set_visible_range(0, 30);  // pages 0, 1, 2
  ASSERT_TRUE(loader->pump());
  loader->set_visible_range(30, 40);  // page 3: page 0 is the farthest
  ASSERT_TRUE(loader->pump());
  EXPECT_EQ(loader->item(0), nullptr);
  EXPECT_NE(loader->item(10), nullptr);
  EXPECT_NE(loader->item(20), nullptr);
  loader->set_visible_range(0, 10);  // back to page 0: page 3 is the farthest now
  ASSERT_TRUE(loader->pump());
  EXPECT_EQ(source.fetches, 5);
  EXPECT_EQ(source.cursors_seen.back(), "");
  EXPECT_EQ(*loader->item(0), 0u);
  EXPECT_EQ(loader->item(30), nullptr);
  EXPECT_NE(loader->item(10), nullptr);
  EXPECT_NE(loader->item(20), nullptr);
}

TEST(PagedLoader, ARangeWiderThanMaxPagesKeepsItsFirstPages) {
  mem::MemoryTracker tracker;
  FakeSource source{100, 0, false, {}};
  auto loader = PagedLoader<std::uint64_t>::create(tracker, source.fetch(), {10, 3, 0});
  ASSERT_TRUE(loader);
  loader->set_visible_range(0, 60);
  auto done = loader->pump();
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done);
  EXPECT_EQ(loader->held_pages(), 3u);
  EXPECT_NE(loader->item(29), nullptr);
  EXPECT_EQ(loader->item(30), nullptr);
  EXPECT_EQ(source.fetches, 3);  // pages it could not hold are not fetched
  ASSERT_TRUE(loader->pump());
  EXPECT_EQ(source.fetches, 3);
  loader->set_visible_range(30, 90);  // scrolled: the window moves with the range
  ASSERT_TRUE(loader->pump());
  EXPECT_EQ(source.fetches, 6);
  EXPECT_EQ(loader->held_pages(), 3u);
  EXPECT_EQ(loader->item(29), nullptr);
  EXPECT_EQ(*loader->item(59), 59u);
}

}  // namespace
}  // namespace frugal::library
