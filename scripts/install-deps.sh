#!/usr/bin/env bash
# Installs what frugal needs to build and test on Debian 12 (apt-get).
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --samples  also espeak-ng and sox (scripts/make-samples.sh)
#   scripts/install-deps.sh --bench    also Google Benchmark and libavformat (bench/)
# Runs apt-get through sudo when not root. Skips apt-get when everything is
# already installed, so it is cheap to call before every build.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config           # build
  libopus-dev libflac-dev libasound2-dev     # codecs, sound card
  googletest libgtest-dev                    # tests
  ffmpeg                                     # test oracle (ffprobe, libopus/FLAC reference decodes)
)
for option in "$@"; do
  case "$option" in
    --samples) packages+=(espeak-ng sox) ;;
    --bench) packages+=(libbenchmark-dev libavformat-dev) ;;
    *) echo "unknown option: $option" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
