#include <frugal/codec/registry.hpp>

#include "codec/dops.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace frugal::codec {
namespace {

using core::Codec;
using core::CodecParameters;
using core::Errc;
using Names = std::vector<std::string>;

// A decoder that only says which factory made it.
class TaggedDecoder final : public Decoder {
 public:
  TaggedDecoder(std::string tag, const core::AudioFormat& format) : tag_(std::move(tag)), format_(format) {}
  const core::AudioFormat& format() const noexcept override { return format_; }
  core::Result<AudioBlock> decode(std::span<const std::byte>) override { return AudioBlock{format_, {}, 0}; }
  void reset() override {}
  const std::string& tag() const { return tag_; }

 private:
  std::string tag_;
  core::AudioFormat format_;
};

// A factory making TaggedDecoders named `tag`.
DecoderFactory tagged_factory(std::string tag) {
  return [tag](const CodecParameters& params, const DecoderOptions&) -> core::Result<std::unique_ptr<Decoder>> {
    core::AudioFormat f{params.sample_rate, params.channels, core::SampleFormat::s16, 16};
    return std::unique_ptr<Decoder>(std::make_unique<TaggedDecoder>(tag, f));
  };
}

// A factory that always fails with `code`.
DecoderFactory failing_factory(Errc code) {
  return [code](const CodecParameters&, const DecoderOptions&) -> core::Result<std::unique_ptr<Decoder>> {
    return core::make_error(code, "test factory refuses");
  };
}

// The tag of the decoder the registry made, or "" for a built-in one.
std::string tag_of(const Decoder& decoder) {
  const auto* tagged = dynamic_cast<const TaggedDecoder*>(&decoder);
  return tagged ? tagged->tag() : "";
}

CodecParameters pcm_params(std::uint16_t channels) {
  CodecParameters p;
  p.codec = Codec::pcm;
  p.sample_rate = 48000;
  p.channels = channels;
  p.bits_per_sample = 16;
  p.pcm = core::PcmLayout{2, false, false, true};
  return p;
}

TEST(DecoderRegistry, BuiltinsAreNamedPerCodec) {
  const auto registry = DecoderRegistry::with_builtins();
  EXPECT_EQ(registry.names(Codec::pcm), Names{"pcm"});
#ifdef FRUGAL_HAVE_OPUS
  EXPECT_EQ(registry.names(Codec::opus), Names{"libopus"});
#else
  EXPECT_EQ(registry.names(Codec::opus), Names{});
#endif
#ifdef FRUGAL_HAVE_FLAC
  EXPECT_EQ(registry.names(Codec::flac), Names{"libflac"});
#else
  EXPECT_EQ(registry.names(Codec::flac), Names{});
#endif
#ifdef FRUGAL_HAVE_AVCODEC
  for (const Codec c : {Codec::alac, Codec::ac3, Codec::eac3})
    EXPECT_EQ(registry.names(c), Names{"libavcodec"}) << core::codec_name(c);
#else
  EXPECT_EQ(registry.names(Codec::alac), Names{});
#endif
  Names aac;
#ifdef FRUGAL_HAVE_AVCODEC
  aac.push_back("libavcodec");
#endif
#ifdef FRUGAL_HAVE_FAAD2
  aac.push_back("faad2");
#endif
  EXPECT_EQ(registry.names(Codec::aac), aac);
  Names mp3;
#ifdef FRUGAL_HAVE_MPG123
  mp3.push_back("libmpg123");
#endif
#ifdef FRUGAL_HAVE_AVCODEC
  mp3.push_back("libavcodec");
#endif
  EXPECT_EQ(registry.names(Codec::mp3), mp3);
  EXPECT_EQ(registry.names(Codec::vorbis), Names{});
}

TEST(DecoderRegistry, EmptyRegistryHasNoNames) {
  const DecoderRegistry registry;
  EXPECT_TRUE(registry.empty());
  EXPECT_TRUE(registry.names(Codec::pcm).empty());
}

// only(name) keeps the factories of that name, for every codec, in order.
TEST(DecoderRegistry, OnlyKeepsTheNamedFactories) {
  DecoderRegistry r;
  r.add(Codec::aac, "a", nullptr);
  r.add(Codec::mp3, "b", nullptr);
  r.add(Codec::mp3, "a", nullptr);
  const DecoderRegistry a = r.only("a");
  EXPECT_EQ(a.names(Codec::aac), Names{"a"});
  EXPECT_EQ(a.names(Codec::mp3), Names{"a"});
  EXPECT_TRUE(r.only("c").empty());
  EXPECT_FALSE(a.empty());
}

TEST(DecoderRegistry, BuiltinPcmDecoderIsCreated) {
  const auto registry = DecoderRegistry::with_builtins();
  auto decoder = registry.create(pcm_params(2));
  ASSERT_TRUE(decoder) << decoder.error().message;
  EXPECT_EQ(tag_of(**decoder), "");
  EXPECT_EQ((*decoder)->format().channels, 2);
}

TEST(DecoderRegistry, EmbedderFactoryTakesPrecedenceOverBuiltin) {
  auto registry = DecoderRegistry::with_builtins();
  registry.add(Codec::pcm, "embedder", tagged_factory("embedder"));
  EXPECT_EQ(registry.names(Codec::pcm), (Names{"embedder", "pcm"}));

  auto decoder = registry.create(pcm_params(2));
  ASSERT_TRUE(decoder) << decoder.error().message;
  EXPECT_EQ(tag_of(**decoder), "embedder");
}

TEST(DecoderRegistry, LaterRegistrationIsTriedFirst) {
  DecoderRegistry registry;
  registry.add(Codec::aac, "first", tagged_factory("first"));
  registry.add(Codec::aac, "second", tagged_factory("second"));
  EXPECT_EQ(registry.names(Codec::aac), (Names{"second", "first"}));

  CodecParameters params;
  params.codec = Codec::aac;
  auto decoder = registry.create(params);
  ASSERT_TRUE(decoder);
  EXPECT_EQ(tag_of(**decoder), "second");
}

TEST(DecoderRegistry, UnsupportedPassesToTheNextFactory) {
  // A "hardware" decoder that only takes stereo, registered over the built-in.
  auto registry = DecoderRegistry::with_builtins();
  auto hardware = tagged_factory("hardware");
  registry.add(Codec::pcm, "hardware",
               [hardware](const CodecParameters& params,
                          const DecoderOptions& options) -> core::Result<std::unique_ptr<Decoder>> {
                 if (params.channels != 2) return core::make_error(Errc::unsupported, "hardware: stereo only");
                 return hardware(params, options);
               });

  auto stereo = registry.create(pcm_params(2));
  ASSERT_TRUE(stereo);
  EXPECT_EQ(tag_of(**stereo), "hardware");

  auto mono = registry.create(pcm_params(1));
  ASSERT_TRUE(mono) << mono.error().message;
  EXPECT_EQ(tag_of(**mono), "");  // the built-in PCM decoder
  EXPECT_EQ((*mono)->format().channels, 1);
}

TEST(DecoderRegistry, OtherErrorsStopTheSearch) {
  auto registry = DecoderRegistry::with_builtins();
  registry.add(Codec::pcm, "strict", failing_factory(Errc::malformed));
  auto decoder = registry.create(pcm_params(2));
  ASSERT_FALSE(decoder);
  EXPECT_EQ(decoder.error().code, Errc::malformed);
}

TEST(DecoderRegistry, AllFactoriesRefusingIsUnsupported) {
  DecoderRegistry registry;
  registry.add(Codec::pcm, "a", failing_factory(Errc::unsupported));
  registry.add(Codec::pcm, "b", failing_factory(Errc::unsupported));
  auto decoder = registry.create(pcm_params(2));
  ASSERT_FALSE(decoder);
  EXPECT_EQ(decoder.error().code, Errc::unsupported);
}

TEST(DecoderRegistry, NoFactoryForTheCodecIsUnsupported) {
  CodecParameters aac;
  aac.codec = Codec::aac;
  for (const auto& registry : {DecoderRegistry{}, DecoderRegistry::with_builtins()}) {
    auto decoder = registry.create(aac);
    ASSERT_FALSE(decoder);
    EXPECT_EQ(decoder.error().code, Errc::unsupported);
  }
}

TEST(DecoderRegistry, FactoriesOfOtherCodecsAreNotCalled) {
  auto registry = DecoderRegistry::with_builtins();
  int calls = 0;
  registry.add(Codec::aac, "aac",
               [&calls](const CodecParameters&, const DecoderOptions&) -> core::Result<std::unique_ptr<Decoder>> {
                 ++calls;
                 return core::make_error(Errc::malformed, "must not be called");
               });
  EXPECT_TRUE(registry.create(pcm_params(2)));
  EXPECT_EQ(calls, 0);
}

TEST(DecoderRegistry, ParametersAndOptionsReachTheFactory) {
  DecoderRegistry registry;
  CodecParameters seen_params;
  DecoderOptions seen_options;
  registry.add(
      Codec::pcm, "spy",
      [&](const CodecParameters& params, const DecoderOptions& options) -> core::Result<std::unique_ptr<Decoder>> {
        seen_params = params;
        seen_options = options;
        return core::make_error(Errc::unsupported, "spy");
      });
  DecoderOptions options;
  options.float_output = true;
  (void)registry.create(pcm_params(6), options);
  EXPECT_EQ(seen_params.channels, 6);
  EXPECT_EQ(seen_params.codec, Codec::pcm);
  EXPECT_TRUE(seen_options.float_output);
}

CodecParameters opus_params(const test::DopsFields& fields) {
  CodecParameters p;
  p.codec = Codec::opus;
  p.sample_rate = 48000;
  p.channels = fields.channels;
  p.config = test::make_dops(fields);
  return p;
}

TEST(PrimingFrames, OpusReadsPreSkipFromDops) {
  test::DopsFields fields;
  fields.pre_skip = 312;
  EXPECT_EQ(priming_frames(opus_params(fields)), 312u);
  fields.pre_skip = 0xABCD;  // big-endian, full 16 bits
  EXPECT_EQ(priming_frames(opus_params(fields)), 0xABCDu);
}

TEST(PrimingFrames, OpusWithoutUsableDopsIsZero) {
  auto params = opus_params({});
  params.config.resize(3);  // cut inside PreSkip
  EXPECT_EQ(priming_frames(params), 0u);
  params.config.clear();
  EXPECT_EQ(priming_frames(params), 0u);
}

TEST(PrimingFrames, OtherCodecsHaveNone) {
  // Even when their configuration happens to look like a dOps body.
  for (Codec codec : {Codec::flac, Codec::pcm, Codec::aac, Codec::unknown}) {
    auto params = opus_params({});
    params.codec = codec;
    EXPECT_EQ(priming_frames(params), 0u) << core::codec_name(codec);
  }
}

}  // namespace
}  // namespace frugal::codec
