#include "client/render.h"

#include <gtest/gtest.h>

#include <sstream>

#include "client/text_width.h"

namespace rectify::client {
namespace {

v1::Item SampleItem() {
  v1::Item item;
  item.set_id("2026-000001");
  item.set_title("会议室空调长期不关，存在浪费现象需要立即整改并建立长效机制");
  item.set_state(v1::STATE_IN_PROGRESS);
  item.set_source(v1::SOURCE_AUDIT);
  item.set_unit("办公室");
  item.set_owner("张三");
  item.set_deadline("2026-06-30");
  item.set_light(v1::LIGHT_YELLOW);
  item.set_version(3);
  item.set_revision(17);
  auto* m = item.add_measures();
  m->set_text("安装定时器");
  m->set_due("2026-05-01");
  m->set_done(true);
  item.add_measures()->set_text("每周检查");
  return item;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ToJson, OneLineCamelCaseEnumNamesAndDefaultsPresent) {
  const std::string json = ToJson(SampleItem());
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_NE(json.find("\"state\":\"STATE_IN_PROGRESS\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"light\":\"LIGHT_YELLOW\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"sourceRef\":\"\""), std::string::npos) << json;  // default printed
  EXPECT_NE(json.find("\"overdue\":false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"coUnits\":[]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"version\":\"3\""), std::string::npos) << json;       // uint64 as string
  EXPECT_NE(json.find("\"title\":\"会议室空调"), std::string::npos) << json;  // UTF-8 kept
}

TEST(ProgressJson, Shape) { EXPECT_EQ(ProgressJson(42), R"({"progress":{"revision":"42"}})"); }

TEST(ItemsTable, ChineseHeadersLabelsAndTruncatedTitle) {
  google::protobuf::RepeatedPtrField<v1::Item> items;
  *items.Add() = SampleItem();
  v1::Item other;
  other.set_id("2026-000002");
  other.set_title("短标题");
  other.set_state(v1::STATE_DRAFT);
  other.set_overdue(true);
  other.set_escalation(v1::ESCALATION_ADMONITION);
  *items.Add() = other;
  const auto lines = Lines(ItemsTable(items, Lang::kZh));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("编号", 0), 0u);
  EXPECT_NE(lines[2].find("整改中"), std::string::npos);
  EXPECT_NE(lines[2].find("审计"), std::string::npos);
  EXPECT_NE(lines[2].find("黄灯"), std::string::npos);
  EXPECT_NE(lines[2].find("..."), std::string::npos);  // the title was cut
  EXPECT_NE(lines[3].find("逾期"), std::string::npos);
  EXPECT_NE(lines[3].find("约谈"), std::string::npos);
  // Columns line up: the state column starts at the same display column on every line.
  auto col = [](const std::string& line, const std::string& s) {
    return DisplayWidth(std::string_view(line).substr(0, line.find(s)));
  };
  EXPECT_EQ(col(lines[0], "状态"), col(lines[2], "整改中"));
  EXPECT_EQ(col(lines[0], "状态"), col(lines[3], "待确认"));
  // id, gap, title column, gap; the title is cut to 13 wide characters + "..." = 29 columns, as
  // a 14th character would overflow the 30-column limit.
  EXPECT_EQ(col(lines[0], "状态"), 11 + 2 + 29 + 2);
}

TEST(ItemsTable, English) {
  google::protobuf::RepeatedPtrField<v1::Item> items;
  *items.Add() = SampleItem();
  const auto lines = Lines(ItemsTable(items, Lang::kEn));
  EXPECT_EQ(lines[0].rfind("ID", 0), 0u);
  EXPECT_NE(lines[2].find("in progress"), std::string::npos);
}

TEST(ItemSheet, ShowsMeasuresOnePerLineWithIndexes) {
  const std::string sheet = ItemSheet(SampleItem(), Lang::kZh);
  EXPECT_NE(sheet.find("[0] [x] 安装定时器（期限 2026-05-01）"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("[1] [ ] 每周检查"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("签字背书"), std::string::npos);
  EXPECT_NE(sheet.find("延期记录"), std::string::npos);
  EXPECT_NE(sheet.find("整改进展"), std::string::npos);
}

TEST(WatchEventLine, StateChangeAndActor) {
  v1::Event e;
  e.set_revision(12);
  e.set_kind(v1::EVENT_KIND_TRANSITIONED);
  e.set_item_id("2026-000001");
  e.set_actor("张三");
  e.set_prev_state(v1::STATE_IN_PROGRESS);
  e.mutable_item()->set_state(v1::STATE_SUBMITTED);
  e.set_action(v1::ACTION_SUBMIT);
  const std::string line = WatchEventLine(e, Lang::kZh);
  EXPECT_EQ(line.rfind("12  ", 0), 0u) << line;
  EXPECT_NE(line.find("2026-000001  流转  整改中 -> 申请销号"), std::string::npos) << line;
  EXPECT_NE(line.find("操作人：张三"), std::string::npos) << line;
  const std::string en = WatchEventLine(e, Lang::kEn);
  EXPECT_NE(en.find("in progress -> submitted"), std::string::npos) << en;
}

v1::Reminder MakeReminder(std::string item_id, std::string title, v1::ReminderKind kind,
                          std::string recipient, int days, bool late) {
  v1::Reminder r;
  r.set_item_id(std::move(item_id));
  r.set_title(std::move(title));
  r.set_kind(kind);
  r.set_recipient(std::move(recipient));
  r.set_days(days);
  r.set_late(late);
  return r;
}

TEST(FiredRemindersTable, ChineseCellsLineUp) {
  google::protobuf::RepeatedPtrField<v1::Reminder> reminders;
  *reminders.Add() =
      MakeReminder("2026-000001", "会议室空调长期不关", v1::REMINDER_KIND_OVERDUE, "张三", 3, true);
  *reminders.Add() = MakeReminder("2026-000012", "Fix the roof", v1::REMINDER_KIND_BEFORE_DEADLINE,
                                  "li", 5, false);
  // Widths: 编号 11, 标题 18 (nine wide characters), 提醒类型 10 (截止前提醒), 接收人 6,
  // 工作日数 8 (right-aligned), 补发 4; two spaces between columns, no trailing spaces.
  EXPECT_EQ(FiredRemindersTable(reminders, Lang::kZh),
            "编号         标题                提醒类型    接收人  工作日数  补发\n"
            "-----------  ------------------  ----------  ------  --------  ----\n"
            "2026-000001  会议室空调长期不关  逾期提醒    张三           3  补发\n"
            "2026-000012  Fix the roof        截止前提醒  li             5\n");
  const auto en = Lines(FiredRemindersTable(reminders, Lang::kEn));
  ASSERT_EQ(en.size(), 4u);
  EXPECT_EQ(en[0].rfind("ID", 0), 0u);
  EXPECT_NE(en[2].find("overdue"), std::string::npos) << en[2];
  EXPECT_NE(en[2].find("late"), std::string::npos) << en[2];
  EXPECT_NE(en[3].find("before deadline"), std::string::npos) << en[3];
}

TEST(RunRemindersText, TablesAndSummary) {
  v1::RunRemindersResponse resp;
  *resp.add_fired() =
      MakeReminder("2026-000001", "会议室空调", v1::REMINDER_KIND_DEADLINE_DAY, "张三", 0, false);
  auto* d = resp.add_deliveries();
  d->set_channel("wecom");
  d->set_recipient("");
  d->set_state(v1::DELIVERY_STATE_PENDING);
  d = resp.add_deliveries();
  d->set_channel("email");
  d->set_recipient("张三");
  d->set_state(v1::DELIVERY_STATE_NO_ADDRESS);
  resp.set_items_evaluated(12);
  resp.set_revision(40);
  std::string text = RunRemindersText(resp, Lang::kZh);
  const auto lines = Lines(text);
  ASSERT_EQ(lines.size(), 12u) << text;
  EXPECT_EQ(lines[0], "提醒");
  EXPECT_NE(lines[3].find("到期提醒"), std::string::npos) << text;
  EXPECT_EQ(lines[5], "消息");
  EXPECT_EQ(lines[6], "渠道   接收人  状态");
  EXPECT_EQ(lines[8], "wecom  （群）  待发送");
  EXPECT_EQ(lines[9], "email  张三    无地址");
  EXPECT_EQ(lines[11], "已触发 1 条提醒，排入 2 条消息（评估 12 项，修订号 40）");

  resp.set_dry_run(true);
  text = RunRemindersText(resp, Lang::kZh);
  EXPECT_NE(
      text.find(
          "演练：将触发 1 条提醒，将排入 2 条消息（评估 12 项，修订号 40）；未记录、未发送\n"),
      std::string::npos)
      << text;
  text = RunRemindersText(resp, Lang::kEn);
  EXPECT_NE(text.find("(group)"), std::string::npos) << text;
  EXPECT_NE(text.find("dry run: would fire 1 reminders"), std::string::npos) << text;

  // Nothing due: just the summary.
  EXPECT_EQ(RunRemindersText(v1::RunRemindersResponse(), Lang::kZh),
            "已触发 0 条提醒，排入 0 条消息（评估 0 项，修订号 0）\n");
}

TEST(RemindersListText, AnItemsSectionsAsAsked) {
  v1::ListRemindersRequest req;
  req.set_item_id("2026-000001");
  v1::ListRemindersResponse resp;
  v1::Reminder* r = resp.add_reminders();
  *r = MakeReminder("2026-000001", "", v1::REMINDER_KIND_SUPERVISION, "王五", 6, false);
  r->set_key("2026-000001|0|supervision|2026-07-08|王五");
  r->set_rule("supervision");
  r->set_day("2026-07-08");
  r->set_escalation(v1::ESCALATION_SUPERVISION);

  std::string text = RemindersListText(req, resp, Lang::kZh);
  auto lines = Lines(text);
  ASSERT_EQ(lines.size(), 4u) << text;  // no deliveries or upcoming asked for, none came
  EXPECT_EQ(lines[0], "提醒记录");
  EXPECT_EQ(lines[1].rfind("日期        提醒类型  规则", 0), 0u) << text;
  EXPECT_NE(lines[3].find("2026-07-08  督办      supervision  王五"), std::string::npos) << text;
  EXPECT_NE(lines[3].find("2026-000001|0|supervision|2026-07-08|王五"), std::string::npos);

  v1::Delivery* d = resp.add_deliveries();
  d->set_id(7);
  d->set_channel("dingtalk");
  d->set_recipient("王五");
  d->set_state(v1::DELIVERY_STATE_DEAD);
  d->set_attempts(3);
  d->set_last_error("HTTP 200 errcode 310000: sign not match");
  *r->add_deliveries() = *d;  // the same delivery nested in its reminder: shown once

  req.set_include_deliveries(true);
  req.set_upcoming(true);
  text = RemindersListText(req, resp, Lang::kZh);
  lines = Lines(text);
  ASSERT_EQ(lines.size(), 12u) << text;
  EXPECT_EQ(lines[5], "消息");
  EXPECT_NE(lines[8].find("dingtalk  王五    发送失败(终止)"), std::string::npos) << text;
  EXPECT_NE(lines[8].find("sign not match"), std::string::npos) << text;
  EXPECT_EQ(lines[9], "");
  EXPECT_EQ(lines[10], "下次提醒");  // asked for, none come: the title and "（无）"
  EXPECT_EQ(lines[11], "（无）");
}

TEST(RemindersListText, OutboxAndUpcoming) {
  v1::ListRemindersRequest req;
  req.set_include_deliveries(true);
  req.set_upcoming(true);
  v1::ListRemindersResponse resp;
  auto* u = resp.add_upcoming();
  u->set_item_id("2026-000003");
  u->mutable_at()->set_seconds(1782781200);
  const std::string text = RemindersListText(req, resp, Lang::kEn);
  EXPECT_EQ(text.rfind("Outbox\n(none)\n\nUpcoming\nID", 0), 0u) << text;
  EXPECT_NE(text.find("2026-000003  " + FormatTime(u->at())), std::string::npos) << text;
  EXPECT_EQ(text.find("Reminders"), std::string::npos) << text;
}

TEST(RemindersBrief, GroupsRecipientsByKind) {
  google::protobuf::RepeatedPtrField<v1::Reminder> reminders;
  *reminders.Add() = MakeReminder("a", "", v1::REMINDER_KIND_OVERDUE, "张三", 6, false);
  *reminders.Add() = MakeReminder("a", "", v1::REMINDER_KIND_SUPERVISION, "王五", 6, false);
  *reminders.Add() = MakeReminder("a", "", v1::REMINDER_KIND_OVERDUE, "李四", 6, false);
  *reminders.Add() = MakeReminder("a", "", v1::REMINDER_KIND_OVERDUE, "张三", 6, false);
  EXPECT_EQ(RemindersBrief(reminders, Lang::kZh), "逾期提醒（张三、李四）；督办（王五）");
  EXPECT_EQ(RemindersBrief(reminders, Lang::kEn), "overdue (张三, 李四); supervision (王五)");
  EXPECT_EQ(RemindersBrief({}, Lang::kZh), "");
}

TEST(WatchEventLine, ReminderEventsNameTheirReminders) {
  v1::Event e;
  e.set_revision(30);
  e.set_kind(v1::EVENT_KIND_ESCALATED);
  e.set_item_id("2026-000001");
  e.set_actor("rectifyd");
  e.set_prev_state(v1::STATE_IN_PROGRESS);
  e.mutable_item()->set_state(v1::STATE_IN_PROGRESS);
  *e.add_reminders() =
      MakeReminder("2026-000001", "", v1::REMINDER_KIND_SUPERVISION, "王五", 6, false);
  *e.add_reminders() =
      MakeReminder("2026-000001", "", v1::REMINDER_KIND_SUPERVISION, "李四", 6, false);
  const std::string line = WatchEventLine(e, Lang::kZh);
  EXPECT_NE(line.find("2026-000001  升级督办  整改中  操作人：rectifyd  提醒：督办（王五、李四）"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
  e.clear_reminders();
  EXPECT_EQ(WatchEventLine(e, Lang::kZh).find("提醒："), std::string::npos);
}

TEST(HistoryTable, ReminderEventsSayWhatFired) {
  google::protobuf::RepeatedPtrField<v1::Event> events;
  v1::Event* e = events.Add();
  e->set_revision(31);
  e->set_kind(v1::EVENT_KIND_REMINDER);
  *e->add_reminders() =
      MakeReminder("2026-000001", "", v1::REMINDER_KIND_DEADLINE_DAY, "张三", 0, false);
  e = events.Add();
  e->set_revision(32);
  e->set_kind(v1::EVENT_KIND_UPDATED);
  e->set_comment("改标题");
  const auto lines = Lines(HistoryTable(events, Lang::kZh));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[2].find("提醒"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("到期提醒（张三）"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("改标题"), std::string::npos) << lines[3];
}

TEST(CalendarText, YearSheetsWithAlignedHolidays) {
  v1::GetCalendarResponse resp;
  resp.set_time_zone("Asia/Shanghai");
  v1::CalendarYear* y = resp.add_years();
  y->set_year(2025);
  y->set_notice("国务院办公厅关于2025年部分节假日安排的通知");
  auto add = [&](const char* name, const char* from, const char* to) {
    v1::CalendarHoliday* h = y->add_holidays();
    h->set_name(name);
    h->set_from(from);
    h->set_to(to);
  };
  add("元旦", "2025-01-01", "2025-01-01");
  add("春节", "2025-01-28", "2025-02-04");
  add("劳动节", "2025-05-01", "2025-05-05");
  y->add_workdays("2025-01-26");
  y->add_workdays("2025-02-08");
  y->set_working_days(250);
  EXPECT_EQ(CalendarText(resp, Lang::kZh),
            "时区：Asia/Shanghai\n"
            "\n"
            "年度      2025\n"
            "通知      国务院办公厅关于2025年部分节假日安排的通知\n"
            "节假日    元旦    2025-01-01\n"
            "          春节    2025-01-28 至 2025-02-04\n"
            "          劳动节  2025-05-01 至 2025-05-05\n"
            "调休上班  2025-01-26、2025-02-08\n"
            "工作日数  250\n");
  const std::string en = CalendarText(resp, Lang::kEn);
  EXPECT_NE(en.find("2025-01-28 to 2025-02-04"), std::string::npos) << en;
  EXPECT_NE(en.find("2025-01-26, 2025-02-08"), std::string::npos) << en;
}

TEST(AddWorkingDaysLine, ForwardBackwardAndZero) {
  v1::AddWorkingDaysRequest req;
  req.set_date("2025-09-26");
  req.set_days(5);
  v1::AddWorkingDaysResponse resp;
  resp.set_date("2025-10-10");
  resp.set_start_is_working_day(true);
  EXPECT_EQ(AddWorkingDaysLine(req, resp, Lang::kZh), "2025-09-26 之后第 5 个工作日是 2025-10-10");
  EXPECT_EQ(AddWorkingDaysLine(req, resp, Lang::kEn),
            "working day 5 after 2025-09-26 is 2025-10-10");

  req.set_date("2025-10-01");
  req.set_days(-1);
  resp.set_date("2025-09-30");
  resp.set_start_is_working_day(false);
  EXPECT_EQ(AddWorkingDaysLine(req, resp, Lang::kZh),
            "2025-10-01 之前第 1 个工作日是 2025-09-30（2025-10-01 本身不是工作日）");

  req.set_days(0);
  resp.set_date("2025-10-01");
  EXPECT_EQ(AddWorkingDaysLine(req, resp, Lang::kZh), "2025-10-01 不是工作日");
  resp.set_start_is_working_day(true);
  EXPECT_EQ(AddWorkingDaysLine(req, resp, Lang::kEn), "2025-10-01 is a working day");
}

TEST(ItemSheet, ShowsNextReminder) {
  v1::Item item = SampleItem();
  std::string sheet = ItemSheet(item, Lang::kZh);
  EXPECT_NE(sheet.find("下次提醒       -\n"), std::string::npos) << sheet;
  item.mutable_next_reminder_at()->set_seconds(1782781200);
  sheet = ItemSheet(item, Lang::kZh);
  EXPECT_NE(sheet.find("下次提醒       " + FormatTime(item.next_reminder_at()) + "\n"),
            std::string::npos)
      << sheet;
  // Right after the escalation row.
  EXPECT_LT(sheet.find("督办级别"), sheet.find("下次提醒"));
  EXPECT_NE(ItemSheet(item, Lang::kEn).find("Next reminder"), std::string::npos);
}

TEST(ServerInfoSheet, TestClockAndOutbox) {
  v1::ServerInfo info;
  info.set_test_clock(true);
  info.set_outbox_pending(4);
  const std::string sheet = ServerInfoSheet(info, Lang::kZh);
  EXPECT_NE(sheet.find("测试时钟      是\n"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("待发送消息    4\n"), std::string::npos) << sheet;
  EXPECT_NE(ServerInfoSheet(v1::ServerInfo(), Lang::kEn).find("Test clock        no\n"),
            std::string::npos)
      << ServerInfoSheet(v1::ServerInfo(), Lang::kEn);
}

TEST(ServerInfoSheet, AuditHead) {
  v1::ServerInfo info;
  info.set_audit_head_revision(42);
  info.set_audit_head_hash(std::string(64, 'f'));
  const std::string sheet = ServerInfoSheet(info, Lang::kEn);
  EXPECT_NE(sheet.find("Audit head        42 " + std::string(64, 'f')), std::string::npos)
      << sheet;
}

TEST(VerifyAuditText, VerdictFirstThenTheBreak) {
  v1::VerifyAuditResponse r;
  r.set_ok(false);
  r.set_broken_revision(3);
  r.set_reason("revision 3 is missing from the event log");
  r.set_head_revision(2);
  const std::string zh = VerifyAuditText(r, Lang::kZh);
  EXPECT_EQ(zh.find("结果"), 0u) << zh;
  EXPECT_NE(zh.find("已被破坏"), std::string::npos) << zh;
  EXPECT_NE(zh.find("首个断点修订号"), std::string::npos) << zh;
  EXPECT_NE(zh.find("revision 3 is missing"), std::string::npos) << zh;
  r.set_ok(true);
  EXPECT_EQ(VerifyAuditText(r, Lang::kEn).find("First broken"), std::string::npos);
}

TEST(MutationSummary, NamesTheAction) {
  v1::Item item;
  item.set_id("2026-000003");
  item.set_state(v1::STATE_ASSIGNED);
  item.set_version(2);
  EXPECT_EQ(MutationSummary("confirm", v1::ACTION_CONFIRM, item, Lang::kZh),
            "已确认 2026-000003（未整改，版本 2）");
  EXPECT_EQ(MutationSummary("create", v1::ACTION_UNSPECIFIED, item, Lang::kEn),
            "created: 2026-000003 (assigned, version 2)");
}

}  // namespace
}  // namespace rectify::client
