#include "client/table.h"

#include <gtest/gtest.h>

#include <sstream>

#include "client/text_width.h"

namespace rectify::client {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The display column at which `needle` starts in `line`, or -1.
int ColumnOf(const std::string& line, const std::string& needle) {
  const size_t at = line.find(needle);
  if (at == std::string::npos) return -1;
  return DisplayWidth(std::string_view(line).substr(0, at));
}

TEST(RenderTable, AlignsCjkCellsByDisplayColumn) {
  const std::vector<Column> columns = {{"编号"}, {"标题"}, {"状态"}};
  const std::vector<Row> rows = {
      {"2026-000001", "会议室空调长期不关", "整改中"},
      {"2026-000002", "fix the door", "待确认"},
      {"2026-000003", "群众反映窗口排队", "已销号"},
  };
  const auto lines = Lines(RenderTable(columns, rows));
  ASSERT_EQ(lines.size(), 5u);  // header, rule, 3 rows
  // Column 1 is 11 wide (the ids), column 2 is 18 wide (会议室空调长期不关 = 9 x 2).
  EXPECT_EQ(ColumnOf(lines[0], "标题"), 13);
  EXPECT_EQ(ColumnOf(lines[0], "状态"), 13 + 18 + 2);
  EXPECT_EQ(ColumnOf(lines[2], "会议室"), 13);
  EXPECT_EQ(ColumnOf(lines[2], "整改中"), 33);
  EXPECT_EQ(ColumnOf(lines[3], "fix"), 13);
  EXPECT_EQ(ColumnOf(lines[3], "待确认"), 33);
  EXPECT_EQ(ColumnOf(lines[4], "已销号"), 33);
  // The rule under each header is as wide as its column.
  EXPECT_EQ(lines[1],
            std::string(11, '-') + "  " + std::string(18, '-') + "  " + std::string(6, '-'));
  // Every row ends at the same display column (the last column is equally wide here).
  EXPECT_EQ(DisplayWidth(lines[2]), 39);
  EXPECT_EQ(DisplayWidth(lines[3]), 39);
}

TEST(RenderTable, HeaderWiderThanCells) {
  const auto lines = Lines(RenderTable({{"责任单位"}, {"x"}}, {{"a", "b"}}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(ColumnOf(lines[0], "x"), 10);
  EXPECT_EQ(ColumnOf(lines[2], "b"), 10);
}

TEST(RenderTable, TruncatesToMaxWidthAndAlignsAfterIt) {
  const std::vector<Column> columns = {{"标题", Align::kLeft, 10}, {"状态"}};
  const auto lines =
      Lines(RenderTable(columns, {{"关于进一步加强作风建设的问题", "整改中"}, {"短", "待确认"}}));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], "关于进...  整改中");     // 关于进一 + ... would take 11 columns
  EXPECT_EQ(ColumnOf(lines[2], "整改中"), 11);  // the column is as wide as its widest cell: 9
  EXPECT_EQ(ColumnOf(lines[3], "待确认"), 11);
}

TEST(RenderTable, RightAlignAndNoTrailingSpaces) {
  const std::vector<Column> columns = {{"n", Align::kRight}, {"name"}};
  const auto lines = Lines(RenderTable(columns, {{"5", "a"}, {"123", ""}}));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], "  5  a");
  EXPECT_EQ(lines[3], "123");
}

TEST(RenderTable, NewlinesInCellsDoNotBreakRows) {
  const auto lines = Lines(RenderTable({{"a"}, {"b"}}, {{"一\n二", "x"}}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "一 二  x");
}

TEST(RenderTable, ShortRowsArePadded) {
  const auto lines = Lines(RenderTable({{"a"}, {"b"}, {"c"}}, {{"1"}}));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2], "1");
}

TEST(RenderSheet, AlignsValuesAndIndentsContinuationLines) {
  const std::string sheet =
      RenderSheet({{"编号", "2026-000001"}, {"整改措施", "[0] 第一条\n[1] 第二条"}, {"ID", "x"}});
  const auto lines = Lines(sheet);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "编号      2026-000001");
  EXPECT_EQ(lines[1], "整改措施  [0] 第一条");
  EXPECT_EQ(lines[2], "          [1] 第二条");
  EXPECT_EQ(lines[3], "ID        x");
}

}  // namespace
}  // namespace rectify::client
