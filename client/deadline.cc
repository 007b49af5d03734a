#include "client/deadline.h"

#include <cctype>
#include <charconv>
#include <chrono>

namespace rectify::client {
namespace {

constexpr int kMaxDays = 36500;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int ToInt(std::string_view digits) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return ec == std::errc() && ptr == digits.data() + digits.size() ? value : -1;
}

bool EndsWithNoCase(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(tail[i])) != suffix[i]) return false;
  }
  return true;
}

std::string Syntax(std::string_view flag, std::string_view text) {
  return "invalid value '" + std::string(text) + "' for " + std::string(flag) +
         "; expected YYYY-MM-DD, Nd (calendar days from today) or Nwd (working days from today)";
}

}  // namespace

bool IsDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  const std::string_view y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!AllDigits(y) || !AllDigits(m) || !AllDigits(d)) return false;
  const std::chrono::year_month_day date{std::chrono::year{ToInt(y)},
                                         std::chrono::month{static_cast<unsigned>(ToInt(m))},
                                         std::chrono::day{static_cast<unsigned>(ToInt(d))}};
  return date.ok() && ToInt(y) >= 1900;
}

Parsed<std::string> ParseDate(std::string_view flag, std::string_view text) {
  if (!IsDate(text)) {
    return Parsed<std::string>::Error("invalid date '" + std::string(text) + "' for " +
                                      std::string(flag) + "; expected YYYY-MM-DD");
  }
  return std::string(text);
}

Parsed<v1::DeadlineSpec> ParseDeadlineSpec(std::string_view flag, std::string_view text) {
  v1::DeadlineSpec spec;
  if (IsDate(text)) {
    spec.set_date(std::string(text));
    return spec;
  }
  // Check "wd" before "d": "15wd" also ends in "d".
  const bool working = EndsWithNoCase(text, "wd");
  const bool calendar = !working && EndsWithNoCase(text, "d");
  if (!working && !calendar) return Parsed<v1::DeadlineSpec>::Error(Syntax(flag, text));
  const std::string_view digits = text.substr(0, text.size() - (working ? 2 : 1));
  const int n = AllDigits(digits) && digits.size() <= 6 ? ToInt(digits) : -1;
  if (n < 1 || n > kMaxDays) {
    if (AllDigits(digits)) {
      return Parsed<v1::DeadlineSpec>::Error(
          "invalid value '" + std::string(text) + "' for " + std::string(flag) +
          "; the number of days must be 1.." + std::to_string(kMaxDays));
    }
    return Parsed<v1::DeadlineSpec>::Error(Syntax(flag, text));
  }
  if (working) {
    spec.set_working_days(n);
  } else {
    spec.set_calendar_days(n);
  }
  return spec;
}

Parsed<int> ParseWorkingDayCount(std::string_view what, std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  const int n = AllDigits(digits) && digits.size() <= 6 ? ToInt(digits) : -1;
  if (n < 0 || n > kMaxDays) {
    return Parsed<int>::Error("invalid value '" + std::string(text) + "' for " + std::string(what) +
                              "; expected a whole number of working days in -" +
                              std::to_string(kMaxDays) + ".." + std::to_string(kMaxDays));
  }
  return negative ? -n : n;
}

}  // namespace rectify::client
