#pragma once

// The daemon's metrics, exposed by http::Server as Prometheus text (exposition format 0.0.4).
//
// Who calls what: app/ owns one Metrics and hands the recording calls to the other modules as
// hooks (http/ sits beside rpc/ in the dependency order, so engine/, watch/ and remind/ never
// include this header). Event calls (RpcDone, GroupCommitted, ReminderFired, DeliveryAttempt)
// are made where the event happens; Set* gauges are refreshed by the Server's `collect`
// callback just before each scrape.
//
// Threads: every method is safe from any thread. The hot-path calls take no lock once a label
// combination has been seen (a shared lock on the label cache, then prometheus-cpp's atomic
// counter or its per-histogram mutex) and allocate nothing. Label values must come from small
// fixed sets (method names, status code names, channel names from the config, enum names):
// every distinct value is a new time series that lives for the life of the process.
//
// No exceptions leave this class: a metric that cannot be recorded (out of memory) is skipped.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/store_stats.h"

namespace rectify::http {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // --- events -----------------------------------------------------------------------------
  // One finished RPC: `method` as in the proto ("CreateItem"), `code` the status name
  // (CodeName(): "OK", "NOT_FOUND", ...), `seconds` from receipt to Finish.
  void RpcDone(std::string_view method, std::string_view code, double seconds);
  // One group commit written: how many mutations it held and how long the synced write took.
  void GroupCommitted(size_t mutations, double fsync_seconds);
  // A group commit the store refused (nothing of it was written).
  void GroupCommitFailed();
  // A reminder fired by a run (`kind`: "BEFORE_DEADLINE", "OVERDUE", ...).
  void ReminderFired(std::string_view kind);
  // One delivery attempt through a configured channel; `outcome` is "sent", "retry" (a failure
  // that will be retried) or "dead" (a final failure). Failures are outcome != "sent".
  void DeliveryAttempt(std::string_view channel, std::string_view outcome);

  // --- gauges (refreshed from `collect`) ---------------------------------------------------
  void SetRevision(uint64_t revision);
  void SetItemsByState(std::string_view state, uint64_t n);
  void SetItemsByLight(std::string_view light, uint64_t n);
  void SetWatchers(size_t n);
  // The largest (last published revision - revision sent) over all watch streams.
  void SetWatcherMaxLag(uint64_t revisions);
  // Deliveries in the outbox by state ("PENDING", "SENT", "DEAD", "NO_ADDRESS").
  void SetRemindersByState(std::string_view state, uint64_t n);
  // Outbox entries not yet sent, and the age of the oldest of them (0 when none).
  void SetOutbox(uint64_t pending, double oldest_age_seconds);

  // The rectify_store_* series. Counters follow the store's totals (never backwards).
  void SetStore(const StoreStats& store);

  // Every metric in the Prometheus text exposition format 0.0.4.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rectify::http
