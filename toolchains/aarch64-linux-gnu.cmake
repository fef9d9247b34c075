# 64-bit ARM Linux (Debian arm64) with g++-aarch64-linux-gnu; tests under qemu-aarch64.
set(FRUGAL_CROSS_TRIPLE aarch64-linux-gnu)
set(FRUGAL_CROSS_PROCESSOR aarch64)
set(FRUGAL_CROSS_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
