#include <frugal/mem/os_pressure.hpp>

#include <atomic>
#include <thread>

namespace frugal::mem {

struct DispatchThread::Impl {
  MemoryTracker& tracker;
  std::atomic<bool> stop{false};
  std::thread thread;

  explicit Impl(MemoryTracker& t) : tracker(t) {
    thread = std::thread([this] {
      while (!stop.load()) {
        tracker.dispatch();
        tracker.wait_for_work(1000);
      }
    });
  }
  ~Impl() {
    stop.store(true);
    tracker.wake();
    thread.join();
  }
};

DispatchThread::DispatchThread(MemoryTracker& tracker) : impl_(std::make_unique<Impl>(tracker)) {}
DispatchThread::~DispatchThread() = default;

}  // namespace frugal::mem
