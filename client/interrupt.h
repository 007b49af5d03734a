#pragma once

// Turns SIGINT/SIGTERM into a callback on an ordinary thread, so `watch` can TryCancel its
// gRPC context (not async-signal-safe, so never from the handler itself).
//
// Lifecycle: construct before the stream starts, destroy after it ended. While it lives, the
// first SIGINT or SIGTERM runs `on_interrupt` once on the watcher thread; the handler is
// installed with SA_RESETHAND, so a second Ctrl-C kills the process the usual way. The
// destructor stops the thread and restores the previous handlers. One instance at a time.

#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace rectify::client {

class InterruptWatcher {
 public:
  explicit InterruptWatcher(std::function<void()> on_interrupt);
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  bool interrupted() const { return interrupted_.load(); }

 private:
  void Run();

  std::function<void()> on_interrupt_;
  std::atomic<bool> interrupted_{false};
  int pipe_[2] = {-1, -1};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
  std::thread thread_;
};

}  // namespace rectify::client
