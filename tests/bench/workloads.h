#pragma once

// The workloads, each measured against one running rectifyd and reported as rows:
//
//   ceiling     GetServerInfo (answered from a snapshot): what the server and the client can do
//               for a call that does no work, at the same concurrency
//   create      CreateItem, durable
//   transition  Transition of items cycling through the workflow, durable; then once more,
//               paced at half the peak it reached (the latency a loaded but not saturated
//               server gives)
//   mixed       70% reads (60% get, 10% list), 30% writes (20% transition, 10% create)
//   get         GetItem of random existing items
//   list        ListItems, 50 a page, filtered (unit; unit+state; owner; year+states)
//   watch       commit-to-subscriber latency and memory per watcher, W watchers
//   remind      a reminder run over a ledger with a given share due (needs a test clock)
//   load        fill the ledger with N items spread over years, units, states, deadlines
//   fsync       (disk.h, not here) append + fdatasync on the data directory's disk, no daemon
//
// Threads: every method runs on the caller's thread and blocks until its rows are printed.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client.h"
#include "daemon_process.h"
#include "ledger.h"
#include "report.h"
#include "runner.h"

namespace rectify::bench {

struct Options {
  std::vector<std::string> workloads;
  std::vector<int> concurrency;
  double duration_s = 5;
  double warmup_s = 1;
  uint64_t items = 10000;
  std::vector<int> watchers = {1, 1000};
  double watch_rate = 20;
  // "all": every watcher receives every event. "item": watcher i filters on the i-th item of
  // the pool the writers move, so each event reaches the one watcher watching its item.
  std::string watch_filter = "all";
  double due_share = 0.1;
  // remind: a dry run before the run. It reads every due item, so the run after it finds them in
  // the block cache: its figure is then a warm run, not the cold one a morning run is.
  bool remind_dry_run = false;
  bool half_rate = true;
  // transition@half at this rate instead of half the peak (0 = half the peak).
  double paced_rate = 0;
  int channels = 4;
  bool batches = true;
};

class Bench {
 public:
  // `daemon` is null when the bench did not start the daemon (--addr): its CPU and memory are
  // then unknown.
  Bench(const Options& opts, Reporter& out, Client& client, DaemonProcess* daemon);

  void Throughput(const std::string& workload);  // ceiling, create, transition, mixed, get, list
  void Watch();
  void Remind();
  void Load(uint64_t target, int concurrency);
  // Waits (at most 15 min) until RocksDB has no compaction pending or running: after a load,
  // and before the first measured run on a ledger that was left with compactions to do.
  void SettleStore();

 private:
  Issue CeilingIssue();
  Issue CreateIssue();
  Issue TransitionIssue(int concurrency);
  Issue GetIssue();
  Issue ListIssue();
  Issue MixedIssue(int concurrency);

  // Runs `go` in a measured window and turns its result and the samples taken at the window's
  // edges into a row: throughput, latency, daemon CPU and peak RSS, client CPU, and for
  // workloads that write, the commit groups the daemon formed.
  Row Measure(const std::string& workload, int concurrency, bool writes,
              const std::function<RunResult(const Window&)>& go);
  Window BaseWindow() const;
  std::string PrepareReads();     // the ledger holds --items items and the catalog knows them
  std::string PreparePool(size_t size);  // `size` movable items, grown ones replaced first
  uint64_t Revision();
  bool SetClock(const std::string& rfc3339);

  const Options& opts_;
  Reporter& out_;
  Client& client_;
  DaemonProcess* daemon_;
  bool test_clock_ = false;

  Pool pool_;
  Catalog catalog_;
  bool catalog_ready_ = false;
  std::map<int, double> ceiling_;  // concurrency -> ops/s
  std::vector<std::mt19937_64> rngs_;  // per slot
  std::vector<size_t> cursors_;        // per slot: its next pool item
  std::atomic<uint64_t> create_n_{0};
  std::atomic<uint64_t> transition_n_{0};
  // While a watch run is on: the writer's acknowledgements, revision -> system time (us).
  std::mutex acks_mu_;
  struct Ack {
    int64_t at_us;
    std::string item;
  };
  std::map<uint64_t, Ack>* acks_ = nullptr;  // revision -> when the writer saw it, and its item
  // List latency by filter shape (all requests of a run, warm-up included).
  std::mutex list_mu_;
  std::vector<float> list_ms_[4];
};

}  // namespace rectify::bench
