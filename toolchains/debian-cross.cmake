# Shared by the Debian cross toolchains: set FRUGAL_CROSS_TRIPLE (GNU triplet,
# e.g. arm-linux-gnueabihf), FRUGAL_CROSS_PROCESSOR and FRUGAL_CROSS_QEMU
# (qemu-user binary), then include this file.
# Needs: g++-<triple> and qemu-user; the target's libraries as Debian
# multiarch packages (libopus-dev:<arch>, libflac-dev:<arch>,
# libgtest-dev:<arch>), which also install the target's dynamic loader in /lib,
# so qemu-user runs the programs without a -L sysroot.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${FRUGAL_CROSS_PROCESSOR})
set(CMAKE_C_COMPILER ${FRUGAL_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${FRUGAL_CROSS_TRIPLE}-g++)
# Multiarch: CMake finds the target's libraries and CMake packages in
# /usr/lib/<triple> by itself; pkg-config must look only there.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${FRUGAL_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
# ctest (and gtest_discover_tests) run the target's programs through qemu-user.
find_program(FRUGAL_CROSS_EMULATOR ${FRUGAL_CROSS_QEMU} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${FRUGAL_CROSS_EMULATOR})
