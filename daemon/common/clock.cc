#include "common/clock.h"

namespace rectify {

void ManualClock::Set(TimePoint t) {
  micros_.store(ToMicros(t));
  std::vector<std::function<void()>> listeners;
  {
    std::lock_guard lock(mu_);
    listeners = listeners_;
  }
  for (auto& l : listeners) l();
}

void ManualClock::OnJump(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

}  // namespace rectify
