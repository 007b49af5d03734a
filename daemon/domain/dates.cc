#include "domain/dates.h"

#include <cstdio>
#include <exception>
#include <string>

namespace rectify::domain {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of text[pos, pos + len), which the caller has checked holds only digits.
int Digits(std::string_view text, size_t pos, size_t len) {
  int value = 0;
  for (size_t i = pos; i < pos + len; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

Status BadDate(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid date \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

Result<date::year_month_day> ParseDate(std::string_view text) {
  // Hand-rolled rather than date::parse: that one is stream based, accepts one-digit fields and
  // leaves trailing text unread unless asked, all of which we want to reject.
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return BadDate(text, "expected YYYY-MM-DD");
  }
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) return BadDate(text, "expected YYYY-MM-DD");
  }
  const int y = Digits(text, 0, 4);
  const int m = Digits(text, 5, 2);
  const int d = Digits(text, 8, 2);
  if (y == 0) return BadDate(text, "year 0000 does not exist");
  if (m < 1 || m > 12) return BadDate(text, "month must be 01-12");
  const date::year_month_day day{date::year{y}, date::month{static_cast<unsigned>(m)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!day.ok()) return BadDate(text, "no such day in that month");
  return day;
}

std::string FormatDate(const date::year_month_day& day) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(day.year()),
                static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
  return buf;
}

Result<const date::time_zone*> LocateZone(std::string_view name) {
  // date reports an unknown zone, and a missing or unreadable /usr/share/zoneinfo, by throwing
  // std::runtime_error. Stop that here. get_info() forces the zone's file to be read now, so a
  // damaged file fails here too rather than inside a later pure computation.
  try {
    const date::time_zone* zone = date::locate_zone(name);
    (void)zone->get_info(date::sys_seconds{});
    return zone;
  } catch (const std::exception& e) {
    return InvalidArgument("unknown time zone \"" + std::string(name) +
                           "\" (expected an IANA name such as Asia/Shanghai): " + e.what());
  }
}

date::year_month_day LocalDate(std::chrono::system_clock::time_point instant,
                               const date::time_zone* zone) {
  const auto local = zone->to_local(instant);
  return date::year_month_day{date::floor<date::days>(local)};
}

Result<std::chrono::system_clock::time_point> LocalStart(const date::year_month_day& day,
                                                         std::chrono::minutes time_of_day,
                                                         const date::time_zone* zone) {
  if (!day.ok()) return InvalidArgument("invalid date " + FormatDate(day));
  if (time_of_day < std::chrono::minutes{0} || time_of_day >= std::chrono::hours{24}) {
    return InvalidArgument("time of day must be within 00:00-23:59, got " +
                           std::to_string(time_of_day.count()) + " minutes");
  }
  const date::local_time<std::chrono::minutes> wall = date::local_days{day} + time_of_day;
  // choose::earliest never throws: ambiguous -> earlier instant, nonexistent -> the transition.
  const auto instant = zone->to_sys(wall, date::choose::earliest);
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(instant);
}

}  // namespace rectify::domain
