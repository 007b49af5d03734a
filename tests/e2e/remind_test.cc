// Reminders end to end: the real daemon on a clock the test moves, real receivers (an HTTP
// server and an SMTP sink, started by the test), deliveries checked at the receivers.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness.h"
#include "spawn.h"

namespace rectify::e2e {
namespace {

using google::protobuf::util::TimeUtil;
using Json = nlohmann::json;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Json> JsonLines(const std::string& path) {
  std::vector<Json> out;
  std::istringstream in(Slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(Json::parse(line));
  }
  return out;
}

// A receiver process from tests/receivers, killed when the test ends.
class Receiver {
 public:
  Receiver(const std::string& script, const std::string& dir) {
    port_file_ = dir + "/" + script + ".port";
    log_ = dir + "/" + script + ".log";
    std::string path = std::string(RECTIFY_SOURCE_DIR) + "/tests/receivers/" + script;
    std::vector<std::string> args = {"/usr/bin/python3", path, "--port-file", port_file_,
                                     "--log", log_, "--watch-parent"};
    pid_ = test_support::SpawnChild(args, {.out = "", .err = ""});
    for (int i = 0; i < 500 && port_ == 0; ++i) {
      std::string p = Slurp(port_file_);
      if (!p.empty()) port_ = std::stoi(p);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_NE(port_, 0) << script << " did not start";
  }
  ~Receiver() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  std::vector<Json> Requests() const { return JsonLines(log_); }
  void SetMode(const std::string& mode) {
    // The control endpoint, through curl from Debian's python (no client library needed).
    std::string cmd = "/usr/bin/python3 -c \"import urllib.request,json;"
                      "urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:" +
                      std::to_string(port_) + "/_control',data=json.dumps({'mode':'" + mode +
                      "'}).encode(),headers={'Content-Type':'application/json'}))\"";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string port_file_, log_;
};

// Polls until pred() holds; false after the timeout.
template <typename Pred>
bool WaitFor(Pred pred, int seconds = 20) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

class RemindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("remind");
    guard_ = std::make_unique<TempDirGuard>(dir_);
    http_ = std::make_unique<Receiver>("http_receiver.py", dir_);
    smtp_ = std::make_unique<Receiver>("smtp_sink.py", dir_);
    daemon_ = std::make_unique<Daemon>(
        dir_, std::vector<std::string>{"--test-clock", "2025-09-20T08:00:00+08:00"});
    daemon_->WriteConfig(Config());
    daemon_->Start();
    Connect();
  }
  void TearDown() override {
    items_.reset();
    admin_.reset();
    reminders_.reset();
    if (daemon_->Running()) daemon_->Stop();
  }
  void Connect() {
    items_ = v1::ItemService::NewStub(daemon_->channel());
    admin_ = v1::AdminService::NewStub(daemon_->channel());
    reminders_ = v1::ReminderService::NewStub(daemon_->channel());
  }
  std::string Config() const {
    return "[reminders]\nbackoff_base_ms = 100\nbackoff_max_ms = 400\nmax_attempts = 50\n\n"
           "[[principal]]\nname = \"张三\"\nemail = \"zhangsan@example.org\"\n\n"
           "[[principal]]\nname = \"李四\"\nemail = \"lisi@example.org\"\n\n"
           "[[principal]]\nname = \"王五\"\nroles = [\"supervisor\", \"admin\"]\n\n"
           "[[principal]]\nname = \"cron\"\nroles = [\"scheduler\"]\n\n"
           "[[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"http://127.0.0.1:" +
           std::to_string(http_->port()) + "/hook\"\ntimeout_ms = 1500\n\n"
           "[[channel]]\nname = \"mail\"\ntype = \"email\"\nurl = \"smtp://127.0.0.1:" +
           std::to_string(smtp_->port()) + "\"\nfrom = \"rectifyd@example.org\"\n";
  }

  // Moves the daemon's clock forward (retries back off in daemon time, which stands still).
  void Advance(int seconds) {
    v1::SetClockRequest req;
    req.set_advance_seconds(seconds);
    v1::ServerInfo info;
    auto st = admin_->SetClock(Context("王五").get(), req, &info);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  // WaitFor, moving the daemon's clock a second at a time.
  template <typename Pred>
  bool WaitAdvancing(Pred pred) {
    return WaitFor([&] {
      if (pred()) return true;
      Advance(1);
      return false;
    });
  }

  void SetClock(const std::string& rfc3339) {
    v1::SetClockRequest req;
    ASSERT_TRUE(TimeUtil::FromString(rfc3339, req.mutable_time()));
    v1::ServerInfo info;
    auto st = admin_->SetClock(Context("王五").get(), req, &info);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  // An ASSIGNED item owned by 张三, led by 李四, verified by 王五.
  std::string AssignedItem(const std::string& deadline) {
    const v1::CreateItemRequest c = OrdinaryItem(deadline);
    v1::Item item;
    auto st = items_->CreateItem(Context("李四").get(), c, &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    v1::TransitionRequest t;
    t.set_id(item.id());
    t.set_action(v1::ACTION_CONFIRM);
    st = items_->Transition(Context("李四").get(), t, &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return item.id();
  }

  v1::ListRemindersResponse Reminders(const std::string& id) {
    v1::ListRemindersRequest req;
    req.set_item_id(id);
    req.set_include_deliveries(true);
    req.set_upcoming(true);
    v1::ListRemindersResponse resp;
    auto st = reminders_->ListReminders(Context("王五").get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  // Webhook requests carrying a reminder of `rule` for `item`.
  std::vector<Json> HookRequests(const std::string& item, const std::string& rule = "") {
    std::vector<Json> out;
    for (const auto& r : http_->Requests()) {
      if (r["path"] != "/hook") continue;
      std::string body = r["body"];
      if (body.find(item) == std::string::npos) continue;
      if (!rule.empty() && body.find("\"" + rule + "\"") == std::string::npos &&
          body.find(rule) == std::string::npos) {
        continue;
      }
      out.push_back(r);
    }
    return out;
  }

  size_t Fired(const std::string& id, const std::string& rule) {
    size_t n = 0;
    const auto resp = Reminders(id);
    for (const auto& r : resp.reminders()) n += r.rule() == rule;
    return n;
  }

  bool AllSent(const std::string& id) {
    auto resp = Reminders(id);
    if (resp.deliveries_size() == 0) return false;
    for (const auto& d : resp.deliveries()) {
      if (d.state() != v1::DELIVERY_STATE_SENT) return false;
    }
    return true;
  }

  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
  std::unique_ptr<Receiver> http_, smtp_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::ItemService::Stub> items_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReminderService::Stub> reminders_;
};

TEST_F(RemindTest, BeforeOnTheDayOverdueEscalationAcrossNationalDay) {
  const std::string id = AssignedItem("2025-10-10");
  // Nothing is due on 09-25, the day before "5 working days before" (09-28 is a worked Sunday,
  // 10-01..08 are holidays: five working days before 10-10 is 09-26).
  SetClock("2025-09-25T09:30:00+08:00");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Reminders(id).reminders_size(), 0);

  SetClock("2025-09-26T08:59:59+08:00");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Reminders(id).reminders_size(), 0) << "fired before 09:00";

  SetClock("2025-09-26T09:00:00+08:00");
  ASSERT_TRUE(WaitFor([&] { return Fired(id, "before-5") == 1 && AllSent(id); }))
      << Reminders(id).DebugString();
  auto before5 = Reminders(id);
  EXPECT_EQ(before5.reminders(0).recipient(), "张三");
  EXPECT_EQ(before5.reminders(0).day(), "2025-09-26");
  // Delivered to the webhook (with its Idempotency-Key) and by email to the owner's address.
  auto hooks = HookRequests(id, "before");
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_FALSE(hooks[0]["headers"]["Idempotency-Key"].get<std::string>().empty());
  ASSERT_TRUE(WaitFor([&] { return !smtp_->Requests().empty(); }));
  auto mail = smtp_->Requests()[0];
  EXPECT_EQ(mail["rcpt_tos"][0], "zhangsan@example.org");

  // On the day: owner and leader.
  SetClock("2025-10-10T09:00:01+08:00");
  ASSERT_TRUE(WaitFor([&] { return Fired(id, "deadline-day") == 2; }))
      << Reminders(id).DebugString();
  // The daemon slept through 10-09: its before-1 collapsed into the more urgent deadline-day
  // reminder (one reminder per family after a gap, not a burst).
  EXPECT_EQ(Fired(id, "before-1"), 0u);

  // Overdue on the next working day (Monday 10-13): the light turns red.
  SetClock("2025-10-13T09:00:01+08:00");
  ASSERT_TRUE(WaitFor([&] { return Fired(id, "overdue") == 2; }));
  v1::GetItemRequest g;
  g.set_id(id);
  v1::Item item;
  ASSERT_TRUE(items_->GetItem(Context("王五").get(), g, &item).ok());
  EXPECT_TRUE(item.overdue());
  EXPECT_EQ(item.light(), v1::LIGHT_RED);

  // Three days of downtime collapse into one late-or-current reminder each, not a burst.
  SetClock("2025-10-16T10:00:00+08:00");
  ASSERT_TRUE(WaitFor([&] { return Fired(id, "overdue") == 4; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Fired(id, "overdue"), 4u) << "missed days must not each fire";

  // More than five working days overdue (10-20 is the sixth): 督办, recorded on the item.
  SetClock("2025-10-20T09:00:01+08:00");
  ASSERT_TRUE(WaitFor([&] { return Fired(id, "supervision") > 0; }));
  ASSERT_TRUE(items_->GetItem(Context("王五").get(), g, &item).ok());
  EXPECT_EQ(item.escalation(), v1::ESCALATION_SUPERVISION);
  v1::GetHistoryRequest h;
  h.set_id(id);
  v1::GetHistoryResponse history;
  ASSERT_TRUE(items_->GetHistory(Context("王五").get(), h, &history).ok());
  bool escalated = false;
  for (const auto& e : history.events()) escalated |= e.kind() == v1::EVENT_KIND_ESCALATED;
  EXPECT_TRUE(escalated);
}

TEST_F(RemindTest, ClosingCancelsAndClockBackSendsNothingTwice) {
  const std::string id = AssignedItem("2025-10-10");
  SetClock("2025-09-26T09:00:01+08:00");
  ASSERT_TRUE(WaitFor([&] { return Fired(id, "before-5") == 1 && AllSent(id); }));
  const size_t hooks_before = http_->Requests().size();

  // The clock goes back an hour and forward again: the same occurrence never fires twice.
  SetClock("2025-09-26T08:00:00+08:00");
  v1::RunRemindersResponse run;
  ASSERT_TRUE(reminders_->RunReminders(Context("王五").get(), v1::RunRemindersRequest(), &run).ok());
  EXPECT_EQ(run.fired_size(), 0);
  SetClock("2025-09-26T09:30:00+08:00");
  ASSERT_TRUE(reminders_->RunReminders(Context("王五").get(), v1::RunRemindersRequest(), &run).ok());
  EXPECT_EQ(run.fired_size(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(http_->Requests().size(), hooks_before);

  // Cancelling makes reminders moot in the same commit: nothing upcoming, nothing later.
  v1::TransitionRequest t;
  t.set_id(id);
  t.set_action(v1::ACTION_CANCEL);
  t.set_comment("问题已不存在");
  v1::Item item;
  ASSERT_TRUE(items_->Transition(Context("王五").get(), t, &item).ok());
  EXPECT_EQ(Reminders(id).upcoming_size(), 0);
  SetClock("2025-10-20T09:00:01+08:00");
  ASSERT_TRUE(reminders_->RunReminders(Context("王五").get(), v1::RunRemindersRequest(), &run).ok());
  EXPECT_EQ(run.fired_size(), 0);
  EXPECT_EQ(Reminders(id).reminders_size(), 1);
}

TEST_F(RemindTest, ReceiverDownThenUpIsDeliveredOnceAndFourHundredIsDead) {
  const std::string id = AssignedItem("2025-10-10");
  http_->SetMode("fail500");
  SetClock("2025-09-26T09:00:01+08:00");
  ASSERT_TRUE(WaitAdvancing([&] { return HookRequests(id).size() >= 3; }));
  http_->SetMode("ok");
  ASSERT_TRUE(WaitAdvancing([&] { return AllSent(id); }));
  auto hooks = HookRequests(id);
  std::set<std::string> keys;
  int accepted = 0;
  for (const auto& r : hooks) {
    keys.insert(r["headers"]["Idempotency-Key"].get<std::string>());
    accepted += r["status"] == 200;
  }
  EXPECT_EQ(keys.size(), 1u) << "every attempt carries the same idempotency key";
  EXPECT_EQ(accepted, 1) << "delivered once";
  const auto after = Reminders(id);
  for (const auto& d : after.deliveries()) {
    if (d.channel() == "hook") {
      EXPECT_GE(d.attempts(), 3u);
    }
  }

  // A final 4xx: the delivery is dead and says why, and is not retried.
  http_->SetMode("fail400");
  SetClock("2025-10-09T09:00:01+08:00");
  ASSERT_TRUE(WaitFor([&] {
    const auto resp = Reminders(id);
    for (const auto& d : resp.deliveries()) {
      if (d.channel() == "hook" && d.state() == v1::DELIVERY_STATE_DEAD) return true;
    }
    return false;
  }));
  const auto dead = Reminders(id);
  for (const auto& d : dead.deliveries()) {
    if (d.state() == v1::DELIVERY_STATE_DEAD) {
      EXPECT_EQ(d.attempts(), 1u);
      EXPECT_NE(d.last_error().find("400"), std::string::npos) << d.last_error();
    }
  }
}

TEST_F(RemindTest, KillNineBetweenSendAndMarkSentResendsWithTheSameKey) {
  const std::string id = AssignedItem("2025-10-10");
  http_->SetMode("hang");  // the receiver takes the request and never answers
  SetClock("2025-09-26T09:00:01+08:00");
  ASSERT_TRUE(WaitFor([&] { return HookRequests(id).size() == 1; }));
  daemon_->Kill();  // mid-delivery: sent, not yet marked
  http_->SetMode("ok");
  items_.reset();
  admin_.reset();
  reminders_.reset();
  daemon_->Start();
  Connect();
  SetClock("2025-09-26T09:00:05+08:00");  // a restarted test clock starts over
  ASSERT_TRUE(WaitAdvancing([&] { return AllSent(id); }));
  auto hooks = HookRequests(id);
  ASSERT_GE(hooks.size(), 2u);
  EXPECT_EQ(hooks[0]["headers"]["Idempotency-Key"], hooks.back()["headers"]["Idempotency-Key"]);
  EXPECT_EQ(Fired(id, "before-5"), 1u) << "the reminder itself fired once";
}

TEST_F(RemindTest, ScheduledRunsRacingTheSchedulerNeverSendTwice) {
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(AssignedItem("2025-10-10"));
  SetClock("2025-09-26T09:00:01+08:00");
  // Several external runs (cron, systemd timers) at the same moment as the scheduler.
  std::vector<std::thread> runs;
  for (int i = 0; i < 4; ++i) {
    runs.emplace_back([&] {
      v1::RunRemindersResponse r;
      auto stub = v1::ReminderService::NewStub(daemon_->channel());
      EXPECT_TRUE(stub->RunReminders(Context("cron").get(), v1::RunRemindersRequest(), &r).ok());
    });
  }
  for (auto& t : runs) t.join();
  ASSERT_TRUE(WaitFor([&] {
    for (const auto& id : ids) {
      if (!AllSent(id)) return false;
    }
    return true;
  }));
  for (const auto& id : ids) EXPECT_EQ(Fired(id, "before-5"), 1u) << id;
  // One digest per recipient and channel per run: all twenty items in one webhook request.
  size_t with_items = 0;
  for (const auto& r : http_->Requests()) {
    if (r["path"] == "/hook" && r["status"] == 200) ++with_items;
  }
  EXPECT_EQ(with_items, 1u) << "twenty reminders to one person are one digest";
}

// A run reads its due items ahead in chunks of 256 (engine/reminders.cc): 600 items span three
// chunks, the last one partial. With the scheduler off, one run evaluates and fires every one
// exactly once, as its dry preview said it would, and a second run finds nothing left.
TEST_F(RemindTest, ARunOverSeveralReadAheadChunksFiresEachItemOnce) {
  daemon_->Stop();
  daemon_->WriteConfig("[reminders]\nscheduler = false\n" + Config().substr(sizeof "[reminders]"));
  daemon_->Start();
  Connect();
  std::vector<std::string> ids;
  for (int i = 0; i < 600; ++i) ids.push_back(AssignedItem("2025-10-10"));
  SetClock("2025-09-26T09:00:01+08:00");
  v1::RunRemindersRequest dry;
  dry.set_dry_run(true);
  v1::RunRemindersResponse preview, first, second;
  ASSERT_TRUE(reminders_->RunReminders(Context("王五").get(), dry, &preview).ok());
  ASSERT_TRUE(reminders_->RunReminders(Context("cron").get(), {}, &first).ok());
  ASSERT_TRUE(reminders_->RunReminders(Context("cron").get(), {}, &second).ok());
  EXPECT_EQ(preview.items_evaluated(), 600u);
  EXPECT_EQ(first.items_evaluated(), 600u);
  EXPECT_EQ(first.fired_size(), preview.fired_size());
  EXPECT_EQ(second.items_evaluated(), 0u);
  for (const auto& id : ids) EXPECT_EQ(Fired(id, "before-5"), 1u) << id;
}

// The runs and the scheduler read the due index from the head the last run found, not from
// its start (Engine::due_floor_). A run that finds nothing due leaves that head in the future;
// an item made after it that falls due sooner must still be listed and found.
TEST_F(RemindTest, AnItemDueBeforeTheLastRunsHeadIsStillFound) {
  daemon_->Stop();
  daemon_->WriteConfig("[reminders]\nscheduler = false\n" + Config().substr(sizeof "[reminders]"));
  daemon_->Start();
  Connect();
  const std::string later = AssignedItem("2025-10-10");  // first due 09-26
  v1::RunRemindersResponse run;
  ASSERT_TRUE(reminders_->RunReminders(Context("cron").get(), {}, &run).ok());
  EXPECT_EQ(run.items_evaluated(), 0u);  // 09-20: nothing due; the head is 09-26

  const std::string sooner = AssignedItem("2025-09-25");  // due on the day, 09-25
  v1::ListRemindersRequest req;
  req.set_upcoming(true);
  v1::ListRemindersResponse listed;
  ASSERT_TRUE(reminders_->ListReminders(Context("王五").get(), req, &listed).ok());
  ASSERT_EQ(listed.upcoming_size(), 2);
  EXPECT_EQ(listed.upcoming(0).item_id(), sooner);
  EXPECT_EQ(listed.upcoming(1).item_id(), later);

  SetClock("2025-09-25T09:00:01+08:00");
  ASSERT_TRUE(reminders_->RunReminders(Context("cron").get(), {}, &run).ok());
  EXPECT_EQ(run.items_evaluated(), 1u);
  ASSERT_GE(run.fired_size(), 1);
  EXPECT_EQ(run.fired(0).item_id(), sooner);
  SetClock("2025-09-26T09:00:01+08:00");
  ASSERT_TRUE(reminders_->RunReminders(Context("cron").get(), {}, &run).ok());
  EXPECT_EQ(Fired(later, "before-5"), 1u);
}

TEST_F(RemindTest, DryRunShowsAndChangesNothing) {
  const std::string id = AssignedItem("2025-10-10");
  SetClock("2025-09-26T09:00:01+08:00");
  // A dry run may race the scheduler; stop it from mattering by looking at the log after.
  v1::RunRemindersRequest req;
  req.set_dry_run(true);
  v1::RunRemindersResponse r;
  ASSERT_TRUE(reminders_->RunReminders(Context("王五").get(), req, &r).ok());
  EXPECT_TRUE(r.dry_run());
  ASSERT_TRUE(WaitFor([&] { return Fired(id, "before-5") == 1; }));
  EXPECT_EQ(Fired(id, "before-5"), 1u);
}

}  // namespace
}  // namespace rectify::e2e
