#include "client/cli.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace rectify::client {
namespace {

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

struct Result {
  ParseOutcome outcome;
  std::string out, err;
};

Result Parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  std::ostringstream out, err;
  auto lookup = [&env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  ParseOutcome outcome = ParseCommandLine(args, lookup, out, err);
  return {std::move(outcome), out.str(), err.str()};
}

template <typename T>
const T& CommandOf(const Result& r) {
  EXPECT_TRUE(r.outcome.invocation.has_value()) << r.err;
  return std::get<T>(r.outcome.invocation->command);
}

std::vector<std::string> Paths(const v1::UpdateItemRequest& r) {
  return {r.update_mask().paths().begin(), r.update_mask().paths().end()};
}

TEST(Cli, GlobalDefaults) {
  const Result r = Parse({"server-info"});
  ASSERT_TRUE(r.outcome.invocation);
  const GlobalOptions& g = r.outcome.invocation->global;
  EXPECT_EQ(g.addr, "127.0.0.1:50051");
  EXPECT_EQ(g.actor, "");
  EXPECT_EQ(g.output, OutputFormat::kTable);
  EXPECT_EQ(g.lang, Lang::kZh);
  EXPECT_EQ(g.timeout, std::chrono::seconds(30));
}

TEST(Cli, GlobalsFromEnvironmentAndFlagsWin) {
  const std::map<std::string, std::string> env = {{"RECTIFY_ADDR", "10.0.0.1:1"},
                                                  {"RECTIFY_ACTOR", "王五"}};
  Result r = Parse({"server-info"}, env);
  ASSERT_TRUE(r.outcome.invocation);
  EXPECT_EQ(r.outcome.invocation->global.addr, "10.0.0.1:1");
  EXPECT_EQ(r.outcome.invocation->global.actor, "王五");

  r = Parse({"--addr", "127.0.0.1:9", "--as", "张三", "-o", "json", "--lang", "en", "server-info"},
            env);
  ASSERT_TRUE(r.outcome.invocation);
  const GlobalOptions& g = r.outcome.invocation->global;
  EXPECT_EQ(g.addr, "127.0.0.1:9");
  EXPECT_EQ(g.actor, "张三");
  EXPECT_EQ(g.output, OutputFormat::kJson);
  EXPECT_EQ(g.lang, Lang::kEn);
}

TEST(Cli, GlobalFlagsMayFollowTheCommand) {
  const Result r = Parse({"get", "2026-000001", "-o", "json"});
  EXPECT_EQ(CommandOf<GetCommand>(r).request.id(), "2026-000001");
  EXPECT_EQ(r.outcome.invocation->global.output, OutputFormat::kJson);
}

TEST(Cli, CreateBuildsTheItemAndDeadlineSpec) {
  const Result r = Parse({"create",
                          "--title",
                          "会议室空调长期不关",
                          "--description",
                          "浪费",
                          "--source",
                          "审计",
                          "--category",
                          "work_style",
                          "--unit",
                          "办公室",
                          "--owner",
                          "张三",
                          "--leader",
                          "李四",
                          "--verifier",
                          "王五",
                          "--measure",
                          "安装定时器",
                          "--measure",
                          "每周检查",
                          "--deadline",
                          "15wd",
                          "--year",
                          "2026",
                          "--mode",
                          "立行立改",
                          "--source-ref",
                          "审计〔2026〕1号",
                          "--co-unit",
                          "后勤处",
                          "--co-unit",
                          "财务处",
                          "--request-id",
                          "r-1"});
  const auto& req = CommandOf<CreateCommand>(r).request;
  const v1::Item& item = req.item();
  EXPECT_EQ(item.title(), "会议室空调长期不关");
  EXPECT_EQ(item.description(), "浪费");
  EXPECT_EQ(item.source(), v1::SOURCE_AUDIT);
  EXPECT_EQ(item.category(), v1::CATEGORY_WORK_STYLE);
  EXPECT_EQ(item.unit(), "办公室");
  EXPECT_EQ(item.owner(), "张三");
  EXPECT_EQ(item.leader(), "李四");
  EXPECT_EQ(item.verifier(), "王五");
  ASSERT_EQ(item.measures_size(), 2);
  EXPECT_EQ(item.measures(0).text(), "安装定时器");
  EXPECT_EQ(item.measures(1).text(), "每周检查");
  EXPECT_EQ(item.year(), 2026);
  EXPECT_EQ(item.mode(), v1::MODE_IMMEDIATE);
  EXPECT_EQ(item.source_ref(), "审计〔2026〕1号");
  ASSERT_EQ(item.co_units_size(), 2);
  EXPECT_EQ(item.co_units(1), "财务处");
  EXPECT_EQ(item.deadline(), "");
  ASSERT_TRUE(req.has_deadline());
  EXPECT_EQ(req.deadline().working_days(), 15);
  EXPECT_EQ(req.request_id(), "r-1");
}

TEST(Cli, CreateWithoutDeadlineSendsNoSpec) {
  const Result r =
      Parse({"create", "--title", "t", "--description", "d", "--source", "other", "--category",
             "other", "--unit", "u", "--owner", "o", "--leader", "l", "--verifier", "v"});
  EXPECT_FALSE(CommandOf<CreateCommand>(r).request.has_deadline());
  EXPECT_EQ(CommandOf<CreateCommand>(r).request.item().mode(), v1::MODE_UNSPECIFIED);
}

TEST(Cli, CreateMissingRequiredFlagIsUsageError) {
  const Result r = Parse({"create", "--title", "t"});
  EXPECT_FALSE(r.outcome.invocation);
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("required"), std::string::npos) << r.err;
}

TEST(Cli, BadEnumIsUsageErrorListingValues) {
  const Result r =
      Parse({"create", "--title", "t", "--description", "d", "--source", "meeting", "--category",
             "other", "--unit", "u", "--owner", "o", "--leader", "l", "--verifier", "v"});
  EXPECT_FALSE(r.outcome.invocation);
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("--source"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("AUDIT|审计"), std::string::npos) << r.err;
}

TEST(Cli, BadDeadlineIsUsageError) {
  const Result r = Parse({"extend", "2026-000001", "--to", "next week", "--reason", "r"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("--to"), std::string::npos) << r.err;
}

TEST(Cli, UnknownCommandAndMissingCommandAreUsageErrors) {
  EXPECT_EQ(Parse({"frobnicate"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"-o", "yaml", "server-info"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"get"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, HelpExitsZero) {
  const Result r = Parse({"--help"});
  EXPECT_FALSE(r.outcome.invocation);
  EXPECT_EQ(r.outcome.exit_code, kExitOk);
  EXPECT_NE(r.out.find("watch"), std::string::npos);
}

TEST(Cli, UpdateMaskIsExactlyTheFlagsGiven) {
  Result r = Parse({"update", "2026-000001", "--title", "新标题", "--deadline", "2026-07-01",
                    "--expected-version", "4", "--request-id", "r-9", "--comment", "why"});
  const auto& req = CommandOf<UpdateCommand>(r).request;
  EXPECT_EQ(req.id(), "2026-000001");
  EXPECT_EQ(Paths(req), (std::vector<std::string>{"title", "deadline"}));
  EXPECT_EQ(req.item().title(), "新标题");
  EXPECT_EQ(req.item().deadline(), "2026-07-01");
  EXPECT_EQ(req.expected_version(), 4u);
  EXPECT_EQ(req.request_id(), "r-9");
  EXPECT_EQ(req.comment(), "why");

  // An empty value is still a given flag: it clears the field.
  r = Parse({"update", "x", "--source-ref", "", "--year", "2025", "--measure", "a", "--measure",
             "b", "--owner", "赵六", "--category", "纪律", "--mode", "long-term"});
  const auto& req2 = CommandOf<UpdateCommand>(r).request;
  EXPECT_EQ(Paths(req2), (std::vector<std::string>{"source_ref", "category", "owner", "measures",
                                                   "mode", "year"}));
  EXPECT_EQ(req2.item().measures_size(), 2);
  EXPECT_EQ(req2.item().category(), v1::CATEGORY_DISCIPLINE);
  EXPECT_EQ(req2.item().mode(), v1::MODE_LONG_TERM);
}

TEST(Cli, UpdateRejectsRelativeDeadlineAndNoFields) {
  Result r = Parse({"update", "x", "--deadline", "30d"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("extend"), std::string::npos) << r.err;
  r = Parse({"update", "x", "--expected-version", "3"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
}

TEST(Cli, ListFilters) {
  const Result r = Parse({"list",
                          "--state",
                          "整改中",
                          "--state",
                          "submitted",
                          "--unit",
                          "办公室",
                          "--owner",
                          "o",
                          "--leader",
                          "l",
                          "--verifier",
                          "v",
                          "--source",
                          "巡察",
                          "--category",
                          "INTEGRITY",
                          "--year",
                          "2026",
                          "--overdue",
                          "--light",
                          "red",
                          "--deadline-from",
                          "2026-01-01",
                          "--deadline-to",
                          "2026-12-31",
                          "--order",
                          "deadline",
                          "--page-size",
                          "20",
                          "--page-token",
                          "tok",
                          "--all"});
  const auto& cmd = CommandOf<ListCommand>(r);
  const auto& req = cmd.request;
  ASSERT_EQ(req.states_size(), 2);
  EXPECT_EQ(req.states(0), v1::STATE_IN_PROGRESS);
  EXPECT_EQ(req.states(1), v1::STATE_SUBMITTED);
  EXPECT_EQ(req.unit(), "办公室");
  EXPECT_EQ(req.owner(), "o");
  EXPECT_EQ(req.leader(), "l");
  EXPECT_EQ(req.verifier(), "v");
  EXPECT_EQ(req.source(), v1::SOURCE_INSPECTION);
  EXPECT_EQ(req.category(), v1::CATEGORY_INTEGRITY);
  EXPECT_EQ(req.year(), 2026);
  EXPECT_TRUE(req.overdue());
  EXPECT_EQ(req.light(), v1::LIGHT_RED);
  EXPECT_EQ(req.deadline_from(), "2026-01-01");
  EXPECT_EQ(req.deadline_to(), "2026-12-31");
  EXPECT_EQ(req.order_by(), v1::ORDER_BY_DEADLINE);
  EXPECT_EQ(req.page_size(), 20);
  EXPECT_EQ(req.page_token(), "tok");
  EXPECT_TRUE(cmd.all);
}

TEST(Cli, ListBadDateIsUsageError) {
  EXPECT_EQ(Parse({"list", "--deadline-from", "2026-02-30"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, TransitionsMapToActions) {
  const std::pair<const char*, v1::Action> cases[] = {
      {"confirm", v1::ACTION_CONFIRM},
      {"start", v1::ACTION_START},
      {"submit", v1::ACTION_SUBMIT},
      {"endorse", v1::ACTION_ENDORSE},
      {"return", v1::ACTION_RETURN},
      {"close", v1::ACTION_CLOSE},
      {"long-term", v1::ACTION_KEEP_LONG_TERM},
      {"close-long-term", v1::ACTION_CLOSE_LONG_TERM},
      {"reopen", v1::ACTION_REOPEN},
      {"cancel", v1::ACTION_CANCEL},
  };
  for (const auto& [name, action] : cases) {
    const Result r = Parse({name, "2026-000007", "--comment", "意见"});
    const auto& cmd = CommandOf<TransitionCommand>(r);
    EXPECT_EQ(cmd.name, name);
    EXPECT_EQ(cmd.request.action(), action) << name;
    EXPECT_EQ(cmd.request.id(), "2026-000007");
    EXPECT_EQ(cmd.request.comment(), "意见");
  }
}

TEST(Cli, SubmitWithResultAndEvidence) {
  const Result r = Parse({"submit", "2026-000007", "--result", "已安装定时器", "--evidence",
                          "照片.jpg:" + kSha, "--evidence", "a.pdf:" + kSha + ":https://x/a.pdf",
                          "--expected-version", "3", "--request-id", "rq"});
  const auto& req = CommandOf<TransitionCommand>(r).request;
  EXPECT_EQ(req.action(), v1::ACTION_SUBMIT);
  EXPECT_EQ(req.result(), "已安装定时器");
  ASSERT_EQ(req.evidence_size(), 2);
  EXPECT_EQ(req.evidence(0).name(), "照片.jpg");
  EXPECT_EQ(req.evidence(1).uri(), "https://x/a.pdf");
  EXPECT_EQ(req.expected_version(), 3u);
  EXPECT_EQ(req.request_id(), "rq");
}

TEST(Cli, BadEvidenceIsUsageError) {
  const Result r = Parse({"submit", "x", "--evidence", "photo.jpg"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("NAME:SHA256"), std::string::npos) << r.err;
}

TEST(Cli, ExtendIsATransitionWithNewDeadline) {
  const Result r = Parse({"extend", "2026-000007", "--to", "30d", "--reason", "设备到货延迟",
                          "--expected-version", "5"});
  const auto& cmd = CommandOf<TransitionCommand>(r);
  EXPECT_EQ(cmd.name, "extend");
  EXPECT_EQ(cmd.request.action(), v1::ACTION_EXTEND);
  EXPECT_EQ(cmd.request.new_deadline().calendar_days(), 30);
  EXPECT_EQ(cmd.request.comment(), "设备到货延迟");
  EXPECT_EQ(cmd.request.expected_version(), 5u);
  EXPECT_EQ(Parse({"extend", "x", "--to", "30d"}).outcome.exit_code, kExitUsage);  // no reason
}

TEST(Cli, Progress) {
  const Result r = Parse({"progress", "2026-000007", "--note", "已采购", "--measure-done", "0",
                          "--measure-done", "2", "--evidence", "发票:" + kSha});
  const auto& req = CommandOf<ProgressCommand>(r).request;
  EXPECT_EQ(req.note(), "已采购");
  EXPECT_EQ(std::vector<int>(req.measures_done().begin(), req.measures_done().end()),
            (std::vector<int>{0, 2}));
  ASSERT_EQ(req.evidence_size(), 1);
  EXPECT_EQ(req.evidence(0).name(), "发票");
  EXPECT_EQ(Parse({"progress", "x"}).outcome.exit_code, kExitUsage);  // --note is required
}

TEST(Cli, Watch) {
  const Result r =
      Parse({"watch", "--from", "42", "--item", "a", "--item", "b", "--unit", "办公室", "--state",
             "已销号", "--kind", "transitioned", "--kind", "EXTENDED", "--progress-notify"});
  const auto& req = CommandOf<WatchCommand>(r).request;
  EXPECT_EQ(req.start_revision(), 42u);
  EXPECT_EQ(req.item_ids_size(), 2);
  EXPECT_EQ(req.units(0), "办公室");
  ASSERT_EQ(req.states_size(), 1);
  EXPECT_EQ(req.states(0), v1::STATE_CLOSED);
  ASSERT_EQ(req.kinds_size(), 2);
  EXPECT_EQ(req.kinds(0), v1::EVENT_KIND_TRANSITIONED);
  EXPECT_EQ(req.kinds(1), v1::EVENT_KIND_EXTENDED);
  EXPECT_TRUE(req.progress_notify());
  EXPECT_EQ(Parse({"watch", "--kind", "deleted"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, RemindRun) {
  EXPECT_FALSE(CommandOf<RemindRunCommand>(Parse({"remind", "run"})).request.dry_run());
  const Result r = Parse({"remind", "run", "--dry-run", "-o", "json"});
  EXPECT_TRUE(CommandOf<RemindRunCommand>(r).request.dry_run());
  EXPECT_EQ(r.outcome.invocation->global.output, OutputFormat::kJson);  // falls through two levels
  EXPECT_EQ(Parse({"remind"}).outcome.exit_code, kExitUsage);           // a verb is required
  EXPECT_EQ(Parse({"remind", "send"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"remind", "run", "2026-000001"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, RemindListForAnItem) {
  Result r = Parse({"remind", "list", "2026-000001"});
  const auto& req = CommandOf<RemindListCommand>(r).request;
  EXPECT_EQ(req.item_id(), "2026-000001");
  EXPECT_FALSE(req.include_deliveries());
  EXPECT_FALSE(req.upcoming());
  EXPECT_EQ(req.page_size(), 0);

  r = Parse({"remind", "list", "2026-000001", "--deliveries", "--upcoming", "--page-size", "20"});
  const auto& req2 = CommandOf<RemindListCommand>(r).request;
  EXPECT_TRUE(req2.include_deliveries());
  EXPECT_TRUE(req2.upcoming());
  EXPECT_EQ(req2.page_size(), 20);
  EXPECT_EQ(Parse({"remind", "list", "--page-size", "0"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"remind", "list", "--page-size", "1001"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, RemindListWithoutAnItemAsksForOutboxAndUpcoming) {
  // Nothing asked for: both, since the daemon answers an item-less request without them empty.
  Result r = Parse({"remind", "list"});
  const auto& req = CommandOf<RemindListCommand>(r).request;
  EXPECT_EQ(req.item_id(), "");
  EXPECT_TRUE(req.include_deliveries());
  EXPECT_TRUE(req.upcoming());
  // One asked for: only that one.
  r = Parse({"remind", "list", "--upcoming"});
  EXPECT_FALSE(CommandOf<RemindListCommand>(r).request.include_deliveries());
  EXPECT_TRUE(CommandOf<RemindListCommand>(r).request.upcoming());
  r = Parse({"remind", "list", "--deliveries"});
  EXPECT_TRUE(CommandOf<RemindListCommand>(r).request.include_deliveries());
  EXPECT_FALSE(CommandOf<RemindListCommand>(r).request.upcoming());
}

TEST(Cli, Calendar) {
  EXPECT_EQ(CommandOf<CalendarCommand>(Parse({"calendar"})).request.year(), 0);
  EXPECT_EQ(CommandOf<CalendarCommand>(Parse({"calendar", "--year", "2025"})).request.year(), 2025);
  EXPECT_EQ(Parse({"calendar", "--year", "25"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"calendar", "--year", "next"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, AddWorkdaysArguments) {
  Result r = Parse({"calendar", "add-workdays", "2025-09-26", "5"});
  EXPECT_EQ(CommandOf<AddWorkingDaysCommand>(r).request.date(), "2025-09-26");
  EXPECT_EQ(CommandOf<AddWorkingDaysCommand>(r).request.days(), 5);
  // A negative count is a value, not a flag.
  r = Parse({"calendar", "add-workdays", "2025-10-09", "-1", "-o", "json"});
  EXPECT_EQ(CommandOf<AddWorkingDaysCommand>(r).request.days(), -1);
  EXPECT_EQ(r.outcome.invocation->global.output, OutputFormat::kJson);
  r = Parse({"calendar", "add-workdays", "2025-10-01", "0"});
  EXPECT_EQ(CommandOf<AddWorkingDaysCommand>(r).request.days(), 0);

  r = Parse({"calendar", "add-workdays", "2025-09-26", "5wd"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("'5wd'"), std::string::npos) << r.err;
  r = Parse({"calendar", "add-workdays", "2025-02-30", "5"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("2025-02-30"), std::string::npos) << r.err;
  EXPECT_EQ(Parse({"calendar", "add-workdays", "5", "2025-09-26"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"calendar", "add-workdays", "2025-09-26"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"calendar", "add-workdays"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"calendar", "add-workdays", "2025-09-26", "5", "6"}).outcome.exit_code,
            kExitUsage);
  EXPECT_EQ(Parse({"calendar", "add-workdays", "2025-09-26", "99999"}).outcome.exit_code,
            kExitUsage);
  // --year would be silently ignored: refused instead.
  r = Parse({"calendar", "--year", "2025", "add-workdays", "2025-09-26", "5"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("--year"), std::string::npos) << r.err;
}

TEST(Cli, AdminVerifyAudit) {
  const Result r = Parse({"admin", "verify-audit"});
  EXPECT_TRUE(r.outcome.invocation.has_value()) << r.err;
  (void)CommandOf<VerifyAuditCommand>(r);
  // It reads the whole event log in one call: minutes, unless --timeout says otherwise.
  EXPECT_EQ(r.outcome.invocation->global.timeout, std::chrono::minutes(30));
  EXPECT_EQ(Parse({"--timeout", "5", "admin", "verify-audit"}).outcome.invocation->global.timeout,
            std::chrono::seconds(5));
  EXPECT_EQ(Parse({"server-info"}).outcome.invocation->global.timeout, std::chrono::seconds(30));
  // set-clock still needs its flags; verify-audit takes none.
  EXPECT_EQ(Parse({"admin", "verify-audit", "--to", "x"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, SetClockTo) {
  const Result r = Parse({"admin", "set-clock", "--to", "2026-06-30T09:00:00+08:00"});
  const auto& req = CommandOf<SetClockCommand>(r).request;
  ASSERT_TRUE(req.has_time());
  EXPECT_EQ(req.time().seconds(), 1782781200);
  EXPECT_EQ(req.advance_seconds(), 0);
}

TEST(Cli, SetClockAdvance) {
  const std::pair<std::vector<std::string>, int64_t> cases[] = {
      {{"admin", "set-clock", "--advance", "90s"}, 90},
      {{"admin", "set-clock", "--advance", "2d"}, 2 * 86400},
      {{"admin", "set-clock", "--advance", "-1h"}, -3600},  // separate argument, leading '-'
      {{"admin", "set-clock", "--advance=-15m"}, -900},
      {{"admin", "set-clock", "--advance", "1h30m", "--as", "tester"}, 5400},
  };
  for (const auto& [args, seconds] : cases) {
    const Result r = Parse(args);
    ASSERT_TRUE(r.outcome.invocation) << args.back() << ": " << r.err;
    const auto& req = std::get<SetClockCommand>(r.outcome.invocation->command).request;
    EXPECT_FALSE(req.has_time()) << args.back();
    EXPECT_EQ(req.advance_seconds(), seconds) << args.back();
  }
}

TEST(Cli, AdminBackupTakesTheDirectory) {
  const Result r = Parse({"admin", "backup", "/var/backups/rectifyd/2026-06-30"});
  EXPECT_EQ(CommandOf<BackupCommand>(r).request.dir(), "/var/backups/rectifyd/2026-06-30");
  const Result none = Parse({"admin", "backup"});
  EXPECT_FALSE(none.outcome.invocation);
  EXPECT_EQ(none.outcome.exit_code, kExitUsage);
  // set-clock is still set-clock next to backup.
  EXPECT_EQ(CommandOf<SetClockCommand>(Parse({"admin", "set-clock", "--advance", "1h"}))
                .request.advance_seconds(),
            3600);
}

TEST(Cli, SetClockNeedsExactlyOneOfToAndAdvance) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"admin", "set-clock"},
        {"admin", "set-clock", "--to", "2026-06-30T09:00:00+08:00", "--advance", "1h"}}) {
    const Result r = Parse(args);
    EXPECT_FALSE(r.outcome.invocation);
    EXPECT_EQ(r.outcome.exit_code, kExitUsage);
    EXPECT_NE(r.err.find("exactly one of --to"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Parse({"admin"}).outcome.exit_code, kExitUsage);
  EXPECT_EQ(Parse({"set-clock", "--advance", "1h"}).outcome.exit_code, kExitUsage);
}

TEST(Cli, SetClockBadValues) {
  Result r = Parse({"admin", "set-clock", "--advance", "1.5h"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("--advance"), std::string::npos) << r.err;
  r = Parse({"admin", "set-clock", "--advance", "5"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  // Zero cannot be told from "no advance" on the wire.
  r = Parse({"admin", "set-clock", "--advance", "0s"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("would not move"), std::string::npos) << r.err;
  r = Parse({"admin", "set-clock", "--to", "2026-06-30T09:00:00"});
  EXPECT_EQ(r.outcome.exit_code, kExitUsage);
  EXPECT_NE(r.err.find("offset"), std::string::npos) << r.err;
  EXPECT_EQ(Parse({"admin", "set-clock", "--to", "tomorrow"}).outcome.exit_code, kExitUsage);
}

TEST(ResumeCommand, CarriesGlobalsAndFilters) {
  GlobalOptions g;
  g.addr = "127.0.0.1:7000";
  g.actor = "张 三";
  g.output = OutputFormat::kJson;
  v1::WatchRequest req;
  req.add_item_ids("2026-000001");
  req.add_units("办公室");
  req.add_states(v1::STATE_CLOSED);
  req.add_kinds(v1::EVENT_KIND_UPDATED);
  req.set_progress_notify(true);
  EXPECT_EQ(ResumeCommand(g, req, 13),
            "rectifyctl --addr 127.0.0.1:7000 --as '张 三' -o json watch --from 13 --item "
            "2026-000001 --unit 办公室 --state CLOSED --kind UPDATED --progress-notify");
  EXPECT_EQ(ResumeCommand(GlobalOptions{}, v1::WatchRequest(), 0),
            "rectifyctl --addr 127.0.0.1:50051 watch");
}

}  // namespace
}  // namespace rectify::client
