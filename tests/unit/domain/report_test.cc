#include "domain/report.h"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "domain/dates.h"

namespace rectify::domain {
namespace {

using namespace date::literals;

const Calendar& Cal() {
  static const Calendar* calendar = new Calendar(DefaultCalendar());
  return *calendar;
}

const date::time_zone* Zone() {
  static const date::time_zone* zone = *LocateZone("Asia/Shanghai");
  return zone;
}

// 10:00 Asia/Shanghai on `day`.
google::protobuf::Timestamp At(const std::string& day) {
  auto ymd = *ParseDate(day);
  auto t = *LocalStart(ymd, std::chrono::hours(10), Zone());
  google::protobuf::Timestamp ts;
  ts.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  return ts;
}

struct Row {
  std::string id, unit, leader, owner;
  v1::Source source;
  v1::Category category;
  v1::State state;
  int year = 2026;
  std::string assigned, closed, deadline;
  bool closed_overdue = false;
  int measures = 0, signoffs = 0;
  v1::Escalation escalation = v1::ESCALATION_NONE;
  uint64_t reminders = 0;
};

v1::Item ToItem(const Row& r) {
  v1::Item item;
  item.set_id(r.id);
  item.set_unit(r.unit);
  item.set_leader(r.leader);
  item.set_owner(r.owner);
  item.set_source(r.source);
  item.set_category(r.category);
  item.set_state(r.state);
  item.set_year(r.year);
  if (!r.assigned.empty()) *item.mutable_assigned_at() = At(r.assigned);
  if (!r.closed.empty()) *item.mutable_closed_at() = At(r.closed);
  item.set_deadline(r.deadline);
  item.set_closed_overdue(r.closed_overdue);
  for (int i = 0; i < r.measures; ++i) item.add_measures()->set_text("m");
  for (int i = 0; i < r.signoffs; ++i) item.add_signoffs()->set_person("p");
  item.set_escalation(r.escalation);
  return item;
}

using v1::STATE_CANCELLED;
using v1::STATE_CLOSED;
using v1::STATE_DRAFT;
using v1::STATE_IN_PROGRESS;

// The hand-built ledger. Working days (2026 State Council calendar):
//   A 03-02 -> 03-09: Tue..Fri + Mon = 5
//   B 09-24 -> 10-09: 09-28..30 (3; 09-25..27 中秋, 10-01..07 国庆) + 10-08, 10-09 = 5
//   D 04-30 -> 05-12: 05-06..08, 05-09 (调休 Sat), 05-11, 05-12 = 6
const std::vector<Row>& ThisYear() {
  static const std::vector<Row> rows = {
      {"2026-000001", "甲", "L1", "张三", v1::SOURCE_SELF_EXAMINATION, v1::CATEGORY_WORK_STYLE,
       STATE_CLOSED, 2026, "2026-03-02", "2026-03-09", "2026-03-31", false, 1, 2},
      {"2026-000002", "甲", "L1", "张三", v1::SOURCE_SELF_EXAMINATION, v1::CATEGORY_DISCIPLINE,
       STATE_CLOSED, 2026, "2026-09-24", "2026-10-09", "2026-09-30", true, 2, 2},
      {"2026-000003", "乙", "L2", "李四", v1::SOURCE_SELF_EXAMINATION, v1::CATEGORY_WORK_STYLE,
       STATE_IN_PROGRESS, 2026, "2026-06-01", "", "2026-11-20", false, 0, 0,
       v1::ESCALATION_ADMONITION, 7},
      {"2026-000004", "乙", "L2", "王五", v1::SOURCE_PUBLIC_CONCERN, v1::CATEGORY_PUBLIC_SERVICE,
       STATE_CLOSED, 2026, "2026-04-30", "2026-05-12", "2026-05-31", false, 1, 2},
      {"2026-000005", "甲", "L1", "王五", v1::SOURCE_AUDIT, v1::CATEGORY_INTEGRITY,
       STATE_CANCELLED, 2026, "2026-02-02", "", "2026-03-01", false, 0, 0,
       v1::ESCALATION_SUPERVISION, 2},
      {"2026-000006", "甲", "L2", "赵六", v1::SOURCE_INSPECTION, v1::CATEGORY_OTHER, STATE_DRAFT,
       2026, "", "", "", false, 0, 0},
      // Another year: ignored by AddItem.
      {"2027-000001", "甲", "L1", "张三", v1::SOURCE_SELF_EXAMINATION, v1::CATEGORY_WORK_STYLE,
       STATE_DRAFT, 2027, "", "", "", false, 3, 0, v1::ESCALATION_NONE, 100},
  };
  return rows;
}

const std::vector<Row>& LastYear() {
  static const std::vector<Row> rows = {
      {"2025-000001", "甲", "L1", "张三", v1::SOURCE_DEMOCRATIC_LIFE_MEETING,
       v1::CATEGORY_WORK_STYLE, STATE_CLOSED, 2025, "2025-03-03", "2025-12-01", "2025-12-31"},
      {"2025-000002", "乙", "L2", "李四", v1::SOURCE_ORGANIZATIONAL_LIFE_MEETING,
       v1::CATEGORY_WORK_STYLE, STATE_IN_PROGRESS, 2025, "2025-03-03", "", "2026-12-31"},
      // Closed in the report year: an urgent public problem solved in 2026.
      {"2025-000003", "乙", "L2", "王五", v1::SOURCE_PUBLIC_CONCERN,
       v1::CATEGORY_PUBLIC_SERVICE, STATE_CLOSED, 2025, "2025-11-03", "2026-01-12", "2026-01-31"},
      // Closed in 2025: not solved "this year".
      {"2025-000004", "乙", "L2", "王五", v1::SOURCE_PUBLIC_CONCERN,
       v1::CATEGORY_PUBLIC_SERVICE, STATE_CLOSED, 2025, "2025-11-03", "2025-11-20", "2025-11-30"},
      // Not a meeting: ignored.
      {"2025-000005", "甲", "L1", "张三", v1::SOURCE_AUDIT, v1::CATEGORY_WORK_STYLE, STATE_CLOSED,
       2025, "2025-03-03", "2025-04-01", "2025-04-30"},
  };
  return rows;
}

v1::Report Build(v1::GetReportRequest req) {
  ReportBuilder b(std::move(req), 2026_y / 11 / 27, Zone(), &Cal());
  for (const Row& r : ThisYear()) b.AddItem(ToItem(r), r.reminders);
  for (const Row& r : LastYear()) b.AddPreviousYearItem(ToItem(r));
  return b.Finish();
}

v1::GetReportRequest Request(v1::ReportGroupBy by = v1::REPORT_GROUP_BY_UNSPECIFIED) {
  v1::GetReportRequest req;
  req.set_year(2026);
  req.set_group_by(by);
  req.set_self_examination_min(3);
  req.add_members("张三");
  req.add_members("李四");
  req.add_members("赵六");
  return req;
}

uint64_t StateCount(const v1::ReportFigures& f, v1::State s) {
  for (const auto& sc : f.by_state()) {
    if (sc.state() == s) return sc.count();
  }
  ADD_FAILURE() << "no count for " << v1::State_Name(s);
  return 0;
}

// The figures that do not involve people, as one comparable row.
struct Expect {
  const char* name;
  uint64_t items, closed, cancelled, draft, in_progress;
  double completion;
  uint64_t on_time;
  double on_time_rate;
  uint64_t overdue, closed_after_overdue;
  double avg_days;
  uint64_t measured, with_measures;
  double measures_rate;
  uint64_t meetings, meetings_closed, public_concern, public_closed, reminders, supervision,
      admonition, signoffs;
};

void Check(const Expect& e, const v1::ReportFigures& f) {
  SCOPED_TRACE(e.name);
  EXPECT_EQ(f.items(), e.items);
  EXPECT_EQ(f.closed(), e.closed);
  EXPECT_EQ(StateCount(f, STATE_CLOSED), e.closed);
  EXPECT_EQ(f.cancelled(), e.cancelled);
  EXPECT_EQ(StateCount(f, STATE_DRAFT), e.draft);
  EXPECT_EQ(StateCount(f, STATE_IN_PROGRESS), e.in_progress);
  EXPECT_EQ(f.by_state_size(), 8);  // every state, zeros included
  EXPECT_DOUBLE_EQ(f.completion_rate(), e.completion);
  EXPECT_EQ(f.closed_on_time(), e.on_time);
  EXPECT_DOUBLE_EQ(f.on_time_rate(), e.on_time_rate);
  EXPECT_EQ(f.overdue_now(), e.overdue);
  EXPECT_EQ(f.closed_after_overdue(), e.closed_after_overdue);
  EXPECT_DOUBLE_EQ(f.avg_working_days_to_close(), e.avg_days);
  EXPECT_EQ(f.closed_measured(), e.measured);
  EXPECT_EQ(f.with_measures(), e.with_measures);
  EXPECT_DOUBLE_EQ(f.measures_rate(), e.measures_rate);
  EXPECT_EQ(f.meetings_last_year(), e.meetings);
  EXPECT_EQ(f.meetings_last_year_closed(), e.meetings_closed);
  EXPECT_EQ(f.public_concern(), e.public_concern);
  EXPECT_EQ(f.public_concern_closed(), e.public_closed);
  EXPECT_EQ(f.reminders(), e.reminders);
  EXPECT_EQ(f.supervision(), e.supervision);
  EXPECT_EQ(f.admonition(), e.admonition);
  EXPECT_EQ(f.signoffs(), e.signoffs);
}

TEST(Report, OverallFigures) {
  const v1::Report r = Build(Request());
  EXPECT_EQ(r.year(), 2026);
  EXPECT_EQ(r.as_of(), "2026-11-27");
  EXPECT_EQ(r.groups_size(), 0);
  Check({"overall", 6, 3, 1, 1, 1, 3.0 / 5, 2, 2.0 / 3, 1, 1, 16.0 / 3, 3, 3, 0.5, 2, 1, 1, 2, 9,
         2, 1, 6},
        r.overall());
}

TEST(Report, SelfExaminationPerPersonWithListedMembers) {
  const v1::Report r = Build(Request());
  const auto& se = r.overall().self_examination();
  EXPECT_EQ(se.required_min(), 3);
  EXPECT_EQ(se.persons(), 3u);  // 张三 2, 李四 1, 赵六 (listed, none) 0
  EXPECT_EQ(se.total(), 3u);
  EXPECT_EQ(se.min(), 0u);
  EXPECT_EQ(se.max(), 2u);
  EXPECT_DOUBLE_EQ(se.average(), 1.0);
  ASSERT_EQ(se.below_min_size(), 3);  // everyone is below 3
  ASSERT_EQ(se.per_person_size(), 3);
  EXPECT_EQ(se.per_person(0).person(), "张三");
  EXPECT_EQ(se.per_person(0).items(), 2u);
}

TEST(Report, SelfExaminationWithoutMembersCountsOwnersFound) {
  v1::GetReportRequest req = Request();
  req.clear_members();
  req.set_self_examination_min(2);
  const v1::Report r = Build(req);
  const auto& se = r.overall().self_examination();
  EXPECT_EQ(se.persons(), 2u);
  EXPECT_EQ(se.min(), 1u);
  EXPECT_DOUBLE_EQ(se.average(), 1.5);
  ASSERT_EQ(se.below_min_size(), 1);
  EXPECT_EQ(se.below_min(0).person(), "李四");
  EXPECT_EQ(se.below_min(0).items(), 1u);
}

TEST(Report, ByUnit) {
  const v1::Report r = Build(Request(v1::REPORT_GROUP_BY_UNIT));
  ASSERT_EQ(r.groups_size(), 2);
  EXPECT_EQ(r.groups(0).key(), "乙");  // byte order of the UTF-8 keys
  EXPECT_EQ(r.groups(1).key(), "甲");
  Check({"乙", 2, 1, 0, 0, 1, 0.5, 1, 1.0, 1, 0, 6.0, 1, 1, 0.5, 1, 0, 1, 2, 7, 1, 1, 2},
        r.groups(0).figures());
  Check({"甲", 4, 2, 1, 1, 0, 2.0 / 3, 1, 0.5, 0, 1, 5.0, 2, 2, 0.5, 1, 1, 0, 0, 2, 1, 0, 4},
        r.groups(1).figures());
  // Members with no items are placed nowhere but overall.
  EXPECT_EQ(r.groups(1).figures().self_examination().persons(), 1u);
  // Overall is the same with or without grouping.
  EXPECT_EQ(r.overall().SerializeAsString(), Build(Request()).overall().SerializeAsString());
}

TEST(Report, BySourceCategoryAndLeaderKeys) {
  struct Case {
    v1::ReportGroupBy by;
    std::vector<std::string> keys;
    std::vector<uint64_t> items;
  };
  const std::vector<Case> cases = {
      {v1::REPORT_GROUP_BY_SOURCE,
       {"SOURCE_AUDIT", "SOURCE_DEMOCRATIC_LIFE_MEETING", "SOURCE_INSPECTION",
        "SOURCE_ORGANIZATIONAL_LIFE_MEETING", "SOURCE_PUBLIC_CONCERN", "SOURCE_SELF_EXAMINATION"},
       {1, 0, 1, 0, 1, 3}},
      {v1::REPORT_GROUP_BY_CATEGORY,
       {"CATEGORY_DISCIPLINE", "CATEGORY_INTEGRITY", "CATEGORY_OTHER", "CATEGORY_PUBLIC_SERVICE",
        "CATEGORY_WORK_STYLE"},
       {1, 1, 1, 1, 2}},
      {v1::REPORT_GROUP_BY_LEADER, {"L1", "L2"}, {3, 3}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(v1::ReportGroupBy_Name(c.by));
    const v1::Report r = Build(Request(c.by));
    ASSERT_EQ(r.groups_size(), static_cast<int>(c.keys.size()));
    for (int i = 0; i < r.groups_size(); ++i) {
      EXPECT_EQ(r.groups(i).key(), c.keys[i]);
      EXPECT_EQ(r.groups(i).figures().items(), c.items[i]);
    }
  }
  // Last year's meetings form their own source groups with no items of this year.
  const v1::Report by_source = Build(Request(v1::REPORT_GROUP_BY_SOURCE));
  EXPECT_EQ(by_source.groups(1).figures().meetings_last_year(), 1u);
  EXPECT_EQ(by_source.groups(1).figures().meetings_last_year_closed(), 1u);
  EXPECT_EQ(by_source.groups(4).figures().public_concern_closed(), 2u);
}

TEST(Report, OneUnitOnly) {
  v1::GetReportRequest req = Request();
  req.set_unit("乙");
  req.clear_members();
  const v1::Report r = Build(req);
  EXPECT_EQ(r.unit(), "乙");
  Check({"乙 only", 2, 1, 0, 0, 1, 0.5, 1, 1.0, 1, 0, 6.0, 1, 1, 0.5, 1, 0, 1, 2, 7, 1, 1, 2},
        r.overall());
}

TEST(Report, EmptyLedgerHasZerosNotNaN) {
  ReportBuilder b(Request(), 2026_y / 11 / 27, Zone(), &Cal());
  const v1::Report r = b.Finish();
  EXPECT_EQ(r.overall().items(), 0u);
  EXPECT_EQ(r.overall().completion_rate(), 0.0);
  EXPECT_EQ(r.overall().on_time_rate(), 0.0);
  EXPECT_EQ(r.overall().avg_working_days_to_close(), 0.0);
  EXPECT_EQ(r.overall().self_examination().persons(), 3u);  // the listed members, all at 0
  EXPECT_EQ(r.overall().self_examination().below_min_size(), 3);
}

TEST(Report, YearMissingFromCalendarLeavesItemOutOfTheAverage) {
  v1::GetReportRequest req;
  req.set_year(2031);
  ReportBuilder b(req, 2031_y / 6 / 1, Zone(), &Cal());
  Row row = ThisYear()[0];
  row.year = 2031;
  row.assigned = "2031-03-03";
  row.closed = "2031-03-10";
  b.AddItem(ToItem(row), 0);
  const v1::Report r = b.Finish();
  EXPECT_EQ(r.overall().closed(), 1u);
  EXPECT_EQ(r.overall().closed_measured(), 0u);
  EXPECT_EQ(r.overall().avg_working_days_to_close(), 0.0);
}

TEST(Report, ValidateRequest) {
  struct Case {
    const char* name;
    void (*edit)(v1::GetReportRequest&);
    bool ok;
  };
  const Case cases[] = {
      {"fine", [](v1::GetReportRequest&) {}, true},
      {"no year", [](v1::GetReportRequest& r) { r.set_year(0); }, false},
      {"year 99999", [](v1::GetReportRequest& r) { r.set_year(99999); }, false},
      {"bad group", [](v1::GetReportRequest& r) { r.set_group_by(v1::ReportGroupBy(9)); }, false},
      {"negative min", [](v1::GetReportRequest& r) { r.set_self_examination_min(-1); }, false},
      {"empty member", [](v1::GetReportRequest& r) { r.add_members(""); }, false},
  };
  for (const Case& c : cases) {
    v1::GetReportRequest req = Request();
    c.edit(req);
    const Status st = ValidateReportRequest(req);
    EXPECT_EQ(st.ok(), c.ok) << c.name << ": " << st.message();
    if (!c.ok) EXPECT_EQ(st.code(), Code::kInvalidArgument) << c.name;
  }
}

}  // namespace
}  // namespace rectify::domain
