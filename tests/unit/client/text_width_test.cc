#include "client/text_width.h"

#include <gtest/gtest.h>

namespace rectify::client {
namespace {

TEST(DecodeUtf8, DecodesOneToFourBytes) {
  const std::string text = "a\u00e9\u4e2d\U00020000";  // a é 中 𠀀
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(text, &pos), U'a');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(DecodeUtf8(text, &pos), U'\u00e9');
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(DecodeUtf8(text, &pos), U'\u4e2d');
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(DecodeUtf8(text, &pos), U'\U00020000');
  EXPECT_EQ(pos, 10u);
}

TEST(DecodeUtf8, MalformedBytesBecomeReplacementOneByteAtATime) {
  const std::string truncated = "\xe4\xb8";  // first two bytes of 中
  size_t pos = 0;
  EXPECT_EQ(DecodeUtf8(truncated, &pos), U'\uFFFD');
  EXPECT_EQ(pos, 1u);
  const std::string overlong = "\xc0\xaf";  // overlong '/'
  pos = 0;
  EXPECT_EQ(DecodeUtf8(overlong, &pos), U'\uFFFD');
  EXPECT_EQ(pos, 1u);
  const std::string surrogate = "\xed\xa0\x80";
  pos = 0;
  EXPECT_EQ(DecodeUtf8(surrogate, &pos), U'\uFFFD');
}

TEST(CodePointWidth, Ranges) {
  EXPECT_EQ(CodePointWidth(U'A'), 1);
  EXPECT_EQ(CodePointWidth(U'\n'), 0);
  EXPECT_EQ(CodePointWidth(U'\u4e2d'), 2);      // 中
  EXPECT_EQ(CodePointWidth(U'\u3001'), 2);      // 、 CJK punctuation
  EXPECT_EQ(CodePointWidth(U'\uff08'), 2);      // （ fullwidth parenthesis
  EXPECT_EQ(CodePointWidth(U'\uff61'), 1);      // ｡ halfwidth: just past the fullwidth block
  EXPECT_EQ(CodePointWidth(U'\uac00'), 2);      // 가
  EXPECT_EQ(CodePointWidth(U'\u1100'), 2);      // ᄀ
  EXPECT_EQ(CodePointWidth(U'\U00020000'), 2);  // CJK extension B
  EXPECT_EQ(CodePointWidth(U'\u2e7f'), 1);      // just below the CJK block
  EXPECT_EQ(CodePointWidth(U'\u0301'), 0);      // combining acute accent
  EXPECT_EQ(CodePointWidth(U'\u200b'), 0);      // zero width space
  EXPECT_EQ(CodePointWidth(U'\u00e9'), 1);
}

TEST(DisplayWidth, Ascii) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("2026-000001"), 11);
}

TEST(DisplayWidth, Cjk) {
  EXPECT_EQ(DisplayWidth("整改中"), 6);
  EXPECT_EQ(DisplayWidth("群众急难愁盼"), 12);
  EXPECT_EQ(DisplayWidth("（一）"), 6);
}

TEST(DisplayWidth, Mixed) {
  EXPECT_EQ(DisplayWidth("A座3楼会议室"), 1 + 2 + 1 + 2 + 6);
  EXPECT_EQ(DisplayWidth("张三 (zhang)"), 4 + 8);
}

TEST(DisplayWidth, CombiningMarksTakeNoColumn) {
  EXPECT_EQ(DisplayWidth("e\u0301"), 1);                // é as e + combining acute
  EXPECT_EQ(DisplayWidth("Cafe\u0301 中"), 4 + 1 + 2);  // C a f é, space, 中
}

TEST(DisplayWidth, InvalidBytesCountOneEach) {
  EXPECT_EQ(DisplayWidth("a\xff\xfe"
                         "b"),
            4);
}

TEST(TruncateToWidth, FitsUnchanged) {
  EXPECT_EQ(TruncateToWidth("整改中", 6), "整改中");
  EXPECT_EQ(TruncateToWidth("abc", 3), "abc");
}

TEST(TruncateToWidth, AsciiCutWithEllipsis) {
  EXPECT_EQ(TruncateToWidth("abcdefghij", 8), "abcde...");
  EXPECT_EQ(DisplayWidth(TruncateToWidth("abcdefghij", 8)), 8);
}

TEST(TruncateToWidth, WideCharacterNeverSplit) {
  // 7 columns for text: 中文中 takes 6, the next 文 would need 8.
  EXPECT_EQ(TruncateToWidth("中文中文中文", 10), "中文中...");
  EXPECT_EQ(DisplayWidth(TruncateToWidth("中文中文中文", 10)), 9);
  // 8 columns for text: four characters exactly.
  EXPECT_EQ(TruncateToWidth("中文中文中文", 11), "中文中文...");
}

TEST(TruncateToWidth, KeepsCombiningMarkWithItsBase) {
  EXPECT_EQ(TruncateToWidth("e\u0301e\u0301e\u0301e\u0301e\u0301", 4), "e\u0301...");
}

TEST(TruncateToWidth, TinyWidths) {
  EXPECT_EQ(TruncateToWidth("abcdef", 0), "");
  EXPECT_EQ(TruncateToWidth("abcdef", 2), "..");
  EXPECT_EQ(TruncateToWidth("中文中文", 3, "…"), "中…");
}

TEST(PadToWidth, PadsByColumnsNotBytes) {
  EXPECT_EQ(PadToWidth("中", 4), "中  ");
  EXPECT_EQ(PadToWidth("中", 4, Align::kRight), "  中");
  EXPECT_EQ(PadToWidth("中文", 3), "中文");
}

TEST(OneLine, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(OneLine("第一行\n第二行\tx"), "第一行 第二行 x");
}

}  // namespace
}  // namespace rectify::client
