# 32-bit ARM Linux, hard float (Debian armhf: ARMv7-A, VFPv3-D16, Thumb-2) with
# g++-arm-linux-gnueabihf; tests under qemu-arm. 32-bit size_t and off_t
# arithmetic is what this target catches.
set(FRUGAL_CROSS_TRIPLE arm-linux-gnueabihf)
set(FRUGAL_CROSS_PROCESSOR armv7l)
set(FRUGAL_CROSS_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
