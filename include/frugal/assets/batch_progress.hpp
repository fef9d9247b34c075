#pragma once
// Progress reports shared by the batch functions that run on worker threads
// (hal_batch_decompress, exr_scan_headers): how far a batch stands, and the
// callback that sees it and may cancel it.

#include <cstddef>
#include <functional>

namespace frugal::assets {

/// Where a batch stands, in items (offsets, files).
struct BatchProgress {
  std::size_t done = 0;    ///< items finished, successfully or not
  std::size_t total = 0;   ///< items in the batch
  std::size_t failed = 0;  ///< items among `done` that failed
};

/// Called after every finished item, serialized: never two calls at once
/// (the batch's lock is held during the call, so keep it short: a worker
/// finishing meanwhile waits). `done` grows by one per call and the last
/// call of a batch that was not cancelled has done == total. Returning
/// false cancels the batch: the workers finish the items they are on and
/// take no more.
using BatchProgressFn = std::function<bool(const BatchProgress&)>;

}  // namespace frugal::assets
