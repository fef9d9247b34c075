#include "support/ogg_writer.hpp"

#include <ogg/ogg.h>

#include <cstring>
#include <string_view>

namespace frugal::test {

struct OggStreamWriter::State {
  ogg_stream_state os{};
  std::int64_t packetno = 0;
};

OggStreamWriter::OggStreamWriter(std::uint32_t serial) : state_(std::make_unique<State>()) {
  ogg_stream_init(&state_->os, static_cast<int>(serial));
}

OggStreamWriter::~OggStreamWriter() { ogg_stream_clear(&state_->os); }

void OggStreamWriter::packet(const Bytes& data, std::int64_t granule, bool eos) {
  ogg_packet op{};
  op.packet = reinterpret_cast<unsigned char*>(const_cast<std::byte*>(data.data()));
  op.bytes = static_cast<long>(data.size());
  op.b_o_s = state_->packetno == 0;
  op.e_o_s = eos;
  op.granulepos = granule;
  op.packetno = state_->packetno++;
  ogg_stream_packetin(&state_->os, &op);
}

namespace {
void append(Bytes& out, const ogg_page& page) {
  const auto* h = reinterpret_cast<const std::byte*>(page.header);
  const auto* b = reinterpret_cast<const std::byte*>(page.body);
  out.insert(out.end(), h, h + page.header_len);
  out.insert(out.end(), b, b + page.body_len);
}
}  // namespace

void OggStreamWriter::pageout(Bytes& out) {
  ogg_page page;
  while (ogg_stream_pageout(&state_->os, &page)) append(out, page);
}

void OggStreamWriter::flush(Bytes& out) {
  ogg_page page;
  while (ogg_stream_flush(&state_->os, &page)) append(out, page);
}

Bytes opus_head(std::uint8_t channels, std::uint16_t pre_skip) {
  Bytes b;
  auto put = [&b](std::uint32_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(static_cast<std::byte>(v >> (8 * i)));
  };
  for (char c : std::string_view("OpusHead")) b.push_back(static_cast<std::byte>(c));
  put(1, 1);  // version
  put(channels, 1);
  put(pre_skip, 2);
  put(48000, 4);
  put(0, 2);  // output gain
  put(channels > 2 ? 1 : 0, 1);
  if (channels > 2) {
    put(channels, 1);  // streams: one mono stream per channel
    put(0, 1);
    for (unsigned i = 0; i < channels; ++i) put(i, 1);
  }
  return b;
}

Bytes opus_tags() {
  Bytes b;
  for (char c : std::string_view("OpusTags\x04\0\0\0test\0\0\0\0", 20)) b.push_back(static_cast<std::byte>(c));
  return b;
}

Bytes fake_opus_packet(std::size_t size, std::uint32_t seed) {
  Bytes b(size);
  b[0] = std::byte{0xF8};
  for (std::size_t i = 1; i < size; ++i) b[i] = static_cast<std::byte>((seed * 131 + i * 7) & 0xFF);
  return b;
}

std::uint32_t opus_toc_samples(const Bytes& packet) {
  // Frame lengths in 48 kHz samples by TOC config (RFC 6716 Table 2).
  static constexpr std::uint32_t kFrame[32] = {480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920,
                                               2880, 480, 960,  480,  960,  120, 240, 480,  960, 120, 240,
                                               480,  960, 120,  240,  480,  960, 120, 240,  480, 960};
  const unsigned toc = std::to_integer<unsigned>(packet[0]);
  return kFrame[toc >> 3] * ((toc & 3) == 0 ? 1 : 2);
}

Bytes ogg_opus_file(const OpusFileSpec& spec) {
  Bytes out;
  OggStreamWriter w(spec.serial);
  w.packet(opus_head(spec.channels, spec.pre_skip), 0);
  w.flush(out);
  w.packet(opus_tags(), 0);
  w.flush(out);
  std::int64_t granule = spec.start_granule;
  for (std::size_t i = 0; i < spec.packets.size(); ++i) {
    const bool last = i + 1 == spec.packets.size();
    granule += opus_toc_samples(spec.packets[i]);
    w.packet(spec.packets[i], last ? granule - spec.end_trim : granule, last && spec.eos);
    if (last || (spec.packets_per_page != 0 && (i + 1) % spec.packets_per_page == 0)) w.flush(out);
    else if (spec.packets_per_page == 0) w.pageout(out);
  }
  w.flush(out);
  return out;
}

std::vector<std::size_t> ogg_page_offsets(const Bytes& file) {
  std::vector<std::size_t> out;
  std::size_t at = 0;
  while (at + 27 <= file.size() && std::memcmp(file.data() + at, "OggS", 4) == 0) {
    const auto segments = std::to_integer<std::size_t>(file[at + 26]);
    if (at + 27 + segments > file.size()) break;
    std::size_t body = 0;
    for (std::size_t i = 0; i < segments; ++i) body += std::to_integer<std::size_t>(file[at + 27 + i]);
    out.push_back(at);
    at += 27 + segments + body;
  }
  return out;
}

}  // namespace frugal::test
