// Signatures against vectors computed independently of this code, at test-writing time, with
// the openssl command line (and cross-checked with Python's hmac module). The commands are
// next to each vector so anyone can recompute them.

#include "notify/sign.h"

#include <gtest/gtest.h>

namespace rectify::notify {
namespace {

TEST(HmacSha256, Rfc4231TestCase2) {
  // printf '%s' 'what do ya want for nothing?' | openssl dgst -sha256 -hmac 'Jefe'
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Base64Encode, Rfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(UrlEncode, KeepsUnreservedEncodesTheRest) {
  EXPECT_EQ(UrlEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(UrlEncode("a+b/c=d e"), "a%2Bb%2Fc%3Dd%20e");
  EXPECT_EQ(UrlEncode("中"), "%E4%B8%AD");
}

TEST(DingTalkSign, KnownVector) {
  // S='SEC0123456789abcdef-dingtalk'; TS=1700000000000
  // printf '%s\n%s' $TS "$S" | openssl dgst -sha256 -hmac "$S" -binary | base64
  //   -> BU/CRNCj1VjXaWwUldwh9ZKfqub9AI7Q9unq1SFY9LA=
  // then urllib.parse.quote_plus(...) as DingTalk's docs do:
  EXPECT_EQ(DingTalkSign(1700000000000, "SEC0123456789abcdef-dingtalk"),
            "BU%2FCRNCj1VjXaWwUldwh9ZKfqub9AI7Q9unq1SFY9LA%3D");
}

TEST(DingTalkSign, DependsOnTimestampAndSecret) {
  const std::string a = DingTalkSign(1700000000000, "SEC0123456789abcdef-dingtalk");
  EXPECT_NE(a, DingTalkSign(1700000000001, "SEC0123456789abcdef-dingtalk"));
  EXPECT_NE(a, DingTalkSign(1700000000000, "SEC0123456789abcdef-dingtalK"));
}

TEST(FeishuSign, KnownVector) {
  // Key = timestamp + "\n" + secret, message empty (Feishu's custom-bot docs):
  // K=$(printf '%s\n%s' 1700000000 'fs-secret-9f8e7d' | xxd -p | tr -d '\n')
  // openssl dgst -sha256 -mac HMAC -macopt hexkey:$K -binary < /dev/null | base64
  EXPECT_EQ(FeishuSign(1700000000, "fs-secret-9f8e7d"),
            "yLSvmRS4/23BdLJ2Cih1pwaDWiPThJRhWlNQUw6nb2A=");
}

TEST(FeishuSign, IsNotTheDingTalkConstruction) {
  // Guard against swapping key and message: HMAC(key=secret, msg=ts\nsecret) differs.
  EXPECT_NE(FeishuSign(1700000000, "fs-secret-9f8e7d"),
            Base64Encode(HmacSha256("fs-secret-9f8e7d", "1700000000\nfs-secret-9f8e7d")));
}

TEST(WebhookSignature, KnownVector) {
  // printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac 'whsec'
  EXPECT_EQ(WebhookSignature("whsec", R"({"a":1})"),
            "sha256=19373ef0e8c66f206e49d251e4402291615bbce6ef00922e94a47a213fb76ee1");
}

}  // namespace
}  // namespace rectify::notify
