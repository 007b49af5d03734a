#pragma once

// Arguments of `rectifyctl admin set-clock`, which moves the clock of a daemon started with
// --test-clock (AdminService.SetClock):
//   --to TIME         an RFC 3339 instant with its offset: 2026-06-30T09:00:00+08:00,
//                     2026-06-30T01:00:00Z, fractions of a second allowed
//   --advance D       a signed duration: one or more NUMBER UNIT parts, unit s, m, h or d
//                     (90s, 15m, 3h, 2d, 1h30m, -1h); a sign goes only in front and applies to
//                     the whole duration; at most 36500 days either way
// The client only checks the spelling; the daemon decides what the new time means.

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string_view>

#include "client/parsed.h"

namespace rectify::client {

// The duration in seconds; the message names `flag` on error.
Parsed<int64_t> ParseDurationSeconds(std::string_view flag, std::string_view text);

// An RFC 3339 instant with an explicit offset ("Z" or "+08:00"). Without one the instant would
// depend on the zone of whoever typed it, so it is refused rather than guessed.
Parsed<google::protobuf::Timestamp> ParseRfc3339(std::string_view flag, std::string_view text);

}  // namespace rectify::client
