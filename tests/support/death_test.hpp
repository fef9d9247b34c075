#pragma once
// The death-test style for tests whose child must not inherit the parent's
// threads or state: "threadsafe" re-executes the test binary. Under
// qemu-user (cross builds) the host cannot execute the ARM binary again, so
// those children are forked only ("fast").

namespace frugal::test {

#ifdef FRUGAL_TEST_UNDER_EMULATOR
inline constexpr const char* kIsolatedDeathTestStyle = "fast";
#else
inline constexpr const char* kIsolatedDeathTestStyle = "threadsafe";
#endif

}  // namespace frugal::test
