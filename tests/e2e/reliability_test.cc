// Reliability end to end (issue #8): the offline checker on real ledgers, online backup under
// load and the restore from it, every failpoint with the guarantee that must hold when it fires,
// a full disk, and load shedding. The real rectifyd and rectifyctl; failpoints through the
// daemon's environment (RECTIFY_FAILPOINTS); a real tmpfs for the full disk.

#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "harness.h"
#include "reliability_util.h"

namespace rectify::e2e {
namespace {

using google::protobuf::util::TimeUtil;
namespace fs = std::filesystem;

class ReliabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("reliability");
    guard_ = std::make_unique<TempDirGuard>(dir_);
  }
  void TearDown() override {
    items_.reset();
    admin_.reset();
    reminders_.reset();
    if (daemon_ && daemon_->Running()) daemon_->Kill();
  }
  void StartDaemon(std::vector<std::string> args = {}, const std::string& config = "") {
    items_.reset();
    admin_.reset();
    reminders_.reset();
    if (!daemon_) daemon_ = std::make_unique<Daemon>(dir_, std::move(args));
    if (!config.empty()) daemon_->WriteConfig(config);
    daemon_->Start();
    items_ = v1::ItemService::NewStub(daemon_->channel());
    admin_ = v1::AdminService::NewStub(daemon_->channel());
    reminders_ = v1::ReminderService::NewStub(daemon_->channel());
  }
  // SIGTERM; our stubs go first (they hold a connection the server would wait 5 s for).
  void StopDaemon() {
    items_.reset();
    admin_.reset();
    reminders_.reset();
    daemon_->Stop();
  }
  // Kills what is left of a daemon that crashed itself (a failpoint) and reaps it.
  void Reap() {
    items_.reset();
    admin_.reset();
    reminders_.reset();
    daemon_->Kill();
  }
  grpc::Status Create(const v1::CreateItemRequest& req, v1::Item* out) {
    return items_->CreateItem(Context("王五").get(), req, out);
  }
  v1::ServerInfo Info() {
    v1::ServerInfo info;
    auto st = admin_->GetServerInfo(Context("王五").get(), v1::GetServerInfoRequest(), &info);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return info;
  }
  std::string Db() const { return dir_ + "/db"; }
  void ExpectCheckClean(const std::string& db, const std::string& config = "") {
    CheckResult c = RunCheck(db, config);
    EXPECT_EQ(c.exit_code, 0) << "rectifyd --check " << db << ":\n" << c.out << c.err;
  }

  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::ItemService::Stub> items_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReminderService::Stub> reminders_;
};

// ---- the checker on real ledgers ----------------------------------------------------------

TEST_F(ReliabilityTest, CheckIsCleanOnALiveLedgerAndRefusesWhatIsNotOne) {
  StartDaemon();
  v1::Item item;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Create(NewItem("t" + std::to_string(i), "2026-12-31"), &item).ok());
  // Read-only while the daemon runs: a snapshot of what is committed.
  CheckResult live = RunCheck(Db());
  EXPECT_EQ(live.exit_code, 0) << live.out << live.err;
  EXPECT_NE(live.err.find("items=20"), std::string::npos) << live.err;
  StopDaemon();
  ExpectCheckClean(Db());
  CheckResult missing = RunCheck(dir_ + "/no-such-dir");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir_ + "/no-such-dir"));
}

// ---- online backup -------------------------------------------------------------------------

TEST_F(ReliabilityTest, BackupUnderLoadRestoresToOneRevisionWithEverythingAcknowledged) {
  StartDaemon();
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::map<std::string, uint64_t> acked;  // id -> acknowledged version
  std::vector<std::thread> load;
  JoinOnExit join_load(load, [&] { stop = true; });
  for (int w = 0; w < 4; ++w) {
    load.emplace_back([&, w] {
      auto stub = v1::ItemService::NewStub(daemon_->channel());
      for (int i = 0; !stop; ++i) {
        v1::Item item;
        auto st = stub->CreateItem(Context("王五").get(),
                                   NewItem("load " + std::to_string(w) + "/" + std::to_string(i),
                                           "2026-12-31"),
                                   &item);
        if (!st.ok()) continue;
        v1::UpdateItemRequest u;
        u.set_id(item.id());
        u.mutable_item()->set_title("updated " + std::to_string(i));
        u.mutable_update_mask()->add_paths("title");
        v1::Item updated;
        if (stub->UpdateItem(Context("王五").get(), u, &updated).ok()) item = updated;
        std::lock_guard lock(mu);
        acked[item.id()] = item.version();
      }
    });
  }
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return acked.size() >= 50;
  }, std::chrono::seconds(60)));

  // Everything acknowledged before the backup starts must be in it.
  std::map<std::string, uint64_t> before;
  {
    std::lock_guard lock(mu);
    before = acked;
  }
  const std::string backup = dir_ + "-backup/db";
  fs::create_directories(dir_ + "-backup");
  TempDirGuard backup_guard(dir_ + "-backup");
  CtlResult r = Ctl(daemon_->addr(), "王五", {"-o", "json", "admin", "backup", backup});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto resp = nlohmann::json::parse(r.out);
  const uint64_t revision = std::stoull(resp["revision"].get<std::string>());
  EXPECT_EQ(resp["dir"], backup);
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return acked.size() >= before.size() + 20;
  }, std::chrono::seconds(60))) << "the load kept going during and after the backup";
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_GT(Info().revision(), revision);
  EXPECT_FALSE(fs::exists(backup + ".partial"));

  // Bad requests change nothing: a relative path, an existing directory.
  CtlResult relative = Ctl(daemon_->addr(), "王五", {"admin", "backup", "relative/dir"});
  EXPECT_EQ(relative.exit_code, 1);
  EXPECT_NE(relative.err.find("absolute"), std::string::npos) << relative.err;
  EXPECT_NE(relative.err.find("INVALID_ARGUMENT"), std::string::npos) << relative.err;
  CtlResult again = Ctl(daemon_->addr(), "王五", {"admin", "backup", backup});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  StopDaemon();

  // The restore: a daemon on the backup directory (README "Backup and restore").
  ExpectCheckClean(backup);
  Daemon restored(dir_ + "-backup");
  restored.Start();
  auto stub = v1::ItemService::NewStub(restored.channel());
  auto admin = v1::AdminService::NewStub(restored.channel());
  v1::ServerInfo info;
  ASSERT_TRUE(admin->GetServerInfo(Context("x").get(), v1::GetServerInfoRequest(), &info).ok());
  EXPECT_EQ(info.revision(), revision) << "the backup holds exactly the reported revision";
  size_t missing = 0;
  for (const auto& [id, version] : before) {
    v1::GetItemRequest g;
    g.set_id(id);
    v1::Item item;
    auto st = stub->GetItem(Context("x").get(), g, &item);
    if (!st.ok() || item.version() < version) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << before.size() << " acknowledged before the backup";
  std::printf("[backup] revision=%llu acknowledged_before=%zu lost=%zu\n",
              static_cast<unsigned long long>(revision), before.size(), missing);
  stub.reset();
  admin.reset();
  restored.Stop();
}

// ---- failpoints ----------------------------------------------------------------------------

#define REQUIRE_FAILPOINTS()                                                              \
  if (!kFailpoints) GTEST_SKIP() << "built without failpoints (cmake -DRECTIFY_FAILPOINTS=ON, " \
                                    "as deploy/build.sh does)"

TEST_F(ReliabilityTest, FailpointCrashBeforeWriteLosesNothingAcknowledgedAndWritesNothingElse) {
  REQUIRE_FAILPOINTS();
  {
    ScopedEnv fp("RECTIFY_FAILPOINTS", "engine.before_write=crash@4");
    StartDaemon();
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    v1::Item item;
    ASSERT_TRUE(Create(NewItem("acked " + std::to_string(i), "2026-12-31"), &item).ok());
    ids.push_back(item.id());
  }
  v1::Item item;
  EXPECT_FALSE(Create(NewItem("never acknowledged", "2026-12-31", "rid-4"), &item).ok());
  EXPECT_TRUE(WaitUntil([&] { return !Answers(*daemon_); }, std::chrono::seconds(10)));
  Reap();
  EXPECT_NE(Slurp(daemon_->log_path()).find("failpoint fired name=engine.before_write"),
            std::string::npos);
  ExpectCheckClean(Db());
  StartDaemon();
  EXPECT_EQ(Info().revision(), 3u) << "nothing of the crashed group was written";
  EXPECT_EQ(Info().items_total(), 3u);
  // The caller retries the unacknowledged create with its request id: applied once, now.
  ASSERT_TRUE(Create(NewItem("never acknowledged", "2026-12-31", "rid-4"), &item).ok());
  EXPECT_EQ(item.revision(), 4u);
  StopDaemon();
  ExpectCheckClean(Db());
}

TEST_F(ReliabilityTest, FailpointErrorBeforeWriteRefusesTheGroupAndTheEngineGoesOn) {
  REQUIRE_FAILPOINTS();
  {
    ScopedEnv fp("RECTIFY_FAILPOINTS", "engine.before_write=error@2");
    StartDaemon();
  }
  v1::Item a, b, c;
  ASSERT_TRUE(Create(NewItem("one", "2026-12-31"), &a).ok());
  auto st = Create(NewItem("two", "2026-12-31"), &b);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_NE(st.error_message().find("failpoint"), std::string::npos);
  ASSERT_TRUE(Create(NewItem("three", "2026-12-31"), &c).ok());
  EXPECT_EQ(c.revision(), 2u) << "the refused group used no revision";
  EXPECT_EQ(Info().items_total(), 2u);
  StopDaemon();
  ExpectCheckClean(Db());
}

TEST_F(ReliabilityTest, FailpointCrashAfterWriteKeepsTheWholeGroupAndARetryIsIdempotent) {
  REQUIRE_FAILPOINTS();
  {
    ScopedEnv fp("RECTIFY_FAILPOINTS", "engine.after_write=crash@2");
    StartDaemon();
  }
  v1::Item first, second;
  ASSERT_TRUE(Create(NewItem("one", "2026-12-31"), &first).ok());
  EXPECT_FALSE(Create(NewItem("two", "2026-12-31", "rid-2"), &second).ok());
  EXPECT_TRUE(WaitUntil([&] { return !Answers(*daemon_); }, std::chrono::seconds(10)));
  Reap();
  ExpectCheckClean(Db());
  StartDaemon();
  EXPECT_EQ(Info().revision(), 2u) << "durable before the crash: whole, though unacknowledged";
  // The in-doubt create retried with its request id answers the first result, no duplicate.
  ASSERT_TRUE(Create(NewItem("two", "2026-12-31", "rid-2"), &second).ok());
  EXPECT_EQ(second.revision(), 2u);
  EXPECT_EQ(Info().items_total(), 2u);
  StopDaemon();
  ExpectCheckClean(Db());
}

std::string RemindConfig(int port) {
  return "[reminders]\nbackoff_base_ms = 100\nbackoff_max_ms = 400\nmax_attempts = 50\n\n"
         "[[principal]]\nname = \"张三\"\n\n[[principal]]\nname = \"李四\"\n\n"
         "[[principal]]\nname = \"王五\"\nroles = [\"supervisor\", \"admin\"]\n\n"
         "[[principal]]\nname = \"cron\"\nroles = [\"scheduler\"]\n\n"
         "[[principal]]\nname = \"watcher\"\nroles = [\"auditor\"]\n\n"
         "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:" +
         std::to_string(port) + "/hook\"\ntimeout_ms = 1500\n";
}

TEST_F(ReliabilityTest, FailpointCrashBetweenSendAndMarkSentResendsWithTheSameKey) {
  REQUIRE_FAILPOINTS();
  HttpReceiver http(dir_);
  {
    ScopedEnv fp("RECTIFY_FAILPOINTS", "remind.after_send=crash");
    StartDaemon({"--test-clock", "2025-09-20T08:00:00+08:00"}, RemindConfig(http.port()));
  }
  v1::Item item;
  ASSERT_TRUE(Create(NewItem("台账更新不及时", "2025-10-10"), &item).ok());
  v1::TransitionRequest t;
  t.set_id(item.id());
  t.set_action(v1::ACTION_CONFIRM);
  ASSERT_TRUE(items_->Transition(Context("王五").get(), t, &item).ok());
  v1::SetClockRequest clock;
  ASSERT_TRUE(TimeUtil::FromString("2025-09-26T09:00:01+08:00", clock.mutable_time()));
  v1::ServerInfo info;
  ASSERT_TRUE(admin_->SetClock(Context("王五").get(), clock, &info).ok());
  // The receiver accepts the digest, the daemon dies before recording it.
  ASSERT_TRUE(WaitUntil([&] { return !Answers(*daemon_); }, std::chrono::seconds(20)));
  Reap();
  ASSERT_EQ(http.Requests().size(), 1u);
  ExpectCheckClean(Db(), daemon_->ConfigPath());

  StartDaemon();
  ASSERT_TRUE(TimeUtil::FromString("2025-09-26T09:00:05+08:00", clock.mutable_time()));
  ASSERT_TRUE(admin_->SetClock(Context("王五").get(), clock, &info).ok());
  auto sent = [&] {
    v1::ListRemindersRequest req;
    req.set_item_id(item.id());
    req.set_include_deliveries(true);
    v1::ListRemindersResponse resp;
    if (!reminders_->ListReminders(Context("王五").get(), req, &resp).ok()) return false;
    if (resp.deliveries_size() == 0) return false;
    for (const auto& d : resp.deliveries()) {
      if (d.state() != v1::DELIVERY_STATE_SENT) return false;
    }
    return resp.reminders_size() == 1;  // fired once; only the delivery is repeated
  };
  ASSERT_TRUE(WaitUntil(sent, std::chrono::seconds(20)));
  auto requests = http.Requests();
  ASSERT_EQ(requests.size(), 2u) << "sent, crashed, re-sent once";
  EXPECT_EQ(requests[0]["headers"]["Idempotency-Key"], requests[1]["headers"]["Idempotency-Key"]);
  StopDaemon();
  ExpectCheckClean(Db(), daemon_->ConfigPath());
}

TEST_F(ReliabilityTest, FailpointCrashInsideEventCompactionLeavesTheLogWhole) {
  REQUIRE_FAILPOINTS();
  const std::string config = "[watch]\nretention_count = 5\nretention_hours = 0\n";
  StartDaemon({}, config);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    v1::Item item;
    ASSERT_TRUE(Create(NewItem("c" + std::to_string(i), "2026-12-31"), &item).ok());
    ids.push_back(item.id());
  }
  // The hub compacts at its first tick after start: with the failpoint on, it dies there.
  daemon_->Kill();
  {
    ScopedEnv fp("RECTIFY_FAILPOINTS", "store.compact_events=crash");
    std::string log;
    daemon_->StartExpectingExit(&log);
    EXPECT_NE(log.find("failpoint fired name=store.compact_events"), std::string::npos) << log;
  }
  ExpectCheckClean(Db());
  StartDaemon();
  // Compaction, retried, completes; nothing but old events went.
  ASSERT_TRUE(WaitUntil([&] { return Info().compact_revision() == 8; }, std::chrono::seconds(20)))
      << Info().compact_revision();
  for (const auto& id : ids) {
    v1::GetItemRequest g;
    g.set_id(id);
    v1::Item item;
    EXPECT_TRUE(items_->GetItem(Context("x").get(), g, &item).ok()) << id;
  }
  StopDaemon();
  ExpectCheckClean(Db());
}

TEST_F(ReliabilityTest, FailpointsDuringBackupLeaveNoBackupThatLooksWhole) {
  REQUIRE_FAILPOINTS();
  const std::string target = dir_ + "/backup";
  {
    ScopedEnv fp("RECTIFY_FAILPOINTS", "store.backup=error@1");
    StartDaemon();
  }
  v1::Item item;
  ASSERT_TRUE(Create(NewItem("one", "2026-12-31"), &item).ok());
  v1::BackupRequest req;
  req.set_dir(target);
  v1::BackupResponse resp;
  auto st = admin_->Backup(Context("王五").get(), req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_FALSE(fs::exists(target));
  EXPECT_FALSE(fs::exists(target + ".partial")) << "a failed backup cleans up after itself";
  // The next one (hit 2) goes through.
  ASSERT_TRUE(admin_->Backup(Context("王五").get(), req, &resp).ok());
  EXPECT_EQ(resp.revision(), 1u);
  ExpectCheckClean(target);
  Reap();

  // A crash half-way: the target never appears; after restart the same target works.
  fs::remove_all(target);
  {
    ScopedEnv fp("RECTIFY_FAILPOINTS", "store.backup=crash");
    StartDaemon();
  }
  ASSERT_TRUE(Create(NewItem("two", "2026-12-31"), &item).ok());
  EXPECT_FALSE(admin_->Backup(Context("王五").get(), req, &resp).ok());
  EXPECT_TRUE(WaitUntil([&] { return !Answers(*daemon_); }, std::chrono::seconds(10)));
  Reap();
  EXPECT_FALSE(fs::exists(target)) << "a crashed backup must not look complete";
  ExpectCheckClean(Db());
  StartDaemon();
  ASSERT_TRUE(admin_->Backup(Context("王五").get(), req, &resp).ok());
  EXPECT_EQ(resp.revision(), 2u);
  EXPECT_FALSE(fs::exists(target + ".partial"));
  StopDaemon();
  ExpectCheckClean(target);
}

// ---- disk full -----------------------------------------------------------------------------

TEST_F(ReliabilityTest, DiskFullRefusesWritesKeepsReadsAndWatchesAndRecoversWithoutRestart) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs as the data directory";
  // The data directory on a 16 MiB filesystem of its own (Daemon puts it at <dir>/db).
  const std::string fsdir = dir_ + "/fs";
  fs::create_directories(fsdir);
  if (mount("tmpfs", fsdir.c_str(), "tmpfs", 0, "size=16m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{fsdir};
  daemon_ = std::make_unique<Daemon>(fsdir);
  StartDaemon({}, "[storage]\nwrite_buffer_mb = 1\nblock_cache_mb = 8\n");
  const std::string big(3000, 'x');
  auto item_with = [&](const std::string& title) {
    v1::CreateItemRequest c = NewItem(title, "2026-12-31");
    c.mutable_item()->set_description(big);
    return c;
  };
  std::vector<std::string> acked;
  for (int i = 0; i < 20; ++i) {
    v1::Item item;
    ASSERT_TRUE(Create(item_with("before " + std::to_string(i)), &item).ok());
    acked.push_back(item.id());
  }
  // A watcher that is streaming when the disk fills.
  std::atomic<uint64_t> watched{0};
  grpc::ClientContext watch_ctx;
  watch_ctx.AddMetadata("x-rectify-actor", "watcher");
  auto watch_stub = v1::WatchService::NewStub(daemon_->channel());
  v1::WatchRequest wreq;
  wreq.set_start_revision(1);
  auto reader = watch_stub->Watch(&watch_ctx, wreq);
  std::vector<std::thread> watcher;
  JoinOnExit join_watcher(watcher, [&] { watch_ctx.TryCancel(); });
  watcher.emplace_back([&] {
    v1::WatchResponse resp;
    while (reader->Read(&resp)) {
      for (const auto& e : resp.events()) watched = e.revision();
    }
  });

  // Fill what is left of the filesystem.
  const std::string filler = fsdir + "/filler";
  {
    std::ofstream out(filler, std::ios::binary);
    const std::string chunk(64 << 10, 'f');
    while (out.write(chunk.data(), chunk.size())) {
    }
  }
  // Writes are refused with RESOURCE_EXHAUSTED and a message saying why (RocksDB may have a
  // preallocated WAL tail to use up first).
  grpc::Status refused;
  for (int i = 0; i < 2000 && refused.ok(); ++i) {
    v1::Item item;
    refused = Create(item_with("filling " + std::to_string(i)), &item);
    if (refused.ok()) acked.push_back(item.id());
  }
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_NE(refused.error_message().find("disk is full"), std::string::npos)
      << refused.error_message();
  const uint64_t revision = Info().revision();
  // Still refused (not wedged: it answers), and nothing changes.
  v1::Item item;
  auto again = Create(item_with("still full"), &item);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << again.error_message();
  EXPECT_EQ(Info().revision(), revision);
  // Reads keep working: every acknowledged item, a list, and the watcher caught up.
  for (const auto& id : acked) {
    v1::GetItemRequest g;
    g.set_id(id);
    EXPECT_TRUE(items_->GetItem(Context("x").get(), g, &item).ok()) << id;
  }
  v1::ListItemsRequest list;
  list.set_page_size(5);
  v1::ListItemsResponse page;
  EXPECT_TRUE(items_->ListItems(Context("x").get(), list, &page).ok());
  EXPECT_EQ(page.items_size(), 5);
  EXPECT_TRUE(WaitUntil([&] { return watched.load() == revision; }, std::chrono::seconds(20)))
      << "watcher at " << watched.load() << ", revision " << revision;
  // ... and a new watch catches up from the log on the full disk.
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-rectify-actor", "late");
    auto late = watch_stub->Watch(&ctx, wreq);
    v1::WatchResponse resp;
    uint64_t last = 0;
    while (last < revision && late->Read(&resp)) {
      for (const auto& e : resp.events()) last = e.revision();
    }
    EXPECT_EQ(last, revision);
    ctx.TryCancel();
    late->Finish().IgnoreError();
  }

  // Space comes back: writes succeed again, same process, no restart.
  fs::remove(filler);
  grpc::Status ok;
  ASSERT_TRUE(WaitUntil([&] {
    ok = Create(item_with("after"), &item);
    return ok.ok();
  }, std::chrono::seconds(30), std::chrono::milliseconds(200))) << ok.error_message();
  acked.push_back(item.id());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Create(item_with("after " + std::to_string(i)), &item).ok());
    acked.push_back(item.id());
  }
  EXPECT_TRUE(WaitUntil([&] { return watched.load() == item.revision(); },
                        std::chrono::seconds(20)));
  watch_ctx.TryCancel();
  watcher.front().join();
  reader.reset();
  watch_stub.reset();
  std::printf("[disk-full] acknowledged=%zu refused_at_revision=%llu resumed_at=%llu\n",
              acked.size(), static_cast<unsigned long long>(revision),
              static_cast<unsigned long long>(item.revision()));
  StopDaemon();
  ExpectCheckClean(fsdir + "/db");
  StartDaemon();
  EXPECT_EQ(Info().items_total(), acked.size());
  StopDaemon();
}

// ---- overload ------------------------------------------------------------------------------

TEST_F(ReliabilityTest, OverloadShedsWithResourceExhaustedAndKeepsEverythingAcknowledged) {
  // A tiny commit queue and bursts far beyond it.
  StartDaemon({}, "[engine]\nmax_pending = 4\n");
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<int> shed{0}, other{0};
  std::string other_error;
  auto burst = [&](int callers, int each) {
    std::vector<std::thread> threads;
    for (int t = 0; t < callers; ++t) {
      threads.emplace_back([&, t] {
        auto stub = v1::ItemService::NewStub(daemon_->channel());
        for (int i = 0; i < each; ++i) {
          v1::Item item;
          auto st = stub->CreateItem(
              Context("王五").get(),
              NewItem("burst " + std::to_string(t) + "/" + std::to_string(i), "2026-12-31"),
              &item);
          std::lock_guard lock(mu);
          if (st.ok()) {
            acked.push_back(item.id());
          } else if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
                     st.error_message().find("commit queue is full") != std::string::npos) {
            ++shed;
          } else {
            ++other;
            other_error = st.error_message();
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  };
  burst(64, 8);
  const long peak_small = PeakRssKb(Db());
  // Four times the offered load: what the daemon holds is bounded by its queue and the calls
  // in flight, not by how many were refused, so its peak memory barely moves.
  burst(64, 32);
  const long peak_large = PeakRssKb(Db());
  std::printf("[overload] requests=%d acknowledged=%zu shed=%d other=%d "
              "daemon_peak_rss_kib after 512=%ld after 2,560=%ld\n",
              64 * 8 + 64 * 32, acked.size(), shed.load(), other.load(), peak_small, peak_large);
  EXPECT_GT(shed.load(), 0) << "a burst of 64 callers against a queue of 4 sheds some";
  EXPECT_GT(acked.size(), 0u);
  EXPECT_EQ(other.load(), 0) << other_error;
  ASSERT_GT(peak_small, 0) << "no rectifyd found for " << Db();
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer freed memory waits in ASan's quarantine (256 MB) before reuse, so
  // peak RSS follows how much was allocated, not how much is held: 71 MB more here for four
  // times the refused calls. The bound is checked in the ordinary build.
  std::printf("[overload] ASan build: the peak RSS bound is not checked\n");
#else
#if defined(__SANITIZE_THREAD__)
  // Under ThreadSanitizer every byte of application memory touched has four bytes of shadow
  // beside it in RSS: the same bound on what the daemon holds is five times the RSS.
  constexpr long kGrowthBoundKib = 5 * 16 * 1024;
#else
  constexpr long kGrowthBoundKib = 16 * 1024;
#endif
  EXPECT_LT(peak_large - peak_small, kGrowthBoundKib)
      << "peak RSS grew by " << (peak_large - peak_small) << " KiB under four times the load";
#endif
  // Shed requests changed nothing; acknowledged ones survive kill -9.
  daemon_->Kill();
  ExpectCheckClean(Db());
  StartDaemon();
  EXPECT_EQ(Info().items_total(), acked.size());
  for (const auto& id : acked) {
    v1::GetItemRequest g;
    g.set_id(id);
    v1::Item item;
    EXPECT_TRUE(items_->GetItem(Context("x").get(), g, &item).ok()) << id;
  }
  StopDaemon();
}

}  // namespace
}  // namespace rectify::e2e
