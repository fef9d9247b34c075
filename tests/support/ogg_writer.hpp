#pragma once
// A small test-only Ogg writer (RFC 3533 pages through libogg's
// ogg_stream_packetin/pageout/flush) and Ogg Opus files (RFC 7845) built
// from a spec, for edge cases: packets spanning pages, lacing of 255×n
// bytes, granule end trimming, streams starting late, chained links,
// missing EOS pages, corrupt and truncated pages, streams of other codecs.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace frugal::test {

using Bytes = std::vector<std::byte>;

/// One logical stream's pages. Not copyable.
class OggStreamWriter {
 public:
  explicit OggStreamWriter(std::uint32_t serial);
  ~OggStreamWriter();
  OggStreamWriter(const OggStreamWriter&) = delete;
  OggStreamWriter& operator=(const OggStreamWriter&) = delete;

  /// Adds a packet (the first gets BOS, one with `eos` EOS); `granule` is
  /// the granule position its page states when it is the last packet
  /// ending there (-1: none).
  void packet(const Bytes& data, std::int64_t granule, bool eos = false);
  /// Appends the pages libogg has filled (about 4 KiB each) to `out`.
  void pageout(Bytes& out);
  /// Ends the current page and appends every pending page to `out`.
  void flush(Bytes& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// An OpusHead (RFC 7845 §5.1; family 0 for 1–2 channels, else family 1
/// with a Vorbis-order table of `channels` mono streams) and an OpusTags.
Bytes opus_head(std::uint8_t channels, std::uint16_t pre_skip);
Bytes opus_tags();

/// A fake Opus packet: TOC 0xF8 (CELT FB 20 ms, one frame: 960 samples)
/// and `size` − 1 pattern bytes from `seed`: for demuxing, not decoding.
Bytes fake_opus_packet(std::size_t size, std::uint32_t seed);

struct OpusFileSpec {
  std::uint32_t serial = 0x1234;
  std::uint8_t channels = 2;
  std::uint16_t pre_skip = 312;
  std::int64_t start_granule = 0;    ///< granule position where the first packet starts
  std::vector<Bytes> packets;        ///< audio packets (their TOC gives their length)
  std::uint32_t packets_per_page = 0; ///< 0: let libogg fill pages (about 4 KiB)
  std::int64_t end_trim = 0;         ///< samples the last page's granule position leaves out
  bool eos = true;                   ///< mark the last page EOS
};

/// An Ogg Opus file: OpusHead page, OpusTags page, the audio pages.
Bytes ogg_opus_file(const OpusFileSpec& spec);

/// File offsets of the pages in `file` (walking page headers).
std::vector<std::size_t> ogg_page_offsets(const Bytes& file);

/// 48 kHz samples of an Opus packet by its TOC (the test's own reading of
/// RFC 6716 §3.1, codes 0–2 only).
std::uint32_t opus_toc_samples(const Bytes& packet);

}  // namespace frugal::test
