#include "notify/render.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace rectify::notify {
namespace {

using testing::IsValidUtf8;
using testing::Line;
using testing::SampleDigest;

size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

struct KindCase {
  std::string kind;
  int days;
  bool late;
  std::string zh;
  std::string en;
};

TEST(KindPhrase, EveryRuleInBothLanguages) {
  const KindCase cases[] = {
      {"before_deadline", 5, false, "距整改时限还有5个工作日", "5 working days to the deadline"},
      {"before_deadline", 1, false, "距整改时限还有1个工作日", "1 working day to the deadline"},
      {"deadline_day", 0, false, "今日到期", "due today"},
      {"overdue", 3, false, "已逾期3个工作日", "overdue by 3 working days"},
      {"overdue", 3, true, "已逾期3个工作日（补发）", "overdue by 3 working days (late)"},
      {"supervision", 6, false, "督办（已逾期6个工作日）",
       "supervision notice (督办), overdue by 6 working days"},
      {"admonition", 11, false, "约谈（已逾期11个工作日）",
       "admonition talk (约谈), overdue by 11 working days"},
      {"stale_progress", 10, false, "10个工作日无进展", "no progress for 10 working days"},
      {"something_new", 2, false, "something_new", "something_new"},
  };
  for (const auto& c : cases) {
    ReminderLine l = Line("x", "t", c.kind, c.days, c.late);
    EXPECT_EQ(KindPhrase(l, "zh"), c.zh) << c.kind;
    EXPECT_EQ(KindPhrase(l, "en"), c.en) << c.kind;
    EXPECT_EQ(KindPhrase(l, "fr"), c.zh) << "unknown language falls back to Chinese";
  }
}

TEST(RenderText, ChineseByDefault) {
  EXPECT_EQ(RenderText(SampleDigest()),
            "整改提醒：张三，共2项，其中逾期1项\n"
            "1. [2025-0001] 食堂卫生整改：距整改时限还有5个工作日"
            "（整改时限 2025-03-14；责任单位 后勤处；责任人 张三；分管领导 李四）\n"
            "2. [2025-0002] 公车使用登记不规范：已逾期3个工作日（补发）"
            "（整改时限 2025-03-14；责任单位 后勤处；责任人 张三；分管领导 李四）");
}

TEST(RenderText, English) {
  Digest d = SampleDigest();
  d.lang = "en";
  EXPECT_EQ(RenderText(d),
            "Rectification reminder for 张三: 2 items, 1 overdue\n"
            "1. [2025-0001] 食堂卫生整改: 5 working days to the deadline"
            " (deadline 2025-03-14; unit 后勤处; owner 张三; leader 李四)\n"
            "2. [2025-0002] 公车使用登记不规范: overdue by 3 working days (late)"
            " (deadline 2025-03-14; unit 后勤处; owner 张三; leader 李四)");
}

TEST(RenderText, EmptyFieldsAndRecipientAreLeftOut) {
  Digest d;
  d.lines.push_back(Line("2025-0003", "问题", "deadline_day", 0));
  d.lines[0].unit.clear();
  d.lines[0].leader.clear();
  EXPECT_EQ(RenderText(d),
            "整改提醒：共1项\n"
            "1. [2025-0003] 问题：今日到期（整改时限 2025-03-14；责任人 张三）");
}

TEST(RenderMarkdown, ListWithHeading) {
  EXPECT_EQ(RenderMarkdown(SampleDigest()),
            "### 整改提醒：张三，共2项，其中逾期1项\n\n"
            "- **[2025-0001] 食堂卫生整改**：距整改时限还有5个工作日 · 整改时限 2025-03-14"
            " · 责任单位 后勤处 · 责任人 张三 · 分管领导 李四\n"
            "- **[2025-0002] 公车使用登记不规范**：已逾期3个工作日（补发） · 整改时限 2025-03-14"
            " · 责任单位 后勤处 · 责任人 张三 · 分管领导 李四");
}

TEST(RenderMarkdownItems, NoHeading) {
  const std::string items = RenderMarkdownItems(SampleDigest());
  EXPECT_EQ(items.rfind("- **[2025-0001]", 0), 0u) << items;
  EXPECT_EQ(Count(items, "\n- **"), 1u);
}

TEST(RenderSubject, BothLanguages) {
  Digest d = SampleDigest();
  EXPECT_EQ(RenderSubject(d), "【整改提醒】张三：共2项，其中逾期1项");
  d.lang = "en";
  EXPECT_EQ(RenderSubject(d), "[Rectification reminder] 张三: 2 items, 1 overdue");
  d.recipient.clear();
  d.lines.resize(1);
  EXPECT_EQ(RenderSubject(d), "[Rectification reminder] 1 item");
}

Digest BigDigest(int n) {
  Digest d = SampleDigest();
  d.lines.clear();
  for (int i = 0; i < n; ++i) {
    d.lines.push_back(Line("2025-" + std::to_string(1000 + i),
                           "关于加强机关作风建设专项整治的整改事项第" + std::to_string(i) + "项",
                           i % 2 ? "overdue" : "before_deadline", i % 7 + 1));
  }
  return d;
}

TEST(RenderMarkdown, TruncatesWholeItemsAndSaysHowManyAreLeft) {
  const Digest d = BigDigest(100);
  const std::string full = RenderMarkdown(d);
  ASSERT_GT(full.size(), 4096u);
  const std::string cut = RenderMarkdown(d, 4096);
  EXPECT_LE(cut.size(), 4096u);
  EXPECT_TRUE(IsValidUtf8(cut));
  const size_t shown = Count(cut, "\n- **");
  ASSERT_GT(shown, 5u);
  ASSERT_LT(shown, 100u);
  const std::string tail = "\n…另有 " + std::to_string(100 - shown) + " 项";
  EXPECT_EQ(cut.substr(cut.size() - tail.size()), tail);
  // What is shown is exactly the beginning of the full rendering.
  EXPECT_EQ(full.compare(0, cut.size() - tail.size(), cut, 0, cut.size() - tail.size()), 0);
  // Greedy: one more item would not have fitted.
  const size_t next_item_end = full.find("\n- **", cut.size() - tail.size() + 1);
  const std::string one_more_tail = "\n…另有 " + std::to_string(100 - shown - 1) + " 项";
  EXPECT_GT(
      (next_item_end == std::string::npos ? full.size() : next_item_end) + one_more_tail.size(),
      4096u);
}

TEST(RenderText, TruncationEnglishTail) {
  Digest d = BigDigest(50);
  d.lang = "en";
  const std::string cut = RenderText(d, 1000);
  EXPECT_LE(cut.size(), 1000u);
  const size_t shown = Count(cut, "\n") - 1;  // heading + items + tail line
  const std::string tail = "\n… and " + std::to_string(50 - shown) + " more";
  EXPECT_EQ(cut.substr(cut.size() - tail.size()), tail);
}

TEST(Render, EveryLimitGivesValidUtf8WithinTheLimitAndAWholeTail) {
  const Digest d = BigDigest(8);
  const std::string full_md = RenderMarkdown(d), full_text = RenderText(d);
  for (size_t max = 0; max < 1400; ++max) {
    const std::string md = RenderMarkdown(d, max);
    const std::string text = RenderText(d, max);
    ASSERT_LE(md.size(), max);
    ASSERT_LE(text.size(), max);
    ASSERT_TRUE(IsValidUtf8(md)) << max;
    ASSERT_TRUE(IsValidUtf8(text)) << max;
    // Once the heading and a tail fit, a cut message always ends with the whole tail.
    if (max >= 120) {
      for (const auto& [cut, full] : {std::pair{md, full_md}, std::pair{text, full_text}}) {
        if (cut == full) continue;
        const size_t tail = cut.rfind("\n…另有 ");
        ASSERT_NE(tail, std::string::npos) << max << ": " << cut;
        ASSERT_EQ(cut.substr(cut.size() - 4), " 项") << max << ": " << cut;
      }
    }
  }
}

TEST(Render, OneHugeItemIsShortenedNotDropped) {
  Digest d = SampleDigest();
  d.lines.resize(1);
  d.lines[0].title.clear();
  for (int i = 0; i < 2000; ++i) d.lines[0].title += "整";
  const std::string md = RenderMarkdown(d, 4096);
  EXPECT_LE(md.size(), 4096u);
  EXPECT_TRUE(IsValidUtf8(md));
  EXPECT_NE(md.find("- **[2025-0001] 整整整"), std::string::npos);
  EXPECT_EQ(md.substr(md.size() - 3), "…");
}

TEST(Render, FieldsCannotBreakLinesAndBadUtf8IsReplaced) {
  Digest d = SampleDigest();
  d.lines.resize(1);
  d.lines[0].title = "第一行\n- **伪造的一项**\r\n\xff\xfe";
  const std::string md = RenderMarkdown(d);
  EXPECT_TRUE(IsValidUtf8(md));
  EXPECT_EQ(Count(md, "\n"), 2u) << md;  // heading, blank line, the one item
  EXPECT_NE(md.find("\xEF\xBF\xBD"), std::string::npos);
}

}  // namespace
}  // namespace rectify::notify
