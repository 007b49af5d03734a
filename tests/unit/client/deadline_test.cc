#include "client/deadline.h"

#include <gtest/gtest.h>

namespace rectify::client {
namespace {

TEST(ParseDeadlineSpec, Date) {
  const auto spec = ParseDeadlineSpec("--deadline", "2026-06-30");
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec.value().spec_case(), v1::DeadlineSpec::kDate);
  EXPECT_EQ(spec.value().date(), "2026-06-30");
  EXPECT_EQ(spec.value().from(), "");
}

TEST(ParseDeadlineSpec, CalendarDays) {
  const auto spec = ParseDeadlineSpec("--deadline", "30d");
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec.value().spec_case(), v1::DeadlineSpec::kCalendarDays);
  EXPECT_EQ(spec.value().calendar_days(), 30);
  EXPECT_EQ(spec.value().from(), "");
  EXPECT_EQ(ParseDeadlineSpec("--deadline", "7D").value().calendar_days(), 7);
}

TEST(ParseDeadlineSpec, WorkingDays) {
  const auto spec = ParseDeadlineSpec("--to", "15wd");
  ASSERT_TRUE(spec.ok()) << spec.error();
  EXPECT_EQ(spec.value().spec_case(), v1::DeadlineSpec::kWorkingDays);
  EXPECT_EQ(spec.value().working_days(), 15);
  EXPECT_EQ(spec.value().from(), "");
  EXPECT_EQ(ParseDeadlineSpec("--to", "1WD").value().working_days(), 1);
}

TEST(ParseDeadlineSpec, Garbage) {
  for (const char* bad : {"",           "d",          "wd",         "30",          "30dd",
                          "30w",        "-3d",        "+3d",        "3.5d",        "3 d",
                          "0d",         "0wd",        "99999999d",  "tomorrow",    "2026-6-30",
                          "2026/06/30", "2026-02-30", "2026-13-01", "2026-06-30x", "三十天"}) {
    const auto spec = ParseDeadlineSpec("--deadline", bad);
    EXPECT_FALSE(spec.ok()) << "accepted '" << bad << "'";
    if (!spec.ok()) {
      EXPECT_NE(spec.error().find("--deadline"), std::string::npos) << spec.error();
    }
  }
}

TEST(ParseDeadlineSpec, ErrorExplainsTheForms) {
  const auto spec = ParseDeadlineSpec("--deadline", "soon");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.error().find("YYYY-MM-DD"), std::string::npos);
  EXPECT_NE(spec.error().find("Nwd"), std::string::npos);
}

TEST(IsDate, RealCalendarDatesOnly) {
  EXPECT_TRUE(IsDate("2024-02-29"));  // leap year
  EXPECT_FALSE(IsDate("2025-02-29"));
  EXPECT_FALSE(IsDate("2025-04-31"));
  EXPECT_FALSE(IsDate("2025-00-10"));
  EXPECT_FALSE(IsDate("2025-01-00"));
  EXPECT_FALSE(IsDate("20250101"));
  EXPECT_FALSE(IsDate("2025-01-1 "));
}

TEST(ParseDate, NamesTheFlag) {
  EXPECT_EQ(ParseDate("--deadline-from", "2026-01-01").value(), "2026-01-01");
  const auto bad = ParseDate("--deadline-from", "30d");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("--deadline-from"), std::string::npos);
}

TEST(ParseWorkingDayCount, SignedWholeNumbers) {
  EXPECT_EQ(ParseWorkingDayCount("N", "5").value(), 5);
  EXPECT_EQ(ParseWorkingDayCount("N", "-5").value(), -5);
  EXPECT_EQ(ParseWorkingDayCount("N", "+5").value(), 5);
  EXPECT_EQ(ParseWorkingDayCount("N", "0").value(), 0);
  EXPECT_EQ(ParseWorkingDayCount("N", "36500").value(), 36500);
  EXPECT_EQ(ParseWorkingDayCount("N", "-36500").value(), -36500);
}

TEST(ParseWorkingDayCount, RejectsEverythingElse) {
  for (const char* bad : {"", "-", "+", "36501", "-36501", "5wd", "5d", "1e3", "5.0", " 5", "--5",
                          "9999999999", "五"}) {
    EXPECT_FALSE(ParseWorkingDayCount("N", bad).ok()) << bad;
  }
  const auto parsed = ParseWorkingDayCount("N", "5wd");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().find("'5wd'"), std::string::npos) << parsed.error();
}

}  // namespace
}  // namespace rectify::client
