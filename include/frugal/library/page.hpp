#pragma once
// One keyset page (the catalogue's listings, the paged loader's fetches).

#include <string>
#include <vector>

namespace frugal::library {

/// Up to `limit` rows in key order, and the opaque cursor that fetches the
/// rows after them — empty when no row follows (the catalogue reads one
/// row past the page to know). Plain value.
template <typename Row>
struct Page {
  std::vector<Row> rows;
  std::string next_cursor;
};

}  // namespace frugal::library
