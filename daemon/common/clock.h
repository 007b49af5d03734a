#pragma once

// The one clock. Nothing else in the daemon reads the system time: every module gets a Clock&
// from app/ and asks it. Tests run the real daemon with a ManualClock they drive.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace rectify {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;

  // Called (from the thread that moved the clock) after a manual clock jumps, so that
  // timers sleeping on real time can re-arm. The system clock never calls it.
  virtual void OnJump(std::function<void()> listener) {}

  int64_t NowMicros() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(Now().time_since_epoch()).count();
  }
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// A clock that stands still until told to move. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : micros_(ToMicros(start)) {}
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(micros_.load())); }
  void Set(TimePoint t);
  void Advance(std::chrono::microseconds d) { Set(Now() + d); }
  void OnJump(std::function<void()> listener) override;

 private:
  static int64_t ToMicros(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  std::atomic<int64_t> micros_;
  std::mutex mu_;
  std::vector<std::function<void()>> listeners_;
};

}  // namespace rectify
