// Fuzz target: the holiday calendar data (domain::ParseCalendarToml, what the daemon runs on the
// shipped holidays_cn.toml and on every [calendar] files entry).
//
// Invariants for a calendar that parses (calendar.h states them):
//   - every listed holiday is a day off, every listed adjusted working day is a working day;
//   - for n >= 1, AddWorkingDays(d, n) is a working day after d and
//     WorkingDaysBetween(d, AddWorkingDays(d, n)) == n; for n <= -1 it is a working day before d;
//     n == 0 is d itself; WorkingDaysBetween(a, b) == -WorkingDaysBetween(b, a);
//   - the parsed years, written back out as a calendar file, parse to the same working days.

#include <sstream>

#include <toml++/toml.h>

#include "domain/calendar.h"
#include "domain/dates.h"
#include "fuzz_check.h"

namespace {

using namespace rectify;
using date::year_month_day;

toml::date Toml(const year_month_day& d) {
  return toml::date{static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                    static_cast<unsigned>(d.day())};
}

// The calendar file that states `cal`'s years (the shape in calendar.h).
std::string Emit(const domain::Calendar& cal) {
  toml::array years;
  for (int y : cal.Years()) {
    const domain::YearArrangement* a = cal.Year(y);
    toml::table t;
    t.insert("year", y);
    t.insert("notice", a->notice);
    toml::array holidays;
    for (const auto& h : a->holidays) {
      holidays.push_back(toml::table{{"name", h.name}, {"from", Toml(h.from)}, {"to", Toml(h.to)}});
    }
    t.insert("holidays", std::move(holidays));
    toml::array workdays;
    for (const auto& w : a->workdays) workdays.push_back(Toml(w));
    t.insert("workdays", std::move(workdays));
    years.push_back(std::move(t));
  }
  toml::table root;
  root.insert("year", std::move(years));
  std::ostringstream os;
  os << root;
  return os.str();
}

void CheckSteps(const domain::Calendar& cal, year_month_day d) {
  for (int n : {1, 3, 10, -1, -5, 0}) {
    auto r = cal.AddWorkingDays(d, n);
    if (!r.ok()) {
      FUZZ_CHECK(n != 0, "AddWorkingDays(d, 0) failed on a valid date: " + r.status().message());
      continue;
    }
    const std::string what = domain::FormatDate(d) + " + " + std::to_string(n) + " working days = " +
                             domain::FormatDate(*r);
    if (n == 0) {
      FUZZ_CHECK(*r == d, "n == 0 is not the start: " + what);
      continue;
    }
    auto working = cal.IsWorkingDay(*r);
    FUZZ_CHECK(working.ok() && *working, "the result is not a working day: " + what);
    if (n > 0) {
      FUZZ_CHECK(date::sys_days(*r) > date::sys_days(d), "not after the start: " + what);
      auto between = cal.WorkingDaysBetween(d, *r);
      FUZZ_CHECK(between.ok() && *between == n,
                 "WorkingDaysBetween does not give n back: " + what + ", got " +
                     (between.ok() ? std::to_string(*between) : between.status().message()));
      auto back = cal.WorkingDaysBetween(*r, d);
      FUZZ_CHECK(back.ok() && *back == -n, "WorkingDaysBetween is not antisymmetric: " + what);
    } else {
      FUZZ_CHECK(date::sys_days(*r) < date::sys_days(d), "not before the start: " + what);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = domain::ParseCalendarToml(text, "fuzz.toml");
  fuzz::Note(parsed.ok() ? "parsed" : "refused: " + parsed.status().message());
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == Code::kInvalidArgument,
               "a bad calendar is not INVALID_ARGUMENT: " + parsed.status().message());
    return 0;
  }
  const domain::Calendar& cal = *parsed;
  for (int y : cal.Years()) {
    const domain::YearArrangement* a = cal.Year(y);
    FUZZ_CHECK(a != nullptr && a->year == y, "Year() does not give back a listed year");
    for (const auto& h : a->holidays) {
      for (auto d = date::sys_days(h.from); d <= date::sys_days(h.to); d += date::days(1)) {
        auto w = cal.IsWorkingDay(year_month_day(d));
        FUZZ_CHECK(w.ok() && !*w, "a holiday is a working day: " + h.name);
      }
      CheckSteps(cal, h.from);
    }
    for (const auto& wd : a->workdays) {
      auto w = cal.IsWorkingDay(wd);
      FUZZ_CHECK(w.ok() && *w, "an adjusted working day is a day off: " + domain::FormatDate(wd));
      CheckSteps(cal, wd);
    }
    const year_month_day jan1{date::year{y}, date::January, date::day{1}};
    const year_month_day dec31{date::year{y}, date::December, date::day{31}};
    CheckSteps(cal, jan1);
    CheckSteps(cal, dec31);
  }
  // Written back out, the same calendar.
  const std::string again_text = Emit(cal);
  auto again = domain::ParseCalendarToml(again_text, "emitted.toml");
  FUZZ_CHECK(again.ok(), "the calendar written back out does not parse: " +
                             again.status().message() + "\n" + again_text);
  FUZZ_CHECK(again->Years() == cal.Years(), "the years differ after a round trip");
  for (int y : cal.Years()) {
    const year_month_day jan1{date::year{y}, date::January, date::day{1}};
    for (auto d = date::sys_days(jan1); year_month_day(d).year() == date::year{y};
         d += date::days(1)) {
      auto a = cal.IsWorkingDay(year_month_day(d));
      auto b = again->IsWorkingDay(year_month_day(d));
      FUZZ_CHECK(a.ok() && b.ok() && *a == *b,
                 "working day differs after a round trip on " + domain::FormatDate(year_month_day(d)));
    }
  }
  return 0;
}
