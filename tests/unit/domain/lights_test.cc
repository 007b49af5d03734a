#include "domain/lights.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "domain/dates.h"

namespace rectify::domain {
namespace {

using date::year_month_day;
using rectify::v1::Item;
using rectify::v1::Light;
using rectify::v1::State;
using namespace date::literals;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr Light kNone = rectify::v1::LIGHT_UNSPECIFIED;
constexpr Light kGreen = rectify::v1::LIGHT_GREEN;
constexpr Light kBlue = rectify::v1::LIGHT_BLUE;
constexpr Light kYellow = rectify::v1::LIGHT_YELLOW;
constexpr Light kRed = rectify::v1::LIGHT_RED;

constexpr State kDraft = rectify::v1::STATE_DRAFT;
constexpr State kAssigned = rectify::v1::STATE_ASSIGNED;
constexpr State kInProgress = rectify::v1::STATE_IN_PROGRESS;
constexpr State kSubmitted = rectify::v1::STATE_SUBMITTED;
constexpr State kEndorsed = rectify::v1::STATE_ENDORSED;
constexpr State kClosed = rectify::v1::STATE_CLOSED;
constexpr State kLongTerm = rectify::v1::STATE_LONG_TERM;
constexpr State kCancelled = rectify::v1::STATE_CANCELLED;

const Calendar& Cal() {
  static const Calendar* calendar = new Calendar(DefaultCalendar());
  return *calendar;
}

const date::time_zone* Shanghai() {
  static const date::time_zone* zone = *LocateZone("Asia/Shanghai");
  return zone;
}

void SetTimestamp(google::protobuf::Timestamp* ts, std::chrono::system_clock::time_point t) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  ts->set_seconds(micros / 1000000);
  ts->set_nanos(static_cast<int>(micros % 1000000) * 1000);
}

// 09:00 Shanghai on `day`, a typical working-hours instant.
std::chrono::system_clock::time_point Morning(year_month_day day) {
  return *LocalStart(day, 9h, Shanghai());
}

// An item in `state` with `deadline` ("" for none); progress recorded on `progress_day` if
// given, so that staleness does not interfere unless a test wants it to.
Item MakeItem(State state, const std::string& deadline,
              std::optional<year_month_day> progress_day = std::nullopt) {
  Item item;
  item.set_id("2025-000001");
  item.set_state(state);
  item.set_deadline(deadline);
  if (progress_day) SetTimestamp(item.mutable_last_progress_at(), Morning(*progress_day));
  return item;
}

Result<Light> LightOf(const Item& item, year_month_day today, const LightRules& rules = {}) {
  return ComputeLight(item, today, Shanghai(), Cal(), rules);
}

std::string Name(rectify::v1::Light light) { return rectify::v1::Light_Name(light); }

struct DeadlineCase {
  State state;
  const char* deadline;
  rectify::v1::Light want;
  const char* why;
};

void CheckDeadlineCases(year_month_day today, const std::vector<DeadlineCase>& cases) {
  for (const DeadlineCase& c : cases) {
    const Item item = MakeItem(c.state, c.deadline, today);
    auto got = LightOf(item, today);
    ASSERT_TRUE(got.ok()) << c.why << ": " << got.status().ToString();
    EXPECT_EQ(Name(*got), Name(c.want))
        << rectify::v1::State_Name(c.state) << " deadline " << c.deadline << " on "
        << FormatDate(today) << " (" << c.why << ")";
  }
}

TEST(ComputeLight, DeadlineBoundariesInAPlainWeek) {
  // Monday 2025-03-10. Working days after it: 11 (1), 12 (2), 13 (3), 14 (4), 17 (5), 18 (6).
  CheckDeadlineCases(2025_y / 3 / 10,
                     {
                         {kInProgress, "2025-03-09", kRed, "deadline yesterday"},
                         {kInProgress, "2025-01-01", kRed, "long overdue"},
                         {kInProgress, "2025-03-10", kYellow, "deadline today"},
                         {kInProgress, "2025-03-11", kYellow, "1 working day"},
                         {kInProgress, "2025-03-13", kYellow, "3 working days: yellow N"},
                         {kInProgress, "2025-03-14", kBlue, "4 working days: yellow N+1"},
                         {kInProgress, "2025-03-15", kBlue, "Saturday: 4 working days"},
                         {kInProgress, "2025-03-16", kBlue, "Sunday: 4 working days"},
                         {kInProgress, "2025-03-17", kBlue, "5 working days: blue N"},
                         {kInProgress, "2025-03-18", kGreen, "6 working days: blue N+1"},
                         {kInProgress, "2025-12-31", kGreen, "far away"},
                         {kInProgress, "", kGreen, "no deadline"},
                         {kDraft, "2025-03-13", kYellow, "draft, not submitted"},
                         {kDraft, "2025-03-09", kRed, "a draft can be overdue"},
                         {kDraft, "", kGreen, "draft without a deadline"},
                         {kAssigned, "2025-03-13", kYellow, "assigned, not submitted"},
                         {kAssigned, "2025-03-14", kBlue, "assigned, 4 working days"},
                         {kSubmitted, "2025-03-09", kRed, "submitted but overdue"},
                         {kSubmitted, "2025-03-10", kBlue, "submitted: no yellow for the deadline"},
                         {kSubmitted, "2025-03-13", kBlue, "submitted, 3 working days"},
                         {kSubmitted, "2025-03-17", kBlue, "submitted, 5 working days"},
                         {kSubmitted, "2025-03-18", kGreen, "submitted, 6 working days"},
                         {kEndorsed, "2025-03-11", kBlue, "endorsed, 1 working day"},
                         {kEndorsed, "2025-03-09", kRed, "endorsed but overdue"},
                         {kClosed, "2025-03-09", kNone, "closed: no light"},
                         {kClosed, "2025-03-11", kNone, "closed: no light"},
                         {kCancelled, "2025-03-09", kNone, "cancelled: no light"},
                         {kLongTerm, "2025-03-09", kGreen, "long-term: never red"},
                         {kLongTerm, "2025-03-11", kGreen, "long-term: no deadline light"},
                     });
}

TEST(ComputeLight, DeadlineBoundariesAcrossNationalDay2025) {
  // Tuesday 2025-09-30; 10-01..10-08 off; working days after: 10-09 (1), 10-10 (2), 10-11 Sat
  // (3), 10-13 (4), 10-14 (5), 10-15 (6).
  CheckDeadlineCases(
      2025_y / 9 / 30,
      {
          {kInProgress, "2025-09-29", kRed, "yesterday"},
          {kInProgress, "2025-09-30", kYellow, "today"},
          {kInProgress, "2025-10-08", kYellow, "in the holiday: 0 working days"},
          {kInProgress, "2025-10-11", kYellow, "3 working days, 11 calendar days"},
          {kInProgress, "2025-10-12", kYellow, "the Sunday after: still 3 working days"},
          {kInProgress, "2025-10-13", kBlue, "4 working days"},
          {kInProgress, "2025-10-14", kBlue, "5 working days"},
          {kInProgress, "2025-10-15", kGreen, "6 working days"},
      });
}

TEST(ComputeLight, DeadlineBoundariesAroundSpringFestival2026) {
  // Friday 2026-02-13; 02-14 Sat worked (1); 02-15..02-23 off; 02-24 (2), 25 (3), 26 (4),
  // 27 (5), 28 Sat worked (6).
  CheckDeadlineCases(2026_y / 2 / 13,
                     {
                         {kInProgress, "2026-02-12", kRed, "yesterday"},
                         {kInProgress, "2026-02-23", kYellow, "last day off: 1 working day"},
                         {kInProgress, "2026-02-25", kYellow, "3 working days"},
                         {kInProgress, "2026-02-26", kBlue, "4 working days"},
                         {kInProgress, "2026-02-27", kBlue, "5 working days"},
                         {kInProgress, "2026-02-28", kGreen, "6 working days: the Saturday worked"},
                     });
}

TEST(ComputeLight, RulesAreConfigurable) {
  const LightRules rules{.blue_within_working_days = 1,
                         .yellow_within_working_days = 0,
                         .stale_progress_working_days = 2};
  const year_month_day today = 2025_y / 3 / 10;  // Monday
  struct Case {
    const char* deadline;
    rectify::v1::Light want;
  };
  for (const Case& c :
       {Case{"2025-03-10", kYellow}, Case{"2025-03-11", kBlue}, Case{"2025-03-12", kGreen}}) {
    auto got = LightOf(MakeItem(kInProgress, c.deadline, today), today, rules);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(Name(*got), Name(c.want)) << c.deadline;
  }
  // Stale after 2 working days: progress on Thursday, today Monday = Fri + Mon.
  auto stale = LightOf(MakeItem(kInProgress, "", 2025_y / 3 / 6), today, rules);
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(Name(*stale), Name(kYellow));
  auto fresh = LightOf(MakeItem(kInProgress, "", 2025_y / 3 / 7), today, rules);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(Name(*fresh), Name(kGreen));
}

TEST(ComputeLight, StaleProgressBoundaries) {
  // Progress on Monday 2025-03-03; working days since: 4..7 (4), 10..14 (9), 17 (10).
  struct Case {
    State state;
    year_month_day today;
    rectify::v1::Light want;
    const char* why;
  };
  const Case cases[] = {
      {kInProgress, 2025_y / 3 / 3, kGreen, "progress today"},
      {kInProgress, 2025_y / 3 / 14, kGreen, "9 working days (N-1)"},
      {kInProgress, 2025_y / 3 / 15, kGreen, "Saturday: still 9"},
      {kInProgress, 2025_y / 3 / 16, kGreen, "Sunday: still 9"},
      {kInProgress, 2025_y / 3 / 17, kYellow, "10 working days (N)"},
      {kInProgress, 2025_y / 3 / 18, kYellow, "11 working days (N+1)"},
      {kAssigned, 2025_y / 3 / 17, kYellow, "assigned and idle"},
      {kAssigned, 2025_y / 3 / 14, kGreen, "assigned, 9 working days"},
      {kDraft, 2025_y / 3 / 17, kGreen, "a draft is nobody's work yet"},
      {kSubmitted, 2025_y / 3 / 17, kGreen, "submitted: waits on the leader"},
      {kEndorsed, 2025_y / 3 / 17, kGreen, "endorsed: waits on the verifier"},
      {kLongTerm, 2025_y / 3 / 17, kGreen, "long-term"},
      {kClosed, 2025_y / 3 / 17, kNone, "closed"},
  };
  for (const Case& c : cases) {
    auto got = LightOf(MakeItem(c.state, "", 2025_y / 3 / 3), c.today);
    ASSERT_TRUE(got.ok()) << c.why << ": " << got.status().ToString();
    EXPECT_EQ(Name(*got), Name(c.want)) << c.why;
  }
}

TEST(ComputeLight, StaleAcrossNationalDay2025) {
  // Progress Friday 2025-09-26; working days since: 09-28 Sun (1), 29 (2), 30 (3), 10-09 (4),
  // 10 (5), 11 Sat (6), 13 (7), 14 (8), 15 (9), 16 (10).
  const Item item = MakeItem(kInProgress, "", 2025_y / 9 / 26);
  auto before = LightOf(item, 2025_y / 10 / 15);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(Name(*before), Name(kGreen));
  auto at = LightOf(item, 2025_y / 10 / 16);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(Name(*at), Name(kYellow));
}

TEST(ComputeLight, StaleUsesTheLocalDateOfTheTimestamp) {
  // 2025-03-02T16:30Z is Monday 2025-03-03 00:30 in Shanghai but Sunday in UTC. On Friday
  // 03-14 that is 9 working days (not stale); read as the UTC date it would be 10.
  Item item = MakeItem(kInProgress, "");
  SetTimestamp(item.mutable_last_progress_at(), date::sys_days{2025_y / 3 / 2} + 16h + 30min);
  auto got = LightOf(item, 2025_y / 3 / 14);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Name(*got), Name(kGreen));
  EXPECT_EQ(LastActivityDate(item, Shanghai()), std::optional(2025_y / 3 / 3));
}

TEST(ComputeLight, LastActivityFallsBackToAssignedThenCreated) {
  const year_month_day today = 2025_y / 3 / 17;  // 10 working days after 03-03
  Item item = MakeItem(kInProgress, "");
  EXPECT_EQ(LastActivityDate(item, Shanghai()), std::nullopt);
  auto none = LightOf(item, today);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(Name(*none), Name(kGreen)) << "no timestamp at all: cannot be stale";

  SetTimestamp(item.mutable_created_at(), Morning(2025_y / 3 / 3));
  EXPECT_EQ(LastActivityDate(item, Shanghai()), std::optional(2025_y / 3 / 3));
  EXPECT_EQ(Name(*LightOf(item, today)), Name(kYellow)) << "created_at";

  SetTimestamp(item.mutable_assigned_at(), Morning(2025_y / 3 / 4));
  EXPECT_EQ(LastActivityDate(item, Shanghai()), std::optional(2025_y / 3 / 4));
  EXPECT_EQ(Name(*LightOf(item, today)), Name(kGreen)) << "assigned_at wins over created_at";

  SetTimestamp(item.mutable_last_progress_at(), Morning(2025_y / 3 / 3));
  EXPECT_EQ(LastActivityDate(item, Shanghai()), std::optional(2025_y / 3 / 3));
  EXPECT_EQ(Name(*LightOf(item, today)), Name(kYellow)) << "last_progress_at wins over both";
}

TEST(ComputeLight, YellowForEitherReasonBeatsBlue) {
  // Deadline 5 working days away (blue) but idle for 10 (yellow).
  const Item item = MakeItem(kInProgress, "2025-03-24", 2025_y / 3 / 3);
  auto got = LightOf(item, 2025_y / 3 / 17);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Name(*got), Name(kYellow));
  // Red beats stale.
  auto red = LightOf(MakeItem(kInProgress, "2025-03-14", 2025_y / 3 / 3), 2025_y / 3 / 17);
  ASSERT_TRUE(red.ok());
  EXPECT_EQ(Name(*red), Name(kRed));
}

TEST(ComputeLight, MissingCalendarYear) {
  // Monday 2026-12-28: 12-29, 30, 31 are the last known working days.
  const year_month_day today = 2026_y / 12 / 28;
  auto needs_2027 = LightOf(MakeItem(kInProgress, "2027-01-15", today), today);
  ASSERT_FALSE(needs_2027.ok());
  EXPECT_EQ(needs_2027.status().code(), Code::kFailedPrecondition);
  EXPECT_THAT(needs_2027.status().message(), HasSubstr("no data for 2027"));

  // Decided without 2027: within 3 calendar days, or more than 5 working days before it.
  auto near = LightOf(MakeItem(kInProgress, "2026-12-31", today), today);
  ASSERT_TRUE(near.ok()) << near.status().ToString();
  EXPECT_EQ(Name(*near), Name(kYellow));
  auto boundary = LightOf(MakeItem(kInProgress, "2027-01-01", 2026_y / 12 / 29), 2026_y / 12 / 29);
  ASSERT_TRUE(boundary.ok()) << boundary.status().ToString();
  EXPECT_EQ(Name(*boundary), Name(kYellow));
  auto far = LightOf(MakeItem(kInProgress, "2027-06-30", 2026_y / 6 / 1), 2026_y / 6 / 1);
  ASSERT_TRUE(far.ok()) << far.status().ToString();
  EXPECT_EQ(Name(*far), Name(kGreen));

  // Staleness reaching back into 2023.
  auto stale = LightOf(MakeItem(kInProgress, "", 2023_y / 12 / 1), 2024_y / 1 / 5);
  ASSERT_FALSE(stale.ok());
  EXPECT_THAT(stale.status().message(), HasSubstr("no data for 2023"));
}

TEST(ComputeLight, BadInput) {
  const year_month_day today = 2025_y / 3 / 10;
  auto unset = LightOf(MakeItem(rectify::v1::STATE_UNSPECIFIED, ""), today);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.status().code(), Code::kInvalidArgument);

  auto bad_deadline = LightOf(MakeItem(kInProgress, "2025-3-1"), today);
  ASSERT_FALSE(bad_deadline.ok());
  EXPECT_EQ(bad_deadline.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(bad_deadline.status().message(), HasSubstr("2025-000001"));

  auto bad_rules = LightOf(MakeItem(kInProgress, ""), today, {.blue_within_working_days = -1});
  ASSERT_FALSE(bad_rules.ok());
  EXPECT_THAT(bad_rules.status().message(), HasSubstr("blue_within_working_days"));
}

TEST(ValidateLightRules, Bounds) {
  EXPECT_TRUE(ValidateLightRules({}).ok());
  EXPECT_TRUE(ValidateLightRules({0, 0, 1}).ok());
  EXPECT_FALSE(ValidateLightRules({-1, 3, 10}).ok());
  EXPECT_FALSE(ValidateLightRules({5, -1, 10}).ok());
  EXPECT_FALSE(ValidateLightRules({5, 3, 0}).ok());
}

TEST(IsOverdue, StatesAndBoundaries) {
  const year_month_day today = 2025_y / 3 / 10;
  struct Case {
    State state;
    const char* deadline;
    bool want;
  };
  const Case cases[] = {
      {kInProgress, "2025-03-09", true},
      {kInProgress, "2025-03-10", false},
      {kInProgress, "2025-03-11", false},
      {kInProgress, "", false},
      {kInProgress, "garbage", false},
      {kDraft, "2025-03-09", true},
      {kAssigned, "2025-03-09", true},
      {kSubmitted, "2025-03-09", true},
      {kEndorsed, "2025-03-09", true},
      {kClosed, "2025-03-09", false},
      {kCancelled, "2025-03-09", false},
      {kLongTerm, "2025-03-09", false},
      {rectify::v1::STATE_UNSPECIFIED, "2025-03-09", false},
      // Calendar days, not working days: overdue the day after, even over a weekend.
      {kInProgress, "2025-03-08", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsOverdue(MakeItem(c.state, c.deadline), today), c.want)
        << rectify::v1::State_Name(c.state) << " " << c.deadline;
  }
}

TEST(IsDeadlineWithin, ZeroAndWeekends) {
  // Friday 2025-03-07.
  const year_month_day friday = 2025_y / 3 / 7;
  EXPECT_TRUE(*IsDeadlineWithin(Cal(), friday, friday, 0));
  EXPECT_TRUE(*IsDeadlineWithin(Cal(), friday, 2025_y / 3 / 9, 0));    // no working day between
  EXPECT_FALSE(*IsDeadlineWithin(Cal(), friday, 2025_y / 3 / 10, 0));  // Monday is one
  EXPECT_TRUE(*IsDeadlineWithin(Cal(), friday, 2025_y / 3 / 10, 1));
  EXPECT_FALSE(*IsDeadlineWithin(Cal(), friday, 2025_y / 3 / 6, 5));  // overdue, not "within"
  EXPECT_FALSE(IsDeadlineWithin(Cal(), friday, friday, -1).ok());
}

TEST(IsStale, Boundaries) {
  const year_month_day monday = 2025_y / 3 / 3;
  EXPECT_FALSE(*IsStale(Cal(), monday, monday, 1));
  EXPECT_TRUE(*IsStale(Cal(), monday, 2025_y / 3 / 4, 1));
  EXPECT_FALSE(*IsStale(Cal(), 2025_y / 3 / 7, 2025_y / 3 / 9, 1));  // only a weekend since
  EXPECT_TRUE(*IsStale(Cal(), 2025_y / 3 / 7, 2025_y / 3 / 10, 1));
  EXPECT_FALSE(*IsStale(Cal(), 2025_y / 3 / 10, 2025_y / 3 / 3, 1));  // progress in the future
  EXPECT_FALSE(IsStale(Cal(), monday, monday, 0).ok());
}

}  // namespace
}  // namespace rectify::domain
