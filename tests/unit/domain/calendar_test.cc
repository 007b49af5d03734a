#include "domain/calendar.h"

#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/dates.h"

namespace rectify::domain {
namespace {

using date::year_month_day;
using namespace date::literals;
using ::testing::HasSubstr;

const Calendar& Default() {
  static const Calendar* calendar = new Calendar(DefaultCalendar());
  return *calendar;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(DefaultCalendar, HasTheShippedYearsAndTheirNotices) {
  auto parsed = ParseCalendarToml(DefaultCalendarToml(), "holidays_cn.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(Default().Years(), (std::vector<int>{2024, 2025, 2026}));
  EXPECT_TRUE(Default().HasYear(2025));
  EXPECT_FALSE(Default().HasYear(2027));
  EXPECT_EQ(Default().Year(2027), nullptr);

  const YearArrangement* y2025 = Default().Year(2025);
  ASSERT_NE(y2025, nullptr);
  EXPECT_EQ(y2025->year, 2025);
  EXPECT_THAT(y2025->notice, HasSubstr("国务院办公厅关于2025年部分节假日安排的通知"));
  EXPECT_THAT(y2025->notice, HasSubstr("国办发明电〔2024〕12号"));
  ASSERT_EQ(y2025->holidays.size(), 6u);
  EXPECT_EQ(y2025->holidays[1].name, "春节");
  EXPECT_EQ(y2025->holidays[1].from, 2025_y / 1 / 28);
  EXPECT_EQ(y2025->holidays[1].to, 2025_y / 2 / 4);
  EXPECT_EQ(y2025->holidays[0].from, y2025->holidays[0].to);  // 元旦: `to` defaults to `from`
  EXPECT_EQ(y2025->workdays.size(), 5u);
  EXPECT_THAT(Default().Year(2024)->notice, HasSubstr("国办发明电〔2023〕7号"));
  EXPECT_THAT(Default().Year(2026)->notice, HasSubstr("2026年部分节假日安排"));
}

TEST(DefaultCalendar, WorkingDaysPerYear) {
  // 365/366 days, minus 104 weekend days, minus the statutory days off (11 in 2024; 13 from
  // 2025 on): adjusted working days only move days around.
  struct Case {
    int year;
    int want;
  };
  for (const Case& c : {Case{2024, 251}, Case{2025, 248}, Case{2026, 248}}) {
    const year_month_day last_of_previous = date::year{c.year - 1} / 12 / 31;
    const year_month_day last = date::year{c.year} / 12 / 31;
    auto got = Default().WorkingDaysBetween(last_of_previous, last);
    // (Dec 31 of the previous year, Dec 31] lies entirely in c.year.
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.year;
  }
}

TEST(Calendar, IsWorkingDay) {
  struct Case {
    year_month_day day;
    bool want;
    const char* why;
  };
  const Case cases[] = {
      {2025_y / 3 / 7, true, "plain Friday"},
      {2025_y / 3 / 8, false, "plain Saturday"},
      {2025_y / 3 / 9, false, "plain Sunday"},
      {2025_y / 1 / 1, false, "元旦 2025, a Wednesday"},
      {2025_y / 1 / 2, true, "the day after 元旦"},
      {2025_y / 1 / 26, true, "Sunday worked for 春节 2025"},
      {2025_y / 1 / 27, true, "Monday before 春节 2025"},
      {2025_y / 1 / 28, false, "first day of 春节 2025"},
      {2025_y / 2 / 4, false, "last day of 春节 2025"},
      {2025_y / 2 / 5, true, "first day back after 春节 2025"},
      {2025_y / 2 / 8, true, "Saturday worked for 春节 2025"},
      {2025_y / 4 / 4, false, "清明节 2025, a Friday"},
      {2025_y / 4 / 27, true, "Sunday worked for 劳动节 2025"},
      {2025_y / 5 / 5, false, "劳动节 2025, a Monday"},
      {2025_y / 6 / 2, false, "端午节 2025, a Monday"},
      {2025_y / 9 / 28, true, "Sunday worked for 国庆节 2025"},
      {2025_y / 10 / 8, false, "last day of 国庆节、中秋节 2025, a Wednesday"},
      {2025_y / 10 / 9, true, "first day back after 国庆节 2025"},
      {2025_y / 10 / 11, true, "Saturday worked for 国庆节 2025"},
      {2025_y / 10 / 12, false, "plain Sunday after it"},
      {2024_y / 2 / 4, true, "Sunday worked for 春节 2024"},
      {2024_y / 2 / 18, true, "Sunday worked for 春节 2024"},
      {2024_y / 2 / 16, false, "春节 2024, a Friday"},
      {2024_y / 4 / 7, true, "Sunday worked for 清明节 2024"},
      {2024_y / 5 / 11, true, "Saturday worked for 劳动节 2024"},
      {2024_y / 6 / 10, false, "端午节 2024, a Monday"},
      {2024_y / 9 / 14, true, "Saturday worked for 中秋节 2024"},
      {2024_y / 10 / 12, true, "Saturday worked for 国庆节 2024"},
      {2026_y / 1 / 2, false, "元旦 2026, a Friday"},
      {2026_y / 1 / 4, true, "Sunday worked for 元旦 2026"},
      {2026_y / 2 / 14, true, "Saturday worked for 春节 2026"},
      {2026_y / 2 / 16, false, "春节 2026, a Monday"},
      {2026_y / 2 / 23, false, "last day of 春节 2026, a Monday"},
      {2026_y / 2 / 24, true, "first day back after 春节 2026"},
      {2026_y / 2 / 28, true, "Saturday worked for 春节 2026"},
      {2026_y / 5 / 9, true, "Saturday worked for 劳动节 2026"},
      {2026_y / 6 / 19, false, "端午节 2026, a Friday"},
      {2026_y / 9 / 20, true, "Sunday worked for 国庆节 2026"},
      {2026_y / 9 / 25, false, "中秋节 2026, a Friday"},
      {2026_y / 10 / 7, false, "last day of 国庆节 2026"},
      {2026_y / 10 / 8, true, "first day back after 国庆节 2026"},
      {2026_y / 10 / 10, true, "Saturday worked for 国庆节 2026"},
      {2026_y / 12 / 31, true, "last day of the data"},
  };
  for (const Case& c : cases) {
    auto got = Default().IsWorkingDay(c.day);
    ASSERT_TRUE(got.ok()) << FormatDate(c.day) << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << FormatDate(c.day) << " (" << c.why << ")";
  }
}

TEST(Calendar, AddWorkingDays) {
  struct Case {
    year_month_day start;
    int n;
    year_month_day want;
    const char* why;
  };
  const Case cases[] = {
      {2025_y / 3 / 7, 1, 2025_y / 3 / 10, "Friday + 1 = Monday"},
      {2025_y / 3 / 8, 1, 2025_y / 3 / 10, "from a Saturday"},
      {2025_y / 3 / 10, 5, 2025_y / 3 / 17, "a plain week"},
      {2025_y / 3 / 10, -1, 2025_y / 3 / 7, "Monday - 1 = Friday"},
      {2025_y / 3 / 9, -1, 2025_y / 3 / 7, "back from a Sunday"},
      {2025_y / 3 / 12, 0, 2025_y / 3 / 12, "n = 0 is start"},
      {2025_y / 3 / 8, 0, 2025_y / 3 / 8, "n = 0 is start, even on a weekend"},
      {2026_y / 2 / 16, 0, 2026_y / 2 / 16, "n = 0 is start, even on a holiday"},
      {2030_y / 1 / 1, 0, 2030_y / 1 / 1, "n = 0 needs no data"},
      // Year boundary: 2026-01-01..03 off, Sunday 01-04 worked.
      {2025_y / 12 / 31, 1, 2026_y / 1 / 4, "into 2026: the Sunday worked for 元旦"},
      {2025_y / 12 / 31, 2, 2026_y / 1 / 5, "into 2026"},
      {2026_y / 1 / 4, -1, 2025_y / 12 / 31, "back into 2025"},
      {2024_y / 12 / 31, 1, 2025_y / 1 / 2, "into 2025 over 元旦"},
      // National Day 2025: 10-01..10-08 off, 09-28 (Sun) and 10-11 (Sat) worked.
      {2025_y / 10 / 10, -5, 2025_y / 9 / 26, "5 working days before 2025-10-10"},
      {2025_y / 10 / 10, -1, 2025_y / 10 / 9, "1 working day before 2025-10-10"},
      {2025_y / 10 / 10, -3, 2025_y / 9 / 29, "3 working days before 2025-10-10"},
      {2025_y / 10 / 10, -4, 2025_y / 9 / 28, "the Sunday worked counts"},
      {2025_y / 9 / 30, 1, 2025_y / 10 / 9, "over the whole stretch"},
      {2025_y / 9 / 26, 5, 2025_y / 10 / 10, "and forward again"},
      {2025_y / 10 / 10, 1, 2025_y / 10 / 11, "the Saturday worked"},
      // Spring Festival 2026: 02-15..02-23 off, 02-14 (Sat) and 02-28 (Sat) worked.
      {2026_y / 2 / 13, 1, 2026_y / 2 / 14, "the Saturday before 春节 2026"},
      {2026_y / 2 / 14, 1, 2026_y / 2 / 24, "over 春节 2026"},
      {2026_y / 2 / 13, 5, 2026_y / 2 / 27, "a week across 春节 2026"},
      {2026_y / 2 / 27, 1, 2026_y / 2 / 28, "the Saturday after"},
      {2026_y / 2 / 24, -1, 2026_y / 2 / 14, "back over 春节 2026"},
      {2026_y / 2 / 20, 1, 2026_y / 2 / 24, "from inside the holiday"},
      {2026_y / 2 / 20, -1, 2026_y / 2 / 14, "back from inside the holiday"},
  };
  for (const Case& c : cases) {
    auto got = Default().AddWorkingDays(c.start, c.n);
    ASSERT_TRUE(got.ok()) << c.why << ": " << got.status().ToString();
    EXPECT_EQ(FormatDate(*got), FormatDate(c.want))
        << FormatDate(c.start) << " " << c.n << " (" << c.why << ")";
  }
}

TEST(Calendar, WorkingDaysBetween) {
  struct Case {
    year_month_day a;
    year_month_day b;
    int want;
  };
  const Case cases[] = {
      {2025_y / 3 / 7, 2025_y / 3 / 10, 1},     // Friday -> Monday
      {2025_y / 3 / 10, 2025_y / 3 / 7, -1},    // and back
      {2025_y / 3 / 10, 2025_y / 3 / 10, 0},    // same day
      {2025_y / 3 / 8, 2025_y / 3 / 9, 0},      // a weekend
      {2025_y / 3 / 7, 2025_y / 3 / 14, 5},     // a week
      {2025_y / 9 / 30, 2025_y / 10 / 9, 1},    // National Day 2025
      {2025_y / 9 / 26, 2025_y / 10 / 10, 5},   //
      {2025_y / 10 / 10, 2025_y / 9 / 26, -5},  //
      {2025_y / 12 / 31, 2026_y / 1 / 5, 2},    // year boundary
      {2026_y / 2 / 13, 2026_y / 2 / 27, 5},    // Spring Festival 2026
      {2026_y / 2 / 14, 2026_y / 2 / 23, 0},    // all of it off
  };
  for (const Case& c : cases) {
    auto got = Default().WorkingDaysBetween(c.a, c.b);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, c.want) << FormatDate(c.a) << " -> " << FormatDate(c.b);
  }
}

TEST(Calendar, AddAndBetweenAgreeOnEveryDay) {
  // For every start in the data and n in [1, 20]: n forward counts n; n back lands on a working
  // day with n working days in (result, start) plus start itself if it is one.
  for (date::sys_days d = date::sys_days{2024_y / 2 / 1}; d <= date::sys_days{2026_y / 11 / 30};
       d += date::days{1}) {
    const year_month_day start{d};
    auto start_working = Default().IsWorkingDay(start);
    ASSERT_TRUE(start_working.ok());
    for (int n = 1; n <= 20; ++n) {
      auto forward = Default().AddWorkingDays(start, n);
      ASSERT_TRUE(forward.ok()) << FormatDate(start) << " +" << n;
      EXPECT_EQ(*Default().WorkingDaysBetween(start, *forward), n);
      EXPECT_TRUE(*Default().IsWorkingDay(*forward));
      auto back = Default().AddWorkingDays(start, -n);
      ASSERT_TRUE(back.ok()) << FormatDate(start) << " -" << n;
      EXPECT_EQ(*Default().WorkingDaysBetween(*back, start), n - 1 + (*start_working ? 1 : 0))
          << FormatDate(start) << " -" << n;
      EXPECT_TRUE(*Default().IsWorkingDay(*back));
    }
  }
}

// The calendar answers spans from per-year tables of running counts; this reference steps one
// day at a time through IsWorkingDay. They must agree on every answer and on every failure
// (the same missing year), across year ends, leap years and a year missing in the middle.
Result<int> BetweenByDays(const Calendar& cal, year_month_day a, year_month_day b) {
  const bool backwards = b < a;
  const date::sys_days lo{backwards ? b : a}, hi{backwards ? a : b};
  int count = 0;
  for (date::sys_days d = lo + date::days{1}; d <= hi; d += date::days{1}) {
    ASSIGN_OR_RETURN(bool working, cal.IsWorkingDay(year_month_day{d}));
    count += working ? 1 : 0;
  }
  return backwards ? -count : count;
}

Result<year_month_day> AddByDays(const Calendar& cal, year_month_day start, int n) {
  date::sys_days d{start};
  for (int left = n < 0 ? -n : n; left > 0;) {
    d += date::days{n > 0 ? 1 : -1};
    ASSIGN_OR_RETURN(bool working, cal.IsWorkingDay(year_month_day{d}));
    if (working) --left;
  }
  return year_month_day{d};
}

template <typename T>
void ExpectSame(const Result<T>& got, const Result<T>& want, const std::string& what) {
  ASSERT_EQ(got.ok(), want.ok()) << what << ": " << (got.ok() ? want : got).status().ToString();
  if (want.ok()) {
    EXPECT_EQ(*got, *want) << what;
  } else {
    EXPECT_EQ(got.status().code(), want.status().code()) << what;
    EXPECT_EQ(got.status().message(), want.status().message()) << what;
  }
}

TEST(Calendar, SpansAgreeWithCountingDayByDay) {
  std::vector<YearArrangement> years;
  for (int y : {2027, 2028, 2029, 2031}) {  // 2028 is a leap year; 2030 is missing
    YearArrangement a;
    a.year = y;
    a.notice = "test " + std::to_string(y);
    const date::year_month_day start = date::year{y} / date::February / 10;
    a.holidays.push_back({"春节", start, year_month_day{date::sys_days{start} + date::days{7}}});
    a.holidays.push_back({"元旦", date::year{y} / 1 / 1, date::year{y} / 1 / 1});
    a.holidays.push_back({"末", date::year{y} / 12 / 30, date::year{y} / 12 / 31});
    // The first Saturday after the Spring Festival is worked.
    date::sys_days sat = date::sys_days{start} + date::days{8};
    while (date::weekday{sat} != date::Saturday) sat += date::days{1};
    a.workdays.push_back(year_month_day{sat});
    years.push_back(a);
  }
  auto cal = Calendar::FromYears(years);
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();

  const date::sys_days first{2026_y / 12 / 20}, last{2032_y / 1 / 10};
  const int span = (last - first).count();
  std::mt19937 rng(20261127);
  for (int i = 0; i < 20000; ++i) {
    const year_month_day a{first + date::days{static_cast<int>(rng() % (span + 1))}};
    // Mostly short spans (reminder scans), sometimes across years.
    const int reach = i % 4 == 0 ? span : 40;
    const year_month_day b{date::sys_days{a} + date::days{static_cast<int>(rng() % (2 * reach + 1)) - reach}};
    const std::string what = FormatDate(a) + " .. " + FormatDate(b);
    ExpectSame(cal->WorkingDaysBetween(a, b), BetweenByDays(*cal, a, b), "between " + what);
    const int n = static_cast<int>(rng() % 601) - 300;
    ExpectSame(cal->AddWorkingDays(a, n), AddByDays(*cal, a, n),
               "add " + FormatDate(a) + " " + std::to_string(n));
    if (HasFailure()) return;
  }
  // Every start of the data, every n to a year and a half either way.
  for (date::sys_days d{2027_y / 1 / 1}; d <= date::sys_days{2029_y / 12 / 31}; d += date::days{1}) {
    for (int n : {1, 2, 5, 17, 250, 380, -1, -2, -5, -17, -250, -380}) {
      ExpectSame(cal->AddWorkingDays(year_month_day{d}, n), AddByDays(*cal, year_month_day{d}, n),
                 "add " + FormatDate(year_month_day{d}) + " " + std::to_string(n));
    }
    if (HasFailure()) return;
  }
}

TEST(Calendar, MissingYearNamesTheYear) {
  const std::string want_2027 =
      "working-day calendar has no data for 2027; add the State Council holiday notice for 2027 "
      "to the calendar file";
  auto is = Default().IsWorkingDay(2027_y / 1 / 4);
  ASSERT_FALSE(is.ok());
  EXPECT_EQ(is.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(is.status().message(), want_2027);

  auto add = Default().AddWorkingDays(2026_y / 12 / 31, 1);
  ASSERT_FALSE(add.ok());
  EXPECT_EQ(add.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(add.status().message(), want_2027);

  // Stops before the missing year when the answer is found first.
  auto inside = Default().AddWorkingDays(2026_y / 12 / 28, 3);
  ASSERT_TRUE(inside.ok());
  EXPECT_EQ(*inside, 2026_y / 12 / 31);

  auto back = Default().AddWorkingDays(2024_y / 1 / 2, -1);  // 2024-01-01 off -> 2023
  ASSERT_FALSE(back.ok());
  EXPECT_THAT(back.status().message(), HasSubstr("no data for 2023"));

  auto between = Default().WorkingDaysBetween(2026_y / 12 / 1, 2027_y / 1 / 10);
  ASSERT_FALSE(between.ok());
  EXPECT_EQ(between.status().message(), want_2027);

  auto empty = Calendar().IsWorkingDay(2026_y / 3 / 2);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("no data for 2026"));
}

TEST(Calendar, InvalidDatesAreInvalidArgument) {
  const year_month_day bad = 2026_y / 2 / 30;
  EXPECT_EQ(Default().IsWorkingDay(bad).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Default().AddWorkingDays(bad, 1).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Default().WorkingDaysBetween(bad, 2026_y / 3 / 1).status().code(),
            Code::kInvalidArgument);
}

TEST(ParseCalendarToml, MinimalFileAndArrayOfTablesForm) {
  auto calendar = ParseCalendarToml(Join({
                                        "[[year]]",
                                        "year = 2030",
                                        "notice = \"test notice\"",
                                        "workdays = [2030-02-09]",
                                        "[[year.holidays]]",
                                        "name = \"春节\"",
                                        "from = 2030-02-02",
                                        "to = 2030-02-08",
                                    }),
                                    "ops.toml");
  ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
  EXPECT_EQ(calendar->Years(), std::vector<int>{2030});
  EXPECT_FALSE(*calendar->IsWorkingDay(2030_y / 2 / 4));  // Monday, holiday
  EXPECT_TRUE(*calendar->IsWorkingDay(2030_y / 2 / 9));   // Saturday, worked
  EXPECT_TRUE(*calendar->IsWorkingDay(2030_y / 2 / 11));  // Monday after

  auto empty = ParseCalendarToml("# nothing yet\n", "ops.toml");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->Years().empty());
}

TEST(ParseCalendarToml, ErrorsNameLineAndKey) {
  const std::string head = "[[year]]\nyear = 2025\nnotice = \"n\"\n";  // lines 1-3
  struct Case {
    const char* name;
    std::string text;
    std::vector<std::string> want;  // substrings of the message
  };
  const Case cases[] = {
      {"bad date",
       head + "holidays = [ { name = \"春节\", from = 2025-02-30, to = 2025-03-01 } ]\n",
       {"ops.toml:4:", "day"}},
      {"from after to",
       head + "holidays = [ { name = \"春节\", from = 2025-02-04, to = 2025-01-28 } ]\n",
       {"ops.toml:4:", "year 2025, holidays[0] (春节)",
        "`to` 2025-01-28 is before `from` 2025-02-04"}},
      {"adjusted working day on a weekday",
       head + "workdays = [2025-01-26, 2025-01-29]\n",
       {"ops.toml:4:", "workdays[1]", "2025-01-29 is a Wednesday", "Saturday or Sunday"}},
      {"unknown key in a holiday",
       head + "holidays = [\n  { name = \"春节\", form = 2025-01-28, to = 2025-02-04 },\n]\n",
       {"ops.toml:5:", "unknown key `form`", "holidays[0]"}},
      {"unknown key in a year",
       head + "holiday = []\n",
       {"ops.toml:4:1:", "unknown key `holiday`", "year[0]"}},
      {"unknown top-level key", "version = 1\n" + head, {"ops.toml:1:1:", "unknown key `version`"}},
      {"year given as a plain key", "year = 2025\n", {"ops.toml:1:", "expected [[year]] tables"}},
      {"overlapping holidays",
       head + "holidays = [\n"
              "  { name = \"A\", from = 2025-05-01, to = 2025-05-05 },\n"
              "  { name = \"B\", from = 2025-05-05, to = 2025-05-06 },\n"
              "]\n",
       {"ops.toml:6:", "holidays[1] (B)", "overlaps holidays[0] (A)"}},
      {"adjusted working day inside a holiday",
       head + "holidays = [ { name = \"春节\", from = 2025-01-28, to = 2025-02-04 } ]\n"
              "workdays = [2025-02-01]\n",
       {"ops.toml:5:", "workdays[0]", "falls inside holidays[0] (春节)"}},
      {"adjusted working day twice",
       head + "workdays = [2025-01-26, 2025-01-26]\n",
       {"ops.toml:4:", "workdays[1]", "listed twice"}},
      {"date outside the year",
       head + "holidays = [ { name = \"元旦\", from = 2024-12-31, to = 2025-01-01 } ]\n",
       {"ops.toml:4:", "`from` 2024-12-31 is not in 2025"}},
      {"year given twice",
       head + head,
       {"ops.toml:4:", "year 2025 is given twice", "first at ops.toml:1:"}},
      {"missing notice", "[[year]]\nyear = 2025\n", {"ops.toml:1:", "missing `notice`"}},
      {"empty notice",
       "[[year]]\nyear = 2025\nnotice = \"\"\n",
       {"ops.toml:1:", "`notice` is empty"}},
      {"missing year", "[[year]]\nnotice = \"n\"\n", {"ops.toml:1:", "missing `year"}},
      {"year as a string",
       "[[year]]\nyear = \"2025\"\nnotice = \"n\"\n",
       {"ops.toml:2:", "year[0].year: expected an integer, got a string"}},
      {"year out of range",
       "[[year]]\nyear = 25\nnotice = \"n\"\n",
       {"ops.toml:2:", "expected a year within"}},
      {"quoted date",
       head + "workdays = [\"2025-01-26\"]\n",
       {"ops.toml:4:", "workdays[0]", "expected a date", "got a string"}},
      {"date-time instead of a date",
       head + "holidays = [ { name = \"春节\", from = 2025-01-28T00:00:00 } ]\n",
       {"ops.toml:4:", "holidays[0].from", "got a date-time"}},
      {"holiday without a name",
       head + "holidays = [ { from = 2025-01-28 } ]\n",
       {"ops.toml:4:", "missing `name`"}},
      {"holidays not an array",
       head + "holidays = 3\n",
       {"ops.toml:4:", "year 2025.holidays: expected an array, got an integer"}},
      {"syntax error",
       head + "holidays = [ { name = \"春节\", from = 2025-01-28 ]\n",
       {"ops.toml:4:"}},
  };
  for (const Case& c : cases) {
    auto got = ParseCalendarToml(c.text, "ops.toml");
    ASSERT_FALSE(got.ok()) << c.name << ": accepted";
    EXPECT_EQ(got.status().code(), Code::kInvalidArgument) << c.name;
    for (const std::string& want : c.want) {
      EXPECT_THAT(got.status().message(), HasSubstr(want)) << c.name;
    }
  }
}

TEST(Calendar, FromYearsValidatesWithoutPositions) {
  YearArrangement y;
  y.year = 2030;
  y.notice = "n";
  y.workdays = {2030_y / 1 / 2};  // a Wednesday
  auto got = Calendar::FromYears({y});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "year 2030, workdays[0]: 2030-01-02 is a Wednesday; an adjusted working day "
            "(调休上班) must be a Saturday or Sunday");

  y.workdays = {2030_y / 1 / 5};  // a Saturday
  auto twice = Calendar::FromYears({y, y});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.status().message(), HasSubstr("year 2030 is given twice"));

  auto once = Calendar::FromYears({y});
  ASSERT_TRUE(once.ok()) << once.status().ToString();
  EXPECT_TRUE(*once->IsWorkingDay(2030_y / 1 / 5));
}

TEST(Calendar, MergeReplacesWholeYearsAndAddsNewOnes) {
  auto overrides = ParseCalendarToml(Join({
                                         "[[year]]",
                                         "year = 2026",
                                         "notice = \"local correction\"",
                                         "holidays = [ { name = \"测试\", from = 2026-03-02 } ]",
                                         "[[year]]",
                                         "year = 2027",
                                         "notice = \"2027 notice\"",
                                     }),
                                     "ops.toml");
  ASSERT_TRUE(overrides.ok()) << overrides.status().ToString();

  Calendar merged = DefaultCalendar();
  merged.Merge(*overrides);
  EXPECT_EQ(merged.Years(), (std::vector<int>{2024, 2025, 2026, 2027}));
  EXPECT_EQ(merged.Year(2026)->notice, "local correction");
  EXPECT_FALSE(*merged.IsWorkingDay(2026_y / 3 / 2));   // the override's holiday
  EXPECT_TRUE(*merged.IsWorkingDay(2026_y / 2 / 16));   // shipped 春节 gone with the year
  EXPECT_FALSE(*merged.IsWorkingDay(2026_y / 2 / 14));  // and its Saturday worked
  EXPECT_FALSE(*merged.IsWorkingDay(2025_y / 10 / 1));  // 2025 untouched
  EXPECT_TRUE(*merged.IsWorkingDay(2027_y / 1 / 4));    // 2027 now known
  // The shipped calendar is a separate value.
  EXPECT_FALSE(*Default().IsWorkingDay(2026_y / 2 / 16));
}

}  // namespace
}  // namespace rectify::domain
