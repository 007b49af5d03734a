#include "http/metrics.h"

#include <cmath>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "common/logging.h"

namespace rectify::http {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// Latency of a unary call: a read answers in well under a millisecond, a mutation waits for its
// group's fsync (milliseconds on an SSD, tens on a busy disk).
const Histogram::BucketBoundaries kRpcBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                 0.05,   0.1,   0.25,   0.5,   1,    2.5,
                                                 5,      10};
const Histogram::BucketBoundaries kFsyncBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                   0.005,  0.01,    0.025,  0.05,  0.1,
                                                   0.25,   0.5,     1};
// Mutations per group commit: powers of two up to EngineOptions::max_group's default.
const Histogram::BucketBoundaries kBatchBuckets = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

// Negative or NaN durations (a clock that went backwards, a bug upstream) would poison the sum.
double Sane(double v) { return std::isfinite(v) && v > 0 ? v : 0.0; }

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The metrics of one labelled family, cached by label values so the hot path neither builds a
// prometheus::Labels map nor takes the family's mutex after the first time a combination is seen.
// Metrics are never removed, so the cached pointers stay valid for the life of the registry.
template <typename T>
class Labelled {
 public:
  using Make = std::function<T&(const prometheus::Labels&)>;
  Labelled(std::vector<std::string> names, Make make)
      : names_(std::move(names)), make_(std::move(make)) {}

  // nullptr only when the metric could not be created (out of memory).
  T* Get(std::initializer_list<std::string_view> values) {
    thread_local std::string key;
    key.clear();
    for (std::string_view v : values) {
      key.append(v);
      key.push_back('\xff');  // never in UTF-8, so ("a","bc") and ("ab","c") differ
    }
    {
      std::shared_lock lock(mu_);
      if (auto it = cache_.find(std::string_view(key)); it != cache_.end()) return it->second;
    }
    try {
      prometheus::Labels labels;
      auto name = names_.begin();
      for (std::string_view v : values) labels.emplace(*name++, std::string(v));
      std::unique_lock lock(mu_);
      T& metric = make_(labels);  // returns the existing one if another thread won the race
      cache_.emplace(key, &metric);
      return &metric;
    } catch (const std::exception& e) {
      Logger("http")->warn("metric not recorded error={}", e.what());
      return nullptr;
    }
  }

 private:
  const std::vector<std::string> names_;
  const Make make_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, T*, StringHash, std::equal_to<>> cache_;
};

template <typename T>
Labelled<T> Plain(Family<T>& family, std::vector<std::string> names) {
  return Labelled<T>(std::move(names),
                     [&family](const prometheus::Labels& l) -> T& { return family.Add(l); });
}

Labelled<Histogram> Buckets(Family<Histogram>& family, std::vector<std::string> names,
                            const Histogram::BucketBoundaries& buckets) {
  return Labelled<Histogram>(std::move(names),
                             [&family, buckets](const prometheus::Labels& l) -> Histogram& {
                               return family.Add(l, buckets);
                             });
}

}  // namespace

struct Metrics::Impl {
  // Declared first: every family below is registered in it and referenced from it.
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  Family<Counter>& rpc_total =
      BuildCounter()
          .Name("rectify_rpc_requests_total")
          .Help("Finished RPCs by method and status code.")
          .Register(*registry);
  Family<Histogram>& rpc_seconds =
      BuildHistogram()
          .Name("rectify_rpc_duration_seconds")
          .Help("Time from receiving an RPC to finishing it, by method and status code.")
          .Register(*registry);
  Family<Counter>& commits_f = BuildCounter()
                                   .Name("rectify_commits_total")
                                   .Help("Group commits written (one synced batch each).")
                                   .Register(*registry);
  Family<Counter>& commit_failures_f =
      BuildCounter()
          .Name("rectify_commit_failures_total")
          .Help("Group commits the store refused; every mutation in them was refused.")
          .Register(*registry);
  Family<Counter>& mutations_f = BuildCounter()
                                     .Name("rectify_committed_mutations_total")
                                     .Help("Mutations acknowledged by a group commit.")
                                     .Register(*registry);
  Family<Histogram>& batch_f = BuildHistogram()
                                   .Name("rectify_commit_batch_size")
                                   .Help("Mutations per group commit.")
                                   .Register(*registry);
  Family<Histogram>& fsync_f = BuildHistogram()
                                   .Name("rectify_fsync_duration_seconds")
                                   .Help("Duration of the synced write of one group commit.")
                                   .Register(*registry);
  Family<Gauge>& revision_f = BuildGauge()
                                  .Name("rectify_revision")
                                  .Help("The last committed revision.")
                                  .Register(*registry);
  Family<Gauge>& items_f =
      BuildGauge().Name("rectify_items").Help("Items by state.").Register(*registry);
  Family<Gauge>& lights_f = BuildGauge()
                                .Name("rectify_items_by_light")
                                .Help("Open items by light (green, blue, yellow, red).")
                                .Register(*registry);
  Family<Gauge>& watchers_f = BuildGauge()
                                  .Name("rectify_watchers")
                                  .Help("Open Watch streams.")
                                  .Register(*registry);
  Family<Gauge>& lag_f =
      BuildGauge()
          .Name("rectify_watcher_max_lag_revisions")
          .Help("Revisions the furthest-behind Watch stream has still to be sent.")
          .Register(*registry);
  Family<Gauge>& reminders_f = BuildGauge()
                                   .Name("rectify_reminders")
                                   .Help("Reminder deliveries in the outbox by state.")
                                   .Register(*registry);
  Family<Counter>& fired_f = BuildCounter()
                                 .Name("rectify_reminders_fired_total")
                                 .Help("Reminders fired by reminder runs, by kind.")
                                 .Register(*registry);
  Family<Gauge>& outbox_pending_f = BuildGauge()
                                        .Name("rectify_outbox_pending")
                                        .Help("Outbox deliveries not yet sent.")
                                        .Register(*registry);
  Family<Gauge>& outbox_age_f =
      BuildGauge()
          .Name("rectify_outbox_oldest_age_seconds")
          .Help("Age of the oldest outbox delivery not yet sent (0 when none).")
          .Register(*registry);
  Family<Counter>& deliveries_f =
      BuildCounter()
          .Name("rectify_delivery_attempts_total")
          .Help("Delivery attempts by channel and outcome (sent, retry, dead); "
                "failures are outcome != \"sent\".")
          .Register(*registry);
  // The storage engine (RocksDB), per column family where it keeps figures per CF.
  Family<Gauge>& store_l0_f =
      BuildGauge()
          .Name("rectify_store_level0_files")
          .Help("Level-0 files by column family; RocksDB slows writes down at 20 and stops them "
                "at 36.")
          .Register(*registry);
  Family<Gauge>& store_pending_f =
      BuildGauge()
          .Name("rectify_store_pending_compaction_bytes")
          .Help("RocksDB's estimate of the bytes compaction has still to rewrite, by column "
                "family.")
          .Register(*registry);
  Family<Gauge>& store_memtable_f = BuildGauge()
                                        .Name("rectify_store_memtable_bytes")
                                        .Help("Memtable bytes (active and immutable) by column "
                                              "family.")
                                        .Register(*registry);
  Family<Gauge>& store_disk_f =
      BuildGauge()
          .Name("rectify_store_disk_bytes")
          .Help("Bytes of table files (kind=\"sst\") and blob files (kind=\"blob\") by column "
                "family.")
          .Register(*registry);
  Family<Counter>& store_flush_cpu_f =
      BuildCounter()
          .Name("rectify_store_flush_cpu_seconds_total")
          .Help("CPU time spent writing memtables to level-0 files, by column family.")
          .Register(*registry);
  Family<Counter>& store_flush_written_f =
      BuildCounter()
          .Name("rectify_store_flush_written_bytes_total")
          .Help("Bytes written by flushes (table and blob files), by column family.")
          .Register(*registry);
  Family<Counter>& store_compaction_cpu_f =
      BuildCounter()
          .Name("rectify_store_compaction_cpu_seconds_total")
          .Help("CPU time spent in compactions, by column family.")
          .Register(*registry);
  Family<Counter>& store_compaction_read_f = BuildCounter()
                                                 .Name("rectify_store_compaction_read_bytes_total")
                                                 .Help("Bytes read by compactions, by column "
                                                       "family.")
                                                 .Register(*registry);
  Family<Counter>& store_compaction_written_f =
      BuildCounter()
          .Name("rectify_store_compaction_written_bytes_total")
          .Help("Bytes written by compactions, by column family.")
          .Register(*registry);
  Family<Counter>& store_stalls_f =
      BuildCounter()
          .Name("rectify_store_write_stalls_total")
          .Help("Times RocksDB slowed writes down (kind=\"slowdown\") or stopped them "
                "(kind=\"stop\") because of a column family.")
          .Register(*registry);
  Family<Counter>& store_wal_written_f = BuildCounter()
                                             .Name("rectify_store_wal_written_bytes_total")
                                             .Help("Bytes appended to the write-ahead log.")
                                             .Register(*registry);
  Family<Counter>& store_wal_syncs_f = BuildCounter()
                                           .Name("rectify_store_wal_syncs_total")
                                           .Help("Syncs of the write-ahead log.")
                                           .Register(*registry);
  Family<Counter>& store_stall_seconds_f =
      BuildCounter()
          .Name("rectify_store_write_stall_seconds_total")
          .Help("Time commits spent waiting because RocksDB slowed or stopped writes.")
          .Register(*registry);
  Family<Gauge>& store_stopped_f = BuildGauge()
                                       .Name("rectify_store_write_stopped")
                                       .Help("1 while RocksDB stops every write.")
                                       .Register(*registry);
  Family<Gauge>& store_jobs_f = BuildGauge()
                                    .Name("rectify_store_running_jobs")
                                    .Help("Flushes and compactions running now, by kind.")
                                    .Register(*registry);
  Family<Gauge>& store_cache_f =
      BuildGauge()
          .Name("rectify_store_block_cache_bytes")
          .Help("The block cache shared by every column family: kind=\"capacity\", \"usage\" "
                "and \"pinned\" (in use by a reader, cannot be evicted).")
          .Register(*registry);

  // Unlabelled series: created once, used directly.
  Counter& commits = commits_f.Add({});
  Counter& commit_failures = commit_failures_f.Add({});
  Counter& mutations = mutations_f.Add({});
  Histogram& batch = batch_f.Add({}, kBatchBuckets);
  Histogram& fsync = fsync_f.Add({}, kFsyncBuckets);
  Gauge& revision = revision_f.Add({});
  Gauge& watchers = watchers_f.Add({});
  Gauge& lag = lag_f.Add({});
  Gauge& outbox_pending = outbox_pending_f.Add({});
  Gauge& outbox_age = outbox_age_f.Add({});

  Counter& store_wal_written = store_wal_written_f.Add({});
  Counter& store_wal_syncs = store_wal_syncs_f.Add({});
  Counter& store_stall_seconds = store_stall_seconds_f.Add({});
  Gauge& store_stopped = store_stopped_f.Add({});

  Labelled<Counter> rpc_count = Plain(rpc_total, {"method", "code"});
  Labelled<Histogram> rpc_latency = Buckets(rpc_seconds, {"method", "code"}, kRpcBuckets);
  Labelled<Gauge> items = Plain(items_f, {"state"});
  Labelled<Gauge> lights = Plain(lights_f, {"light"});
  Labelled<Gauge> reminders = Plain(reminders_f, {"state"});
  Labelled<Counter> fired = Plain(fired_f, {"kind"});
  Labelled<Counter> deliveries = Plain(deliveries_f, {"channel", "outcome"});
  Labelled<Gauge> store_l0 = Plain(store_l0_f, {"cf"});
  Labelled<Gauge> store_pending = Plain(store_pending_f, {"cf"});
  Labelled<Gauge> store_memtable = Plain(store_memtable_f, {"cf"});
  Labelled<Gauge> store_disk = Plain(store_disk_f, {"cf", "kind"});
  Labelled<Counter> store_flush_cpu = Plain(store_flush_cpu_f, {"cf"});
  Labelled<Counter> store_flush_written = Plain(store_flush_written_f, {"cf"});
  Labelled<Counter> store_compaction_cpu = Plain(store_compaction_cpu_f, {"cf"});
  Labelled<Counter> store_compaction_read = Plain(store_compaction_read_f, {"cf"});
  Labelled<Counter> store_compaction_written = Plain(store_compaction_written_f, {"cf"});
  Labelled<Counter> store_stalls = Plain(store_stalls_f, {"cf", "kind"});
  Labelled<Gauge> store_jobs = Plain(store_jobs_f, {"kind"});
  Labelled<Gauge> store_cache = Plain(store_cache_f, {"kind"});
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::RpcDone(std::string_view method, std::string_view code, double seconds) {
  if (auto* c = impl_->rpc_count.Get({method, code})) c->Increment();
  if (auto* h = impl_->rpc_latency.Get({method, code})) h->Observe(Sane(seconds));
}

void Metrics::GroupCommitted(size_t mutations, double fsync_seconds) {
  impl_->commits.Increment();
  impl_->mutations.Increment(static_cast<double>(mutations));
  impl_->batch.Observe(static_cast<double>(mutations));
  impl_->fsync.Observe(Sane(fsync_seconds));
}

void Metrics::GroupCommitFailed() { impl_->commit_failures.Increment(); }

void Metrics::ReminderFired(std::string_view kind) {
  if (auto* c = impl_->fired.Get({kind})) c->Increment();
}

void Metrics::DeliveryAttempt(std::string_view channel, std::string_view outcome) {
  if (auto* c = impl_->deliveries.Get({channel, outcome})) c->Increment();
}

void Metrics::SetRevision(uint64_t revision) {
  impl_->revision.Set(static_cast<double>(revision));
}

void Metrics::SetItemsByState(std::string_view state, uint64_t n) {
  if (auto* g = impl_->items.Get({state})) g->Set(static_cast<double>(n));
}

void Metrics::SetItemsByLight(std::string_view light, uint64_t n) {
  if (auto* g = impl_->lights.Get({light})) g->Set(static_cast<double>(n));
}

void Metrics::SetWatchers(size_t n) { impl_->watchers.Set(static_cast<double>(n)); }

void Metrics::SetWatcherMaxLag(uint64_t revisions) {
  impl_->lag.Set(static_cast<double>(revisions));
}

void Metrics::SetRemindersByState(std::string_view state, uint64_t n) {
  if (auto* g = impl_->reminders.Get({state})) g->Set(static_cast<double>(n));
}

void Metrics::SetOutbox(uint64_t pending, double oldest_age_seconds) {
  impl_->outbox_pending.Set(static_cast<double>(pending));
  impl_->outbox_age.Set(Sane(oldest_age_seconds));
}

namespace {

// A counter that mirrors a total kept elsewhere: it moves up to it, never down.
void Follow(Counter* c, double total) {
  if (c != nullptr && total > c->Value()) c->Increment(total - c->Value());
}

void Put(Gauge* g, double v) {
  if (g != nullptr) g->Set(v);
}

}  // namespace

void Metrics::SetStore(const StoreStats& store) {
  Impl& m = *impl_;
  for (const auto& cf : store.column_families) {
    const std::string_view name = cf.name;
    Put(m.store_l0.Get({name}), static_cast<double>(cf.level0_files));
    Put(m.store_pending.Get({name}), static_cast<double>(cf.pending_compaction_bytes));
    Put(m.store_memtable.Get({name}), static_cast<double>(cf.memtable_bytes));
    Put(m.store_disk.Get({name, "sst"}), static_cast<double>(cf.sst_bytes));
    Put(m.store_disk.Get({name, "blob"}), static_cast<double>(cf.blob_bytes));
    Follow(m.store_flush_cpu.Get({name}), cf.flush_cpu_seconds);
    Follow(m.store_flush_written.Get({name}), static_cast<double>(cf.flush_written_bytes));
    Follow(m.store_compaction_cpu.Get({name}), cf.compaction_cpu_seconds);
    Follow(m.store_compaction_read.Get({name}), static_cast<double>(cf.compaction_read_bytes));
    Follow(m.store_compaction_written.Get({name}),
           static_cast<double>(cf.compaction_written_bytes));
    Follow(m.store_stalls.Get({name, "slowdown"}), static_cast<double>(cf.write_slowdowns));
    Follow(m.store_stalls.Get({name, "stop"}), static_cast<double>(cf.write_stops));
  }
  Follow(&m.store_wal_written, static_cast<double>(store.wal_written_bytes));
  Follow(&m.store_wal_syncs, static_cast<double>(store.wal_syncs));
  Follow(&m.store_stall_seconds, Sane(store.write_stall_seconds));
  m.store_stopped.Set(store.write_stopped ? 1 : 0);
  Put(m.store_jobs.Get({"flush"}), static_cast<double>(store.running_flushes));
  Put(m.store_jobs.Get({"compaction"}), static_cast<double>(store.running_compactions));
  Put(m.store_cache.Get({"capacity"}), static_cast<double>(store.block_cache_capacity_bytes));
  Put(m.store_cache.Get({"usage"}), static_cast<double>(store.block_cache_usage_bytes));
  Put(m.store_cache.Get({"pinned"}), static_cast<double>(store.block_cache_pinned_bytes));
}

std::string Metrics::Render() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace rectify::http
