#pragma once

// Fan-out of committed events to Watch subscribers, with catch-up from the event log.
//
// Guarantees (DESIGN.md "Watch guarantees"): ordered, unique, reliable within retained history,
// atomic (one revision = one event, never split), resumable (start_revision inclusive), and
// bookmarkable (a progress response at R means every matching event <= R was sent).
//
// How: each Stream has a position `pos` — every event with revision <= pos has been queued,
// sent or filtered out. A stream is either *synced* (Publish appends matching events to its
// bounded queue) or *catching up* (it reads the event log from pos+1 on the hub's thread, in
// chunks, and only after its queue drained). A synced stream whose queue overflows drops back to
// catching up without losing anything: pos stays at the last event it accepted. A catching-up
// stream becomes synced under the hub lock once pos has reached the last published revision,
// so no event can fall between the two modes. Memory per stream is bounded by its queue.
//
// Threads: Publish runs on the caller's thread, PublishAsync posts it to the hub thread (the
// daemon uses that, so fan-out never holds up the commit pipeline); OnWriteDone/Cancel on gRPC threads;
// catch-up reads, progress notifications and slow-stream checks on the hub's own thread
// (a Boost.Asio io_context). Lock order: hub mutex, then a stream's mutex. Sinks are called
// with no lock held.

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "domain/watch_filter.h"
#include "rectify/v1/rectify.pb.h"
#include "store/store.h"

namespace rectify::watch {

struct HubOptions {
  size_t queue_events = 1024;           // per-stream queue bound (events)
  size_t events_per_response = 128;     // batching of a response
  size_t catchup_chunk = 512;           // events read from the log per step
  std::chrono::milliseconds progress_interval{5000};
  std::chrono::milliseconds slow_timeout{60000};  // a write blocked this long ends the stream
  // Event log retention: the newest retention_count events are kept, and none older than
  // retention_age (0 = no limit). Item history is never compacted.
  uint64_t retention_count = 1000000;
  std::chrono::seconds retention_age{7 * 24 * 3600};
  std::chrono::milliseconds compaction_interval{10000};
};

// Where a stream's responses go: the gRPC reactor in rpc/. At most one write is outstanding;
// the sink calls Stream::OnWriteDone when it completes. Finish is called at most once.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Write(const v1::WatchResponse* response) = 0;
  // `resume_from` is the start_revision that continues without a gap or a repeat (for
  // OUT_OF_RANGE: the compact revision).
  virtual void Finish(const Status& status, uint64_t resume_from) = 0;
};

class Hub;

// Which items the subscriber may see (the caller's units, from the rpc layer); null = all.
// Must be cheap and thread-safe: it runs on the hub thread for every event.
using Visibility = std::function<bool(const v1::Item&)>;

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(Hub* hub, const v1::WatchRequest& req, Sink* sink, Visibility visible = nullptr);
  void OnWriteDone(bool ok);  // gRPC thread
  void Cancel();              // the client went away or cancelled: stop, finish
  void Detach();              // the sink is gone (reactor OnDone): never call it again
  bool Matches(const v1::Event& e) const;
  uint64_t position() const;

 private:
  friend class Hub;
  using EventPtr = std::shared_ptr<const v1::Event>;
  // Starts the next write or catch-up step if none is running. Takes the stream lock.
  void Pump();
  void ReleaseInflight();            // gives borrowed events back (stream lock held)
  // Writes response_ (writing_ already set): calls the sink without the lock, then delivers a
  // Finish that arrived meanwhile, so a sink never sees Write after Finish. Returns unlocked.
  void StartWriteLocked(std::unique_lock<std::mutex>& lock);
  uint64_t ResumeFromLocked() const;  // the start_revision that resumes without a gap
  // Every event <= this is queued, sent or filtered out. A synced stream's pos_ moves only
  // when a publish concerns it (see Hub's index); everything the hub has fanned out is
  // accounted for too, since the publishes that passed it over held nothing for it.
  uint64_t PositionLocked() const;
  // Ends the stream once. `resume` defaults to the revision that resumes without a gap (for
  // OUT_OF_RANGE it is the compact revision).
  void FinishLocked(std::unique_lock<std::mutex>& lock, const Status& st,
                    std::optional<uint64_t> resume = std::nullopt);

  Hub* hub_;
  uint64_t stamp_ = 0;  // the last publish that took this stream as a candidate (hub lock)
  // Filters: immutable after construction.
  domain::WatchFilter filter_;
  bool progress_notify_;
  Visibility visible_;

  mutable std::mutex mu_;
  uint64_t pos_ = 0;         // see PositionLocked
  uint64_t sent_ = 0;        // the revision the subscriber has been sent up to
  bool synced_ = false;
  bool catchup_scheduled_ = false;
  bool writing_ = false;
  bool finished_ = false;
  bool in_write_call_ = false;  // a thread is inside sink_->Write
  struct DeferredFinish {
    Status status;
    uint64_t resume;
  };
  std::optional<DeferredFinish> deferred_finish_;
  std::deque<EventPtr> queue_;
  std::vector<EventPtr> inflight_;  // borrowed by response_ while it is written
  v1::WatchResponse response_;      // the one in flight
  std::chrono::steady_clock::time_point write_started_;
  Sink* sink_;
};

class Hub {
 public:
  Hub(store::Store& store, const Clock& clock, HubOptions options);
  ~Hub();

  void Start(uint64_t committed_revision);
  // Ends every stream with UNAVAILABLE and the revision to resume from; refuses new ones.
  void Stop();

  // A stream for a validated request, not yet running: the caller keeps it where the sink's
  // callbacks can find it, then calls Begin. Nothing is written to the sink before Begin.
  std::shared_ptr<Stream> NewStream(const v1::WatchRequest& req, Sink* sink,
                                    Visibility visible = nullptr);
  // Registers the stream and starts it (catch-up or the first progress response). If the hub
  // is stopped the sink is finished at once.
  void Begin(const std::shared_ptr<Stream>& s, uint64_t start_revision);
  // Every committed group, in revision order. Publish fans out on the calling thread;
  // PublishAsync (the engine's listener: it must not hold up the writer) on the hub thread.
  void Publish(const std::vector<v1::Event>& events);
  // Keeps `events` (no copy): every stream's queue points into it.
  void PublishAsync(std::shared_ptr<const std::vector<v1::Event>> events);

  size_t stream_count() const;
  uint64_t max_lag() const;  // the most revisions any stream is behind the last published
  uint64_t last_published() const { return last_published_.load(); }
  const HubOptions& options() const { return options_; }

 private:
  friend class Stream;
  void PublishShared(const std::vector<std::shared_ptr<const v1::Event>>& events);
  void ScheduleCatchup(std::shared_ptr<Stream> s);
  void CatchupStep(const std::shared_ptr<Stream>& s);
  void ScheduleTick();
  void Tick();     // progress notifications, slow-stream checks, compaction
  void Compact();  // drops events past retention, one bounded step
  void Remove(Stream* s);
  void Index(Stream* s);    // hub lock held
  void Unindex(Stream* s);  // hub lock held

  store::Store& store_;
  const Clock& clock_;
  const HubOptions options_;
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Stream>> streams_;
  // Where a publish looks for the streams an event may concern, so that its cost follows the
  // streams that care rather than all of them (etcd's watcher groups): a stream filtered by
  // item ids under each id; else, one filtered by units under each unit; the rest unindexed.
  // Every stream in streams_ is in exactly one of these (raw pointers: streams_ owns them,
  // and both change together under mu_).
  std::unordered_map<std::string, std::vector<Stream*>> by_item_, by_unit_;
  std::vector<Stream*> unindexed_;
  uint64_t publish_stamp_ = 0;
  std::atomic<uint64_t> last_published_{0};
  // The last revision whose fan-out is complete: set under mu_ after every candidate of a
  // publish has taken its events (Stream::PositionLocked reads it without mu_).
  std::atomic<uint64_t> fanned_out_{0};
  bool stopped_ = false;
  std::chrono::steady_clock::time_point last_progress_{}, last_compaction_{};

  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
};

}  // namespace rectify::watch
