#include "domain/dates.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace rectify::domain {
namespace {

using date::year_month_day;
using namespace date::literals;
using namespace std::chrono_literals;

const date::time_zone* Zone(const char* name) {
  auto zone = LocateZone(name);
  EXPECT_TRUE(zone.ok()) << zone.status().ToString();
  return zone.ok() ? *zone : nullptr;
}

// An instant written as UTC wall-clock fields.
std::chrono::system_clock::time_point Utc(year_month_day day, std::chrono::minutes time) {
  return date::sys_days{day} + time;
}

TEST(ParseDate, AcceptsWellFormedDates) {
  struct Case {
    const char* text;
    year_month_day want;
  };
  const Case cases[] = {
      {"2026-02-03", 2026_y / 2 / 3},        {"2024-02-29", 2024_y / 2 / 29},
      {"2000-02-29", 2000_y / 2 / 29},       {"2025-12-31", 2025_y / 12 / 31},
      {"0001-01-01", date::year{1} / 1 / 1}, {"9999-12-31", 9999_y / 12 / 31},
  };
  for (const Case& c : cases) {
    auto got = ParseDate(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.text;
    EXPECT_EQ(FormatDate(*got), c.text);
  }
}

TEST(ParseDate, RejectsAnythingElse) {
  const char* cases[] = {
      "",           "2026-02-30",       "2025-02-29",     "1900-02-29",  "2026-04-31",
      "2026-2-3",   "2026-02-3",        "26-02-03",       "2026-13-01",  "2026-00-10",
      "2026-01-00", "0000-01-01",       "2026-02-03x",    " 2026-02-03", "2026-02-03 ",
      "2026/02/03", "2026-02-03T00:00", "２０２６-02-03", "+026-02-03",  "2026-0a-03",
      "20260203",   "2026--02-03",
  };
  for (const char* text : cases) {
    auto got = ParseDate(text);
    EXPECT_FALSE(got.ok()) << "accepted \"" << text << "\"";
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), Code::kInvalidArgument) << text;
      EXPECT_NE(got.status().message().find(std::string("\"") + text + "\""), std::string::npos)
          << got.status().message();
    }
  }
}

TEST(FormatDate, PadsEveryField) {
  EXPECT_EQ(FormatDate(2026_y / 1 / 2), "2026-01-02");
  EXPECT_EQ(FormatDate(year_month_day{date::year{987}, date::month{3}, date::day{4}}),
            "0987-03-04");
}

TEST(LocateZone, FindsIanaNamesAndRejectsOthers) {
  auto shanghai = LocateZone("Asia/Shanghai");
  ASSERT_TRUE(shanghai.ok()) << shanghai.status().ToString();
  EXPECT_EQ((*shanghai)->name(), "Asia/Shanghai");

  for (const char* bad : {"Asia/Beijing", "", "CST+8", "../etc/passwd"}) {
    auto zone = LocateZone(bad);
    ASSERT_FALSE(zone.ok()) << bad;
    EXPECT_EQ(zone.status().code(), Code::kInvalidArgument);
    EXPECT_NE(zone.status().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << zone.status().message();
  }
}

TEST(LocalDate, ShanghaiAroundUtcMidnight) {
  const date::time_zone* shanghai = Zone("Asia/Shanghai");
  ASSERT_NE(shanghai, nullptr);
  struct Case {
    year_month_day utc_day;
    std::chrono::minutes utc_time;
    year_month_day want;
  };
  const Case cases[] = {
      {2026_y / 1 / 1, 16h + 30min, 2026_y / 1 / 2},  // 00:30 on the 2nd in Shanghai
      {2026_y / 1 / 1, 15h + 59min, 2026_y / 1 / 1},  // 23:59 on the 1st
      {2026_y / 1 / 1, 16h, 2026_y / 1 / 2},          // exactly local midnight
      {2025_y / 12 / 31, 16h, 2026_y / 1 / 1},        // new year arrives at 16:00Z
      {2026_y / 1 / 2, 0min, 2026_y / 1 / 2},         // UTC midnight is 08:00 local
  };
  for (const Case& c : cases) {
    EXPECT_EQ(LocalDate(Utc(c.utc_day, c.utc_time), shanghai), c.want)
        << FormatDate(c.utc_day) << " +" << c.utc_time.count() << "min UTC";
  }
  // Sub-second instants just before local midnight stay on the earlier day.
  EXPECT_EQ(LocalDate(Utc(2026_y / 1 / 1, 16h) - 1us, shanghai), 2026_y / 1 / 1);
}

TEST(LocalDate, UtcZoneIsTheUtcDate) {
  const date::time_zone* utc = Zone("Etc/UTC");
  ASSERT_NE(utc, nullptr);
  EXPECT_EQ(LocalDate(Utc(2026_y / 1 / 1, 16h + 30min), utc), 2026_y / 1 / 1);
}

TEST(LocalStart, NineOClockShanghaiIsOneUtc) {
  const date::time_zone* shanghai = Zone("Asia/Shanghai");
  ASSERT_NE(shanghai, nullptr);
  auto start = LocalStart(2026_y / 1 / 5, 9h, shanghai);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(*start, Utc(2026_y / 1 / 5, 1h));
  EXPECT_EQ(LocalDate(*start, shanghai), 2026_y / 1 / 5);

  auto midnight = LocalStart(2026_y / 1 / 1, 0min, shanghai);
  ASSERT_TRUE(midnight.ok());
  EXPECT_EQ(*midnight, Utc(2025_y / 12 / 31, 16h));

  auto late = LocalStart(2026_y / 1 / 1, 23h + 59min, shanghai);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(*late, Utc(2026_y / 1 / 1, 15h + 59min));
}

TEST(LocalStart, RejectsBadInput) {
  const date::time_zone* shanghai = Zone("Asia/Shanghai");
  ASSERT_NE(shanghai, nullptr);
  EXPECT_FALSE(LocalStart(2026_y / 1 / 5, 24h, shanghai).ok());
  EXPECT_FALSE(LocalStart(2026_y / 1 / 5, -1min, shanghai).ok());
  EXPECT_FALSE(LocalStart(2026_y / 2 / 30, 9h, shanghai).ok());
}

TEST(LocalStart, DaylightSavingGapAndOverlap) {
  // Not a Chinese concern, but the zone is configurable. New York: 2026-03-08 02:00 -> 03:00,
  // 2026-11-01 02:00 -> 01:00.
  const date::time_zone* new_york = Zone("America/New_York");
  ASSERT_NE(new_york, nullptr);
  auto gap = LocalStart(2026_y / 3 / 8, 2h + 30min, new_york);
  ASSERT_TRUE(gap.ok());
  EXPECT_EQ(*gap, Utc(2026_y / 3 / 8, 7h));  // the jump: 02:00 EST = 07:00Z
  auto twice = LocalStart(2026_y / 11 / 1, 1h + 30min, new_york);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*twice, Utc(2026_y / 11 / 1, 5h + 30min));  // the first 01:30, still EDT (UTC-4)
  auto nine = LocalStart(2026_y / 7 / 1, 9h, new_york);
  ASSERT_TRUE(nine.ok());
  EXPECT_EQ(*nine, Utc(2026_y / 7 / 1, 13h));
}

}  // namespace
}  // namespace rectify::domain
