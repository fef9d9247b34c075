// hardware_decode FILE OUT.wav: plays FILE into a WAV file with the
// hardware AAC plug-in registered ahead of frugal's decoders, then says
// which decoder took the stream.
#include "hardware_aac_decoder.hpp"

#include <frugal/core/file_source.hpp>
#include <frugal/player/audio_stream.hpp>
#include <frugal/player/player.hpp>
#include <frugal/player/wav_sink.hpp>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hardware_decode FILE OUT.wav\n");
    return 1;
  }
  frugal::codec::DecoderRegistry registry = frugal::codec::DecoderRegistry::with_builtins();
  example::HardwareStats stats;
  example::register_hardware_aac(registry, stats);

  auto file = frugal::core::FileSource::open(argv[1]);
  if (!file) {
    std::fprintf(stderr, "%s: %s\n", argv[1], file.error().message);
    return 3;
  }
  auto stream = frugal::player::AudioStream::open(*file, registry);
  if (!stream) {
    std::fprintf(stderr, "%s: %s\n", argv[1], stream.error().message);
    return 2;
  }
  const auto sink = frugal::player::make_wav_file_sink(argv[2]);
  frugal::player::Player player(*sink);
  if (auto played = player.play(*stream); !played) {
    std::fprintf(stderr, "%s: %s\n", argv[1], played.error().message);
    return 2;
  }
  if (auto committed = player.finish(); !committed) {  // the WAV file appears here, whole
    std::fprintf(stderr, "%s: %s\n", argv[2], committed.error().message);
    return 3;
  }
  std::printf("decoder: %s, packets through the hardware: %llu\n", stats.streams ? "hardware-aac" : "built-in",
              static_cast<unsigned long long>(stats.packets.load()));
  return 0;
}
