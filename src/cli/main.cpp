// The frugal command: probe, packets, decode, play, tags, art, rom, exr, image-info, thumb, library.
#include "cli/common.hpp"
#include "cli/json.hpp"

#include "heap_counter.hpp"
#include "process.hpp"

#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <optional>

namespace {

constexpr const char* kHelp = R"(usage: frugal COMMAND [options] [--stats]

  probe FILE [--json]               container (MP4, FLAC, Ogg: told by content) and tracks
                                    (codec, profile, rate, channels, this build's decoders
                                    for it, most preferred first; counts, gapless: encoder
                                    delay, padding, samples presented), chapters
  packets FILE [--track N] [--json] every packet: dts/pts/duration (track ticks), size, pos, sync
  decode FILE -o OUT.wav|-          decode an audio track to a WAV file (or standard output):
         [--track N] [--format s16|s24|s32|f32] [--no-edit-list]   exactly what it presents
         [--decoder NAME]
         [--start SECONDS] [--duration SECONDS]   a slice, sample-exact
  play [FILE...]                    play files in order, gapless (no FILE: the bundled sample)
         [--output alsa[:DEVICE]|wav:PATH|raw|null] [--track N] [--format F] [--decoder NAME]
         [--no-edit-list]
         [--chapter N]                    start at chapter N (1 is the first; as probe lists
                                          them, else the tags' CHAPTERxx)
         [--replay-gain track|album|off]  apply the tagged ReplayGain (default off; album
         [--preamp DB] [--no-clip-prevention]  falls back to track and back), plus DB; the
                                          tagged peak caps the gain unless told not to
  tags FILE [--json]                tags, ReplayGain, MusicBrainz IDs, chapters and pictures
                                    (MP4, FLAC, Ogg Vorbis/Opus/FLAC, MP3; through TagLib).
                                    JSON keys: format, title, artist, album, album_artist,
                                    date, genre, composer, comment (strings, null when
                                    absent); track, disc ({"number","total"}, null when
                                    absent); replaygain {track_gain_db, track_peak,
                                    album_gain_db, album_peak} (numbers or null); musicbrainz
                                    {track_id, release_id, artist_id, album_artist_id,
                                    release_group_id}; chapters [{start_ms, end_ms, title}];
                                    pictures [{index, mime_type, type, description, size,
                                    width, height (0: unknown), loaded, not_loaded (why, or
                                    null), offset (bytes, or null)}]
  art FILE -o OUT [--index N]       write picture N (default 0, as tags lists them) to OUT
  rom info ROM [--json]             SNES ROM image: the cartridge header found by scoring
                                    ($7FC0 LoROM, $FFC0 HiROM, $407FC0 ExLoROM, $40FFC0
                                    ExHiROM; a 512-byte copier header skipped), the checksum
                                    computed. JSON keys: title, mapping (lorom, hirom, exlorom,
                                    exhirom, sa1), chip (none, dsp, superfx, obc1, sa1, sdd1,
                                    srtc, spc7110, st010, st018, cx4, other, unknown),
                                    copier_header, rom_size, ram_size (declared bytes), region,
                                    version, checksum_stored, checksum_computed,
                                    checksum_valid, score, reasons (strings)
  rom extract ROM --offsets FILE -o DIR [--threads N] [--json]
                                    decompress the HAL blocks (Kirby and other HAL games)
                                    at FILE's offsets, one a line: decimal, 0x hex or a bus
                                    address $BB:AAAA (mapped as rom info detects); # starts a
                                    comment. Each block goes to DIR/<offset, 6 hex>.bin,
                                    written atomically; N worker threads (default 2, 1-64);
                                    a progress bar when stderr is a terminal; failures listed
                                    on stderr. Exit status 2 when any block failed (the others
                                    are written), 1 for a bad line (named by its number).
                                    JSON keys: written, failed, bytes, threads, blocks
                                    [{offset, compressed, decompressed}], failures [{offset,
                                    line, error, message}]
  rom scan ROM [--begin OFF] [--end OFF] [--min-size N] [--json]
                                    list plausible HAL streams starting in [OFF, OFF) (default
                                    the whole image; offsets as for extract) that decode to at
                                    least N bytes (default 32) and compress: image offset, bus
                                    address, compressed and decompressed bytes. A heuristic:
                                    check what it finds. JSON: one object a line with keys
                                    offset, address (null when unmapped), compressed,
                                    decompressed
  rom tiles ROM --offset OFF --bpp 2|4|8|mode7 --count N -o OUT.png
         [--columns N]              a sprite sheet: N 8x8 tiles from OFF, N per row (default
                                    16), cells past the last tile colour 0; a PNG (indexed)
         [--hal]                    the tiles of the HAL-compressed block at OFF (--count
                                    optional: every whole tile of the block)
         [--palette-offset OFF [--palette-count N]]  N BGR555 colours (default: the bpp's 4,
                                    16 or 256) from the ROM; or
         [--cgram FILE [--palette N]]  sub-palette N of a 512-byte CGRAM dump (4bpp: colours
                                    16N-16N+15; 2bpp: 4N-4N+3); default: a grey ramp
         [--transparent] [--json]   colour 0 transparent; JSON keys: output, tiles, bpp,
                                    offset, hal, columns, width, height, palette
                                    OFF: an image offset (decimal or 0x hex) or a bus
                                    address $BB:AAAA (BB:AAAA) through the ROM's mapping
  exr FILE [--json]                 OpenEXR headers only (no offset tables, no pixels),
                                    validated as OpenEXRCore does. JSON keys: version, flags
                                    {tiled, long_names, deep, multipart}, parts [{name, type,
                                    compression, data_window, display_window ([xmin, ymin,
                                    xmax, ymax]), channels [{name, type, x_sampling,
                                    y_sampling, linear, layer, view}], layers, views,
                                    chunk_count, offset_table_bytes, attributes {name:
                                    {type, size, value}}}], header_bytes, bytes_read
  exr FILE --preview OUT.png [--json]  write the first preview attribute's pixels (RGBA8,
                                    read alone, not the image) as a PNG; JSON keys: output,
                                    part, width, height
  exr scan DIR|FILE... [--threads N] [--recursive] [--json]
                                    many files' headers on N worker threads (default 2,
                                    1-64): a folder's *.exr files (and its subfolders' with
                                    --recursive), each FILE as given (./scan for a file named
                                    scan). A line per file (parts, part 0's data window size,
                                    channels, file bytes, or the error), then the totals:
                                    files/s, MB/s of file bytes catalogued and MB/s of header
                                    bytes read (MB = 10^6 bytes). Exit status 2 when any file
                                    failed. JSON: {files [{path, file_bytes, bytes_read, parts,
                                    width, height, channels (names) | error, message}], totals
                                    {files, ok, failed, bytes_read, file_bytes, seconds,
                                    files_per_second, file_mb_per_second, read_mb_per_second,
                                    threads}}
  thumb FILE -o OUT.png [--size N]  a thumbnail (RGBA PNG, longest side N pixels, default 128,
         [--orientation 1-8]        never enlarged) of a JPEG or PNG image, or of an audio
         [--cache DIR] [--json]     file's cover art (the front cover first); JPEGs decode
                                    DCT-scaled, PNGs row by row, within a memory plan refused
                                    past --mem-budget before decoding; the JPEG's EXIF
                                    orientation applied, or N. JSON keys: output, cover_art,
                                    codec, source_width, source_height, scale (N/8),
                                    decoded_width, decoded_height, width, height, orientation,
                                    whole_image, planned_peak_bytes. --cache DIR: through
                                    the disk cache at DIR (made if missing; keyed by the file's
                                    path, size, mtime and inode, the size and orientation): a
                                    hit reads no image. JSON then: output, cache (hit|miss),
                                    width, height, png_bytes
  image-info FILE [--json]          an image's header only (PNG, JPEG, GIF, BMP, WebP; a
                                    JPEG's segments before its frame skipped, not read).
                                    JSON keys: format, width, height (pixels; a JPEG's
                                    height 0: set by a DNL marker), bit_depth (bits per
                                    sample), bits_per_pixel, colour_type (gray, gray_alpha,
                                    rgb, rgba, palette, ycbcr, cmyk, ycck, unknown),
                                    channels, has_alpha; jpeg {process (baseline,
                                    extended_sequential, progressive, lossless),
                                    progressive, arithmetic, differential, sof_marker,
                                    orientation (EXIF, 1-8), stored_orientation (0: none)};
                                    png {colour_type, interlaced}; webp {kind (vp8, vp8l,
                                    vp8x), animated}; bmp {header_bytes, compression,
                                    top_down}
  library scan DIR... [--db PATH]   the media library: folders walked (hidden ones skipped),
         [--io-workers N]           audio told by content (MP4, FLAC, Ogg Opus), hashed
         [--cpu-workers N] [--json] (XXH3-128) and read (tags, facts) into an SQLite catalogue
                                    (default $XDG_DATA_HOME/frugal/library.db, else
                                    ~/.local/share/frugal/library.db); unchanged files (size,
                                    mtime, inode) are not read again, moved ones keep their
                                    row, deleted ones go. A progress bar on a terminal. JSON:
                                    database, files, audio, skipped, unchanged, added,
                                    updated, moved, removed, errors, bytes_hashed, commits,
                                    throughput {discovery_files_per_second,
                                    hashing_mb_per_second, parsing_files_per_second,
                                    writing_files_per_second}
  library list [--artist X]         a page of tracks (keyset: --after the last page's
         [--album Y] [--order artist|album|title|year] [--after CURSOR] [--limit N]
         [--db PATH] [--json]       next_cursor; 50 by default, at most 1000). JSON: tracks
                                    [{id, path, title, artist, album, year, disc, track,
                                    duration_ms, codec}], next_cursor ("" at the end)
  library albums|artists            a page of albums (by title: id, title, artist, year,
         [--after CURSOR] [--limit N] tracks) or artists (by name: id, name, tracks), keyset
         [--db PATH] [--json]       as list. JSON: albums|artists [...], next_cursor
  library search TERM [--limit N]   tracks whose title, artist or album hold every word of
         [--db PATH] [--json]       TERM as a prefix (FTS5, best first). JSON: tracks
  library stats [--db PATH] [--json]  counts. JSON: tracks, albums, artists, errors
  library export --html DIR         a static album gallery: DIR/index.html, a page per
         [--size N] [--db PATH]     album, covers (N pixels, default 160) loaded lazily;
         [--json]                   only changed albums rewritten, removed ones deleted

  FILE            a file; - for standard input (fragmented files, and files whose moov
                  comes first and holds at most 4 MiB); or an init segment followed by
                  its media segments (init.mp4 seg1.m4s seg2.m4s...), read as one file

  --track N       a track ID (tkhd track_ID), as probe lists them
  --format F      output samples; default: the source's depth for lossless, s16 for lossy
  --decoder NAME  decode with NAME only (pcm, libopus, libflac, libavcodec, libmpg123, faad2:
                  as probe lists a track's decoders), not the build's preferred one
  --no-edit-list  ignore gapless info (edit lists, iTunSMPB): drop only the codec's
                  priming (Opus pre-skip)
  --mem-budget B  memory budget in bytes (K, M, G suffixes: KiB, MiB, GiB); pressure
                  rises at 70% and 90% of it; allocations sized by the input fail past it
  --max-picture-bytes B  (tags, art) largest picture loaded (default 4M)
  --stats         one JSON line on stderr at exit: {"io":{"bytes_read","read_calls"},
                  "memory":{"budget","peak_total" (tracked accounts),"heap_peak" (every
                  malloc'd byte, counted by interposing malloc; null under sanitizers),
                  "rss_peak" (VmHWM),"accounts":{NAME:{"current","peak"}}}}

exit status: 0 ok, 1 usage, 2 unsupported or malformed input (or more than the memory
budget allows; rom extract: a block failed; exr scan: a file failed), 3 I/O error
)";

void print_stats() {
  using namespace frugal::cli;
  JsonObject io;
  io.add("bytes_read", io_stats().bytes_read).add("read_calls", io_stats().read_calls);
  const frugal::mem::MemoryTracker& t = tracker();
  JsonObject accounts;
  for (std::size_t i = 0; i < t.account_count(); ++i) {
    const frugal::mem::AccountStats a = t.account_stats(i);
    JsonObject figures;
    figures.add("current", std::uint64_t{a.current}).add("peak", std::uint64_t{a.peak});
    accounts.add_raw(a.name, figures.str());
  }
  const frugal::platform::HeapCounts heap = frugal::platform::heap_counts();
  JsonObject memory;
  memory.add("budget", std::uint64_t{t.budget()})
      .add("peak_total", std::uint64_t{t.peak_total()})
      .add_raw("heap_peak", heap.available ? std::to_string(heap.peak) : "null")
      .add("rss_peak", frugal::platform::peak_rss_bytes())
      .add_raw("accounts", accounts.str());
  JsonObject all;
  all.add_raw("io", io.str()).add_raw("memory", memory.str());
  std::fprintf(stderr, "%s\n", all.str().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace frugal::cli;
  // Options every command takes: --stats, --mem-budget.
  std::vector<std::string> args;
  bool stats = false;
  std::size_t budget = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--stats") {
      stats = true;
    } else if (a == "--mem-budget" || a.rfind("--mem-budget=", 0) == 0) {
      const bool inline_value = a.size() > 12;
      if (!inline_value && i + 1 >= argc) return usage_error("--mem-budget needs a value");
      const std::string value = inline_value ? a.substr(13) : argv[++i];
      auto bytes = parse_bytes(value);
      if (!bytes || *bytes == 0) return usage_error("--mem-budget takes bytes (e.g. 4M), not '" + value + "'");
      budget = *bytes;
    } else {
      args.push_back(a);
    }
  }
  start_memory_tracking(budget);
  if (args.empty()) return usage_error("no command");
  const std::string command = args.front();
  args.erase(args.begin());
  int code;
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kHelp, stdout);
    return kOk;
  } else if (command == "--version") {
    std::printf("frugal %s\n", FRUGAL_VERSION);
    return kOk;
  } else if (command == "probe") {
    code = run_probe(args);
  } else if (command == "packets") {
    code = run_packets(args);
  } else if (command == "decode") {
    code = run_decode(args);
  } else if (command == "play") {
    code = run_play(args);
  } else if (command == "tags") {
    code = run_tags(args);
  } else if (command == "art") {
    code = run_art(args);
  } else if (command == "rom") {
    code = run_rom(args);
  } else if (command == "exr") {
    code = run_exr(args);
  } else if (command == "thumb") {
    code = run_thumb(args);
  } else if (command == "image-info") {
    code = run_image_info(args);
  } else if (command == "library") {
    code = run_library(args);
  } else {
    return usage_error("unknown command '" + command + "'");
  }
  if (stats) print_stats();
  return code;
}
