#include "client/actor_header.h"

#include <gtest/gtest.h>

namespace rectify::client {
namespace {

TEST(EncodeActorHeader, AsciiNamesUnchanged) {
  EXPECT_EQ(EncodeActorHeader("zhangsan"), "zhangsan");
  EXPECT_EQ(EncodeActorHeader("li.si@unit-3"), "li.si@unit-3");
}

TEST(EncodeActorHeader, Utf8AndPercentAndSpacesEncoded) {
  EXPECT_EQ(EncodeActorHeader("张三"), "%E5%BC%A0%E4%B8%89");
  EXPECT_EQ(EncodeActorHeader("100%"), "100%25");
  EXPECT_EQ(EncodeActorHeader("a b"), "a%20b");
}

}  // namespace
}  // namespace rectify::client
