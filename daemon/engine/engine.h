#pragma once

// The commit pipeline. Every mutation goes through Submit*: it is queued, and one writer thread
// takes everything that arrived while the previous fsync ran, validates each mutation against
// the current state with domain/, assigns revisions, writes the whole group as one synced
// RocksDB batch, then answers each caller and publishes the events.
//
// Threads: Submit* and the read calls are safe from any thread and never wait on disk writes;
// completions and listeners run on the writer thread and must not block.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "domain/actor.h"
#include "domain/calendar.h"
#include "domain/lights.h"
#include "domain/policy.h"
#include "domain/remind_policy.h"
#include "domain/validation.h"
#include "domain/workflow.h"
#include "rectify/v1/rectify.pb.h"
#include "store/store.h"

namespace rectify::engine {

// Where a reminder goes: one channel and recipient (recipient "" = a group robot).
struct DeliveryTarget {
  std::string channel;
  std::string recipient;
  std::string address;  // email address or mobile; "" when the channel needs none
  bool needs_address = false;
};
using Router = std::function<std::vector<DeliveryTarget>(const v1::Reminder&, const v1::Item&)>;

struct EngineOptions {
  bool sync = true;             // fsync the WAL before acknowledging (the default that counts)
  size_t max_group = 1024;      // mutations per group commit
  size_t max_pending = 10000;   // queued mutations beyond this are refused (overload)
  domain::PolicyOptions policy{.open_mode = true};  // who sees and signs what (domain/policy.h)
  domain::LightRules light_rules;
  domain::ReminderRules reminder_rules;
  Router route;                 // no router: reminders are events only (the watch stream)
  // Request limits ([limits]) at start: checked at the RPC edge; kept here so every service
  // reads the one copy the daemon runs with (Settings::limits after a reload).
  domain::Limits limits;
  size_t run_limit = 20000;     // items one reminder run evaluates; the rest wait for the next
  // Observers (metrics), called on the writer thread; must not block.
  std::function<void(size_t mutations, double write_seconds)> on_group_commit;
  std::function<void()> on_commit_failed;
};

// What the operator may change while the engine runs (SIGHUP): swapped whole, read as one
// snapshot. The writer thread takes one per group commit; reads take one per call.
struct Settings {
  domain::PolicyOptions policy;
  domain::ReminderRules reminder_rules;
  Router route;
  std::shared_ptr<const domain::Calendar> calendar;
  domain::Limits limits;  // request limits, read by the RPC edge per call
};

using Done = std::function<void(Result<v1::Item>)>;
using RunDone = std::function<void(Result<v1::RunRemindersResponse>)>;
using StatusDone = std::function<void(Status)>;

// The result of one delivery attempt, recorded by the delivery worker.
struct DeliveryUpdate {
  uint64_t id = 0;
  enum class Outcome { kSent, kRetry, kDead } outcome = Outcome::kRetry;
  std::string error;
  TimePoint next_attempt;  // for kRetry
};

// Called after every group commit with its events, in revision order. The events are shared,
// never copied: a listener that keeps them (the watch hub) keeps the pointer.
using EventGroup = std::shared_ptr<const std::vector<v1::Event>>;
using Listener = std::function<void(const EventGroup&)>;

// What a group commit wrote that the reminder scheduler waits on: the earliest reminder due
// time and the earliest pending delivery attempt (microseconds; absent when it wrote none).
// The scheduler sleeps until its own head and is woken only by an earlier one, instead of
// re-reading the due index and the outbox after every commit.
struct ScheduleHint {
  std::optional<int64_t> due_us;
  std::optional<int64_t> delivery_us;
};
using ScheduleListener = std::function<void(const ScheduleHint&)>;

struct GroupStats {
  uint64_t commits = 0;     // group commits written
  uint64_t mutations = 0;   // mutations acknowledged
  uint64_t max_group = 0;   // largest group
};

class Engine {
 public:
  Engine(store::Store& store, const Clock& clock, const date::time_zone* zone,
         domain::Calendar calendar, EngineOptions options);
  ~Engine();

  Status Start();  // loads the committed revision and counters, starts the writer
  void Stop();     // refuses new work, commits what is queued, joins the writer

  void SubmitCreate(domain::Actor actor, v1::CreateItemRequest req, Done done);
  void SubmitUpdate(domain::Actor actor, v1::UpdateItemRequest req, Done done);
  void SubmitTransition(domain::Actor actor, v1::TransitionRequest req, Done done);
  void SubmitProgress(domain::Actor actor, v1::AddProgressRequest req, Done done);
  // A reminder run at the engine's now: fires what is due, records reminders and escalations on
  // the items, and queues one digest per channel and recipient in the outbox, in one commit.
  // The scheduler and RunReminders both come here, so the writer serialises them.
  void SubmitRun(std::string actor, RunDone done);
  void SubmitDeliveryUpdate(DeliveryUpdate update, StatusDone done);
  // What a run would fire now, from a snapshot; writes nothing.
  Result<v1::RunRemindersResponse> PreviewRun();
  // Scoped like items: a caller who does not see every unit gets the reminders of the items
  // they may see and the deliveries addressed to them.
  Result<v1::ListRemindersResponse> ListReminders(const domain::Actor& actor,
                                                  const v1::ListRemindersRequest& req);

  // Listeners are added before Start.
  void AddListener(Listener listener);
  void AddScheduleListener(ScheduleListener listener);  // called only for a non-empty hint

  // Reads, from a fresh snapshot. Items come back with their derived light and overdue flag.
  Result<v1::Item> GetItem(const domain::Actor& actor, const std::string& id);
  Result<v1::ListItemsResponse> ListItems(const domain::Actor& actor,
                                          const v1::ListItemsRequest& req);
  Result<v1::GetHistoryResponse> GetHistory(const domain::Actor& actor,
                                            const v1::GetHistoryRequest& req);
  Result<v1::ServerInfo> GetServerInfo();
  // Items in an open state (LONG_TERM included) by their light today, from one snapshot: the
  // census behind /metrics' rectify_items_by_light. Lights are derived, never stored, so this
  // reads every open item through the state index: its cost grows with the open items, not
  // the ledger, and callers cache it. `cancel` (may be null) is checked between pages of 500
  // items; once set, the census stops with ABORTED.
  struct LightCensus {
    uint64_t revision = 0;
    date::year_month_day today;  // the day the lights are for
    std::map<v1::Light, uint64_t> counts;  // GREEN, BLUE, YELLOW, RED, each present
  };
  Result<LightCensus> CountLights(const std::atomic<bool>* cancel = nullptr);
  // Year-end figures from one snapshot (engine/report.cc): one pass over the year's items
  // through the year index, plus last year's meeting and public-concern items.
  Result<v1::Report> GetReport(const domain::Actor& actor, const v1::GetReportRequest& req);
  // Recomputes the audit chain from a fresh snapshot (engine/audit.h). A long read: it visits
  // every retained event.
  Result<v1::VerifyAuditResponse> VerifyAudit();
  // A copy: a reload may swap the limits while a caller validates with them.
  domain::Limits limits() const { return settings()->limits; }

  uint64_t committed_revision() const { return committed_revision_.load(); }
  GroupStats stats() const;
  store::Store& store() { return store_; }
  // The head of the due index (when the next reminder falls due), from a fresh snapshot.
  Result<std::optional<int64_t>> NextDue() const;
  const Clock& clock() const { return clock_; }
  const date::time_zone* zone() const { return zone_; }
  std::shared_ptr<const domain::Calendar> calendar() const { return settings()->calendar; }
  std::shared_ptr<const Settings> settings() const;
  // Takes effect for the next group commit and the next read. Reminder rules apply to each
  // item from its next scheduled evaluation on (the due index is not rebuilt).
  void Reconfigure(Settings settings);
  date::year_month_day Today() const;
  // Sets the derived fields (light, overdue) as of today.
  void Decorate(v1::Item& item, const date::year_month_day& today) const;
  v1::Light LightOf(const v1::Item& item, const date::year_month_day& today) const;

 public:
  struct Mutation;  // defined in engine.cc; public only so helpers there can name it

 private:
  struct Group;
  void Submit(std::unique_ptr<Mutation> m);
  void WriterLoop();
  void CommitGroup(std::vector<std::unique_ptr<Mutation>> batch);
  Result<v1::Item> Apply(Mutation& m, Group& g);
  Result<v1::RunRemindersResponse> ApplyRun(Group& g, const std::string& actor, bool write);
  Status ApplyDeliveryUpdate(Group& g, const DeliveryUpdate& u);
  // Stamps version, revision and time on `item`, writes it and returns its event (in
  // g.events), which now holds the item; the caller adds to the event and writes it with
  // WriteEvent.
  v1::Event& CommitItem(Group& g, v1::Item&& item, const v1::Item* current, v1::EventKind kind,
                        v1::Action action, const std::string& comment, const std::string& actor,
                        const std::string& request_id);
  // Seals the event into the audit chain (after g's head) and writes it. Events are written in
  // revision order, each once it is complete: nothing may change an event after this.
  void WriteEvent(Group& g, v1::Event& event);
  // The item's next due instant given when it was last evaluated (0 = never).
  int64_t NextFire(const v1::Item& item, int64_t since_us, int64_t now_us) const;

  store::Store& store_;
  const Clock& clock_;
  const date::time_zone* zone_;
  const EngineOptions options_;  // its policy, reminder_rules and route seed settings_
  mutable std::mutex settings_mu_;
  std::shared_ptr<const Settings> settings_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Mutation>> queue_;
  bool stopping_ = false;
  std::thread writer_;
  // Answers callers off the writer thread: a completion decorates the item and hands the reply
  // to gRPC, which writes it to the socket on the calling thread. Done on the writer, that was
  // ~12% of its time (perf, a create/confirm load) while the next group waited. Groups are
  // answered in commit order; Stop drains them.
  using Completions = std::vector<std::function<void(const Status&)>>;
  void CompleterLoop();
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::deque<std::pair<Completions, Status>> done_queue_;
  bool done_stopping_ = false;
  std::thread completer_;
  std::vector<Listener> listeners_;
  std::vector<ScheduleListener> schedule_listeners_;

  // Owned by the writer thread once started.
  uint64_t revision_ = 0;
  std::map<v1::State, uint64_t> counts_;
  std::map<int, uint64_t> seqs_;
  uint64_t outbox_seq_ = 0;
  std::string head_hash_;  // the audit chain's head: the last committed event's hash
  // The last group's batch, cleared and used again: its buffer keeps its capacity, where a new
  // one grew from nothing each group and freeing it made malloc consolidate (~9% of the writer
  // in perf under transitions). One grown past kMaxSpareWriteBytes is dropped instead.
  std::unique_ptr<store::WriteSet> spare_writes_;
  static constexpr size_t kMaxSpareWriteBytes = 4 << 20;
  // Bytes a reminder run wrote per due item, last time: the next run reserves that much up
  // front (WriteSet::Reserve). Writer thread only.
  size_t run_bytes_per_due_ = 8 << 10;
  TimePoint started_at_;

  std::atomic<uint64_t> committed_revision_{0};
  // No live entry of the due index lies below it. The index is a queue (every run deletes the
  // entries it handled and adds later ones), so its head is a run of tombstones until
  // compaction drops them; reads start here instead of stepping over every one of them. Only
  // the writer moves it: down, before a group that adds an entry below it is written; up, to
  // the head a run finds in the committed state, and past the entries a run moved on once its
  // group is written (Group::due_floor_after). A reader takes its snapshot first and reads the
  // floor after: every entry in its snapshot was committed after the floor went below it.
  std::atomic<int64_t> due_floor_{0};
  mutable std::mutex stats_mu_;
  GroupStats stats_;
};

}  // namespace rectify::engine
