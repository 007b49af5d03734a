#include "domain/remind_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "domain/dates.h"

namespace rectify::domain {
namespace {

using date::year_month_day;
using rectify::v1::Escalation;
using rectify::v1::Item;
using rectify::v1::State;
using TimePoint = std::chrono::system_clock::time_point;
using namespace date::literals;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr Escalation kNoEscalation = rectify::v1::ESCALATION_NONE;
constexpr Escalation kSupervision = rectify::v1::ESCALATION_SUPERVISION;
constexpr Escalation kAdmonition = rectify::v1::ESCALATION_ADMONITION;

// ---- fixtures -----------------------------------------------------------------------------------

const Calendar& Cal() {
  static const Calendar* calendar = new Calendar(DefaultCalendar());
  return *calendar;
}

// The shipped calendar cut down to the given years.
Calendar CalendarOf(std::vector<int> years) {
  std::vector<YearArrangement> arrangements;
  for (int y : years) arrangements.push_back(*Cal().Year(y));
  return *Calendar::FromYears(std::move(arrangements));
}

// Monday-Friday only, for the given years.
Calendar WeekdaysOnly(int from, int to) {
  std::vector<YearArrangement> years;
  for (int y = from; y <= to; ++y)
    years.push_back(YearArrangement{y, "test: weekdays only", {}, {}});
  return *Calendar::FromYears(std::move(years));
}

const date::time_zone* Shanghai() {
  static const date::time_zone* zone = date::locate_zone("Asia/Shanghai");
  return zone;
}

year_month_day AddDays(year_month_day day, int n) {
  return year_month_day{date::sys_days{day} + date::days{n}};
}

// hh:mm:ss on `day`, Shanghai wall clock.
TimePoint Local(year_month_day day, int h, int m = 0, int s = 0) {
  return *LocalStart(day, std::chrono::hours{h} + std::chrono::minutes{m}, Shanghai()) +
         std::chrono::seconds{s};
}

void Stamp(google::protobuf::Timestamp* ts, TimePoint t) {
  ts->set_seconds(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

constexpr year_month_day kAssigned = 2025_y / 9 / 1;

// An item with owner 张三, leader 李四 and verifier 王五, created three days before it was
// assigned (at 10:00) on `assigned`.
Item MakeItem(State state, const std::string& deadline,
              std::optional<year_month_day> assigned = kAssigned,
              std::optional<year_month_day> progress = std::nullopt,
              Escalation escalation = kNoEscalation) {
  Item item;
  item.set_id("2025-000042");
  item.set_state(state);
  item.set_deadline(deadline);
  item.set_owner("张三");
  item.set_leader("李四");
  item.set_verifier("王五");
  item.set_escalation(escalation);
  if (assigned) {
    Stamp(item.mutable_created_at(), Local(AddDays(*assigned, -3), 8));
    Stamp(item.mutable_assigned_at(), Local(*assigned, 10));
  }
  if (progress) Stamp(item.mutable_last_progress_at(), Local(*progress, 10));
  return item;
}

Item InProgress(const std::string& deadline, Escalation escalation = kNoEscalation) {
  return MakeItem(rectify::v1::STATE_IN_PROGRESS, deadline, kAssigned, std::nullopt, escalation);
}

// An in-progress item with no timestamps at all: it can never go stale.
Item Timeless(const std::string& deadline, Escalation escalation = kNoEscalation) {
  return MakeItem(rectify::v1::STATE_IN_PROGRESS, deadline, std::nullopt, std::nullopt, escalation);
}

// The defaults with staleness pushed out of the way (250 working days after 2025-09-01 is in
// September 2026), for the tests of the deadline and escalation rules.
ReminderRules NoStale() {
  ReminderRules rules;
  rules.stale_progress = 250;
  return rules;
}

const char* RulePrefixFor(ReminderKind kind) {
  switch (kind) {
    case ReminderKind::kBeforeDeadline:
      return "before-";
    case ReminderKind::kDeadlineDay:
      return "deadline-day";
    case ReminderKind::kOverdue:
      return "overdue";
    case ReminderKind::kSupervision:
      return "supervision";
    case ReminderKind::kAdmonition:
      return "admonition";
    case ReminderKind::kStaleProgress:
      return "stale";
  }
  return "?";
}

// "2025-10-17 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION late". Also checks what the
// tables leave out: `at` is `day` at `hour`, the kind matches the rule id, and only
// escalations carry a level; a mismatch shows up in the string.
std::string Describe(const Occurrence& o, int hour) {
  std::string s = FormatDate(o.day) + " " + o.rule + " d=" + std::to_string(o.days) + " ->";
  for (size_t i = 0; i < o.recipients.size(); ++i) s += (i ? "," : "") + o.recipients[i];
  if (o.escalation != kNoEscalation) s += " esc=" + rectify::v1::Escalation_Name(o.escalation);
  if (o.late) s += " late";
  if (o.at != Local(o.day, hour)) s += " BAD-AT";
  if (o.rule.rfind(RulePrefixFor(o.kind), 0) != 0) s += " BAD-KIND";
  const bool escalates =
      o.kind == ReminderKind::kSupervision || o.kind == ReminderKind::kAdmonition;
  if (escalates == (o.escalation == kNoEscalation)) s += " BAD-LEVEL";
  return s;
}

Result<PolicyResult> Eval(const Item& item, TimePoint since, TimePoint now,
                          const ReminderRules& rules = NoStale(),
                          const Calendar& calendar = Cal()) {
  return EvaluateReminders(item, since, now, Shanghai(), calendar, rules);
}

std::vector<std::string> Due(const Item& item, TimePoint since, TimePoint now,
                             const ReminderRules& rules = NoStale()) {
  Result<PolicyResult> r = Eval(item, since, now, rules);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> out;
  if (!r.ok()) return out;
  for (const Occurrence& o : r->due) out.push_back(Describe(o, rules.hour));
  return out;
}

std::optional<TimePoint> Next(const Item& item, TimePoint at,
                              const ReminderRules& rules = NoStale(),
                              const Calendar& calendar = Cal()) {
  Result<PolicyResult> r = Eval(item, at, at, rules, calendar);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->next : std::nullopt;
}

std::string Show(std::optional<TimePoint> t) {
  if (!t) return "never";
  return date::format("%F %T", date::make_zoned(Shanghai(), date::floor<std::chrono::seconds>(*t)));
}

// Runs the scheduler by hand: one evaluation a day at the reminder hour, each covering the day
// since the previous one, from `from` to `to`. Returns every occurrence fired. Also checks that
// `next` is exact: each evaluation's `next` is the hour of the next day that fires.
std::vector<std::string> DailyRun(const Item& item, year_month_day from, year_month_day to,
                                  const ReminderRules& rules = NoStale()) {
  std::vector<std::string> fired;
  std::optional<TimePoint> predicted;
  bool have_prediction = false;
  for (year_month_day day = from; day <= to; day = AddDays(day, 1)) {
    const TimePoint since = Local(AddDays(day, -1), rules.hour);
    const TimePoint now = Local(day, rules.hour);
    Result<PolicyResult> r = Eval(item, since, now, rules);
    EXPECT_TRUE(r.ok()) << FormatDate(day) << ": " << r.status().ToString();
    if (!r.ok()) return fired;
    if (have_prediction) {
      if (r->due.empty()) {
        EXPECT_TRUE(!predicted || *predicted > now)
            << FormatDate(day) << ": next was " << Show(predicted) << " but nothing fired";
      } else {
        EXPECT_EQ(Show(predicted), Show(now)) << FormatDate(day) << " fired; next disagreed";
      }
    }
    predicted = r->next;
    have_prediction = true;
    for (const Occurrence& o : r->due) fired.push_back(Describe(o, rules.hour));
  }
  return fired;
}

// ---- names and rules ----------------------------------------------------------------------------

TEST(ReminderKindName, NamesEveryKind) {
  const std::vector<std::pair<ReminderKind, std::string_view>> cases = {
      {ReminderKind::kBeforeDeadline, "before_deadline"},
      {ReminderKind::kDeadlineDay, "deadline_day"},
      {ReminderKind::kOverdue, "overdue"},
      {ReminderKind::kSupervision, "supervision"},
      {ReminderKind::kAdmonition, "admonition"},
      {ReminderKind::kStaleProgress, "stale_progress"},
  };
  for (const auto& [kind, name] : cases) EXPECT_EQ(ReminderKindName(kind), name);
}

TEST(ValidateReminderRules, AcceptsTheDefaultsAndTheEdges) {
  EXPECT_TRUE(ValidateReminderRules({}).ok());
  ReminderRules edges;
  edges.hour = 0;
  edges.before_working_days = {};
  edges.supervision_after = 0;
  edges.admonition_after = 1;
  edges.stale_progress = 1;
  EXPECT_TRUE(ValidateReminderRules(edges).ok()) << ValidateReminderRules(edges).ToString();
  edges.hour = 23;
  edges.before_working_days = {kMaxReminderRuleDays, 1};
  edges.admonition_after = kMaxReminderRuleDays;
  edges.stale_progress = kMaxReminderRuleDays;
  EXPECT_TRUE(ValidateReminderRules(edges).ok()) << ValidateReminderRules(edges).ToString();
}

TEST(ValidateReminderRules, RejectsEachBadField) {
  struct Case {
    void (*edit)(ReminderRules&);
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](ReminderRules& r) { r.hour = -1; }, "hour"},
      {[](ReminderRules& r) { r.hour = 24; }, "hour"},
      {[](ReminderRules& r) {
         r.before_working_days = {5, 0};
       },
       "before_working_days"},
      {[](ReminderRules& r) { r.before_working_days = {-1}; }, "before_working_days"},
      {[](ReminderRules& r) { r.before_working_days = {251}; }, "before_working_days"},
      {[](ReminderRules& r) {
         r.before_working_days = {5, 1, 5};
       },
       "before_working_days"},
      {[](ReminderRules& r) { r.supervision_after = -1; }, "supervision_after"},
      {[](ReminderRules& r) { r.admonition_after = 251; }, "admonition_after"},
      {[](ReminderRules& r) { r.admonition_after = 5; }, "admonition_after"},
      {[](ReminderRules& r) { r.admonition_after = 4; }, "admonition_after"},
      {[](ReminderRules& r) { r.stale_progress = 0; }, "stale_progress"},
      {[](ReminderRules& r) { r.stale_progress = 251; }, "stale_progress"},
  };
  for (const Case& c : cases) {
    ReminderRules rules;
    c.edit(rules);
    const Status st = ValidateReminderRules(rules);
    EXPECT_EQ(st.code(), Code::kInvalidArgument) << c.field;
    EXPECT_THAT(st.message(), HasSubstr(c.field));
    // And the policy refuses to run on them.
    Result<PolicyResult> r = Eval(InProgress("2025-10-10"), Local(2025_y / 10 / 9, 12),
                                  Local(2025_y / 10 / 10, 12), rules);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.field;
  }
}

// ---- the schedule, day by day -------------------------------------------------------------------

TEST(RemindPolicy, CalendarAroundNationalDay2025) {
  // The days the schedule below relies on, straight from the calendar: 10-01..10-08 off,
  // Sunday 09-28 and Saturday 10-11 worked.
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 10, -5), 2025_y / 9 / 26);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 10, -4), 2025_y / 9 / 28);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 10, -1), 2025_y / 10 / 9);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 10, 1), 2025_y / 10 / 11);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 10, 6), 2025_y / 10 / 17);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 10, 11), 2025_y / 10 / 24);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 3, -1), 2025_y / 9 / 30);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 10 / 3, -5), 2025_y / 9 / 25);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 9 / 25, 10), 2025_y / 10 / 15);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 9 / 25, 20), 2025_y / 10 / 29);
}

TEST(RemindPolicy, DeadlineScheduleAcrossNationalDay) {
  // Deadline Friday 2025-10-10. before-5 is 09-26, not 09-30: Sunday 09-28 is worked, the
  // holiday is not. Overdue from Saturday 10-11 (worked); more than 5 overdue on 10-17 (督办),
  // more than 10 on 10-24 (约谈), each once, next to that day's overdue reminder.
  EXPECT_EQ(DailyRun(InProgress("2025-10-10"), 2025_y / 9 / 15, 2025_y / 10 / 31),
            (std::vector<std::string>{
                "2025-09-26 before-5 d=5 ->张三",
                "2025-10-09 before-1 d=1 ->张三",
                "2025-10-10 deadline-day d=0 ->张三,李四",
                "2025-10-11 overdue d=1 ->张三,李四",
                "2025-10-13 overdue d=2 ->张三,李四",
                "2025-10-14 overdue d=3 ->张三,李四",
                "2025-10-15 overdue d=4 ->张三,李四",
                "2025-10-16 overdue d=5 ->张三,李四",
                "2025-10-17 overdue d=6 ->张三,李四",
                "2025-10-17 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION",
                "2025-10-20 overdue d=7 ->张三,李四",
                "2025-10-21 overdue d=8 ->张三,李四",
                "2025-10-22 overdue d=9 ->张三,李四",
                "2025-10-23 overdue d=10 ->张三,李四",
                "2025-10-24 overdue d=11 ->张三,李四",
                "2025-10-24 admonition d=11 ->王五,李四 esc=ESCALATION_ADMONITION",
                "2025-10-27 overdue d=12 ->张三,李四",
                "2025-10-28 overdue d=13 ->张三,李四",
                "2025-10-29 overdue d=14 ->张三,李四",
                "2025-10-30 overdue d=15 ->张三,李四",
                "2025-10-31 overdue d=16 ->张三,李四",
            }));
}

TEST(RemindPolicy, DeadlineOnAHoliday) {
  // Friday 2025-10-03 is a holiday. The deadline-day reminder moves to the last working day
  // before it (09-30) and replaces before-1 there. before-5 is 09-25, with 4 working days left
  // after it (the deadline itself is not one). Overdue counts from the first working day after.
  EXPECT_EQ(DailyRun(InProgress("2025-10-03"), 2025_y / 9 / 20, 2025_y / 10 / 22),
            (std::vector<std::string>{
                "2025-09-25 before-5 d=4 ->张三",
                "2025-09-30 deadline-day d=0 ->张三,李四",
                "2025-10-09 overdue d=1 ->张三,李四",
                "2025-10-10 overdue d=2 ->张三,李四",
                "2025-10-11 overdue d=3 ->张三,李四",
                "2025-10-13 overdue d=4 ->张三,李四",
                "2025-10-14 overdue d=5 ->张三,李四",
                "2025-10-15 overdue d=6 ->张三,李四",
                "2025-10-15 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION",
                "2025-10-16 overdue d=7 ->张三,李四",
                "2025-10-17 overdue d=8 ->张三,李四",
                "2025-10-20 overdue d=9 ->张三,李四",
                "2025-10-21 overdue d=10 ->张三,李四",
                "2025-10-22 overdue d=11 ->张三,李四",
                "2025-10-22 admonition d=11 ->王五,李四 esc=ESCALATION_ADMONITION",
            }));
}

TEST(RemindPolicy, DeadlineOnAWeekend) {
  // Saturday 2025-03-15, no holidays near: deadline day on Friday, overdue from Monday.
  EXPECT_EQ(DailyRun(MakeItem(rectify::v1::STATE_ASSIGNED, "2025-03-15", 2025_y / 3 / 1),
                     2025_y / 3 / 3, 2025_y / 3 / 18),
            (std::vector<std::string>{
                "2025-03-10 before-5 d=4 ->张三",
                "2025-03-14 deadline-day d=0 ->张三,李四",
                "2025-03-17 overdue d=1 ->张三,李四",
                "2025-03-18 overdue d=2 ->张三,李四",
            }));
}

TEST(RemindPolicy, DeadlineOnAnAdjustedWorkingDay) {
  // Sunday 2025-09-28 is worked: the deadline day is the deadline itself.
  EXPECT_EQ(DailyRun(InProgress("2025-09-28"), 2025_y / 9 / 15, 2025_y / 10 / 9),
            (std::vector<std::string>{
                "2025-09-22 before-5 d=5 ->张三",
                "2025-09-26 before-1 d=1 ->张三",
                "2025-09-28 deadline-day d=0 ->张三,李四",
                "2025-09-29 overdue d=1 ->张三,李四",
                "2025-09-30 overdue d=2 ->张三,李四",
                "2025-10-09 overdue d=3 ->张三,李四",
            }));
}

TEST(RemindPolicy, EachRuleFiresAtTheHourOnTheDot) {
  struct Case {
    const char* what;
    Item item;
    year_month_day day;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"before-5", InProgress("2025-10-10"), 2025_y / 9 / 26, {"2025-09-26 before-5 d=5 ->张三"}},
      {"before-1", InProgress("2025-10-10"), 2025_y / 10 / 9, {"2025-10-09 before-1 d=1 ->张三"}},
      {"deadline day",
       InProgress("2025-10-10"),
       2025_y / 10 / 10,
       {"2025-10-10 deadline-day d=0 ->张三,李四"}},
      {"first overdue, an adjusted Saturday",
       InProgress("2025-10-10"),
       2025_y / 10 / 11,
       {"2025-10-11 overdue d=1 ->张三,李四"}},
      {"supervision",
       InProgress("2025-10-10"),
       2025_y / 10 / 17,
       {"2025-10-17 overdue d=6 ->张三,李四",
        "2025-10-17 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION"}},
      {"admonition",
       InProgress("2025-10-10"),
       2025_y / 10 / 24,
       {"2025-10-24 overdue d=11 ->张三,李四",
        "2025-10-24 admonition d=11 ->王五,李四 esc=ESCALATION_ADMONITION"}},
      {"stale",
       MakeItem(rectify::v1::STATE_IN_PROGRESS, "", kAssigned, 2025_y / 9 / 25),
       2025_y / 10 / 15,
       {"2025-10-15 stale d=10 ->张三,李四"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    // Staleness only where the case is about it (the deadline cases' item, assigned 09-01, is
    // 30 working days stale on 10-17).
    const ReminderRules rules = c.item.deadline().empty() ? ReminderRules{} : NoStale();
    const TimePoint since = Local(AddDays(c.day, -1), 12);
    // 08:59:59: not yet; and the next instant is exactly 09:00:00.
    Result<PolicyResult> early = Eval(c.item, since, Local(c.day, 8, 59, 59), rules);
    ASSERT_TRUE(early.ok()) << early.status().ToString();
    EXPECT_TRUE(early->due.empty());
    EXPECT_EQ(Show(early->next), Show(Local(c.day, 9)));
    // 09:00:00: due, and not late.
    EXPECT_EQ(Due(c.item, since, Local(c.day, 9), rules), c.want);
    // A window that opens at 09:00:00 itself does not contain it (since < t <= now).
    EXPECT_TRUE(Due(c.item, Local(c.day, 9), Local(c.day, 18), rules).empty());
  }
}

TEST(RemindPolicy, TheHourIsConfigurable) {
  ReminderRules rules = NoStale();
  rules.hour = 14;
  const Item item = InProgress("2025-10-10");
  const year_month_day day = 2025_y / 10 / 9;
  EXPECT_TRUE(Due(item, Local(day, 9), Local(day, 13, 59, 59), rules).empty());
  EXPECT_EQ(Due(item, Local(day, 9), Local(day, 14), rules),
            std::vector<std::string>{"2025-10-09 before-1 d=1 ->张三"});
  EXPECT_EQ(Show(Next(item, Local(day, 9), rules)), Show(Local(day, 14)));
}

TEST(RemindPolicy, BeforeRemindersNeverPrecedeTheAssignment) {
  struct Case {
    const char* what;
    Item item;
    std::vector<std::string> want;  // 09-20 .. 10-11
  };
  Item created_only = InProgress("2025-10-10");
  created_only.clear_assigned_at();
  Stamp(created_only.mutable_created_at(), Local(2025_y / 9 / 27, 10));
  const std::vector<Case> cases = {
      {"assigned the day after before-5",
       MakeItem(rectify::v1::STATE_ASSIGNED, "2025-10-10", 2025_y / 9 / 27),
       {"2025-10-09 before-1 d=1 ->张三", "2025-10-10 deadline-day d=0 ->张三,李四",
        "2025-10-11 overdue d=1 ->张三,李四"}},
      {"assigned on the before-5 day",
       MakeItem(rectify::v1::STATE_ASSIGNED, "2025-10-10", 2025_y / 9 / 26),
       {"2025-09-26 before-5 d=5 ->张三", "2025-10-09 before-1 d=1 ->张三",
        "2025-10-10 deadline-day d=0 ->张三,李四", "2025-10-11 overdue d=1 ->张三,李四"}},
      {"no assigned_at: the creation date bounds it",
       created_only,
       {"2025-10-09 before-1 d=1 ->张三", "2025-10-10 deadline-day d=0 ->张三,李四",
        "2025-10-11 overdue d=1 ->张三,李四"}},
      {"assigned after before-1: the floor is for before-N only",
       MakeItem(rectify::v1::STATE_ASSIGNED, "2025-10-10", 2025_y / 10 / 10),
       {"2025-10-10 deadline-day d=0 ->张三,李四", "2025-10-11 overdue d=1 ->张三,李四"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(DailyRun(c.item, 2025_y / 9 / 20, 2025_y / 10 / 11), c.want);
  }
}

TEST(RemindPolicy, RuleSwitchesAndCounts) {
  struct Case {
    const char* what;
    void (*edit)(ReminderRules&);
    const char* deadline;
    year_month_day to;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"no deadline-day reminder: before-1 takes the last working day before a holiday",
       [](ReminderRules& r) { r.deadline_day = false; },
       "2025-10-03",
       2025_y / 10 / 9,
       {"2025-09-25 before-5 d=4 ->张三", "2025-09-30 before-1 d=0 ->张三",
        "2025-10-09 overdue d=1 ->张三,李四"}},
      {"no deadline-day reminder on a working deadline: nothing that day",
       [](ReminderRules& r) { r.deadline_day = false; },
       "2025-10-10",
       2025_y / 10 / 11,
       {"2025-09-26 before-5 d=5 ->张三", "2025-10-09 before-1 d=1 ->张三",
        "2025-10-11 overdue d=1 ->张三,李四"}},
      {"no daily overdue: the escalations still come",
       [](ReminderRules& r) { r.overdue_daily = false; },
       "2025-10-10",
       2025_y / 10 / 31,
       {"2025-09-26 before-5 d=5 ->张三", "2025-10-09 before-1 d=1 ->张三",
        "2025-10-10 deadline-day d=0 ->张三,李四",
        "2025-10-17 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION",
        "2025-10-24 admonition d=11 ->王五,李四 esc=ESCALATION_ADMONITION"}},
      {"other before days, other thresholds",
       [](ReminderRules& r) {
         r.before_working_days = {3};
         r.supervision_after = 0;
         r.admonition_after = 2;
       },
       "2025-10-10",
       2025_y / 10 / 14,
       {"2025-09-29 before-3 d=3 ->张三", "2025-10-10 deadline-day d=0 ->张三,李四",
        "2025-10-11 overdue d=1 ->张三,李四",
        "2025-10-11 supervision d=1 ->王五,李四 esc=ESCALATION_SUPERVISION",
        "2025-10-13 overdue d=2 ->张三,李四", "2025-10-14 overdue d=3 ->张三,李四",
        "2025-10-14 admonition d=3 ->王五,李四 esc=ESCALATION_ADMONITION"}},
      {"no before reminders at all",
       [](ReminderRules& r) { r.before_working_days = {}; },
       "2025-10-03",
       2025_y / 10 / 9,
       {"2025-09-30 deadline-day d=0 ->张三,李四", "2025-10-09 overdue d=1 ->张三,李四"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ReminderRules rules = NoStale();
    c.edit(rules);
    EXPECT_EQ(DailyRun(InProgress(c.deadline), 2025_y / 9 / 15, c.to, rules), c.want);
  }
}

// ---- windows ------------------------------------------------------------------------------------

TEST(RemindPolicy, ClockMovedBack) {
  const Item item = InProgress("2025-10-10");
  const TimePoint since = Local(2025_y / 10 / 13, 9, 30);
  // now before since: nothing, though 10-10 and 10-11 lie between; next counts from since.
  Result<PolicyResult> back = Eval(item, since, Local(2025_y / 10 / 10, 10));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->due.empty());
  EXPECT_EQ(Show(back->next), Show(Local(2025_y / 10 / 14, 9)));
  // now == since: an empty window.
  Result<PolicyResult> same = Eval(item, since, since);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->due.empty());
  EXPECT_EQ(Show(same->next), Show(Local(2025_y / 10 / 14, 9)));
}

TEST(RemindPolicy, DowntimeCollapsesEachFamilyToItsLatest) {
  struct Case {
    const char* what;
    Escalation recorded;
    TimePoint since;
    TimePoint now;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {"three days down, back before the hour: one late overdue",
       kNoEscalation,
       Local(2025_y / 10 / 13, 9, 30),
       Local(2025_y / 10 / 16, 8),
       {"2025-10-15 overdue d=4 ->张三,李四 late"}},
      {"three days down, back after the hour: today's, not late",
       kNoEscalation,
       Local(2025_y / 10 / 13, 9, 30),
       Local(2025_y / 10 / 16, 9),
       {"2025-10-16 overdue d=5 ->张三,李四"}},
      {"before-1, deadline day and overdue missed: the overdue wins",
       kNoEscalation,
       Local(2025_y / 10 / 8, 12),
       Local(2025_y / 10 / 13, 12),
       {"2025-10-13 overdue d=2 ->张三,李四"}},
      {"before-5 and before-1: before-1",
       kNoEscalation,
       Local(2025_y / 9 / 20, 12),
       Local(2025_y / 10 / 9, 12),
       {"2025-10-09 before-1 d=1 ->张三"}},
      {"down from before-5 to the holiday's end: before-5, days back",
       kNoEscalation,
       Local(2025_y / 9 / 20, 12),
       Local(2025_y / 10 / 8, 12),
       {"2025-09-26 before-5 d=5 ->张三 late"}},
      {"down over the holiday",
       kNoEscalation,
       Local(2025_y / 9 / 29, 12),
       Local(2025_y / 10 / 10, 8),
       {"2025-10-09 before-1 d=1 ->张三 late"}},
      {"down over the weekend after supervision day",
       kNoEscalation,
       Local(2025_y / 10 / 16, 10),
       Local(2025_y / 10 / 20, 8),
       {"2025-10-17 overdue d=6 ->张三,李四 late",
        "2025-10-17 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION late"}},
      {"both escalations missed: only the highest",
       kNoEscalation,
       Local(2025_y / 10 / 16, 10),
       Local(2025_y / 10 / 27, 10),
       {"2025-10-24 admonition d=11 ->王五,李四 esc=ESCALATION_ADMONITION late",
        "2025-10-27 overdue d=12 ->张三,李四"}},
      {"never evaluated before (since = epoch)",
       kNoEscalation,
       TimePoint{},
       Local(2025_y / 10 / 13, 12),
       {"2025-10-13 overdue d=2 ->张三,李四"}},
      // item.escalation already recorded.
      {"supervision recorded: not again",
       kSupervision,
       Local(2025_y / 10 / 16, 10),
       Local(2025_y / 10 / 20, 8),
       {"2025-10-17 overdue d=6 ->张三,李四 late"}},
      {"supervision recorded: admonition still comes",
       kSupervision,
       Local(2025_y / 10 / 16, 10),
       Local(2025_y / 10 / 27, 10),
       {"2025-10-24 admonition d=11 ->王五,李四 esc=ESCALATION_ADMONITION late",
        "2025-10-27 overdue d=12 ->张三,李四"}},
      {"admonition recorded: no escalation at all",
       kAdmonition,
       Local(2025_y / 10 / 16, 10),
       Local(2025_y / 10 / 27, 10),
       {"2025-10-27 overdue d=12 ->张三,李四"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(Due(InProgress("2025-10-10", c.recorded), c.since, c.now), c.want);
  }
}

TEST(RemindPolicy, EscalationAlreadyRecordedOnTheDay) {
  struct Case {
    Escalation recorded;
    year_month_day day;
    std::vector<std::string> want;
  };
  const std::vector<Case> cases = {
      {kSupervision, 2025_y / 10 / 17, {"2025-10-17 overdue d=6 ->张三,李四"}},
      {kAdmonition, 2025_y / 10 / 17, {"2025-10-17 overdue d=6 ->张三,李四"}},
      {kSupervision,
       2025_y / 10 / 24,
       {"2025-10-24 overdue d=11 ->张三,李四",
        "2025-10-24 admonition d=11 ->王五,李四 esc=ESCALATION_ADMONITION"}},
      {kAdmonition, 2025_y / 10 / 24, {"2025-10-24 overdue d=11 ->张三,李四"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(rectify::v1::Escalation_Name(c.recorded) + " on " + FormatDate(c.day));
    EXPECT_EQ(
        Due(InProgress("2025-10-10", c.recorded), Local(AddDays(c.day, -1), 12), Local(c.day, 12)),
        c.want);
  }
}

TEST(RemindPolicy, AWindowLongerThanTheLookBackSeesOnlyItsEnd) {
  // Weekdays only, 2020-2025. Without daily overdue, with both escalations recorded and nothing
  // to go stale from, the deadline day 2021-03-01 is the item's last occurrence ever.
  const Calendar calendar = WeekdaysOnly(2020, 2025);
  ReminderRules rules = NoStale();
  rules.overdue_daily = false;
  const Item item = Timeless("2021-03-01", kAdmonition);
  const TimePoint since = Local(2021_y / 1 / 1, 12);
  auto due_until = [&](year_month_day day) {
    Result<PolicyResult> r = Eval(item, since, Local(day, 12), rules, calendar);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const Occurrence& o : r->due) out.push_back(Describe(o, rules.hour));
    }
    return out;
  };
  const year_month_day last_seen = AddDays(2021_y / 3 / 1, kReminderLookBackDays - 1);
  EXPECT_EQ(due_until(last_seen),
            std::vector<std::string>{"2021-03-01 deadline-day d=0 ->张三,李四 late"});
  EXPECT_TRUE(due_until(AddDays(last_seen, 1)).empty());
}

// ---- staleness ----------------------------------------------------------------------------------

TEST(RemindPolicy, StaleRepeatsEveryPeriod) {
  // Progress on 2025-09-25; 10 working days later is 10-15 (the holiday does not count), then
  // every 10 working days again.
  const Item item = MakeItem(rectify::v1::STATE_IN_PROGRESS, "", kAssigned, 2025_y / 9 / 25);
  EXPECT_EQ(DailyRun(item, 2025_y / 9 / 25, 2025_y / 11 / 14, ReminderRules{}),
            (std::vector<std::string>{
                "2025-10-15 stale d=10 ->张三,李四",
                "2025-10-29 stale d=20 ->张三,李四",
                "2025-11-12 stale d=30 ->张三,李四",
            }));
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 9 / 25, 30), 2025_y / 11 / 12);
  // Collapsed after downtime: the latest only, late.
  EXPECT_EQ(Due(item, Local(2025_y / 10 / 1, 12), Local(2025_y / 11 / 3, 12), ReminderRules{}),
            std::vector<std::string>{"2025-10-29 stale d=20 ->张三,李四 late"});
}

TEST(RemindPolicy, StaleCountsFromTheLastActivity) {
  struct Case {
    const char* what;
    Item item;
    std::vector<std::string> want;
  };
  Item created_only = MakeItem(rectify::v1::STATE_ASSIGNED, "", std::nullopt);
  Stamp(created_only.mutable_created_at(), Local(2025_y / 3 / 3, 10));
  const std::vector<Case> cases = {
      {"assigned, no progress: from the assignment",
       MakeItem(rectify::v1::STATE_ASSIGNED, "", 2025_y / 3 / 3),
       {"2025-03-17 stale d=10 ->张三,李四", "2025-03-31 stale d=20 ->张三,李四"}},
      {"progress moves it",
       MakeItem(rectify::v1::STATE_IN_PROGRESS, "", 2025_y / 3 / 3, 2025_y / 3 / 12),
       {"2025-03-26 stale d=10 ->张三,李四"}},
      {"only created_at",
       created_only,
       {"2025-03-17 stale d=10 ->张三,李四", "2025-03-31 stale d=20 ->张三,李四"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(DailyRun(c.item, 2025_y / 3 / 3, 2025_y / 4 / 2, ReminderRules{}), c.want);
  }
}

TEST(RemindPolicy, FamiliesFireSideBySide) {
  // Overdue, supervision and stale all on 10-17: three occurrences, in kind order.
  const Item item =
      MakeItem(rectify::v1::STATE_IN_PROGRESS, "2025-10-10", kAssigned, 2025_y / 9 / 28);
  EXPECT_EQ(*Cal().AddWorkingDays(2025_y / 9 / 28, 10), 2025_y / 10 / 17);
  EXPECT_EQ(Due(item, Local(2025_y / 10 / 16, 12), Local(2025_y / 10 / 17, 12), ReminderRules{}),
            (std::vector<std::string>{
                "2025-10-17 overdue d=6 ->张三,李四",
                "2025-10-17 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION",
                "2025-10-17 stale d=10 ->张三,李四",
            }));
  // After downtime, each family keeps its own latest.
  EXPECT_EQ(Due(item, Local(2025_y / 10 / 13, 12), Local(2025_y / 10 / 20, 8), ReminderRules{}),
            (std::vector<std::string>{
                "2025-10-17 overdue d=6 ->张三,李四 late",
                "2025-10-17 supervision d=6 ->王五,李四 esc=ESCALATION_SUPERVISION late",
                "2025-10-17 stale d=10 ->张三,李四 late",
            }));
}

// ---- states -------------------------------------------------------------------------------------

TEST(RemindPolicy, OnlyAssignedAndInProgressGetReminders) {
  struct Case {
    State state;
    bool gets;
  };
  const std::vector<Case> cases = {
      {rectify::v1::STATE_DRAFT, false},      {rectify::v1::STATE_ASSIGNED, true},
      {rectify::v1::STATE_IN_PROGRESS, true}, {rectify::v1::STATE_SUBMITTED, false},
      {rectify::v1::STATE_ENDORSED, false},   {rectify::v1::STATE_LONG_TERM, false},
      {rectify::v1::STATE_CLOSED, false},     {rectify::v1::STATE_CANCELLED, false},
  };
  const Calendar empty;  // states without reminders never look at the calendar
  for (const Case& c : cases) {
    SCOPED_TRACE(rectify::v1::State_Name(c.state));
    // On 10-17: overdue by 6 (supervision), and 30 working days since progress on 09-01.
    const Item item = MakeItem(c.state, "2025-10-10", kAssigned, 2025_y / 9 / 1);
    Result<PolicyResult> r = Eval(item, Local(2025_y / 10 / 16, 12), Local(2025_y / 10 / 17, 12),
                                  ReminderRules{}, c.gets ? Cal() : empty);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->due.size(), c.gets ? 3u : 0u);
    EXPECT_EQ(r->next.has_value(), c.gets);
  }
  Result<PolicyResult> unset = Eval(MakeItem(rectify::v1::STATE_UNSPECIFIED, "2025-10-10"),
                                    Local(2025_y / 10 / 16, 12), Local(2025_y / 10 / 17, 12));
  EXPECT_EQ(unset.status().code(), Code::kInvalidArgument);
}

TEST(RemindPolicy, NoDeadlineMeansOnlyStale) {
  const Item item = MakeItem(rectify::v1::STATE_IN_PROGRESS, "", kAssigned, 2025_y / 9 / 25);
  EXPECT_EQ(DailyRun(item, 2025_y / 9 / 20, 2025_y / 10 / 20),
            std::vector<std::string>{});  // NoStale: nothing at all
  EXPECT_EQ(Show(Next(item, Local(2025_y / 9 / 25, 12), ReminderRules{})),
            Show(Local(2025_y / 10 / 15, 9)));
  // Nothing to go stale from either: never.
  EXPECT_EQ(Show(Next(Timeless(""), Local(2025_y / 9 / 25, 12), ReminderRules{})), "never");
}

// ---- next ---------------------------------------------------------------------------------------

TEST(RemindPolicy, NextFireTime) {
  ReminderRules no_overdue = NoStale();
  no_overdue.overdue_daily = false;
  ReminderRules defaults;
  struct Case {
    const char* what;
    Item item;
    ReminderRules rules;
    TimePoint at;
    std::optional<TimePoint> want;
  };
  const std::vector<Case> cases = {
      {"before-5 ahead", InProgress("2025-10-10"), NoStale(), Local(2025_y / 9 / 20, 12),
       Local(2025_y / 9 / 26, 9)},
      {"a second before the hour", InProgress("2025-10-10"), NoStale(),
       Local(2025_y / 9 / 26, 8, 59, 59), Local(2025_y / 9 / 26, 9)},
      {"at the hour: strictly later, over the holiday", InProgress("2025-10-10"), NoStale(),
       Local(2025_y / 9 / 26, 9), Local(2025_y / 10 / 9, 9)},
      {"deadline day", InProgress("2025-10-10"), NoStale(), Local(2025_y / 10 / 9, 9),
       Local(2025_y / 10 / 10, 9)},
      {"first overdue on the adjusted Saturday", InProgress("2025-10-10"), NoStale(),
       Local(2025_y / 10 / 10, 9), Local(2025_y / 10 / 11, 9)},
      {"overdue skips Sunday", InProgress("2025-10-10"), NoStale(), Local(2025_y / 10 / 11, 9),
       Local(2025_y / 10 / 13, 9)},
      {"holiday deadline: deadline day before it", InProgress("2025-10-03"), NoStale(),
       Local(2025_y / 9 / 26, 10), Local(2025_y / 9 / 30, 9)},
      {"holiday deadline: overdue after it", InProgress("2025-10-03"), NoStale(),
       Local(2025_y / 9 / 30, 10), Local(2025_y / 10 / 9, 9)},
      {"before-5 skipped before assignment",
       MakeItem(rectify::v1::STATE_ASSIGNED, "2025-10-10", 2025_y / 9 / 27), NoStale(),
       Local(2025_y / 9 / 27, 12), Local(2025_y / 10 / 9, 9)},
      {"no daily overdue: supervision", InProgress("2025-10-10"), no_overdue,
       Local(2025_y / 10 / 10, 10), Local(2025_y / 10 / 17, 9)},
      {"no daily overdue, supervision recorded: admonition", InProgress("2025-10-10", kSupervision),
       no_overdue, Local(2025_y / 10 / 10, 10), Local(2025_y / 10 / 24, 9)},
      {"no daily overdue, past admonition, not stale-able: never", Timeless("2025-10-10"),
       no_overdue, Local(2025_y / 10 / 24, 10), std::nullopt},
      {"no daily overdue, admonition recorded, not stale-able: never",
       Timeless("2025-10-10", kAdmonition), no_overdue, Local(2025_y / 10 / 11, 10), std::nullopt},
      {"no daily overdue, admonition recorded: the next stale day",
       MakeItem(rectify::v1::STATE_IN_PROGRESS, "2025-10-10", kAssigned, 2025_y / 9 / 25,
                kAdmonition),
       [] {
         ReminderRules r;
         r.overdue_daily = false;
         return r;
       }(),
       Local(2025_y / 10 / 11, 10), Local(2025_y / 10 / 15, 9)},
      {"stale first, deadline later",
       MakeItem(rectify::v1::STATE_IN_PROGRESS, "2025-12-31", kAssigned, 2025_y / 9 / 25), defaults,
       Local(2025_y / 9 / 25, 12), Local(2025_y / 10 / 15, 9)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(Show(Next(c.item, c.at, c.rules)), Show(c.want));
  }
}

TEST(RemindPolicy, NextLooksAheadTwoYearsThenRechecks) {
  // Nothing to go stale from, and a deadline three years out: nothing within the look-ahead,
  // so `next` is a re-check at its end, not "never" and not a scan of years on end.
  const Calendar calendar = WeekdaysOnly(2025, 2028);
  const Item item = Timeless("2028-06-01");
  const TimePoint at = Local(2025_y / 6 / 2, 10);  // a Monday, after the hour
  const year_month_day end = AddDays(2025_y / 6 / 3, kReminderLookAheadDays);
  EXPECT_EQ(Show(Next(item, at, NoStale(), calendar)), Show(Local(end, 9)));
  // Within reach, the real day: before-5 of 2027-05-07 (a Friday) is 2027-04-30.
  EXPECT_EQ(Show(Next(Timeless("2027-05-07"), at, NoStale(), calendar)),
            Show(Local(2027_y / 4 / 30, 9)));
}

// ---- calendar years -----------------------------------------------------------------------------

TEST(RemindPolicy, MissingCalendarYearIsAnErrorOnlyWhenNeeded) {
  const Calendar only2025 = CalendarOf({2025});
  ReminderRules rules;
  struct Case {
    const char* what;
    Item item;
    TimePoint since;
    TimePoint now;
    const char* missing;  // nullptr: succeeds
  };
  const std::vector<Case> cases = {
      {"deadline early in 2026: before-5 of it needs 2026", InProgress("2026-01-09"),
       Local(2025_y / 12 / 29, 12), Local(2025_y / 12 / 30, 12), "2026"},
      {"overdue since 2024: the days overdue need 2024", InProgress("2024-12-20"),
       Local(2025_y / 1 / 9, 12), Local(2025_y / 1 / 10, 12), "2024"},
      {"stale day falls in 2026",
       MakeItem(rectify::v1::STATE_IN_PROGRESS, "", kAssigned, 2025_y / 12 / 25),
       Local(2025_y / 12 / 25, 12), Local(2025_y / 12 / 26, 12), "2026"},
      {"all of it in 2025", InProgress("2025-06-10"), Local(2025_y / 6 / 2, 12),
       Local(2025_y / 6 / 3, 12), nullptr},
      {"deadline in 2027, but the next stale day is in 2025",
       MakeItem(rectify::v1::STATE_IN_PROGRESS, "2027-05-07", 2025_y / 3 / 3),
       Local(2025_y / 3 / 4, 12), Local(2025_y / 3 / 5, 12), nullptr},
      {"deadline in 2026, stale on 12-24: the before-5 check on 12-24 stops at 12-31",
       MakeItem(rectify::v1::STATE_IN_PROGRESS, "2026-06-01", kAssigned, 2025_y / 12 / 10),
       Local(2025_y / 12 / 22, 12), Local(2025_y / 12 / 23, 12), nullptr},
      {"a window from 1970", MakeItem(rectify::v1::STATE_IN_PROGRESS, "", 2025_y / 3 / 3),
       TimePoint{}, Local(2025_y / 3 / 5, 12), nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Result<PolicyResult> r = Eval(c.item, c.since, c.now, rules, only2025);
    if (c.missing == nullptr) {
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    } else {
      EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().ToString();
      EXPECT_THAT(r.status().message(), HasSubstr(c.missing));
    }
  }
  // The ones that succeed give the same answers as with the full calendar.
  EXPECT_EQ(
      Show(Next(MakeItem(rectify::v1::STATE_IN_PROGRESS, "2026-06-01", kAssigned, 2025_y / 12 / 10),
                Local(2025_y / 12 / 23, 12), rules, only2025)),
      Show(Local(2025_y / 12 / 24, 9)));
  EXPECT_EQ(Show(Next(MakeItem(rectify::v1::STATE_IN_PROGRESS, "2027-05-07", 2025_y / 3 / 3),
                      Local(2025_y / 3 / 5, 12), rules, only2025)),
            Show(Local(2025_y / 3 / 17, 9)));
}

// ---- recipients and bad input -------------------------------------------------------------------

TEST(RemindPolicy, RecipientsAreDeduplicatedAndNeverEmptyNames) {
  struct Case {
    const char* owner;
    const char* leader;
    const char* verifier;
    std::vector<std::string> want;  // overdue and supervision on 10-17
  };
  const std::vector<Case> cases = {
      {"张三",
       "张三",
       "王五",
       {"2025-10-17 overdue d=6 ->张三",
        "2025-10-17 supervision d=6 ->王五,张三 esc=ESCALATION_SUPERVISION"}},
      {"张三",
       "李四",
       "李四",
       {"2025-10-17 overdue d=6 ->张三,李四",
        "2025-10-17 supervision d=6 ->李四 esc=ESCALATION_SUPERVISION"}},
      {"张三",
       "",
       "",
       {"2025-10-17 overdue d=6 ->张三",
        "2025-10-17 supervision d=6 -> esc=ESCALATION_SUPERVISION"}},
  };
  for (const Case& c : cases) {
    Item item = InProgress("2025-10-10");
    item.set_owner(c.owner);
    item.set_leader(c.leader);
    item.set_verifier(c.verifier);
    EXPECT_EQ(Due(item, Local(2025_y / 10 / 16, 12), Local(2025_y / 10 / 17, 12)), c.want);
  }
}

TEST(RemindPolicy, BadInput) {
  const Item item = InProgress("2025-10-10");
  Result<PolicyResult> no_zone = EvaluateReminders(item, Local(2025_y / 10 / 9, 12),
                                                   Local(2025_y / 10 / 10, 12), nullptr, Cal(), {});
  EXPECT_EQ(no_zone.status().code(), Code::kInvalidArgument);

  Result<PolicyResult> bad =
      Eval(InProgress("2025-10-32"), Local(2025_y / 10 / 9, 12), Local(2025_y / 10 / 10, 12));
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("2025-000042"));
  EXPECT_THAT(bad.status().message(), HasSubstr("2025-10-32"));

  // A closed item's deadline is never looked at.
  EXPECT_TRUE(Eval(MakeItem(rectify::v1::STATE_CLOSED, "2025-10-32"), Local(2025_y / 10 / 9, 12),
                   Local(2025_y / 10 / 10, 12))
                  .ok());
}

// ---- the scheduler's next time -------------------------------------------------------------------

// NextReminderAt is what the scheduler stores for an item after each change: `now` when
// anything falls due in (since, now], else EvaluateReminders' `next`. It stops at the first
// occurrence of a window instead of collecting them all, and must give the same answer for every
// item, window and rule set, long windows (an item not evaluated for years) included.
TEST(NextReminderAt, AgreesWithEvaluateReminders) {
  using rectify::v1::STATE_ASSIGNED;
  using rectify::v1::STATE_CLOSED;
  using rectify::v1::STATE_IN_PROGRESS;
  using rectify::v1::STATE_SUBMITTED;
  std::vector<Item> items = {
      InProgress("2025-10-10"),
      InProgress("2025-10-10", kSupervision),
      InProgress("2025-10-10", kAdmonition),
      InProgress("2025-10-01"),  // a holiday
      InProgress("2025-09-03"),
      InProgress("2026-06-30"),
      InProgress(""),
      Timeless("2025-10-10"),
      Timeless("2027-12-31"),
      MakeItem(STATE_ASSIGNED, "2025-12-31"),
      MakeItem(STATE_IN_PROGRESS, "2025-11-20", kAssigned, 2025_y / 10 / 20),
      MakeItem(STATE_IN_PROGRESS, "2025-10-10", kAssigned, 2025_y / 10 / 14, kSupervision),
      MakeItem(STATE_IN_PROGRESS, "", 2024_y / 3 / 4),
      MakeItem(STATE_SUBMITTED, "2025-10-10"),
      MakeItem(STATE_CLOSED, "2025-10-10"),
  };
  ReminderRules quiet = NoStale();
  quiet.overdue_daily = false;
  quiet.deadline_day = false;
  quiet.before_working_days = {};
  ReminderRules hourly;
  hourly.hour = 0;
  hourly.stale_progress = 3;
  const std::vector<ReminderRules> rule_sets = {ReminderRules{}, NoStale(), quiet, hourly};

  // Windows of every length from an hour to years, ending on a working day, a weekend and a
  // holiday, before and after the reminder hour.
  const std::vector<TimePoint> ends = {
      Local(2025_y / 9 / 1, 8),  Local(2025_y / 9 / 26, 9),  Local(2025_y / 10 / 3, 12),
      Local(2025_y / 10 / 9, 9), Local(2025_y / 10 / 13, 8), Local(2025_y / 10 / 16, 10),
      Local(2025_y / 10 / 24, 9), Local(2025_y / 12 / 1, 15), Local(2026_y / 7 / 1, 9),
  };
  const std::vector<std::chrono::hours> lengths = {
      std::chrono::hours{0},        std::chrono::hours{1},        std::chrono::hours{24},
      std::chrono::hours{24 * 4},   std::chrono::hours{24 * 30},  std::chrono::hours{24 * 400},
      std::chrono::hours{24 * 800},
  };
  // The shipped years with plain weekdays around them, so that windows of years and the
  // look-ahead never run off the calendar.
  std::vector<YearArrangement> years;
  for (int y = 2020; y <= 2030; ++y) {
    auto shipped = Cal().Year(y);
    years.push_back(shipped ? *shipped : YearArrangement{y, "test: weekdays only", {}, {}});
  }
  const Calendar wide = *Calendar::FromYears(std::move(years));
  int compared = 0, due_now = 0;
  for (const ReminderRules& rules : rule_sets) {
    for (const Item& item : items) {
      for (TimePoint now : ends) {
        for (std::chrono::hours length : lengths) {
          const TimePoint since = now - length;
          SCOPED_TRACE(item.deadline() + " escalation " + std::to_string(item.escalation()) +
                       " state " + std::to_string(item.state()) + " hour " +
                       std::to_string(rules.hour) + " now " + Show(now) + " since " +
                       Show(since));
          Result<PolicyResult> full = EvaluateReminders(item, since, now, Shanghai(), wide, rules);
          Result<std::optional<TimePoint>> at =
              NextReminderAt(item, since, now, Shanghai(), wide, rules);
          ASSERT_TRUE(full.ok()) << full.status().ToString();
          ASSERT_TRUE(at.ok()) << at.status().ToString();
          const std::optional<TimePoint> want =
              full->due.empty() ? full->next : std::optional<TimePoint>{now};
          EXPECT_EQ(Show(*at), Show(want));
          ++compared;
          if (!full->due.empty()) ++due_now;
        }
      }
    }
  }
  // The grid must cover both answers.
  EXPECT_EQ(compared, 4 * 15 * 9 * 7);
  EXPECT_GT(due_now, 100);
  EXPECT_LT(due_now, compared - 100);
}

TEST(NextReminderAt, RefusesWhatEvaluateRemindersRefuses) {
  const TimePoint since = Local(2025_y / 10 / 9, 12), now = Local(2025_y / 10 / 10, 12);
  EXPECT_EQ(NextReminderAt(InProgress("2025-10-10"), since, now, nullptr, Cal(), {})
                .status()
                .code(),
            Code::kInvalidArgument);
  ReminderRules bad;
  bad.hour = 24;
  EXPECT_EQ(NextReminderAt(InProgress("2025-10-10"), since, now, Shanghai(), Cal(), bad)
                .status()
                .code(),
            Code::kInvalidArgument);
  auto r = NextReminderAt(InProgress("2025-10-32"), since, now, Shanghai(), Cal(), {});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("2025-10-32"));
  // A year the answer needs and the calendar lacks: the calendar's FailedPrecondition.
  const Calendar only2025 = CalendarOf({2025});
  auto missing = NextReminderAt(InProgress("2026-01-09"), Local(2025_y / 12 / 29, 12),
                                Local(2025_y / 12 / 30, 12), Shanghai(), only2025, {});
  EXPECT_EQ(missing.status().code(), Code::kFailedPrecondition);
  // Closed items never fire and never touch the calendar.
  auto closed = NextReminderAt(MakeItem(rectify::v1::STATE_CLOSED, "2025-10-32"), since, now,
                               Shanghai(), only2025, {});
  ASSERT_TRUE(closed.ok());
  EXPECT_FALSE(closed->has_value());
}

}  // namespace
}  // namespace rectify::domain
