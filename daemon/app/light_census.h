#pragma once

// The light census behind /metrics' rectify_items_by_light, kept off the scrape.
//
// Lights are derived from today's date, never stored, so a census reads every open item: at
// 1,000,000 items that was 4.8 s of one core, on the scrape thread, once a minute. It held the
// scrape for as long and took a core from the requests beside it. Now a scrape only asks for a
// census (Request) and shows the counts of the last one. A thread at SCHED_IDLE (it runs when
// nothing else wants the CPU) takes the census when it was asked for and something that moves
// a light changed since the last one: the revision, today's date, or the calendar (Invalidate,
// on SIGHUP). A census starts no sooner than ten times the last one's length after it ended,
// so the census thread is busy at most about a tenth of the time; a small ledger's counts follow
// within a fraction of a second.
//
// Threads: Request and Invalidate from any thread; Stop (or the destructor) once, from the
// thread that called Start.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "http/metrics.h"

namespace rectify {

class LightCensusRefresher {
 public:
  LightCensusRefresher(engine::Engine& engine, http::Metrics& metrics);
  ~LightCensusRefresher();
  LightCensusRefresher(const LightCensusRefresher&) = delete;
  LightCensusRefresher& operator=(const LightCensusRefresher&) = delete;

  void Start();
  // A scrape wants fresh counts; it does not wait for them.
  void Request();
  // The calendar changed: the next census cannot be skipped.
  void Invalidate();
  // Cancels a census in progress and joins the thread.
  void Stop();

 private:
  void Loop();

  engine::Engine& engine_;
  http::Metrics& metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  std::atomic<uint64_t> generation_{0};  // bumped by Invalidate
  std::thread thread_;
};

}  // namespace rectify
