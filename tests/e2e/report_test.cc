// Year-end report, export and import end to end (issue #6): the real rectifyd on a test clock,
// the real rectifyctl, Debian's python3-openpyxl reading the XLSX back, iconv(1) producing GBK.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "harness.h"

namespace rectify::e2e {
namespace {

using google::protobuf::util::TimeUtil;

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const char* kStart = "2026-03-02T10:00:00+08:00";  // a Monday

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

// Runs a shell command; its stdout, and its exit status in *status.
std::string Shell(const std::string& command, int* status) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) {
    *status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *status = pclose(p);
  return out;
}

v1::Report ReportFromJson(const std::string& json) {
  v1::Report r;
  auto st = google::protobuf::util::JsonStringToMessage(json, &r);
  EXPECT_TRUE(st.ok()) << st << "\n" << json;
  return r;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

class LedgerDaemon {
 public:
  explicit LedgerDaemon(const std::string& tag, const std::string& config = "")
      : dir_(MakeTempDir(tag)), guard_(dir_),
        daemon_(dir_, std::vector<std::string>{"--test-clock", kStart}) {
    if (!config.empty()) daemon_.WriteConfig(config);
    daemon_.Start();
    items_ = v1::ItemService::NewStub(daemon_.channel());
    admin_ = v1::AdminService::NewStub(daemon_.channel());
    reminders_ = v1::ReminderService::NewStub(daemon_.channel());
  }
  ~LedgerDaemon() {
    if (daemon_.Running()) daemon_.Stop();
  }
  const std::string& dir() const { return dir_; }
  const std::string& addr() const { return daemon_.addr(); }

  void SetClock(const std::string& rfc3339) {
    v1::SetClockRequest req;
    ASSERT_TRUE(TimeUtil::FromString(rfc3339, req.mutable_time()));
    v1::ServerInfo info;
    auto st = admin_->SetClock(Context("王五").get(), req, &info);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  v1::ServerInfo Info() {
    v1::ServerInfo info;
    auto st = admin_->GetServerInfo(Context("王五").get(), v1::GetServerInfoRequest(), &info);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return info;
  }
  v1::Item Create(const v1::Item& fields) {
    v1::CreateItemRequest c;
    *c.mutable_item() = fields;
    v1::Item item;
    auto st = items_->CreateItem(Context(fields.leader()).get(), c, &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return item;
  }
  v1::Item Move(const v1::Item& item, const std::string& actor, v1::Action action) {
    v1::TransitionRequest t;
    t.set_id(item.id());
    t.set_action(action);
    t.set_comment("同意");
    if (action == v1::ACTION_SUBMIT) {
      t.set_result("已整改");
      auto* e = t.add_evidence();
      e->set_name("整改报告.pdf");
      e->set_sha256(kSha);
    }
    v1::Item out;
    auto st = items_->Transition(Context(actor).get(), t, &out);
    EXPECT_TRUE(st.ok()) << v1::Action_Name(action) << ": " << st.error_message();
    return out;
  }
  // confirm .. close, by the item's people.
  v1::Item CloseAll(v1::Item item) {
    item = Move(item, item.owner(), v1::ACTION_START);
    item = Move(item, item.owner(), v1::ACTION_SUBMIT);
    item = Move(item, item.leader(), v1::ACTION_ENDORSE);
    return Move(item, item.verifier(), v1::ACTION_CLOSE);
  }
  v1::Item Get(const std::string& id) {
    v1::GetItemRequest req;
    req.set_id(id);
    v1::Item item;
    auto st = items_->GetItem(Context("王五").get(), req, &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return item;
  }
  std::vector<v1::Item> All() {
    v1::ListItemsRequest req;
    req.set_page_size(1000);
    v1::ListItemsResponse resp;
    auto st = items_->ListItems(Context("王五").get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.items().begin(), resp.items().end()};
  }
  uint64_t RemindersOf(const std::string& id) {
    v1::ListRemindersRequest req;
    req.set_item_id(id);
    req.set_page_size(1000);
    v1::ListRemindersResponse resp;
    auto st = reminders_->ListReminders(Context("王五").get(), req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.reminders_size();
  }
  // A reminder run now (the daemon's own scheduler may have fired them first, woken by the
  // clock change), then waits until the items are escalated to 督办.
  void RunRemindersUntilEscalated(const std::vector<std::string>& ids) {
    v1::RunRemindersResponse resp;
    auto st = reminders_->RunReminders(Context("王五").get(), v1::RunRemindersRequest(), &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (const auto& id : ids) {
      while (Get(id).escalation() != v1::ESCALATION_SUPERVISION &&
             std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      ASSERT_EQ(Get(id).escalation(), v1::ESCALATION_SUPERVISION) << id;
    }
  }

 private:
  std::string dir_;
  TempDirGuard guard_;
  Daemon daemon_;
  std::unique_ptr<v1::ItemService::Stub> items_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReminderService::Stub> reminders_;
};

v1::Item Fields(const std::string& title, const std::string& unit, const std::string& owner,
                const std::string& leader, v1::Source source, const std::string& deadline) {
  v1::Item it;
  it.set_title(title);
  it.set_description(title + "：具体表现，含逗号, 和\"引号\"");
  it.set_source(source);
  it.set_category(v1::CATEGORY_WORK_STYLE);
  it.set_unit(unit);
  it.set_owner(owner);
  it.set_leader(leader);
  it.set_verifier("王五");
  it.set_deadline(deadline);
  return it;
}

// The ledger of the test, on 2026-03-02 .. 2026-03-20:
//   1 办公室 个人查摆, closed on time on 03-09 (5 working days after confirming on 03-02)
//   2 办公室 个人查摆, deadline 03-06, overdue -> 督办 at the 03-20 run, closed late on 03-20
//     (14 working days)
//   3 财务科 群众急难愁盼, deadline 03-10, still in progress on 03-20: overdue, 督办
//   4 财务科 审计, a draft without measures
class ReportE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    d_ = std::make_unique<LedgerDaemon>("report");
    v1::Item f1 = Fields("会前学习走过场", "办公室", "张三", "李四",
                         v1::SOURCE_SELF_EXAMINATION, "2026-03-31");
    f1.set_source_ref("2025年度民主生活会");
    f1.set_mode(v1::MODE_IMMEDIATE);
    f1.add_co_units("财务科");
    f1.add_co_units("后勤中心");
    auto* m = f1.add_measures();
    m->set_text("制定学习计划");
    m->set_due("2026-03-20");
    f1.add_measures()->set_text("每月检查");
    v1::Item f2 = Fields("调研不深入", "办公室", "张三", "李四", v1::SOURCE_SELF_EXAMINATION,
                         "2026-03-06");
    f2.add_measures()->set_text("每季度下基层");
    v1::Item f3 = Fields("办事窗口排队久", "财务科", "赵六", "钱七", v1::SOURCE_PUBLIC_CONCERN,
                         "2026-03-10");
    f3.add_measures()->set_text("增开窗口");
    v1::Item f4 = Fields("报销票据不全", "财务科", "赵六", "钱七", v1::SOURCE_AUDIT, "");

    i1_ = d_->Move(d_->Create(f1), "李四", v1::ACTION_CONFIRM);
    i2_ = d_->Move(d_->Create(f2), "李四", v1::ACTION_CONFIRM);
    i3_ = d_->Move(d_->Create(f3), "钱七", v1::ACTION_CONFIRM);
    i4_ = d_->Create(f4);
    i3_ = d_->Move(i3_, "赵六", v1::ACTION_START);
    d_->SetClock("2026-03-09T10:00:00+08:00");
    i1_ = d_->CloseAll(i1_);
    d_->SetClock("2026-03-20T10:00:00+08:00");
    d_->RunRemindersUntilEscalated({i2_.id(), i3_.id()});
    i2_ = d_->CloseAll(i2_);
  }

  CtlResult Ctl(const std::vector<std::string>& args, const std::string& actor = "王五") {
    return e2e::Ctl(d_->addr(), actor, args);
  }

  std::unique_ptr<LedgerDaemon> d_;
  v1::Item i1_, i2_, i3_, i4_;
};

TEST_F(ReportE2E, ReportFiguresInEveryForm) {
  const CtlResult json = Ctl({"report", "--year", "2026", "-o", "json", "--min-per-person", "3",
                              "--member", "张三", "--member", "赵六"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto r = ReportFromJson(json.out);
  EXPECT_EQ(r.year(), 2026);
  EXPECT_EQ(r.as_of(), "2026-03-20");
  EXPECT_EQ(r.revision(), d_->Info().revision());
  const auto& f = r.overall();
  EXPECT_EQ(f.items(), 4u);
  EXPECT_EQ(f.closed(), 2u);
  EXPECT_DOUBLE_EQ(f.completion_rate(), 0.5);
  EXPECT_EQ(f.closed_on_time(), 1u);
  EXPECT_DOUBLE_EQ(f.on_time_rate(), 0.5);
  EXPECT_EQ(f.overdue_now(), 1u);
  EXPECT_EQ(f.closed_after_overdue(), 1u);
  EXPECT_EQ(f.closed_measured(), 2u);
  EXPECT_DOUBLE_EQ(f.avg_working_days_to_close(), (5.0 + 14.0) / 2);
  EXPECT_EQ(f.with_measures(), 3u);
  EXPECT_EQ(f.public_concern(), 1u);
  EXPECT_EQ(f.public_concern_closed(), 0u);
  EXPECT_EQ(f.supervision(), 2u);
  EXPECT_EQ(f.admonition(), 0u);
  const uint64_t reminders =
      d_->RemindersOf(i2_.id()) + d_->RemindersOf(i3_.id()) + d_->RemindersOf(i1_.id());
  EXPECT_GT(reminders, 0u);
  EXPECT_EQ(f.reminders(), reminders);
  uint64_t signoffs = 0;  // confirm, endorse and close each record one
  for (const auto& item : d_->All()) signoffs += item.signoffs_size();
  EXPECT_EQ(f.signoffs(), signoffs);
  EXPECT_GT(f.signoffs(), 0u);
  EXPECT_EQ(f.self_examination().total(), 2u);
  EXPECT_EQ(f.self_examination().persons(), 2u);  // 张三 2, 赵六 (listed) 0
  EXPECT_EQ(f.self_examination().below_min_size(), 2);

  const CtlResult by_unit = Ctl({"report", "--year", "2026", "--by", "unit", "-o", "json"});
  ASSERT_EQ(by_unit.exit_code, 0) << by_unit.err;
  const auto g = ReportFromJson(by_unit.out);
  ASSERT_EQ(g.groups_size(), 2);
  std::map<std::string, uint64_t> items_by_unit;
  for (const auto& group : g.groups()) items_by_unit[group.key()] = group.figures().items();
  EXPECT_EQ(items_by_unit["办公室"], 2u);
  EXPECT_EQ(items_by_unit["财务科"], 2u);

  const CtlResult unit = Ctl({"report", "--year", "2026", "--unit", "财务科", "-o", "json"});
  ASSERT_EQ(unit.exit_code, 0) << unit.err;
  EXPECT_EQ(ReportFromJson(unit.out).overall().items(), 2u);

  const CtlResult table = Ctl({"report", "--year", "2026", "--by", "unit"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("办结率          50.0%"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("财务科"), std::string::npos) << table.out;

  const CtlResult md = Ctl({"report", "--year", "2026", "--by", "source", "-o", "md"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  const std::string source =
      "（台账第 " + std::to_string(r.revision()) + " 版，2026-03-20 统计）";
  EXPECT_GE(Count(md.out, source), 10u) << md.out;
  EXPECT_NE(md.out.find("2026 年度整改台账共登记问题 4 个，已整改销号 2 个，办结率 50.0%"),
            std::string::npos)
      << md.out;
  EXPECT_NE(md.out.find("| 群众急难愁盼 | 1 |"), std::string::npos) << md.out;

  const CtlResult csv = Ctl({"report", "--year", "2026", "--by", "leader", "-o", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(Count(csv.out, "\r\n"), 4u) << csv.out;  // header, 合计, 李四, 钱七
  EXPECT_NE(csv.out.find("\r\n2026,,合计,4,2,"), std::string::npos) << csv.out;

  const CtlResult bad = Ctl({"report", "--year", "1999", "-o", "json"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;  // refused by the command line already
}

TEST_F(ReportE2E, ReportRejectsBadRequestsWithInvalidArgument) {
  auto stub = v1::ReportService::NewStub(grpc::CreateChannel(d_->addr(),
                                                              grpc::InsecureChannelCredentials()));
  v1::GetReportRequest req;
  req.set_year(0);
  v1::Report r;
  auto st = stub->GetReport(Context("王五").get(), req, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  req.set_year(2026);
  req.set_group_by(static_cast<v1::ReportGroupBy>(42));
  st = stub->GetReport(Context("王五").get(), req, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
}

// The XLSX read back with openpyxl: headers, one row per item, the light as fill colour, the
// header row frozen, the deadline a date cell.
const char* kCheckXlsx = R"py(
import sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["整改台账"]
headers = [c.value for c in ws[1]]
print("HEADERS", "|".join(headers))
print("ROWS", ws.max_row - 1)
print("FREEZE", ws.freeze_panes)
col = {h: i + 1 for i, h in enumerate(headers)}
for r in range(2, ws.max_row + 1):
    light = ws.cell(r, col["预警灯"])
    fill = light.fill.fgColor.rgb if light.fill and light.fill.fill_type == "solid" else "none"
    deadline = ws.cell(r, col["整改时限"]).value
    kind = "date" if isinstance(deadline, datetime.datetime) else repr(deadline)
    print("ROW", ws.cell(r, 1).value, ws.cell(r, col["状态"]).value, light.value or "-", fill,
          kind, deadline.strftime("%Y-%m-%d") if kind == "date" else "-")
print("WIDTH", ws.column_dimensions["B"].width, ws.column_dimensions["N"].width)
print("MEASURES", repr(ws.cell(2, col["整改措施"]).value))
)py";

TEST_F(ReportE2E, ExportXlsxReadBackWithOpenpyxl) {
  const std::string file = d_->dir() + "/ledger.xlsx";
  const CtlResult r = Ctl({"export", "--year", "2026", "--format", "xlsx", "-o", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("已导出 4 项"), std::string::npos) << r.out;
  WriteFile(d_->dir() + "/check.py", kCheckXlsx);
  int status = 0;
  const std::string out =
      Shell("/usr/bin/python3 " + d_->dir() + "/check.py " + file, &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("HEADERS 编号|问题标题|问题描述|年度|问题来源|来源文号/会议|问题类别|整改类型|"
                     "责任单位|配合单位|责任人|分管领导|验收人|整改措施|整改时限|延期记录|整改进展|"
                     "佐证材料|签字背书|整改结果|销号情况|督办级别|预警灯|状态"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("ROWS 4\n"), std::string::npos) << out;
  EXPECT_NE(out.find("FREEZE A2\n"), std::string::npos) << out;
  // Closed items have no light; the overdue one is red; the draft without deadline is green.
  EXPECT_NE(out.find("ROW " + i1_.id() + " 已销号 - none date 2026-03-31"), std::string::npos)
      << out;
  EXPECT_NE(out.find("ROW " + i3_.id() + " 整改中 红灯 FFFFC7CE date 2026-03-10"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("ROW " + i4_.id() + " 待确认 绿灯 FFC6EFCE None -"), std::string::npos)
      << out;
  EXPECT_NE(out.find("MEASURES '1. 制定学习计划（完成时限 2026-03-20）\\n2. 每月检查'"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("WIDTH 13"), std::string::npos) << out;  // fitted, not the default
}

TEST_F(ReportE2E, ExportCsvHasBomAndQuotes) {
  const std::string file = d_->dir() + "/ledger.csv";
  const CtlResult r =
      Ctl({"export", "--year", "2026", "--format", "csv", "-o", file, "--unit", "办公室"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = ReadFile(file);
  ASSERT_TRUE(text.starts_with("\xEF\xBB\xBF编号,问题标题,问题描述,年度,")) << text;
  EXPECT_EQ(Count(text, "\r\n" + i1_.id().substr(0, 5)), 2u) << text;  // two rows of 办公室
  EXPECT_NE(text.find("\"会前学习走过场：具体表现，含逗号, 和\"\"引号\"\"\""), std::string::npos)
      << text;
  EXPECT_NE(text.find(",财务科、后勤中心,"), std::string::npos) << text;
  EXPECT_NE(text.find(",2026-03-31,"), std::string::npos) << text;
}

const char* kImportCsv =
    "问题标题,问题描述,问题来源,问题类别,责任单位,责任人,分管领导,验收人,整改时限,整改措施\n"
    "食堂浪费,餐余偏多,群众急难愁盼,服务群众,后勤中心,孙八,李四,王五,2026-06-30,"
    "\"1. 公示餐余\n2. 按需备餐（完成时限 2026-04-30）\"\n"
    "公车登记不全,缺登记,开会,作风,后勤中心,孙八,李四,王五,2026-06-30,1. 补登记\n"
    "\n"
    "会议超时,时间长,组织生活会,作风,办公室,,李四,王五,2026-06-30,1. 限时发言\n"
    "文件流转慢,签批慢,上级交办,纪律,办公室,张三,李四,王五,2026-02-30,1. 限时办结\n"
    "值班脱岗,脱岗,巡察,纪律,办公室,张三,李四,王五,2026-05-31,1. 抽查\n";

TEST_F(ReportE2E, ImportGbkWithBadRowsThenSkipBadIsIdempotent) {
  const std::string utf8 = d_->dir() + "/import-utf8.csv";
  const std::string gbk = d_->dir() + "/import-gbk.csv";
  WriteFile(utf8, kImportCsv);
  int status = 0;
  const std::string conv = Shell("iconv -f UTF-8 -t GBK " + utf8 + " > " + gbk, &status);
  ASSERT_EQ(status, 0) << conv;
  ASSERT_NE(ReadFile(gbk), ReadFile(utf8));
  const uint64_t before = d_->Info().items_total();

  // Every bad row is reported with its line and reason, and nothing is created.
  CtlResult r = Ctl({"import", gbk}, "李四");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("第 4 行：invalid value '开会' for 问题来源"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("第 6 行：责任人 is empty"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("第 7 行：整改时限 \"2026-02-30\" is not a date"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("未导入任何事项：3 行有误（共 5 行）"), std::string::npos) << r.err;
  EXPECT_EQ(d_->Info().items_total(), before);

  r = Ctl({"import", gbk, "--dry-run", "--skip-bad"}, "李四");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("演练：将导入 2 项，跳过 3 行有误的行（编码 GB18030）"), std::string::npos)
      << r.out;
  EXPECT_EQ(d_->Info().items_total(), before);

  r = Ctl({"import", gbk, "--skip-bad"}, "李四");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("导入完成：新建 2 项，已存在 0 项，跳过 3 行（编码 GB18030）"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(d_->Info().items_total(), before + 2);
  bool found = false;
  for (const auto& item : d_->All()) {
    if (item.title() != "食堂浪费") continue;
    found = true;
    EXPECT_EQ(item.source(), v1::SOURCE_PUBLIC_CONCERN);
    EXPECT_EQ(item.unit(), "后勤中心");
    EXPECT_EQ(item.deadline(), "2026-06-30");
    ASSERT_EQ(item.measures_size(), 2);
    EXPECT_EQ(item.measures(1).text(), "按需备餐");
    EXPECT_EQ(item.measures(1).due(), "2026-04-30");
  }
  EXPECT_TRUE(found);

  // The same file again: nothing new.
  const uint64_t revision = d_->Info().revision();
  r = Ctl({"import", gbk, "--skip-bad"}, "李四");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("导入完成：新建 0 项，已存在 2 项"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("（已导入过）"), std::string::npos) << r.out;
  EXPECT_EQ(d_->Info().items_total(), before + 2);
  EXPECT_EQ(d_->Info().revision(), revision);

  // The UTF-8 form of the same rows is detected as such.
  r = Ctl({"import", utf8, "--dry-run", "--skip-bad"}, "李四");
  EXPECT_NE(r.out.find("（编码 UTF-8）"), std::string::npos) << r.out;
}

// Export -> import into an empty daemon reproduces every field import can restore.
TEST_F(ReportE2E, RoundTripIntoAnEmptyDaemon) {
  const std::string file = d_->dir() + "/round.csv";
  CtlResult r = Ctl({"export", "--year", "2026", "--format", "csv", "-o", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  LedgerDaemon second("report-round");  // its clock is at the start: no deadline has passed
  r = e2e::Ctl(second.addr(), "李四", {"import", file});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("新建 4 项"), std::string::npos) << r.out;

  const auto a = d_->All();
  const auto b = second.All();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].id());
    v1::Item x = a[i], y = b[i];
    // What import restores: the fields CreateItem takes (measures without their done mark).
    for (v1::Item* it : {&x, &y}) {
      v1::Item kept;
      kept.set_title(it->title());
      kept.set_description(it->description());
      kept.set_year(it->year());
      kept.set_source(it->source());
      kept.set_source_ref(it->source_ref());
      kept.set_category(it->category());
      kept.set_mode(it->mode());
      kept.set_unit(it->unit());
      *kept.mutable_co_units() = it->co_units();
      kept.set_owner(it->owner());
      kept.set_leader(it->leader());
      kept.set_verifier(it->verifier());
      for (const auto& m : it->measures()) {
        auto* km = kept.add_measures();
        km->set_text(m.text());
        km->set_due(m.due());
      }
      kept.set_deadline(it->deadline());
      *it = kept;
    }
    EXPECT_EQ(x.DebugString(), y.DebugString());
  }
}

// With principals configured, a member sees the figures of their units' items only (the
// policy's CanSee, as ListItems); a supervisor sees every unit.
TEST(ReportScopeE2E, MembersGetTheFiguresOfTheirUnitsOnly) {
  LedgerDaemon d("report-scope",
                 "[[principal]]\nname = \"王五\"\nroles = [\"supervisor\", \"admin\"]\n\n"
                 "[[principal]]\nname = \"李四\"\nunits = [\"办公室\"]\n\n"
                 "[[principal]]\nname = \"张三\"\nunits = [\"办公室\"]\n\n"
                 "[[principal]]\nname = \"钱七\"\nunits = [\"财务科\"]\n\n"
                 "[[principal]]\nname = \"赵六\"\nunits = [\"财务科\"]\n\n"
                 "[[principal]]\nname = \"孙八\"\nunits = [\"财务科\"]\n");
  d.Create(Fields("调研不深入", "办公室", "张三", "李四", v1::SOURCE_AUDIT, "2026-06-30"));
  d.Create(Fields("窗口排队久", "财务科", "赵六", "钱七", v1::SOURCE_AUDIT, "2026-06-30"));
  d.Create(Fields("票据不全", "财务科", "赵六", "钱七", v1::SOURCE_AUDIT, "2026-06-30"));
  auto items = [&](const std::string& actor) -> uint64_t {
    const CtlResult r = e2e::Ctl(d.addr(), actor, {"report", "--year", "2026", "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << actor << ": " << r.err;
    return ReportFromJson(r.out).overall().items();
  };
  EXPECT_EQ(items("王五"), 3u);
  EXPECT_EQ(items("孙八"), 2u);
  EXPECT_EQ(items("李四"), 1u);
  // An unknown caller is refused by the policy, not answered with empty figures.
  const CtlResult stranger = e2e::Ctl(d.addr(), "路人", {"report", "--year", "2026"});
  EXPECT_EQ(stranger.exit_code, 1);
  EXPECT_FALSE(stranger.err.empty());
}

}  // namespace
}  // namespace rectify::e2e
