#include "http/metrics.h"

#include <cmath>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "prom_text.h"

namespace rectify::http {
namespace {

using testing::Exposition;
using testing::Labels;

Exposition Scrape(const Metrics& m) {
  Exposition e;
  std::string text = m.Render();
  std::string err = testing::Parse(text, &e);
  EXPECT_EQ(err, "") << text;
  return e;
}

TEST(PromTextTest, RefusesWhatPrometheusRefuses) {
  Exposition e;
  EXPECT_EQ(testing::Parse("# TYPE a counter\na 1\n", &e), "");
  EXPECT_NE(testing::Parse("a 1", &e), "");                            // no final newline
  EXPECT_NE(testing::Parse("a{b=\"c} 1\n", &e), "");                   // unterminated value
  EXPECT_NE(testing::Parse("a{b=\"\\x\"} 1\n", &e), "");               // bad escape
  EXPECT_NE(testing::Parse("1a 1\n", &e), "");                         // bad name
  EXPECT_NE(testing::Parse("a one\n", &e), "");                        // bad value
  EXPECT_NE(testing::Parse("a 1\na 2\n", &e), "");                     // duplicate series
  EXPECT_NE(testing::Parse("a 1\nb 1\na{x=\"1\"} 1\n", &e), "");       // split group
  EXPECT_NE(testing::Parse("# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
                           "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", &e), "");
  EXPECT_NE(testing::Parse("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
                           "h_sum 1\nh_count 1\n", &e), "");
}

TEST(MetricsTest, FreshRegistryHasTheUnlabelledSeries) {
  // They exist from the start, so rate() and alerts work before the first event. (A labelled
  // family appears with its first label combination: prometheus-cpp renders no empty family.)
  Metrics m;
  Exposition e = Scrape(m);
  EXPECT_EQ(e.TypeOf("rectify_commits_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_commit_failures_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_committed_mutations_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_commit_batch_size"), "histogram");
  EXPECT_EQ(e.TypeOf("rectify_fsync_duration_seconds"), "histogram");
  EXPECT_EQ(e.TypeOf("rectify_revision"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_watchers"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_watcher_max_lag_revisions"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_outbox_pending"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_outbox_oldest_age_seconds"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_store_wal_written_bytes_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_store_wal_syncs_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_store_write_stall_seconds_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_store_write_stopped"), "gauge");
  EXPECT_EQ(e.Value("rectify_commits_total"), 0);
  EXPECT_EQ(e.Value("rectify_fsync_duration_seconds_count"), 0);
  EXPECT_EQ(e.Bucket("rectify_fsync_duration_seconds", {}, "+Inf"), 0);
  EXPECT_EQ(e.Value("rectify_revision"), 0);
}

TEST(MetricsTest, EveryFamilyHasItsType) {
  Metrics m;
  m.RpcDone("GetItem", "OK", 0.001);
  m.SetItemsByState("ASSIGNED", 1);
  m.SetItemsByLight("GREEN", 1);
  m.SetRemindersByState("PENDING", 1);
  m.ReminderFired("OVERDUE");
  m.DeliveryAttempt("hook", "sent");
  Exposition e = Scrape(m);
  EXPECT_EQ(e.TypeOf("rectify_rpc_requests_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_rpc_duration_seconds"), "histogram");
  EXPECT_EQ(e.TypeOf("rectify_items"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_items_by_light"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_reminders"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_reminders_fired_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_delivery_attempts_total"), "counter");
  for (const auto& [name, f] : e.families) {
    EXPECT_EQ(name.rfind("rectify_", 0), 0u) << name;
    EXPECT_FALSE(f.help.empty()) << name;
  }
  EXPECT_EQ(e.families.size(), 21u);  // with the store's four unlabelled ones
}

TEST(MetricsTest, RpcCountsAndLatencyBuckets) {
  Metrics m;
  m.RpcDone("CreateItem", "OK", 0.003);
  m.RpcDone("CreateItem", "OK", 0.004);
  m.RpcDone("CreateItem", "ABORTED", 0.2);
  m.RpcDone("GetItem", "OK", 0.0004);
  Exposition e = Scrape(m);

  const Labels ok{{"method", "CreateItem"}, {"code", "OK"}};
  const Labels aborted{{"method", "CreateItem"}, {"code", "ABORTED"}};
  const Labels get{{"method", "GetItem"}, {"code", "OK"}};
  EXPECT_EQ(e.Value("rectify_rpc_requests_total", ok), 2);
  EXPECT_EQ(e.Value("rectify_rpc_requests_total", aborted), 1);
  EXPECT_EQ(e.Value("rectify_rpc_requests_total", get), 1);

  const std::string h = "rectify_rpc_duration_seconds";
  EXPECT_EQ(e.Bucket(h, ok, "0.001"), 0);
  EXPECT_EQ(e.Bucket(h, ok, "0.0025"), 0);
  EXPECT_EQ(e.Bucket(h, ok, "0.005"), 2);
  EXPECT_EQ(e.Bucket(h, ok, "10"), 2);
  EXPECT_EQ(e.Bucket(h, ok, "+Inf"), 2);
  EXPECT_EQ(e.Value(h + "_count", ok), 2);
  EXPECT_NEAR(*e.Value(h + "_sum", ok), 0.007, 1e-9);
  EXPECT_EQ(e.Bucket(h, aborted, "0.1"), 0);
  EXPECT_EQ(e.Bucket(h, aborted, "0.25"), 1);
  EXPECT_EQ(e.Bucket(h, get, "0.0005"), 1);
  // Every bucket boundary the design promises is there.
  for (const char* le : {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                         "0.25", "0.5", "1", "2.5", "5", "10"}) {
    EXPECT_TRUE(e.Bucket(h, get, le).has_value()) << le;
  }
}

TEST(MetricsTest, GroupCommits) {
  Metrics m;
  m.GroupCommitted(3, 0.002);
  m.GroupCommitted(1, 0.00005);
  m.GroupCommitted(100, 0.03);
  m.GroupCommitFailed();
  Exposition e = Scrape(m);
  EXPECT_EQ(e.Value("rectify_commits_total"), 3);
  EXPECT_EQ(e.Value("rectify_committed_mutations_total"), 104);
  EXPECT_EQ(e.Value("rectify_commit_failures_total"), 1);
  EXPECT_EQ(e.Bucket("rectify_commit_batch_size", {}, "1"), 1);
  EXPECT_EQ(e.Bucket("rectify_commit_batch_size", {}, "4"), 2);
  EXPECT_EQ(e.Bucket("rectify_commit_batch_size", {}, "64"), 2);
  EXPECT_EQ(e.Bucket("rectify_commit_batch_size", {}, "128"), 3);
  EXPECT_EQ(e.Value("rectify_commit_batch_size_sum"), 104);
  EXPECT_EQ(e.Bucket("rectify_fsync_duration_seconds", {}, "0.0001"), 1);
  EXPECT_EQ(e.Bucket("rectify_fsync_duration_seconds", {}, "0.0025"), 2);
  EXPECT_EQ(e.Bucket("rectify_fsync_duration_seconds", {}, "0.05"), 3);
  EXPECT_EQ(e.Value("rectify_fsync_duration_seconds_count"), 3);
  EXPECT_NEAR(*e.Value("rectify_fsync_duration_seconds_sum"), 0.03205, 1e-9);
}

TEST(MetricsTest, GaugesAreSetNotAdded) {
  Metrics m;
  m.SetRevision(41);
  m.SetRevision(42);
  m.SetItemsByState("ASSIGNED", 7);
  m.SetItemsByState("ASSIGNED", 5);
  m.SetItemsByState("CLOSED", 0);
  m.SetItemsByLight("RED", 2);
  m.SetWatchers(3);
  m.SetWatcherMaxLag(17);
  m.SetRemindersByState("PENDING", 4);
  m.SetRemindersByState("DEAD", 1);
  m.SetOutbox(4, 3600.5);
  Exposition e = Scrape(m);
  EXPECT_EQ(e.Value("rectify_revision"), 42);
  EXPECT_EQ(e.Value("rectify_items", {{"state", "ASSIGNED"}}), 5);
  EXPECT_EQ(e.Value("rectify_items", {{"state", "CLOSED"}}), 0);
  EXPECT_EQ(e.Value("rectify_items_by_light", {{"light", "RED"}}), 2);
  EXPECT_EQ(e.Value("rectify_watchers"), 3);
  EXPECT_EQ(e.Value("rectify_watcher_max_lag_revisions"), 17);
  EXPECT_EQ(e.Value("rectify_reminders", {{"state", "PENDING"}}), 4);
  EXPECT_EQ(e.Value("rectify_reminders", {{"state", "DEAD"}}), 1);
  EXPECT_EQ(e.Value("rectify_outbox_pending"), 4);
  EXPECT_EQ(e.Value("rectify_outbox_oldest_age_seconds"), 3600.5);

  m.SetOutbox(0, 0);
  m.SetWatchers(0);
  e = Scrape(m);
  EXPECT_EQ(e.Value("rectify_outbox_pending"), 0);
  EXPECT_EQ(e.Value("rectify_outbox_oldest_age_seconds"), 0);
  EXPECT_EQ(e.Value("rectify_watchers"), 0);
}

StoreStats SomeStore(double scale) {
  StoreStats s;
  ColumnFamilyStats items;
  items.name = "items";
  items.level0_files = 3;
  items.pending_compaction_bytes = static_cast<uint64_t>(1000 * scale);
  items.memtable_bytes = 4096;
  items.sst_bytes = 1 << 20;
  items.blob_bytes = 0;
  items.flush_cpu_seconds = 0.25 * scale;
  items.flush_written_bytes = static_cast<uint64_t>(5000 * scale);
  items.compaction_cpu_seconds = 1.5 * scale;
  items.compaction_read_bytes = static_cast<uint64_t>(7000 * scale);
  items.compaction_written_bytes = static_cast<uint64_t>(6000 * scale);
  items.write_slowdowns = static_cast<uint64_t>(2 * scale);
  items.write_stops = 0;
  ColumnFamilyStats index = items;
  index.name = "index";
  index.blob_bytes = 123456;
  s.column_families = {items, index};
  s.wal_written_bytes = static_cast<uint64_t>(1e6 * scale);
  s.wal_syncs = static_cast<uint64_t>(10 * scale);
  s.write_stall_seconds = 0.5 * scale;
  s.write_stopped = scale > 1;
  s.running_flushes = 1;
  s.running_compactions = 0;
  s.block_cache_capacity_bytes = 64 << 20;
  s.block_cache_usage_bytes = 1 << 20;
  s.block_cache_pinned_bytes = 4096;
  return s;
}

TEST(MetricsTest, StoreFiguresBecomeSeriesByColumnFamily) {
  Metrics m;
  m.SetStore(SomeStore(1));
  Exposition e = Scrape(m);
  EXPECT_EQ(e.TypeOf("rectify_store_level0_files"), "gauge");
  EXPECT_EQ(e.TypeOf("rectify_store_compaction_cpu_seconds_total"), "counter");
  EXPECT_EQ(e.TypeOf("rectify_store_wal_syncs_total"), "counter");
  EXPECT_EQ(e.Value("rectify_store_level0_files", {{"cf", "items"}}), 3);
  EXPECT_EQ(e.Value("rectify_store_pending_compaction_bytes", {{"cf", "index"}}), 1000);
  EXPECT_EQ(e.Value("rectify_store_memtable_bytes", {{"cf", "items"}}), 4096);
  EXPECT_EQ(e.Value("rectify_store_disk_bytes", {{"cf", "index"}, {"kind", "blob"}}), 123456);
  EXPECT_EQ(e.Value("rectify_store_disk_bytes", {{"cf", "items"}, {"kind", "sst"}}), 1 << 20);
  EXPECT_EQ(e.Value("rectify_store_flush_cpu_seconds_total", {{"cf", "items"}}), 0.25);
  EXPECT_EQ(e.Value("rectify_store_flush_written_bytes_total", {{"cf", "items"}}), 5000);
  EXPECT_EQ(e.Value("rectify_store_compaction_cpu_seconds_total", {{"cf", "index"}}), 1.5);
  EXPECT_EQ(e.Value("rectify_store_compaction_read_bytes_total", {{"cf", "items"}}), 7000);
  EXPECT_EQ(e.Value("rectify_store_compaction_written_bytes_total", {{"cf", "items"}}), 6000);
  EXPECT_EQ(e.Value("rectify_store_write_stalls_total", {{"cf", "items"}, {"kind", "slowdown"}}),
            2);
  EXPECT_EQ(e.Value("rectify_store_write_stalls_total", {{"cf", "items"}, {"kind", "stop"}}), 0);
  EXPECT_EQ(e.Value("rectify_store_wal_written_bytes_total"), 1e6);
  EXPECT_EQ(e.Value("rectify_store_wal_syncs_total"), 10);
  EXPECT_EQ(e.Value("rectify_store_write_stall_seconds_total"), 0.5);
  EXPECT_EQ(e.Value("rectify_store_write_stopped"), 0);
  EXPECT_EQ(e.Value("rectify_store_running_jobs", {{"kind", "flush"}}), 1);
  EXPECT_EQ(e.Value("rectify_store_running_jobs", {{"kind", "compaction"}}), 0);
  EXPECT_EQ(e.Value("rectify_store_block_cache_bytes", {{"kind", "capacity"}}), 64 << 20);
  EXPECT_EQ(e.Value("rectify_store_block_cache_bytes", {{"kind", "usage"}}), 1 << 20);
  EXPECT_EQ(e.Value("rectify_store_block_cache_bytes", {{"kind", "pinned"}}), 4096);
}

TEST(MetricsTest, StoreCountersFollowTheStoresTotalsAndNeverGoBack) {
  Metrics m;
  m.SetStore(SomeStore(1));
  m.SetStore(SomeStore(3));  // totals grew: the counters are the new totals, not sums
  Exposition e = Scrape(m);
  EXPECT_EQ(e.Value("rectify_store_compaction_cpu_seconds_total", {{"cf", "items"}}), 4.5);
  EXPECT_EQ(e.Value("rectify_store_wal_syncs_total"), 30);
  EXPECT_EQ(e.Value("rectify_store_write_stall_seconds_total"), 1.5);
  EXPECT_EQ(e.Value("rectify_store_write_stopped"), 1);
  EXPECT_EQ(e.Value("rectify_store_pending_compaction_bytes", {{"cf", "items"}}), 3000);
  m.SetStore(SomeStore(2));  // lower totals: gauges follow, counters stay
  e = Scrape(m);
  EXPECT_EQ(e.Value("rectify_store_compaction_cpu_seconds_total", {{"cf", "items"}}), 4.5);
  EXPECT_EQ(e.Value("rectify_store_wal_syncs_total"), 30);
  EXPECT_EQ(e.Value("rectify_store_pending_compaction_bytes", {{"cf", "items"}}), 2000);
}

TEST(MetricsTest, RevisionKeepsItsDigits) {
  // A gauge is a double: exact up to 2^53, which a ledger's revision will not pass.
  Metrics m;
  m.SetRevision(123456789012345ull);
  EXPECT_EQ(Scrape(m).Value("rectify_revision"), 123456789012345.0);
}

TEST(MetricsTest, RemindersAndDeliveries) {
  Metrics m;
  m.ReminderFired("OVERDUE");
  m.ReminderFired("OVERDUE");
  m.ReminderFired("SUPERVISION");
  m.DeliveryAttempt("wecom", "sent");
  m.DeliveryAttempt("wecom", "retry");
  m.DeliveryAttempt("wecom", "retry");
  m.DeliveryAttempt("mail", "dead");
  Exposition e = Scrape(m);
  EXPECT_EQ(e.Value("rectify_reminders_fired_total", {{"kind", "OVERDUE"}}), 2);
  EXPECT_EQ(e.Value("rectify_reminders_fired_total", {{"kind", "SUPERVISION"}}), 1);
  EXPECT_EQ(e.Value("rectify_delivery_attempts_total", {{"channel", "wecom"}, {"outcome", "sent"}}),
            1);
  EXPECT_EQ(
      e.Value("rectify_delivery_attempts_total", {{"channel", "wecom"}, {"outcome", "retry"}}), 2);
  EXPECT_EQ(e.Value("rectify_delivery_attempts_total", {{"channel", "mail"}, {"outcome", "dead"}}),
            1);
  EXPECT_FALSE(
      e.Value("rectify_delivery_attempts_total", {{"channel", "mail"}, {"outcome", "sent"}}));
}

TEST(MetricsTest, LabelValuesAreEscapedAndKeptApart) {
  Metrics m;
  const std::string odd = "机器人 \"ops\"\\team\nline2";
  m.DeliveryAttempt(odd, "sent");
  // The cache key must not confuse ("a","bc") with ("ab","c").
  m.DeliveryAttempt("a", "bc");
  m.DeliveryAttempt("ab", "c");
  m.DeliveryAttempt("ab", "c");
  Exposition e = Scrape(m);
  EXPECT_EQ(e.Value("rectify_delivery_attempts_total", {{"channel", odd}, {"outcome", "sent"}}), 1);
  EXPECT_EQ(e.Value("rectify_delivery_attempts_total", {{"channel", "a"}, {"outcome", "bc"}}), 1);
  EXPECT_EQ(e.Value("rectify_delivery_attempts_total", {{"channel", "ab"}, {"outcome", "c"}}), 2);
}

TEST(MetricsTest, NonsenseDurationsDoNotPoisonTheSum) {
  Metrics m;
  m.RpcDone("GetItem", "OK", -1.0);
  m.RpcDone("GetItem", "OK", std::nan(""));
  m.GroupCommitted(1, std::numeric_limits<double>::infinity());
  Exposition e = Scrape(m);
  const Labels l{{"method", "GetItem"}, {"code", "OK"}};
  EXPECT_EQ(e.Value("rectify_rpc_duration_seconds_count", l), 2);
  EXPECT_EQ(e.Value("rectify_rpc_duration_seconds_sum", l), 0);
  EXPECT_EQ(e.Bucket("rectify_rpc_duration_seconds", l, "0.0005"), 2);
  EXPECT_EQ(e.Value("rectify_fsync_duration_seconds_sum"), 0);
}

TEST(MetricsTest, ConcurrentRecordingLosesNothing) {
  Metrics m;
  constexpr int kThreads = 8, kPerThread = 5000;
  const char* methods[] = {"CreateItem", "GetItem", "ListItems", "Transition"};
  std::atomic<bool> done{false};
  std::thread reader([&] {
    // Scrapes while the counters move must always parse.
    while (!done) {
      Exposition e;
      ASSERT_EQ(testing::Parse(m.Render(), &e), "");
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        m.RpcDone(methods[(t + i) % 4], i % 10 == 0 ? "NOT_FOUND" : "OK", 0.001);
        m.GroupCommitted(2, 0.001);
        m.DeliveryAttempt("hook", "sent");
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  reader.join();
  Exposition e = Scrape(m);
  double total = 0;
  for (const auto& s : e.families["rectify_rpc_requests_total"].samples) total += s.value;
  EXPECT_EQ(total, kThreads * kPerThread);
  EXPECT_EQ(e.Value("rectify_commits_total"), kThreads * kPerThread);
  EXPECT_EQ(e.Value("rectify_committed_mutations_total"), 2.0 * kThreads * kPerThread);
  EXPECT_EQ(e.Value("rectify_delivery_attempts_total", {{"channel", "hook"}, {"outcome", "sent"}}),
            kThreads * kPerThread);
  EXPECT_EQ(e.families["rectify_rpc_requests_total"].samples.size(), 8u);  // 4 methods x 2 codes
}

}  // namespace
}  // namespace rectify::http
