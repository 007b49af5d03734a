#include "watch/hub.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "common/logging.h"
#include "common/thread_name.h"

namespace rectify::watch {

// ------------------------------------------------------------------------------------------
// Stream

Stream::Stream(Hub* hub, const v1::WatchRequest& req, Sink* sink, Visibility visible)
    : hub_(hub),
      filter_(req),
      progress_notify_(req.progress_notify()),
      visible_(std::move(visible)),
      sink_(sink) {}

bool Stream::Matches(const v1::Event& e) const {
  // The cheap request filter first: visibility may look at the caller's units.
  return filter_.Matches(e) && (!visible_ || visible_(e.item()));
}

uint64_t Stream::position() const {
  std::lock_guard lock(mu_);
  return PositionLocked();
}

uint64_t Stream::PositionLocked() const {
  return synced_ ? std::max(pos_, hub_->fanned_out_.load()) : pos_;
}

void Stream::Pump() {
  std::unique_lock lock(mu_);
  if (finished_ || writing_ || sink_ == nullptr) return;
  if (!queue_.empty()) {
    // Events are shared between streams: the response borrows them and gives them back in
    // OnWriteDone, so fan-out costs no copies.
    response_.Clear();
    auto* events = response_.mutable_events();
    while (!queue_.empty() && static_cast<size_t>(events->size()) <
                                  hub_->options_.events_per_response) {
      events->UnsafeArenaAddAllocated(const_cast<v1::Event*>(queue_.front().get()));
      inflight_.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    response_.set_revision(events->rbegin()->revision());
    writing_ = true;
    StartWriteLocked(lock);
    return;
  }
  if (!synced_ && !catchup_scheduled_) {
    catchup_scheduled_ = true;
    lock.unlock();
    hub_->ScheduleCatchup(shared_from_this());
  }
}

void Stream::StartWriteLocked(std::unique_lock<std::mutex>& lock) {
  write_started_ = std::chrono::steady_clock::now();
  in_write_call_ = true;
  Sink* sink = sink_;
  lock.unlock();
  sink->Write(&response_);
  lock.lock();
  in_write_call_ = false;
  std::optional<DeferredFinish> finish = std::move(deferred_finish_);
  deferred_finish_.reset();
  sink = sink_;
  lock.unlock();
  if (finish) {
    if (sink != nullptr) sink->Finish(finish->status, finish->resume);
    hub_->Remove(this);
  }
}

void Stream::ReleaseInflight() {
  auto* events = response_.mutable_events();
  events->UnsafeArenaExtractSubrange(0, events->size(), nullptr);
  inflight_.clear();
}

void Stream::OnWriteDone(bool ok) {
  {
    std::unique_lock lock(mu_);
    writing_ = false;
    const uint64_t rev = response_.revision();
    ReleaseInflight();
    if (!ok) {
      FinishLocked(lock, Status(Code::kCancelled, "the subscriber went away"));
      return;
    }
    sent_ = rev;
  }
  Pump();
}

void Stream::Cancel() {
  std::unique_lock lock(mu_);
  FinishLocked(lock, Status(Code::kCancelled, "watch cancelled by the client"));
}

void Stream::Detach() {
  {
    std::lock_guard lock(mu_);
    sink_ = nullptr;
    finished_ = true;
    if (!writing_) ReleaseInflight();
  }
  hub_->Remove(this);
}

uint64_t Stream::ResumeFromLocked() const {
  // Everything <= pos_ is accounted for. With nothing queued it has all been delivered or is
  // in the response being written, which gRPC delivers before any status.
  if (queue_.empty()) return PositionLocked() + 1;
  return (writing_ ? response_.revision() : sent_) + 1;
}

void Stream::FinishLocked(std::unique_lock<std::mutex>& lock, const Status& st,
                          std::optional<uint64_t> resume_override) {
  if (finished_) return;
  finished_ = true;
  const uint64_t resume = resume_override.value_or(ResumeFromLocked());
  queue_.clear();
  if (in_write_call_) {
    // Another thread is handing a write to the sink right now: it delivers this Finish after.
    deferred_finish_ = DeferredFinish{st, resume};
    return;
  }
  Sink* sink = sink_;
  lock.unlock();
  if (sink != nullptr) sink->Finish(st, resume);
  hub_->Remove(this);
}

// ------------------------------------------------------------------------------------------
// Hub

Hub::Hub(store::Store& store, const Clock& clock, HubOptions options)
    : store_(store), clock_(clock), options_(options) {}

Hub::~Hub() { Stop(); }

void Hub::Start(uint64_t committed_revision) {
  last_published_ = committed_revision;
  fanned_out_ = committed_revision;
  work_ = std::make_unique<decltype(work_)::element_type>(io_.get_executor());
  timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  ScheduleTick();
  thread_ = std::thread([this] {
    SetThreadName("rfy-watch-hub");
    io_.run();
  });
}

void Hub::Stop() {
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    streams = streams_;
  }
  for (auto& s : streams) {
    std::unique_lock lock(s->mu_);
    const uint64_t resume = s->ResumeFromLocked();
    if (s->finished_) continue;
    s->FinishLocked(lock, Unavailable("rectifyd is shutting down; resume with start_revision=" +
                                      std::to_string(resume)));
  }
  if (thread_.joinable()) {
    boost::asio::post(io_, [this] { timer_->cancel(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }
}

size_t Hub::stream_count() const {
  std::lock_guard lock(mu_);
  return streams_.size();
}

uint64_t Hub::max_lag() const {
  std::lock_guard lock(mu_);
  uint64_t lag = 0;
  const uint64_t head = last_published_;
  for (const auto& s : streams_) {
    std::lock_guard slock(s->mu_);
    // Nothing queued or in flight: it has everything up to its position.
    const uint64_t at = s->queue_.empty() && !s->writing_ ? s->PositionLocked() : s->sent_;
    if (head > at) lag = std::max(lag, head - at);
  }
  return lag;
}

std::shared_ptr<Stream> Hub::NewStream(const v1::WatchRequest& req, Sink* sink,
                                       Visibility visible) {
  return std::make_shared<Stream>(this, req, sink, std::move(visible));
}

void Hub::Begin(const std::shared_ptr<Stream>& s, uint64_t start_revision) {
  bool stopped;
  {
    std::lock_guard lock(mu_);
    stopped = stopped_;
    if (!stopped) {
      std::unique_lock slock(s->mu_);
      if (start_revision == 0) {
        s->pos_ = last_published_;
        s->synced_ = true;
      } else {
        s->pos_ = start_revision - 1;
        s->synced_ = false;  // catch up from the log (which checks compaction first)
      }
      s->sent_ = s->pos_;
      streams_.push_back(s);
      Index(s.get());
    }
  }
  if (stopped) {
    // Not under the hub lock: finishing removes the stream, which takes it.
    std::unique_lock slock(s->mu_);
    s->FinishLocked(slock, Unavailable("rectifyd is shutting down"), start_revision);
    return;
  }
  // A live stream learns at once where it stands (a progress response), so a client can tell
  // "connected and idle" from "not connected".
  std::unique_lock slock(s->mu_);
  if (s->synced_ && !s->writing_ && !s->finished_ && s->queue_.empty() && s->sink_ != nullptr) {
    s->response_.Clear();
    s->response_.set_revision(s->PositionLocked());
    s->writing_ = true;
    s->StartWriteLocked(slock);
    return;
  }
  slock.unlock();
  s->Pump();
}

namespace {
std::vector<std::shared_ptr<const v1::Event>> Share(const std::vector<v1::Event>& events) {
  std::vector<std::shared_ptr<const v1::Event>> shared;
  shared.reserve(events.size());
  for (const auto& e : events) shared.push_back(std::make_shared<const v1::Event>(e));
  return shared;
}
}  // namespace

void Hub::Publish(const std::vector<v1::Event>& events) {
  if (!events.empty()) PublishShared(Share(events));
}

void Hub::PublishAsync(std::shared_ptr<const std::vector<v1::Event>> events) {
  if (events == nullptr || events->empty()) return;
  // No copy: each event is handed out as a pointer that shares ownership of the whole group
  // (shared_ptr's aliasing constructor). The fan-out runs on the hub thread, in commit order
  // (a single-threaded io_context runs posted handlers in order).
  boost::asio::post(io_, [this, events = std::move(events)] {
    std::vector<Stream::EventPtr> shared;
    shared.reserve(events->size());
    for (const auto& e : *events) shared.emplace_back(events, &e);
    PublishShared(shared);
  });
}

void Hub::PublishShared(const std::vector<Stream::EventPtr>& shared) {
  std::vector<std::shared_ptr<Stream>> kick;
  {
    std::lock_guard lock(mu_);
    const uint64_t before = shared.front()->revision() - 1;
    last_published_ = shared.back()->revision();
    // The streams these events may concern, each once.
    std::vector<Stream*> candidates;
    ++publish_stamp_;
    auto consider = [&](const std::vector<Stream*>& group) {
      for (Stream* s : group) {
        if (s->stamp_ == publish_stamp_) continue;
        s->stamp_ = publish_stamp_;
        candidates.push_back(s);
      }
    };
    auto lookup = [&](const std::unordered_map<std::string, std::vector<Stream*>>& index,
                      const std::string& key) {
      if (auto it = index.find(key); it != index.end()) consider(it->second);
    };
    consider(unindexed_);
    for (const auto& e : shared) {
      if (!by_item_.empty()) lookup(by_item_, e->item_id());
      if (!by_unit_.empty()) {
        lookup(by_unit_, e->item().unit());
        for (const auto& u : e->item().co_units()) lookup(by_unit_, u);
      }
    }
    for (Stream* s : candidates) {
      std::lock_guard slock(s->mu_);
      if (s->finished_ || !s->synced_) continue;
      // Synced: everything before this group is accounted for, including the groups that
      // passed it over.
      s->pos_ = std::max(s->pos_, before);
      bool queued = false;
      for (const auto& e : shared) {
        if (e->revision() <= s->pos_) continue;
        if (s->Matches(*e)) {
          if (s->queue_.size() >= options_.queue_events) {
            // Too slow to keep up live: serve it from the log from pos_+1 on, until it has
            // caught up. Nothing is dropped: pos_ stays at the last event it accepted.
            s->synced_ = false;
            queued = true;
            break;
          }
          s->queue_.push_back(e);
          queued = true;
        }
        s->pos_ = e->revision();
      }
      if (queued) kick.push_back(s->shared_from_this());
    }
    fanned_out_ = last_published_.load();
  }
  for (auto& s : kick) s->Pump();
}

void Hub::ScheduleCatchup(std::shared_ptr<Stream> s) {
  boost::asio::post(io_, [this, s = std::move(s)] { CatchupStep(s); });
}

void Hub::CatchupStep(const std::shared_ptr<Stream>& s) {
  uint64_t from;
  {
    std::lock_guard lock(s->mu_);
    s->catchup_scheduled_ = false;
    if (s->finished_) return;
    from = s->pos_ + 1;
  }
  auto view = store_.View();
  if (view->compact_revision() > from) {
    std::unique_lock lock(s->mu_);
    const uint64_t compact = view->compact_revision();
    Status st = OutOfRange("start revision " + std::to_string(from) +
                           " has been compacted; the oldest retained revision is " +
                           std::to_string(view->compact_revision()) +
                           " (compact_revision=" + std::to_string(view->compact_revision()) +
                           "); re-read the current state and watch from there");
    s->FinishLocked(lock, st, compact);
    return;
  }
  auto events = view->Events(from, options_.catchup_chunk);
  if (!events.ok()) {
    std::unique_lock lock(s->mu_);
    s->FinishLocked(lock, events.status());
    return;
  }
  const bool at_end = events->size() < options_.catchup_chunk;
  {
    std::lock_guard lock(s->mu_);
    for (auto& e : *events) {
      if (e.revision() <= s->pos_) continue;
      s->pos_ = e.revision();
      if (s->Matches(e)) s->queue_.push_back(std::make_shared<const v1::Event>(std::move(e)));
    }
    // Past the end of the view everything up to its revision is accounted for.
    if (at_end && view->revision() > s->pos_) s->pos_ = view->revision();
  }
  if (at_end) {
    std::lock_guard hub_lock(mu_);
    std::lock_guard lock(s->mu_);
    if (s->pos_ >= last_published_) s->synced_ = true;
  }
  s->Pump();
}

void Hub::Remove(Stream* s) {
  std::lock_guard lock(mu_);
  for (auto it = streams_.begin(); it != streams_.end(); ++it) {
    if (it->get() == s) {
      Unindex(s);
      streams_.erase(it);
      return;
    }
  }
}

void Hub::Index(Stream* s) {
  if (!s->filter_.item_ids().empty()) {
    for (const auto& id : s->filter_.item_ids()) by_item_[id].push_back(s);
  } else if (!s->filter_.units().empty()) {
    for (const auto& u : s->filter_.units()) by_unit_[u].push_back(s);
  } else {
    unindexed_.push_back(s);
  }
}

void Hub::Unindex(Stream* s) {
  auto drop = [s](std::vector<Stream*>& group) {
    group.erase(std::remove(group.begin(), group.end(), s), group.end());
  };
  auto drop_keys = [&](std::unordered_map<std::string, std::vector<Stream*>>& index,
                       const std::set<std::string>& keys) {
    for (const auto& k : keys) {
      auto it = index.find(k);
      if (it == index.end()) continue;
      drop(it->second);
      if (it->second.empty()) index.erase(it);
    }
  };
  if (!s->filter_.item_ids().empty()) {
    drop_keys(by_item_, s->filter_.item_ids());
  } else if (!s->filter_.units().empty()) {
    drop_keys(by_unit_, s->filter_.units());
  } else {
    drop(unindexed_);
  }
}

void Hub::ScheduleTick() {
  timer_->expires_after(std::chrono::milliseconds(200));
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    Tick();
    ScheduleTick();
  });
}

void Hub::Tick() {
  const auto now = std::chrono::steady_clock::now();
  const bool progress_due = now - last_progress_ >= options_.progress_interval;
  if (progress_due) last_progress_ = now;
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::lock_guard lock(mu_);
    streams = streams_;
  }
  for (auto& s : streams) {
    std::unique_lock lock(s->mu_);
    if (s->finished_) continue;
    if (s->writing_ && now - s->write_started_ > options_.slow_timeout) {
      const uint64_t resume = s->ResumeFromLocked();
      s->FinishLocked(lock, ResourceExhausted(
          "watch stream blocked for more than " +
          std::to_string(options_.slow_timeout.count()) + " ms: the subscriber is not reading; "
          "last revision sent " + std::to_string(resume - 1) + ", resume with start_revision=" +
          std::to_string(resume)));
      continue;
    }
    if (progress_due && s->progress_notify_ && s->synced_ && !s->writing_ && s->queue_.empty() &&
        s->sink_ != nullptr) {
      s->response_.Clear();
      s->response_.set_revision(s->PositionLocked());
      s->writing_ = true;
      s->StartWriteLocked(lock);
    }
  }
  if (now - last_compaction_ >= options_.compaction_interval) {
    last_compaction_ = now;
    Compact();
  }
}

void Hub::Compact() {
  if (options_.retention_count == 0 && options_.retention_age.count() == 0) return;
  auto view = store_.View();
  const uint64_t rev = view->revision();
  uint64_t cut = view->compact_revision();  // events < cut are gone
  if (options_.retention_count > 0 && rev > options_.retention_count) {
    cut = std::max<uint64_t>(cut, rev - options_.retention_count + 1);
  }
  if (options_.retention_age.count() > 0) {
    // Walk forward from the current cut while events are older than the window, a bounded
    // chunk per tick so compaction never holds anything for long.
    const auto limit = clock_.Now() - options_.retention_age;
    const int64_t limit_us =
        std::chrono::duration_cast<std::chrono::microseconds>(limit.time_since_epoch()).count();
    // Small reads: usually the oldest retained event is young enough and one read of one
    // chunk says so. (Reading 4,096 full events on every tick held the hub thread, and with it
    // every subscriber, for tens of milliseconds: the watch benchmark's p99.)
    constexpr size_t kChunk = 32, kMaxPerTick = 4096;
    for (size_t read = 0; read < kMaxPerTick;) {
      auto events = view->Events(std::max<uint64_t>(cut, 1), kChunk);
      if (!events.ok() || events->empty()) break;
      bool young = false;
      for (const auto& e : *events) {
        const int64_t t = e.time().seconds() * 1000000 + e.time().nanos() / 1000;
        if (t >= limit_us) {
          young = true;
          break;
        }
        cut = std::max<uint64_t>(cut, e.revision() + 1);
      }
      read += events->size();
      if (young || events->size() < kChunk) break;
    }
  }
  cut = std::min<uint64_t>(cut, rev + 1);
  if (cut <= view->compact_revision()) return;
  Status st = store_.CompactEvents(cut);
  if (!st.ok()) {
    Logger("watch")->warn("event compaction failed cut={} error={}", cut, st.ToString());
  } else {
    Logger("watch")->info("compacted events below revision={}", cut);
  }
}

}  // namespace rectify::watch
