#pragma once

// The working-day calendar (工作日历). A working day is Monday-Friday, minus the public holidays,
// plus the adjusted working days (调休上班: weekend days that are worked), year by year as the
// State Council General Office publishes them in 《国务院办公厅关于YYYY年部分节假日安排的通知》.
//
// A Calendar is a plain value. app/ builds one at start-up (DefaultCalendar() merged with the
// operator's file) and then shares it read-only: the const methods are safe from any thread. Only
// the years it was given are known: any computation that needs another year fails with
// FailedPrecondition naming that year, never guesses from weekdays.
//
// The calendar file (TOML; holidays_cn.toml is the shipped one and the reference):
//
//   [[year]]
//   year = 2025
//   notice = "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"
//   holidays = [
//     { name = "元旦", from = 2025-01-01 },                    # `to` defaults to `from`
//     { name = "春节", from = 2025-01-28, to = 2025-02-04 },   # inclusive
//   ]
//   workdays = [2025-01-26, 2025-02-08]                        # 调休上班, weekends only
//
// Dates are bare TOML local dates. Every date of a [[year]] lies in that calendar year: when a
// notice names a day of the neighbouring year (the 2012 notice had 2011-12-31 worked), record
// it under the year it falls in. Within a year, holidays do not overlap each other and no
// adjusted working day falls inside a holiday. Unknown keys are errors (a typo must not turn a
// holiday into a working day silently).

#include <array>
#include <bitset>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>

#include "common/status.h"

namespace rectify::domain {

// One holiday of a year's arrangement, e.g. 春节 2025-01-28..2025-02-04. Both ends inclusive.
struct Holiday {
  std::string name;
  date::year_month_day from;
  date::year_month_day to;
};

// One year as its notice states it.
struct YearArrangement {
  int year = 0;
  std::string notice;  // the notice's title, and its document number where known
  std::vector<Holiday> holidays;
  std::vector<date::year_month_day> workdays;  // adjusted working days (调休上班), all weekends
};

class Calendar {
 public:
  // A calendar with no years: every computation that needs a date fails.
  Calendar() = default;

  // Validates each year (see the file comment) and builds the calendar. InvalidArgument naming
  // the year and the entry at fault; two entries for the same year are an error too.
  static Result<Calendar> FromYears(std::vector<YearArrangement> years);

  // Monday-Friday and not a holiday, or an adjusted working day.
  Result<bool> IsWorkingDay(const date::year_month_day& day) const;

  // Steps over working days from `start`, which itself is never counted:
  //   n >= 1: the n-th working day strictly after start (1 = the next working day);
  //   n <= -1: the |n|-th working day strictly before start (-5 = "5 working days before the
  //            deadline": the day a reminder for a deadline fires);
  //   n == 0: start itself, working day or not; needs no calendar data and never fails on a
  //           valid date.
  // The result is always a working day when n != 0. For n >= 1,
  // WorkingDaysBetween(start, AddWorkingDays(start, n)) == n; going back and forth again returns
  // to start only if start is itself a working day.
  // Touches every year between start and the result, and fails if one is missing.
  Result<date::year_month_day> AddWorkingDays(const date::year_month_day& start, int n) const;

  // The number of working days in (a, b]: a is not counted, b is. 0 when a == b; negative,
  // -(working days in (b, a]), when b is before a. Friday -> next Monday is 1.
  Result<int> WorkingDaysBetween(const date::year_month_day& a,
                                 const date::year_month_day& b) const;

  bool HasYear(int year) const { return years_.count(year) != 0; }
  std::vector<int> Years() const;  // ascending
  // The arrangement as given, for display (`rectifyctl calendar show`); nullptr if absent.
  // Valid while this Calendar lives and is not merged into.
  const YearArrangement* Year(int year) const;

  // Adds the years of `overrides`, replacing whole years this calendar already has (an
  // operator's entry for 2026 replaces the shipped 2026; the shipped 2024 and 2025 stay).
  void Merge(const Calendar& overrides);

 private:
  struct YearData {
    YearArrangement arrangement;
    std::bitset<366> working;  // by day of the year, 0 = January 1
    // before[k]: working days among the year's days 0..k-1, so before[days] is the year's
    // total. Spans and steps cost a few lookups per year touched, not one per day: reminder
    // evaluation asks for them on every mutation that touches an open item.
    std::array<uint16_t, 367> before{};
    int days = 365;
  };

  Result<const YearData*> Find(int year) const;

  std::map<int, YearData> years_;
};

// Parses a calendar file (shape in the file comment). `source_name` names the text in errors:
// "holidays.toml:12:17: year 2025, holidays[1] (春节): `to` 2025-01-27 is before `from`
// 2025-01-28". Syntax errors, wrong types, unknown keys and every FromYears rule are
// InvalidArgument with the line and column.
Result<Calendar> ParseCalendarToml(std::string_view text, std::string_view source_name);

// The shipped calendar file (daemon/domain/holidays_cn.toml, embedded at build time), for
// display or as a template for an operator's file.
std::string_view DefaultCalendarToml();

// The shipped calendar, parsed from DefaultCalendarToml() on each call (callers keep the
// result). calendar_test proves the embedded text parses; were it broken, this aborts.
Calendar DefaultCalendar();

}  // namespace rectify::domain
