// Bearer tokens and their salted hashes (common/token.h).

#include "common/token.h"

#include <gtest/gtest.h>

#include <set>

namespace rectify {
namespace {

TEST(TokenTest, GeneratedTokensAreLongAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = GenerateToken();
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->size(), 4u + 64u);
    EXPECT_EQ(t->substr(0, 4), "rfy_");
    EXPECT_TRUE(seen.insert(*t).second);
  }
}

TEST(TokenTest, HashVerifiesOnlyItsToken) {
  const std::string token = GenerateToken().value();
  const std::string text = HashToken(token).value();
  auto h = ParseTokenHash(text);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_TRUE(TokenMatches(*h, token));
  EXPECT_FALSE(TokenMatches(*h, token + "x"));
  EXPECT_FALSE(TokenMatches(*h, token.substr(1)));
  EXPECT_FALSE(TokenMatches(*h, ""));
  EXPECT_EQ(text.find(token), std::string::npos) << "the stored form never holds the token";
}

TEST(TokenTest, SaltMakesEveryHashDifferent) {
  EXPECT_NE(HashToken("same").value(), HashToken("same").value());
  EXPECT_FALSE(HashToken("").ok());
}

TEST(TokenTest, MalformedHashesAreRefusedWithoutEchoingThem) {
  const std::string good = HashToken("t").value();
  for (const std::string& bad :
       {std::string(""), std::string("t"), std::string("md5:00:11"), good.substr(0, good.size() - 1),
        good + "0", std::string("sha256:zz") + good.substr(9), std::string("sha256:") + "00:" +
        std::string(64, '0'), std::string("sha256:") + std::string(32, '0')}) {
    auto h = ParseTokenHash(bad);
    EXPECT_FALSE(h.ok()) << bad;
    if (!h.ok() && bad.size() > 10) {
      EXPECT_EQ(h.status().message().find(bad), std::string::npos);
    }
    EXPECT_EQ(h.status().code(), Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace rectify
