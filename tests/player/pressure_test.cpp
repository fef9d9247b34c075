// Memory pressure during playback: a real file decoded under a small budget,
// critical pressure injected half way; the player's buffers shrink, playback
// finishes, and the audio is bit-identical to an unpressured run.
#include <frugal/core/file_source.hpp>
#include <frugal/mem/manual_source.hpp>
#include <frugal/mem/os_pressure.hpp>
#include <frugal/player/player.hpp>

#include "heap_counter.hpp"
#include "process.hpp"
#include "support/media.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

namespace frugal::player {
namespace {

using namespace std::chrono_literals;

// Keeps what it is given; calls `on_write` with the number of writes so far.
class CapturingSink final : public Sink {
 public:
  explicit CapturingSink(std::function<void(std::size_t)> on_write = {}) : on_write_(std::move(on_write)) {}
  core::Result<void> open(const core::AudioFormat&) override { return core::ok(); }
  core::Result<void> write(std::span<const std::byte> frames) override {
    data_.insert(data_.end(), frames.begin(), frames.end());
    if (on_write_) on_write_(++writes_);
    return core::ok();
  }
  core::Result<void> close() override { return core::ok(); }
  std::string describe() const override { return "capture"; }
  const std::vector<std::byte>& data() const { return data_; }

 private:
  std::function<void(std::size_t)> on_write_;
  std::vector<std::byte> data_;
  std::size_t writes_ = 0;
};

// A real file: FLAC from the media folder when it is there, else the bundled one.
std::string flac_file() {
  if (auto dir = test::media_dir(); dir && std::filesystem::exists(*dir / "mp4/taglib__tests_data_flac96.m4a"))
    return (*dir / "mp4/taglib__tests_data_flac96.m4a").string();
  return std::string(FRUGAL_SOURCE_DIR) + "/samples/speech-chirp.flac.m4a";
}

constexpr std::size_t kBudget = 2u << 20;

// Plays `path` under `tracker` into `sink` with small writes (many of them).
core::Result<void> play(const std::string& path, mem::MemoryTracker& tracker, Sink& sink) {
  FRUGAL_TRY(core::FileSource file, core::FileSource::open(path.c_str()));
  const auto registry = codec::DecoderRegistry::with_builtins();
  StreamOptions stream_options;
  stream_options.tracker = &tracker;
  FRUGAL_TRY(AudioStream stream, AudioStream::open(file, registry, stream_options));
  PlayerOptions options;
  options.tracker = &tracker;
  options.frames_per_write = 256;
  Player player(sink, options);
  FRUGAL_CHECK(player.play(stream));
  return player.finish();
}

TEST(PlayerUnderPressure, ShrinksItsBuffersAndPlaysTheSameAudio) {
  const std::string path = flac_file();
  mem::TrackerOptions options;
  options.budget = kBudget;

  mem::MemoryTracker calm(options);
  CapturingSink reference;
  ASSERT_TRUE(play(path, calm, reference));
  ASSERT_FALSE(reference.data().empty());
  EXPECT_LE(calm.peak_total(), kBudget);

  mem::MemoryTracker pressed(options);
  mem::ManualPressureSource source(&pressed);
  ASSERT_TRUE(pressed.add_source(source));
  mem::DispatchThread dispatcher(pressed);
  auto ring = pressed.account("player/ring_buffer");
  ASSERT_TRUE(ring);
  // At the 20th write, critical pressure; the dispatcher delivers it on its
  // own thread, and the ring shrinks as the sink drains it below the new size.
  std::size_t before = 0, after = ~std::size_t{0};
  CapturingSink sink([&](std::size_t writes) {
    if (writes == 20) {
      before = ring->current();
      source.set(mem::PressureLevel::critical);
    } else if (writes > 20) {
      after = std::min(after, ring->current());
      if (after >= before) std::this_thread::sleep_for(2ms);  // a slow sink: time for the dispatcher
    }
  });
  ASSERT_TRUE(play(path, pressed, sink));
  pressed.remove_source(source);

  EXPECT_EQ(pressed.level(), mem::PressureLevel::critical);
  EXPECT_GT(before, 0u);
  EXPECT_LE(after, before / 8 + 2 * 256 * 2 * 4) << "ring " << before << " -> " << after << " bytes";
  EXPECT_LT(after, before);
  EXPECT_LE(pressed.peak_total(), kBudget);
  EXPECT_TRUE(sink.data() == reference.data()) << "audio differs under pressure";

  // Honest totals: all heap use (libFLAC's own buffers included) is at least
  // what the tracker saw; both are recorded with the test.
  const platform::HeapCounts heap = platform::heap_counts();
  RecordProperty("tracker_peak_total", std::to_string(pressed.peak_total()));
  RecordProperty("rss_peak", std::to_string(platform::peak_rss_bytes()));
  if (heap.available) {
    RecordProperty("heap_peak", std::to_string(heap.peak));
    EXPECT_GE(heap.peak, pressed.peak_total());
  }
}

}  // namespace
}  // namespace frugal::player
