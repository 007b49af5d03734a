// Runs parsed invocations against in-process fake services on 127.0.0.1:0, to check what goes
// over the wire (metadata, deadlines, requests) and what comes out (JSON, errors, exit codes).
// The fakes know nothing about the ledger rules; they record and answer as scripted.

#include "client/execute.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>

#include <mutex>
#include <sstream>

#include "rectify/v1/rectify.grpc.pb.h"

namespace rectify::client {
namespace {

class FakeItems final : public v1::ItemService::Service {
 public:
  grpc::Status GetItem(grpc::ServerContext* ctx, const v1::GetItemRequest* req,
                       v1::Item* resp) override {
    Record(ctx);
    if (req->id() == "missing") return {grpc::StatusCode::NOT_FOUND, "item missing not found"};
    resp->set_id(req->id());
    resp->set_title("标题");
    resp->set_state(v1::STATE_DRAFT);
    resp->set_version(1);
    return grpc::Status::OK;
  }

  grpc::Status ListItems(grpc::ServerContext* ctx, const v1::ListItemsRequest* req,
                         v1::ListItemsResponse* resp) override {
    Record(ctx);
    // Three pages of one item each, read at revisions 10, 11, 12.
    const int page = req->page_token().empty() ? 0 : std::stoi(req->page_token());
    resp->add_items()->set_id("2026-00000" + std::to_string(page + 1));
    resp->set_revision(10 + page);
    if (page < 2) resp->set_next_page_token(std::to_string(page + 1));
    return grpc::Status::OK;
  }

  grpc::Status Transition(grpc::ServerContext* ctx, const v1::TransitionRequest* req,
                          v1::Item* resp) override {
    Record(ctx);
    std::lock_guard lock(mu_);
    last_transition_ = *req;
    return {grpc::StatusCode::FAILED_PRECONDITION, "需要至少一条整改措施"};
  }

  std::string actor() {
    std::lock_guard lock(mu_);
    return actor_;
  }
  bool had_deadline() {
    std::lock_guard lock(mu_);
    return had_deadline_;
  }
  v1::TransitionRequest last_transition() {
    std::lock_guard lock(mu_);
    return last_transition_;
  }

 private:
  void Record(grpc::ServerContext* ctx) {
    std::lock_guard lock(mu_);
    auto it = ctx->client_metadata().find("x-rectify-actor");
    actor_ =
        it == ctx->client_metadata().end() ? "" : std::string(it->second.data(), it->second.size());
    had_deadline_ = ctx->deadline() < std::chrono::system_clock::now() + std::chrono::hours(1);
  }

  std::mutex mu_;
  std::string actor_;
  bool had_deadline_ = false;
  v1::TransitionRequest last_transition_;
};

class FakeWatch final : public v1::WatchService::Service {
 public:
  grpc::Status Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                     grpc::ServerWriter<v1::WatchResponse>* writer) override {
    if (req->units_size() > 0 && req->units(0) == "empty") {
      ctx->AddTrailingMetadata("x-rectify-resume-revision", "77");
      return {grpc::StatusCode::UNAVAILABLE, "shutting down"};
    }
    if (req->units_size() > 0 && req->units(0) == "silent") return grpc::Status::OK;
    v1::WatchResponse r;
    auto* e = r.add_events();
    e->set_revision(req->start_revision());
    e->set_kind(v1::EVENT_KIND_CREATED);
    e->set_item_id("2026-000001");
    e->mutable_item()->set_state(v1::STATE_DRAFT);
    writer->Write(r);
    v1::WatchResponse progress;
    progress.set_revision(req->start_revision() + 5);
    writer->Write(progress);
    if (req->units_size() > 0 && req->units(0) == "fail") {
      return {grpc::StatusCode::UNAVAILABLE, "shutting down"};
    }
    return grpc::Status::OK;
  }
};

// Records the last request of each call; answers as scripted.
class FakeAdmin final : public v1::AdminService::Service {
 public:
  grpc::Status SetClock(grpc::ServerContext*, const v1::SetClockRequest* req,
                        v1::ServerInfo* resp) override {
    std::lock_guard lock(mu_);
    last_set_clock_ = *req;
    resp->set_version("test");
    resp->set_test_clock(true);
    resp->set_outbox_pending(2);
    return grpc::Status::OK;
  }

  // Broken at revision 7 once `break_chain` is set.
  grpc::Status VerifyAudit(grpc::ServerContext*, const v1::VerifyAuditRequest*,
                           v1::VerifyAuditResponse* resp) override {
    resp->set_revision(9);
    resp->set_ok(!break_chain);
    if (break_chain) {
      resp->set_broken_revision(7);
      resp->set_reason("the event's content does not match its hash");
    }
    return grpc::Status::OK;
  }
  std::atomic<bool> break_chain{false};

  grpc::Status GetCalendar(grpc::ServerContext*, const v1::GetCalendarRequest* req,
                           v1::GetCalendarResponse* resp) override {
    if (req->year() == 2030) {
      return {grpc::StatusCode::FAILED_PRECONDITION, "the calendar has no year 2030"};
    }
    resp->set_time_zone("Asia/Shanghai");
    v1::CalendarYear* y = resp->add_years();
    y->set_year(req->year() == 0 ? 2025 : req->year());
    y->set_working_days(250);
    return grpc::Status::OK;
  }

  grpc::Status AddWorkingDays(grpc::ServerContext*, const v1::AddWorkingDaysRequest* req,
                              v1::AddWorkingDaysResponse* resp) override {
    std::lock_guard lock(mu_);
    last_add_ = *req;
    resp->set_date("2025-10-10");
    resp->set_start_is_working_day(true);
    return grpc::Status::OK;
  }

  v1::SetClockRequest last_set_clock() {
    std::lock_guard lock(mu_);
    return last_set_clock_;
  }
  v1::AddWorkingDaysRequest last_add() {
    std::lock_guard lock(mu_);
    return last_add_;
  }

 private:
  std::mutex mu_;
  v1::SetClockRequest last_set_clock_;
  v1::AddWorkingDaysRequest last_add_;
};

class FakeReminders final : public v1::ReminderService::Service {
 public:
  grpc::Status RunReminders(grpc::ServerContext*, const v1::RunRemindersRequest* req,
                            v1::RunRemindersResponse* resp) override {
    std::lock_guard lock(mu_);
    last_run_ = *req;
    v1::Reminder* r = resp->add_fired();
    r->set_item_id("2026-000001");
    r->set_title("会议室空调");
    r->set_kind(v1::REMINDER_KIND_OVERDUE);
    r->set_recipient("张三");
    r->set_days(2);
    resp->set_dry_run(req->dry_run());
    resp->set_revision(40);
    resp->set_items_evaluated(3);
    return grpc::Status::OK;
  }

  grpc::Status ListReminders(grpc::ServerContext*, const v1::ListRemindersRequest* req,
                             v1::ListRemindersResponse* resp) override {
    std::lock_guard lock(mu_);
    last_list_ = *req;
    if (req->item_id() == "missing") return {grpc::StatusCode::NOT_FOUND, "item missing"};
    if (req->include_deliveries()) {
      v1::Delivery* d = resp->add_deliveries();
      d->set_id(9);
      d->set_channel("wecom");
      d->set_state(v1::DELIVERY_STATE_SENT);
    }
    if (req->upcoming()) resp->add_upcoming()->set_item_id("2026-000002");
    resp->set_revision(41);
    return grpc::Status::OK;
  }

  v1::RunRemindersRequest last_run() {
    std::lock_guard lock(mu_);
    return last_run_;
  }
  v1::ListRemindersRequest last_list() {
    std::lock_guard lock(mu_);
    return last_list_;
  }

 private:
  std::mutex mu_;
  v1::RunRemindersRequest last_run_;
  v1::ListRemindersRequest last_list_;
};

class ExecuteTest : public testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&items_);
    builder.RegisterService(&watch_);
    builder.RegisterService(&admin_);
    builder.RegisterService(&reminders_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    addr_ = "127.0.0.1:" + std::to_string(port);
  }
  void TearDown() override { server_->Shutdown(); }

  // Parses and runs `args` after the global `--addr` flag.
  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--addr", addr_});
    std::ostringstream parse_out, parse_err;
    ParseOutcome parsed = ParseCommandLine(
        args, [](const char*) { return std::optional<std::string>(); }, parse_out, parse_err);
    EXPECT_TRUE(parsed.invocation) << parse_err.str();
    if (!parsed.invocation) return -1;
    out_.str("");
    err_.str("");
    return Execute(*parsed.invocation, out_, err_, ExecuteOptions{.handle_signals = false});
  }

  FakeItems items_;
  FakeWatch watch_;
  FakeAdmin admin_;
  FakeReminders reminders_;
  std::unique_ptr<grpc::Server> server_;
  std::string addr_;
  std::ostringstream out_, err_;
};

TEST_F(ExecuteTest, GetJsonSendsActorAndDeadline) {
  EXPECT_EQ(Run({"--as", "张三", "-o", "json", "get", "2026-000001"}), 0);
  EXPECT_EQ(items_.actor(), "%E5%BC%A0%E4%B8%89");
  EXPECT_TRUE(items_.had_deadline());
  EXPECT_EQ(out_.str().back(), '\n');
  EXPECT_NE(out_.str().find("\"id\":\"2026-000001\""), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("\"state\":\"STATE_DRAFT\""), std::string::npos) << out_.str();
  EXPECT_EQ(err_.str(), "");
}

TEST_F(ExecuteTest, NoActorNoMetadata) {
  EXPECT_EQ(Run({"get", "2026-000001"}), 0);
  EXPECT_EQ(items_.actor(), "");
  EXPECT_NE(out_.str().find("待确认"), std::string::npos) << out_.str();
}

TEST_F(ExecuteTest, RpcErrorPrintsCodeNameAndExitsOne) {
  EXPECT_EQ(Run({"get", "missing"}), 1);
  EXPECT_EQ(err_.str(), "NOT_FOUND: item missing not found\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ExecuteTest, TransitionErrorAndRequest) {
  EXPECT_EQ(Run({"--as", "li", "confirm", "2026-000001", "--expected-version", "2"}), 1);
  EXPECT_EQ(err_.str(), "FAILED_PRECONDITION: 需要至少一条整改措施\n");
  EXPECT_EQ(items_.last_transition().action(), v1::ACTION_CONFIRM);
  EXPECT_EQ(items_.last_transition().expected_version(), 2u);
  EXPECT_EQ(items_.actor(), "li");
}

TEST_F(ExecuteTest, ListAllMergesPagesIntoOneDocument) {
  EXPECT_EQ(Run({"-o", "json", "list", "--all"}), 0);
  const std::string json = out_.str();
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n'), 1) << json;
  EXPECT_NE(json.find("2026-000001"), std::string::npos);
  EXPECT_NE(json.find("2026-000003"), std::string::npos);
  EXPECT_NE(json.find("\"revision\":\"10\""), std::string::npos) << json;  // first page
  EXPECT_NE(json.find("\"nextPageToken\":\"\""), std::string::npos) << json;
}

TEST_F(ExecuteTest, ListOnePageShowsNextToken) {
  EXPECT_EQ(Run({"list"}), 0);
  EXPECT_NE(out_.str().find("共 1 项；下一页：--page-token 1"), std::string::npos) << out_.str();
}

TEST_F(ExecuteTest, WatchJsonLinesAndCleanEnd) {
  EXPECT_EQ(Run({"-o", "json", "watch", "--from", "7"}), 0);
  const auto out = out_.str();
  const size_t first_nl = out.find('\n');
  ASSERT_NE(first_nl, std::string::npos);
  EXPECT_EQ(out.substr(0, out.find(',')), "{\"revision\":\"7\"");
  EXPECT_EQ(out.substr(first_nl + 1), "{\"progress\":{\"revision\":\"12\"}}\n");
  EXPECT_EQ(err_.str(), "stream ended at revision 12 (OK); resume with: rectifyctl --addr " +
                            addr_ + " -o json watch --from 13\n");
}

TEST_F(ExecuteTest, WatchErrorExitsOneWithResumeHint) {
  EXPECT_EQ(Run({"watch", "--from", "3", "--unit", "fail"}), 1);
  EXPECT_NE(out_.str().find("3  -  2026-000001  新建  -> 待确认"), std::string::npos) << out_.str();
  EXPECT_EQ(err_.str(),
            "stream ended at revision 8 (UNAVAILABLE: shutting down); resume with: "
            "rectifyctl --addr " +
                addr_ + " watch --from 9 --unit fail\n");
}

TEST_F(ExecuteTest, WatchNothingSeenResumesWhereTheDaemonSays) {
  EXPECT_EQ(Run({"watch", "--unit", "empty"}), 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(),
            "stream ended at revision 0 (UNAVAILABLE: shutting down); resume with: "
            "rectifyctl --addr " +
                addr_ + " watch --from 77 --unit empty\n");
}

TEST_F(ExecuteTest, WatchNothingSeenNoTrailerRepeatsTheStart) {
  EXPECT_EQ(Run({"watch", "--from", "5", "--unit", "silent"}), 0);
  EXPECT_EQ(err_.str(),
            "stream ended at revision 0 (OK); resume with: "
            "rectifyctl --addr " +
                addr_ + " watch --from 5 --unit silent\n");
}

TEST_F(ExecuteTest, VerifyAuditExitsThreeOnABreak) {
  EXPECT_EQ(Run({"--lang", "en", "admin", "verify-audit"}), 0);
  EXPECT_NE(out_.str().find("OK"), std::string::npos) << out_.str();
  admin_.break_chain = true;
  out_.str("");
  EXPECT_EQ(Run({"--lang", "en", "admin", "verify-audit"}), kExitAuditBroken);
  EXPECT_NE(out_.str().find("BROKEN"), std::string::npos) << out_.str();
  const std::string text = out_.str();
  const size_t at = text.find("First broken revision");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.substr(text.find_first_not_of(' ', at + 21), 2), "7\n") << text;
  out_.str("");
  EXPECT_EQ(Run({"-o", "json", "admin", "verify-audit"}), kExitAuditBroken);
  EXPECT_NE(out_.str().find("\"brokenRevision\":\"7\""), std::string::npos) << out_.str();
}

TEST_F(ExecuteTest, SetClockSendsTheAdvanceAndPrintsServerInfo) {
  EXPECT_EQ(Run({"admin", "set-clock", "--advance", "-1h30m"}), 0);
  EXPECT_FALSE(admin_.last_set_clock().has_time());
  EXPECT_EQ(admin_.last_set_clock().advance_seconds(), -5400);
  EXPECT_NE(out_.str().find("测试时钟      是\n"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("待发送消息    2\n"), std::string::npos) << out_.str();

  EXPECT_EQ(Run({"-o", "json", "admin", "set-clock", "--to", "2026-06-30T01:00:00Z"}), 0);
  EXPECT_EQ(admin_.last_set_clock().time().seconds(), 1782781200);
  EXPECT_EQ(admin_.last_set_clock().advance_seconds(), 0);
  EXPECT_NE(out_.str().find("\"testClock\":true"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("\"outboxPending\":\"2\""), std::string::npos) << out_.str();
}

TEST_F(ExecuteTest, AddWorkdaysTableAndJson) {
  EXPECT_EQ(Run({"calendar", "add-workdays", "2025-09-26", "5"}), 0);
  EXPECT_EQ(out_.str(), "2025-09-26 之后第 5 个工作日是 2025-10-10\n");
  EXPECT_EQ(admin_.last_add().date(), "2025-09-26");
  EXPECT_EQ(admin_.last_add().days(), 5);
  EXPECT_EQ(Run({"-o", "json", "calendar", "add-workdays", "2025-09-26", "-5"}), 0);
  EXPECT_EQ(admin_.last_add().days(), -5);
  EXPECT_EQ(out_.str(), "{\"date\":\"2025-10-10\",\"startIsWorkingDay\":true}\n");
}

TEST_F(ExecuteTest, CalendarAndItsErrors) {
  EXPECT_EQ(Run({"calendar"}), 0);
  EXPECT_NE(out_.str().find("工作日数  250"), std::string::npos) << out_.str();
  EXPECT_EQ(Run({"calendar", "--year", "2030"}), 1);
  EXPECT_EQ(err_.str(), "FAILED_PRECONDITION: the calendar has no year 2030\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(ExecuteTest, RemindRunDryRun) {
  EXPECT_EQ(Run({"remind", "run", "--dry-run"}), 0);
  EXPECT_TRUE(reminders_.last_run().dry_run());
  EXPECT_NE(out_.str().find("逾期提醒"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("演练：将触发 1 条提醒"), std::string::npos) << out_.str();
  EXPECT_EQ(Run({"-o", "json", "remind", "run"}), 0);
  EXPECT_FALSE(reminders_.last_run().dry_run());
  EXPECT_EQ(out_.str().rfind("{\"fired\":[{", 0), 0u) << out_.str();
  EXPECT_NE(out_.str().find("\"kind\":\"REMINDER_KIND_OVERDUE\""), std::string::npos);
  EXPECT_NE(out_.str().find("\"dryRun\":false"), std::string::npos) << out_.str();
}

TEST_F(ExecuteTest, RemindListOutbox) {
  EXPECT_EQ(Run({"--lang", "en", "remind", "list"}), 0);
  EXPECT_TRUE(reminders_.last_list().include_deliveries());
  EXPECT_TRUE(reminders_.last_list().upcoming());
  const std::string out = out_.str();
  EXPECT_EQ(out.rfind("Outbox\n", 0), 0u) << out;
  EXPECT_NE(out.find("9  wecom    (group)    sent"), std::string::npos) << out;
  EXPECT_NE(out.find("\nUpcoming\n"), std::string::npos) << out;
  EXPECT_NE(out.find("2026-000002"), std::string::npos) << out;

  EXPECT_EQ(Run({"remind", "list", "missing", "--deliveries"}), 1);
  EXPECT_EQ(reminders_.last_list().item_id(), "missing");
  EXPECT_EQ(err_.str(), "NOT_FOUND: item missing\n");
}

TEST_F(ExecuteTest, UnreachableDaemonIsUnavailable) {
  std::ostringstream parse_out, parse_err;
  ParseOutcome parsed = ParseCommandLine(
      {"--addr", "127.0.0.1:1", "--timeout", "2", "server-info"},
      [](const char*) { return std::optional<std::string>(); }, parse_out, parse_err);
  ASSERT_TRUE(parsed.invocation);
  std::ostringstream out, err;
  EXPECT_EQ(Execute(*parsed.invocation, out, err), 1);
  EXPECT_EQ(err.str().rfind("UNAVAILABLE", 0), 0u) << err.str();
}

}  // namespace
}  // namespace rectify::client
