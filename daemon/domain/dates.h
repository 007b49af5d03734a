#pragma once

// Dates and time zones for the ledger. A deadline is a local calendar date ("YYYY-MM-DD") in the
// configured zone (default Asia/Shanghai); instants are std::chrono::system_clock time points.
// These helpers are the only place the two meet.
//
// Pure functions, callable from any thread. The zone pointer comes from LocateZone() and points
// into date's process-wide tz database, which lives until exit. Nothing here throws: date's
// exceptions are caught in LocateZone, and every other call is on paths that cannot throw.

#include <chrono>
#include <string>
#include <string_view>

#include <date/date.h>
#include <date/tz.h>

#include "common/status.h"

namespace rectify::domain {

// Strict "YYYY-MM-DD": exactly ten characters, zero-padded, a real calendar date, years
// 0001-9999. Rejects "2026-2-3", "2026-02-30", " 2026-02-03", "2026-02-03x" and the like.
// Errors are InvalidArgument and quote the input.
Result<date::year_month_day> ParseDate(std::string_view text);

// "YYYY-MM-DD" for years 0001-9999. The fields are printed as they are, so an invalid date such
// as 2026-02-30 prints as such (and ParseDate rejects it).
std::string FormatDate(const date::year_month_day& day);

// The zone with this IANA name ("Asia/Shanghai"), from the OS tz database. Unknown names and an
// unreadable database are InvalidArgument naming the zone. The zone's data is loaded here, so
// later calls with the returned pointer do no I/O.
Result<const date::time_zone*> LocateZone(std::string_view name);

// The local calendar date of an instant in `zone` (non-null). 2026-01-01T16:30Z is 2026-01-02 in
// Asia/Shanghai.
date::year_month_day LocalDate(std::chrono::system_clock::time_point instant,
                               const date::time_zone* zone);

// The instant at which `day` reaches `time_of_day` (00:00 <= time_of_day < 24:00) on the wall
// clock of `zone`, e.g. 09:00 Asia/Shanghai for the reminder scheduler. Around a DST change
// (not in China, but the zone is configurable): a wall time that happens twice resolves to the
// earlier instant; one that never happens (skipped by a forward jump) resolves to the instant
// of the jump, the first moment the wall clock reads later than it.
// InvalidArgument if the day is not a valid date or the time of day is out of range.
Result<std::chrono::system_clock::time_point> LocalStart(const date::year_month_day& day,
                                                         std::chrono::minutes time_of_day,
                                                         const date::time_zone* zone);

}  // namespace rectify::domain
