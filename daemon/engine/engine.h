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
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "domain/actor.h"
#include "domain/calendar.h"
#include "domain/lights.h"
#include "domain/workflow.h"
#include "rectify/v1/rectify.pb.h"
#include "store/store.h"

namespace rectify::engine {

struct EngineOptions {
  bool sync = true;             // fsync the WAL before acknowledging (the default that counts)
  size_t max_group = 1024;      // mutations per group commit
  size_t max_pending = 10000;   // queued mutations beyond this are refused (overload)
  bool open_mode = true;        // no principals configured: any named caller may register items
  domain::LightRules light_rules;
};

using Done = std::function<void(Result<v1::Item>)>;

// Called after every group commit with its events, in revision order.
using Listener = std::function<void(const std::vector<v1::Event>&)>;

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

  // Listeners are added before Start.
  void AddListener(Listener listener);

  // Reads, from a fresh snapshot. Items come back with their derived light and overdue flag.
  Result<v1::Item> GetItem(const domain::Actor& actor, const std::string& id);
  Result<v1::ListItemsResponse> ListItems(const domain::Actor& actor,
                                          const v1::ListItemsRequest& req);
  Result<v1::GetHistoryResponse> GetHistory(const domain::Actor& actor,
                                            const v1::GetHistoryRequest& req);
  Result<v1::ServerInfo> GetServerInfo();

  uint64_t committed_revision() const { return committed_revision_.load(); }
  GroupStats stats() const;
  store::Store& store() { return store_; }
  const Clock& clock() const { return clock_; }
  const date::time_zone* zone() const { return zone_; }
  const domain::Calendar& calendar() const { return calendar_; }
  date::year_month_day Today() const;
  // Sets the derived fields (light, overdue) as of today.
  void Decorate(v1::Item& item, const date::year_month_day& today) const;

 private:
  struct Mutation;
  struct Group;
  void Submit(std::unique_ptr<Mutation> m);
  void WriterLoop();
  void CommitGroup(std::vector<std::unique_ptr<Mutation>> batch);
  Result<v1::Item> Apply(Mutation& m, Group& g);

  store::Store& store_;
  const Clock& clock_;
  const date::time_zone* zone_;
  const domain::Calendar calendar_;
  const EngineOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Mutation>> queue_;
  bool stopping_ = false;
  std::thread writer_;
  std::vector<Listener> listeners_;

  // Owned by the writer thread once started.
  uint64_t revision_ = 0;
  std::map<v1::State, uint64_t> counts_;
  std::map<int, uint64_t> seqs_;

  std::atomic<uint64_t> committed_revision_{0};
  mutable std::mutex stats_mu_;
  GroupStats stats_;
};

}  // namespace rectify::engine
