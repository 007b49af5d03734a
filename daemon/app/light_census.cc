#include "light_census.h"

#include <pthread.h>
#include <sched.h>

#include <optional>

#include "common/logging.h"
#include "common/thread_name.h"
#include "domain/lights.h"

namespace rectify {

LightCensusRefresher::LightCensusRefresher(engine::Engine& engine, http::Metrics& metrics)
    : engine_(engine), metrics_(metrics) {}

LightCensusRefresher::~LightCensusRefresher() { Stop(); }

void LightCensusRefresher::Start() {
  thread_ = std::thread([this] {
    SetThreadName("rfy-census");
    sched_param idle{};
    if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle) != 0) {
      Logger("app")->warn("light census thread stays at normal CPU priority");
    }
    Loop();
  });
}

void LightCensusRefresher::Request() {
  {
    std::lock_guard lock(mu_);
    requested_ = true;
  }
  cv_.notify_one();
}

void LightCensusRefresher::Invalidate() {
  generation_.fetch_add(1);
  Request();
}

void LightCensusRefresher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LightCensusRefresher::Loop() {
  using Clock = std::chrono::steady_clock;
  // What the last census saw; a census is skipped while none of it moved.
  struct Seen {
    uint64_t revision;
    date::year_month_day today;
    uint64_t generation;
    bool operator==(const Seen&) const = default;
  };
  std::optional<Seen> last;
  Clock::time_point next_allowed = Clock::now();
  while (true) {
    {
      // Wait for a request, then out the gap after the last census (a tenth of the time); a
      // request that arrives meanwhile is served by the census that follows.
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || requested_; });
      if (cv_.wait_until(lock, next_allowed, [&] { return stopping_; })) return;
      requested_ = false;
    }
    const Seen now{engine_.committed_revision(), engine_.Today(), generation_.load()};
    if (last && *last == now) continue;
    const auto started = Clock::now();
    auto census = engine_.CountLights(&cancel_);
    const auto took = Clock::now() - started;
    if (!census.ok()) {
      if (cancel_) return;
      Logger("app")->warn("light census failed: {}", census.status().message());
      next_allowed = Clock::now() + std::max<Clock::duration>(10 * took, std::chrono::seconds(1));
      continue;
    }
    for (const auto& [light, n] : census->counts) {
      metrics_.SetItemsByLight(domain::LightName(light), n);
    }
    // What the census read, not what was seen before it: commits in between are not counted.
    last = Seen{census->revision, census->today, now.generation};
    next_allowed = Clock::now() + 10 * took;
  }
}

}  // namespace rectify
