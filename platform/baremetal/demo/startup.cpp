// Reset and vector table for the demo on an MPS2-AN386 (Cortex-M4) under
// qemu-system-arm, which loads every segment of the ELF where it is linked
// (mps2_an386.ld), so nothing is copied from flash. Output and exit go
// through semihosting (newlib's librdimon). The stack is painted before
// the demo runs and scanned after it: the deepest word the demo wrote is the demo's
// measured worst stack depth.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" {
extern std::uint32_t __bss_start__[];
extern std::uint32_t __bss_end__[];
extern std::uint32_t __stack_top[];
void initialise_monitor_handles(void);
void __libc_init_array(void);
void* sbrk(std::ptrdiff_t increment);
int frugal_demo_main(void);

// What crti/crtbegin would give (linked -nostartfiles, without newlib's
// crt0): the static-destructor registry handle and empty _init/_fini.
void* __dso_handle = nullptr;
void _init(void) {}
void _fini(void) {}

constexpr std::uint32_t kPaint = 0xC0FFEE42u;

// Paints from the heap's start to just below this frame (the stack is empty
// bar the reset handler's own frame).
__attribute__((noinline)) void paint_stack(void) {
  const auto below = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0)) - 64;
  for (std::uint32_t* p = __bss_end__; reinterpret_cast<std::uintptr_t>(p) < below; ++p) *p = kPaint;
}

// Bytes between the stack's top and the deepest word written since
// paint_stack(), scanning up from the heap's end (newlib's sbrk(0)).
std::uint32_t stack_used(void) {
  auto* p = static_cast<std::uint32_t*>(sbrk(0));
  while (p < __stack_top && *p == kPaint) ++p;
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(__stack_top) -
                                    reinterpret_cast<std::uintptr_t>(p));
}

[[noreturn]] void frugal_demo_reset(void) {
  for (std::uint32_t* p = __bss_start__; p < __bss_end__; ++p) *p = 0;
  paint_stack();
  // Cortex-M4F: full access to the FPU (CP10, CP11) before any float code.
  volatile std::uint32_t& cpacr = *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88u);
  cpacr = cpacr | (0xFu << 20);
  __asm volatile("dsb\n\tisb" ::: "memory");  // the access change takes effect before any FP instruction
  initialise_monitor_handles();
  __libc_init_array();
  const int status = frugal_demo_main();
  std::printf("stack high-water: %lu bytes\n", static_cast<unsigned long>(stack_used()));
  std::exit(status);
}

[[noreturn]] void frugal_demo_fault(void) {
  std::_Exit(3);
}

// Initial stack pointer, reset, NMI, hard fault.
using Vector = void (*)(void);
__attribute__((section(".vectors"), used)) const Vector frugal_demo_vectors[4] = {
    reinterpret_cast<Vector>(__stack_top), frugal_demo_reset, frugal_demo_fault, frugal_demo_fault};
}
