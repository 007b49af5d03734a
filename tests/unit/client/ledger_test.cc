// CSV, encodings, the ledger sheet, report rendering and the report/export/import command lines
// (issue #6).
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "client/cli.h"
#include "client/csv.h"
#include "client/ledger.h"
#include "client/report_render.h"
#include "client/text_width.h"

namespace rectify::client {
namespace {

TEST(Csv, FieldQuotingFollowsRfc4180) {
  struct Case {
    std::string in, out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"", ""},
      {"中文", "中文"},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"two\nlines", "\"two\nlines\""},
      {"cr\r", "\"cr\r\""},
  };
  for (const Case& c : cases) EXPECT_EQ(CsvField(c.in), c.out) << c.in;
  EXPECT_EQ(CsvLine({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST(Csv, ParseRoundTripsWhatTheWriterWrites) {
  const std::vector<std::vector<std::string>> rows = {
      {"编号", "问题标题", "整改措施"},
      {"2026-000001", "标题, 带逗号", "1. 第一条\n2. 第二条 \"引号\""},
      {"", "", ""},
  };
  std::string text;
  for (const auto& r : rows) text += CsvLine(r);
  auto parsed = ParseCsv(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed.value().size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(parsed.value()[i].fields, rows[i]);
  // Line numbers are physical lines: the second record spans lines 2-3.
  EXPECT_EQ(parsed.value()[0].line, 1);
  EXPECT_EQ(parsed.value()[1].line, 2);
  EXPECT_EQ(parsed.value()[2].line, 4);
}

TEST(Csv, ParseAcceptsLfAndNoFinalNewline) {
  auto parsed = ParseCsv("a,b\nc,\"d\"");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed.value().size(), 2u);
  EXPECT_EQ(parsed.value()[1].fields, (std::vector<std::string>{"c", "d"}));
}

TEST(Csv, ParseErrorsNameTheLine) {
  struct Case {
    std::string text, message;
  };
  const Case cases[] = {
      {"a,b\nc,\"never closed\n", "line 2: a quoted field is never closed"},
      {"a\nb\"c\n", "line 2: a quote inside an unquoted field"},
      {"a\n\"b\"x\n", "line 2: text after the closing quote"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseCsv(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_NE(parsed.error().find(c.message), std::string::npos) << parsed.error();
  }
}

TEST(Encoding, DetectsUtf8BomUtf8AndGb18030) {
  const std::string utf8 = "问题标题,责任单位\r\n";
  auto gbk = Utf8ToGb18030(utf8);
  ASSERT_TRUE(gbk.ok()) << gbk.error();
  EXPECT_NE(gbk.value(), utf8);
  EXPECT_EQ(gbk.value().size(), 4u * 2 + 1 + 4u * 2 + 2);  // two bytes per Han character
  EXPECT_FALSE(IsValidUtf8(gbk.value()));

  struct Case {
    std::string bytes, encoding;
  };
  const Case cases[] = {
      {std::string(kUtf8Bom) + utf8, "UTF-8 (BOM)"},
      {utf8, "UTF-8"},
      {gbk.value(), "GB18030"},
  };
  for (const Case& c : cases) {
    std::string encoding;
    auto text = DecodeToUtf8(c.bytes, &encoding);
    ASSERT_TRUE(text.ok()) << text.error();
    EXPECT_EQ(text.value(), utf8);
    EXPECT_EQ(encoding, c.encoding);
  }
}

TEST(Encoding, RefusesBytesThatAreNeither) {
  std::string encoding;
  // 0x81 0x20: a GB18030 lead byte followed by an invalid trail byte; not UTF-8 either.
  auto text = DecodeToUtf8(std::string("ab\x81\x20", 4), &encoding);
  ASSERT_FALSE(text.ok());
  EXPECT_NE(text.error().find("neither UTF-8 nor GB18030"), std::string::npos) << text.error();
}

TEST(Encoding, Utf8Validator) {
  EXPECT_TRUE(IsValidUtf8("ascii 中文 😀"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE4\xB8"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(ContentHash, StableAndSensitive) {
  EXPECT_EQ(ContentHash("abc"), ContentHash("abc"));
  EXPECT_NE(ContentHash("abc"), ContentHash("abd"));
  EXPECT_EQ(ContentHash("").size(), 16u);
}

v1::Item SampleItem() {
  v1::Item item;
  item.set_id("2026-000007");
  item.set_title("会议室使用登记不规范");
  item.set_description("描述，含逗号\n和换行");
  item.set_year(2026);
  item.set_source(v1::SOURCE_AUDIT);
  item.set_source_ref("审计报告〔2026〕3号");
  item.set_category(v1::CATEGORY_DISCIPLINE);
  item.set_mode(v1::MODE_IMMEDIATE);
  item.set_unit("办公室");
  item.add_co_units("财务科");
  item.add_co_units("后勤中心");
  item.set_owner("张三");
  item.set_leader("李四");
  item.set_verifier("王五");
  auto* m1 = item.add_measures();
  m1->set_text("建立登记台账");
  m1->set_due("2026-06-30");
  m1->set_done(true);
  item.add_measures()->set_text("每月检查");
  item.set_deadline("2026-07-31");
  item.set_state(v1::STATE_IN_PROGRESS);
  item.set_light(v1::LIGHT_YELLOW);
  item.set_escalation(v1::ESCALATION_SUPERVISION);
  item.set_version(3);
  item.set_revision(42);
  return item;
}

TEST(Ledger, ColumnsFollowDomainOrder) {
  std::vector<std::string> headers;
  for (const auto& c : LedgerColumns()) headers.push_back(c.header);
  const std::vector<std::string> first = {"编号",     "问题标题", "问题描述", "年度",
                                          "问题来源", "来源文号/会议", "问题类别", "整改类型",
                                          "责任单位", "配合单位", "责任人",   "分管领导",
                                          "验收人",   "整改措施", "整改时限", "延期记录",
                                          "整改进展", "佐证材料", "签字背书", "整改结果",
                                          "销号情况", "督办级别", "预警灯"};
  ASSERT_GE(headers.size(), first.size());
  EXPECT_EQ(std::vector<std::string>(headers.begin(), headers.begin() + first.size()), first);
  EXPECT_EQ(LedgerRow(SampleItem()).size(), headers.size());
}

TEST(Ledger, RowFlattensReadably) {
  const auto row = LedgerRow(SampleItem());
  std::map<std::string, std::string> by;
  for (size_t i = 0; i < row.size(); ++i) by[LedgerColumns()[i].header] = row[i];
  EXPECT_EQ(by["问题来源"], "审计");
  EXPECT_EQ(by["整改类型"], "立行立改");
  EXPECT_EQ(by["配合单位"], "财务科、后勤中心");
  EXPECT_EQ(by["整改措施"], "1. 建立登记台账（完成时限 2026-06-30）（已完成）\n2. 每月检查");
  EXPECT_EQ(by["整改时限"], "2026-07-31");
  EXPECT_EQ(by["预警灯"], "黄灯");
  EXPECT_EQ(by["督办级别"], "督办");
  EXPECT_EQ(by["状态"], "整改中");
}

TEST(Ledger, RowReadsBackIntoTheSameCreateFields) {
  std::vector<std::string> header;
  for (const auto& c : LedgerColumns()) header.push_back(c.header);
  auto columns = MapHeader(header);
  ASSERT_TRUE(columns.ok()) << columns.error();
  auto req = RowToCreate(columns.value(), LedgerRow(SampleItem()));
  ASSERT_TRUE(req.ok()) << req.error();
  const v1::Item& in = SampleItem();
  const v1::Item& out = req.value().item();
  EXPECT_EQ(out.title(), in.title());
  EXPECT_EQ(out.description(), in.description());
  EXPECT_EQ(out.year(), in.year());
  EXPECT_EQ(out.source(), in.source());
  EXPECT_EQ(out.source_ref(), in.source_ref());
  EXPECT_EQ(out.category(), in.category());
  EXPECT_EQ(out.mode(), in.mode());
  EXPECT_EQ(out.unit(), in.unit());
  EXPECT_EQ(std::vector<std::string>(out.co_units().begin(), out.co_units().end()),
            (std::vector<std::string>{"财务科", "后勤中心"}));
  EXPECT_EQ(out.owner(), in.owner());
  EXPECT_EQ(out.leader(), in.leader());
  EXPECT_EQ(out.verifier(), in.verifier());
  ASSERT_EQ(out.measures_size(), 2);
  EXPECT_EQ(out.measures(0).text(), "建立登记台账");
  EXPECT_EQ(out.measures(0).due(), "2026-06-30");
  EXPECT_FALSE(out.measures(0).done());  // a new item's measures start undone
  EXPECT_EQ(out.measures(1).text(), "每月检查");
  EXPECT_EQ(req.value().deadline().date(), "2026-07-31");
}

TEST(Ledger, DatesAsExcelWritesThemBack) {
  auto columns = MapHeader({"问题标题", "问题描述", "问题来源", "问题类别", "责任单位", "责任人",
                            "分管领导", "验收人", "整改时限"});
  ASSERT_TRUE(columns.ok());
  struct Case {
    std::string in, out;  // out "" = refused
  };
  const Case cases[] = {
      {"2026-06-30", "2026-06-30"}, {"2026/6/30", "2026-06-30"},   {"2026-6-3", "2026-06-03"},
      {"2026.06.30", "2026-06-30"}, {"2026年6月30日", "2026-06-30"}, {"2026/2/30", ""},
      {"6/30/2026", ""},            {"2026/6", ""},                {"2026-06-30x", ""},
  };
  for (const Case& c : cases) {
    auto r = RowToCreate(columns.value(),
                         {"t", "d", "审计", "纪律", "办公室", "张三", "李四", "王五", c.in});
    EXPECT_EQ(r.ok(), !c.out.empty()) << c.in;
    if (r.ok()) EXPECT_EQ(r.value().deadline().date(), c.out) << c.in;
  }
  auto m = ParseMeasures("1. 措施（完成时限 2026/5/1）");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.value()[0].due(), "2026-05-01");
}

TEST(Ledger, HeaderErrors) {
  struct Case {
    std::vector<std::string> header;
    std::string message;
  };
  const std::vector<std::string> ok = {"问题标题", "问题描述", "问题来源", "问题类别",
                                       "责任单位", "责任人",   "分管领导", "验收人"};
  std::vector<std::string> typo = ok;
  typo.push_back("整改期限");
  std::vector<std::string> twice = ok;
  twice.push_back("责任人");
  std::vector<std::string> missing(ok.begin(), ok.end() - 1);
  const Case cases[] = {
      {typo, "unknown column \"整改期限\""},
      {twice, "names column \"责任人\" twice"},
      {missing, "lacks required columns: 验收人"},
  };
  EXPECT_TRUE(MapHeader(ok).ok());
  for (const Case& c : cases) {
    auto r = MapHeader(c.header);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().find(c.message), std::string::npos) << r.error();
  }
}

TEST(Ledger, BadRowsSayWhichColumnAndWhy) {
  const std::vector<std::string> header = {"问题标题", "问题描述", "问题来源", "问题类别",
                                           "责任单位", "责任人",   "分管领导", "验收人",
                                           "整改时限", "年度",     "整改措施"};
  auto columns = MapHeader(header);
  ASSERT_TRUE(columns.ok());
  const std::vector<std::string> good = {"标题", "描述", "审计", "纪律", "办公室", "张三",
                                         "李四", "王五", "2026-12-31", "2026", "1. 措施"};
  ASSERT_TRUE(RowToCreate(columns.value(), good).ok());
  struct Case {
    size_t column;
    std::string value, message;
  };
  const Case cases[] = {
      {0, "", "问题标题 is empty"},
      {2, "开会", "问题来源"},
      {3, "作风问题", "问题类别"},
      {8, "2026/13/01", "整改时限 \"2026/13/01\" is not a date"},
      {9, "二〇二六", "年度 \"二〇二六\" is not a year"},
      {10, "1. 措施（完成时限 明天）", "due date \"明天\""},
  };
  for (const Case& c : cases) {
    std::vector<std::string> row = good;
    row[c.column] = c.value;
    auto r = RowToCreate(columns.value(), row);
    ASSERT_FALSE(r.ok()) << c.value;
    EXPECT_NE(r.error().find(c.message), std::string::npos) << r.error();
  }
}

v1::Report SampleReport() {
  v1::Report r;
  r.set_year(2026);
  r.set_revision(57);
  r.set_as_of("2026-11-27");
  r.set_group_by(v1::REPORT_GROUP_BY_UNIT);
  auto fill = [](v1::ReportFigures* f, uint64_t items, uint64_t closed) {
    f->set_items(items);
    f->set_closed(closed);
    f->set_completion_rate(items ? double(closed) / items : 0);
    f->set_closed_on_time(closed);
    f->set_on_time_rate(closed ? 1.0 : 0);
    for (int s = v1::STATE_DRAFT; s <= v1::STATE_CANCELLED; ++s) {
      auto* sc = f->add_by_state();
      sc->set_state(static_cast<v1::State>(s));
      sc->set_count(s == v1::STATE_CLOSED ? closed : 0);
    }
    f->mutable_self_examination()->set_required_min(3);
    auto* p = f->mutable_self_examination()->add_below_min();
    p->set_person("赵六");
    p->set_items(1);
  };
  fill(r.mutable_overall(), 5, 2);
  auto* g1 = r.add_groups();
  g1->set_key("办公室");
  fill(g1->mutable_figures(), 3, 1);
  auto* g2 = r.add_groups();
  g2->set_key("A-Team");
  fill(g2->mutable_figures(), 2, 1);
  return r;
}

TEST(ReportRender, MarkdownIsChineseAndEveryFigureIsSourced) {
  const std::string md = ReportMarkdown(SampleReport());
  EXPECT_NE(md.find("2026 年度整改台账共登记问题 5 个，已整改销号 2 个，办结率 40.0%"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("少于 3 个的：赵六（1 个）"), std::string::npos) << md;
  const std::string source = "（台账第 57 版，2026-11-27 统计）";
  size_t count = 0;
  for (size_t at = md.find(source); at != std::string::npos; at = md.find(source, at + 1)) {
    count++;
  }
  EXPECT_GE(count, 10u) << md;
  EXPECT_NE(md.find("| 办公室 | 3 | 1 | 33.3% |"), std::string::npos) << md;
}

TEST(ReportRender, TableAlignsCjkGroupNames) {
  const std::string table = ReportTable(SampleReport(), Lang::kZh);
  // In the group table, the second column starts at the same display column on every line.
  std::istringstream in(table.substr(table.find("责任单位  ")));
  std::string line;
  std::vector<int> starts;
  while (std::getline(in, line)) {
    // Numbers are right-aligned: the second column's right edge is what lines up.
    const size_t gap = line.find("  ");
    ASSERT_NE(gap, std::string::npos) << line;
    const size_t first = line.find_first_not_of(' ', gap);
    const size_t end = line.find(' ', first);
    starts.push_back(DisplayWidth(line.substr(0, end)));
  }
  ASSERT_EQ(starts.size(), 4u);  // header, dashes, two groups
  for (int s : starts) EXPECT_EQ(s, starts[0]) << table;
}

TEST(ReportRender, CsvHasOneRowForTheWholeAndEachGroup) {
  auto parsed = ParseCsv(ReportCsv(SampleReport(), Lang::kZh));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed.value().size(), 4u);
  EXPECT_EQ(parsed.value()[0].fields[2], "责任单位");
  EXPECT_EQ(parsed.value()[1].fields[2], "合计");
  EXPECT_EQ(parsed.value()[2].fields[2], "办公室");
  EXPECT_EQ(parsed.value()[1].fields[3], "5");
}

TEST(ReportRender, PercentWithoutDenominatorIsADash) {
  EXPECT_EQ(Percent(0, 0), "—");
  EXPECT_EQ(Percent(2.0 / 3, 3), "66.7%");
}

ParseOutcome ParseArgs(std::vector<std::string> args, std::string* err_text = nullptr) {
  std::ostringstream out, err;
  auto outcome = ParseCommandLine(
      args, [](const char*) -> std::optional<std::string> { return std::nullopt; }, out, err);
  if (err_text) *err_text = err.str();
  return outcome;
}

TEST(LedgerCli, ReportFlags) {
  auto o = ParseArgs({"report", "--year", "2026", "--unit", "办公室", "--by", "leader", "-o", "md",
                      "--min-per-person", "3", "--member", "张三", "--member", "李四"});
  ASSERT_TRUE(o.invocation);
  const auto& cmd = std::get<ReportCommand>(o.invocation->command);
  EXPECT_EQ(cmd.request.year(), 2026);
  EXPECT_EQ(cmd.request.unit(), "办公室");
  EXPECT_EQ(cmd.request.group_by(), v1::REPORT_GROUP_BY_LEADER);
  EXPECT_EQ(cmd.format, ReportFormat::kMd);
  EXPECT_EQ(cmd.request.self_examination_min(), 3);
  EXPECT_EQ(cmd.request.members_size(), 2);
  // Without its own -o, report follows the global one.
  auto g = ParseArgs({"-o", "json", "report", "--year", "2026"});
  ASSERT_TRUE(g.invocation);
  EXPECT_FALSE(std::get<ReportCommand>(g.invocation->command).format.has_value());
  EXPECT_EQ(g.invocation->global.output, OutputFormat::kJson);
}

TEST(LedgerCli, ExportAndImportFlags) {
  auto e = ParseArgs({"export", "--year", "2026", "--format", "csv", "-o", "/tmp/x.csv", "--state",
                      "closed", "--source", "审计"});
  ASSERT_TRUE(e.invocation);
  const auto& ex = std::get<ExportCommand>(e.invocation->command);
  EXPECT_EQ(ex.format, ExportCommand::Format::kCsv);
  EXPECT_EQ(ex.file, "/tmp/x.csv");
  EXPECT_EQ(ex.filter.year(), 2026);
  EXPECT_EQ(ex.filter.states_size(), 1);
  EXPECT_EQ(ex.filter.source(), v1::SOURCE_AUDIT);
  auto i = ParseArgs({"import", "ledger.csv", "--dry-run", "--skip-bad"});
  ASSERT_TRUE(i.invocation);
  const auto& im = std::get<ImportCommand>(i.invocation->command);
  EXPECT_EQ(im.file, "ledger.csv");
  EXPECT_TRUE(im.dry_run);
  EXPECT_TRUE(im.skip_bad);
}

TEST(LedgerCli, UsageErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {"report"},                                            // no year
      {"report", "--year", "2026", "--by", "owner"},         // unknown grouping
      {"report", "--year", "2026", "-o", "xml"},             // unknown format
      {"export", "--year", "2026", "-o", "x.xlsx"},          // no format
      {"export", "--year", "2026", "--format", "pdf", "-o", "x"},
      {"export", "--year", "2026", "--format", "csv", "-o", "x", "--state", "done"},
      {"import"},                                            // no file
  };
  for (const auto& args : cases) {
    std::string err;
    auto o = ParseArgs(args, &err);
    EXPECT_FALSE(o.invocation) << args.back();
    EXPECT_EQ(o.exit_code, kExitUsage) << args.back() << ": " << err;
  }
}

}  // namespace
}  // namespace rectify::client
