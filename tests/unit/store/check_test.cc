// The offline consistency checker (store/check.h): a ledger built by the real engine checks
// clean; each way of breaking it on purpose (an index key deleted, a dangling one added, an
// event dropped, the due index or the outbox or a counter out of step, ...) is reported.
// Table-driven: one fresh ledger per case, one corruption, the line that must name it.

#include "store/check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/util/time_util.h>
#include <rocksdb/db.h>

#include <future>

#include "domain/dates.h"
#include "engine/engine.h"
#include "store/keys.h"
#include "store_test_util.h"

namespace rectify::store {
namespace {

using test_util::TempDir;
using ::testing::HasSubstr;

constexpr const char* kCfs[] = {"default", "items", "events", "index", "idem", "remind"};
enum Cf { kMeta = 0, kItems, kEvents, kIndex, kIdem, kRemind };

TimePoint At(const char* rfc3339) {
  google::protobuf::Timestamp ts;
  EXPECT_TRUE(google::protobuf::util::TimeUtil::FromString(rfc3339, &ts));
  return TimePoint(std::chrono::seconds(ts.seconds()));
}

// A ledger as the engine writes it: three items (one created, one confirmed, one closed by
// cancel), a request id, a reminder run that fired and queued a delivery.
void BuildLedger(const std::string& dir) {
  StoreOptions so;
  so.dir = dir;
  auto store = Store::Open(so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ManualClock clock(At("2025-09-20T08:00:00+08:00"));
  engine::EngineOptions eo;
  eo.route = [](const v1::Reminder& r, const v1::Item&) {
    return std::vector<engine::DeliveryTarget>{{"hook", r.recipient(), "", false}};
  };
  engine::Engine engine(**store, clock, *domain::LocateZone("Asia/Shanghai"),
                        domain::DefaultCalendar(), eo);
  ASSERT_TRUE(engine.Start().ok());
  domain::Actor boss;
  boss.name = "王五";
  boss.supervisor = true;
  boss.admin = true;
  boss.known = true;
  auto create = [&](const std::string& rid) {
    v1::CreateItemRequest c;
    auto* it = c.mutable_item();
    it->set_title("台账更新不及时");
    it->set_description("d");
    it->set_source(v1::SOURCE_INSPECTION);
    it->set_category(v1::CATEGORY_WORK_STYLE);
    it->set_unit("办公室");
    it->set_owner("张三");
    it->set_leader("李四");
    it->set_verifier("王五");
    it->add_measures()->set_text("每周更新");
    it->set_deadline("2025-10-10");
    c.set_request_id(rid);
    std::promise<Result<v1::Item>> p;
    engine.SubmitCreate(boss, c, [&p](Result<v1::Item> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->id() : std::string();
  };
  auto transition = [&](const std::string& id, v1::Action action) {
    v1::TransitionRequest t;
    t.set_id(id);
    t.set_action(action);
    t.set_comment("c");
    std::promise<Result<v1::Item>> p;
    engine.SubmitTransition(boss, t, [&p](Result<v1::Item> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  };
  const std::string a = create("req-1");
  const std::string b = create("");
  const std::string c = create("");
  transition(b, v1::ACTION_CONFIRM);
  transition(c, v1::ACTION_CANCEL);
  clock.Set(At("2025-09-26T09:00:01+08:00"));  // five working days before the deadline
  std::promise<Result<v1::RunRemindersResponse>> run;
  engine.SubmitRun("scheduler", [&run](auto r) { run.set_value(std::move(r)); });
  auto fired = run.get_future().get();
  ASSERT_TRUE(fired.ok()) << fired.status().ToString();
  ASSERT_GT(fired->fired_size(), 0) << "the ledger should hold a fired reminder";
  ASSERT_GT(fired->deliveries_size(), 0);
  engine.Stop();
}

// Opens the ledger with a plain RocksDB handle and lets `fn` change it behind the store's back.
void Corrupt(const std::string& dir,
             const std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)>& fn) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* n : kCfs) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  auto s = rocksdb::DB::Open(rocksdb::DBOptions(), dir, cfs, &handles, &db);
  ASSERT_TRUE(s.ok()) << s.ToString();
  fn(db, handles);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  delete db;
}

// The first key of a column family that starts with `prefix`.
std::string FirstKey(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& prefix,
                     std::string* value = nullptr) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  it->Seek(prefix);
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    ADD_FAILURE() << "no key with prefix " << prefix;
    return "";
  }
  if (value) *value = it->value().ToString();
  return it->key().ToString();
}

CheckReport Check(const std::string& dir, bool with_policy = true) {
  StoreOptions so;
  so.dir = dir;
  so.read_only = true;
  auto store = Store::Open(so);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return {};
  static const domain::Calendar calendar = domain::DefaultCalendar();
  static const domain::ReminderRules rules;
  CheckOptions o;
  if (with_policy) {
    o.zone = *domain::LocateZone("Asia/Shanghai");
    o.calendar = &calendar;
    o.rules = &rules;
  }
  auto r = CheckStore(**store, o);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : CheckReport{};
}

std::string Joined(const CheckReport& r) {
  std::string out;
  for (const auto& p : r.problems) out += p + "\n";
  return out;
}

TEST(CheckTest, LedgerWrittenByTheEngineIsClean) {
  TempDir tmp;
  BuildLedger(tmp.sub("db"));
  const CheckReport r = Check(tmp.sub("db"));
  EXPECT_TRUE(r.clean()) << Joined(r);
  EXPECT_EQ(r.items, 3u);
  EXPECT_GE(r.events, 6u);
  EXPECT_EQ(r.events, r.revision);
  EXPECT_EQ(r.idem_records, 1u);
  EXPECT_GT(r.reminders, 0u);
  EXPECT_GT(r.deliveries, 0u);
  EXPECT_EQ(r.pending, r.deliveries);
  EXPECT_GT(r.due_entries, 0u);
}

TEST(CheckTest, MissingDirectoryIsAnErrorNotAnEmptyLedger) {
  TempDir tmp;
  StoreOptions so;
  so.dir = tmp.sub("nothing-here");
  so.read_only = true;
  auto store = Store::Open(so);
  EXPECT_FALSE(store.ok());
  EXPECT_FALSE(std::filesystem::exists(tmp.sub("nothing-here"))) << "read-only created it";
}

struct Case {
  const char* name;
  std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)> corrupt;
  const char* expect;  // a substring of one problem line
};

void Put(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& k,
         const std::string& v) {
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, k, v).ok());
}
void Del(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& k) {
  ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, k).ok());
}
std::string U64(uint64_t v) {
  std::string s;
  keys::AppendU64(s, v);
  return s;
}

const Case kCases[] = {
    {"index entry deleted",
     [](auto* db, auto& h) {
       Del(db, h[kIndex], FirstKey(db, h[kIndex], keys::IndexPrefix(keys::Tag::kUnit, "办公室")));
     },
     "index entry missing"},
    {"dangling index entry",
     [](auto* db, auto& h) {
       Put(db, h[kIndex], keys::IndexKey(keys::IndexPrefix(keys::Tag::kOwner, "x"), "2025-999999"),
           "");
     },
     "dangling entry"},
    {"stale index entry (old state kept)",
     [](auto* db, auto& h) {
       std::string id = FirstKey(db, h[kItems], "");
       Put(db, h[kIndex], keys::IndexKey(keys::IndexPrefix(keys::Tag::kState, 7, 1), id), "");
     },
     "stale entry"},
    {"event dropped from the log",
     [](auto* db, auto& h) { Del(db, h[kEvents], keys::EventKey(2)); },
     "gap: revisions 2..2 are missing"},
    {"last events dropped",
     [](auto* db, auto& h) {
       std::string rev;
       db->Get(rocksdb::ReadOptions(), h[kMeta], keys::RevisionKey(), &rev).PermitUncheckedError();
       Del(db, h[kEvents], keys::EventKey(keys::ReadU64(rev)));
     },
     "are missing"},
    {"revision counter behind the log",
     [](auto* db, auto& h) { Put(db, h[kMeta], keys::RevisionKey(), U64(2)); },
     "is beyond revision"},
    {"history event dropped",
     [](auto* db, auto& h) { Del(db, h[kIndex], FirstKey(db, h[kIndex], "h")); },
     "history events"},
    {"item version bumped without an event",
     [](auto* db, auto& h) {
       std::string v;
       std::string id = FirstKey(db, h[kItems], "", &v);
       v1::Item item;
       item.ParseFromString(v);
       item.set_version(item.version() + 1);
       Put(db, h[kItems], id, item.SerializeAsString());
     },
     "history events"},
    {"state counter off",
     [](auto* db, auto& h) {
       Put(db, h[kMeta], keys::CountKey(v1::STATE_DRAFT), U64(42));
     },
     "count of STATE_DRAFT is 42"},
    {"due index entry deleted",
     [](auto* db, auto& h) { Del(db, h[kRemind], FirstKey(db, h[kRemind], keys::DuePrefix())); },
     "the due index does not have it"},
    {"dangling due entry",
     [](auto* db, auto& h) { Put(db, h[kRemind], keys::DueKey(12345, "2025-999999"), ""); },
     "dangling due entry"},
    {"schedule moved with its due entry, against the policy",
     [](auto* db, auto& h) {
       std::string v;
       std::string k = FirstKey(db, h[kRemind], keys::DuePrefix());
       std::string id(keys::DueIdOf(k));
       int64_t at = keys::DueTimeOf(k);
       db->Get(rocksdb::ReadOptions(), h[kRemind], keys::ScheduleKey(id), &v)
           .PermitUncheckedError();
       Del(db, h[kRemind], k);
       Put(db, h[kRemind], keys::DueKey(at + 3600000000, id), "");
       Put(db, h[kRemind], keys::ScheduleKey(id), U64(at + 3600000000) + v.substr(8));
     },
     "the reminder policy gives another time"},
    {"reminder of a queued delivery deleted",
     [](auto* db, auto& h) { Del(db, h[kRemind], FirstKey(db, h[kRemind], "r")); },
     "which was never recorded"},
    {"pending delivery not queued",
     [](auto* db, auto& h) {
       Del(db, h[kRemind], FirstKey(db, h[kRemind], keys::PendingPrefix()));
     },
     "not once at its next attempt"},
    {"queue entry of a missing delivery",
     [](auto* db, auto& h) { Put(db, h[kRemind], keys::PendingKey(1, 999), ""); },
     "queued delivery 999 does not exist"},
    {"idempotency record pointing at another event",
     [](auto* db, auto& h) {
       std::string v;
       std::string k = FirstKey(db, h[kIdem], "", &v);
       Put(db, h[kIdem], k, v.substr(0, 8) + U64(5) + v.substr(16));
     },
     "idem: request req-1"},
    {"unknown key in meta",
     [](auto* db, auto& h) { Put(db, h[kMeta], "stray", "x"); },
     "unknown key stray"},
};

class CheckCorruptionTest : public ::testing::TestWithParam<Case> {};

TEST_P(CheckCorruptionTest, IsReported) {
  const Case& c = GetParam();
  TempDir tmp;
  const std::string dir = tmp.sub("db");
  BuildLedger(dir);
  ASSERT_TRUE(Check(dir).clean());
  Corrupt(dir, c.corrupt);
  const CheckReport r = Check(dir);
  EXPECT_FALSE(r.clean()) << c.name;
  EXPECT_THAT(Joined(r), HasSubstr(c.expect)) << c.name;
  EXPECT_EQ(r.problem_count, r.problems.size());
}

INSTANTIATE_TEST_SUITE_P(Corruptions, CheckCorruptionTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           std::string n;
                           for (const char* p = info.param.name; *p; ++p) {
                             n.push_back(std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
                           }
                           return n;
                         });

}  // namespace
}  // namespace rectify::store
