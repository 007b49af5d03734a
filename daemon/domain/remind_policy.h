#pragma once

// The reminder policy (提醒规则): which reminders are due for one item in a window of time, and
// the next instant one can fall due. A pure function of (item, since, now, zone, calendar,
// rules): no I/O, no clock reads, no globals. The reminder scheduler calls it on the engine's
// thread when an item's entry in the due index comes up (and after every change to the item);
// `rectifyctl remind run` goes through the same scheduler. Safe from any thread.
//
// Rules (DOMAIN.md "Warning lights and reminders"; every number is a ReminderRules field).
// Occurrences fall on working days only, at `hour` local time in `zone`.
//
//   family      rule            day                                        to
//   deadline    before-N        AddWorkingDays(deadline, -N), not before   owner
//                               the assigned date
//               deadline-day    the deadline if it is a working day, else  owner, leader
//                               the last working day before it
//               overdue         every working day after the deadline       owner, leader
//   escalation  supervision     the first working day overdue by more than verifier, leader
//                               supervision_after working days (督办)
//               admonition      the same for admonition_after (约谈)       verifier, leader
//   stale       stale           every stale_progress-th working day after  owner, leader
//                               the last activity (LastActivityDate)
//
// Only ASSIGNED and IN_PROGRESS items get reminders: SUBMITTED and ENDORSED wait on the leader
// or verifier, a DRAFT is nobody's work yet, LONG_TERM, CLOSED and CANCELLED are done with.
// An item without a deadline gets only stale reminders. At most one deadline-family reminder
// falls on a day: the most urgent wins (overdue > deadline-day > before-1 > before-5), so when
// the deadline is a holiday the deadline-day reminder replaces before-1 on the working day
// before it. An escalation fires only if item.escalation() is below its level; the caller
// records Occurrence::escalation on the item in the same batch as the reminder.
//
// The window. An occurrence at instant t is due iff since < t <= now; `since` is when this item
// was last evaluated (the scheduler stores it). The whole window is judged by the item as it is
// now (its state, deadline and escalation). After downtime a window spans several days: of each
// family only the latest occurrence is returned (for escalations that is the highest level,
// which implies the lower ones), marked `late` if its day is before today's local date. So a
// daemon down for three days sends one late overdue reminder, not three. A window longer than
// kReminderLookBackDays only looks at its last kReminderLookBackDays days: older occurrences
// would be collapsed away anyway.
//
// `next` assumes the caller stores since = max(since, now) after this call: it is the first
// instant t > max(since, now) at which an occurrence falls, i.e. the earliest `now` at which a
// later call with that `since` returns something, if the item does not change. nullopt means
// nothing can ever fall due for the item as it is. The search looks ahead at most
// kReminderLookAheadDays calendar days; if it finds nothing there but something could still
// come (a deadline further away than that, on an item with no timestamp to go stale from),
// `next` is that many days' `hour` as a re-check: early, never late.
//
// The calendar is consulted only for the days an answer depends on (the days in the window, the
// days up to the next occurrence, the spans that give `days`); a missing year among those is
// the calendar's FailedPrecondition naming the year, never a guess. Items in states that get no
// reminders never touch the calendar.

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/calendar.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

// How far `next` looks ahead, and how far back a long window is searched: two years of days.
inline constexpr int kReminderLookAheadDays = 732;
inline constexpr int kReminderLookBackDays = 732;
// The largest working-day count a rule may use (about a year of working days), so that every
// periodic or threshold occurrence lies well within the look-ahead.
inline constexpr int kMaxReminderRuleDays = 250;

// Defaults from DOMAIN.md; config/ reads the operator's values.
struct ReminderRules {
  int hour = 9;                                   // local hour reminders go out, working days only
  std::vector<int> before_working_days = {5, 1};  // before-N, to the owner
  bool deadline_day = true;                       // on the deadline day, to owner and leader
  bool overdue_daily = true;  // every working day while overdue, to owner and leader
  int supervision_after = 5;  // overdue MORE than this many working days -> 督办
  int admonition_after = 10;  // more than this -> 约谈
  int stale_progress = 10;    // no progress for this many working days -> stale
};

// InvalidArgument naming the field: hour within 0-23; before_working_days each within
// 1-kMaxReminderRuleDays and distinct (may be empty); 0 <= supervision_after <
// admonition_after <= kMaxReminderRuleDays; 1 <= stale_progress <= kMaxReminderRuleDays.
Status ValidateReminderRules(const ReminderRules& rules);

enum class ReminderKind {
  kBeforeDeadline,
  kDeadlineDay,
  kOverdue,
  kSupervision,
  kAdmonition,
  kStaleProgress,
};

// "before_deadline", "deadline_day", "overdue", "supervision", "admonition", "stale_progress".
std::string_view ReminderKindName(ReminderKind kind);

struct Occurrence {
  ReminderKind kind;
  // Stable rule id, part of the idempotency key: "before-5", "before-1", "deadline-day",
  // "overdue", "supervision", "admonition", "stale".
  std::string rule;
  date::year_month_day day;                  // the working day it belongs to (local)
  std::chrono::system_clock::time_point at;  // `day` at `hour` local: when it was due
  // Person names in the order of the table above, empty names dropped, duplicates dropped.
  std::vector<std::string> recipients;
  // For supervision/admonition: the level to record on the item. ESCALATION_NONE otherwise.
  v1::Escalation escalation = v1::ESCALATION_NONE;
  // before-N: working days left, WorkingDaysBetween(day, deadline) (N, or N - 1 when the
  // deadline itself is not a working day); deadline-day: 0; overdue and escalations: working
  // days overdue, WorkingDaysBetween(deadline, day); stale: working days without progress,
  // WorkingDaysBetween(last activity, day).
  int days = 0;
  bool late = false;  // `day` is before today's local date: collapsed after downtime
};

struct PolicyResult {
  // What to fire now, ordered by day, then by kind (the enum's order).
  std::vector<Occurrence> due;
  // The first instant > max(since, now) at which something falls due; nullopt = never.
  std::optional<std::chrono::system_clock::time_point> next;
};

// What is due for `item` in (since, now], and when to look again (see the file comment).
// Errors: InvalidArgument for invalid rules, a null zone, an unset or unknown state or an
// unparsable deadline (on an item that gets reminders); FailedPrecondition from the calendar.
Result<PolicyResult> EvaluateReminders(const v1::Item& item,
                                       std::chrono::system_clock::time_point since,
                                       std::chrono::system_clock::time_point now,
                                       const date::time_zone* zone, const Calendar& calendar,
                                       const ReminderRules& rules);

// When the scheduler should next look at `item`, as it stores it after each change: `now` if
// anything falls due in (since, now], else EvaluateReminders' `next` (nullopt: never). The same
// answer as EvaluateReminders without collecting the window: the scan back from `now` stops at
// the first occurrence it meets, so an item last evaluated long ago costs the days back to its
// latest occurrence, not the whole window.
Result<std::optional<std::chrono::system_clock::time_point>> NextReminderAt(
    const v1::Item& item, std::chrono::system_clock::time_point since,
    std::chrono::system_clock::time_point now, const date::time_zone* zone,
    const Calendar& calendar, const ReminderRules& rules);

}  // namespace rectify::domain
