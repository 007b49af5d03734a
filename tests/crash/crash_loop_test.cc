// The crash loop (issue #8): the real rectifyd under mixed load (creates, updates, transitions,
// progress notes, a resuming watcher, reminder runs on the test clock delivered to a real HTTP
// receiver), killed with SIGKILL at random moments -- and, some rounds, by a failpoint inside
// the commit or the delivery path -- then restarted on the same data directory, many times.
//
// After every kill:  `rectifyd --check` is clean (items, indexes, events, due index, outbox
// agree: nothing unacknowledged is half there); every acknowledged mutation is present with
// the acknowledged version (and, for those of the last round, its event in the history); the
// watcher resumes from its last revision + 1 with no gap and no duplicate.
// At the end: every delivery is SENT and reached the receiver; an idempotency key seen twice
// by the receiver was sent on both sides of a crash.
//
// RECTIFY_CRASH_ITERATIONS (default 50) and RECTIFY_CRASH_SEED (default: the time) steer it;
// the seed is printed so a failure can be replayed. A summary line ends the run.

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "harness.h"
#include "reliability_util.h"

namespace rectify::e2e {
namespace {

using google::protobuf::util::TimeUtil;
namespace fs = std::filesystem;

constexpr const char* kClockStart = "2025-09-01T08:00:00+08:00";

double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Acked {
  uint64_t version = 0;
  uint64_t revision = 0;
};

// What the test knows the daemon acknowledged, and what it saw.
struct Model {
  std::mutex mu;
  std::map<std::string, Acked> items;          // id -> highest acknowledged version
  std::map<std::string, Acked> this_round;     // acknowledged since the last restart
  uint64_t acknowledged = 0;                   // mutations answered OK
  uint64_t refused = 0;                        // answered with a domain error (changed nothing)
  uint64_t failed = 0;                         // no answer (the crash): in doubt

  void Ack(const v1::Item& item) {
    std::lock_guard lock(mu);
    acknowledged++;
    Acked& a = items[item.id()];
    if (item.version() > a.version) a = Acked{item.version(), item.revision()};
    Acked& r = this_round[item.id()];
    if (item.version() > r.version) r = Acked{item.version(), item.revision()};
  }
  std::vector<std::string> Ids() {
    std::lock_guard lock(mu);
    std::vector<std::string> out;
    for (const auto& [id, a] : items) out.push_back(id);
    return out;
  }
};

// A watcher that resumes from where it stopped. Unfiltered, every revision must arrive exactly
// once and in order (every revision is an event: revisions are gap-free), and it notes which of
// them a filter on `item_ids` selects. Filtered (item_ids set: the hub's indexed path), its
// revisions must rise strictly, and at the end equal exactly what the unfiltered one noted.
struct Watcher {
  std::set<std::string> item_ids;  // empty = unfiltered
  std::atomic<uint64_t> last{0};
  std::atomic<uint64_t> events{0}, gaps{0}, duplicates{0};
  std::vector<uint64_t> selected;  // unfiltered: revisions of item_ids' events; filtered: received
  const std::set<std::string>* select = nullptr;  // unfiltered: the filter to note
  std::string first_problem;
  std::mutex mu;
  std::unique_ptr<grpc::ClientContext> ctx;
  std::thread thread;

  void Start(const std::shared_ptr<grpc::Channel>& channel) {
    ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("x-rectify-actor", "watcher");
    thread = std::thread([this, channel, c = ctx.get()] {
      auto stub = v1::WatchService::NewStub(channel);
      v1::WatchRequest req;
      req.set_start_revision(last + 1);
      for (const auto& id : item_ids) req.add_item_ids(id);
      auto reader = stub->Watch(c, req);
      v1::WatchResponse resp;
      while (reader->Read(&resp)) {
        if (!item_ids.empty()) {
          for (const auto& e : resp.events()) {
            if (e.revision() <= last) {
              duplicates++;
              std::lock_guard lock(mu);
              if (first_problem.empty()) {
                first_problem = "filtered: revision " + std::to_string(e.revision()) +
                                " after " + std::to_string(last.load());
              }
              continue;
            }
            last = e.revision();
            events++;
            std::lock_guard lock(mu);
            selected.push_back(e.revision());
          }
          continue;
        }
        for (const auto& e : resp.events()) {
          if (select != nullptr && select->count(e.item_id()) && e.revision() == last + 1) {
            std::lock_guard lock(mu);
            selected.push_back(e.revision());
          }
          const uint64_t expect = last + 1;
          if (e.revision() == expect) {
            last = expect;
            events++;
          } else {
            (e.revision() < expect ? duplicates : gaps)++;
            std::lock_guard lock(mu);
            if (first_problem.empty()) {
              first_problem = "expected revision " + std::to_string(expect) + ", got " +
                              std::to_string(e.revision());
            }
            if (e.revision() > expect) last = e.revision();
          }
        }
      }
      reader->Finish().IgnoreError();  // the daemon died, or we cancelled
    });
  }
  void Stop() {
    if (ctx) ctx->TryCancel();
    if (thread.joinable()) thread.join();
    ctx.reset();
  }
  ~Watcher() { Stop(); }  // a failed ASSERT returns early: never leave the thread joinable
};

std::string Config(int port) {
  return "[reminders]\nbackoff_base_ms = 100\nbackoff_max_ms = 1000\nmax_attempts = 1000\n\n"
         "[[principal]]\nname = \"张三\"\n\n[[principal]]\nname = \"李四\"\n\n"
         "[[principal]]\nname = \"王五\"\nroles = [\"supervisor\", \"admin\"]\n\n"
         "[[principal]]\nname = \"cron\"\nroles = [\"scheduler\"]\n\n"
         "[[principal]]\nname = \"watcher\"\nroles = [\"auditor\"]\n\n"
         "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:" +
         std::to_string(port) + "/hook\"\ntimeout_ms = 3000\n";
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

class CrashLoop : public ::testing::Test {
 protected:
  void Connect() {
    items_ = v1::ItemService::NewStub(daemon_->channel());
    admin_ = v1::AdminService::NewStub(daemon_->channel());
    reminders_ = v1::ReminderService::NewStub(daemon_->channel());
  }
  void Disconnect() {
    items_.reset();
    admin_.reset();
    reminders_.reset();
  }
  // Puts the (restarted) test clock at the model's time: time never goes back in this test.
  bool SetClock(int64_t model_us) {
    v1::SetClockRequest req;
    *req.mutable_time() = TimeUtil::MicrosecondsToTimestamp(model_us);
    v1::ServerInfo info;
    return admin_->SetClock(Context("王五").get(), req, &info).ok();
  }

  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::ItemService::Stub> items_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReminderService::Stub> reminders_;
};

TEST_F(CrashLoop, KilledAtRandomMomentsLosesNothingAcknowledged) {
  const int iterations = EnvInt("RECTIFY_CRASH_ITERATIONS", 50);
  const unsigned seed = static_cast<unsigned>(
      EnvInt("RECTIFY_CRASH_SEED", static_cast<int>(std::time(nullptr) & 0x7fffffff)));
  std::printf("[crash] iterations=%d seed=%u (replay: RECTIFY_CRASH_SEED=%u)\n", iterations,
              seed, seed);
  std::mt19937 rng(seed);
  auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  const std::string dir = MakeTempDir("crash");
  TempDirGuard guard(dir);
  HttpReceiver http(dir);
  daemon_ = std::make_unique<Daemon>(dir, std::vector<std::string>{"--test-clock", kClockStart});
  daemon_->WriteConfig(Config(http.port()));
  const std::string db = dir + "/db";

  google::protobuf::Timestamp start_ts;
  ASSERT_TRUE(TimeUtil::FromString(kClockStart, &start_ts));
  std::atomic<int64_t> model_us{TimeUtil::TimestampToMicroseconds(start_ts)};

  Model model;
  Watcher watcher;
  // The first items of the run, by the ids the daemon gives them (YEAR-SERIAL).
  Watcher filtered;
  for (int n = 1; n <= 20; ++n) {
    char id[16];
    std::snprintf(id, sizeof id, "2025-%06d", n);
    filtered.item_ids.insert(id);
  }
  watcher.select = &filtered.item_ids;
  std::vector<double> kill_times;
  uint64_t crashes = 0, self_crashes = 0, history_checked = 0;
  uint64_t lost = 0;
  std::string first_loss;

  for (int round = 0; round <= iterations; ++round) {
    const bool last_round = round == iterations;
    // ---- restart and verify ----------------------------------------------------------------
    if (round > 0) {
      CheckResult check = RunCheck(db, daemon_->ConfigPath());
      ASSERT_EQ(check.exit_code, 0) << "round " << round << ": rectifyd --check:\n"
                                    << check.out << check.err;
    }
    std::string failpoints;
    if (!last_round && kFailpoints && round > 0 && uniform(0, 3) == 0) {
      // Some rounds end inside the daemon instead: mid-commit or between send and mark-sent.
      switch (uniform(0, 2)) {
        case 0: failpoints = "engine.before_write=crash@" + std::to_string(uniform(3, 40)); break;
        case 1: failpoints = "engine.after_write=crash@" + std::to_string(uniform(3, 40)); break;
        case 2: failpoints = "remind.after_send=crash@1"; break;
      }
    }
    {
      std::unique_ptr<ScopedEnv> env;
      if (!failpoints.empty()) env = std::make_unique<ScopedEnv>("RECTIFY_FAILPOINTS", failpoints);
      daemon_->Start();
    }
    if (HasFatalFailure()) return;
    Connect();

    // Verified before the clock moves: until then nothing is due, so nothing commits or
    // delivers and a failpoint armed for this round cannot fire under the verification.
    if (round > 0) {
      // Every acknowledged mutation is there, at least at the acknowledged version.
      std::map<std::string, uint64_t> present;
      v1::ListItemsRequest list;
      list.set_page_size(1000);
      while (true) {
        v1::ListItemsResponse page;
        auto st = items_->ListItems(Context("王五").get(), list, &page);
        ASSERT_TRUE(st.ok()) << st.error_message();
        for (const auto& it : page.items()) present[it.id()] = it.version();
        if (page.next_page_token().empty()) break;
        list.set_page_token(page.next_page_token());
      }
      std::map<std::string, Acked> items, this_round;
      {
        std::lock_guard lock(model.mu);
        items = model.items;
        this_round.swap(model.this_round);
      }
      for (const auto& [id, a] : items) {
        auto p = present.find(id);
        if (p == present.end() || p->second < a.version) {
          ++lost;
          if (first_loss.empty()) {
            first_loss = id + " acknowledged at version " + std::to_string(a.version) +
                         (p == present.end() ? ", missing" : ", found " + std::to_string(p->second));
          }
        }
      }
      // Those of the last round, closest to the crash: the acknowledged event itself.
      for (const auto& [id, a] : this_round) {
        v1::GetHistoryRequest h;
        h.set_id(id);
        h.set_page_size(1000);
        v1::GetHistoryResponse resp;
        if (!items_->GetHistory(Context("王五").get(), h, &resp).ok()) continue;
        bool found = false;
        for (const auto& e : resp.events()) {
          found |= e.revision() == a.revision && e.item().version() == a.version;
        }
        ++history_checked;
        if (!found) {
          ++lost;
          if (first_loss.empty()) {
            first_loss = id + ": no event at acknowledged revision " + std::to_string(a.revision);
          }
        }
      }
    }
    ASSERT_TRUE(SetClock(model_us)) << "round " << round;
    watcher.Start(daemon_->channel());
    filtered.Start(daemon_->channel());
    if (last_round) break;

    // ---- load, then a kill at a random moment ----------------------------------------------
    std::atomic<bool> stop{false};
    std::vector<std::thread> load;
    for (int w = 0; w < 3; ++w) {
      load.emplace_back([&, w, wseed = rng()] {
        std::mt19937 r(wseed);
        auto stub = v1::ItemService::NewStub(daemon_->channel());
        auto reminders = v1::ReminderService::NewStub(daemon_->channel());
        for (int i = 0; !stop; ++i) {
          const int op = std::uniform_int_distribution<int>(0, 9)(r);
          auto ids = model.Ids();
          const std::string id =
              ids.empty() ? "" : ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(r)];
          v1::Item item;
          grpc::Status st;
          if (op < 3 || id.empty()) {
            // A deadline 3..20 days after the model's now: reminders fall due as time moves.
            const int64_t days = std::uniform_int_distribution<int>(3, 20)(r);
            const auto t = TimeUtil::MicrosecondsToTimestamp(model_us + days * 86400000000LL);
            std::string date = TimeUtil::ToString(t).substr(0, 10);
            st = stub->CreateItem(Context("王五").get(),
                                  NewItem("crash " + std::to_string(w) + "/" + std::to_string(i),
                                          date, "c-" + std::to_string(wseed) + "-" +
                                                    std::to_string(i)),
                                  &item);
          } else if (op < 5) {
            v1::TransitionRequest t;
            t.set_id(id);
            t.set_action(op == 3 ? v1::ACTION_CONFIRM : v1::ACTION_START);
            st = stub->Transition(Context(op == 3 ? "王五" : "张三").get(), t, &item);
          } else if (op < 7) {
            v1::AddProgressRequest p;
            p.set_id(id);
            p.set_note("进展 " + std::to_string(i));
            st = stub->AddProgress(Context("张三").get(), p, &item);
          } else if (op < 9) {
            v1::UpdateItemRequest u;
            u.set_id(id);
            u.mutable_item()->set_description("revised " + std::to_string(i));
            u.mutable_update_mask()->add_paths("description");
            st = stub->UpdateItem(Context("王五").get(), u, &item);
          } else {
            v1::RunRemindersResponse run;
            st = reminders->RunReminders(Context("cron").get(), v1::RunRemindersRequest(), &run);
            if (st.ok()) {
              std::lock_guard lock(model.mu);
              model.acknowledged++;
            }
          }
          if (op < 9 || id.empty()) {
            if (st.ok()) {
              model.Ack(item);
            } else {
              std::lock_guard lock(model.mu);
              const auto code = st.error_code();
              if (code == grpc::StatusCode::UNAVAILABLE ||
                  code == grpc::StatusCode::DEADLINE_EXCEEDED ||
                  code == grpc::StatusCode::CANCELLED) {
                model.failed++;  // the daemon is gone: this one is in doubt, stop here
                break;
              }
              model.refused++;
            }
          }
        }
      });
    }
    // Time moves: a few hours per round, so 09:00 reminder runs happen under load.
    std::thread clock([&] {
      while (!stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        model_us += 40LL * 60 * 1000000;  // 40 minutes
        if (!SetClock(model_us)) break;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(uniform(150, 900)));
    const bool alive = Answers(*daemon_);
    daemon_->Kill();
    // Taken after the kill: a digest sent between a timestamp taken before it and the kill
    // itself would otherwise look re-sent without a crash in between.
    kill_times.push_back(WallSeconds());
    ++crashes;
    if (!alive) ++self_crashes;
    stop = true;
    for (auto& t : load) t.join();
    clock.join();
    watcher.Stop();
    filtered.Stop();
    Disconnect();
  }

  // ---- the end: everything due is delivered ------------------------------------------------
  uint64_t deliveries = 0;
  std::string last_error;
  auto all_sent = [&] {
    v1::ListRemindersRequest req;
    req.set_include_deliveries(true);
    req.set_page_size(1000);
    v1::ListRemindersResponse resp;
    if (grpc::Status st = reminders_->ListReminders(Context("王五").get(), req, &resp);
        !st.ok()) {
      last_error = st.error_message();
      return false;
    }
    deliveries = resp.deliveries_size();
    for (const auto& d : resp.deliveries()) {
      if (d.state() != v1::DELIVERY_STATE_SENT) return false;
    }
    return true;
  };
  EXPECT_TRUE(WaitUntil(
      [&] {
        if (all_sent()) return true;
        model_us += 1000000;  // retries back off in daemon time
        SetClock(model_us);
        return false;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)))
      << "deliveries still pending at the end (last ListReminders error: " << last_error << ")";
  v1::ListRemindersRequest req;
  req.set_include_deliveries(true);
  req.set_page_size(1000);
  v1::ListRemindersResponse outbox;
  {
    const grpc::Status st = reminders_->ListReminders(Context("王五").get(), req, &outbox);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  std::map<std::string, std::vector<double>> received;  // idempotency key -> times
  for (const auto& r : http.Requests()) {
    if (r["path"] != "/hook" || r["status"] != 200) continue;
    received[r["headers"]["Idempotency-Key"].get<std::string>()].push_back(r["time"].get<double>());
  }
  uint64_t undelivered = 0, duplicates = 0, duplicates_without_crash = 0;
  for (const auto& d : outbox.deliveries()) {
    if (!received.count(d.idempotency_key())) ++undelivered;
  }
  for (const auto& [key, times] : received) {
    if (times.size() < 2) continue;
    duplicates += times.size() - 1;
    const double first = times.front(), last = times.back();
    bool crash_between = false;
    for (double k : kill_times) crash_between |= k >= first && k <= last;
    if (!crash_between) ++duplicates_without_crash;
  }
  // The watcher reached the end, in order.
  v1::ServerInfo info;
  ASSERT_TRUE(admin_->GetServerInfo(Context("王五").get(), v1::GetServerInfoRequest(), &info).ok());
  EXPECT_TRUE(WaitUntil([&] { return watcher.last.load() >= info.revision(); },
                        std::chrono::seconds(30)))
      << "watcher at " << watcher.last.load() << ", revision " << info.revision();
  // The filtered watcher has everything the unfiltered one selected, once it has the last.
  const uint64_t last_selected = watcher.selected.empty() ? 0 : watcher.selected.back();
  EXPECT_TRUE(WaitUntil([&] { return filtered.last.load() >= last_selected; },
                        std::chrono::seconds(30)))
      << "filtered watcher at " << filtered.last.load() << ", expected " << last_selected;
  watcher.Stop();
  filtered.Stop();
  EXPECT_FALSE(watcher.selected.empty()) << "the filter selected nothing: pick other items";
  EXPECT_EQ(filtered.selected, watcher.selected)
      << "the filtered stream differs from the unfiltered one's selection ("
      << filtered.selected.size() << " vs " << watcher.selected.size() << " events)";
  EXPECT_EQ(filtered.duplicates.load(), 0u) << filtered.first_problem;
  Disconnect();
  daemon_->Stop();
  CheckResult check = RunCheck(db, daemon_->ConfigPath());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  const std::string log = Slurp(daemon_->log_path());
  uint64_t faults = 0;
  for (size_t p = log.find("failpoint fired"); p != std::string::npos;
       p = log.find("failpoint fired", p + 1)) {
    ++faults;
  }
  std::printf(
      "[crash] summary: rounds=%d acknowledged=%llu refused=%llu in_doubt=%llu items=%zu "
      "crashes=%llu (by failpoint %llu, faults fired %llu) history_checked=%llu "
      "watcher_events=%llu watcher_gaps=%llu watcher_duplicates=%llu filtered_events=%llu "
      "deliveries=%llu "
      "undelivered=%llu resent_across_crash=%llu resent_without_crash=%llu revision=%llu "
      "lost=%llu\n",
      iterations, (unsigned long long)model.acknowledged, (unsigned long long)model.refused,
      (unsigned long long)model.failed, model.items.size(), (unsigned long long)crashes,
      (unsigned long long)self_crashes, (unsigned long long)faults,
      (unsigned long long)history_checked, (unsigned long long)watcher.events.load(),
      (unsigned long long)watcher.gaps.load(), (unsigned long long)watcher.duplicates.load(),
      (unsigned long long)filtered.events.load(),
      (unsigned long long)outbox.deliveries_size(), (unsigned long long)undelivered,
      (unsigned long long)duplicates, (unsigned long long)duplicates_without_crash,
      (unsigned long long)info.revision(), (unsigned long long)lost);
  EXPECT_EQ(lost, 0u) << first_loss;
  EXPECT_EQ(watcher.gaps.load(), 0u) << watcher.first_problem;
  EXPECT_EQ(watcher.duplicates.load(), 0u) << watcher.first_problem;
  EXPECT_EQ(undelivered, 0u);
  EXPECT_EQ(duplicates_without_crash, 0u) << "a digest sent twice with no crash in between";
  EXPECT_GT(model.acknowledged, 0u);
  EXPECT_GT(outbox.deliveries_size(), 0) << "the run should have fired reminders";
}

}  // namespace
}  // namespace rectify::e2e
