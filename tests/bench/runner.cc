#include "runner.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace rectify::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct SlotStats {
  std::vector<float> latency_ms;
  uint64_t errors = 0;
  std::map<int, uint64_t> codes;
  std::string first_error;

  void Record(const grpc::Status& st, Clock::duration took) {
    if (st.ok()) {
      latency_ms.push_back(std::chrono::duration<float, std::milli>(took).count());
      return;
    }
    ++errors;
    ++codes[st.error_code()];
    if (first_error.empty()) {
      first_error = "code " + std::to_string(st.error_code()) + ": " + st.error_message();
    }
  }
};

RunResult Merge(std::vector<SlotStats>& slots, double seconds) {
  RunResult r;
  r.seconds = seconds;
  for (auto& s : slots) {
    r.latency_ms.insert(r.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
    r.errors += s.errors;
    for (auto [code, n] : s.codes) r.codes[code] += n;
    if (r.first_error.empty()) r.first_error = s.first_error;
  }
  std::sort(r.latency_ms.begin(), r.latency_ms.end());
  r.ok = r.latency_ms.size();
  return r;
}

// Calls the window's hooks at its edges.
std::thread Hooks(const Window& w, Clock::time_point from, Clock::time_point to) {
  return std::thread([&w, from, to] {
    std::this_thread::sleep_until(from);
    if (w.at_start) w.at_start();
    std::this_thread::sleep_until(to);
    if (w.at_end) w.at_end();
  });
}

}  // namespace

double RunResult::Percentile(double q) const {
  if (latency_ms.empty()) return 0;
  size_t i = static_cast<size_t>(std::ceil(q * latency_ms.size()));
  i = std::clamp<size_t>(i, 1, latency_ms.size());
  return latency_ms[i - 1];
}

RunResult RunClosedLoop(int concurrency, const Window& window, const Issue& issue) {
  struct Loop {
    const Issue* issue;
    Clock::time_point from, to;
    std::vector<SlotStats> slots;
    std::mutex mu;
    std::condition_variable cv;
    int running = 0;

    void Kick(int s) {
      const auto t0 = Clock::now();
      (*issue)(s, [this, s, t0](const grpc::Status& st) {
        const auto t1 = Clock::now();
        if (t0 >= from && t1 <= to) slots[s].Record(st, t1 - t0);
        if (t1 < to) return Kick(s);
        std::lock_guard lock(mu);
        if (--running == 0) cv.notify_all();
      });
    }
  } loop;
  loop.issue = &issue;
  loop.from = Clock::now() + window.warmup;
  loop.to = loop.from + window.measure;
  loop.slots.resize(concurrency);
  loop.running = concurrency;
  std::thread hooks = Hooks(window, loop.from, loop.to);
  for (int s = 0; s < concurrency; ++s) loop.Kick(s);
  hooks.join();
  {
    std::unique_lock lock(loop.mu);
    loop.cv.wait(lock, [&] { return loop.running == 0; });
  }
  return Merge(loop.slots, std::chrono::duration<double>(window.measure).count());
}

RunResult RunPaced(int slots, double rate, const Window& window, const Issue& issue) {
  struct Paced {
    const Issue* issue;
    Clock::time_point from, to;
    std::vector<SlotStats> stats;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<int> free;
    std::deque<Clock::time_point> backlog;  // scheduled starts waiting for a slot
    uint64_t backlog_max = 0;
    int outstanding = 0;

    void Launch(int s, Clock::time_point scheduled) {
      (*issue)(s, [this, s, scheduled](const grpc::Status& st) {
        const auto t1 = Clock::now();
        if (scheduled >= from && t1 <= to) stats[s].Record(st, t1 - scheduled);
        std::unique_lock lock(mu);
        if (!backlog.empty() && t1 < to) {
          const auto next = backlog.front();
          backlog.pop_front();
          lock.unlock();
          return Launch(s, next);
        }
        free.push_back(s);
        --outstanding;
        cv.notify_all();
      });
    }
  } p;
  p.issue = &issue;
  const auto start = Clock::now();
  p.from = start + window.warmup;
  p.to = p.from + window.measure;
  p.stats.resize(slots);
  for (int s = slots - 1; s >= 0; --s) p.free.push_back(s);
  std::thread hooks = Hooks(window, p.from, p.to);
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  for (uint64_t k = 0;; ++k) {
    const auto t = start + std::chrono::duration_cast<Clock::duration>(interval * k);
    if (t >= p.to) break;
    std::this_thread::sleep_until(t);
    std::unique_lock lock(p.mu);
    if (p.free.empty()) {
      p.backlog.push_back(t);
      p.backlog_max = std::max<uint64_t>(p.backlog_max, p.backlog.size());
      continue;
    }
    const int s = p.free.back();
    p.free.pop_back();
    ++p.outstanding;
    lock.unlock();
    p.Launch(s, t);
  }
  hooks.join();
  uint64_t not_started = 0;
  {
    std::unique_lock lock(p.mu);
    p.cv.wait(lock, [&] { return p.outstanding == 0; });
    not_started = p.backlog.size();
  }
  RunResult r = Merge(p.stats, std::chrono::duration<double>(window.measure).count());
  r.backlog_max = p.backlog_max;
  r.not_started = not_started;
  return r;
}

}  // namespace rectify::bench
