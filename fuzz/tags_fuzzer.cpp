// read_tags on hostile files: frugal's walkers plan the view, TagLib reads
// it, every picture is described. Caps small enough that a run stays fast;
// every byte charged must be released once the Tags are gone.
#include "harness.hpp"

#include <frugal/core/byte_source.hpp>
#include <frugal/tags/tags.hpp>

using namespace frugal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mem::TrackerOptions tracker_options;
  tracker_options.budget = fuzz::kBudgetBytes;
  mem::MemoryTracker tracker(tracker_options);
  {
    core::MemorySource source(std::as_bytes(std::span(data, size)));
    tags::TagOptions options;
    options.max_tag_bytes = 256u << 10;
    options.max_picture_bytes = 64u << 10;
    options.tracker = &tracker;
    auto t = tags::read_tags(source, options);
    if (t) {
      std::size_t held = 0;
      for (const tags::Picture& p : t->pictures) held += p.data.size();
      if (held != t->memory.bytes()) std::abort();  // every loaded byte charged
    }
  }
  fuzz::expect_all_released(tracker);
  return 0;
}
