// Store: opening a data directory, atomic commits seen through snapshots, index maintenance,
// history and event ranges, idempotency records and counters. A real RocksDB in a scratch
// directory per test.

#include "store/store.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "store/keys.h"
#include "store_test_util.h"

namespace rectify::store {
namespace {

using test_util::MakeEvent;
using test_util::MakeItem;
using test_util::Query;
using test_util::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

std::unique_ptr<Store> OpenOk(const std::string& dir) {
  StoreOptions o;
  o.dir = dir;
  o.block_cache_bytes = 1 << 20;
  o.write_buffer_bytes = 1 << 20;
  auto s = Store::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  if (!s.ok()) return nullptr;
  return std::move(s).value();
}

Result<std::unique_ptr<Store>> TryOpen(const std::string& dir, bool read_only = false) {
  StoreOptions o;
  o.dir = dir;
  o.read_only = read_only;
  return Store::Open(o);
}

bool SameItem(const v1::Item& a, const v1::Item& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

std::vector<uint64_t> Revisions(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.revision());
  return out;
}

// Every page of a query, concatenated.
std::vector<std::string> ListAll(const ReadView& view, ListQuery q) {
  std::vector<std::string> out;
  for (int pages = 0; pages < 10000; ++pages) {
    auto page = view.List(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    if (!page.ok()) break;
    for (const auto& i : page->items) out.push_back(i.id());
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  return out;
}

// A RocksDB database written directly, with the given column families.
void MakeRawDb(const std::string& dir, const std::vector<std::string>& cf_names,
               const std::vector<std::pair<std::string, std::string>>& meta) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const auto& n : cf_names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(opts, dir, cfs, &handles, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const auto& [k, v] : meta) {
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[0], k, v).ok());
  }
  for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(raw->Close().ok());
  delete raw;
}

std::vector<std::string> ColumnFamiliesOf(const std::string& dir) {
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<std::string> kLedgerCfs = {"default", "items", "events", "index", "idem"};

std::string U32(uint32_t v) {
  std::string s;
  keys::AppendU32(s, v);
  return s;
}

// ------------------------------------------------------------------------------------------
// Opening

TEST(StoreOpenTest, FreshDirectoryGetsSchemaVersionAndColumnFamilies) {
  TempDir tmp;
  const std::string dir = tmp.sub("ledger");  // does not exist yet
  {
    auto store = OpenOk(dir);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->schema_version(), keys::kSchemaVersion);
    EXPECT_EQ(store->dir(), dir);
    auto view = store->View();
    EXPECT_EQ(view->revision(), 0u);
    EXPECT_EQ(view->compact_revision(), 0u);
  }
  // The column families KEYS.md lists (later schema additions are allowed here).
  EXPECT_THAT(ColumnFamiliesOf(dir), IsSupersetOf({"default", "items", "events", "index", "idem"}));

  // The schema version is on disk, as a big-endian u32 under the meta key.
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw).ok());
  std::string v;
  ASSERT_TRUE(raw->Get(rocksdb::ReadOptions(), keys::SchemaVersionKey(), &v).ok());
  EXPECT_EQ(v, U32(keys::kSchemaVersion));
  delete raw;

  // And a second open accepts it.
  auto again = OpenOk(dir);
  ASSERT_NE(again, nullptr);
}

// The scheduling policy of each of this process's threads with that name.
std::vector<int> PoliciesOfThreads(const std::string& name) {
  std::vector<int> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string got;
    std::getline(comm, got);
    if (got == name) out.push_back(sched_getscheduler(std::stoi(task.path().filename())));
  }
  return out;
}

// [storage] compaction_cpu_priority = "idle": a compaction runs at SCHED_IDLE, a flush does not.
// (A thread of RocksDB's pools takes its pool's priority when it picks up a job.)
TEST(StoreOpenTest, CompactionRunsAtIdlePriorityWhenAsked) {
  TempDir tmp;
  StoreOptions o;
  o.dir = tmp.path();
  o.write_buffer_bytes = 64 << 10;  // small memtables: a few hundred KB make compactions
  o.compaction_at_idle_priority = true;
  auto opened = Store::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& store = *opened;
  std::vector<int> low;
  int serial = 0;
  // Level 0 is compacted from its fourth file on; each memtable of items is about 64 KB.
  for (int round = 0; round < 200; ++round) {
    auto ws = store->NewWriteSet();
    for (int i = 0; i < 50; ++i) {
      v1::Item item = MakeItem("2025-" + std::to_string(100000 + ++serial), v1::STATE_ASSIGNED,
                               "办公室", "2025-06-30");
      item.set_title(std::string(1000, 'x'));
      ws->PutItem(item, nullptr);
    }
    ASSERT_TRUE(store->Commit(*ws, /*sync=*/false).ok());
    low = PoliciesOfThreads("rocksdb:low");
    if (std::find(low.begin(), low.end(), SCHED_IDLE) != low.end()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_THAT(low, ::testing::Contains(SCHED_IDLE))
      << "no compaction thread at SCHED_IDLE after 10 MB of items";
  for (int policy : PoliciesOfThreads("rocksdb:high")) {
    EXPECT_EQ(policy, SCHED_OTHER) << "flushes keep normal priority";
  }
}

// Store::Stats reads RocksDB's own figures: flushes and compactions of real writes show up in the
// column family that had them, and nowhere else.
TEST(StoreOpenTest, StatsFollowFlushesAndCompactionsPerColumnFamily) {
  TempDir tmp;
  StoreOptions o;
  o.dir = tmp.path();
  o.write_buffer_bytes = 64 << 10;
  o.block_cache_bytes = 8 << 20;
  auto opened = Store::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& store = *opened;

  StoreStats fresh = store->Stats();
  std::vector<std::string> names;
  for (const auto& cf : fresh.column_families) names.push_back(cf.name);
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("meta", "items", "events", "index", "idem",
                                                     "remind"));
  EXPECT_EQ(fresh.block_cache_capacity_bytes, o.block_cache_bytes);
  auto items_of = [](const StoreStats& s) {
    for (const auto& cf : s.column_families) {
      if (cf.name == "items") return cf;
    }
    return ColumnFamilyStats{};
  };
  EXPECT_EQ(items_of(fresh).flush_written_bytes, 0u);
  EXPECT_EQ(items_of(fresh).compaction_written_bytes, 0u);

  int serial = 0, synced = 0;
  uint64_t written = 0;
  StoreStats now;
  for (int round = 0; round < 400; ++round) {
    auto ws = store->NewWriteSet();
    for (int i = 0; i < 50; ++i) {
      // Ids out of order, so that level-0 files overlap and compactions rewrite them (files of
      // ascending keys would only be moved down a level).
      const int id = 100000 + (++serial * 7919) % 90000;
      v1::Item item =
          MakeItem("2025-" + std::to_string(id), v1::STATE_ASSIGNED, "办公室", "2025-06-30");
      item.set_title(std::string(1000, 'x'));
      ws->PutItem(item, nullptr);
    }
    written += ws->size_bytes();
    const bool sync = round % 10 == 0;
    synced += sync;
    ASSERT_TRUE(store->Commit(*ws, sync).ok());
    now = store->Stats();
    if (items_of(now).compaction_written_bytes > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const ColumnFamilyStats items = items_of(now);
  EXPECT_GT(items.flush_written_bytes, 0u);
  EXPECT_GT(items.compaction_written_bytes, 0u) << "no compaction of items after 20 MB of them";
  EXPECT_GT(items.compaction_read_bytes, 0u);
  EXPECT_GT(items.flush_cpu_seconds + items.compaction_cpu_seconds, 0.0);
  EXPECT_GT(items.sst_bytes, 0u);
  EXPECT_GE(now.wal_written_bytes, written);
  EXPECT_GE(now.wal_syncs, static_cast<uint64_t>(synced));
  for (const auto& cf : now.column_families) {
    if (cf.name == "events" || cf.name == "idem") {
      EXPECT_EQ(cf.flush_written_bytes, 0u) << cf.name << " was never written";
      EXPECT_EQ(cf.sst_bytes, 0u) << cf.name;
    }
  }
}

TEST(StoreOpenTest, ReopenKeepsCommittedData) {
  TempDir tmp;
  const v1::Item item = MakeItem("2025-000001", v1::STATE_ASSIGNED, "办公室", "2025-06-30");
  {
    auto store = OpenOk(tmp.path());
    ASSERT_NE(store, nullptr);
    auto ws = store->NewWriteSet();
    ws->PutItem(item, nullptr);
    ws->PutEvent(MakeEvent(1, item, v1::EVENT_KIND_CREATED));
    ws->PutRevision(1);
    ws->PutSeq(2025, 1);
    ws->PutCount(v1::STATE_ASSIGNED, 1);
    ASSERT_TRUE(store->Commit(*ws, /*sync=*/true).ok());
  }
  auto store = OpenOk(tmp.path());
  ASSERT_NE(store, nullptr);
  auto view = store->View();
  EXPECT_EQ(view->revision(), 1u);
  auto got = view->GetItem(item.id());
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_TRUE(SameItem(**got, item));
  auto seq = view->GetSeq(2025);
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 1u);
  EXPECT_THAT(ListAll(*view, Query().unit("办公室")), ElementsAre(item.id()));
}

TEST(StoreOpenTest, NewerSchemaVersionIsRefusedNamingBothVersions) {
  TempDir tmp;
  MakeRawDb(tmp.path(), kLedgerCfs, {{keys::SchemaVersionKey(), U32(keys::kSchemaVersion + 1)}});
  auto s = TryOpen(tmp.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition) << s.status().ToString();
  const std::string want_found = "schema version " + std::to_string(keys::kSchemaVersion + 1);
  const std::string want_known = "schema version " + std::to_string(keys::kSchemaVersion);
  EXPECT_THAT(s.status().message(), HasSubstr(want_found));
  EXPECT_THAT(s.status().message(), HasSubstr(want_known));
  EXPECT_THAT(s.status().message(), HasSubstr(tmp.path()));
}

TEST(StoreOpenTest, OlderSchemaVersionIsRefused) {
  TempDir tmp;
  MakeRawDb(tmp.path(), kLedgerCfs, {{keys::SchemaVersionKey(), U32(0)}});
  auto s = TryOpen(tmp.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition) << s.status().ToString();
  EXPECT_THAT(s.status().message(), HasSubstr("schema version 0"));
  EXPECT_THAT(s.status().message(),
              HasSubstr("schema version " + std::to_string(keys::kSchemaVersion)));
}

TEST(StoreOpenTest, MalformedSchemaVersionIsRefused) {
  TempDir tmp;
  MakeRawDb(tmp.path(), kLedgerCfs, {{keys::SchemaVersionKey(), "1"}});  // text, not a u32
  auto s = TryOpen(tmp.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition) << s.status().ToString();
}

TEST(StoreOpenTest, PlainRocksDbIsRefusedAndLeftAlone) {
  TempDir tmp;
  MakeRawDb(tmp.path(), {"default"}, {{"some", "thing"}});
  auto s = TryOpen(tmp.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition) << s.status().ToString();
  EXPECT_THAT(s.status().message(), HasSubstr("not a rectifyd ledger"));
  // Refusing must not have created rectifyd's column families in someone else's database.
  EXPECT_THAT(ColumnFamiliesOf(tmp.path()), ElementsAre("default"));
}

TEST(StoreOpenTest, UnknownColumnFamilyIsRefused) {
  TempDir tmp;
  auto cfs = kLedgerCfs;
  cfs.push_back("from_the_future");
  MakeRawDb(tmp.path(), cfs, {{keys::SchemaVersionKey(), U32(keys::kSchemaVersion)}});
  auto s = TryOpen(tmp.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kFailedPrecondition) << s.status().ToString();
  EXPECT_THAT(s.status().message(), HasSubstr("from_the_future"));
}

TEST(StoreOpenTest, SecondOpenWhileOpenIsUnavailable) {
  TempDir tmp;
  auto first = OpenOk(tmp.path());
  ASSERT_NE(first, nullptr);
  auto second = TryOpen(tmp.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable) << second.status().ToString();
  EXPECT_THAT(second.status().message(), HasSubstr(tmp.path()));
  first.reset();
  // Once the first is closed the directory is free again.
  auto third = OpenOk(tmp.path());
  EXPECT_NE(third, nullptr);
}

TEST(StoreOpenTest, ReadOnlyOpenReadsAnExistingLedger) {
  TempDir tmp;
  const v1::Item item = MakeItem("2025-000001", v1::STATE_DRAFT, "U");
  {
    auto store = OpenOk(tmp.path());
    ASSERT_NE(store, nullptr);
    auto ws = store->NewWriteSet();
    ws->PutItem(item, nullptr);
    ws->PutRevision(1);
    ASSERT_TRUE(store->Commit(*ws, true).ok());
  }
  auto ro = TryOpen(tmp.path(), /*read_only=*/true);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  auto view = (*ro)->View();
  EXPECT_EQ(view->revision(), 1u);
  auto got = view->GetItem(item.id());
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->has_value());
}

// ------------------------------------------------------------------------------------------
// Commits and views

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenOk(tmp_.path());
    ASSERT_NE(store_, nullptr);
  }
  void Commit(const std::function<void(WriteSet&)>& fill) {
    auto ws = store_->NewWriteSet();
    fill(*ws);
    auto s = store_->Commit(*ws, /*sync=*/false);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Events of `item` at revisions [from, to], each hashed "hash-of-<revision>", in one commit
  // that moves the revision to `to`.
  void CommitHashedEvents(const v1::Item& item, uint64_t from, uint64_t to) {
    Commit([&](WriteSet& ws) {
      for (uint64_t r = from; r <= to; ++r) {
        v1::Event e = MakeEvent(r, item);
        e.set_hash("hash-of-" + std::to_string(r));
        ws.PutEvent(e);
      }
      ws.PutRevision(to);
    });
  }

  TempDir tmp_;  // declared first: outlives the store
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, CommitIsVisibleToANewViewOnly) {
  const v1::Item item = MakeItem("2025-000001", v1::STATE_ASSIGNED, "办公室", "2025-06-30");
  auto before = store_->View();
  Commit([&](WriteSet& ws) {
    ws.PutItem(item, nullptr);
    ws.PutEvent(MakeEvent(1, item, v1::EVENT_KIND_CREATED));
    ws.PutRevision(1);
  });
  auto after = store_->View();

  // The old snapshot sees nothing of the commit: not the item, not its index entries, not its
  // event, not the revision.
  EXPECT_EQ(before->revision(), 0u);
  auto old_get = before->GetItem(item.id());
  ASSERT_TRUE(old_get.ok());
  EXPECT_FALSE(old_get->has_value());
  EXPECT_TRUE(ListAll(*before, Query().unit("办公室")).empty());
  EXPECT_TRUE(ListAll(*before, Query()).empty());
  auto old_events = before->Events(0, 100);
  ASSERT_TRUE(old_events.ok());
  EXPECT_TRUE(old_events->empty());
  uint64_t next = 0;
  auto old_history = before->History(item.id(), 0, 100, &next);
  ASSERT_TRUE(old_history.ok());
  EXPECT_TRUE(old_history->empty());

  EXPECT_EQ(after->revision(), 1u);
  auto got = after->GetItem(item.id());
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_TRUE(SameItem(**got, item));
  EXPECT_THAT(ListAll(*after, Query().unit("办公室")), ElementsAre(item.id()));
  auto events = after->Events(0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].item_id(), item.id());
  EXPECT_EQ((*events)[0].kind(), v1::EVENT_KIND_CREATED);
  auto history = after->History(item.id(), 0, 100, &next);
  ASSERT_TRUE(history.ok());
  EXPECT_THAT(Revisions(*history), ElementsAre(1u));
}

TEST_F(StoreTest, LaterCommitDoesNotChangeAnOpenView) {
  v1::Item item = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U1");
  Commit([&](WriteSet& ws) {
    ws.PutItem(item, nullptr);
    ws.PutRevision(1);
  });
  auto v1view = store_->View();
  v1::Item changed = item;
  changed.set_title("changed");
  changed.set_unit("U2");
  changed.set_version(2);
  Commit([&](WriteSet& ws) {
    ws.PutItem(changed, &item);
    ws.PutRevision(2);
  });
  auto got = v1view->GetItem(item.id());
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->title(), item.title());
  EXPECT_EQ(v1view->revision(), 1u);
  EXPECT_THAT(ListAll(*v1view, Query().unit("U1")), ElementsAre(item.id()));
  EXPECT_TRUE(ListAll(*v1view, Query().unit("U2")).empty());
  auto now = store_->View();
  EXPECT_EQ(now->revision(), 2u);
  auto got2 = now->GetItem(item.id());
  ASSERT_TRUE(got2.ok() && got2->has_value());
  EXPECT_EQ((*got2)->title(), "changed");
}

// The due index read from a starting point, with what lies after the answer.
TEST_F(StoreTest, DueIndexReadsFromAStartAndSaysWhatFollows) {
  // a at 10, b at 20, c at 30; then a is handled and moves to 40 (its entry at 10 deleted).
  Commit([&](WriteSet& ws) {
    ws.PutSchedule("a", nullptr, Schedule{10, 1});
    ws.PutSchedule("b", nullptr, Schedule{20, 1});
    ws.PutSchedule("c", nullptr, Schedule{30, 1});
  });
  const Schedule was{10, 1};
  Commit([&](WriteSet& ws) { ws.PutSchedule("a", &was, Schedule{40, 10}); });
  auto view = store_->View();
  using Due = std::vector<std::pair<int64_t, std::string>>;

  DueTail tail;
  auto due = view->DueItems(25, 100, 0, &tail);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, (Due{{20, "b"}}));
  EXPECT_TRUE(tail.complete);
  EXPECT_EQ(tail.next, std::optional<int64_t>(30));

  // From 21 on, b is not seen; from 31, only a's new entry.
  due = view->DueItems(35, 100, 21, &tail);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, (Due{{30, "c"}}));
  EXPECT_EQ(tail.next, std::optional<int64_t>(40));
  EXPECT_EQ(*view->NextDue(31), std::optional<int64_t>(40));
  EXPECT_EQ(*view->NextDue(), std::optional<int64_t>(20));

  // Everything due, nothing after.
  due = view->DueItems(100, 100, 0, &tail);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 3u);
  EXPECT_TRUE(tail.complete);
  EXPECT_FALSE(tail.next.has_value());
  EXPECT_FALSE(view->NextDue(41)->has_value());

  // Cut short by the limit: not complete, whatever follows is not known. At exactly the
  // limit with nothing more due, it is complete.
  due = view->DueItems(100, 2, 0, &tail);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, (Due{{20, "b"}, {30, "c"}}));
  EXPECT_FALSE(tail.complete);
  EXPECT_FALSE(tail.next.has_value());
  due = view->DueItems(35, 2, 0, &tail);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 2u);
  EXPECT_TRUE(tail.complete);
  EXPECT_EQ(tail.next, std::optional<int64_t>(40));
}

// A schedule writes only what changed: most changes of an item leave its reminder schedule
// alone, and every key written costs a memtable insert now and compaction work later.
TEST_F(StoreTest, AScheduleWritesOnlyWhatChanged) {
  Commit([&](WriteSet& ws) { ws.PutSchedule("a", nullptr, Schedule{10, 1}); });
  auto count = [&](const Schedule& was, const Schedule& now) {
    auto ws = store_->NewWriteSet();
    ws->PutSchedule("a", &was, now);
    return ws->count();
  };
  EXPECT_EQ(count({10, 1}, {10, 1}), 0) << "unchanged: both keys already hold it";
  EXPECT_EQ(count({10, 1}, {10, 5}), 1) << "a new window start: the schedule only";
  EXPECT_EQ(count({10, 1}, {20, 1}), 3) << "moved: the old due entry out, the new one in";
  EXPECT_EQ(count({10, 1}, {0, 1}), 2) << "nothing more due: the old due entry out";
  EXPECT_EQ(count({0, 1}, {20, 1}), 2) << "due again: a new due entry";

  using Due = std::vector<std::pair<int64_t, std::string>>;
  auto state = [&] {
    auto view = store_->View();
    auto sch = view->GetSchedule("a");
    auto due = view->DueItems(100, 100);
    EXPECT_TRUE(sch.ok() && sch->has_value() && due.ok());
    return std::make_pair(**sch, *due);
  };
  const Schedule first{10, 1}, later{10, 5};
  Commit([&](WriteSet& ws) { ws.PutSchedule("a", &first, later); });
  auto [sch, due] = state();
  EXPECT_EQ(sch.next_us, 10);
  EXPECT_EQ(sch.since_us, 5);
  EXPECT_EQ(due, (Due{{10, "a"}})) << "the due entry stayed";
  Commit([&](WriteSet& ws) { ws.PutSchedule("a", &later, later); });
  std::tie(sch, due) = state();
  EXPECT_EQ(sch.since_us, 5);
  EXPECT_EQ(due, (Due{{10, "a"}}));
  Commit([&](WriteSet& ws) { ws.PutSchedule("a", &later, Schedule{0, 7}); });
  std::tie(sch, due) = state();
  EXPECT_EQ(sch.next_us, 0);
  EXPECT_EQ(sch.since_us, 7);
  EXPECT_TRUE(due.empty());
}

TEST_F(StoreTest, DerivedFieldsAreNotStored) {
  v1::Item item = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U", "2025-01-01");
  item.set_light(v1::LIGHT_RED);
  item.set_overdue(true);
  Commit([&](WriteSet& ws) { ws.PutItem(item, nullptr); });
  auto got = store_->View()->GetItem(item.id());
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->light(), v1::LIGHT_UNSPECIFIED);
  EXPECT_FALSE((*got)->overdue());
  EXPECT_EQ((*got)->title(), item.title());
}

TEST_F(StoreTest, GetMissingItemIsEmptyNotAnError) {
  auto got = store_->View()->GetItem("2099-999999");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_FALSE(got->has_value());
}

TEST_F(StoreTest, IndexEntriesMoveWhenAnItemChanges) {
  const v1::Item old_item = MakeItem("2025-000007", v1::STATE_ASSIGNED, "U1", "2025-03-01");
  const v1::Item other = MakeItem("2025-000008", v1::STATE_ASSIGNED, "U1", "2025-03-01");
  Commit([&](WriteSet& ws) {
    ws.PutItem(old_item, nullptr);
    ws.PutItem(other, nullptr);
  });
  v1::Item moved = old_item;
  moved.set_unit("U2");
  moved.set_state(v1::STATE_CLOSED);
  moved.set_owner("someone else");
  moved.set_deadline("2025-09-01");
  moved.set_version(2);
  Commit([&](WriteSet& ws) { ws.PutItem(moved, &old_item); });

  auto view = store_->View();
  const std::string id = moved.id();
  // Old values no longer list it; new values do; the unchanged item is untouched.
  EXPECT_THAT(ListAll(*view, Query().unit("U1")), ElementsAre(other.id()));
  EXPECT_THAT(ListAll(*view, Query().unit("U2")), ElementsAre(id));
  EXPECT_THAT(ListAll(*view, Query().states({v1::STATE_ASSIGNED})), ElementsAre(other.id()));
  EXPECT_THAT(ListAll(*view, Query().states({v1::STATE_CLOSED})), ElementsAre(id));
  EXPECT_THAT(ListAll(*view, Query().owner("owner")), ElementsAre(other.id()));
  EXPECT_THAT(ListAll(*view, Query().owner("someone else")), ElementsAre(id));
  // Unchanged values still list it (keys in both sets are kept, not deleted).
  EXPECT_THAT(ListAll(*view, Query().leader("leader")), ElementsAre(id, other.id()));
  EXPECT_THAT(ListAll(*view, Query().year(2025)), ElementsAre(id, other.id()));
  // Deadline index: moved to the new date; a closed item leaves the live-deadline index.
  ListQuery by_deadline = Query().order_by_deadline();
  EXPECT_THAT(ListAll(*view, by_deadline), ElementsAre(other.id(), id));
  ListQuery march = Query().deadlines("2025-03-01", "2025-03-31").order_by_deadline();
  EXPECT_THAT(ListAll(*view, march), ElementsAre(other.id()));
  ListQuery live = Query().live_only().order_by_deadline();
  EXPECT_THAT(ListAll(*view, live), ElementsAre(other.id()));

  // And back: reopening it puts it into the live index again.
  v1::Item reopened = moved;
  reopened.set_state(v1::STATE_IN_PROGRESS);
  reopened.set_version(3);
  Commit([&](WriteSet& ws) { ws.PutItem(reopened, &moved); });
  auto view2 = store_->View();
  EXPECT_THAT(ListAll(*view2, live), ElementsAre(other.id(), id));
  EXPECT_TRUE(ListAll(*view2, Query().states({v1::STATE_CLOSED})).empty());

  // On disk the index holds exactly the keys of the two items as they are now: nothing stale
  // (List re-checks items, so a stale entry would hide from the queries above).
  view.reset();
  view2.reset();
  store_.reset();
  std::vector<std::string> want = keys::IndexKeysFor(reopened);
  for (auto& k : keys::IndexKeysFor(other)) want.push_back(k);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(test_util::RawKeys(tmp_.path(), "index"), want);
}

TEST_F(StoreTest, RemovingADeadlineRemovesItsDeadlineKeys) {
  const v1::Item with = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U", "2025-03-01");
  Commit([&](WriteSet& ws) { ws.PutItem(with, nullptr); });
  v1::Item without = with;
  without.clear_deadline();
  Commit([&](WriteSet& ws) { ws.PutItem(without, &with); });
  auto view = store_->View();
  EXPECT_TRUE(ListAll(*view, Query().order_by_deadline()).empty());
  EXPECT_TRUE(ListAll(*view, Query().live_only().order_by_deadline()).empty());
  EXPECT_THAT(ListAll(*view, Query()), ElementsAre(with.id()));

  view.reset();
  store_.reset();
  std::vector<std::string> want = keys::IndexKeysFor(without);
  std::sort(want.begin(), want.end());
  EXPECT_EQ(test_util::RawKeys(tmp_.path(), "index"), want);
}

TEST_F(StoreTest, HistoryPagesInRevisionOrder) {
  v1::Item a = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U");
  v1::Item b = MakeItem("2025-000002", v1::STATE_ASSIGNED, "U");
  // a: 1 3 5 6 7 300 ; b: 2 4 256 — interleaved, across the 255/256 byte boundary.
  Commit([&](WriteSet& ws) {
    for (uint64_t r : {1, 3, 5, 6, 7, 300}) ws.PutEvent(MakeEvent(r, a));
    for (uint64_t r : {2, 4, 256}) ws.PutEvent(MakeEvent(r, b));
    ws.PutRevision(300);
  });
  auto view = store_->View();
  uint64_t next = 99;
  auto p1 = view->History(a.id(), 0, 2, &next);
  ASSERT_TRUE(p1.ok());
  EXPECT_THAT(Revisions(*p1), ElementsAre(1u, 3u));
  EXPECT_EQ(next, 3u);
  auto p2 = view->History(a.id(), next, 2, &next);
  ASSERT_TRUE(p2.ok());
  EXPECT_THAT(Revisions(*p2), ElementsAre(5u, 6u));
  EXPECT_EQ(next, 6u);
  auto p3 = view->History(a.id(), next, 2, &next);
  ASSERT_TRUE(p3.ok());
  EXPECT_THAT(Revisions(*p3), ElementsAre(7u, 300u));
  EXPECT_EQ(next, 0u) << "the last page says there is no more";

  auto all_b = view->History(b.id(), 0, 100, &next);
  ASSERT_TRUE(all_b.ok());
  EXPECT_THAT(Revisions(*all_b), ElementsAre(2u, 4u, 256u));
  EXPECT_EQ(next, 0u);
  for (const auto& e : *all_b) EXPECT_EQ(e.item_id(), b.id());

  auto after_last = view->History(a.id(), 300, 10, &next);
  ASSERT_TRUE(after_last.ok());
  EXPECT_TRUE(after_last->empty());
  EXPECT_EQ(next, 0u);

  auto mid = view->History(a.id(), 4, 1, &next);  // "after" need not be one of a's revisions
  ASSERT_TRUE(mid.ok());
  EXPECT_THAT(Revisions(*mid), ElementsAre(5u));
  EXPECT_EQ(next, 5u);

  auto none = view->History("2025-000003", 0, 10, &next);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(next, 0u);
}

// BUG (daemon/store/store.cc, ReadView::History, line 581 at aa07f2b): the scan starts at
// HistoryKey(id, after + 1), and after + 1 wraps to 0 when after == UINT64_MAX, so "events after
// the largest revision" returns the item's whole history from the start instead of nothing.
// `after` reaches it from a client: Engine::GetHistory parses the page token's key with
// strtoull, which also turns any overlong number into UINT64_MAX, and the token's checksum is
// not a secret. Fix: in History, `if (after == UINT64_MAX) return out;` before seeking (or seek
// to Successor(HistoryKey(id, after))).
TEST_F(StoreTest, HistoryAfterTheLargestRevisionIsEmpty) {
  v1::Item a = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U");
  Commit([&](WriteSet& ws) {
    for (uint64_t r : {1, 2, 3}) ws.PutEvent(MakeEvent(r, a));
    ws.PutRevision(3);
  });
  uint64_t next = 99;
  auto page = store_->View()->History(a.id(), std::numeric_limits<uint64_t>::max(), 10, &next);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Revisions(*page), ElementsAre());
  EXPECT_EQ(next, 0u);
}

TEST_F(StoreTest, HistoryPagingNeverRepeatsOrSkips) {
  v1::Item a = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U");
  std::vector<uint64_t> want;
  Commit([&](WriteSet& ws) {
    for (uint64_t r = 1; r <= 40; ++r) {
      if (r % 3 == 0) continue;
      ws.PutEvent(MakeEvent(r, a));
      want.push_back(r);
    }
    ws.PutRevision(40);
  });
  auto view = store_->View();
  for (size_t limit : {1, 2, 5, 26, 27, 100}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    std::vector<uint64_t> got;
    uint64_t after = 0;
    for (int guard = 0; guard < 100; ++guard) {
      uint64_t next = 0;
      auto page = view->History(a.id(), after, limit, &next);
      ASSERT_TRUE(page.ok());
      EXPECT_LE(page->size(), limit);
      for (const auto& e : *page) got.push_back(e.revision());
      if (next == 0) break;
      after = next;
    }
    EXPECT_EQ(got, want);
  }
}

TEST_F(StoreTest, EventsRange) {
  v1::Item a = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U");
  Commit([&](WriteSet& ws) {
    for (uint64_t r = 1; r <= 10; ++r) ws.PutEvent(MakeEvent(r, a));
    ws.PutRevision(10);
  });
  auto view = store_->View();
  auto all = view->Events(0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(Revisions(*all), ElementsAre(1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u));
  auto mid = view->Events(4, 3);
  ASSERT_TRUE(mid.ok());
  EXPECT_THAT(Revisions(*mid), ElementsAre(4u, 5u, 6u)) << "from is inclusive";
  auto tail = view->Events(9, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_THAT(Revisions(*tail), ElementsAre(9u, 10u));
  auto past = view->Events(11, 100);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->empty());

  // Events written past the view's revision (the revision key not yet advanced) are not shown:
  // the range is [from, revision()].
  Commit([&](WriteSet& ws) { ws.PutEvent(MakeEvent(11, a)); });
  auto view2 = store_->View();
  EXPECT_EQ(view2->revision(), 10u);
  auto upto = view2->Events(10, 100);
  ASSERT_TRUE(upto.ok());
  EXPECT_THAT(Revisions(*upto), ElementsAre(10u));
}

TEST_F(StoreTest, EventsAcrossByteBoundariesComeInNumericOrder) {
  v1::Item a = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U");
  const std::vector<uint64_t> revs = {255, 256, 257, 65535, 65536, (1ull << 32) - 1, 1ull << 32};
  Commit([&](WriteSet& ws) {
    for (auto it = revs.rbegin(); it != revs.rend(); ++it) ws.PutEvent(MakeEvent(*it, a));
    ws.PutRevision(revs.back());
  });
  auto view = store_->View();
  auto all = view->Events(0, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Revisions(*all), revs);
  uint64_t next = 0;
  auto hist = view->History(a.id(), 0, 100, &next);
  ASSERT_TRUE(hist.ok());
  EXPECT_EQ(Revisions(*hist), revs);
}

TEST_F(StoreTest, IdemRoundTrip) {
  IdemRecord rec;
  rec.fingerprint = 0xDEADBEEFCAFEF00Dull;
  rec.revision = 1ull << 40;
  rec.item = MakeItem("2025-000042", v1::STATE_DRAFT, "办公室");
  Commit([&](WriteSet& ws) { ws.PutIdem("张三", "req-1", rec); });
  auto view = store_->View();
  auto got = view->GetIdem("张三", "req-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->fingerprint, rec.fingerprint);
  EXPECT_EQ((*got)->revision, rec.revision);
  EXPECT_TRUE(SameItem((*got)->item, rec.item));

  // Another request id, another actor, or the same bytes split differently: no record.
  for (auto [actor, req] : std::vector<std::pair<std::string, std::string>>{
           {"张三", "req-2"}, {"李四", "req-1"}, {"张", "三req-1"}, {"张三r", "eq-1"}}) {
    auto miss = view->GetIdem(actor, req);
    ASSERT_TRUE(miss.ok());
    EXPECT_FALSE(miss->has_value()) << actor << " / " << req;
  }
}

TEST_F(StoreTest, IdemWithEmptyItem) {
  IdemRecord rec;
  rec.fingerprint = 1;
  rec.revision = 2;
  Commit([&](WriteSet& ws) { ws.PutIdem("a", "r", rec); });
  auto got = store_->View()->GetIdem("a", "r");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->fingerprint, 1u);
  EXPECT_EQ((*got)->revision, 2u);
  EXPECT_TRUE((*got)->item.id().empty());
}

TEST_F(StoreTest, CountsAndSeqs) {
  auto fresh = store_->View();
  auto counts0 = fresh->GetCounts();
  ASSERT_TRUE(counts0.ok());
  EXPECT_EQ(counts0->size(), 8u) << "one entry per real state";
  EXPECT_EQ(counts0->count(v1::STATE_UNSPECIFIED), 0u);
  for (const auto& [state, n] : *counts0) EXPECT_EQ(n, 0u) << v1::State_Name(state);
  auto seq0 = fresh->GetSeq(2025);
  ASSERT_TRUE(seq0.ok());
  EXPECT_EQ(*seq0, 0u);

  Commit([&](WriteSet& ws) {
    ws.PutCount(v1::STATE_ASSIGNED, 3);
    ws.PutCount(v1::STATE_CANCELLED, 1ull << 33);
    ws.PutSeq(2025, 17);
    ws.PutSeq(2026, 300);
  });
  Commit([&](WriteSet& ws) { ws.PutCount(v1::STATE_ASSIGNED, 4); });  // overwrite
  auto view = store_->View();
  auto counts = view->GetCounts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(v1::STATE_ASSIGNED), 4u);
  EXPECT_EQ(counts->at(v1::STATE_CANCELLED), 1ull << 33);
  EXPECT_EQ(counts->at(v1::STATE_DRAFT), 0u);
  auto s25 = view->GetSeq(2025), s26 = view->GetSeq(2026), s24 = view->GetSeq(2024);
  ASSERT_TRUE(s25.ok() && s26.ok() && s24.ok());
  EXPECT_EQ(*s25, 17u);
  EXPECT_EQ(*s26, 300u);
  EXPECT_EQ(*s24, 0u);
  // The old view still has the old values.
  auto old_counts = fresh->GetCounts();
  ASSERT_TRUE(old_counts.ok());
  EXPECT_EQ(old_counts->at(v1::STATE_ASSIGNED), 0u);
}

TEST_F(StoreTest, WriteSetCountsItsOperations) {
  auto ws = store_->NewWriteSet();
  EXPECT_EQ(ws->count(), 0);
  ws->PutRevision(1);
  EXPECT_EQ(ws->count(), 1);
  const size_t before = ws->size_bytes();
  ws->PutItem(MakeItem("2025-000001", v1::STATE_ASSIGNED, "U", "2025-01-01"), nullptr);
  // The item plus its 10 index keys (8 equality + 'd' + 'D').
  EXPECT_EQ(ws->count(), 12);
  EXPECT_GT(ws->size_bytes(), before);
}

TEST_F(StoreTest, EmptyCommitIsFine) {
  auto ws = store_->NewWriteSet();
  auto s = store_->Commit(*ws, true);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store_->View()->revision(), 0u);
}

}  // namespace
}  // namespace rectify::store

namespace rectify::store {
namespace {

// ------------------------------------------------------------------------------------------
// The audit chain's anchors (issue #5)

namespace audit {

std::string U64(uint64_t v) {
  std::string s;
  keys::AppendU64(s, v);
  return s;
}

TEST(StoreAuditTest, AFreshLedgerIsHashedFromRevisionOne) {
  TempDir tmp;
  auto store = OpenOk(tmp.path());
  ASSERT_NE(store, nullptr);
  auto view = store->View();
  EXPECT_EQ(view->chain_start(), 1u);
  EXPECT_EQ(view->compact_hash(), "");
}

TEST(StoreAuditTest, ASchemaOneLedgerIsUpgradedAndItsChainStartsAfterItsLastRevision) {
  TempDir tmp;
  std::vector<std::string> cfs = kLedgerCfs;
  cfs.push_back("remind");  // what a schema-1 rectifyd created
  MakeRawDb(tmp.path(), cfs,
            {{keys::SchemaVersionKey(), U32(1)}, {keys::RevisionKey(), U64(7)}});
  {
    // Read-only: nothing written, and nothing in it counts as hashed.
    auto ro = TryOpen(tmp.path(), /*read_only=*/true);
    ASSERT_TRUE(ro.ok()) << ro.status().ToString();
    EXPECT_EQ((*ro)->View()->chain_start(), 8u);
  }
  {
    auto store = OpenOk(tmp.path());
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->View()->chain_start(), 8u);
    // Events written later do not move the recorded start.
    auto ws = store->NewWriteSet();
    ws->PutRevision(9);
    ASSERT_TRUE(store->Commit(*ws, true).ok());
  }
  auto again = OpenOk(tmp.path());
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->View()->chain_start(), 8u);
  rocksdb::DB* raw = nullptr;
  again.reset();
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : ColumnFamiliesOf(tmp.path())) {
    descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  ASSERT_TRUE(
      rocksdb::DB::OpenForReadOnly(rocksdb::Options(), tmp.path(), descs, &handles, &raw).ok());
  std::string v;
  ASSERT_TRUE(raw->Get(rocksdb::ReadOptions(), keys::SchemaVersionKey(), &v).ok());
  EXPECT_EQ(v, U32(keys::kSchemaVersion));
  for (auto* h : handles) ASSERT_TRUE(raw->DestroyColumnFamilyHandle(h).ok());
  delete raw;
}

TEST(StoreAuditTest, ReadOnlyOpenOfAMissingDirectoryCreatesNothing) {
  TempDir tmp;
  auto s = TryOpen(tmp.sub("nope"), /*read_only=*/true);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(tmp.sub("nope")));
}

TEST_F(StoreTest, CompactionRecordsTheHashOfTheLastEventItDeletes) {
  v1::Item a = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U");
  CommitHashedEvents(a, 1, 5);
  ASSERT_TRUE(store_->CompactEvents(4).ok());
  auto view = store_->View();
  EXPECT_EQ(view->compact_revision(), 4u);
  EXPECT_EQ(view->compact_hash(), "hash-of-3");
  auto raw = view->RawEvents(0, 100);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->size(), 2u);
  EXPECT_EQ((*raw)[0].first, 4u);
  // The item's history keeps every event, byte for byte the same as the log's.
  for (uint64_t r = 1; r <= 5; ++r) {
    auto copy = view->RawHistoryEvent(a.id(), r);
    ASSERT_TRUE(copy.ok());
    ASSERT_TRUE(copy->has_value()) << r;
    if (r >= 4) {
      EXPECT_EQ(**copy, (*raw)[r - 4].second);
    }
  }
  auto missing = view->RawHistoryEvent(a.id(), 6);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  // A later compaction moves the recorded head on.
  ASSERT_TRUE(store_->CompactEvents(6).ok());
  EXPECT_EQ(store_->View()->compact_hash(), "hash-of-5");
}

// A view reads the ledger's counters on first use, and from its own snapshot: asked only after
// a later commit and a compaction, it still answers as of the moment it was made.
TEST_F(StoreTest, AViewAskedLateAnswersAsOfItsSnapshot) {
  v1::Item a = MakeItem("2025-000001", v1::STATE_ASSIGNED, "U");
  CommitHashedEvents(a, 1, 3);
  ASSERT_TRUE(store_->CompactEvents(2).ok());
  auto early = store_->View();
  CommitHashedEvents(a, 4, 4);
  ASSERT_TRUE(store_->CompactEvents(4).ok());

  EXPECT_EQ(early->revision(), 3u);
  EXPECT_EQ(early->compact_revision(), 2u);
  EXPECT_EQ(early->compact_hash(), "hash-of-1");
  EXPECT_EQ(early->chain_start(), 1u);
  auto events = early->Events(0, 100);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);  // revisions 2 and 3: the view's range ends at its revision
  EXPECT_EQ(events->back().revision(), 3u);

  auto late = store_->View();
  EXPECT_EQ(late->revision(), 4u);
  EXPECT_EQ(late->compact_revision(), 4u);
  EXPECT_EQ(late->compact_hash(), "hash-of-3");
}

}  // namespace audit

}  // namespace
}  // namespace rectify::store
