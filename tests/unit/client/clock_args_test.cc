#include "client/clock_args.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

namespace rectify::client {
namespace {

int64_t Seconds(std::string_view text) {
  const auto parsed = ParseDurationSeconds("--advance", text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.error();
  return parsed.ok() ? parsed.value() : -999'999;
}

TEST(ParseDurationSeconds, EachUnit) {
  EXPECT_EQ(Seconds("90s"), 90);
  EXPECT_EQ(Seconds("15m"), 15 * 60);
  EXPECT_EQ(Seconds("3h"), 3 * 3600);
  EXPECT_EQ(Seconds("2d"), 2 * 86400);
  EXPECT_EQ(Seconds("2D"), 2 * 86400);  // unit letters in either case
  EXPECT_EQ(Seconds("0s"), 0);          // a valid spelling; set-clock refuses it (cli_test)
}

TEST(ParseDurationSeconds, SignAppliesToTheWhole) {
  EXPECT_EQ(Seconds("-1h"), -3600);
  EXPECT_EQ(Seconds("+1h"), 3600);
  EXPECT_EQ(Seconds("1h30m"), 5400);
  EXPECT_EQ(Seconds("-1h30m"), -5400);  // -(1h30m), not -1h + 30m
  EXPECT_EQ(Seconds("1d2h3m4s"), 86400 + 7200 + 180 + 4);
}

TEST(ParseDurationSeconds, Limits) {
  EXPECT_EQ(Seconds("36500d"), int64_t{36500} * 86400);
  EXPECT_EQ(Seconds("-36500d"), -int64_t{36500} * 86400);
  EXPECT_FALSE(ParseDurationSeconds("--advance", "36501d").ok());
  EXPECT_FALSE(ParseDurationSeconds("--advance", "36500d1s").ok());
  // Far too many digits must be an error, not an overflow that wraps to something small.
  EXPECT_FALSE(ParseDurationSeconds("--advance", "99999999999999999999s").ok());
  EXPECT_FALSE(ParseDurationSeconds("--advance", "18446744073709551617s").ok());
}

TEST(ParseDurationSeconds, BadSpellings) {
  for (const char* bad :
       {"",       "-",    "+",    "5",    "-5",  "h",    "1.5h", "5x",   "5 h", " 5h", "5h ",
        "1h-30m", "--1h", "+-1h", "1h30", "1hh", "5sec", "PT5M", "1e3s", "½h",  "５h"}) {
    const auto parsed = ParseDurationSeconds("--advance", bad);
    EXPECT_FALSE(parsed.ok()) << "'" << bad << "' gave " << (parsed.ok() ? parsed.value() : 0);
  }
  const auto parsed = ParseDurationSeconds("--advance", "5x");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().find("'5x'"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("--advance"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("-1h"), std::string::npos) << parsed.error();
}

TEST(ParseRfc3339, OffsetsNameTheSameInstant) {
  const auto utc = ParseRfc3339("--to", "2026-06-30T01:00:00Z");
  const auto cst = ParseRfc3339("--to", "2026-06-30T09:00:00+08:00");
  ASSERT_TRUE(utc.ok()) << utc.error();
  ASSERT_TRUE(cst.ok()) << cst.error();
  EXPECT_EQ(utc.value().seconds(), 1782781200);
  EXPECT_EQ(cst.value().seconds(), utc.value().seconds());
  EXPECT_EQ(utc.value().nanos(), 0);
  const auto frac = ParseRfc3339("--to", "2026-06-30T01:00:00.250Z");
  ASSERT_TRUE(frac.ok()) << frac.error();
  EXPECT_EQ(frac.value().nanos(), 250'000'000);
}

TEST(ParseRfc3339, RefusesTimesWithoutOffsetAndOtherShapes) {
  for (const char* bad : {"2026-06-30T09:00:00", "2026-06-30", "2026-06-30 09:00", "09:00", "",
                          "now", "+1h", "2026-02-30T09:00:00Z", "2026-06-30T25:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339("--to", bad).ok()) << bad;
  }
  const auto parsed = ParseRfc3339("--to", "2026-06-30T09:00:00");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().find("--to"), std::string::npos) << parsed.error();
  EXPECT_NE(parsed.error().find("+08:00"), std::string::npos) << parsed.error();
}

}  // namespace
}  // namespace rectify::client
