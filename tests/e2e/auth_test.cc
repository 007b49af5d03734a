// Authentication and authorisation end to end: the real rectifyd with [auth] mode = "token",
// tokens made by the real `rectifyctl admin hash-token`, every RPC called by every role and unit
// relation over gRPC; TLS and mutual TLS with certificates made by openssl; fuzzed credentials.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <csignal>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace rectify::e2e {
namespace {

// Who calls, relative to the item under test (unit 办公室, owner 张三, leader 李四, verifier 王五).
enum class Who { kOwner, kLeader, kVerifier, kOutsider, kSupervisor, kAuditor, kAdmin, kScheduler };
const std::vector<Who> kEveryone = {Who::kOwner,      Who::kLeader,  Who::kVerifier,
                                    Who::kOutsider,   Who::kSupervisor, Who::kAuditor,
                                    Who::kAdmin,      Who::kScheduler};

struct Person {
  std::string name, roles, units;
};
const std::map<Who, Person>& People() {
  static const std::map<Who, Person> kPeople = {
      {Who::kOwner, {"张三", "", "\"办公室\""}},
      {Who::kLeader, {"李四", "", "\"办公室\""}},
      {Who::kVerifier, {"王五", "", "\"纪检组\""}},
      {Who::kOutsider, {"赵六", "", "\"财务科\""}},
      {Who::kSupervisor, {"督查", "\"supervisor\"", ""}},
      {Who::kAuditor, {"审计", "\"auditor\"", ""}},
      {Who::kAdmin, {"运维", "\"admin\"", ""}},
      {Who::kScheduler, {"定时", "\"scheduler\"", ""}},
  };
  return kPeople;
}

struct Token {
  std::string token, hash;
};

// A token and its hash from the real CLI.
Token MakeToken() {
  CtlResult r = Ctl("127.0.0.1:1", "", {"-o", "json", "admin", "hash-token"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) {
    ADD_FAILURE() << "hash-token printed " << r.out;
    return {};
  }
  return {j["token"].get<std::string>(), j["token_hash"].get<std::string>()};
}

bool Sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

class AuthTest : public ::testing::Test {
 public:  // the case tables below call into the fixture
  void SetUp() override {
    dir_ = MakeTempDir("auth");
    guard_ = std::make_unique<TempDirGuard>(dir_);
    for (Who w : kEveryone) tokens_[w] = MakeToken();
    daemon_ = std::make_unique<Daemon>(
        dir_, std::vector<std::string>{"--test-clock", "2026-03-02T09:00:00+08:00"});
  }
  void TearDown() override {
    items_.reset();
    if (daemon_->Running()) daemon_->Stop();
    for (int i = 1; i <= backups_; ++i) {
      std::filesystem::remove_all(dir_ + ".backup" + std::to_string(i));
    }
  }

  std::string Principals(const std::string& extra_for_admin = "") {
    std::string toml;
    for (Who w : kEveryone) {
      const Person& p = People().at(w);
      toml += "[[principal]]\nname = \"" + p.name + "\"\nroles = [" + p.roles + "]\nunits = [" +
              p.units + "]\ntoken_hashes = [\"" + tokens_[w].hash + "\"]\n";
      if (w == Who::kAdmin) toml += extra_for_admin;
      toml += "\n";
    }
    return toml;
  }
  void StartWith(const std::string& toml) {
    daemon_->WriteConfig(toml);
    daemon_->Start();
    items_ = v1::ItemService::NewStub(daemon_->channel());
    admin_ = v1::AdminService::NewStub(daemon_->channel());
    reminders_ = v1::ReminderService::NewStub(daemon_->channel());
    watch_ = v1::WatchService::NewStub(daemon_->channel());
    reports_ = v1::ReportService::NewStub(daemon_->channel());
  }
  void StartTokenMode() {
    StartWith("[auth]\nmode = \"token\"\n[watch]\nprogress_interval_ms = 50\n\n" + Principals());
  }

  std::unique_ptr<grpc::ClientContext> As(Who w, int timeout_s = 30) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer " + tokens_[w].token);
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_s));
    return ctx;
  }

  uint64_t Revision() {
    v1::ServerInfo info;
    auto st = admin_->GetServerInfo(As(Who::kAdmin).get(), {}, &info);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return info.revision();
  }

  // A DRAFT item of `unit` (owner 张三, leader 李四, verifier 王五), registered by the supervisor.
  static v1::CreateItemRequest DraftRequest(const std::string& unit = "办公室",
                                            const std::string& leader = "李四",
                                            const std::string& verifier = "王五",
                                            const std::string& owner = "张三") {
    v1::CreateItemRequest req = OrdinaryItem("2026-06-30");
    auto* it = req.mutable_item();
    it->set_unit(unit);
    it->set_owner(owner);
    it->set_leader(leader);
    it->set_verifier(verifier);
    return req;
  }
  v1::Item Draft(const std::string& unit = "办公室", const std::string& leader = "李四",
                 const std::string& verifier = "王五", const std::string& owner = "张三") {
    const v1::CreateItemRequest req = DraftRequest(unit, leader, verifier, owner);
    v1::Item item;
    auto st = items_->CreateItem(As(Who::kSupervisor).get(), req, &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return item;
  }
  v1::Item Move(const v1::Item& item, Who who, v1::Action action,
                std::function<void(v1::TransitionRequest&)> fill = nullptr) {
    v1::TransitionRequest req;
    req.set_id(item.id());
    req.set_action(action);
    req.set_comment("同意");
    if (fill) fill(req);
    v1::Item out;
    auto st = items_->Transition(As(who).get(), req, &out);
    EXPECT_TRUE(st.ok()) << v1::Action_Name(action) << ": " << st.error_message();
    return out;
  }

  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
  std::unique_ptr<Daemon> daemon_;
  std::map<Who, Token> tokens_;
  std::unique_ptr<v1::ItemService::Stub> items_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReminderService::Stub> reminders_;
  std::unique_ptr<v1::WatchService::Stub> watch_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  int backups_ = 0;
};

using grpc::StatusCode;
constexpr auto OK = StatusCode::OK;
constexpr auto DENIED = StatusCode::PERMISSION_DENIED;
constexpr auto HIDDEN = StatusCode::NOT_FOUND;

// One RPC, called by everyone; `expect` per caller. A call that fails must change nothing (the
// revision stands still); a mutation that succeeds moves it.
struct Case {
  std::string rpc;
  bool mutates;
  std::function<std::string(AuthTest*)> setup;  // makes the item the call targets ("" = none)
  std::function<grpc::Status(AuthTest*, Who, const std::string&)> call;
  std::map<Who, StatusCode> expect;
};

std::string NoItem(AuthTest*) { return ""; }
std::string ADraft(AuthTest* t) { return t->Draft().id(); }
std::string InProgress(AuthTest* t) {
  v1::Item item = t->Draft();
  item = t->Move(item, Who::kLeader, v1::ACTION_CONFIRM);
  return t->Move(item, Who::kOwner, v1::ACTION_START).id();
}

std::map<Who, StatusCode> Expect(StatusCode owner, StatusCode leader, StatusCode verifier,
                                 StatusCode outsider, StatusCode supervisor, StatusCode auditor,
                                 StatusCode admin, StatusCode scheduler) {
  return {{Who::kOwner, owner},           {Who::kLeader, leader},   {Who::kVerifier, verifier},
          {Who::kOutsider, outsider},     {Who::kSupervisor, supervisor},
          {Who::kAuditor, auditor},       {Who::kAdmin, admin},     {Who::kScheduler, scheduler}};
}

TEST_F(AuthTest, EveryRpcByEveryRoleAndUnitRelation) {
  StartTokenMode();
  const std::vector<Case> cases = {
      {"CreateItem", true, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::CreateItemRequest req;
         auto* it = req.mutable_item();
         it->set_title("新问题");
         it->set_description("d");
         it->set_source(v1::SOURCE_SELF_EXAMINATION);
         it->set_category(v1::CATEGORY_DISCIPLINE);
         it->set_unit("办公室");
         it->set_owner("张三");
         it->set_leader("李四");
         it->set_verifier("王五");
         v1::Item out;
         return t->items_->CreateItem(t->As(w).get(), req, &out);
       },
       // Members of the unit, supervisors and admins register; the verifier (another unit),
       // an outsider, the auditor (reads only) and the scheduler may not.
       Expect(OK, OK, DENIED, DENIED, OK, DENIED, OK, DENIED)},
      {"GetItem", false, ADraft,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::GetItemRequest req;
         req.set_id(id);
         v1::Item out;
         return t->items_->GetItem(t->As(w).get(), req, &out);
       },
       Expect(OK, OK, OK, HIDDEN, OK, OK, OK, HIDDEN)},
      {"GetHistory", false, ADraft,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::GetHistoryRequest req;
         req.set_id(id);
         v1::GetHistoryResponse out;
         return t->items_->GetHistory(t->As(w).get(), req, &out);
       },
       Expect(OK, OK, OK, HIDDEN, OK, OK, OK, HIDDEN)},
      {"ListReminders(item)", false, ADraft,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::ListRemindersRequest req;
         req.set_item_id(id);
         v1::ListRemindersResponse out;
         return t->reminders_->ListReminders(t->As(w).get(), req, &out);
       },
       Expect(OK, OK, OK, HIDDEN, OK, OK, OK, HIDDEN)},
      {"UpdateItem(title)", true, ADraft,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::UpdateItemRequest req;
         req.set_id(id);
         req.mutable_item()->set_title("改后的标题");
         req.mutable_update_mask()->add_paths("title");
         v1::Item out;
         return t->items_->UpdateItem(t->As(w).get(), req, &out);
       },
       // The leader and supervisors edit; the owner only description and measures.
       Expect(DENIED, OK, DENIED, HIDDEN, OK, DENIED, DENIED, HIDDEN)},
      {"Transition(confirm)", true, ADraft,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::TransitionRequest req;
         req.set_id(id);
         req.set_action(v1::ACTION_CONFIRM);
         v1::Item out;
         return t->items_->Transition(t->As(w).get(), req, &out);
       },
       Expect(DENIED, OK, DENIED, HIDDEN, OK, DENIED, DENIED, HIDDEN)},
      {"AddProgress", true, InProgress,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::AddProgressRequest req;
         req.set_id(id);
         req.set_note("已完成第一步");
         v1::Item out;
         return t->items_->AddProgress(t->As(w).get(), req, &out);
       },
       Expect(OK, OK, DENIED, HIDDEN, OK, DENIED, DENIED, HIDDEN)},
      {"RunReminders", false, NoItem,  // nothing is due: a run commits nothing
       [](AuthTest* t, Who w, const std::string& id) {
         v1::RunRemindersResponse out;
         return t->reminders_->RunReminders(t->As(w).get(), {}, &out);
       },
       Expect(DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK, OK)},
      {"RunReminders(dry_run)", false, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::RunRemindersRequest req;
         req.set_dry_run(true);
         v1::RunRemindersResponse out;
         return t->reminders_->RunReminders(t->As(w).get(), req, &out);
       },
       Expect(DENIED, DENIED, DENIED, DENIED, OK, OK, OK, OK)},
      {"ListReminders", false, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::ListRemindersRequest req;
         req.set_upcoming(true);
         v1::ListRemindersResponse out;
         return t->reminders_->ListReminders(t->As(w).get(), req, &out);
       },
       Expect(OK, OK, OK, OK, OK, OK, OK, OK)},
      {"ListItems", false, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::ListItemsResponse out;
         return t->items_->ListItems(t->As(w).get(), {}, &out);
       },
       Expect(OK, OK, OK, OK, OK, OK, OK, OK)},
      {"GetServerInfo", false, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::ServerInfo out;
         return t->admin_->GetServerInfo(t->As(w).get(), {}, &out);
       },
       Expect(OK, OK, OK, OK, OK, OK, OK, OK)},
      {"SetClock", false, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::SetClockRequest req;
         req.set_advance_seconds(1);
         v1::ServerInfo out;
         return t->admin_->SetClock(t->As(w).get(), req, &out);
       },
       Expect(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED)},
      {"GetCalendar", false, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::GetCalendarResponse out;
         return t->admin_->GetCalendar(t->As(w).get(), {}, &out);
       },
       Expect(OK, OK, OK, OK, OK, OK, OK, OK)},
      {"AddWorkingDays", false, NoItem,
       [](AuthTest* t, Who w, const std::string& id) {
         v1::AddWorkingDaysRequest req;
         req.set_date("2026-03-02");
         req.set_days(5);
         v1::AddWorkingDaysResponse out;
         return t->admin_->AddWorkingDays(t->As(w).get(), req, &out);
       },
       Expect(OK, OK, OK, OK, OK, OK, OK, OK)},
      {"GetReport", false, NoItem,
       [](AuthTest* t, Who w, const std::string&) {
         v1::GetReportRequest req;
         req.set_year(2026);
         v1::Report out;
         return t->reports_->GetReport(t->As(w).get(), req, &out);
       },
       // Everyone may ask; what they get is scoped (ReportScopeE2E checks the figures).
       Expect(OK, OK, OK, OK, OK, OK, OK, OK)},
      {"Backup", false, NoItem,
       [](AuthTest* t, Who w, const std::string&) {
         v1::BackupRequest req;
         req.set_dir(t->dir_ + ".backup" + std::to_string(++t->backups_));
         v1::BackupResponse out;
         return t->admin_->Backup(t->As(w).get(), req, &out);
       },
       Expect(DENIED, DENIED, DENIED, DENIED, DENIED, DENIED, OK, DENIED)},
      {"VerifyAudit", false, NoItem,
       [](AuthTest* t, Who w, const std::string&) {
         v1::VerifyAuditResponse out;
         return t->admin_->VerifyAudit(t->As(w).get(), {}, &out);
       },
       Expect(DENIED, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED)},
  };
  int calls = 0;
  for (const Case& c : cases) {
    for (Who w : kEveryone) {
      const std::string id = c.setup(this);
      const uint64_t before = Revision();
      const grpc::Status st = c.call(this, w, id);
      const uint64_t after = Revision();
      ++calls;
      const std::string who = c.rpc + " by " + People().at(w).name;
      EXPECT_EQ(st.error_code(), c.expect.at(w)) << who << ": " << st.error_message();
      if (!st.ok()) {
        EXPECT_FALSE(st.error_message().empty()) << who << ": a refusal says why";
        EXPECT_EQ(after, before) << who << " was refused but changed the ledger";
      } else if (c.mutates) {
        EXPECT_GT(after, before) << who;
      }
    }
  }
  EXPECT_EQ(calls, static_cast<int>(cases.size() * kEveryone.size()));
}

TEST_F(AuthTest, RefusedMutationsChangeNothing) {
  StartTokenMode();
  const v1::Item item = Draft();
  const uint64_t before = Revision();
  // Each of these is refused, by policy, by unit scope or by the workflow's item roles.
  struct Attempt {
    Who who;
    v1::Action action;
  };
  for (const Attempt& a : {Attempt{Who::kOwner, v1::ACTION_CONFIRM},
                           Attempt{Who::kOutsider, v1::ACTION_CONFIRM},
                           Attempt{Who::kAuditor, v1::ACTION_CONFIRM},
                           Attempt{Who::kScheduler, v1::ACTION_CANCEL},
                           Attempt{Who::kAdmin, v1::ACTION_CANCEL},
                           Attempt{Who::kVerifier, v1::ACTION_CANCEL}}) {
    v1::TransitionRequest req;
    req.set_id(item.id());
    req.set_action(a.action);
    req.set_comment("x");
    v1::Item out;
    auto st = items_->Transition(As(a.who).get(), req, &out);
    EXPECT_FALSE(st.ok()) << People().at(a.who).name << " " << v1::Action_Name(a.action);
  }
  EXPECT_EQ(Revision(), before) << "a refused call wrote something";
  v1::GetItemRequest get;
  get.set_id(item.id());
  v1::Item now;
  ASSERT_TRUE(items_->GetItem(As(Who::kSupervisor).get(), get, &now).ok());
  EXPECT_EQ(now.version(), item.version());
  EXPECT_EQ(now.state(), v1::STATE_DRAFT);
}

TEST_F(AuthTest, WithoutValidCredentialsNothingIsAnswered) {
  StartTokenMode();
  const v1::Item item = Draft();
  const uint64_t before = Revision();
  const std::string stranger = MakeToken().token;  // well-formed, listed nowhere
  std::vector<std::function<void(grpc::ClientContext&)>> credentials = {
      [](grpc::ClientContext&) {},
      [](grpc::ClientContext& c) { c.AddMetadata("x-rectify-actor", "admin"); },
      [&](grpc::ClientContext& c) { c.AddMetadata("authorization", "Bearer " + stranger); },
      [&](grpc::ClientContext& c) {
        c.AddMetadata("authorization", "Basic " + tokens_[Who::kAdmin].token);
      },
  };
  for (size_t i = 0; i < credentials.size(); ++i) {
    auto ctx = [&] {
      auto c = std::make_unique<grpc::ClientContext>();
      credentials[i](*c);
      return c;
    };
    v1::ServerInfo info;
    EXPECT_EQ(admin_->GetServerInfo(ctx().get(), {}, &info).error_code(),
              StatusCode::UNAUTHENTICATED) << i;
    v1::GetItemRequest get;
    get.set_id(item.id());
    v1::Item out;
    auto st = items_->GetItem(ctx().get(), get, &out);
    EXPECT_EQ(st.error_code(), StatusCode::UNAUTHENTICATED) << i;
    EXPECT_EQ(st.error_message().find(stranger), std::string::npos) << "a token was echoed";
    v1::TransitionRequest tr;
    tr.set_id(item.id());
    tr.set_action(v1::ACTION_CANCEL);
    tr.set_comment("x");
    EXPECT_EQ(items_->Transition(ctx().get(), tr, &out).error_code(),
              StatusCode::UNAUTHENTICATED) << i;
    v1::WatchRequest wr;
    auto watch_ctx = ctx();  // outlives the reader
    auto reader = watch_->Watch(watch_ctx.get(), wr);
    v1::WatchResponse resp;
    EXPECT_FALSE(reader->Read(&resp));
    EXPECT_EQ(reader->Finish().error_code(), StatusCode::UNAUTHENTICATED) << i;
  }
  // Authenticated, but naming someone else in x-rectify-actor: nobody acts as somebody else.
  auto ctx = As(Who::kOwner);
  ctx->AddMetadata("x-rectify-actor-bin", "李四");
  v1::TransitionRequest confirm;
  confirm.set_id(item.id());
  confirm.set_action(v1::ACTION_CONFIRM);
  v1::Item out;
  EXPECT_EQ(items_->Transition(ctx.get(), confirm, &out).error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Revision(), before);
  // The standard health check needs no credentials (a container probe has none).
  auto health = Ctl(daemon_->addr(), "", {"health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, "SERVING\n");
  // The daemon's log names no token.
  std::ifstream log(daemon_->log_path());
  std::string text((std::istreambuf_iterator<char>(log)), {});
  for (const auto& [w, t] : tokens_) {
    EXPECT_EQ(text.find(t.token), std::string::npos) << "a token is in the log";
  }
  EXPECT_EQ(text.find(stranger), std::string::npos);
}

TEST_F(AuthTest, TheEventsRecordTheAuthenticatedActor) {
  StartTokenMode();
  v1::Item item = Draft();
  item = Move(item, Who::kLeader, v1::ACTION_CONFIRM);
  v1::GetHistoryRequest req;
  req.set_id(item.id());
  v1::GetHistoryResponse h;
  ASSERT_TRUE(items_->GetHistory(As(Who::kAuditor).get(), req, &h).ok());
  ASSERT_EQ(h.events_size(), 2);
  EXPECT_EQ(h.events(0).actor(), "督查");
  EXPECT_EQ(h.events(1).actor(), "李四");
  EXPECT_EQ(item.created_by(), "督查");
}

TEST_F(AuthTest, ListsAndWatchStreamsCarryOnlyWhatTheCallerMaySee) {
  StartTokenMode();
  const v1::Item office = Draft("办公室");
  const v1::Item finance = Draft("财务科", "督查", "督查", "赵六");
  const uint64_t head = Revision();
  auto ids = [&](Who w) {
    v1::ListItemsResponse out;
    auto st = items_->ListItems(As(w).get(), {}, &out);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::set<std::string> s;
    for (const auto& i : out.items()) s.insert(i.id());
    return s;
  };
  EXPECT_EQ(ids(Who::kOwner), (std::set<std::string>{office.id()}));
  EXPECT_EQ(ids(Who::kOutsider), (std::set<std::string>{finance.id()}));
  EXPECT_EQ(ids(Who::kScheduler), (std::set<std::string>{}));
  EXPECT_EQ(ids(Who::kAuditor), (std::set<std::string>{office.id(), finance.id()}));
  // Asking for another unit by name does not widen the scope.
  v1::ListItemsRequest other;
  other.set_unit("财务科");
  v1::ListItemsResponse out;
  ASSERT_TRUE(items_->ListItems(As(Who::kOwner).get(), other, &out).ok());
  EXPECT_EQ(out.items_size(), 0);

  // Watch from the first revision until a progress response vouches for `head`.
  auto watched = [&](Who w) {
    v1::WatchRequest wr;
    wr.set_start_revision(1);
    wr.set_progress_notify(true);
    auto ctx = As(w, 20);
    auto reader = watch_->Watch(ctx.get(), wr);
    std::set<std::string> seen;
    v1::WatchResponse resp;
    while (reader->Read(&resp)) {
      for (const auto& e : resp.events()) seen.insert(e.item_id());
      if (resp.events_size() == 0 && resp.revision() >= head) break;
    }
    ctx->TryCancel();
    return seen;
  };
  EXPECT_EQ(watched(Who::kOwner), (std::set<std::string>{office.id()}));
  EXPECT_EQ(watched(Who::kOutsider), (std::set<std::string>{finance.id()}));
  EXPECT_EQ(watched(Who::kSupervisor), (std::set<std::string>{office.id(), finance.id()}));
}

TEST_F(AuthTest, SeparationOfDuties) {
  StartTokenMode();
  // The leader who endorsed is also the verifier: the policy says someone else must close.
  v1::Item item = Draft("办公室", "李四", "李四");
  item = Move(item, Who::kLeader, v1::ACTION_CONFIRM);
  item = Move(item, Who::kOwner, v1::ACTION_START);
  item = Move(item, Who::kOwner, v1::ACTION_SUBMIT, [](v1::TransitionRequest& r) {
    r.set_result("已整改");
    auto* e = r.add_evidence();
    e->set_name("记录.pdf");
    e->set_sha256(std::string(64, 'a'));
    e->set_size(10);
  });
  item = Move(item, Who::kLeader, v1::ACTION_ENDORSE);
  const uint64_t before = Revision();
  v1::TransitionRequest close;
  close.set_id(item.id());
  close.set_action(v1::ACTION_CLOSE);
  close.set_comment("同意销号");
  v1::Item out;
  auto st = items_->Transition(As(Who::kLeader).get(), close, &out);
  EXPECT_EQ(st.error_code(), DENIED) << st.error_message();
  EXPECT_NE(st.error_message().find("closer_not_endorser"), std::string::npos)
      << st.error_message();
  EXPECT_EQ(Revision(), before);

  // The owner who is also the item's leader never endorses their own work.
  v1::Item own = Draft("办公室", "张三", "王五");
  own = Move(own, Who::kOwner, v1::ACTION_CONFIRM);
  own = Move(own, Who::kOwner, v1::ACTION_START);
  own = Move(own, Who::kOwner, v1::ACTION_SUBMIT, [](v1::TransitionRequest& r) {
    r.set_result("已整改");
    auto* e = r.add_evidence();
    e->set_name("记录.pdf");
    e->set_sha256(std::string(64, 'b'));
    e->set_size(10);
  });
  v1::TransitionRequest endorse;
  endorse.set_id(own.id());
  endorse.set_action(v1::ACTION_ENDORSE);
  endorse.set_comment("同意");
  st = items_->Transition(As(Who::kOwner).get(), endorse, &out);
  EXPECT_EQ(st.error_code(), DENIED) << st.error_message();
}

TEST_F(AuthTest, RateLimitIsPerPrincipal) {
  StartWith("[auth]\nmode = \"token\"\n[rate_limit]\nrequests_per_second = 0.01\nburst = 5\n\n" +
            Principals());
  int ok = 0, limited = 0;
  std::string message;
  for (int i = 0; i < 8; ++i) {
    v1::GetCalendarResponse out;
    auto st = admin_->GetCalendar(As(Who::kOwner).get(), {}, &out);
    if (st.ok()) ++ok;
    if (st.error_code() == StatusCode::RESOURCE_EXHAUSTED) {
      ++limited;
      message = st.error_message();
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(limited, 3);
  EXPECT_NE(message.find("rate limit"), std::string::npos) << message;
  v1::GetCalendarResponse out;
  EXPECT_TRUE(admin_->GetCalendar(As(Who::kLeader).get(), {}, &out).ok())
      << "another principal has its own bucket";
}

TEST_F(AuthTest, UnauthenticatedModeStaysOnLoopbackUnlessTheOperatorSaysOtherwise) {
  // --check-config applies the same rule start-up does.
  auto check = [&](const std::string& toml, std::string* out) {
    const std::string cfg = dir_ + ".exposure.toml", log = dir_ + ".exposure.log";
    std::ofstream(cfg) << toml;
    const int rc = std::system((BinaryPath("rectifyd") + " --check-config --config " + cfg +
                                " >" + log + " 2>&1").c_str());
    std::ifstream in(log);
    *out = std::string((std::istreambuf_iterator<char>(in)), {});
    std::remove(cfg.c_str());
    std::remove(log.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  };
  std::string out;
  EXPECT_EQ(check("listen = \"0.0.0.0:50051\"\n", &out), 2);
  EXPECT_NE(out.find("not loopback"), std::string::npos) << out;
  EXPECT_EQ(check("listen = \"[::]:50051\"\n", &out), 2) << out;
  EXPECT_EQ(check("listen = \"0.0.0.0:50051\"\n[auth]\nallow_remote_unauthenticated = true\n",
                  &out), 0) << out;
  EXPECT_EQ(check("listen = \"[::1]:50051\"\n", &out), 0) << out;
  EXPECT_EQ(check("listen = \"0.0.0.0:50051\"\n[auth]\nmode = \"token\"\n" + Principals(), &out),
            0) << out;
  // And a daemon without authentication says so loudly when it starts.
  daemon_->Start();
  std::ifstream in(daemon_->log_path());
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("AUTHENTICATION IS OFF"), std::string::npos) << text;
}

TEST_F(AuthTest, FuzzedCredentialsNeverCrashOrAuthenticate) {
  StartTokenMode();
  const v1::Item item = Draft();
  std::mt19937 rng(20261127);
  auto bytes = [&](size_t n, int lo, int hi) {
    std::uniform_int_distribution<int> d(lo, hi);
    std::string s;
    for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(d(rng)));
    return s;
  };
  const std::string real = tokens_[Who::kAdmin].token;
  int tried = 0, authenticated = 0;
  for (int i = 0; i < 600; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    std::uniform_int_distribution<int> len(0, 200);
    switch (i % 6) {
      case 0: ctx.AddMetadata("authorization", bytes(len(rng), 0x20, 0x7e)); break;
      case 1: ctx.AddMetadata("authorization", "Bearer " + bytes(len(rng), 0x21, 0x7e)); break;
      case 2: {  // the real token with one character changed, or cut short
        std::string t = real;
        t[rng() % t.size()] ^= 1 + (rng() % 15);
        if (rng() % 2) t.resize(rng() % t.size());
        ctx.AddMetadata("authorization", "Bearer " + t);
        break;
      }
      case 3: ctx.AddMetadata("x-rectify-actor-bin", bytes(len(rng), 0, 255)); break;
      case 4: ctx.AddMetadata("x-rectify-actor", bytes(len(rng), 0x20, 0x7e)); break;
      case 5:
        ctx.AddMetadata("authorization", "Bearer " + bytes(len(rng), 0x21, 0x7e));
        ctx.AddMetadata("x-rectify-actor-bin", "运维");
        break;
    }
    v1::GetItemRequest get;
    get.set_id(item.id());
    v1::Item out;
    auto st = items_->GetItem(&ctx, get, &out);
    ++tried;
    if (st.ok()) ++authenticated;
    EXPECT_TRUE(st.error_code() == StatusCode::UNAUTHENTICATED ||
                st.error_code() == StatusCode::PERMISSION_DENIED || st.ok())
        << i << ": " << st.error_code() << " " << st.error_message();
  }
  EXPECT_EQ(authenticated, 0) << "of " << tried << " fuzzed credentials";
  v1::ServerInfo info;
  EXPECT_TRUE(admin_->GetServerInfo(As(Who::kAdmin).get(), {}, &info).ok()) << "still serving";
  std::printf("fuzzed credentials: %d tried, %d authenticated\n", tried, authenticated);
}

// How often `text` appears in the daemon's log so far.
int LogCount(const Daemon& d, const std::string& text) {
  std::ifstream in(d.log_path());
  std::string log((std::istreambuf_iterator<char>(in)), {});
  int n = 0;
  for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
  return n;
}

bool WaitLog(const Daemon& d, const std::string& text, int count) {
  for (int i = 0; i < 500; ++i) {
    if (LogCount(d, text) >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(AuthTest, SighupReloadsPrincipalsAndKeepsTheOldConfigWhenTheNewOneIsBad) {
  const std::string base = "[auth]\nmode = \"token\"\n\n";
  StartWith(base + Principals());
  const v1::Item item = Draft();
  const Token newcomer = MakeToken();
  auto get_as = [&](const std::string& token) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    v1::GetItemRequest req;
    req.set_id(item.id());
    v1::Item out;
    return items_->GetItem(&ctx, req, &out).error_code();
  };
  EXPECT_EQ(get_as(newcomer.token), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(get_as(tokens_[Who::kOutsider].token), StatusCode::NOT_FOUND);

  // A new principal, and the outsider moves to the item's unit; the log level goes to debug.
  std::string moved = Principals();
  const std::string from = "name = \"赵六\"\nroles = []\nunits = [\"财务科\"]";
  ASSERT_NE(moved.find(from), std::string::npos);
  moved.replace(moved.find(from), from.size(), "name = \"赵六\"\nroles = []\nunits = [\"办公室\"]");
  const std::string good = base + "[log]\nlevel = \"debug\"\n\n" + moved +
                           "[[principal]]\nname = \"新人\"\nunits = [\"办公室\"]\n"
                           "token_hashes = [\"" + newcomer.hash + "\"]\n";
  daemon_->WriteConfig(good);
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(WaitLog(*daemon_, "config reloaded", 1));
  EXPECT_EQ(LogCount(*daemon_, "log level debug"), 1);
  EXPECT_EQ(get_as(newcomer.token), StatusCode::OK);
  EXPECT_EQ(get_as(tokens_[Who::kOutsider].token), StatusCode::OK) << "赵六 now sees 办公室";

  // A broken file: refused with the reason, and the running config stays.
  daemon_->WriteConfig(good + "\n[auth]\nmode = \"password\"\n");
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(WaitLog(*daemon_, "reload refused", 1));
  EXPECT_EQ(LogCount(*daemon_, "config reloaded"), 1);
  EXPECT_EQ(get_as(newcomer.token), StatusCode::OK);

  // What needs a restart is named and not applied.
  daemon_->WriteConfig("[storage]\nblock_cache_mb = 32\n" + good);
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(WaitLog(*daemon_, "config reloaded", 2));
  ASSERT_TRUE(WaitLog(*daemon_, "take effect only after a restart", 1));
  EXPECT_EQ(LogCount(*daemon_, "changes to storage take effect"), 1);
  EXPECT_EQ(get_as(newcomer.token), StatusCode::OK);
  // The commit queue is sized when the engine starts: named too, not silently ignored.
  daemon_->WriteConfig("[engine]\nmax_pending = 5\n" + good);
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(WaitLog(*daemon_, "config reloaded", 3));
  ASSERT_TRUE(WaitLog(*daemon_, "take effect only after a restart", 2));
  EXPECT_EQ(LogCount(*daemon_, "changes to engine.max_pending take effect"), 1);

  // [limits] apply from the next call, except the message size gRPC fixed at start.
  auto create = [&] {
    v1::CreateItemRequest req = DraftRequest();
    v1::Item out;
    return items_->CreateItem(As(Who::kSupervisor).get(), req, &out);
  };
  ASSERT_TRUE(create().ok());
  daemon_->WriteConfig("[limits]\nmax_title_chars = 5\nmax_request_bytes = 65536\n" + good);
  daemon_->Signal(SIGHUP);
  ASSERT_TRUE(WaitLog(*daemon_, "config reloaded", 4));
  EXPECT_EQ(LogCount(*daemon_, "changes to limits.max_request_bytes take effect"), 1);
  const grpc::Status refused = create();
  EXPECT_EQ(refused.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("max_title_chars"), std::string::npos)
      << refused.error_message();
}

// ------------------------------------------------------------------------------------------
// TLS and mutual TLS, with a CA and certificates made by openssl for this test.

class TlsTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    pki_ = dir_ + ".pki";
    ASSERT_TRUE(Sh("mkdir -p " + pki_));
    const std::string p = pki_ + "/";
    ASSERT_TRUE(Sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rectify-test-ca "
                   "-keyout " + p + "ca.key -out " + p + "ca.pem"));
    for (const std::string& name : {std::string("server"), std::string("ops"),
                                    std::string("stranger")}) {
      ASSERT_TRUE(Sh("openssl req -newkey rsa:2048 -nodes -subj /CN=" + name + " -keyout " + p +
                     name + ".key -out " + p + name + ".csr"));
      std::ofstream(p + name + ".ext")
          << (name == "server" ? "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                               : "extendedKeyUsage=clientAuth\n");
      ASSERT_TRUE(Sh("openssl x509 -req -days 2 -in " + p + name + ".csr -CA " + p +
                     "ca.pem -CAkey " + p + "ca.key -CAcreateserial -extfile " + p + name +
                     ".ext -out " + p + name + ".pem"));
    }
    // Another CA, for the certificate the daemon must not trust.
    ASSERT_TRUE(Sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca "
                   "-keyout " + p + "other.key -out " + p + "other.pem"));
  }
  void TearDown() override {
    AuthTest::TearDown();
    Sh("rm -rf " + pki_);
  }
  std::string Read(const std::string& name) {
    std::ifstream in(pki_ + "/" + name, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }
  std::string TlsConfig(bool mutual) {
    std::string t = "[tls]\ncert_file = \"" + pki_ + "/server.pem\"\nkey_file = \"" + pki_ +
                    "/server.key\"\n";
    if (mutual) t += "client_ca_file = \"" + pki_ + "/ca.pem\"\nclient_cert = \"request\"\n";
    return t;
  }
  std::string pki_;
};

TEST_F(TlsTest, TokensOverTlsAndPlaintextIsRefused) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read("ca.pem");
  daemon_->UseCredentials(grpc::SslCredentials(ssl));
  StartWith("[auth]\nmode = \"token\"\n" + TlsConfig(false) + "\n" + Principals());
  v1::ServerInfo info;
  ASSERT_TRUE(admin_->GetServerInfo(As(Who::kAdmin).get(), {}, &info).ok());

  // rectifyctl with the CA and a token from the environment-free flag.
  auto ok = Ctl(daemon_->addr(), "", {"--tls-ca", pki_ + "/ca.pem", "--token",
                                      tokens_[Who::kAdmin].token, "-o", "json", "server-info"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  // Plaintext to a TLS port, and a CA that did not sign the server's certificate: no answer.
  auto plain = Ctl(daemon_->addr(), "", {"--token", tokens_[Who::kAdmin].token, "--timeout", "3",
                                         "server-info"});
  EXPECT_NE(plain.exit_code, 0);
  EXPECT_NE(plain.err.find("UNAVAILABLE"), std::string::npos) << plain.err;
  auto wrong_ca = Ctl(daemon_->addr(), "", {"--tls-ca", pki_ + "/other.pem", "--token",
                                            tokens_[Who::kAdmin].token, "--timeout", "3",
                                            "server-info"});
  EXPECT_NE(wrong_ca.exit_code, 0);
  // TLS without a token is still unauthenticated.
  auto no_token = Ctl(daemon_->addr(), "", {"--tls-ca", pki_ + "/ca.pem", "server-info"});
  EXPECT_NE(no_token.err.find("UNAUTHENTICATED"), std::string::npos) << no_token.err;
}

TEST_F(TlsTest, AClientCertificateIsItsPrincipal) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = Read("ca.pem");
  ssl.pem_cert_chain = Read("ops.pem");
  ssl.pem_private_key = Read("ops.key");
  daemon_->UseCredentials(grpc::SslCredentials(ssl));
  StartWith("[auth]\nmode = \"token\"\n" + TlsConfig(true) + "\n" +
            Principals("cert_subjects = [\"CN=ops\"]\n"));
  const std::vector<std::string> tls = {"--tls-ca", pki_ + "/ca.pem", "--tls-cert",
                                        pki_ + "/ops.pem", "--tls-key", pki_ + "/ops.key"};
  // The certificate alone authenticates: 运维 (admin) may move the test clock.
  std::vector<std::string> args = tls;
  args.insert(args.end(), {"-o", "json", "admin", "set-clock", "--advance", "1h"});
  auto r = Ctl(daemon_->addr(), "", args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // ... and is 运维 when it registers an item (admins may register for any unit).
  args = tls;
  args.insert(args.end(), {"-o", "json", "create", "--title", "证书登记", "--description", "d",
                           "--source", "audit", "--category", "discipline", "--unit", "办公室",
                           "--owner", "张三", "--leader", "李四", "--verifier", "王五"});
  r = Ctl(daemon_->addr(), "", args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(FromJson<v1::Item>(r.out).created_by(), "运维");
  // A certificate from the trusted CA whose subject no principal lists is not anyone.
  args = {"--tls-ca", pki_ + "/ca.pem", "--tls-cert", pki_ + "/stranger.pem", "--tls-key",
          pki_ + "/stranger.key", "server-info"};
  r = Ctl(daemon_->addr(), "", args);
  EXPECT_NE(r.err.find("UNAUTHENTICATED"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("CN=stranger"), std::string::npos) << r.err;
  // A certificate signed by another CA never gets through the handshake.
  args = {"--tls-ca", pki_ + "/ca.pem", "--tls-cert", pki_ + "/other.pem", "--tls-key",
          pki_ + "/other.key", "--timeout", "3", "server-info"};
  r = Ctl(daemon_->addr(), "", args);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err.find("UNAUTHENTICATED"), std::string::npos) << "it must not reach the policy";
}

}  // namespace
}  // namespace rectify::e2e
