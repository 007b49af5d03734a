// The watch hub against a real store in a scratch directory.
//
// The test plays the engine: it writes each group of events with Store::NewWriteSet /
// PutEvent / PutRevision + Commit and then calls Hub::Publish, as the writer thread does after a
// group commit. Each stream's sink is a RecordingSink: it keeps every response and acknowledges
// writes (Stream::OnWriteDone) on its own thread, like gRPC does, either at once (a fast
// reader) or only when the test says so (a slow or stalled reader).
//
// Every received sequence is checked against the log the test wrote: ordered, unique, no gap,
// exactly the events the filter selects, each event byte-for-byte what was committed, and every
// progress response a true bookmark.

#include "watch/hub.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "store/store.h"

namespace rectify::watch {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::MessageDifferencer;
using google::protobuf::util::TimeUtil;

// Generous: these bound waits for work that normally takes milliseconds; they are never a
// performance requirement.
constexpr std::chrono::milliseconds kWait = 20s;

template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A fresh directory; removed when the test passed, kept (path printed) when it failed.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rectify-watch-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    path_ = tmpl;
  }
  ~TempDir() {
    if (::testing::Test::HasFailure()) {
      std::cerr << "keeping the data directory of a failed test: " << path_ << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ------------------------------------------------------------------------------------------
// Events: a small ledger producing plausible, varied events.

const std::vector<std::string> kItems = {"2026-000001", "2026-000002", "2026-000003",
                                         "2026-000004", "2026-000005", "2026-000006"};
const std::vector<std::string> kUnits = {"办公室", "财务科", "人事科"};

class Ledger {
 public:
  explicit Ledger(uint32_t seed) : rng_(seed) {}

  // The next event (revision = last + 1) at time `t`.
  v1::Event Next(TimePoint t) {
    const size_t i = rng_() % kItems.size();
    const std::string& id = kItems[i];
    v1::Event e;
    e.set_revision(++revision_);
    e.set_item_id(id);
    e.set_actor("actor-" + std::to_string(rng_() % 4));
    *e.mutable_time() = TimeUtil::MicrosecondsToTimestamp(
        std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
    v1::Item& item = items_[id];
    const v1::State before = item.state();
    if (before == v1::STATE_UNSPECIFIED) {
      e.set_kind(v1::EVENT_KIND_CREATED);
      item.set_id(id);
      item.set_title("问题 " + id);
      item.set_unit(kUnits[i % kUnits.size()]);
      if (i >= 4) item.add_co_units(kUnits[(i + 1) % kUnits.size()]);
      item.set_state(v1::STATE_DRAFT);
    } else {
      switch (rng_() % 4) {
        case 0:
          e.set_kind(v1::EVENT_KIND_UPDATED);
          item.set_title("问题 " + id + " r" + std::to_string(revision_));
          break;
        case 1:
          e.set_kind(v1::EVENT_KIND_PROGRESS_ADDED);
          break;
        default:
          e.set_kind(v1::EVENT_KIND_TRANSITIONED);
          e.set_action(v1::ACTION_START);
          item.set_state(static_cast<v1::State>(1 + (item.state() + rng_() % 7) % 8));
          break;
      }
    }
    e.set_prev_state(before);
    item.set_version(item.version() + 1);
    item.set_revision(revision_);
    *e.mutable_item() = item;
    return e;
  }
  uint64_t revision() const { return revision_; }

 private:
  std::mt19937 rng_;
  uint64_t revision_ = 0;
  std::map<std::string, v1::Item> items_;
};

// What a watch request selects, from the API's words (rectify.proto WatchRequest): each given
// filter must match; within one filter any value matches; states match the state before or
// after; units match the unit or a co-unit.
bool Wanted(const v1::WatchRequest& req, const v1::Event& e) {
  auto has = [](const auto& list, const auto& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (!req.item_ids().empty() && !has(req.item_ids(), e.item_id())) return false;
  if (!req.kinds().empty() && !has(req.kinds(), static_cast<int>(e.kind()))) return false;
  if (!req.states().empty() && !has(req.states(), static_cast<int>(e.prev_state())) &&
      !has(req.states(), static_cast<int>(e.item().state()))) {
    return false;
  }
  if (!req.units().empty()) {
    bool any = has(req.units(), e.item().unit());
    for (const auto& u : e.item().co_units()) any = any || has(req.units(), u);
    if (!any) return false;
  }
  return true;
}

// ------------------------------------------------------------------------------------------
// The sink: a recording stand-in for the gRPC reactor.

class RecordingSink final : public Sink {
 public:
  RecordingSink(bool auto_ack, std::chrono::microseconds ack_delay)
      : auto_ack_(auto_ack), ack_delay_(ack_delay) {}
  ~RecordingSink() override { Release(); }

  void Attach(std::shared_ptr<Stream> s) {
    stream_ = std::move(s);
    acker_ = std::thread([this] { AckLoop(); });
  }
  Stream& stream() { return *stream_; }

  // Sink (called by the hub with no hub lock held).
  void Write(const v1::WatchResponse* response) override {
    std::unique_lock lock(mu_);
    if (pending_) ADD_FAILURE() << "a write started while another was outstanding";
    if (finished_) ++late_writes_;
    responses_.push_back(*response);
    pending_ = true;
    cv_.notify_all();
    if (block_writes_) {
      in_blocked_write_ = true;
      cv_.notify_all();
      cv_.wait(lock, [this] { return !block_writes_; });
      in_blocked_write_ = false;
    }
  }
  void Finish(const Status& status, uint64_t resume) override {
    std::lock_guard lock(mu_);
    if (finished_) ADD_FAILURE() << "finished twice: " << status.ToString();
    finished_ = true;
    status_ = status;
    resume_ = resume;
    cv_.notify_all();
  }

  // The test's side.
  void Ack(int writes) {
    std::lock_guard lock(mu_);
    credits_ += writes;
    cv_.notify_all();
  }
  void SetAuto(bool on) {
    std::lock_guard lock(mu_);
    auto_ack_ = on;
    cv_.notify_all();
  }
  // While set, Write does not return (the thread that called it is held).
  void BlockWrites(bool on) {
    std::lock_guard lock(mu_);
    block_writes_ = on;
    cv_.notify_all();
  }
  bool InBlockedWrite() {
    std::lock_guard lock(mu_);
    return in_blocked_write_;
  }
  // The client goes away (OnCancel then OnDone in gRPC).
  void Cancel() { stream_->Cancel(); }
  // OnDone: stops acknowledging and detaches from the stream.
  void Close() {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      closed_ = true;
      cv_.notify_all();
    }
    if (acker_.joinable()) acker_.join();
    if (stream_) stream_->Detach();
  }
  // After the hub is gone: completes a write that was never acknowledged, as gRPC would.
  void Release() {
    Close();
    bool pending;
    {
      std::lock_guard lock(mu_);
      pending = pending_;
      pending_ = false;
    }
    if (pending && stream_) stream_->OnWriteDone(false);
  }

  std::vector<v1::WatchResponse> responses() {
    std::lock_guard lock(mu_);
    return responses_;
  }
  size_t response_count() {
    std::lock_guard lock(mu_);
    return responses_.size();
  }
  // Every write so far was acknowledged and the stream has handled it (and started nothing new).
  bool idle() {
    std::lock_guard lock(mu_);
    return !pending_ && completed_ == responses_.size();
  }
  // The revision the first response starts the stream at: after a first bookmark, or at the
  // first event.
  uint64_t first_revision() {
    std::lock_guard lock(mu_);
    if (responses_.empty()) return 0;
    const auto& r = responses_.front();
    return r.events_size() == 0 ? r.revision() + 1 : r.events(0).revision();
  }
  uint64_t first_event_revision() {
    std::lock_guard lock(mu_);
    for (const auto& r : responses_) {
      if (r.events_size() > 0) return r.events(0).revision();
    }
    return 0;
  }
  uint64_t last_event_revision() {
    std::lock_guard lock(mu_);
    for (auto it = responses_.rbegin(); it != responses_.rend(); ++it) {
      if (it->events_size() > 0) return it->events().rbegin()->revision();
    }
    return 0;
  }
  // The highest revision a progress response vouched for (0 = none yet).
  uint64_t last_progress() {
    std::lock_guard lock(mu_);
    uint64_t p = 0;
    for (const auto& r : responses_) {
      if (r.events_size() == 0) p = std::max(p, r.revision());
    }
    return p;
  }
  size_t progress_count() {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& r : responses_) n += r.events_size() == 0;
    return n;
  }
  bool finished() {
    std::lock_guard lock(mu_);
    return finished_;
  }
  Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }
  uint64_t resume() {
    std::lock_guard lock(mu_);
    return resume_;
  }
  int late_writes() {
    std::lock_guard lock(mu_);
    return late_writes_;
  }

 private:
  void AckLoop() {
    while (true) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] {
          return closed_ || (pending_ && !block_writes_ && (auto_ack_ || credits_ > 0));
        });
        if (closed_) return;
      }
      if (ack_delay_.count() > 0) std::this_thread::sleep_for(ack_delay_);  // a slow reader
      {
        std::lock_guard lock(mu_);
        if (closed_) return;
        if (!auto_ack_) --credits_;
        pending_ = false;
      }
      stream_->OnWriteDone(true);
      std::lock_guard lock(mu_);
      ++completed_;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool auto_ack_;
  const std::chrono::microseconds ack_delay_;
  int credits_ = 0;
  bool pending_ = false;
  bool block_writes_ = false;
  bool in_blocked_write_ = false;
  bool closed_ = false;
  bool finished_ = false;
  int late_writes_ = 0;
  size_t completed_ = 0;  // acknowledgements the stream has finished handling
  Status status_;
  uint64_t resume_ = 0;
  std::vector<v1::WatchResponse> responses_;
  std::shared_ptr<Stream> stream_;
  std::thread acker_;
};

// ------------------------------------------------------------------------------------------
// The fixture.

const TimePoint kT0{std::chrono::seconds(1772413200)};  // 2026-03-02 01:00 UTC

v1::WatchRequest Req(uint64_t start = 0) {
  v1::WatchRequest r;
  r.set_start_revision(start);
  return r;
}

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::StoreOptions o;
    o.dir = dir_.path() + "/db";
    auto s = store::Store::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    for (auto& s : sinks_) s->Close();
    hub_.reset();
    for (auto& s : sinks_) {
      EXPECT_EQ(s->late_writes(), 0) << "the hub wrote to a stream after finishing it";
      s->Release();
    }
    sinks_.clear();
    store_.reset();
  }

  HubOptions Options() {
    HubOptions o;
    o.progress_interval = 10ms;  // every tick (the hub ticks every 200 ms)
    o.compaction_interval = 1h;  // compaction only where a test asks for it
    o.retention_count = 0;
    o.retention_age = 0s;
    return o;
  }
  void StartHub(HubOptions o) {
    options_ = o;
    hub_ = std::make_unique<Hub>(*store_, clock_, o);
    hub_->Start(store_->View()->revision());
  }

  // One group commit of `events`, then (like the engine's listener) Publish.
  void Commit(const std::vector<v1::Event>& events, bool publish = true) {
    auto ws = store_->NewWriteSet();
    for (const auto& e : events) ws->PutEvent(e);
    ws->PutRevision(events.back().revision());
    Status st = store_->Commit(*ws, /*sync=*/false);
    ASSERT_TRUE(st.ok()) << st.ToString();
    log_.insert(log_.end(), events.begin(), events.end());
    if (publish) hub_->Publish(events);
  }
  // n events from the ledger as one group.
  void CommitNext(int n, bool publish = true, TimePoint t = kT0) {
    std::vector<v1::Event> group;
    for (int i = 0; i < n; ++i) group.push_back(ledger_.Next(t));
    Commit(group, publish);
  }
  uint64_t Revision() const { return ledger_.revision(); }

  RecordingSink* Watch(const v1::WatchRequest& req, bool auto_ack = true,
                       std::chrono::microseconds ack_delay = 0us) {
    sinks_.push_back(std::make_unique<RecordingSink>(auto_ack, ack_delay));
    RecordingSink* sink = sinks_.back().get();
    auto stream = hub_->NewStream(req, sink);
    sink->Attach(stream);
    hub_->Begin(stream, req.start_revision());
    return sink;
  }

  // The committed events in [from, to] that `req` selects.
  std::vector<v1::Event> Expected(const v1::WatchRequest& req, uint64_t from, uint64_t to) const {
    std::vector<v1::Event> out;
    for (const auto& e : log_) {
      if (e.revision() >= from && e.revision() <= to && Wanted(req, e)) out.push_back(e);
    }
    return out;
  }

  // Checks every guarantee on what `sink` received for `req`, given that it should have every
  // selected event from `from` up to the last committed revision.
  void CheckStream(RecordingSink& sink, const v1::WatchRequest& req, uint64_t from,
                   const std::string& name) {
    SCOPED_TRACE(name);
    const auto want = Expected(req, from, Revision());
    std::vector<v1::Event> got;
    uint64_t last = 0;  // highest revision seen so far (events and bookmarks)
    for (const auto& r : sink.responses()) {
      if (r.events_size() == 0) {
        // A bookmark: every selected event up to r.revision() has been sent already.
        EXPECT_GE(r.revision(), last) << "a progress response went backwards";
        size_t due = 0;
        for (const auto& e : want) due += e.revision() <= r.revision();
        EXPECT_EQ(got.size(), due) << "progress at " << r.revision() << " came before all the "
                                   << "events up to it were sent";
        last = std::max(last, r.revision());
        continue;
      }
      EXPECT_LE(static_cast<size_t>(r.events_size()), options_.events_per_response);
      EXPECT_EQ(r.revision(), r.events().rbegin()->revision())
          << "a response's revision is its last event's";
      for (const auto& e : r.events()) {
        EXPECT_GT(e.revision(), last) << "out of order or repeated: " << e.revision();
        last = e.revision();
        got.push_back(e);
      }
    }
    ASSERT_EQ(got.size(), want.size())
        << "received " << got.size() << " events, expected " << want.size();
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].revision(), want[i].revision()) << "at index " << i;
      ASSERT_TRUE(MessageDifferencer::Equals(got[i], want[i]))
          << "event " << want[i].revision() << " differs from the committed one";
    }
  }

  TempDir dir_;
  ManualClock clock_{kT0};
  std::unique_ptr<store::Store> store_;
  HubOptions options_;
  std::unique_ptr<Hub> hub_;
  std::vector<std::unique_ptr<RecordingSink>> sinks_;
  Ledger ledger_{42};
  std::vector<v1::Event> log_;
};

// ------------------------------------------------------------------------------------------
// Ordering, uniqueness, start revisions.

TEST_F(HubTest, LiveStreamGetsEveryRevisionOnceInOrder) {
  auto o = Options();
  o.events_per_response = 5;
  StartHub(o);
  auto* w = Watch(Req());
  // "From now" starts with a bookmark at the current revision, so a client can tell
  // "connected and idle" from "not connected".
  ASSERT_TRUE(WaitUntil([&] { return w->response_count() >= 1; }));
  EXPECT_EQ(w->responses()[0].events_size(), 0);
  EXPECT_EQ(w->responses()[0].revision(), 0u);

  for (int g = 0; g < 120; ++g) CommitNext(1 + g % 7);
  ASSERT_TRUE(WaitUntil([&] { return w->last_event_revision() == Revision(); }))
      << "stopped at " << w->last_event_revision() << " of " << Revision();
  CheckStream(*w, Req(), 1, "live");
}

TEST_F(HubTest, StartRevisionIsInclusiveAndCatchUpHandsOverToLive) {
  // 2,000 events are on disk before the hub starts; a writer keeps committing while the
  // streams read the log, so the hand-over from catch-up to live races with Publish.
  for (int g = 0; g < 400; ++g) CommitNext(5, /*publish=*/false);
  auto o = Options();
  o.catchup_chunk = 64;
  o.events_per_response = 16;
  StartHub(o);
  const std::vector<uint64_t> starts = {1, 777, 2000, 2001};
  auto req = [](uint64_t start) {
    v1::WatchRequest r = Req(start);
    r.set_progress_notify(true);
    return r;
  };
  std::vector<RecordingSink*> sinks;
  for (uint64_t s : starts) sinks.push_back(Watch(req(s)));
  std::thread writer([&] {
    for (int g = 0; g < 300; ++g) CommitNext(1 + g % 6);
  });
  writer.join();
  const uint64_t end = Revision();
  for (size_t i = 0; i < sinks.size(); ++i) {
    // A bookmark at the end: everything sent, and the stream is live (only live streams get
    // bookmarks).
    ASSERT_TRUE(WaitUntil([&] { return sinks[i]->last_progress() >= end; }))
        << "from " << starts[i] << ": stopped at " << sinks[i]->last_event_revision();
    CheckStream(*sinks[i], req(starts[i]), starts[i], "from " + std::to_string(starts[i]));
    EXPECT_EQ(sinks[i]->first_event_revision(), starts[i]) << "inclusive start";
  }
  // Live indeed: a publish moves each position at once, not via the log.
  CommitNext(1);
  for (auto* s : sinks) EXPECT_EQ(s->stream().position(), Revision());
}

// Streams that join while the writer publishes without pause: each catch-up step reads a large
// chunk from a snapshot while new revisions are published, so the hand-over to live must notice
// revisions published after its snapshot was taken.
TEST_F(HubTest, StreamsJoiningDuringPublishingMissNothingAtTheHandOver) {
  for (int g = 0; g < 300; ++g) CommitNext(5, /*publish=*/false);
  auto o = Options();
  o.catchup_chunk = 2000;
  o.events_per_response = 500;
  StartHub(o);
  std::atomic<uint64_t> published{Revision()};
  std::atomic<bool> stop{false}, done{false};
  std::atomic<int> joined{0};
  // 4,000 commits, and on until five streams have joined: on a slow machine (under
  // ThreadSanitizer) the 4,000 could end first and the test would then prove nothing.
  std::thread writer([&] {
    for (int i = 0; !stop && (i < 4000 || joined < 5); ++i) {
      CommitNext(1);
      published = Revision();
    }
    done = true;
  });
  struct StopWriter {  // an ASSERT below must not leave the writer running
    std::atomic<bool>& stop;
    std::thread& writer;
    ~StopWriter() {
      stop = true;
      if (writer.joinable()) writer.join();
    }
  } stop_writer{stop, writer};
  std::vector<std::pair<RecordingSink*, uint64_t>> streams;
  for (int i = 0; i < 40 && !done; ++i) {
    const uint64_t from = published - 1200;
    streams.emplace_back(Watch(Req(from)), from);
    ASSERT_TRUE(WaitUntil([&] { return streams.back().first->last_event_revision() > from; }));
    ++joined;
  }
  writer.join();
  ASSERT_GE(streams.size(), 5u) << "the writer finished before streams could join";
  for (auto& [sink, from] : streams) {
    ASSERT_TRUE(WaitUntil([&] { return sink->last_event_revision() == Revision(); }))
        << "from " << from << ": stopped at " << sink->last_event_revision();
    CheckStream(*sink, Req(from), from, "from " + std::to_string(from));
  }
}

TEST_F(HubTest, StartBeyondTheCurrentRevisionWaitsForIt) {
  StartHub(Options());
  CommitNext(10);
  auto* w = Watch(Req(15));
  CommitNext(10);
  ASSERT_TRUE(WaitUntil([&] { return w->last_event_revision() == 20; }));
  CheckStream(*w, Req(15), 15, "from 15");
}

// ------------------------------------------------------------------------------------------
// Filters.

TEST_F(HubTest, FiltersSelectExactlyTheMatchingEventsLiveAndFromTheLog) {
  for (int g = 0; g < 60; ++g) CommitNext(5, /*publish=*/false);  // 300 on disk
  StartHub(Options());
  struct Case {
    std::string name;
    v1::WatchRequest req;
  };
  std::vector<Case> cases;
  auto add = [&](std::string name, auto fill) {
    v1::WatchRequest r;
    r.set_progress_notify(true);
    fill(r);
    cases.push_back({std::move(name), r});
  };
  add("everything", [](auto&) {});
  add("one item", [](auto& r) { r.add_item_ids(kItems[1]); });
  add("two items", [](auto& r) {
    r.add_item_ids(kItems[0]);
    r.add_item_ids(kItems[4]);
  });
  add("unknown item", [](auto& r) { r.add_item_ids("2026-999999"); });
  add("unit (main or co-unit)", [](auto& r) { r.add_units(kUnits[2]); });
  add("two units", [](auto& r) {
    r.add_units(kUnits[0]);
    r.add_units(kUnits[1]);
  });
  add("state before or after", [](auto& r) { r.add_states(v1::STATE_SUBMITTED); });
  add("two states", [](auto& r) {
    r.add_states(v1::STATE_DRAFT);
    r.add_states(v1::STATE_CLOSED);
  });
  add("kind", [](auto& r) { r.add_kinds(v1::EVENT_KIND_CREATED); });
  add("two kinds", [](auto& r) {
    r.add_kinds(v1::EVENT_KIND_TRANSITIONED);
    r.add_kinds(v1::EVENT_KIND_UPDATED);
  });
  add("unit and kind and state", [](auto& r) {
    r.add_units(kUnits[0]);
    r.add_kinds(v1::EVENT_KIND_TRANSITIONED);
    r.add_states(v1::STATE_IN_PROGRESS);
    r.add_states(v1::STATE_ENDORSED);
  });
  add("item and unit that disagree", [](auto& r) {
    r.add_item_ids(kItems[0]);
    r.add_units(kUnits[1]);
  });

  // Each filter twice: from revision 1 (the first 300 from the log) and from now (live only).
  std::vector<std::pair<RecordingSink*, RecordingSink*>> sinks;
  for (auto& c : cases) {
    v1::WatchRequest from_log = c.req;
    from_log.set_start_revision(1);
    sinks.emplace_back(Watch(from_log), Watch(c.req));
  }
  const uint64_t live_from = Revision() + 1;
  for (int g = 0; g < 100; ++g) CommitNext(1 + g % 5);
  const uint64_t end = Revision();
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    auto [from_log, live] = sinks[i];
    // A bookmark at the end means everything selected has been sent.
    ASSERT_TRUE(WaitUntil([&] { return from_log->last_progress() >= end; }));
    ASSERT_TRUE(WaitUntil([&] { return live->last_progress() >= end; }));
    CheckStream(*from_log, cases[i].req, 1, "from the log");
    CheckStream(*live, cases[i].req, live_from, "live");
  }
  // The cases test something: each selects some but not all events, except the two that
  // select nothing and the one that selects everything.
  for (const auto& c : cases) {
    const size_t n = Expected(c.req, 1, end).size();
    if (c.name == "everything") {
      EXPECT_EQ(n, end);
    } else if (c.name == "unknown item" || c.name == "item and unit that disagree") {
      EXPECT_EQ(n, 0u) << c.name;
    } else {
      EXPECT_GT(n, 0u) << c.name;
      EXPECT_LT(n, end) << c.name;
    }
  }
}

TEST_F(HubTest, ProgressOnlyWhenAskedAndAlwaysABookmark) {
  StartHub(Options());
  v1::WatchRequest with = Req();
  with.set_progress_notify(true);
  with.add_item_ids(kItems[2]);
  auto* a = Watch(with);
  auto* b = Watch(Req());
  for (int g = 0; g < 50; ++g) CommitNext(1 + g % 4);
  const uint64_t end = Revision();
  ASSERT_TRUE(WaitUntil([&] { return a->last_progress() >= end; }));
  const size_t seen = a->progress_count();
  ASSERT_TRUE(WaitUntil([&] { return a->progress_count() >= seen + 3; }));
  CheckStream(*a, with, 1, "with progress");
  // b saw the same ticks but only its first ("connected") bookmark.
  ASSERT_TRUE(WaitUntil([&] { return b->last_event_revision() == end; }));
  EXPECT_EQ(b->progress_count(), 1u);
  CheckStream(*b, Req(), 1, "without progress");
}

// A publish looks only at the streams its events may concern (the hub's index by item and
// unit). A stream no publish concerned must still stand at the head: its bookmarks, its lag
// and the revision it is told to resume from count every revision that passed it over.
TEST_F(HubTest, StreamsNoPublishConcernsStillBookmarkAndResumeAtTheHead) {
  StartHub(Options());
  v1::WatchRequest by_item = Req();
  by_item.set_progress_notify(true);
  by_item.add_item_ids("2026-999999");  // never in the ledger
  v1::WatchRequest by_unit = Req();
  by_unit.set_progress_notify(true);
  by_unit.add_units("审计科");  // neither a unit nor a co-unit of any item
  v1::WatchRequest by_state = Req();  // unindexed: the state filter is checked per event
  by_state.set_progress_notify(true);
  by_state.add_states(v1::STATE_CLOSED);
  v1::WatchRequest mixed = Req();  // indexed under an item, still checked by kind
  mixed.add_item_ids(kItems[1]);
  mixed.add_kinds(v1::EVENT_KIND_TRANSITIONED);
  auto* a = Watch(by_item);
  auto* u = Watch(by_unit);
  auto* st = Watch(by_state);
  auto* m = Watch(mixed);
  for (int g = 0; g < 60; ++g) CommitNext(1 + g % 3);
  const uint64_t end = Revision();
  for (auto* w : {a, u, st}) {
    ASSERT_TRUE(WaitUntil([&] { return w->last_progress() >= end; }))
        << "bookmark stuck at " << w->last_progress();
    EXPECT_EQ(w->stream().position(), end);
  }
  ASSERT_TRUE(WaitUntil([&] { return m->idle(); }));
  // A progress response in flight counts as "sent up to the previous one" until it completes,
  // so the lag reaches 0 between ticks, not at every instant.
  EXPECT_TRUE(WaitUntil([&] { return hub_->max_lag() == 0; })) << hub_->max_lag();
  CheckStream(*a, by_item, 1, "by an item never seen");
  CheckStream(*u, by_unit, 1, "by a unit never seen");
  CheckStream(*st, by_state, 1, "by state");
  CheckStream(*m, mixed, 1, "by item and kind");
  hub_->Stop();
  for (auto* w : {a, u, st, m}) {
    ASSERT_TRUE(w->finished());
    EXPECT_EQ(w->resume(), end + 1) << "resuming must neither repeat nor skip";
  }
}

// ------------------------------------------------------------------------------------------
// Slow readers.

TEST_F(HubTest, SlowReaderOverflowsToTheLogThenReturnsToLiveWithoutLoss) {
  auto o = Options();
  o.queue_events = 8;
  o.events_per_response = 4;
  o.catchup_chunk = 16;
  StartHub(o);
  v1::WatchRequest req = Req();
  req.set_progress_notify(true);
  auto* w = Watch(req, /*auto_ack=*/false);
  ASSERT_TRUE(WaitUntil([&] { return w->response_count() == 1; }));  // the first bookmark

  // The reader does not read while 100 events are committed one group each.
  for (int i = 0; i < 100; ++i) CommitNext(1);
  // Its queue took 8 and then it stopped accepting: the hub holds no more for it, however far
  // behind it falls, and remembers only where to continue in the log.
  EXPECT_EQ(w->stream().position(), 8u);
  EXPECT_EQ(w->response_count(), 1u);

  // The reader catches up: queue first, then the log from 9, then live again.
  w->SetAuto(true);
  ASSERT_TRUE(WaitUntil([&] { return w->last_progress() >= 100; }))
      << "stopped at " << w->last_event_revision();
  // Back to live: the next publish moves its position synchronously.
  CommitNext(1);
  EXPECT_EQ(w->stream().position(), 101u);
  for (int g = 0; g < 20; ++g) CommitNext(1 + g % 3);
  ASSERT_TRUE(WaitUntil([&] { return w->last_event_revision() == Revision(); }));
  CheckStream(*w, req, 1, "slow reader");
}

TEST_F(HubTest, FilteredSlowReaderOverflowsOnlyOnItsOwnEvents) {
  auto o = Options();
  o.queue_events = 4;
  o.events_per_response = 2;
  o.catchup_chunk = 8;
  StartHub(o);
  v1::WatchRequest req = Req();
  req.add_item_ids(kItems[3]);
  auto* w = Watch(req, /*auto_ack=*/false);
  ASSERT_TRUE(WaitUntil([&] { return w->response_count() == 1; }));
  for (int i = 0; i < 300; ++i) CommitNext(1);
  // Its position is the revision of the last event it accepted (the 4th of its own).
  const auto mine = Expected(req, 1, Revision());
  ASSERT_GT(mine.size(), 10u);
  // Non-matching events after that 4th, up to the 5th, are accounted for too; the 5th is not.
  EXPECT_EQ(w->stream().position(), mine[4].revision() - 1);
  w->SetAuto(true);
  ASSERT_TRUE(WaitUntil([&] { return w->last_event_revision() == mine.back().revision(); }));
  CheckStream(*w, req, 1, "filtered slow reader");
}

TEST_F(HubTest, ManyStreamsOfMixedSpeedsFiltersAndStartsGetExactlyTheirEvents) {
  for (int g = 0; g < 100; ++g) CommitNext(5, /*publish=*/false);  // 500 on disk
  auto o = Options();
  o.queue_events = 4;
  o.events_per_response = 3;
  o.catchup_chunk = 7;
  StartHub(o);

  std::mt19937 rng(7);
  auto random_request = [&](uint64_t start) {
    v1::WatchRequest r = Req(start);
    r.set_progress_notify(true);
    switch (rng() % 5) {
      case 0:
        r.add_item_ids(kItems[rng() % kItems.size()]);
        break;
      case 1:
        r.add_units(kUnits[rng() % kUnits.size()]);
        break;
      case 2:
        r.add_states(static_cast<v1::State>(1 + rng() % 8));
        break;
      case 3:
        r.add_kinds(v1::EVENT_KIND_TRANSITIONED);
        break;
      default:
        break;
    }
    return r;
  };
  struct Watcher {
    RecordingSink* sink;
    v1::WatchRequest req;
  };
  std::vector<Watcher> watchers;
  auto open = [&](uint64_t start) {
    v1::WatchRequest r = random_request(start);
    // Readers from fast to very slow (an acknowledgement takes up to 2 ms).
    auto delay = std::chrono::microseconds(rng() % 3 == 0 ? rng() % 2000 : 0);
    watchers.push_back({Watch(r, true, delay), r});
  };
  for (int i = 0; i < 30; ++i) open(i % 3 == 0 ? 0 : 1 + rng() % 500);

  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int g = 0; g < 600; ++g) CommitNext(1 + g % 8);
    writing = false;
  });
  // While the writer runs: more streams join, from now and from the past.
  for (int i = 0; i < 15; ++i) {
    std::this_thread::sleep_for(2ms);  // spread the joins over the writer's run
    open(i % 2 == 0 ? 0 : 1 + rng() % 500);
  }
  writer.join();
  const uint64_t end = Revision();
  for (size_t i = 0; i < watchers.size(); ++i) {
    auto& w = watchers[i];
    ASSERT_TRUE(WaitUntil([&] { return w.sink->last_progress() >= end; }))
        << "watcher " << i << " got no bookmark at " << end;
    // A "from now" stream starts after its first bookmark.
    uint64_t from = w.req.start_revision();
    if (from == 0) from = w.sink->first_revision();
    CheckStream(*w.sink, w.req, from, "watcher " + std::to_string(i));
  }
}

TEST_F(HubTest, BlockedStreamIsEndedWithTheRevisionToResumeFrom) {
  auto o = Options();
  o.slow_timeout = 300ms;
  StartHub(o);
  auto* w = Watch(Req(), /*auto_ack=*/false);
  ASSERT_TRUE(WaitUntil([&] { return w->response_count() == 1; }));
  w->Ack(1);
  CommitNext(5);
  ASSERT_TRUE(WaitUntil([&] { return w->response_count() == 2; }));
  w->Ack(1);
  ASSERT_TRUE(WaitUntil([&] { return w->idle(); }));
  CommitNext(5);  // written, never acknowledged: the subscriber stopped reading
  ASSERT_TRUE(WaitUntil([&] { return w->response_count() == 3; }));
  ASSERT_TRUE(WaitUntil([&] { return w->finished(); }));
  EXPECT_EQ(w->status().code(), Code::kResourceExhausted) << w->status().ToString();
  // Where to resume: after the acknowledged writes (6), or after the one in flight (11), which
  // gRPC delivers before the status. The end-to-end test pins which one the subscriber needs;
  // here: one of the two, and the message says the same.
  const uint64_t resume = w->resume();
  EXPECT_TRUE(resume == 6 || resume == 11) << resume;
  EXPECT_NE(w->status().message().find("last revision sent " + std::to_string(resume - 1)),
            std::string::npos)
      << w->status().message();
  EXPECT_NE(w->status().message().find("start_revision=" + std::to_string(resume)),
            std::string::npos)
      << w->status().message();
  EXPECT_TRUE(WaitUntil([&] { return hub_->stream_count() == 0; }));

  // Resuming there gives the rest, then live.
  auto* again = Watch(Req(resume));
  CommitNext(3);
  ASSERT_TRUE(WaitUntil([&] { return again->last_event_revision() == Revision(); }));
  CheckStream(*again, Req(resume), resume, "resumed");
}

TEST_F(HubTest, CancelledStreamIsRemovedAndResumeContinuesWithoutGapOrDuplicate) {
  StartHub(Options());
  CommitNext(40);
  auto* first = Watch(Req(1));
  ASSERT_TRUE(WaitUntil([&] { return first->last_event_revision() == 40 && first->idle(); }));
  first->Cancel();
  // A progress response may be in flight when Cancel arrives: the Finish then waits for its
  // OnWriteDone (a sink never sees Finish during a Write), so wait for it rather than assume.
  ASSERT_TRUE(WaitUntil([&] { return first->finished(); }));
  EXPECT_EQ(first->status().code(), Code::kCancelled);
  EXPECT_EQ(first->resume(), 41u);
  EXPECT_TRUE(WaitUntil([&] { return hub_->stream_count() == 0; }));
  const size_t responses = first->response_count();
  CommitNext(30);
  EXPECT_EQ(first->response_count(), responses) << "written to after it was cancelled";

  auto* second = Watch(Req(first->last_event_revision() + 1));
  CommitNext(30);
  ASSERT_TRUE(WaitUntil([&] { return second->last_event_revision() == Revision(); }));
  CheckStream(*second, Req(41), 41, "resumed");
}

// ------------------------------------------------------------------------------------------
// Compaction.

TEST_F(HubTest, CompactionByCountKeepsTheNewestAndRefusesOlderStarts) {
  for (int i = 0; i < 30; ++i) CommitNext(1, /*publish=*/false);
  auto o = Options();
  o.retention_count = 10;
  o.compaction_interval = 0ms;  // on every tick
  StartHub(o);
  ASSERT_TRUE(WaitUntil([&] { return store_->View()->compact_revision() == 21; }))
      << "compact revision " << store_->View()->compact_revision();
  auto on_disk = store_->View()->Events(1, 100);
  ASSERT_TRUE(on_disk.ok());
  ASSERT_EQ(on_disk->size(), 10u);
  EXPECT_EQ(on_disk->front().revision(), 21u);

  for (uint64_t start : {1u, 20u}) {
    SCOPED_TRACE("from " + std::to_string(start));
    auto* w = Watch(Req(start));
    ASSERT_TRUE(WaitUntil([&] { return w->finished(); }));
    EXPECT_EQ(w->status().code(), Code::kOutOfRange) << w->status().ToString();
    EXPECT_EQ(w->resume(), 21u) << "OUT_OF_RANGE carries the compact revision";
    EXPECT_NE(w->status().message().find("compact_revision=21"), std::string::npos)
        << w->status().message();
    EXPECT_EQ(w->response_count(), 0u) << "never a silent partial answer";
  }
  // The oldest retained revision itself is still there.
  auto* edge = Watch(Req(21));
  ASSERT_TRUE(WaitUntil([&] { return edge->last_event_revision() == 30; }));
  CheckStream(*edge, Req(21), 21, "from the compact revision");
  EXPECT_FALSE(edge->finished());

  // New commits move the window; nothing newer than retention_count is ever removed.
  CommitNext(5);
  ASSERT_TRUE(WaitUntil([&] { return store_->View()->compact_revision() == 26; }));
  ASSERT_TRUE(WaitUntil([&] { return edge->last_event_revision() == 35; }));
  CheckStream(*edge, Req(21), 21, "live after compaction");
}

TEST_F(HubTest, CompactionThatOvertakesASlowReaderEndsItInsteadOfSkipping) {
  auto o = Options();
  o.queue_events = 8;
  o.events_per_response = 4;
  o.retention_count = 10;
  o.compaction_interval = 0ms;
  StartHub(o);
  auto* w = Watch(Req(), /*auto_ack=*/false);
  ASSERT_TRUE(WaitUntil([&] { return w->response_count() == 1; }));
  for (int i = 0; i < 40; ++i) CommitNext(1);
  EXPECT_EQ(w->stream().position(), 8u);
  ASSERT_TRUE(WaitUntil([&] { return store_->View()->compact_revision() == 31; }));
  w->SetAuto(true);
  ASSERT_TRUE(WaitUntil([&] { return w->finished(); }));
  EXPECT_EQ(w->status().code(), Code::kOutOfRange) << w->status().ToString();
  EXPECT_EQ(w->resume(), 31u);
  std::vector<uint64_t> got;
  for (const auto& r : w->responses()) {
    for (const auto& e : r.events()) got.push_back(e.revision());
  }
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}))
      << "what it had queued, then the end: never a jump over the compacted range";
}

TEST_F(HubTest, CompactionByAgeFollowsTheInjectedClock) {
  for (int i = 0; i < 10; ++i) CommitNext(1, false, kT0);
  for (int i = 0; i < 10; ++i) CommitNext(1, false, kT0 + 2h);
  clock_.Set(kT0 + 2h + 30min);
  auto o = Options();
  o.retention_age = 1h;
  o.compaction_interval = 0ms;
  StartHub(o);
  // Events 1-10 are 2.5 h old, 11-20 half an hour: only the first ten go.
  ASSERT_TRUE(WaitUntil([&] { return store_->View()->compact_revision() == 11; }))
      << "compact revision " << store_->View()->compact_revision();
  auto* edge = Watch(Req(11));
  ASSERT_TRUE(WaitUntil([&] { return edge->last_event_revision() == 20; }));

  clock_.Set(kT0 + 3h + 1s);  // now every event is older than an hour
  ASSERT_TRUE(WaitUntil([&] { return store_->View()->compact_revision() == 21; }));
  // Resuming right after the last event is still possible (nothing was missed) ...
  auto* next = Watch(Req(21));
  // ... and from before it is not.
  auto* old = Watch(Req(20));
  ASSERT_TRUE(WaitUntil([&] { return old->finished(); }));
  EXPECT_EQ(old->status().code(), Code::kOutOfRange);
  EXPECT_EQ(old->resume(), 21u);
  CommitNext(2, true, kT0 + 3h + 1s);
  ASSERT_TRUE(WaitUntil([&] { return next->last_event_revision() == 22; }));
  ASSERT_TRUE(WaitUntil([&] { return edge->last_event_revision() == 22; }));
  CheckStream(*next, Req(21), 21, "from the revision after the compacted log");
  CheckStream(*edge, Req(11), 11, "live across compaction");
}

TEST_F(HubTest, NoRetentionLimitsMeanNoCompaction) {
  for (int i = 0; i < 30; ++i) CommitNext(1, false, kT0 - 24h * 365);
  auto o = Options();
  o.compaction_interval = 0ms;
  StartHub(o);
  auto* w = Watch(Req(1));
  CommitNext(1);
  ASSERT_TRUE(WaitUntil([&] { return w->last_event_revision() == 31; }));
  // Bookmarks show that a few ticks (each a compaction check) went by.
  auto* p = Watch([] {
    v1::WatchRequest r;
    r.set_progress_notify(true);
    return r;
  }());
  ASSERT_TRUE(WaitUntil([&] { return p->progress_count() >= 4; }));
  EXPECT_EQ(store_->View()->compact_revision(), 0u);
  CheckStream(*w, Req(1), 1, "everything retained");
}

// ------------------------------------------------------------------------------------------
// Stopping.

TEST_F(HubTest, StopEndsEveryStreamWithTheRevisionToResumeFrom) {
  StartHub(Options());
  auto* idle = Watch(Req());
  auto* stalled = Watch(Req(), /*auto_ack=*/false);
  ASSERT_TRUE(WaitUntil([&] { return stalled->response_count() == 1; }));
  stalled->Ack(1);
  CommitNext(4);
  ASSERT_TRUE(WaitUntil([&] { return stalled->response_count() == 2; }));
  stalled->Ack(1);
  ASSERT_TRUE(WaitUntil([&] { return stalled->idle(); }));
  CommitNext(3);  // 5-7: written to `stalled`, not acknowledged
  ASSERT_TRUE(WaitUntil([&] { return stalled->response_count() == 3; }));
  ASSERT_TRUE(WaitUntil([&] { return idle->last_event_revision() == 7 && idle->idle(); }));

  hub_->Stop();
  ASSERT_TRUE(idle->finished());
  ASSERT_TRUE(stalled->finished());
  EXPECT_EQ(idle->status().code(), Code::kUnavailable);
  EXPECT_EQ(idle->resume(), 8u);
  EXPECT_NE(idle->status().message().find("start_revision=8"), std::string::npos)
      << idle->status().message();
  EXPECT_EQ(stalled->status().code(), Code::kUnavailable);
  // After the acknowledged writes (5) or after the one in flight (8), never beyond.
  const uint64_t resume = stalled->resume();
  EXPECT_TRUE(resume == 5 || resume == 8) << resume;
  EXPECT_NE(stalled->status().message().find("start_revision=" + std::to_string(resume)),
            std::string::npos)
      << stalled->status().message();
}

// A stream the engine's last Publish queued events for, but that has not been pumped yet when
// Stop runs (Publish pumps each stream after releasing the hub lock; here the pump is held on
// an earlier stream's Write). The revision it is told to resume from must not skip the queued,
// never-sent events.
TEST_F(HubTest, StopDuringPublishDoesNotSkipQueuedEventsInTheResumeRevision) {
  StartHub(Options());
  auto* first = Watch(Req());
  auto* second = Watch(Req());
  ASSERT_TRUE(WaitUntil([&] {
    return first->response_count() == 1 && first->idle() && second->response_count() == 1 &&
           second->idle();
  }));
  first->BlockWrites(true);
  std::thread writer([&] { CommitNext(1); });  // revision 1
  ASSERT_TRUE(WaitUntil([&] { return first->InBlockedWrite(); }));
  // `second` has revision 1 queued and was not sent it.
  EXPECT_EQ(second->last_event_revision(), 0u);

  hub_->Stop();
  first->BlockWrites(false);
  writer.join();
  ASSERT_TRUE(second->finished());
  EXPECT_EQ(second->last_event_revision(), 0u);
  EXPECT_EQ(second->status().code(), Code::kUnavailable);
  EXPECT_NE(second->status().message().find("start_revision=1"), std::string::npos)
      << second->status().message();
  EXPECT_EQ(second->resume(), 1u) << "revision 1 was never sent to this stream: resuming from "
                                  << second->resume()
                                  << " loses it (message: " << second->status().message() << ")";
}

// During shutdown the daemon stops the hub while gRPC still accepts calls for its grace period,
// so a Watch can arrive after Stop. It must be finished, not hang the caller (and with it the
// hub lock, which Publish needs for the engine's last commits).
TEST_F(HubTest, BeginAfterStopFinishesTheStreamWithoutHanging) {
  StartHub(Options());
  hub_->Stop();
  auto sink = std::make_unique<RecordingSink>(true, 0us);
  auto stream = hub_->NewStream(Req(5), sink.get());
  sink->Attach(stream);
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  Hub* hub = hub_.get();
  std::thread begin([hub, stream, done] {
    hub->Begin(stream, 5);
    done->set_value();
  });
  if (finished.wait_for(5s) != std::future_status::ready) {
    ADD_FAILURE() << "Hub::Begin after Hub::Stop did not return within 5 s (self-deadlock: "
                     "Begin holds the hub mutex while FinishLocked calls Hub::Remove)";
    EXPECT_TRUE(sink->finished());
    // The stuck thread holds the hub's mutex: the hub, store and sink cannot be torn down.
    begin.detach();
    (void)hub_.release();
    (void)store_.release();
    (void)sink.release();
    return;
  }
  begin.join();
  EXPECT_TRUE(sink->finished());
  EXPECT_EQ(sink->status().code(), Code::kUnavailable);
  EXPECT_EQ(sink->resume(), 5u);
  sink->Close();
  sinks_.push_back(std::move(sink));
}

}  // namespace
}  // namespace rectify::watch
