#!/usr/bin/env bash
# Installs what frugal needs to build and test on Debian 12 (apt-get).
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --samples  also espeak-ng and sox (scripts/make-samples.sh)
#   scripts/install-deps.sh --bench    also Google Benchmark and libavformat (bench/; exr_bench uses the
#                                      base list's libopenexr-dev)
#   scripts/install-deps.sh --library  also python3-mutagen (scripts/make-library.py tags its files; ffmpeg is in the base list)
#   scripts/install-deps.sh --fuzz     also clang and its libFuzzer runtime (the fuzz preset)
#   scripts/install-deps.sh --armhf    also the armhf cross compiler, qemu-user and the
#   scripts/install-deps.sh --aarch64  target's libraries as multiarch packages (armhf/aarch64 presets)
#   scripts/install-deps.sh --baremetal also arm-none-eabi gcc + newlib and qemu-system-arm
# Runs apt-get through sudo when not root. Skips apt-get when everything is
# already installed, so it is cheap to call before every build.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache    # build
  libopus-dev libflac-dev libasound2-dev     # codecs, sound card
  libogg-dev libtag1-dev                     # Ogg pages, tags
  libpng-dev                                 # PNG output (imageio: rom tiles; optional: FRUGAL_WITH_PNG, off in cross builds)
  libxxhash-dev                              # XXH3 hashes: thumbnail cache keys and entry checks (thumbnails)
  libjpeg62-turbo-dev                        # JPEG decoding (thumbnails, with libpng and TagLib; optional: FRUGAL_WITH_JPEG)
  libsqlite3-dev                             # the media library's catalogue (library; optional: FRUGAL_WITH_SQLITE)
  googletest libgtest-dev                    # tests
  libavcodec-dev libavutil-dev               # AAC, ALAC, MP3, AC-3, E-AC-3 (optional: FRUGAL_WITH_AVCODEC)
  libmpg123-dev                              # MP3 (optional: FRUGAL_WITH_MPG123)
  libfaad-dev                                # AAC over faad2 (FRUGAL_WITH_FAAD2: the asan and armhf presets)
  ffmpeg opus-tools                          # test oracles (ffprobe, opusdec, reference decodes)
  xxhash                                     # test oracle: xxhsum -H2 (the library scanner's XXH3-128 content hashes)
  openexr libopenexr-dev                     # EXR oracles: exrheader, OpenEXRCore (tests/support/exr_core_oracle), previews
                                             # (exr_preview_oracle); exr_bench's peer (Imf::MultiPartInputFile)
)
foreign=()
# cross <Debian arch> <GNU triplet>: the cross compiler, qemu-user, and the
# target's libraries and C++/UBSan runtimes as multiarch packages (the
# runtimes must come from the target's libc6 release, not the cross
# compiler's own copies).
cross() {
  foreign+=("$1")
  packages+=("g++-$2" qemu-user)
  local p
  for p in libopus-dev libflac-dev libogg-dev libmpg123-dev libfaad-dev libgtest-dev libstdc++6 libubsan1; do packages+=("$p:$1"); done
}
for option in "$@"; do
  case "$option" in
    --samples) packages+=(espeak-ng sox) ;;
    --bench) packages+=(libbenchmark-dev libavformat-dev) ;;
    --library) packages+=(python3-mutagen) ;;   # tags written by scripts/make-library.py
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --armhf) cross armhf arm-linux-gnueabihf ;;
    --aarch64) cross arm64 aarch64-linux-gnu ;;
    --baremetal) packages+=(gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib qemu-system-arm) ;;
    *) echo "unknown option: $option" >&2; exit 2 ;;
  esac
done

# Installed for this machine's architecture: a foreign multiarch copy
# (libopus-dev:armhf for the cross builds) does not count.
native=$(dpkg --print-architecture)
missing=()
for p in "${packages[@]}"; do
  arch=$native
  [[ $p == *:* ]] && arch=${p#*:}
  dpkg-query -W -f='${Status} ${Architecture}\n' "${p%%:*}" 2>/dev/null |
    grep -Eq "install ok installed ($arch|all)$" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  sudo="sudo"
fi
echo "installing: ${missing[*]}" >&2
for arch in "${foreign[@]}"; do
  dpkg --print-foreign-architectures | grep -qx "$arch" || $sudo dpkg --add-architecture "$arch"
done
# A mirror mid-sync can fail one index (seen: bookworm-security armhf); apt-get
# then keeps the old lists, and the install below says clearly if a package is
# really missing.
$sudo apt-get update -qq || echo "apt-get update reported errors; installing from the lists it has" >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
