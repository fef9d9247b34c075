#!/usr/bin/env bash
# Size and stack report of a bare-metal build (preset `baremetal`), in
# Markdown, for docs/BAREMETAL.md:
#   scripts/baremetal-report.sh build/baremetal
# Fails when core, mem or mp4 call a double-precision soft-float helper
# (__aeabi_d*, __aeabi_*2d): the Cortex-M4F's FPU is single precision, so
# each double operation would be a library call.
set -euo pipefail
build=${1:?usage: baremetal-report.sh <build dir>}
libs=(core mem mp4)

echo "| library | text (bytes) | data (bytes) | bss (bytes) |"
echo "|---|---:|---:|---:|"
for lib in "${libs[@]}"; do
  arm-none-eabi-size -t "$build/src/libfrugal_$lib.a" |
    awk -v name="frugal_$lib" '/\(TOTALS\)/ { printf "| %s | %d | %d | %d |\n", name, $1, $2, $3 }'
done
demo=$build/platform/baremetal/demo/frugal_demo.elf
if [[ -f $demo ]]; then
  arm-none-eabi-size "$demo" |
    awk 'NR == 2 { printf "| demo image (with newlib, the sample: %d bytes of it) | %d | %d | %d |\n", '"$(stat -c %s "$(dirname "$0")/../samples/speech-chirp.opus.m4a")"', $1, $2, $3 }'
fi

echo
echo "Largest stack frames (-fstack-usage, bytes):"
echo
# .su lines: <file>:<line>:<column>:<function>\t<bytes>\t<static|dynamic|bounded>
find "$build/src" -name '*.su' -print0 | xargs -0 cat | sort -t$'\t' -k2,2nr |
  awk -F'\t' 'NR <= 8 { match($1, /^[^:]*:[0-9]+:[0-9]+:/)
                        file = substr($1, 1, RLENGTH - 1); sub(/:[0-9]+:[0-9]+$/, "", file); sub(/.*\/src\//, "src/", file)
                        printf "- %s bytes (%s): `%s` (%s)\n", $2, $3, substr($1, RLENGTH + 1), file }'

bad=0
for lib in "${libs[@]}"; do
  calls=$(arm-none-eabi-nm -u "$build/src/libfrugal_$lib.a" | awk '{print $2}' |
          grep -E '^__aeabi_(d[a-z0-9]+|[a-z0-9]+2d)$' | sort -u || true)
  if [[ -n $calls ]]; then
    echo "frugal_$lib calls double-precision helpers: $calls" >&2
    bad=1
  fi
done
exit $bad
