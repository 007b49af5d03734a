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
