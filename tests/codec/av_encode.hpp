#pragma once
// Streams made in memory by libavcodec's encoders, as an MP4 would carry
// them (the codec configuration and one packet per sample), and a decoder
// run over them: for decoder tests.

#include <frugal/codec/decoder.hpp>

#include <gtest/gtest.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
}

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>
#include <numbers>
#include <vector>

namespace frugal::test {

using Bytes = std::vector<std::byte>;

inline constexpr int kRate = 44100;
inline constexpr int kChannels = 2;

// A stream: the codec configuration and one packet per sample.
struct Encoded {
  Bytes extradata;
  std::vector<Bytes> packets;
};

// Encodes `pcm` (interleaved, left-justified in `sample_fmt`'s packed
// width: int16_t, int32_t or float) with libavcodec's encoder for `id`.
template <typename T>
Encoded encode(AVCodecID id, AVSampleFormat sample_fmt, int bits, const std::vector<T>& pcm) {
  Encoded out;
  const AVCodec* codec = avcodec_find_encoder(id);
  if (!codec) {
    ADD_FAILURE() << "no encoder";
    return out;
  }
  std::unique_ptr<AVCodecContext, void (*)(AVCodecContext*)> ctx(
      avcodec_alloc_context3(codec), [](AVCodecContext* c) { avcodec_free_context(&c); });
  std::unique_ptr<AVFrame, void (*)(AVFrame*)> frame(av_frame_alloc(), [](AVFrame* f) { av_frame_free(&f); });
  std::unique_ptr<AVPacket, void (*)(AVPacket*)> packet(av_packet_alloc(), [](AVPacket* p) { av_packet_free(&p); });
  ctx->sample_rate = kRate;
  ctx->sample_fmt = sample_fmt;
  ctx->bits_per_raw_sample = bits;
  ctx->bit_rate = 128000;
  av_channel_layout_default(&ctx->ch_layout, kChannels);
  EXPECT_EQ(avcodec_open2(ctx.get(), codec, nullptr), 0);
  const auto* data = static_cast<const std::uint8_t*>(ctx->extradata);
  out.extradata.assign(reinterpret_cast<const std::byte*>(data),
                       reinterpret_cast<const std::byte*>(data) + ctx->extradata_size);
  const auto drain = [&] {
    while (avcodec_receive_packet(ctx.get(), packet.get()) == 0) {
      const auto* p = reinterpret_cast<const std::byte*>(packet->data);
      out.packets.emplace_back(p, p + packet->size);
      av_packet_unref(packet.get());
    }
  };
  const std::size_t frames = pcm.size() / kChannels;
  const auto frame_size = static_cast<std::size_t>(ctx->frame_size);
  for (std::size_t at = 0; at < frames; at += frame_size) {
    frame->nb_samples = static_cast<int>(std::min(frame_size, frames - at));
    frame->format = sample_fmt;
    EXPECT_EQ(av_channel_layout_copy(&frame->ch_layout, &ctx->ch_layout), 0);
    EXPECT_EQ(av_frame_get_buffer(frame.get(), 0), 0);
    for (int ch = 0; ch < kChannels; ++ch) {
      auto* plane = reinterpret_cast<T*>(frame->extended_data[ch]);
      for (int i = 0; i < frame->nb_samples; ++i) plane[i] = pcm[(at + static_cast<std::size_t>(i)) * kChannels + ch];
    }
    EXPECT_EQ(avcodec_send_frame(ctx.get(), frame.get()), 0);
    av_frame_unref(frame.get());
    drain();
  }
  EXPECT_EQ(avcodec_send_frame(ctx.get(), nullptr), 0);
  drain();
  return out;
}

// A sine on the left, its inverse on the right, at `peak` of full scale.
template <typename T>
std::vector<T> sine(std::size_t frames, double peak) {
  std::vector<T> out;
  for (std::size_t i = 0; i < frames; ++i) {
    const double v = peak * std::sin(2 * std::numbers::pi * 441.0 * static_cast<double>(i) / kRate);
    out.push_back(static_cast<T>(v));
    out.push_back(static_cast<T>(-v));
  }
  return out;
}

// Every packet's output, concatenated.
inline Bytes decode_all(codec::Decoder& d, const std::vector<Bytes>& packets) {
  Bytes out;
  for (const Bytes& p : packets) {
    auto block = d.decode(p);
    EXPECT_TRUE(block) << block.error().message;
    if (block) out.insert(out.end(), block->data.begin(), block->data.end());
  }
  return out;
}

}  // namespace frugal::test
