// Writes the structural seeds of the demuxer harnesses into the folder named
// by argv[1]: FLAC streams made with the tests' FLAC writer (fixed and
// variable block sizes, SEEKTABLE with placeholders, ID3v2 before "fLaC",
// junk after the frames, a sync code lookalike in frame data), and small
// movies made with the tests' MP4 writer, one for each table
// form and layout the demuxer handles (stts/ctts runs, stsc changes, stsz,
// stz2 of 4/8/16 bits, co64, stss, edit lists, 'roll' sample groups, PCM
// grouping, several tracks, moov after mdat, 64-bit box sizes). Payloads are
// the writer's pattern bytes, not audio: seeds with real audio come from
// scripts/make-fuzz-seeds.sh. Also SNES images, HAL/LC_LZ2 streams and image
// headers for the assets harnesses.
#include "support/flac_writer.hpp"
#include "support/fragment_writer.hpp"
#include "support/mp4_writer.hpp"
#include "support/hal_compressor.hpp"
#include "support/image_header_writer.hpp"
#include "support/snes_writer.hpp"
#ifdef FRUGAL_HAVE_OGG
#include "support/ogg_writer.hpp"
#endif

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace frugal::test;
using frugal::core::FourCC;

namespace {

std::vector<std::uint32_t> sizes(std::uint32_t n, std::uint32_t first = 20) {
  std::vector<std::uint32_t> out(n);
  for (std::uint32_t i = 0; i < n; ++i) out[i] = first + i % 17;
  return out;
}

TrackSpec aac(std::uint32_t n) {
  AscSpec asc;
  return audio_track(audio_sample_entry(AudioEntrySpec("mp4a", {esds_box(0x40, audio_specific_config(asc))})),
                     sizes(n), 44100);
}

TrackSpec opus(std::uint32_t n) {
  TrackSpec t = audio_track(audio_sample_entry(AudioEntrySpec("Opus", {dops_box({})}).with_rate(48000)), sizes(n), 48000);
  t.stts = {{n, 960}};
  return t;
}

TrackSpec flac(std::uint32_t n) {
  TrackSpec t = audio_track(
      audio_sample_entry(AudioEntrySpec("fLaC", {dfla_box(44100, 2, 16, 4096ull * n)}).with_rate(44100)), sizes(n, 40));
  t.stts = {{n, 4096}};
  return t;
}

Bytes sbgp_roll(std::uint32_t samples) {
  BoxWriter w;
  w.full_box("sbgp").fourcc(FourCC("roll")).u32(2).u32(1).u32(0).u32(samples - 1).u32(1);
  return w.end().take();
}

Bytes sgpd_roll() {
  BoxWriter w;
  w.full_box("sgpd", 1).fourcc(FourCC("roll")).u32(2).u32(1).i16(-2);
  return w.end().take();
}

MovieSpec movie(std::vector<TrackSpec> tracks) {
  MovieSpec m;
  m.tracks = std::move(tracks);
  return m;
}

TrafSpec traf(std::size_t track, std::size_t n, std::optional<std::uint64_t> decode_time, std::uint32_t duration) {
  TrafSpec t;
  t.track = track;
  t.truns = {TrunSpec(fragment_samples(n, duration, 20))};
  t.decode_time = decode_time;
  return t;
}

// Fragmented movies: every tfhd base rule, trun fields, sidx, mfra,
// samples in moov before the fragments.
std::vector<std::pair<std::string, Bytes>> fragmented_seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  {
    FragmentedSpec f;
    f.init = movie({opus(0)});
    for (std::uint64_t k = 0; k < 4; ++k) f.fragments.push_back(MoofSpec({traf(0, 5, 4800 * k, 960)}));
    f.sidx_track = 0;
    out.emplace_back("frag_opus_sidx", build_fragmented_mp4(f));
  }
  {
    FragmentedSpec f;
    f.init = movie({aac(0), opus(0)});
    for (std::uint64_t k = 0; k < 3; ++k) {
      MoofSpec m({traf(0, 4, 4096 * k, 1024), traf(1, 3, 2880 * k, 960)});
      for (TrafSpec& t : m.trafs) t.base = TrafBase::implicit;
      m.trafs[1].truns[0].per_sample_composition = true;
      m.trafs[1].truns[0].version = 1;
      f.fragments.push_back(m);
    }
    f.mfra = true;
    out.emplace_back("frag_two_tracks_implicit_mfra", build_fragmented_mp4(f));
  }
  {
    FragmentedSpec f;
    f.init = movie({flac(3)});
    f.trex = {{1, 4096, 30, 0}};
    for (int k = 0; k < 3; ++k) {
      TrafSpec t = traf(0, 2, std::nullopt, 4096);
      t.base = TrafBase::explicit_offset;
      t.truns[0].per_sample_duration = t.truns[0].per_sample_size = false;
      t.truns[0].first_sample_flags = 0;
      TrunSpec more(fragment_samples(2, 4096, 25));
      more.data_offset = false;
      t.truns.push_back(more);
      f.fragments.push_back(MoofSpec({t}));
    }
    f.mehd = 1000;
    out.emplace_back("frag_flac_partial_defaults", build_fragmented_mp4(f));
  }
  return out;
}

#ifdef FRUGAL_HAVE_OGG
// Ogg Opus files from the tests' Ogg writer: pages of one and of several
// packets, packets spanning pages and of 255×n bytes, a late start with end
// trimming, a missing EOS, a corrupt page, a chained link, 3 channels;
// an Ogg FLAC stream of frame-like packets.
std::vector<std::pair<std::string, Bytes>> ogg_seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  const auto spec = [](std::size_t n, std::uint32_t per_page) {
    OpusFileSpec s;
    for (std::size_t i = 0; i < n; ++i) s.packets.push_back(fake_opus_packet(20 + i % 13, static_cast<std::uint32_t>(i)));
    s.packets_per_page = per_page;
    return s;
  };
  out.emplace_back("ogg_opus_pages_of_4.opus", ogg_opus_file(spec(40, 4)));
  {
    OpusFileSpec s = spec(6, 0);
    s.packets[1] = fake_opus_packet(70'000, 1);
    s.packets[2] = fake_opus_packet(255 * 2, 2);
    out.emplace_back("ogg_opus_spanning.opus", ogg_opus_file(s));
  }
  {
    OpusFileSpec s = spec(30, 1);
    s.start_granule = 9600;
    s.end_trim = 500;
    s.pre_skip = 2000;
    out.emplace_back("ogg_opus_late_start_end_trim.opus", ogg_opus_file(s));
  }
  {
    OpusFileSpec s = spec(12, 3);
    s.eos = false;
    s.channels = 3;
    out.emplace_back("ogg_opus_no_eos_3ch.opus", ogg_opus_file(s));
  }
  {
    Bytes f = ogg_opus_file(spec(20, 2));
    f[ogg_page_offsets(f)[4] + 30] ^= std::byte{1};
    out.emplace_back("ogg_opus_corrupt_page.opus", f);
  }
  {
    Bytes f = ogg_opus_file(spec(8, 4));
    OpusFileSpec second = spec(8, 4);
    second.serial = 77;
    const Bytes link = ogg_opus_file(second);
    f.insert(f.end(), link.begin(), link.end());
    out.emplace_back("ogg_opus_chained.opus", f);
  }
  {
    // Ogg FLAC: 0x7F "FLAC" 1.0, one header packet, "fLaC", STREAMINFO
    // (44.1 kHz, stereo, 16 bits, blocks of 4096), then frame-like packets.
    Bytes head(51);
    const unsigned char prefix[] = {0x7F, 'F', 'L', 'A', 'C', 1, 0, 0, 0, 'f', 'L', 'a', 'C', 0x80, 0, 0, 34,
                                    0x10, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x0A, 0xC4, 0x42, 0xF0};
    for (std::size_t i = 0; i < sizeof prefix; ++i) head[i] = std::byte{prefix[i]};
    OggStreamWriter w(0x42);
    Bytes f;
    w.packet(head, 0);
    w.flush(f);
    for (int i = 0; i < 12; ++i) {
      Bytes frame = fake_opus_packet(30 + i, static_cast<std::uint32_t>(i));
      const unsigned char header[] = {0xFF, 0xF8, 0xC9, 0x18, static_cast<unsigned char>(i)};
      for (std::size_t k = 0; k < sizeof header; ++k) frame[k] = std::byte{header[k]};
      w.packet(frame, 4096 * (i + 1), i == 11);
      if (i % 3 == 2) w.flush(f);
    }
    out.emplace_back("ogg_flac.oga", f);
  }
  return out;
}
#endif

}  // namespace

// FLAC streams: every metadata and frame form the reader handles.
std::vector<std::pair<std::string, Bytes>> flac_seeds() {
  const auto frames = [](std::size_t n, std::size_t block, std::uint8_t channels) {
    std::vector<std::vector<std::int16_t>> out;
    for (std::size_t i = 0; i < n; ++i)
      out.push_back(flac_test_samples(block * channels, static_cast<std::uint32_t>(i)));
    return out;
  };
  std::vector<std::pair<std::string, Bytes>> out;
  FlacStreamSpec fixed;
  fixed.channels = 2;
  fixed.frames = frames(6, 192, 2);
  fixed.seek_every = 2;
  fixed.placeholders = 2;
  out.emplace_back("fixed_seektable.flac", build_flac(fixed));
  FlacStreamSpec variable;
  variable.variable = true;
  variable.frames = frames(5, 100, 1);
  variable.frames[2].resize(300);
  variable.total_samples = 0;
  variable.prefix = id3v2_tag(20);
  variable.trailer = Bytes(128, std::byte{'T'});
  out.emplace_back("variable_id3_junk.flac", build_flac(variable));
  FlacStreamSpec lookalike;
  lookalike.frames = frames(3, 576, 1);
  lookalike.frames[0][10] = static_cast<std::int16_t>(0xFFF8);
  lookalike.padding = 16;
  out.emplace_back("sync_lookalike_padding.flac", build_flac(lookalike));
  return out;
}

// SNES ROM images: each mapping the header detection tells apart, small
// (the Ex mappings need more than 4 MiB: left to mutations of these).
std::vector<std::pair<std::string, Bytes>> snes_seeds() {
  std::vector<std::pair<std::string, Bytes>> out;
  SnesRomSpec lorom;
  lorom.size = 32 * 1024;
  out.emplace_back("lorom.sfc", make_snes_rom(lorom));
  SnesRomSpec hirom;
  hirom.layout = SnesLayout::hirom;
  hirom.size = 64 * 1024;
  hirom.copier_header = true;
  hirom.developer_id = 0x33;
  hirom.extended = std::vector<std::uint8_t>{'0', '1', 'F', 'R', 'G', 'E'};
  out.emplace_back("hirom_copier.smc", make_snes_rom(hirom));
  SnesRomSpec sa1;
  sa1.layout = SnesLayout::sa1;
  sa1.size = 96 * 1024;  // not a power of two: the mirrored checksum
  sa1.cartridge_type = 0x35;
  sa1.title = "\xB1\xB2\xB3 SA1";
  out.emplace_back("sa1_96k.sfc", make_snes_rom(sa1));
  hirom.copier_header = false;
  out.emplace_back("hirom_interleaved.sfc", interleave_hirom(make_snes_rom(hirom)));
  return out;
}

// HAL and LC_LZ2 streams from the tests' compressor: fills, copies (HAL's
// bit-reversed and backwards ones among them) and literals.
std::vector<std::pair<std::string, Bytes>> lz_seeds() {
  const auto b = [](unsigned v) { return static_cast<std::byte>(v); };
  Bytes tile(64);
  for (std::size_t i = 0; i < tile.size(); ++i) tile[i] = b(static_cast<unsigned>(i * 37 + (i >> 3)));
  Bytes data = tile;
  data.insert(data.end(), tile.rbegin(), tile.rend());
  data.insert(data.end(), 40, b(0x11));
  for (int i = 0; i < 20; ++i) data.insert(data.end(), {b(0x12), b(0x34)});
  for (unsigned i = 0; i < 30; ++i) data.push_back(b(0x80 + i));
  data.insert(data.end(), tile.begin(), tile.end());
  return {{"stream.hal", frugal::test::hal_compress(data)},
          {"stream.lz2", frugal::test::hal_compress(data, nullptr, frugal::assets::LzFormat::lc_lz2)}};
}

// Image headers from the tests' image writer, one per format and branch:
// PNG (Adam7), JPEG (JFIF, Adobe, EXIF in both byte orders, progressive,
// hierarchical), GIF, BMP (core, V5 with masks), WebP (VP8, VP8L, VP8X).
std::vector<std::pair<std::string, Bytes>> image_seeds() {
  using frugal::test::JpegBuilder;
  return {{"image.png", frugal::test::png_header(40, 30, 8, 6, 1)},
          {"image_exif_ii.jpg", JpegBuilder().jfif().exif({.orientation = 6, .entries_before = 2}).frame(0xC2, 8, 64, 48, 3).take()},
          {"image_adobe_mm.jpg", JpegBuilder().adobe(2).exif({.little_endian = false, .orientation = 3}).frame(0xC9, 12, 64, 48, 4).take()},
          {"image_dhp.jpg", JpegBuilder().frame(0xDE, 8, 64, 64, 1).frame(0xC7, 16, 16, 16, 1).take()},
          {"image.gif", frugal::test::gif_header("89a", 300, 200, 0xF7)},
          {"image_core.bmp", frugal::test::bmp_header(12, 64, 48, 24)},
          {"image_v5.bmp", frugal::test::bmp_header(124, 4, -4, 32, 3, {0xFF0000, 0xFF00, 0xFF, 0xFF000000})},
          {"image_vp8.webp", frugal::test::webp_vp8(400, 300)},
          {"image_vp8l.webp", frugal::test::webp_vp8l(64, 32, true)},
          {"image_vp8x.webp", frugal::test::webp_vp8x(1000, 2000, 0x12)}};
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  std::vector<std::pair<std::string, MovieSpec>> seeds;

  seeds.emplace_back("aac", movie({aac(40)}));
  {
    TrackSpec t = aac(60);
    t.stts = {{10, 1024}, {20, 512}, {30, 2048}};
    t.ctts = {{20, 0}, {10, -512}, {30, 1024}};
    t.ctts_version = 1;
    t.chunks = {5, 10, 1, 30, 14};
    t.stss = std::vector<std::uint32_t>{1, 11, 31, 50};
    seeds.emplace_back("runs_ctts_stss", movie({t}));
  }
  for (SizeTable s : {SizeTable::stsz_constant, SizeTable::stz2_4, SizeTable::stz2_8, SizeTable::stz2_16}) {
    TrackSpec t = aac(33);
    t.size_table = s;
    if (s == SizeTable::stz2_4)
      for (auto& size : t.sample_sizes) size %= 16;
    t.chunks = uniform_chunks(33, 8);
    seeds.emplace_back("sizes_" + std::to_string(static_cast<int>(s)), movie({t}));
  }
  {
    TrackSpec t = aac(20);
    t.co64 = true;
    t.chunks = uniform_chunks(20, 3);
    seeds.emplace_back("co64", movie({t}));
  }
  {
    TrackSpec t = opus(50);
    t.edits = {{900, 312, 1 << 16}};
    t.stbl_extra = {sgpd_roll(), sbgp_roll(50)};
    t.chunks = uniform_chunks(50, 7);
    seeds.emplace_back("opus_edit_roll", movie({t}));
  }
  {
    TrackSpec t = flac(12);
    t.edits = {{100, -1, 1 << 16}, {500, 0, 1 << 16}};
    t.elst_version = 1;
    seeds.emplace_back("flac_edits", movie({t}));
  }
  seeds.emplace_back("pcm", movie({pcm_track(AudioEntrySpec("twos"), 3000, 700)}));
  seeds.emplace_back("pcm_ipcm",
                     movie({pcm_track(AudioEntrySpec("ipcm", {pcmc_box(1, 24)}).with_bits(24), 2000, 512)}));
  {
    QtSoundV2 v2;
    v2.bits_per_channel = 32;
    v2.format_flags = kLpcmFloat;
    v2.bytes_per_packet = 8;
    seeds.emplace_back("pcm_lpcm_v2", movie({pcm_track(AudioEntrySpec("lpcm").with_v2(v2), 1500, 600)}));
  }
  {
    MovieSpec m = movie({aac(30), opus(25), flac(6)});
    m.layout = Layout::mdat_first;
    m.chunk_gap = 3;
    m.tracks[0].chunks = uniform_chunks(30, 4);
    m.tracks[1].chunks = uniform_chunks(25, 6);
    seeds.emplace_back("three_tracks_moov_last", m);
  }
  {
    MovieSpec m = movie({aac(10)});
    m.large_mdat = true;
    m.brand.reset();
    seeds.emplace_back("large_mdat_no_ftyp", m);
  }
  {
    MovieSpec m = movie({aac(10)});
    m.moov_extra = {BoxWriter().begin("udta").bytes(chpl_box(1, {{0, "One"}, {20'000'000, "Two"}})).end().take()};
    seeds.emplace_back("chapters_chpl", m);
  }
  {
    MovieSpec m = movie({aac(10), text_track({text_sample("One"), text_sample("Two")}, {{2, 500}})});
    m.tracks[0].trak_extra = {tref_box(FourCC("chap"), {2})};
    seeds.emplace_back("chapters_track", m);
  }

  std::vector<std::pair<std::string, Bytes>> files = fragmented_seeds();
  for (const auto& [name, spec] : seeds) files.emplace_back(name, build_mp4(spec));
  for (auto& [name, file] : files) name += ".mp4";
  for (auto& seed : flac_seeds()) files.push_back(std::move(seed));
  for (auto& seed : snes_seeds()) files.push_back(std::move(seed));
  for (auto& seed : lz_seeds()) files.push_back(std::move(seed));
  for (auto& seed : image_seeds()) files.push_back(std::move(seed));
#ifdef FRUGAL_HAVE_OGG
  for (auto& seed : ogg_seeds()) files.push_back(std::move(seed));
#endif
  for (const auto& [name, file] : files) {
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(file.data()), static_cast<std::streamsize>(file.size()));
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
      return 1;
    }
  }
  std::printf("%zu seeds in %s\n", files.size(), dir.c_str());
  return 0;
}
