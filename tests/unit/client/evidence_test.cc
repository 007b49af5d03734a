#include "client/evidence.h"

#include <gtest/gtest.h>

namespace rectify::client {
namespace {

const std::string kSha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

TEST(ParseEvidence, NameAndDigest) {
  const auto e = ParseEvidence("--evidence", "整改报告.pdf:" + kSha);
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e.value().name(), "整改报告.pdf");
  EXPECT_EQ(e.value().sha256(), kSha);
  EXPECT_EQ(e.value().uri(), "");
  EXPECT_EQ(e.value().size(), 0);
}

TEST(ParseEvidence, UriMayContainColons) {
  const auto e =
      ParseEvidence("--evidence", "report.pdf:" + kSha + ":https://files.example/a:b?x=1");
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e.value().name(), "report.pdf");
  EXPECT_EQ(e.value().uri(), "https://files.example/a:b?x=1");
}

TEST(ParseEvidence, NameMayContainColons) {
  const auto e = ParseEvidence("--evidence", "会议纪要 2026:3:" + kSha + ":s3://bucket/k");
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e.value().name(), "会议纪要 2026:3");
  EXPECT_EQ(e.value().sha256(), kSha);
  EXPECT_EQ(e.value().uri(), "s3://bucket/k");
}

TEST(ParseEvidence, DigestIsLowerCased) {
  std::string upper = kSha;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto e = ParseEvidence("--evidence", "a:" + upper);
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_EQ(e.value().sha256(), kSha);
}

TEST(ParseEvidence, Rejects) {
  for (const std::string& bad : {
           std::string(""),
           std::string("report.pdf"),
           ":" + kSha,                       // no name
           "a:" + kSha.substr(1),            // 63 digits
           "a:" + kSha + "0",                // 65 digits
           "a:" + kSha.substr(0, 63) + "g",  // not hex
           "a:" + kSha + ":",                // empty URI
           "a:" + kSha + "x:uri",
       }) {
    const auto e = ParseEvidence("--evidence", bad);
    EXPECT_FALSE(e.ok()) << "accepted '" << bad << "'";
    if (!e.ok()) {
      EXPECT_NE(e.error().find("NAME:SHA256[:URI]"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace rectify::client
