#include "client/clock_args.h"

#include <google/protobuf/util/time_util.h>

#include <cctype>
#include <string>

namespace rectify::client {
namespace {

constexpr int64_t kMaxSeconds = int64_t{36500} * 86400;

std::string DurationSyntax(std::string_view flag, std::string_view text) {
  return "invalid duration '" + std::string(text) + "' for " + std::string(flag) +
         "; expected a number with a unit s, m, h or d (90s, 15m, 3h, 2d, 1h30m), optionally "
         "signed (-1h)";
}

int64_t UnitSeconds(char unit) {
  switch (std::tolower(static_cast<unsigned char>(unit))) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    default:
      return 0;
  }
}

}  // namespace

Parsed<int64_t> ParseDurationSeconds(std::string_view flag, std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '-' || rest.front() == '+')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty()) return Parsed<int64_t>::Error(DurationSyntax(flag, text));
  int64_t total = 0;
  while (!rest.empty()) {
    // NUMBER: digits only (no sign, no fraction), then exactly one unit letter.
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    if (digits == 0 || digits == rest.size()) {
      return Parsed<int64_t>::Error(DurationSyntax(flag, text));
    }
    const int64_t unit = UnitSeconds(rest[digits]);
    if (unit == 0) return Parsed<int64_t>::Error(DurationSyntax(flag, text));
    int64_t number = 0;
    for (size_t i = 0; i < digits; ++i) {
      number = number * 10 + (rest[i] - '0');
      if (number > kMaxSeconds) break;  // already too long, whatever the unit
    }
    if (number > kMaxSeconds || number * unit > kMaxSeconds - total) {
      return Parsed<int64_t>::Error("invalid duration '" + std::string(text) + "' for " +
                                    std::string(flag) + "; at most 36500d either way");
    }
    total += number * unit;
    rest.remove_prefix(digits + 1);
  }
  return negative ? -total : total;
}

Parsed<google::protobuf::Timestamp> ParseRfc3339(std::string_view flag, std::string_view text) {
  google::protobuf::Timestamp time;
  // TimeUtil wants "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" and rejects anything else,
  // including a missing offset.
  if (!google::protobuf::util::TimeUtil::FromString(std::string(text), &time)) {
    return Parsed<google::protobuf::Timestamp>::Error(
        "invalid time '" + std::string(text) + "' for " + std::string(flag) +
        "; expected RFC 3339 with an offset, e.g. 2026-06-30T09:00:00+08:00 or "
        "2026-06-30T01:00:00Z");
  }
  return time;
}

}  // namespace rectify::client
