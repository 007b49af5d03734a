#include "domain/lights.h"

#include <chrono>
#include <string>

#include "domain/dates.h"

namespace rectify::domain {
namespace {

using rectify::v1::Item;
using rectify::v1::Light;
using rectify::v1::State;

// The states a deadline still binds. Unlike workflow's IsOpen, LONG_TERM is not among them.
bool TracksDeadline(State state) {
  switch (state) {
    case rectify::v1::STATE_DRAFT:
    case rectify::v1::STATE_ASSIGNED:
    case rectify::v1::STATE_IN_PROGRESS:
    case rectify::v1::STATE_SUBMITTED:
    case rectify::v1::STATE_ENDORSED:
      return true;
    default:
      return false;
  }
}

bool BeforeSubmitted(State state) {
  return state == rectify::v1::STATE_DRAFT || state == rectify::v1::STATE_ASSIGNED ||
         state == rectify::v1::STATE_IN_PROGRESS;
}

bool CanGoStale(State state) {
  return state == rectify::v1::STATE_ASSIGNED || state == rectify::v1::STATE_IN_PROGRESS;
}

std::chrono::system_clock::time_point ToTimePoint(const google::protobuf::Timestamp& ts) {
  const auto since_epoch =
      std::chrono::seconds{ts.seconds()} + std::chrono::nanoseconds{ts.nanos()};
  return std::chrono::system_clock::time_point{
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch)};
}

Status BadDay(const date::year_month_day& day) {
  return InvalidArgument("invalid date " + FormatDate(day));
}

}  // namespace

Status ValidateLightRules(const LightRules& rules) {
  if (rules.blue_within_working_days < 0) {
    return InvalidArgument("blue_within_working_days must be >= 0, got " +
                           std::to_string(rules.blue_within_working_days));
  }
  if (rules.yellow_within_working_days < 0) {
    return InvalidArgument("yellow_within_working_days must be >= 0, got " +
                           std::to_string(rules.yellow_within_working_days));
  }
  if (rules.stale_progress_working_days < 1) {
    return InvalidArgument("stale_progress_working_days must be >= 1, got " +
                           std::to_string(rules.stale_progress_working_days));
  }
  return Status::Ok();
}

Result<bool> IsDeadlineWithin(const Calendar& calendar, const date::year_month_day& today,
                              const date::year_month_day& deadline, int n) {
  if (!today.ok()) return BadDay(today);
  if (!deadline.ok()) return BadDay(deadline);
  if (n < 0) return InvalidArgument("working-day count must be >= 0, got " + std::to_string(n));
  const date::sys_days from{today};
  const date::sys_days to{deadline};
  if (to < from) return false;
  // No more working days than calendar days: decided without the calendar.
  if ((to - from).count() <= n) return true;
  // Count working days in (today, deadline], stopping as soon as there are too many, so that
  // only the days that decide the answer are looked up.
  int count = 0;
  for (date::sys_days d = from + date::days{1}; d <= to; d += date::days{1}) {
    ASSIGN_OR_RETURN(bool working, calendar.IsWorkingDay(date::year_month_day{d}));
    if (working && ++count > n) return false;
  }
  return true;
}

Result<bool> IsStale(const Calendar& calendar, const date::year_month_day& last_activity,
                     const date::year_month_day& today, int n) {
  if (!last_activity.ok()) return BadDay(last_activity);
  if (!today.ok()) return BadDay(today);
  if (n < 1) return InvalidArgument("working-day count must be >= 1, got " + std::to_string(n));
  const date::sys_days from{last_activity};
  const date::sys_days to{today};
  if ((to - from).count() < n) return false;  // fewer calendar days than n (or in the future)
  // Count working days in (last_activity, today] from today backwards, stopping at n.
  int count = 0;
  for (date::sys_days d = to; d > from; d -= date::days{1}) {
    ASSIGN_OR_RETURN(bool working, calendar.IsWorkingDay(date::year_month_day{d}));
    if (working && ++count >= n) return true;
  }
  return false;
}

std::optional<date::year_month_day> LastActivityDate(const Item& item,
                                                     const date::time_zone* zone) {
  if (item.has_last_progress_at()) return LocalDate(ToTimePoint(item.last_progress_at()), zone);
  if (item.has_assigned_at()) return LocalDate(ToTimePoint(item.assigned_at()), zone);
  if (item.has_created_at()) return LocalDate(ToTimePoint(item.created_at()), zone);
  return std::nullopt;
}

bool IsOverdue(const Item& item, const date::year_month_day& today) {
  if (!TracksDeadline(item.state()) || item.deadline().empty()) return false;
  Result<date::year_month_day> deadline = ParseDate(item.deadline());
  return deadline.ok() && *deadline < today;
}

Result<Light> ComputeLight(const Item& item, const date::year_month_day& today,
                           const date::time_zone* zone, const Calendar& calendar,
                           const LightRules& rules) {
  RETURN_IF_ERROR(ValidateLightRules(rules));
  if (!today.ok()) return BadDay(today);
  const State state = item.state();
  switch (state) {
    case rectify::v1::STATE_CLOSED:
    case rectify::v1::STATE_CANCELLED:
      return rectify::v1::LIGHT_UNSPECIFIED;
    case rectify::v1::STATE_LONG_TERM:
      return rectify::v1::LIGHT_GREEN;
    default:
      if (!TracksDeadline(state)) {
        return InvalidArgument("item " + item.id() + ": no light for state " +
                               std::to_string(static_cast<int>(state)));
      }
  }

  std::optional<date::year_month_day> deadline;
  if (!item.deadline().empty()) {
    Result<date::year_month_day> parsed = ParseDate(item.deadline());
    if (!parsed.ok()) return parsed.status().Prefixed("item " + item.id() + " deadline");
    deadline = *parsed;
  }

  if (deadline && *deadline < today) return rectify::v1::LIGHT_RED;

  if (deadline && BeforeSubmitted(state)) {
    ASSIGN_OR_RETURN(
        bool soon, IsDeadlineWithin(calendar, today, *deadline, rules.yellow_within_working_days));
    if (soon) return rectify::v1::LIGHT_YELLOW;
  }
  if (CanGoStale(state)) {
    if (std::optional<date::year_month_day> last = LastActivityDate(item, zone)) {
      ASSIGN_OR_RETURN(bool stale,
                       IsStale(calendar, *last, today, rules.stale_progress_working_days));
      if (stale) return rectify::v1::LIGHT_YELLOW;
    }
  }
  if (deadline) {
    ASSIGN_OR_RETURN(bool near,
                     IsDeadlineWithin(calendar, today, *deadline, rules.blue_within_working_days));
    if (near) return rectify::v1::LIGHT_BLUE;
  }
  return rectify::v1::LIGHT_GREEN;
}

std::string_view LightName(Light light) {
  std::string_view n = rectify::v1::Light_Name(light);
  return n.substr(n.find('_') + 1);
}

}  // namespace rectify::domain
