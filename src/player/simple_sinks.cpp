// The null and raw sinks.
#include <frugal/player/sink.hpp>

#include "output_file.hpp"

namespace frugal::player {

namespace {

class NullSink final : public Sink {
 public:
  core::Result<void> open(const core::AudioFormat&) override { return core::ok(); }
  core::Result<void> write(std::span<const std::byte>) override { return core::ok(); }
  core::Result<void> close() override { return core::ok(); }
  std::string describe() const override { return "null"; }
};

class RawSink final : public Sink {
 public:
  explicit RawSink(int fd) : fd_(fd) {}
  core::Result<void> open(const core::AudioFormat&) override { return core::ok(); }
  core::Result<void> write(std::span<const std::byte> frames) override { return platform::write_all(fd_, frames); }
  core::Result<void> close() override { return core::ok(); }
  std::string describe() const override { return "raw"; }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<Sink> make_null_sink() { return std::make_unique<NullSink>(); }
std::unique_ptr<Sink> make_raw_sink(int fd) { return std::make_unique<RawSink>(fd); }

}  // namespace frugal::player
