#pragma once

// Warning lights (预警灯) and the overdue flag: derived from an item, today's date and the
// working-day calendar on every read, never stored as truth. The engine calls ComputeLight and
// IsOverdue when it returns an item; reports and the reminder policy use the same predicates
// (IsDeadlineWithin, IsStale) so that a light and a reminder never disagree. Pure functions,
// any thread.
//
// The rules (DOMAIN.md "Warning lights and reminders"), first match wins:
//   none   CLOSED or CANCELLED (LIGHT_UNSPECIFIED).
//   GREEN  LONG_TERM: the deadline was met for now and the item is under follow-up, so no
//          deadline light and never overdue; follow-up reminders are the reminder policy's job.
//   RED    overdue: an open item whose deadline is before today.
//   YELLOW the deadline is within `yellow_within_working_days` and the item is not yet
//          submitted (DRAFT, ASSIGNED, IN_PROGRESS);
//          or the item is stale: ASSIGNED or IN_PROGRESS (the owner's move) and no progress for
//          `stale_progress_working_days`. A DRAFT is not yet anyone's work; SUBMITTED and
//          ENDORSED wait on the leader or verifier, not on progress notes.
//   BLUE   the deadline is within `blue_within_working_days` (any open state).
//   GREEN  otherwise, including an open item without a deadline that is not stale.
// Open here = DRAFT, ASSIGNED, IN_PROGRESS, SUBMITTED, ENDORSED: the states a deadline binds.
// (workflow.h's IsOpen also counts LONG_TERM; for lights and overdue it does not.)
//
// "Within N working days": today <= deadline and at most N working days lie in (today,
// deadline]. With N = 5 and today a Monday with no holidays near: a deadline on the next Monday
// (5 working days on) is within, the next Tuesday (6) is not; a deadline on the coming Sunday
// counts the working days up to it (4). A deadline today is within for every N >= 0; a deadline
// yesterday is overdue instead.
//
// "No progress for N working days": at least N working days lie in (last activity, today],
// where the last activity is the local date of last_progress_at, else assigned_at, else
// created_at. Progress on a Monday with no holidays near goes stale (N = 10) on the Monday two
// weeks later. Timestamps become local dates in the configured zone, which is why ComputeLight
// takes it.
//
// The calendar is consulted only for the days an answer depends on; if one of those days is
// in a year the calendar lacks, the call fails with the calendar's FailedPrecondition naming the
// year, and the caller decides what to show.

#include <optional>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

#include "common/status.h"
#include "domain/calendar.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

// Defaults from DOMAIN.md; config/ reads the operator's values.
struct LightRules {
  int blue_within_working_days = 5;
  int yellow_within_working_days = 3;
  int stale_progress_working_days = 10;
};

// InvalidArgument naming the field: the "within" numbers must be >= 0, the stale one >= 1.
Status ValidateLightRules(const LightRules& rules);

// An open item (see above) with a deadline before today. No deadline, or one that does not
// parse (item_rules never stores such), is never overdue; nor is a closed, cancelled or
// long-term item. The deadline day itself is not overdue.
bool IsOverdue(const rectify::v1::Item& item, const date::year_month_day& today);

// The light for `item` on `today` (the local date in `zone`, see LocalDate). `zone` turns the
// item's timestamps into local dates. Errors: InvalidArgument for an unset or unknown state, an
// unparsable deadline or invalid rules; FailedPrecondition from the calendar.
Result<rectify::v1::Light> ComputeLight(const rectify::v1::Item& item,
                                        const date::year_month_day& today,
                                        const date::time_zone* zone, const Calendar& calendar,
                                        const LightRules& rules);

// "GREEN" for LIGHT_GREEN: the label metrics and logs use.
std::string_view LightName(rectify::v1::Light light);

// True if today <= deadline and at most n (>= 0) working days lie in (today, deadline].
Result<bool> IsDeadlineWithin(const Calendar& calendar, const date::year_month_day& today,
                              const date::year_month_day& deadline, int n);

// True if at least n (>= 1) working days lie in (last_activity, today].
Result<bool> IsStale(const Calendar& calendar, const date::year_month_day& last_activity,
                     const date::year_month_day& today, int n);

// The local date the item last moved: last_progress_at, else assigned_at, else created_at;
// nullopt if none is set.
std::optional<date::year_month_day> LastActivityDate(const rectify::v1::Item& item,
                                                     const date::time_zone* zone);

}  // namespace rectify::domain
