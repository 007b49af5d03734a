// The core issue end to end: the real rectifyd, driven by the real rectifyctl (and, where a
// test needs many concurrent calls or malformed bytes, by a real gRPC client).

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "harness.h"
#include "http_get.h"

namespace rectify::e2e {
namespace {

const std::string kHex64(64, 'a');

class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("core");
    guard_ = std::make_unique<TempDirGuard>(dir_);
    daemon_ = std::make_unique<Daemon>(dir_);
    daemon_->Start();
  }
  void TearDown() override {
    if (daemon_->Running()) daemon_->Stop();
  }

  CtlResult Run(const std::string& actor, std::vector<std::string> args) {
    args.insert(args.begin(), {"-o", "json"});
    return Ctl(daemon_->addr(), actor, args);
  }
  // Runs a command that must succeed and returns the item it prints.
  v1::Item Ok(const std::string& actor, const std::vector<std::string>& args) {
    auto r = Run(actor, args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return FromJson<v1::Item>(r.out);
  }
  // Runs a command that must fail with `code` (the gRPC status name).
  void Fails(const std::string& actor, const std::vector<std::string>& args,
             const std::string& code) {
    auto r = Run(actor, args);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(r.err.rfind(code + ":", 0), 0u) << "expected " << code << ", got: " << r.err;
  }
  uint64_t Revision() {
    auto r = Run("", {"server-info"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return FromJson<v1::ServerInfo>(r.out).revision();
  }
  v1::Item Create(const std::string& title, const std::string& unit = "办公室",
                  const std::string& owner = "张三", std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"create", "--title", title, "--description", "问题描述",
                                     "--source", "审计", "--category", "作风", "--unit", unit,
                                     "--owner", owner, "--leader", "李四", "--verifier", "王五",
                                     "--measure", "建立制度", "--deadline", "2099-12-31"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Ok("李四", args);
  }

  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_F(CoreTest, FullLifecycleWithTheRightPeople) {
  v1::Item item = Create("会议记录不规范");
  const std::string id = item.id();
  EXPECT_EQ(item.state(), v1::STATE_DRAFT);
  EXPECT_EQ(item.version(), 1u);
  EXPECT_EQ(item.revision(), 1u);

  item = Ok("李四", {"confirm", id, "--comment", "同意整改方案"});
  EXPECT_EQ(item.state(), v1::STATE_ASSIGNED);
  item = Ok("张三", {"start", id});
  EXPECT_EQ(item.state(), v1::STATE_IN_PROGRESS);
  item = Ok("张三", {"progress", id, "--note", "制度已起草", "--measure-done", "0"});
  EXPECT_TRUE(item.measures(0).done());
  EXPECT_EQ(item.progress_size(), 1);
  item = Ok("张三", {"submit", id, "--result", "已建立制度", "--evidence",
                     "制度文件.pdf:" + kHex64 + ":https://files/1"});
  EXPECT_EQ(item.state(), v1::STATE_SUBMITTED);
  item = Ok("李四", {"endorse", id, "--comment", "情况属实"});
  EXPECT_EQ(item.state(), v1::STATE_ENDORSED);
  item = Ok("王五", {"close", id, "--comment", "同意销号"});
  EXPECT_EQ(item.state(), v1::STATE_CLOSED);
  EXPECT_EQ(item.version(), 7u);
  EXPECT_EQ(item.revision(), 7u);
  EXPECT_EQ(item.closure(), "同意销号");
  EXPECT_EQ(item.light(), v1::LIGHT_UNSPECIFIED);
  ASSERT_GE(item.signoffs_size(), 3);

  auto h = Run("王五", {"history", id});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  auto history = FromJson<v1::GetHistoryResponse>(h.out);
  ASSERT_EQ(history.events_size(), 7);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(history.events(i).revision(), static_cast<uint64_t>(i + 1));
  EXPECT_EQ(history.events(6).prev_state(), v1::STATE_ENDORSED);
  EXPECT_EQ(history.events(6).actor(), "王五");

  // The same through the table output: Chinese labels, aligned.
  auto table = Ctl(daemon_->addr(), "王五", {"get", id});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("已销号"), std::string::npos);
}

TEST_F(CoreTest, IllegalMovesAreRefusedAndChangeNothing) {
  const std::string id = Create("问题").id();
  const uint64_t before = Revision();
  Fails("张三", {"confirm", id, "--comment", "x"}, "PERMISSION_DENIED");  // owner can't confirm
  Fails("李四", {"start", id}, "PERMISSION_DENIED");                      // leader can't start
  Fails("王五", {"close", id, "--comment", "x"}, "FAILED_PRECONDITION");  // DRAFT can't close
  Fails("赵六", {"cancel", id, "--comment", "x"}, "PERMISSION_DENIED");   // not a supervisor
  Ok("李四", {"confirm", id});
  Ok("张三", {"start", id});
  Fails("张三", {"submit", id, "--result", "done"}, "FAILED_PRECONDITION");  // no evidence
  Fails("张三", {"submit", id, "--evidence", "a:" + kHex64}, "FAILED_PRECONDITION");  // no result
  Ok("张三", {"submit", id, "--result", "done", "--evidence", "a:" + kHex64});
  Fails("李四", {"endorse", id}, "FAILED_PRECONDITION");  // no opinion
  Fails("张三", {"endorse", id, "--comment", "ok"}, "PERMISSION_DENIED");
  const uint64_t after_moves = Revision();
  EXPECT_EQ(after_moves, before + 3);  // confirm, start, submit only
  auto item = FromJson<v1::Item>(Run("x", {"get", id}).out);
  EXPECT_EQ(item.state(), v1::STATE_SUBMITTED);
  EXPECT_EQ(item.version(), 4u);
}

TEST_F(CoreTest, BadInputGetsTheRightCodeAndChangesNothing) {
  const std::string id = Create("问题").id();
  const uint64_t before = Revision();
  auto stub = v1::ItemService::NewStub(daemon_->channel());

  auto create = [&](auto mutate) {
    v1::CreateItemRequest req;
    auto* i = req.mutable_item();
    i->set_title("t");
    i->set_description("d");
    i->set_source(v1::SOURCE_AUDIT);
    i->set_category(v1::CATEGORY_OTHER);
    i->set_unit("u");
    i->set_owner("o");
    i->set_leader("l");
    i->set_verifier("v");
    mutate(req);
    v1::Item resp;
    return stub->CreateItem(Context("l").get(), req, &resp);
  };
  EXPECT_EQ(create([](auto& r) { r.mutable_item()->set_title(""); }).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create([](auto& r) { r.mutable_item()->set_title(std::string(300, 'x')); })
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create([](auto& r) { r.mutable_item()->set_source(static_cast<v1::Source>(77)); })
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create([](auto& r) { r.mutable_item()->set_deadline("2000-01-01"); }).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(create([](auto& r) { r.mutable_item()->set_deadline("2026-13-01"); }).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  {
    // Invalid UTF-8 on the wire: the server cannot even parse the message.
    v1::CreateItemRequest req;
    std::string raw;
    v1::Item bad;
    bad.set_title("ok");
    req.mutable_item()->set_title("bad\xC3(");
    grpc::Status st = create([](auto& r) { r.mutable_item()->set_description("bad\xC3("); });
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  }
  Fails("x", {"get", "2026-999999"}, "NOT_FOUND");
  Fails("x", {"get", "../../etc"}, "INVALID_ARGUMENT");
  Fails("x", {"list", "--page-token", "zz"}, "INVALID_ARGUMENT");
  Fails("x", {"list", "--page-token", "0123456789abcdef"}, "INVALID_ARGUMENT");
  Fails("李四", {"confirm", id, "--expected-version", "9"}, "ABORTED");
  Fails("李四", {"update", id, "--title", "x", "--expected-version", "3"}, "ABORTED");
  EXPECT_EQ(Revision(), before);

  // A request id reused for a different request.
  Ok("李四", {"update", id, "--title", "新标题", "--request-id", "r-1"});
  Fails("李四", {"update", id, "--title", "别的标题", "--request-id", "r-1"}, "ALREADY_EXISTS");
  EXPECT_EQ(Revision(), before + 1);

  // No caller at all.
  auto r = Ctl(daemon_->addr(), "", {"-o", "json", "get", id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("UNAUTHENTICATED:", 0), 0u) << r.err;
}

TEST_F(CoreTest, IdempotentRetryReturnsTheFirstAnswer) {
  auto a = Create("问题", "办公室", "张三", {"--request-id", "create-42"});
  const uint64_t rev = Revision();
  auto b = Create("问题", "办公室", "张三", {"--request-id", "create-42"});
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(a.revision(), b.revision());
  EXPECT_EQ(Revision(), rev);
  // Transitions too.
  auto c1 = Ok("李四", {"confirm", a.id(), "--request-id", "confirm-1"});
  auto c2 = Ok("李四", {"confirm", a.id(), "--request-id", "confirm-1"});
  EXPECT_EQ(c1.version(), c2.version());
  EXPECT_EQ(Revision(), rev + 1);
  // The same request id from another caller is another request.
  Fails("张三", {"confirm", a.id(), "--request-id", "confirm-1"}, "PERMISSION_DENIED");
}

TEST_F(CoreTest, VersionConflict) {
  auto item = Create("问题");
  Ok("李四", {"update", item.id(), "--title", "甲", "--expected-version", "1"});
  auto r = Run("李四", {"update", item.id(), "--title", "乙", "--expected-version", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("ABORTED:", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("version 2"), std::string::npos) << r.err;
  EXPECT_EQ(FromJson<v1::Item>(Run("x", {"get", item.id()}).out).title(), "甲");
}

TEST_F(CoreTest, FiltersAndPaging) {
  const std::vector<std::string> units = {"办公室", "财务科", "人事科"};
  const std::vector<std::string> owners = {"张三", "赵六", "孙七", "周八"};
  std::map<std::string, std::pair<std::string, std::string>> made;  // id -> unit, owner
  auto stub = v1::ItemService::NewStub(daemon_->channel());
  for (int i = 0; i < 45; ++i) {
    v1::CreateItemRequest req;
    auto* it = req.mutable_item();
    it->set_title("问题" + std::to_string(i));
    it->set_description("d");
    it->set_source(i % 2 ? v1::SOURCE_AUDIT : v1::SOURCE_INSPECTION);
    it->set_category(v1::CATEGORY_WORK_STYLE);
    it->set_unit(units[i % 3]);
    it->set_owner(owners[i % 4]);
    it->set_leader("李四");
    it->set_verifier("王五");
    it->add_measures()->set_text("m");
    it->set_deadline("2099-0" + std::to_string(1 + i % 9) + "-01");
    v1::Item resp;
    ASSERT_TRUE(stub->CreateItem(Context("李四").get(), req, &resp).ok());
    made[resp.id()] = {it->unit(), it->owner()};
  }
  // unit AND owner, paged by 4 through rectifyctl, following the tokens.
  std::vector<std::string> got;
  std::string token;
  int pages = 0;
  do {
    std::vector<std::string> args = {"list", "--unit", "财务科", "--owner", "赵六",
                                     "--page-size", "4"};
    if (!token.empty()) {
      args.push_back("--page-token");
      args.push_back(token);
    }
    auto r = Run("x", args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto page = FromJson<v1::ListItemsResponse>(r.out);
    EXPECT_LE(page.items_size(), 4);
    for (const auto& i : page.items()) got.push_back(i.id());
    token = page.next_page_token();
    ASSERT_LT(++pages, 50);
  } while (!token.empty());
  std::vector<std::string> want;
  for (const auto& [id, uo] : made) {
    if (uo.first == "财务科" && uo.second == "赵六") want.push_back(id);
  }
  EXPECT_EQ(got, want);
  EXPECT_FALSE(want.empty());

  // --all, a state filter, a source filter, a deadline range ordered by deadline.
  auto all = FromJson<v1::ListItemsResponse>(Run("x", {"list", "--all", "--page-size", "10"}).out);
  EXPECT_EQ(all.items_size(), 45);
  auto drafts = FromJson<v1::ListItemsResponse>(
      Run("x", {"list", "--all", "--state", "draft", "--source", "audit"}).out);
  EXPECT_EQ(drafts.items_size(), 22);
  auto ranged = FromJson<v1::ListItemsResponse>(
      Run("x", {"list", "--all", "--deadline-from", "2099-03-01", "--deadline-to",
                "2099-04-01"}).out);
  EXPECT_EQ(ranged.items_size(), 10);
  for (int i = 1; i < ranged.items_size(); ++i) {
    EXPECT_LE(ranged.items(i - 1).deadline(), ranged.items(i).deadline());
  }
  // A token from one query does not page another.
  auto first = FromJson<v1::ListItemsResponse>(Run("x", {"list", "--page-size", "3"}).out);
  ASSERT_FALSE(first.next_page_token().empty());
  Fails("x", {"list", "--order", "deadline", "--page-token", first.next_page_token()},
        "INVALID_ARGUMENT");
}

TEST_F(CoreTest, KillNineLosesNothingAcknowledged) {
  // Several writers create and move items as fast as they can; every acknowledged answer is
  // recorded. The daemon is killed with SIGKILL mid-stream and restarted on the same dir.
  std::mutex mu;
  std::map<std::string, uint64_t> acked;  // id -> acknowledged version
  uint64_t max_rev = 0;
  std::atomic<bool> stop{false};
  auto channel = daemon_->channel();
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::ItemService::NewStub(channel);
      for (int i = 0; !stop; ++i) {
        v1::CreateItemRequest req;
        auto* it = req.mutable_item();
        it->set_title("w" + std::to_string(w) + "-" + std::to_string(i));
        it->set_description("d");
        it->set_source(v1::SOURCE_AUDIT);
        it->set_category(v1::CATEGORY_OTHER);
        it->set_unit("u");
        it->set_owner("o");
        it->set_leader("l");
        it->set_verifier("v");
        it->add_measures()->set_text("m");
        it->set_deadline("2099-01-01");
        v1::Item item;
        if (!stub->CreateItem(Context("l", 5).get(), req, &item).ok()) continue;
        {
          std::lock_guard lock(mu);
          acked[item.id()] = item.version();
          max_rev = std::max(max_rev, item.revision());
        }
        v1::TransitionRequest t;
        t.set_id(item.id());
        t.set_action(v1::ACTION_CONFIRM);
        if (stub->Transition(Context("l", 5).get(), t, &item).ok()) {
          std::lock_guard lock(mu);
          acked[item.id()] = item.version();
          max_rev = std::max(max_rev, item.revision());
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  daemon_->Kill();
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GT(acked.size(), 10u) << "the writers got too little done to prove anything";

  daemon_->Start();
  auto stub = v1::ItemService::NewStub(daemon_->channel());
  for (const auto& [id, version] : acked) {
    v1::GetItemRequest req;
    req.set_id(id);
    v1::Item item;
    auto st = stub->GetItem(Context("x").get(), req, &item);
    ASSERT_TRUE(st.ok()) << "acknowledged item " << id << " lost: " << st.error_message();
    EXPECT_GE(item.version(), version) << id;
  }
  // The event log has no gap from 1 to the current revision, and holds every acked revision.
  auto info = FromJson<v1::ServerInfo>(Run("", {"server-info"}).out);
  EXPECT_GE(info.revision(), max_rev);
  uint64_t total = 0;
  for (const auto& sc : info.items_by_state()) total += sc.count();
  EXPECT_EQ(total, info.items_total());
  auto all = FromJson<v1::ListItemsResponse>(Run("x", {"list", "--all", "--page-size", "1000"}).out);
  EXPECT_EQ(static_cast<uint64_t>(all.items_size()), info.items_total());
  std::set<uint64_t> revs;
  for (const auto& item : all.items()) {
    v1::GetHistoryRequest hreq;
    hreq.set_id(item.id());
    v1::GetHistoryResponse h;
    ASSERT_TRUE(stub->GetHistory(Context("x").get(), hreq, &h).ok());
    ASSERT_EQ(static_cast<uint64_t>(h.events_size()), item.version()) << item.id();
    for (const auto& e : h.events()) revs.insert(e.revision());
  }
  ASSERT_FALSE(revs.empty());
  EXPECT_EQ(*revs.begin(), 1u);
  EXPECT_EQ(*revs.rbegin(), info.revision());
  EXPECT_EQ(revs.size(), info.revision()) << "a revision is missing from the history";
}

TEST_F(CoreTest, RefusesConfigAndDataItDoesNotUnderstand) {
  Create("问题");
  daemon_->Stop();
  std::string log;

  // A config with an unknown key: refused with the file, line and key; exit 2.
  daemon_->WriteConfig("listen = \"127.0.0.1:0\"\n\n[durability]\nsnyc = false\n");
  EXPECT_EQ(daemon_->StartExpectingExit(&log), 2);
  EXPECT_NE(log.find(":4:1: durability.snyc: unknown key"), std::string::npos) << log;
  daemon_->WriteConfig("");

  // A ledger written by a newer rectifyd (schema version 99): refused, nothing changed.
  {
    rocksdb::Options opts;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(opts, dir_ + "/db", &names).ok());
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(opts, dir_ + "/db", cfs, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "schema_version", std::string("\0\0\0\x63", 4)).ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  EXPECT_EQ(daemon_->StartExpectingExit(&log), 1);
  EXPECT_NE(log.find("schema version 99"), std::string::npos) << log;
  EXPECT_NE(log.find("newer rectifyd"), std::string::npos) << log;
}

using test_support::HttpGet;

TEST(MetricsTest, PrometheusMetricsAndHealthOverHttp) {
  const std::string dir = MakeTempDir("metrics");
  TempDirGuard guard(dir);
  // Monday 2026-03-02, no holidays near: the lights below follow from working-day counts.
  Daemon daemon(dir, {"--http-listen", "127.0.0.1:0", "--test-clock", "2026-03-02T09:00:00+08:00"});
  daemon.Start();
  auto create = [&](const std::string& deadline) {
    std::vector<std::string> args = {"-o", "json", "create", "--title", "t", "--description", "d",
                                     "--source", "audit", "--category", "other", "--unit", "u",
                                     "--owner", "o", "--leader", "李四", "--verifier", "v"};
    if (!deadline.empty()) args.insert(args.end(), {"--deadline", deadline});
    auto r = Ctl(daemon.addr(), "李四", args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  };
  create("");            // no deadline: GREEN
  create("2026-03-03");  // overdue on Wednesday: RED
  create("2026-03-05");  // 1 working day after Wednesday: YELLOW
  create("2026-03-11");  // 5 working days after Wednesday: BLUE
  ASSERT_EQ(Ctl(daemon.addr(), "x", {"admin", "set-clock", "--advance", "2d"}).exit_code, 0);
  Ctl(daemon.addr(), "x", {"get", "2026-999999"});  // a NOT_FOUND, counted by code
  // The daemon logs where it serves metrics.
  std::ifstream log(daemon.log_path());
  std::string line;
  int port = 0;
  while (std::getline(log, line)) {
    auto at = line.find("http://127.0.0.1:");
    if (at != std::string::npos) port = std::stoi(line.substr(at + 17));
  }
  ASSERT_NE(port, 0) << "no metrics address in the log";
  EXPECT_EQ(HttpGet(port, "/healthz").substr(0, 3), "200");
  EXPECT_EQ(HttpGet(port, "/readyz").substr(0, 3), "200");
  std::string metrics = HttpGet(port, "/metrics");
  ASSERT_EQ(metrics.substr(0, 3), "200") << metrics;
  EXPECT_NE(metrics.find("rectify_rpc_requests_total{code=\"OK\",method=\"CreateItem\"} 4"),
            std::string::npos) << metrics;
  EXPECT_NE(metrics.find("rectify_rpc_requests_total{code=\"NOT_FOUND\",method=\"GetItem\"} 1"),
            std::string::npos) << metrics;
  EXPECT_NE(metrics.find("rectify_revision 4"), std::string::npos);
  EXPECT_NE(metrics.find("rectify_items{state=\"DRAFT\"} 4"), std::string::npos);
  EXPECT_NE(metrics.find("rectify_commits_total 4"), std::string::npos);
  // The storage engine's figures, one series per column family, read from the daemon's RocksDB.
  for (const char* cf : {"meta", "items", "events", "index", "idem", "remind"}) {
    EXPECT_NE(metrics.find("rectify_store_level0_files{cf=\"" + std::string(cf) + "\"}"),
              std::string::npos)
        << cf << "\n" << metrics;
  }
  EXPECT_EQ(metrics.find("rectify_store_wal_written_bytes_total 0\n"), std::string::npos)
      << "four commits wrote nothing to the WAL?\n" << metrics;
  EXPECT_NE(metrics.find("rectify_store_wal_syncs_total "), std::string::npos);
  EXPECT_NE(metrics.find("rectify_store_block_cache_bytes{kind=\"capacity\"} 67108864"),
            std::string::npos)
      << metrics;
  // The light census runs in the background when a scrape asks for it (light_census.h): a
  // scrape shows the counts of the last census, so the counts arrive on a later scrape.
  auto counted = [](const std::string& m, std::map<std::string, int> want) {
    for (const auto& [light, n] : want) {
      if (m.find("rectify_items_by_light{light=\"" + light + "\"} " + std::to_string(n) +
                 "\n") == std::string::npos) {
        return false;
      }
    }
    return true;
  };
  auto scrape_until = [&](const std::map<std::string, int>& want) {
    for (int i = 0; i < 300 && !counted(metrics, want); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      metrics = HttpGet(port, "/metrics");
    }
    return counted(metrics, want);
  };
  EXPECT_TRUE(scrape_until({{"GREEN", 1}, {"BLUE", 1}, {"YELLOW", 1}, {"RED", 1}})) << metrics;
  // Ten days on and nothing written: the date alone turns the three deadlines RED, and a census
  // asked for by a later scrape sees it.
  ASSERT_EQ(Ctl(daemon.addr(), "x", {"admin", "set-clock", "--advance", "10d"}).exit_code, 0);
  EXPECT_TRUE(scrape_until({{"GREEN", 1}, {"BLUE", 0}, {"YELLOW", 0}, {"RED", 3}})) << metrics;
  daemon.Stop();
}

}  // namespace
}  // namespace rectify::e2e
