#!/usr/bin/env bash
# Makes the benchmark media: 1 h, 10 h and 100 h Opus and AAC .m4a files,
# each faststart (moov first) and moov-at-end, in $1 (default
# build/bench-media). One hour is encoded once from synthesized audio (a
# tone sweep under pink noise, so the encoders have work to do), then
# concatenated with `ffmpeg -c copy`, as audiobook tools do. The 10 h Opus
# file is also remuxed into 2-second fragments three ways: with a sidx
# (and mfra), with mfra only, with neither. About 6.5 GB in all.
# Needs ffmpeg (with libopus). Bench media stays out of CI and the repo.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/build/bench-media}
mkdir -p "$out"
cd "$out"

common=(-hide_banner -loglevel error -y)
hour="sine=f=220:d=3600,volume=0.3[a];anoisesrc=c=pink:d=3600:a=0.05[b];[a][b]amix=inputs=2,aformat=channel_layouts=stereo"

encode() {  # $1 codec name, $2 ffmpeg codec options
  [[ -f "1h.$1.m4a" ]] && return
  # shellcheck disable=SC2086
  ffmpeg "${common[@]}" -f lavfi -i "$hour" $2 -f mp4 -movflags +faststart "1h.$1.m4a"
}

concat() {  # $1 codec name, $2 hours
  local list="concat-$1-$2.txt"
  [[ -f "$2h.$1.m4a" && -f "$2h.$1.moov-at-end.m4a" ]] && return
  : > "$list"
  for ((i = 0; i < $2; i++)); do echo "file '1h.$1.m4a'" >> "$list"; done
  ffmpeg "${common[@]}" -f concat -safe 0 -i "$list" -c copy -f mp4 "$2h.$1.moov-at-end.m4a"
  ffmpeg "${common[@]}" -i "$2h.$1.moov-at-end.m4a" -c copy -f mp4 -movflags +faststart "$2h.$1.m4a"
  rm -f "$list"
}

encode opus "-c:a libopus -b:a 32k"
encode aac "-c:a aac -b:a 32k"
for codec in opus aac; do
  [[ -f "1h.$codec.moov-at-end.m4a" ]] || ffmpeg "${common[@]}" -i "1h.$codec.m4a" -c copy -f mp4 "1h.$codec.moov-at-end.m4a"
  concat "$codec" 10
  concat "$codec" 100
done
fragment() {  # $1 suffix, $2 extra movflags
  [[ -f "10h.opus.frag$1.m4a" ]] && return
  ffmpeg "${common[@]}" -i 10h.opus.m4a -c copy -f mp4 -frag_duration 2000000 \
    -movflags "+frag_keyframe+empty_moov+default_base_moof$2" "10h.opus.frag$1.m4a"
}
fragment -sidx +global_sidx
fragment -mfra ""
fragment "" +skip_trailer
ls -l "$out"
