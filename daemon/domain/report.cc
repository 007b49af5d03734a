#include "domain/report.h"

#include <algorithm>
#include <chrono>

#include "domain/dates.h"
#include "domain/lights.h"
#include "domain/validation.h"

namespace rectify::domain {
namespace {

std::chrono::system_clock::time_point TimeOf(const google::protobuf::Timestamp& ts) {
  return std::chrono::system_clock::time_point(
      std::chrono::microseconds(ts.seconds() * 1000000 + ts.nanos() / 1000));
}

bool IsSet(const google::protobuf::Timestamp& ts) { return ts.seconds() != 0 || ts.nanos() != 0; }

bool IsMeeting(v1::Source s) {
  return s == v1::SOURCE_DEMOCRATIC_LIFE_MEETING || s == v1::SOURCE_ORGANIZATIONAL_LIFE_MEETING;
}

double Ratio(uint64_t num, uint64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

Status ValidateReportRequest(const v1::GetReportRequest& req) {
  if (req.year() < 2000 || req.year() > 9999) {
    return InvalidArgument("year must be between 2000 and 9999, not " +
                           std::to_string(req.year()));
  }
  if (!v1::ReportGroupBy_IsValid(req.group_by())) {
    return InvalidArgument("group_by " + std::to_string(req.group_by()) + " is not a known value");
  }
  if (req.self_examination_min() < 0 || req.self_examination_min() > 1000) {
    return InvalidArgument("self_examination_min must be between 0 and 1000");
  }
  if (req.unit().size() > 200) return InvalidArgument("unit is longer than 200 bytes");
  if (req.members_size() > 10000) return InvalidArgument("members lists more than 10000 names");
  for (const std::string& m : req.members()) {
    if (m.empty() || m.size() > 200) {
      return InvalidArgument("members holds an empty name or one longer than 200 bytes");
    }
  }
  return Status::Ok();
}

const std::vector<v1::Source>& PreviousYearSources() {
  static const std::vector<v1::Source> kSources = {v1::SOURCE_DEMOCRATIC_LIFE_MEETING,
                                                   v1::SOURCE_ORGANIZATIONAL_LIFE_MEETING,
                                                   v1::SOURCE_PUBLIC_CONCERN};
  return kSources;
}

ReportBuilder::ReportBuilder(v1::GetReportRequest req, date::year_month_day today,
                             const date::time_zone* zone, const Calendar* calendar)
    : req_(std::move(req)), today_(today), zone_(zone), calendar_(calendar) {}

bool ReportBuilder::InScope(const v1::Item& item, int year) const {
  return item.year() == year && (req_.unit().empty() || item.unit() == req_.unit());
}

std::string ReportBuilder::GroupKey(const v1::Item& item) const {
  switch (req_.group_by()) {
    case v1::REPORT_GROUP_BY_UNIT: return item.unit();
    case v1::REPORT_GROUP_BY_LEADER: return item.leader();
    case v1::REPORT_GROUP_BY_SOURCE: return v1::Source_Name(item.source());
    case v1::REPORT_GROUP_BY_CATEGORY: return v1::Category_Name(item.category());
    default: return "";
  }
}

template <typename F>
void ReportBuilder::ForEachAcc(const v1::Item& item, F&& f) {
  f(overall_);
  if (req_.group_by() != v1::REPORT_GROUP_BY_UNSPECIFIED) f(groups_[GroupKey(item)]);
}

bool ReportBuilder::ClosedInReportYear(const v1::Item& item) const {
  if (item.state() != v1::STATE_CLOSED || !IsSet(item.closed_at())) return false;
  return static_cast<int>(LocalDate(TimeOf(item.closed_at()), zone_).year()) == req_.year();
}

void ReportBuilder::AddItem(const v1::Item& item, uint64_t reminders) {
  if (!InScope(item, req_.year())) return;
  const bool closed = item.state() == v1::STATE_CLOSED;
  const bool overdue = IsOverdue(item, today_);
  // Working days from assignment (confirm) to close: (assigned, closed], the calendar's count.
  // A year the calendar lacks leaves the item out of the average (closed_measured says how many
  // are in it) rather than failing the whole report.
  std::optional<int> working_days;
  if (closed && IsSet(item.assigned_at()) && IsSet(item.closed_at()) && calendar_ != nullptr) {
    auto n = calendar_->WorkingDaysBetween(LocalDate(TimeOf(item.assigned_at()), zone_),
                                           LocalDate(TimeOf(item.closed_at()), zone_));
    if (n.ok()) working_days = std::max(0, *n);
  }
  const bool self_exam = item.source() == v1::SOURCE_SELF_EXAMINATION &&
                         item.state() != v1::STATE_CANCELLED;
  ForEachAcc(item, [&](Acc& a) {
    a.items++;
    a.by_state[item.state()]++;
    if (closed && !item.closed_overdue()) a.closed_on_time++;
    if (closed && item.closed_overdue()) a.closed_after_overdue++;
    if (overdue) a.overdue_now++;
    if (working_days) {
      a.working_days_sum += *working_days;
      a.closed_measured++;
    }
    if (item.measures_size() > 0) a.with_measures++;
    if (item.source() == v1::SOURCE_PUBLIC_CONCERN) {
      a.public_concern++;
      if (ClosedInReportYear(item)) a.public_concern_closed++;
    }
    a.reminders += reminders;
    if (item.escalation() >= v1::ESCALATION_SUPERVISION) a.supervision++;
    if (item.escalation() >= v1::ESCALATION_ADMONITION) a.admonition++;
    a.signoffs += static_cast<uint64_t>(item.signoffs_size());
    if (self_exam) a.self_examination[item.owner()]++;
  });
}

void ReportBuilder::AddPreviousYearItem(const v1::Item& item) {
  if (!InScope(item, req_.year() - 1)) return;
  const bool meeting = IsMeeting(item.source());
  const bool public_closed =
      item.source() == v1::SOURCE_PUBLIC_CONCERN && ClosedInReportYear(item);
  if (!meeting && !public_closed) return;
  ForEachAcc(item, [&](Acc& a) {
    if (meeting) {
      a.meetings_last_year++;
      if (item.state() == v1::STATE_CLOSED) a.meetings_last_year_closed++;
    }
    if (public_closed) a.public_concern_closed++;
  });
}

v1::ReportFigures ReportBuilder::Figures(const Acc& a, bool overall) const {
  v1::ReportFigures f;
  f.set_items(a.items);
  for (int s = v1::STATE_DRAFT; s <= v1::STATE_CANCELLED; ++s) {
    auto* sc = f.add_by_state();
    sc->set_state(static_cast<v1::State>(s));
    auto it = a.by_state.find(s);
    sc->set_count(it == a.by_state.end() ? 0 : it->second);
  }
  auto count = [&](v1::State s) {
    auto it = a.by_state.find(s);
    return it == a.by_state.end() ? uint64_t{0} : it->second;
  };
  const uint64_t closed = count(v1::STATE_CLOSED);
  const uint64_t cancelled = count(v1::STATE_CANCELLED);
  f.set_closed(closed);
  f.set_cancelled(cancelled);
  // A withdrawn (cancelled) item is not a problem left undone: it is out of the denominator.
  f.set_completion_rate(Ratio(closed, a.items - cancelled));
  f.set_closed_on_time(a.closed_on_time);
  f.set_on_time_rate(Ratio(a.closed_on_time, closed));
  f.set_overdue_now(a.overdue_now);
  f.set_closed_after_overdue(a.closed_after_overdue);
  f.set_closed_measured(a.closed_measured);
  f.set_avg_working_days_to_close(
      a.closed_measured == 0 ? 0.0
                             : static_cast<double>(a.working_days_sum) / a.closed_measured);
  f.set_with_measures(a.with_measures);
  f.set_measures_rate(Ratio(a.with_measures, a.items));
  f.set_meetings_last_year(a.meetings_last_year);
  f.set_meetings_last_year_closed(a.meetings_last_year_closed);
  f.set_public_concern(a.public_concern);
  f.set_public_concern_closed(a.public_concern_closed);
  f.set_reminders(a.reminders);
  f.set_supervision(a.supervision);
  f.set_admonition(a.admonition);
  f.set_signoffs(a.signoffs);

  // Self-examination per member. Listed members with no item count as 0, overall only: a
  // member without items cannot be placed in a unit or leader group.
  std::map<std::string, uint64_t> per = a.self_examination;
  if (overall) {
    for (const std::string& m : req_.members()) per.emplace(m, 0);
  }
  auto* se = f.mutable_self_examination();
  se->set_required_min(req_.self_examination_min());
  se->set_persons(per.size());
  uint64_t total = 0, lo = 0, hi = 0;
  bool first = true;
  for (const auto& [person, n] : per) {
    total += n;
    lo = first ? n : std::min(lo, n);
    hi = first ? n : std::max(hi, n);
    first = false;
    auto* pc = se->add_per_person();
    pc->set_person(person);
    pc->set_items(n);
    if (n < static_cast<uint64_t>(req_.self_examination_min())) *se->add_below_min() = *pc;
  }
  se->set_total(total);
  se->set_min(lo);
  se->set_max(hi);
  se->set_average(per.empty() ? 0.0 : static_cast<double>(total) / per.size());
  return f;
}

v1::Report ReportBuilder::Finish() const {
  v1::Report r;
  r.set_year(req_.year());
  r.set_unit(req_.unit());
  r.set_group_by(req_.group_by());
  r.set_as_of(FormatDate(today_));
  *r.mutable_overall() = Figures(overall_, /*overall=*/true);
  for (const auto& [key, acc] : groups_) {
    auto* g = r.add_groups();
    g->set_key(key);
    *g->mutable_figures() = Figures(acc, /*overall=*/false);
  }
  return r;
}

}  // namespace rectify::domain
