#!/usr/bin/env bash
# Installs the build tree $1 into a temporary prefix, then builds the consumer
# program against it twice, through find_package(frugal) and through
# pkg-config, and decodes sample $2 with each. Extra compiler/linker flags
# (e.g. sanitizers) come in $3.
set -euo pipefail
build=$1 sample=$2 flags=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here/consumer" -B "$work/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$work/cmake" >/dev/null
frames_cmake=$("$work/cmake/consumer" "$sample")

# shellcheck disable=SC2046
c++ -std=c++20 $flags "$here/consumer/main.cpp" -o "$work/pc" \
  $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --static --cflags --libs frugal)
frames_pc=$("$work/pc" "$sample")

echo "find_package: $frames_cmake frames; pkg-config: $frames_pc frames"
[[ "$frames_cmake" -gt 0 && "$frames_cmake" == "$frames_pc" ]]
