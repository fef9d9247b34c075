#include "mp4/sample_entry.hpp"

#include <frugal/core/byte_reader.hpp>
#include <frugal/mp4/box.hpp>

namespace frugal::mp4::detail {

using core::Codec;
using core::Errc;
using core::FourCC;
using core::make_error;
using core::Result;

namespace {

// ---- MPEG-4 descriptors and AudioSpecificConfig ---------------------------

class BitReader {
 public:
  explicit BitReader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  std::uint32_t bits(unsigned n) {
    std::uint32_t v = 0;
    for (unsigned i = 0; i < n; ++i) {
      if (pos_ >= bytes_.size() * 8) {
        ok_ = false;
        return 0;
      }
      const unsigned bit = (std::to_integer<unsigned>(bytes_[pos_ / 8]) >> (7 - pos_ % 8)) & 1u;
      v = (v << 1) | bit;
      ++pos_;
    }
    return v;
  }
  bool ok() const { return ok_; }
  std::size_t remaining() const { return bytes_.size() * 8 - pos_; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

constexpr std::uint32_t kAacSampleRates[13] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                               22050, 16000, 12000, 11025, 8000,  7350};

std::uint32_t read_object_type(BitReader& br) {
  std::uint32_t aot = br.bits(5);
  return aot == 31 ? 32 + br.bits(6) : aot;
}

std::uint32_t read_sample_rate(BitReader& br) {
  const std::uint32_t index = br.bits(4);
  if (index == 0xF) return br.bits(24);
  return index < 13 ? kAacSampleRates[index] : 0;
}

// channelConfiguration → channels (ISO/IEC 14496-3 Table 1.19; 23003-3 adds 11-14).
std::uint16_t aac_channels(std::uint32_t config) {
  static constexpr std::uint16_t table[16] = {0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0};
  return table[config & 0xF];
}

// ES descriptors (ISO/IEC 14496-1 §7.2.2): tag, then a length of up to four
// 7-bit groups.
struct Descriptor {
  std::uint8_t tag = 0;
  std::span<const std::byte> body;
};

bool read_descriptor(core::ByteReader& r, Descriptor& out) {
  out.tag = r.u8();
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i) {
    const std::uint8_t b = r.u8();
    length = (length << 7) | (b & 0x7Fu);
    if (!(b & 0x80)) break;
  }
  if (!r.ok() || length > r.remaining()) return false;
  out.body = r.bytes(length);
  return r.ok();
}

// 'esds' (ISO/IEC 14496-14 §5.6): ES_Descriptor → DecoderConfigDescriptor →
// DecoderSpecificInfo.
Result<void> parse_esds(std::span<const std::byte> body, core::CodecParameters& codec) {
  core::ByteReader r(body);
  r.skip(4);  // version, flags
  Descriptor es;
  if (!read_descriptor(r, es) || es.tag != 0x03) return make_error(Errc::malformed, "esds: no ES_Descriptor");
  core::ByteReader er(es.body);
  er.skip(2);  // ES_ID
  const std::uint8_t flags = er.u8();
  if (flags & 0x80) er.skip(2);          // dependsOn_ES_ID
  if (flags & 0x40) er.skip(er.u8());    // URL
  if (flags & 0x20) er.skip(2);          // OCR_ES_Id
  Descriptor dc;
  bool found = false;
  while (!found && er.remaining() > 0 && read_descriptor(er, dc)) found = dc.tag == 0x04;
  if (!found) return make_error(Errc::malformed, "esds: no DecoderConfigDescriptor");
  core::ByteReader dr(dc.body);
  codec.object_type = dr.u8();
  dr.skip(12);  // streamType/upStream, bufferSizeDB, maxBitrate, avgBitrate
  if (!dr.ok()) return make_error(Errc::malformed, "esds: DecoderConfigDescriptor too short");
  Descriptor dsi;
  while (dr.remaining() > 0 && read_descriptor(dr, dsi)) {
    if (dsi.tag == 0x05) {
      codec.config.assign(dsi.body.begin(), dsi.body.end());
      break;
    }
  }
  switch (codec.object_type) {
    case 0x40: case 0x66: case 0x67: case 0x68: codec.codec = Codec::aac; break;
    case 0x69: case 0x6B: codec.codec = Codec::mp3; break;
    case 0xA5: codec.codec = Codec::ac3; break;
    case 0xA6: codec.codec = Codec::eac3; break;
    case 0xAD: codec.codec = Codec::opus; break;
    case 0xC1: codec.codec = Codec::flac; break;
    case 0xDD: codec.codec = Codec::vorbis; break;
    default: codec.codec = Codec::unknown; break;
  }
  if (codec.codec == Codec::aac && !codec.config.empty()) {
    if (auto asc = parse_audio_specific_config(codec.config)) {
      codec.audio_object_type = static_cast<std::uint8_t>(asc->object_type);  // at most 95 (escape 31 + 63)
      if (asc->sample_rate) codec.sample_rate = asc->sample_rate;
      if (asc->channels) codec.channels = asc->channels;
    }
  }
  return core::ok();
}

// 'dOps' (Encapsulation of Opus in ISOBMFF §4.3.2): Version, OutputChannelCount,
// PreSkip, InputSampleRate, OutputGain, ChannelMappingFamily[, table].
Result<void> parse_dops(std::span<const std::byte> body, core::CodecParameters& codec) {
  core::ByteReader r(body);
  const std::uint8_t version = r.u8();
  const std::uint8_t channels = r.u8();
  r.skip(2 + 4 + 2);
  const std::uint8_t family = r.u8();
  if (family != 0) r.skip(2u + channels);
  if (!r.ok()) return make_error(Errc::malformed, "dOps too short");
  if (version != 0) return make_error(Errc::unsupported, "dOps version is not 0");
  if (channels == 0) return make_error(Errc::malformed, "dOps: zero output channels");
  codec.codec = Codec::opus;
  codec.channels = channels;
  codec.sample_rate = 48000;  // Opus always decodes at 48 kHz (RFC 7845 §5.1)
  codec.bits_per_sample = 0;
  codec.config.assign(body.begin(), body.end());
  return core::ok();
}

// 'dfLa' (FLAC in ISOBMFF §3.3.2): FullBox, then FLAC metadata blocks with
// STREAMINFO first (RFC 9639 §8.2).
Result<void> parse_dfla(std::span<const std::byte> body, core::CodecParameters& codec) {
  core::ByteReader r(body);
  if (r.u32() != 0) return make_error(Errc::unsupported, "dfLa: version or flags not 0");
  const auto blocks = r.rest();
  const std::uint8_t type = r.u8() & 0x7F;
  const std::uint32_t length = r.u24();
  if (!r.ok() || type != 0 || length != 34) return make_error(Errc::malformed, "dfLa: STREAMINFO missing");
  r.skip(10);  // block sizes, frame sizes
  const std::uint64_t packed = r.u64();  // rate:20 channels-1:3 bps-1:5 total:36
  if (!r.ok()) return make_error(Errc::malformed, "dfLa: STREAMINFO cut short");
  codec.codec = Codec::flac;
  codec.sample_rate = static_cast<std::uint32_t>(packed >> 44);
  codec.channels = static_cast<std::uint16_t>(((packed >> 41) & 0x7) + 1);
  codec.bits_per_sample = static_cast<std::uint16_t>(((packed >> 36) & 0x1F) + 1);
  codec.config.assign(blocks.begin(), blocks.end());
  return core::ok();
}

// 'alac' child box: FullBox + ALACSpecificConfig (Apple's ALAC spec):
// frameLength:32 compatibleVersion:8 bitDepth:8 pb:8 mb:8 kb:8 numChannels:8
// maxRun:16 maxFrameBytes:32 avgBitRate:32 sampleRate:32.
Result<void> parse_alac(std::span<const std::byte> body, core::CodecParameters& codec) {
  core::ByteReader r(body);
  r.skip(4);
  const auto config = r.rest();
  r.skip(5);
  const std::uint8_t bit_depth = r.u8();
  r.skip(3);
  const std::uint8_t channels = r.u8();
  r.skip(10);
  const std::uint32_t rate = r.u32();
  if (!r.ok()) return make_error(Errc::malformed, "alac: ALACSpecificConfig too short");
  codec.codec = Codec::alac;
  codec.bits_per_sample = bit_depth;
  codec.channels = channels;
  codec.sample_rate = rate;
  codec.config.assign(config.begin(), config.begin() + 24);
  return core::ok();
}

// ---- AC-3 and E-AC-3 --------------------------------------------------------
// The sample entry's channelcount is not theirs (ETSI TS 102 366 §F.3: it is
// ignored); dac3 and dec3 say what the decoder will output.

constexpr std::uint32_t kAc3Rates[3] = {48000, 44100, 32000};
// acmod → full-bandwidth channels (TS 102 366 Table 4.3; 1+1 is two).
constexpr std::uint16_t kAc3Channels[8] = {2, 1, 2, 3, 3, 4, 4, 5};

// dac3 (§F.4): fscod:2 bsid:5 bsmod:3 acmod:3 lfeon:1 bit_rate_code:5.
Result<void> parse_dac3(std::span<const std::byte> body, core::CodecParameters& codec) {
  BitReader br(body);
  const std::uint32_t fscod = br.bits(2);
  br.bits(5 + 3);
  const std::uint32_t acmod = br.bits(3);
  const std::uint32_t lfeon = br.bits(1);
  if (!br.ok()) return make_error(Errc::malformed, "dac3 too short");
  if (fscod < 3) codec.sample_rate = kAc3Rates[fscod];
  codec.channels = static_cast<std::uint16_t>(kAc3Channels[acmod] + lfeon);
  return core::ok();
}

// dec3 (§F.6): data_rate:13 num_ind_sub:3, then per independent substream
// fscod:2 bsid:5 reserved:1 asvc:1 bsmod:3 acmod:3 lfeon:1 reserved:3
// num_dep_sub:4 and chan_loc:9 (or reserved:1). Decoders play the first
// independent substream with its dependent ones; chan_loc (Table F.6.1)
// names the channels those add, some in pairs.
Result<void> parse_dec3(std::span<const std::byte> body, core::CodecParameters& codec) {
  BitReader br(body);
  br.bits(13 + 3);
  const std::uint32_t fscod = br.bits(2);
  br.bits(5 + 1 + 1 + 3);
  const std::uint32_t acmod = br.bits(3);
  const std::uint32_t lfeon = br.bits(1);
  br.bits(3);
  const std::uint32_t dependent = br.bits(4);
  const std::uint32_t chan_loc = dependent ? br.bits(9) : 0;
  if (!br.ok()) return make_error(Errc::malformed, "dec3 too short");
  // chan_loc bits 0 to 8, bit 0 the most significant (as in chanmap,
  // §E.1.3.1.8): Lc/Rc, Lrs/Rrs, Cs, Ts, Lsd/Rsd, Lw/Rw, Vhl/Vhr, Vhc, LFE2.
  constexpr std::uint16_t kLocationChannels[9] = {2, 2, 1, 1, 2, 2, 2, 1, 1};
  std::uint16_t channels = static_cast<std::uint16_t>(kAc3Channels[acmod] + lfeon);
  for (unsigned i = 0; i < 9; ++i)
    if (chan_loc & (0x100u >> i)) channels = static_cast<std::uint16_t>(channels + kLocationChannels[i]);
  if (fscod < 3) codec.sample_rate = kAc3Rates[fscod];
  codec.channels = channels;
  return core::ok();
}

// ---- PCM ------------------------------------------------------------------

bool is_pcm_format(FourCC f) {
  return f == FourCC("sowt") || f == FourCC("twos") || f == FourCC("raw ") ||
         f == FourCC("NONE") || f == FourCC("lpcm") || f == FourCC("in24") ||
         f == FourCC("in32") || f == FourCC("fl32") || f == FourCC("fl64") ||
         f == FourCC("ipcm") || f == FourCC("fpcm");
}

// The layout implied by the entry type and its 16-bit samplesize field
// (QTFF "Sound Sample Description"; ISO/IEC 23003-5 for ipcm/fpcm, whose
// pcmC box refines it later).
core::PcmLayout pcm_layout_for(FourCC f, std::uint16_t sample_bits) {
  const auto bytes = static_cast<std::uint8_t>(sample_bits >= 8 ? (sample_bits + 7) / 8 : 2);
  if (f == FourCC("raw ") || f == FourCC("NONE"))  // unsigned bytes; 16-bit as big-endian signed
    return sample_bits == 16 ? core::PcmLayout{2, false, true, true} : core::PcmLayout{1, false, false, false};
  if (f == FourCC("in24")) return {3, false, true, true};
  if (f == FourCC("in32")) return {4, false, true, true};
  if (f == FourCC("fl32")) return {4, true, true, true};
  if (f == FourCC("fl64")) return {8, true, true, true};
  if (f == FourCC("fpcm")) return {static_cast<std::uint8_t>(sample_bits == 64 ? 8 : 4), true, true, true};
  if (f == FourCC("sowt")) return {bytes, false, false, true};
  return {bytes, false, true, true};  // twos, lpcm, ipcm
}

// QuickTime LPCM formatSpecificFlags (CoreAudio kAudioFormatFlag*).
constexpr std::uint32_t kLpcmFloat = 1, kLpcmBigEndian = 2, kLpcmSigned = 4, kLpcmAlignedHigh = 16;

// IEEE 754 double bits → nearest unsigned integer (no FPU needed: the
// portable modules avoid double-precision math). Negative/NaN → 0.
std::uint32_t f64_bits_to_u32(std::uint64_t bits) {
  const int exponent = static_cast<int>((bits >> 52) & 0x7FF) - 1023;
  if ((bits >> 63) || exponent < 0 || exponent > 31) return 0;
  const std::uint64_t mantissa = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
  const int shift = 52 - exponent;
  return static_cast<std::uint32_t>((mantissa + (std::uint64_t{1} << (shift - 1))) >> shift);
}

bool valid_pcm(const core::PcmLayout& l) {
  if (l.is_float) return l.bytes_per_sample == 4 || l.bytes_per_sample == 8;
  return l.bytes_per_sample >= 1 && l.bytes_per_sample <= 4;
}

// ---- entries --------------------------------------------------------------

// The stsd body in memory; box offsets from readers over it index `bytes`.
struct Stsd {
  std::span<const std::byte> bytes;
  std::span<const std::byte> body_of(const BoxHeader& box) const {
    return bytes.subspan(static_cast<std::size_t>(box.body_offset()),
                         static_cast<std::size_t>(box.body_size()));
  }
};

struct AudioState {
  SampleEntry& entry;
  bool little_endian_override = false;  // 'enda' = 1
};

Result<void> parse_audio_children(BoxReader reader, const Stsd& stsd, AudioState& st);

Result<void> parse_audio_child(const BoxHeader& child, BoxReader& parent, const Stsd& stsd,
                               AudioState& st) {
  auto& codec = st.entry.codec;
  const auto body = stsd.body_of(child);
  const FourCC t = child.type;
  if (t == FourCC("esds")) return parse_esds(body, codec);
  if (t == FourCC("dOps")) return parse_dops(body, codec);
  if (t == FourCC("dfLa")) return parse_dfla(body, codec);
  if (t == FourCC("alac") && body.size() >= 28) return parse_alac(body, codec);
  if (t == FourCC("dac3")) return parse_dac3(body, codec);
  if (t == FourCC("dec3")) return parse_dec3(body, codec);
  if (t == FourCC("pcmC")) {  // ISO/IEC 23003-5 §5.2: format_flags, PCM_sample_size
    core::ByteReader r(body);
    r.skip(4);
    const std::uint8_t flags = r.u8();
    const std::uint8_t bits = r.u8();
    if (!r.ok() || bits == 0 || bits % 8) return make_error(Errc::malformed, "pcmC: bad sample size", child.offset);
    codec.pcm.bytes_per_sample = static_cast<std::uint8_t>(bits / 8);
    codec.pcm.big_endian = !(flags & 1);
    codec.bits_per_sample = bits;
    return core::ok();
  }
  if (t == FourCC("enda")) {  // QuickTime: 16-bit little-endian flag
    core::ByteReader r(body);
    st.little_endian_override = r.u16() != 0;
    return core::ok();
  }
  if (t == FourCC("wave")) {  // QuickTime: codec boxes nested one level down
    FRUGAL_TRY(auto inner, parent.children(child));
    return parse_audio_children(inner, stsd, st);
  }
  return core::ok();  // chan, btrt, sinf... carry nothing a decoder needs here
}

Result<void> parse_audio_children(BoxReader reader, const Stsd& stsd, AudioState& st) {
  while (true) {
    FRUGAL_TRY(auto child, reader.next());
    if (!child) return core::ok();
    FRUGAL_CHECK(parse_audio_child(*child, reader, stsd, st));
  }
}

void identify_by_format(SampleEntry& e) {
  auto& c = e.codec;
  const FourCC f = e.format;
  if (f == FourCC("mp4a")) c.codec = Codec::aac;  // refined by esds
  else if (f == FourCC("Opus")) c.codec = Codec::opus;
  else if (f == FourCC("fLaC")) c.codec = Codec::flac;
  else if (f == FourCC("alac")) c.codec = Codec::alac;
  else if (f == FourCC(".mp3")) c.codec = Codec::mp3;
  else if (f == FourCC("ac-3")) c.codec = Codec::ac3;
  else if (f == FourCC("ec-3")) c.codec = Codec::eac3;
  else if (f == FourCC("samr")) c.codec = Codec::amr_nb;
  else if (f == FourCC("sawb")) c.codec = Codec::amr_wb;
  else if (is_pcm_format(f)) c.codec = Codec::pcm;
}

// AudioSampleEntry (§12.2.3.2) with QuickTime's v1/v2 extensions, which
// apply when the stsd box is version 0 (an ISO v1 entry needs stsd v1).
Result<void> parse_audio_entry(const BoxHeader& box, BoxReader& entries, const Stsd& stsd,
                               std::uint32_t stsd_version, std::uint32_t timescale, SampleEntry& e) {
  core::ByteReader r(stsd.body_of(box));
  r.skip(8);
  const std::uint16_t version = r.u16();
  r.skip(6);  // revision, vendor
  std::uint16_t channels = r.u16();
  const std::uint16_t sample_bits = r.u16();
  r.skip(4);  // compression ID, packet size
  std::uint32_t rate = r.u32() >> 16;
  std::uint32_t lpcm_flags = kLpcmSigned | kLpcmBigEndian;
  std::uint32_t lpcm_bits = sample_bits;
  std::uint64_t fixed = 28;
  if (stsd_version == 0 && version == 1) {
    e.packing.frames_per_packet = r.u32();
    r.skip(4);  // bytesPerPacket
    e.packing.bytes_per_frame = r.u32();
    r.skip(4);  // bytesPerSample
    fixed += 16;
  } else if (stsd_version == 0 && version == 2) {
    r.skip(4);  // sizeOfStructOnly
    rate = f64_bits_to_u32(r.u64());
    const std::uint32_t ch32 = r.u32();
    channels = ch32 > 0xFFFF ? 0 : static_cast<std::uint16_t>(ch32);
    r.skip(4);  // always 0x7F000000
    lpcm_bits = r.u32();
    lpcm_flags = r.u32();
    e.packing.bytes_per_frame = r.u32();
    e.packing.frames_per_packet = r.u32();
    fixed += 36;
  }
  if (!r.ok()) return make_error(Errc::malformed, "audio sample entry too short", box.offset);
  if (sample_bits > 64 || lpcm_bits > 64)
    return make_error(Errc::unsupported, "audio sample entry: more than 64 bits per sample", box.offset);

  auto& c = e.codec;
  c.format = e.format;
  c.channels = channels;
  c.sample_rate = rate ? rate : timescale;
  identify_by_format(e);
  if (c.codec == Codec::pcm) {
    c.pcm = pcm_layout_for(e.format, sample_bits);
    c.bits_per_sample = static_cast<std::uint16_t>(c.pcm.bytes_per_sample * 8);
    if (e.format == FourCC("lpcm")) {
      c.pcm.is_float = lpcm_flags & kLpcmFloat;
      c.pcm.big_endian = lpcm_flags & kLpcmBigEndian;
      c.pcm.is_signed = (lpcm_flags & kLpcmSigned) || c.pcm.is_float;
      // The container width comes from constBytesPerAudioPacket when it
      // describes one frame; samples narrower than it must sit in its high
      // bits (kAudioFormatFlagIsAlignedHigh) to read as wider samples.
      std::uint32_t bytes = (lpcm_bits + 7) / 8;
      if (e.packing.frames_per_packet == 1 && channels && e.packing.bytes_per_frame &&
          e.packing.bytes_per_frame % channels == 0)
        bytes = e.packing.bytes_per_frame / channels;
      if (bytes > 8 || (bytes * 8 > lpcm_bits && bytes != (lpcm_bits + 7) / 8 && !(lpcm_flags & kLpcmAlignedHigh)))
        return make_error(Errc::unsupported, "lpcm: samples low-aligned in wider containers", box.offset);
      c.pcm.bytes_per_sample = static_cast<std::uint8_t>(bytes);
      c.bits_per_sample = static_cast<std::uint16_t>(lpcm_bits);
    } else if (c.pcm.bytes_per_sample == 1 && e.format == FourCC("twos")) {
      c.pcm.is_signed = true;
    }
  }

  AudioState st{e};
  FRUGAL_TRY(auto children, entries.children(box, fixed));
  FRUGAL_CHECK(parse_audio_children(children, stsd, st));

  if (c.codec == Codec::pcm) {
    if (st.little_endian_override) c.pcm.big_endian = false;
    if (!valid_pcm(c.pcm)) return make_error(Errc::unsupported, "PCM sample layout not supported", box.offset);
  }
  return core::ok();
}

}  // namespace

Result<AudioSpecificConfig> parse_audio_specific_config(std::span<const std::byte> asc) {
  BitReader br(asc);
  AudioSpecificConfig out;
  out.object_type = read_object_type(br);
  out.sample_rate = read_sample_rate(br);
  const std::uint32_t channel_config = br.bits(4);
  out.channels = aac_channels(channel_config);
  if (out.object_type == 5 || out.object_type == 29) {  // explicit SBR (HE-AAC v1/v2)
    if (const std::uint32_t ext = read_sample_rate(br)) out.sample_rate = ext;
  } else if (out.object_type == 2 && channel_config != 0) {
    // GASpecificConfig (§4.4.1; without a program_config_element):
    // frameLengthFlag, dependsOnCoreCoder [coreCoderDelay:14], extensionFlag.
    br.bits(1);
    if (br.bits(1)) br.bits(14);
    br.bits(1);
    // Backward-compatible explicit signalling (§1.6.5.2): sync extension
    // 0x2b7 with SBR present, then optionally 0x548 with PS present. The
    // output is then HE-AAC's: its rate, and object type 5 or 29.
    if (br.ok() && br.remaining() >= 16 && br.bits(11) == 0x2b7 && read_object_type(br) == 5 && br.bits(1)) {
      const std::uint32_t ext = read_sample_rate(br);
      if (br.ok()) {
        if (ext) out.sample_rate = ext;
        out.object_type = 5;
        if (br.remaining() >= 12 && br.bits(11) == 0x548 && br.bits(1)) out.object_type = 29;
      }
    }
    if (!br.ok()) return out;  // a cut-off extension is no extension
  }
  if (!br.ok()) return make_error(Errc::malformed, "AudioSpecificConfig too short");
  return out;
}

Result<std::vector<SampleEntry>> parse_stsd(std::span<const std::byte> body, TrackType type,
                                            std::uint32_t timescale, std::uint32_t depth,
                                            const core::Limits& limits) {
  core::ByteReader r(body);
  const std::uint32_t stsd_version = r.u8();
  r.skip(3);
  const std::uint32_t count = r.u32();
  if (!r.ok()) return make_error(Errc::malformed, "stsd too short");
  if (count > limits.max_sample_entries)
    return make_error(Errc::limit_exceeded, "stsd: more sample entries than the limit");

  core::MemorySource mem(body);
  const Stsd stsd{body};
  BoxReader entries(mem, limits, 8, body.size(), depth + 1);
  std::vector<SampleEntry> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    FRUGAL_TRY(auto box, entries.next());
    if (!box) return make_error(Errc::malformed, "stsd: fewer sample entries than its count");
    SampleEntry e;
    e.format = box->type;
    e.codec.format = box->type;
    core::ByteReader er(stsd.body_of(*box));
    er.skip(6);
    e.data_reference_index = er.u16();
    if (!er.ok()) return make_error(Errc::malformed, "sample entry too short", box->offset);
    if (type == TrackType::audio) {
      // A bad codec box spoils its entry, not the track: the entry is
      // reported with its error and the next one is read.
      if (auto parsed = parse_audio_entry(*box, entries, stsd, stsd_version, timescale, e); !parsed) {
        if (parsed.error().code == Errc::limit_exceeded) return parsed.error();
        e.error = parsed.error();
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace frugal::mp4::detail
