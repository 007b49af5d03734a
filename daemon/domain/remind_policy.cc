#include "domain/remind_policy.h"

#include <algorithm>
#include <array>
#include <utility>

#include "domain/dates.h"
#include "domain/lights.h"

namespace rectify::domain {
namespace {

using date::year_month_day;
using rectify::v1::Item;
using TimePoint = std::chrono::system_clock::time_point;

year_month_day AddDays(const year_month_day& day, int n) {
  return year_month_day{date::sys_days{day} + date::days{n}};
}

TimePoint ToTimePoint(const google::protobuf::Timestamp& ts) {
  const auto since_epoch =
      std::chrono::seconds{ts.seconds()} + std::chrono::nanoseconds{ts.nanos()};
  return TimePoint{std::chrono::duration_cast<TimePoint::duration>(since_epoch)};
}

// Collapsing works per family: of each, only the latest occurrence in a window is returned.
enum Family { kDeadlineFamily = 0, kEscalationFamily = 1, kStaleFamily = 2, kFamilies = 3 };

Family FamilyOf(ReminderKind kind) {
  switch (kind) {
    case ReminderKind::kBeforeDeadline:
    case ReminderKind::kDeadlineDay:
    case ReminderKind::kOverdue:
      return kDeadlineFamily;
    case ReminderKind::kSupervision:
    case ReminderKind::kAdmonition:
      return kEscalationFamily;
    case ReminderKind::kStaleProgress:
      return kStaleFamily;
  }
  return kStaleFamily;  // unreachable
}

// Names in order, empty names and repeats dropped.
std::vector<std::string> Recipients(std::initializer_list<const std::string*> names) {
  std::vector<std::string> out;
  for (const std::string* name : names) {
    if (name->empty() || std::find(out.begin(), out.end(), *name) != out.end()) continue;
    out.push_back(*name);
  }
  return out;
}

// Working days in (origin, day], asked for days that move a little at a time in either
// direction (a scan): each call counts only the days between the previous answer and this one.
class SpanCounter {
 public:
  SpanCounter(const Calendar& calendar, year_month_day origin)
      : calendar_(calendar), origin_(origin) {}

  Result<int> At(const year_month_day& day) {
    const year_month_day from = memo_ ? memo_->first : origin_;
    const int base = memo_ ? memo_->second : 0;
    ASSIGN_OR_RETURN(int delta, calendar_.WorkingDaysBetween(from, day));
    memo_ = std::pair{day, base + delta};
    return base + delta;
  }

 private:
  const Calendar& calendar_;
  year_month_day origin_;
  std::optional<std::pair<year_month_day, int>> memo_;
};

// What falls on one working day, plus the counts computed on the way, which tell the scans
// when a family can have no more occurrences.
struct Day {
  std::vector<Occurrence> occurrences;
  int before_count = -1;  // working days in (day, deadline), capped; set when day < deadline
  int overdue = -1;       // working days in (deadline, day]; set when day > deadline
};

// The schedule of one item that gets reminders (ASSIGNED or IN_PROGRESS): which occurrences
// fall on a given working day, ignoring any window. Holds the counters the scans share.
class Schedule {
 public:
  Schedule(const Item& item, const ReminderRules& rules, const Calendar& calendar,
           const date::time_zone* zone, std::optional<year_month_day> deadline,
           std::optional<year_month_day> assigned, std::optional<year_month_day> last_activity)
      : item_(item),
        rules_(rules),
        calendar_(calendar),
        zone_(zone),
        deadline_(deadline),
        assigned_(assigned),
        last_activity_(last_activity),
        overdue_(calendar, deadline.value_or(year_month_day{})),
        stale_(calendar, last_activity.value_or(year_month_day{})) {
    for (int n : rules.before_working_days) before_cap_ = std::max(before_cap_, n);
  }

  Result<TimePoint> At(const year_month_day& day) const {
    return LocalStart(day, std::chrono::hours{rules_.hour}, zone_);
  }

  // The escalation levels still to fire, by their "more than" thresholds; -1 = none.
  int LowestOpenThreshold() const {
    if (item_.escalation() < v1::ESCALATION_SUPERVISION) return rules_.supervision_after;
    if (item_.escalation() < v1::ESCALATION_ADMONITION) return rules_.admonition_after;
    return -1;
  }
  int HighestOpenThreshold() const {
    return item_.escalation() < v1::ESCALATION_ADMONITION ? rules_.admonition_after : -1;
  }

  // `day` must be a working day. Occurrences come in ReminderKind order, `late` unset.
  Result<Day> On(const year_month_day& day) {
    Day out;
    if (deadline_) {
      const year_month_day deadline = *deadline_;
      if (day > deadline) {
        ASSIGN_OR_RETURN(out.overdue, overdue_.At(day));
        if (rules_.overdue_daily) {
          Add(out, ReminderKind::kOverdue, "overdue", day, out.overdue,
              Recipients({&item_.owner(), &item_.leader()}));
        }
        if (out.overdue == rules_.supervision_after + 1 &&
            item_.escalation() < v1::ESCALATION_SUPERVISION) {
          Add(out, ReminderKind::kSupervision, "supervision", day, out.overdue,
              Recipients({&item_.verifier(), &item_.leader()}), v1::ESCALATION_SUPERVISION);
        }
        if (out.overdue == rules_.admonition_after + 1 &&
            item_.escalation() < v1::ESCALATION_ADMONITION) {
          Add(out, ReminderKind::kAdmonition, "admonition", day, out.overdue,
              Recipients({&item_.verifier(), &item_.leader()}), v1::ESCALATION_ADMONITION);
        }
      } else if (day == deadline) {
        if (rules_.deadline_day) AddDeadlineDay(out, day);
      } else {
        // Both checks below need only the first few working days after `day`: count no
        // further, so that a far deadline does not pull in years nobody needs yet.
        ASSIGN_OR_RETURN(out.before_count, CountWorkingDaysBefore(day, deadline));
        const int n = out.before_count + 1;  // `day` is the n-th working day before, if exact
        const auto& befores = rules_.before_working_days;
        const bool deadline_day_candidate = out.before_count == 0 && rules_.deadline_day;
        const bool before_candidate = out.before_count < before_cap_ &&
                                      (!assigned_ || day >= *assigned_) &&
                                      std::find(befores.begin(), befores.end(), n) != befores.end();
        if (deadline_day_candidate || before_candidate) {
          ASSIGN_OR_RETURN(bool deadline_working, calendar_.IsWorkingDay(deadline));
          if (deadline_day_candidate && !deadline_working) {
            // The last working day before a deadline that is not one is the deadline day; it
            // outranks a before-1 falling on the same day.
            AddDeadlineDay(out, day);
          } else if (before_candidate) {
            Add(out, ReminderKind::kBeforeDeadline, "before-" + std::to_string(n), day,
                out.before_count + (deadline_working ? 1 : 0), Recipients({&item_.owner()}));
          }
        }
      }
    }
    if (last_activity_ && day > *last_activity_) {
      ASSIGN_OR_RETURN(int idle, stale_.At(day));
      if (idle % rules_.stale_progress == 0) {
        Add(out, ReminderKind::kStaleProgress, "stale", day, idle,
            Recipients({&item_.owner(), &item_.leader()}));
      }
    }
    return out;
  }

  // Scanning backwards: after working day `day` (giving `on`), can `family` still have an
  // occurrence on an earlier day?
  bool MoreBefore(Family family, const year_month_day& day, const Day& on) const {
    switch (family) {
      case kDeadlineFamily:
        // Every earlier day has at least as many working days before the deadline: too many
        // for the deadline day (0) and for every before-N (N - 1).
        return deadline_ && !(on.before_count >= std::max(before_cap_, 1));
      case kEscalationFamily:
        // Earlier days are overdue by no more than this one.
        return deadline_ && LowestOpenThreshold() >= 0 && day > *deadline_ &&
               on.overdue > LowestOpenThreshold();
      case kStaleFamily:
        return last_activity_ && AddDays(day, -1) > *last_activity_;
      case kFamilies:
        break;
    }
    return false;
  }

  // Scanning forwards: after working day `day` (giving `on`; nullopt before the first), can
  // `family` still have an occurrence on a later day?
  bool MoreAfter(Family family, const std::optional<year_month_day>& day,
                 const std::optional<Day>& on) const {
    switch (family) {
      case kDeadlineFamily:
        return deadline_ && (rules_.overdue_daily || !day || *day < *deadline_);
      case kEscalationFamily:
        return deadline_ && HighestOpenThreshold() >= 0 &&
               (!day || *day <= *deadline_ || on->overdue <= HighestOpenThreshold());
      case kStaleFamily:
        return last_activity_.has_value();
      case kFamilies:
        break;
    }
    return false;
  }

 private:
  // Working days strictly between `day` and `deadline`, counting no further than before_cap_
  // (at least 1: the deadline-day check needs to tell 0 from more).
  Result<int> CountWorkingDaysBefore(const year_month_day& day,
                                     const year_month_day& deadline) const {
    const int cap = std::max(before_cap_, 1);
    int count = 0;
    for (date::sys_days d = date::sys_days{day} + date::days{1}; d < date::sys_days{deadline};
         d += date::days{1}) {
      ASSIGN_OR_RETURN(bool working, calendar_.IsWorkingDay(year_month_day{d}));
      if (working && ++count >= cap) break;
    }
    return count;
  }

  void AddDeadlineDay(Day& out, const year_month_day& day) const {
    Add(out, ReminderKind::kDeadlineDay, "deadline-day", day, 0,
        Recipients({&item_.owner(), &item_.leader()}));
  }

  void Add(Day& out, ReminderKind kind, std::string rule, const year_month_day& day, int days,
           std::vector<std::string> recipients,
           v1::Escalation escalation = v1::ESCALATION_NONE) const {
    Occurrence o;
    o.kind = kind;
    o.rule = std::move(rule);
    o.day = day;
    // Cannot fail: `day` is a valid date and the hour was validated.
    o.at = *At(day);
    o.recipients = std::move(recipients);
    o.escalation = escalation;
    o.days = days;
    out.occurrences.push_back(std::move(o));
  }

  const Item& item_;
  const ReminderRules& rules_;
  const Calendar& calendar_;
  const date::time_zone* zone_;
  std::optional<year_month_day> deadline_;
  std::optional<year_month_day> assigned_;
  std::optional<year_month_day> last_activity_;
  SpanCounter overdue_;  // working days in (deadline, day]
  SpanCounter stale_;    // working days in (last activity, day]
  int before_cap_ = 0;   // the largest N of before-N
};

// The latest occurrence of each family with since < at <= now, scanning back from now's day.
// With `first_only`, only whether there is any: the scan stops at the first occurrence found.
Result<std::vector<Occurrence>> CollectDue(Schedule& schedule, const Calendar& calendar,
                                           TimePoint since, TimePoint now,
                                           const date::time_zone* zone, bool first_only) {
  std::vector<Occurrence> due;
  year_month_day first = LocalDate(since, zone);
  ASSIGN_OR_RETURN(TimePoint first_at, schedule.At(first));
  if (first_at <= since) first = AddDays(first, 1);
  const year_month_day today = LocalDate(now, zone);
  year_month_day last = today;
  ASSIGN_OR_RETURN(TimePoint last_at, schedule.At(last));
  if (last_at > now) last = AddDays(last, -1);
  const year_month_day stop = std::max(first, AddDays(last, -(kReminderLookBackDays - 1)));

  // The families that can have any occurrence at all; each closes when its latest is found or
  // none can lie further back.
  std::array<bool, kFamilies> open{};
  for (int f = 0; f < kFamilies; ++f) open[f] = schedule.MoreAfter(Family(f), {}, {});
  for (year_month_day day = last;
       day >= stop && std::any_of(open.begin(), open.end(), [](bool o) { return o; });
       day = AddDays(day, -1)) {
    ASSIGN_OR_RETURN(bool working, calendar.IsWorkingDay(day));
    if (!working) continue;
    ASSIGN_OR_RETURN(Day on, schedule.On(day));
    // Within a family, a later occurrence on the same day outranks an earlier one (kind order).
    for (auto it = on.occurrences.rbegin(); it != on.occurrences.rend(); ++it) {
      const Family family = FamilyOf(it->kind);
      if (!open[family]) continue;
      open[family] = false;
      it->late = it->day < today;
      due.push_back(std::move(*it));
      if (first_only) return due;
    }
    for (int f = 0; f < kFamilies; ++f) {
      open[f] = open[f] && schedule.MoreBefore(Family(f), day, on);
    }
  }
  std::sort(due.begin(), due.end(), [](const Occurrence& a, const Occurrence& b) {
    return std::pair{date::sys_days{a.day}, a.kind} < std::pair{date::sys_days{b.day}, b.kind};
  });
  return due;
}

// The first occurrence strictly after `after`, scanning forward day by day.
Result<std::optional<TimePoint>> FindNext(Schedule& schedule, const Calendar& calendar,
                                          TimePoint after, const date::time_zone* zone) {
  auto anything_more = [&](const std::optional<year_month_day>& day, const std::optional<Day>& on) {
    for (int f = 0; f < kFamilies; ++f) {
      if (schedule.MoreAfter(Family(f), day, on)) return true;
    }
    return false;
  };
  if (!anything_more({}, {})) return std::optional<TimePoint>{};

  year_month_day day = LocalDate(after, zone);
  ASSIGN_OR_RETURN(TimePoint first_at, schedule.At(day));
  if (first_at <= after) day = AddDays(day, 1);
  for (int i = 0; i < kReminderLookAheadDays; ++i, day = AddDays(day, 1)) {
    ASSIGN_OR_RETURN(bool working, calendar.IsWorkingDay(day));
    if (!working) continue;
    ASSIGN_OR_RETURN(Day on, schedule.On(day));
    if (!on.occurrences.empty()) return std::optional<TimePoint>{on.occurrences.front().at};
    if (!anything_more(day, on)) return std::optional<TimePoint>{};
  }
  // Nothing within the look-ahead, but something may come later: look again then.
  ASSIGN_OR_RETURN(TimePoint recheck, schedule.At(day));
  return std::optional<TimePoint>{recheck};
}

Status CheckDays(const char* field, int value, int min) {
  if (value < min || value > kMaxReminderRuleDays) {
    return InvalidArgument(std::string("reminder rules: ") + field + " must be within " +
                           std::to_string(min) + "-" + std::to_string(kMaxReminderRuleDays) +
                           " working days, got " + std::to_string(value));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateReminderRules(const ReminderRules& rules) {
  if (rules.hour < 0 || rules.hour > 23) {
    return InvalidArgument("reminder rules: hour must be within 0-23, got " +
                           std::to_string(rules.hour));
  }
  const std::vector<int>& befores = rules.before_working_days;
  for (size_t i = 0; i < befores.size(); ++i) {
    RETURN_IF_ERROR(CheckDays("before_working_days", befores[i], 1));
    if (std::find(befores.begin(), befores.begin() + i, befores[i]) != befores.begin() + i) {
      return InvalidArgument("reminder rules: before_working_days lists " +
                             std::to_string(befores[i]) + " twice");
    }
  }
  RETURN_IF_ERROR(CheckDays("supervision_after", rules.supervision_after, 0));
  RETURN_IF_ERROR(CheckDays("admonition_after", rules.admonition_after, 0));
  if (rules.admonition_after <= rules.supervision_after) {
    return InvalidArgument("reminder rules: admonition_after (" +
                           std::to_string(rules.admonition_after) +
                           ") must be greater than supervision_after (" +
                           std::to_string(rules.supervision_after) + ")");
  }
  RETURN_IF_ERROR(CheckDays("stale_progress", rules.stale_progress, 1));
  return Status::Ok();
}

std::string_view ReminderKindName(ReminderKind kind) {
  switch (kind) {
    case ReminderKind::kBeforeDeadline:
      return "before_deadline";
    case ReminderKind::kDeadlineDay:
      return "deadline_day";
    case ReminderKind::kOverdue:
      return "overdue";
    case ReminderKind::kSupervision:
      return "supervision";
    case ReminderKind::kAdmonition:
      return "admonition";
    case ReminderKind::kStaleProgress:
      return "stale_progress";
  }
  return "unknown";
}

namespace {

// What both entry points start with: the checks, and the item's schedule (nullopt for a state
// that gets no reminders, which never touches the calendar).
struct Prepared {
  std::optional<year_month_day> deadline;
  std::optional<year_month_day> assigned;
  std::optional<year_month_day> last_activity;
};

Result<std::optional<Prepared>> Prepare(const Item& item, const date::time_zone* zone,
                                        const ReminderRules& rules) {
  RETURN_IF_ERROR(ValidateReminderRules(rules));
  if (zone == nullptr) return InvalidArgument("reminder policy: no time zone");
  switch (item.state()) {
    case v1::STATE_ASSIGNED:
    case v1::STATE_IN_PROGRESS:
      break;
    case v1::STATE_DRAFT:
    case v1::STATE_SUBMITTED:
    case v1::STATE_ENDORSED:
    case v1::STATE_LONG_TERM:
    case v1::STATE_CLOSED:
    case v1::STATE_CANCELLED:
      return std::optional<Prepared>{};  // nothing now, nothing ever (until the state changes)
    default:
      return InvalidArgument("item " + item.id() + ": no reminders for state " +
                             std::to_string(static_cast<int>(item.state())));
  }

  Prepared p;
  if (!item.deadline().empty()) {
    Result<year_month_day> parsed = ParseDate(item.deadline());
    if (!parsed.ok()) return parsed.status().Prefixed("item " + item.id() + " deadline");
    p.deadline = *parsed;
  }
  // before-N reminders never fall before the item was assigned (or, lacking that, created).
  if (item.has_assigned_at()) {
    p.assigned = LocalDate(ToTimePoint(item.assigned_at()), zone);
  } else if (item.has_created_at()) {
    p.assigned = LocalDate(ToTimePoint(item.created_at()), zone);
  }
  p.last_activity = LastActivityDate(item, zone);
  return std::optional<Prepared>{p};
}

}  // namespace

Result<PolicyResult> EvaluateReminders(const Item& item, TimePoint since, TimePoint now,
                                       const date::time_zone* zone, const Calendar& calendar,
                                       const ReminderRules& rules) {
  ASSIGN_OR_RETURN(std::optional<Prepared> p, Prepare(item, zone, rules));
  if (!p) return PolicyResult{};
  Schedule schedule(item, rules, calendar, zone, p->deadline, p->assigned, p->last_activity);
  PolicyResult result;
  if (since < now) {
    ASSIGN_OR_RETURN(result.due,
                     CollectDue(schedule, calendar, since, now, zone, /*first_only=*/false));
  }
  ASSIGN_OR_RETURN(result.next, FindNext(schedule, calendar, std::max(since, now), zone));
  return result;
}

Result<std::optional<TimePoint>> NextReminderAt(const Item& item, TimePoint since, TimePoint now,
                                                const date::time_zone* zone,
                                                const Calendar& calendar,
                                                const ReminderRules& rules) {
  ASSIGN_OR_RETURN(std::optional<Prepared> p, Prepare(item, zone, rules));
  if (!p) return std::optional<TimePoint>{};
  Schedule schedule(item, rules, calendar, zone, p->deadline, p->assigned, p->last_activity);
  if (since < now) {
    ASSIGN_OR_RETURN(std::vector<Occurrence> due,
                     CollectDue(schedule, calendar, since, now, zone, /*first_only=*/true));
    if (!due.empty()) return std::optional<TimePoint>{now};
  }
  return FindNext(schedule, calendar, std::max(since, now), zone);
}

}  // namespace rectify::domain
