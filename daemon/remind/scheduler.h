#pragma once

// The reminder scheduler and the delivery worker.
//
// Scheduler thread: reads the head of the due index, sleeps until then on the engine's clock
// (woken early when a commit may have put an earlier entry there, or when a test clock jumps),
// and submits a run to the engine, the same run RunReminders submits: the engine's single
// writer serialises the two, and fired reminders are recorded with their dedupe keys in the
// same batch, so a run from cron and the scheduler can never send anything twice.
//
// Delivery thread: takes outbox entries whose next attempt is due, sends each through
// notify::Sender (blocking, with a per-attempt timeout), and records the outcome through the
// engine: SENT only after the receiver accepted it; a crash in between re-sends with the same
// idempotency key. Retries back off exponentially per delivery; 4xx and rejected payloads are
// final (DEAD, visible in ListReminders).

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "engine/engine.h"
#include "notify/notify.h"

namespace rectify::remind {

struct RemindOptions {
  bool scheduler = true;  // run the internal scheduler (deliveries always run)
  std::chrono::milliseconds max_sleep{1000};  // real time; bounds clock drift and jumps
  uint32_t max_attempts = 12;
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{600000};
  std::vector<notify::ChannelConfig> channels;
  // Observer (metrics): channel and "sent" | "retry" | "dead", on the delivery thread.
  std::function<void(std::string_view channel, std::string_view outcome)> on_delivery_attempt;
};

// The engine's router: which channels and recipients a reminder goes to.
engine::Router MakeRouter(const std::vector<config::Channel>& channels,
                          const std::vector<config::Principal>& principals);
// config -> notify, for the delivery worker.
std::vector<notify::ChannelConfig> ToChannelConfigs(const std::vector<config::Channel>& channels);

class Scheduler {
 public:
  Scheduler(engine::Engine& engine, Clock& clock, RemindOptions options);
  ~Scheduler();
  void Start();
  void Stop();  // finishes the attempt in flight, then stops both threads
  void Wake();  // the clock moved (or anything else): both loops look again
  // A commit wrote a reminder due time or a pending delivery: the loop sleeping past it wakes.
  void Hint(const engine::ScheduleHint& hint);
  // SIGHUP: deliveries from now on use these; one naming a channel no longer configured is
  // dead, with that reason, and stays visible in ListReminders.
  void SetChannels(const std::vector<notify::ChannelConfig>& channels);

 private:
  // Each loop (reminder runs, deliveries) sleeps until its own head. While it is awake (from
  // Stopping to SleepUntil) every hint counts, since it may have read its head before the
  // commit that hinted; while it sleeps, only a hint earlier than what it sleeps until.
  struct Loop {
    int64_t until_us = INT64_MAX;
    uint64_t wakes = 0;
  };
  bool Stopping(Loop& loop, uint64_t* seen_wakes);  // and the wake count to sleep against
  void RunLoop();
  void DeliveryLoop();
  void Deliver(const v1::Delivery& d);
  // Sleeps up to `until` on the engine clock (bounded by max_sleep real time) or until woken.
  void SleepUntil(Loop& loop, std::optional<int64_t> until_us, uint64_t seen_wakes);
  static void HintLocked(Loop& loop, std::optional<int64_t> at_us, bool* woke);

  engine::Engine& engine_;
  Clock& clock_;
  const RemindOptions options_;
  std::map<std::string, notify::ChannelConfig> channels_;  // guarded by mu_
  notify::Sender sender_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  Loop run_, delivery_;  // guarded by mu_
  std::thread run_thread_, delivery_thread_;
};

}  // namespace rectify::remind
