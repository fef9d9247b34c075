#!/usr/bin/env bash
# Makes the bundled samples in samples/ from synthesized audio only:
# espeak-ng speech followed by a logarithmic chirp, 48 kHz stereo, encoded to
# Opus-in-MP4 (libopus) and FLAC-in-MP4 by ffmpeg.
# Needs: espeak-ng, sox, ffmpeg (scripts/install-deps.sh --samples installs them).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/samples"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

espeak-ng -s 150 -w "$work/speech.wav" \
  "This is frugal, playing its bundled sample. A chirp follows."
# Speech to 48 kHz stereo, then a 2-second chirp from 100 Hz to 8 kHz at -12 dBFS.
sox "$work/speech.wav" -r 48000 -c 2 -b 16 "$work/speech48.wav"
sox -n -r 48000 -c 2 -b 16 "$work/chirp.wav" synth 2 sine 100:8000 gain -12 fade 0.05 2 0.05
sox "$work/speech48.wav" "$work/chirp.wav" "$work/sample.wav"

# No metadata; the movie header first (faststart), as streaming wants it.
common=(-hide_banner -loglevel error -y -i "$work/sample.wav" -map_metadata -1 -fflags +bitexact)
ffmpeg "${common[@]}" -c:a libopus -b:a 64k -movflags +faststart -f mp4 "$out/speech-chirp.opus.m4a"
ffmpeg "${common[@]}" -c:a flac -strict experimental -movflags +faststart -f mp4 "$out/speech-chirp.flac.m4a"
ls -l "$out"
