# Bare-metal Cortex-M4F (ARMv7E-M, Thumb-2, single-precision FPU) with Debian's
# gcc-arm-none-eabi and newlib (libnewlib-arm-none-eabi,
# libstdc++-arm-none-eabi-newlib). Builds the portable modules (core, mem,
# mp4) as static libraries with FRUGAL_PLATFORM=baremetal: no threads, no
# filesystem; sources are core::MemorySource or the embedder's ByteSource.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# No OS to link a test program against while CMake probes the compiler.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# -fstack-usage: a .su file per object, summed up in docs/BAREMETAL.md.
set(CMAKE_CXX_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -ffunction-sections -fdata-sections -fstack-usage")
set(CMAKE_C_FLAGS_INIT "${CMAKE_CXX_FLAGS_INIT}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
