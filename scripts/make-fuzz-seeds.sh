#!/usr/bin/env bash
# Writes the audio seeds of the fuzz harnesses into $1: a fraction of a
# second of synthesized sound encoded by ffmpeg in each codec and layout the
# decode path meets (Opus mono/stereo/5.1, FLAC 16/24-bit, PCM, ALAC, AAC;
# faststart, moov last, fragmented). Small files, so the fuzzer mutates
# them fast. Needs ffmpeg (with libopus); does nothing without it.
set -euo pipefail

out=${1:?usage: make-fuzz-seeds.sh DIR}
mkdir -p "$out"
if ! command -v ffmpeg >/dev/null; then
  echo "make-fuzz-seeds: no ffmpeg, no audio seeds" >&2
  exit 0
fi

common=(-hide_banner -loglevel error -y)
tone() {  # $1 channel layout, $2 sample rate
  echo "sine=f=440:d=0.3:r=$2,aformat=channel_layouts=$1"
}
make() {  # $1 name, $2 channel layout, $3 rate, rest: ffmpeg output options
  local name=$1 layout=$2 rate=$3
  shift 3
  [[ -f "$out/$name" ]] && return
  ffmpeg "${common[@]}" -f lavfi -i "$(tone "$layout" "$rate")" "$@" "$out/$name"
}

make opus-mono.mp4 mono 48000 -c:a libopus -b:a 16k
make opus-stereo-faststart.mp4 stereo 48000 -c:a libopus -b:a 24k -movflags +faststart
make opus-5.1.mp4 5.1 48000 -c:a libopus -b:a 64k
make opus-fragmented.mp4 stereo 48000 -c:a libopus -movflags frag_keyframe+empty_moov
make flac-16.mp4 stereo 44100 -c:a flac -strict -2
make flac-24.mp4 mono 96000 -c:a flac -sample_fmt s32 -bits_per_raw_sample 24 -strict -2
make pcm-s16.mov stereo 8000 -c:a pcm_s16le
make pcm-s24be.mov mono 16000 -c:a pcm_s24be
make pcm-f32.mov stereo 8000 -c:a pcm_f32le
make alac.m4a stereo 44100 -c:a alac
make aac.m4a stereo 44100 -c:a aac -b:a 32k
echo "audio seeds in $out"
