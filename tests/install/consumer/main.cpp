// Decodes FILE through the installed library and prints the frames it got.
#include <frugal/core/file_source.hpp>
#include <frugal/player/audio_stream.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) return 1;
  auto file = frugal::core::FileSource::open(argv[1]);
  if (!file) return 3;
  const auto registry = frugal::codec::DecoderRegistry::with_builtins();
  auto stream = frugal::player::AudioStream::open(*file, registry);
  if (!stream) return 2;
  while (true) {
    auto block = stream->read();
    if (!block) return 2;
    if (block->empty()) break;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(stream->position_frames()));
  return 0;
}
