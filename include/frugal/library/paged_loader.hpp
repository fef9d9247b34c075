#pragma once
// The paged loader: keeps the rows a grid shows (library/grid.hpp) in memory
// by fetching keyset pages from a source as the visible range moves. A
// keyset page source cannot jump: page k is reached only through the cursor
// page k - 1 returned, so the loader remembers the cursor of every page
// boundary it has seen (one short string per page) and holds at most
// max_pages pages of rows; a dropped page is refetched directly from its
// stored cursor.
//
// Use (synchronous, on the UI's thread): set_visible_range(first, last)
// whenever the grid scrolls (Grid::visible_range, with overscan to prefetch),
// then pump() — it calls the source inline until the range is loaded, the
// end is reached, or its fetch allowance is spent (so a frame can do one
// fetch at a time) — then item(i) for each visible index: the row, or
// nullptr ("not loaded yet": draw a placeholder).
//
// Memory: every held page is charged to the tracker account "library/pages"
// (kAccountName) before it is kept — its rows at the caller's per-row
// estimate (sizeof(Row) by default) plus the page's bookkeeping — and the
// stored cursors to the same account. When all max_pages slots are full, the
// page farthest from the visible range is dropped (the least recently
// wanted among equally far ones). Of a visible range wider than max_pages
// pages only the first max_pages pages are fetched and held.
//
// Errors from the source, malformed pages and refused charges are returned
// by pump() and leave the loader exactly as it was before that fetch (pages
// fetched earlier in the same pump() stay).
//
// Thread-safety: none; one thread owns a PagedLoader, and the source is
// called on that thread, inside pump().

#include <frugal/library/page.hpp>
#include <frugal/core/error.hpp>
#include <frugal/core/result.hpp>
#include <frugal/mem/memory_tracker.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace frugal::library {

/// A page source: the rows after `cursor` ("" = from the first), at most
/// `limit` of them. A page that has a next_cursor must be full (`limit`
/// rows).
template <typename Row>
using PageFetch = std::function<core::Result<Page<Row>>(const std::string& cursor, std::uint32_t limit)>;

/// How a PagedLoader pages: the fetch size, how many pages it may hold, and
/// what a row costs in memory.
struct PagedLoaderOptions {
  std::uint32_t page_size = 64;   ///< rows per fetch (the source's `limit`), > 0
  std::uint32_t max_pages = 4;    ///< pages held at most, > 0
  std::size_t row_bytes = 0;      ///< bytes a row is charged as; 0 = sizeof(Row)
};

/// Rows of a keyset-paged list, fetched as its visible range moves (see the
/// file comment: use, memory, errors, thread-safety). Move-only.
template <typename Row>
class PagedLoader {
 public:
  static constexpr const char* kAccountName = "library/pages";
  static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

  /// A loader over `fetch`, charging `tracker` (which must outlive it).
  /// Errors: Errc::invalid_argument for a zero page_size or max_pages or a
  /// null fetch; the tracker's account errors.
  static core::Result<PagedLoader> create(mem::MemoryTracker& tracker, PageFetch<Row> fetch,
                                          const PagedLoaderOptions& options) {
    if (options.page_size == 0 || options.max_pages == 0 || !fetch)
      return core::make_error(core::Errc::invalid_argument, "paged loader: page_size, max_pages and fetch are required");
    FRUGAL_TRY(mem::Account account, tracker.account(kAccountName));
    PagedLoaderOptions resolved = options;
    if (resolved.row_bytes == 0) resolved.row_bytes = sizeof(Row);
    return PagedLoader(account, std::move(fetch), resolved);
  }

  /// The indices [first, last) to load (the grid's visible range, overscan
  /// included). Cheap: no fetch happens here.
  void set_visible_range(std::uint64_t first, std::uint64_t last) noexcept {
    first_ = first;
    last_ = std::max(first, last);
    ++clock_;
  }

  /// Fetches what the visible range lacks, at most `max_fetches` pages:
  /// missing pages in index order (of the range's first max_pages pages, up
  /// to the end when it is known), each reached from its stored cursor or,
  /// past the last known boundary, by fetching forward page by page. Returns
  /// whether the range is now loaded (true also when it lies past the end).
  /// Errors: the source's; Errc::malformed for a short page before the end
  /// or a page of more than page_size rows; Errc::limit_exceeded past 2^32
  /// rows; Errc::out_of_memory when the tracker refuses a charge.
  core::Result<bool> pump(std::uint64_t max_fetches = kUnlimited) {
    std::uint64_t fetches = 0;
    // Only the pages that can be held, and none past the end: a range
    // reaching far beyond either costs nothing.
    for (std::uint64_t page = first_page(); page < window_end() && !past_end(page); ++page) {
      if (Slot* held = find(page)) {
        held->wanted_at = clock_;
        continue;
      }
      // Fetch forward to `page` (it may turn out to lie past the end).
      while (!past_end(page)) {
        if (fetches == max_fetches) return false;
        ++fetches;
        const std::uint64_t from = std::min<std::uint64_t>(page, cursors_.size() - 1);
        FRUGAL_CHECK(fetch_page(from));
        if (from == page) break;  // held now
      }
    }
    return loaded();
  }

  /// Whether every page of the visible range is held, up to the end when
  /// it was reached.
  bool loaded() const noexcept {
    for (std::uint64_t page = first_page(); page < end_page() && !past_end(page); ++page)
      if (find(page) == nullptr) return false;
    return true;
  }

  /// Row `index`, or nullptr when its page is not held (not fetched yet,
  /// dropped, or past the end). The pointer is valid until the next pump().
  /// O(max_pages).
  const Row* item(std::uint64_t index) const noexcept {
    const Slot* slot = find(index / options_.page_size);
    if (slot == nullptr) return nullptr;
    const std::uint64_t offset = index % options_.page_size;
    return offset < slot->rows.size() ? &slot->rows[static_cast<std::size_t>(offset)] : nullptr;
  }

  /// Rows known to exist: every row of the pages fetched so far and before
  /// them; the exact count once end_reached().
  std::uint64_t known_count() const noexcept { return known_count_; }
  /// Whether the source has returned its last page.
  bool end_reached() const noexcept { return end_reached_; }
  /// Pages held now (≤ max_pages).
  std::size_t held_pages() const noexcept {
    return static_cast<std::size_t>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.used; }));
  }
  /// Page boundaries whose cursor is stored (page 0's included).
  std::size_t known_cursors() const noexcept { return cursors_.size(); }
  /// Calls made to the source so far (successful or not).
  std::uint64_t fetch_count() const noexcept { return fetch_count_; }
  /// Bytes charged to kAccountName by this loader.
  std::size_t charged_bytes() const noexcept {
    std::size_t bytes = cursor_charge_.bytes();
    for (const Slot& slot : slots_) bytes += slot.charge.bytes();
    return bytes;
  }

  PagedLoader(PagedLoader&&) noexcept = default;
  PagedLoader& operator=(PagedLoader&&) noexcept = default;

 private:
  struct Slot {
    bool used = false;
    std::uint64_t page = 0;
    std::uint64_t wanted_at = 0;  // clock_ when last inside the visible range (or fetched)
    std::vector<Row> rows;
    mem::Charge charge;
  };

  PagedLoader(mem::Account account, PageFetch<Row> fetch, const PagedLoaderOptions& options)
      : account_(account), fetch_(std::move(fetch)), options_(options), slots_(options.max_pages),
        cursors_(1), cursor_charge_(account, cursor_cost(std::string())) {}

  static std::size_t cursor_cost(const std::string& cursor) noexcept { return sizeof(std::string) + cursor.size(); }

  std::uint64_t first_page() const noexcept { return first_ / options_.page_size; }
  std::uint64_t end_page() const noexcept {
    return last_ == first_ ? first_page() : (last_ - 1) / options_.page_size + 1;
  }
  // Page `page` holds no row: the end was reached before it.
  bool past_end(std::uint64_t page) const noexcept {
    return end_reached_ && page * options_.page_size >= known_count_;
  }
  // The pages to hold: the range's first max_pages pages.
  std::uint64_t window_end() const noexcept {
    return first_page() + std::min<std::uint64_t>(end_page() - first_page(), options_.max_pages);
  }
  std::uint64_t distance(std::uint64_t page) const noexcept {
    if (page < first_page()) return first_page() - page;
    return page >= window_end() ? page - window_end() + 1 : 0;
  }
  const Slot* find(std::uint64_t page) const noexcept {
    for (const Slot& slot : slots_)
      if (slot.used && slot.page == page) return &slot;
    return nullptr;
  }
  Slot* find(std::uint64_t page) noexcept { return const_cast<Slot*>(std::as_const(*this).find(page)); }
  // The slot for a new page: a free one, else the farthest from the window
  // (the least recently wanted among equally far ones). Never a window page:
  // the window has at most max_pages pages and the new page is one of them
  // or lies outside it (fetched on the way), as every held page then does.
  Slot& victim() noexcept {
    Slot* best = nullptr;
    for (Slot& slot : slots_) {
      if (!slot.used) return slot;
      if (best == nullptr || distance(slot.page) > distance(best->page) ||
          (distance(slot.page) == distance(best->page) && slot.wanted_at < best->wanted_at))
        best = &slot;
    }
    return *best;
  }

  // Fetches page `page` (its cursor is stored), keeps it (unless empty) in
  // victim()'s slot and records the boundary after it. All checks and
  // charges happen before anything changes.
  core::Result<void> fetch_page(std::uint64_t page) {
    ++fetch_count_;
    FRUGAL_TRY(Page<Row> fetched, fetch_(cursors_[static_cast<std::size_t>(page)], options_.page_size));
    const bool last = fetched.next_cursor.empty();
    if (fetched.rows.size() > options_.page_size || (!last && fetched.rows.size() != options_.page_size))
      return core::make_error(core::Errc::malformed, "paged loader: a page's row count disagrees with its cursor");
    const std::uint64_t page_end = page * options_.page_size + fetched.rows.size();
    if (page_end > (std::uint64_t{1} << 32))
      return core::make_error(core::Errc::limit_exceeded, "paged loader: more than 2^32 rows");
    const bool new_boundary = !last && page + 1 == cursors_.size();
    mem::Charge page_charge;
    if (!fetched.rows.empty()) {
      FRUGAL_TRY(page_charge, mem::Charge::try_make(account_, fetched.rows.size() * options_.row_bytes + sizeof(Slot)));
    }
    if (new_boundary) {
      FRUGAL_CHECK(cursor_charge_.try_resize(cursor_charge_.bytes() + cursor_cost(fetched.next_cursor)));
      cursors_.push_back(std::move(fetched.next_cursor));
    }
    if (last) end_reached_ = true;
    known_count_ = std::max(known_count_, page_end);
    if (!fetched.rows.empty()) victim() = Slot{true, page, clock_, std::move(fetched.rows), std::move(page_charge)};
    return core::ok();
  }

  mem::Account account_;
  PageFetch<Row> fetch_;
  PagedLoaderOptions options_;
  std::vector<Slot> slots_;
  std::vector<std::string> cursors_;  // cursors_[k] fetches page k
  mem::Charge cursor_charge_;
  std::uint64_t first_ = 0, last_ = 0;
  std::uint64_t clock_ = 0;
  std::uint64_t known_count_ = 0;
  std::uint64_t fetch_count_ = 0;
  bool end_reached_ = false;
};

}  // namespace frugal::library
