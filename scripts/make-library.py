#!/usr/bin/python3
"""Makes a music library of N small tagged audio files for the library
benchmarks and tests (issue 10), from the bundled samples only.

  scripts/make-library.py TARGET [--count 10000] [--seed 1]

Each bundled sample (samples/*.m4a, synthesized by scripts/make-samples.sh) is
cut to about 1 s with `ffmpeg -t 1 -c copy` and remuxed, still without
re-encoding, to its native container (FLAC to .flac, Opus to Ogg .opus), so
the bases are MP4/FLAC, MP4/Opus, native FLAC and Ogg Opus. Each base is then
copied to TARGET/Artist/Album/NN Title.ext with deterministic tags from the
seed: ~N/50 artists, N/10 albums of 10 tracks (title, artist, album, album
artist, track number and total, year, genre); about a third of the albums
carry a small PNG cover made here. Tags are written in memory with mutagen
(Debian's python3-mutagen) and each file is written once: no subprocess per
file. For the scanner there are also hidden folders holding audio (to be
skipped), and non-audio files: folder.png beside covered albums, notes.txt,
and a text file named like audio (fake.m4a, to be refused by content).

Prints the audio files made, the extra files, and the total bytes.
Needs: python3-mutagen, ffmpeg (scripts/install-deps.sh --library).
"""

import argparse
import base64
import io
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from mutagen.flac import FLAC, Picture
from mutagen.mp4 import MP4, MP4Cover
from mutagen.oggopus import OggOpus

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TRACKS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 5
COVER_PERCENT = 33
HIDDEN_FILES = 20

WORDS = ("amber night river echo glass paper winter signal hollow crown velvet static harbour "
         "ember orbit silent golden lantern northern fever cinder atlas meadow quiet electric "
         "Café Ōkami Niño Zürich Łódź Ærø").split()
GENRES = ("Rock", "Jazz", "Electronic", "Classical", "Folk", "Hip-Hop", "Ambient", "Pop",
          "Metal", "Blues", "Soul", "Reggae")


def run(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def ffprobe(path, *entries):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", *entries, "-of", "csv=p=0", str(path)],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def fix_flac_total_samples(path):
    """A `-c copy` cut keeps the sample's STREAMINFO (its dfLa box), whose total
    samples and MD5 are the uncut stream's: set the total to the frames' sum
    and the MD5 to zeros, "unknown" (RFC 9639, section 8.2, streaminfo)."""
    total = sum(int(d) for d in ffprobe(path, "-show_entries", "packet=duration"))
    data = bytearray(path.read_bytes())
    if data[:4] != b"fLaC" or data[4] & 0x7F != 0:
        sys.exit(f"{path}: not a FLAC file starting with STREAMINFO")
    field = 8 + 10  # after "fLaC", the block header and the block and frame sizes
    packed = int.from_bytes(data[field:field + 8], "big")
    packed = (packed & ~((1 << 36) - 1)) | total
    data[field:field + 8] = packed.to_bytes(8, "big")
    data[field + 8:field + 24] = bytes(16)
    path.write_bytes(bytes(data))


def make_bases(work):
    """The ~1 s bases: (extension, bytes) for each sample's MP4 cut and its
    native remux."""
    bases = []
    for sample in sorted(SAMPLES.glob("*.m4a")):
        codec = ffprobe(sample, "-show_entries", "stream=codec_name")[0]
        cut = work / f"{sample.stem}.cut.m4a"
        # FLAC in MP4 is "experimental" to ffmpeg 5's muxer: -strict allows it; bitexact:
        # no random Ogg serial numbers or encoder versions, so a seed makes the same bytes.
        run("ffmpeg", "-hide_banner", "-y", "-i", str(sample), "-t", "1", "-c", "copy", "-map_metadata", "-1",
            "-fflags", "+bitexact", "-strict", "experimental", "-f", "mp4", str(cut))
        bases.append((".m4a", cut.read_bytes()))
        native = {"flac": ".flac", "opus": ".opus"}.get(codec)
        if native is None:
            continue
        remux = work / f"{sample.stem}.cut{native}"
        run("ffmpeg", "-hide_banner", "-y", "-i", str(cut), "-c", "copy", "-map_metadata", "-1", "-fflags", "+bitexact",
            str(remux))
        if codec == "flac":
            fix_flac_total_samples(remux)
        bases.append((native, remux.read_bytes()))
    if not bases:
        sys.exit(f"no samples in {SAMPLES} (scripts/make-samples.sh makes them)")
    return bases


def png(width, height, rgb):
    """A tiny truecolour PNG (ISO/IEC 15948): a gradient from `rgb`."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\0" + b"".join(bytes(((c + 8 * (x + y)) & 0xFF) for c in rgb) for x in range(width))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def safe(name):
    return name.replace("/", "-")


def tag(ext, data, t):
    """The base's bytes with tags `t` written by mutagen, in memory."""
    buf = io.BytesIO(data)
    if ext == ".m4a":
        f = MP4(buf)
        f["\xa9nam"], f["\xa9ART"], f["\xa9alb"], f["aART"] = t["title"], t["artist"], t["album"], t["artist"]
        f["\xa9day"], f["\xa9gen"], f["trkn"] = str(t["year"]), t["genre"], [(t["track"], TRACKS_PER_ALBUM)]
        if t["cover"]:
            f["covr"] = [MP4Cover(t["cover"], imageformat=MP4Cover.FORMAT_PNG)]
    else:
        f = FLAC(buf) if ext == ".flac" else OggOpus(buf)
        f["TITLE"], f["ARTIST"], f["ALBUM"], f["ALBUMARTIST"] = t["title"], t["artist"], t["album"], t["artist"]
        f["DATE"], f["GENRE"] = str(t["year"]), t["genre"]
        f["TRACKNUMBER"], f["TRACKTOTAL"] = str(t["track"]), str(TRACKS_PER_ALBUM)
        if t["cover"]:
            picture = Picture()
            picture.type, picture.mime, picture.desc = 3, "image/png", "front cover"
            picture.width, picture.height, picture.depth = 16, 16, 24
            picture.data = t["cover"]
            if ext == ".flac":
                f.add_picture(picture)
            else:  # Ogg: the FLAC picture block, base64, in a Vorbis comment
                f["METADATA_BLOCK_PICTURE"] = base64.b64encode(picture.write()).decode("ascii")
    buf.seek(0)
    f.save(buf)
    return buf.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--count", type=int, default=10000, help="audio files outside hidden folders")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.count < 1:
        sys.exit("--count must be at least 1")
    if args.target.exists() and any(args.target.iterdir()):
        sys.exit(f"{args.target}: not empty (refusing to mix libraries)")
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        bases = make_bases(Path(work))

    rng = random.Random(args.seed)
    albums = (args.count + TRACKS_PER_ALBUM - 1) // TRACKS_PER_ALBUM
    artists = [f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n}"
               for n in range(max(1, albums // ALBUMS_PER_ARTIST))]
    total_bytes = audio = extra = 0

    def write(path, data):
        nonlocal total_bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        total_bytes += len(data)

    for a in range(albums):
        artist = rng.choice(artists)
        album = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {a}"
        year, genre = rng.randint(1960, 2025), rng.choice(GENRES)
        ext, base = rng.choice(bases)  # one format per album, as rips are
        cover = png(16, 16, (rng.randrange(256), rng.randrange(256), rng.randrange(256))) \
            if rng.randrange(100) < COVER_PERCENT else None
        folder = args.target / safe(artist) / safe(album)
        for track in range(1, TRACKS_PER_ALBUM + 1):
            if audio == args.count:
                break
            title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)}"
            t = dict(title=title, artist=artist, album=album, year=year, genre=genre, track=track, cover=cover)
            write(folder / f"{track:02d} {safe(title)}{ext}", tag(ext, base, t))
            audio += 1
        if cover:
            write(folder / "folder.png", cover)
            extra += 1

    # What a scan must skip: audio in hidden folders, and files that are not audio.
    for n in range(HIDDEN_FILES):
        ext, base = bases[(n // 2) % len(bases)]
        hidden = args.target / (".trash" if n % 2 else f"{safe(artists[0])}/.cache")
        write(hidden / f"hidden {n:02d}{ext}", base)
        extra += 1
    write(args.target / "notes.txt", b"A library made by scripts/make-library.py.\n")
    write(args.target / safe(artists[0]) / "fake.m4a", b"not audio: a text file named like one\n")
    extra += 2

    print(f"{audio} audio files, {extra} other files (hidden folders, non-audio), "
          f"{total_bytes} bytes in {args.target} ({time.monotonic() - start:.1f} s)")


if __name__ == "__main__":
    main()
