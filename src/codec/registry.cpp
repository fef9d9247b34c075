#include <frugal/codec/registry.hpp>

#include "codec/builtin.hpp"

#include <frugal/core/byte_reader.hpp>

namespace frugal::codec {

using core::Errc;
using core::make_error;

DecoderRegistry DecoderRegistry::with_builtins() {
  DecoderRegistry r;
  r.add(core::Codec::pcm, "pcm", detail::make_pcm_decoder);
#ifdef FRUGAL_HAVE_OPUS
  r.add(core::Codec::opus, "libopus", detail::make_opus_decoder);
#endif
#ifdef FRUGAL_HAVE_FLAC
  r.add(core::Codec::flac, "libflac", detail::make_flac_decoder);
#endif
#ifdef FRUGAL_HAVE_FAAD2
  r.add(core::Codec::aac, "faad2", detail::make_faad2_decoder);  // before libavcodec: its fallback
#endif
#ifdef FRUGAL_HAVE_AVCODEC
  for (const core::Codec codec : {core::Codec::aac, core::Codec::alac, core::Codec::mp3, core::Codec::ac3,
                                  core::Codec::eac3})
    r.add(codec, "libavcodec", detail::make_avcodec_decoder);
#endif
#ifdef FRUGAL_HAVE_MPG123
  r.add(core::Codec::mp3, "libmpg123", detail::make_mpg123_decoder);  // after libavcodec: preferred
#endif
  return r;
}

void DecoderRegistry::add(core::Codec codec, std::string name, DecoderFactory factory) {
  entries_.push_back(Entry{codec, std::move(name), std::move(factory)});
}

core::Result<std::unique_ptr<Decoder>> DecoderRegistry::create(const core::CodecParameters& params,
                                                               const DecoderOptions& options) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->codec != params.codec) continue;
    auto decoder = it->factory(params, options);
    if (decoder || decoder.error().code != Errc::unsupported) return decoder;
  }
  return make_error(Errc::unsupported, "no decoder for this codec in this build");
}

std::vector<std::string> DecoderRegistry::names(core::Codec codec) const {
  std::vector<std::string> out;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->codec == codec) out.push_back(it->name);
  return out;
}

DecoderRegistry DecoderRegistry::only(std::string_view name) const {
  DecoderRegistry r;
  for (const Entry& e : entries_)
    if (e.name == name) r.entries_.push_back(e);
  return r;
}

std::uint32_t priming_frames(const core::CodecParameters& params) noexcept {
  if (params.codec != core::Codec::opus) return 0;
  auto config = detail::parse_opus_config(params.config);
  return config ? config->pre_skip : 0;
}

std::uint32_t preroll_frames(const core::CodecParameters& params) noexcept {
  switch (params.codec) {
    case core::Codec::opus: return 3840;
    case core::Codec::aac: return 1024;
    case core::Codec::mp3: return 2 * 1152;
    default: return 0;
  }
}

namespace detail {

core::Result<DecoderAccounts> decoder_accounts(const DecoderOptions& options) {
  mem::MemoryTracker& tracker = options.tracker ? *options.tracker : mem::default_tracker();
  FRUGAL_TRY(mem::Account buffers, tracker.account("codec/buffers"));
  FRUGAL_TRY(mem::Account state, tracker.account("codec/state"));
  return DecoderAccounts{buffers, state};
}

core::Result<OpusConfig> parse_opus_config(std::span<const std::byte> dops) {
  core::ByteReader r(dops);
  OpusConfig c;
  const std::uint8_t version = r.u8();
  c.channels = r.u8();
  c.pre_skip = r.u16();
  r.skip(4);  // InputSampleRate: informational
  c.output_gain = r.i16();
  c.mapping_family = r.u8();
  if (c.mapping_family == 0) {
    c.streams = 1;
    c.coupled = c.channels > 1 ? 1 : 0;
    c.mapping[0] = 0;
    c.mapping[1] = 1;
  } else {
    c.streams = r.u8();
    c.coupled = r.u8();
    const auto table = r.bytes(c.channels);
    for (std::size_t i = 0; i < table.size(); ++i) c.mapping[i] = std::to_integer<std::uint8_t>(table[i]);
  }
  if (!r.ok()) return make_error(Errc::malformed, "Opus: dOps too short");
  if (version != 0) return make_error(Errc::unsupported, "Opus: dOps version is not 0");
  // RFC 7845 §5.1.1: family 0 is mono or stereo, family 1 up to 8 channels.
  if (c.channels == 0 || (c.mapping_family == 0 && c.channels > 2) ||
      (c.mapping_family == 1 && c.channels > 8) || c.streams == 0 ||
      c.coupled > c.streams || c.streams + c.coupled > 255)
    return make_error(Errc::malformed, "Opus: channel mapping inconsistent with channel count");
  for (unsigned i = 0; i < c.channels; ++i)
    if (c.mapping[i] != 255 && c.mapping[i] >= c.streams + c.coupled)
      return make_error(Errc::malformed, "Opus: channel mapping names a missing stream");
  return c;
}

}  // namespace detail
}  // namespace frugal::codec
