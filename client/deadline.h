#pragma once

// Deadline and date arguments.
//
// `--deadline` (create) and `--to` (extend) accept three spellings, sent to the daemon as a
// DeadlineSpec with `from` empty so the daemon counts from today in its own time zone and with
// its own holiday calendar (the client never computes dates):
//   2026-06-30   a date          -> DeadlineSpec.date
//   30d          calendar days   -> DeadlineSpec.calendar_days = 30
//   15wd         working days    -> DeadlineSpec.working_days = 15
// The suffixes are case-insensitive; N is 1..36500.

#include <string>
#include <string_view>

#include "client/parsed.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

// True for a real calendar date written YYYY-MM-DD (2026-02-30 is false).
bool IsDate(std::string_view text);

// A date argument such as --deadline-from; the message names `flag` when it is not a date.
Parsed<std::string> ParseDate(std::string_view flag, std::string_view text);

Parsed<v1::DeadlineSpec> ParseDeadlineSpec(std::string_view flag, std::string_view text);

// A signed working-day count for `calendar add-workdays DATE N`: an integer in -36500..36500,
// written with digits and an optional sign ("5", "-5", "+5"; not "5wd", "1e3" or "").
Parsed<int> ParseWorkingDayCount(std::string_view what, std::string_view text);

}  // namespace rectify::client
