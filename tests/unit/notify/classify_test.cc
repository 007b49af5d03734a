#include "notify/classify.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "notify/redact.h"

namespace rectify::notify {
namespace {

using std::chrono::milliseconds;

struct Case {
  int status;
  std::string body;
  ChannelType type;
  Outcome want;
};

TEST(Classify, Table) {
  const auto W = ChannelType::kWebhook, Q = ChannelType::kWeCom, D = ChannelType::kDingTalk,
             F = ChannelType::kFeishu;
  const auto ok = Outcome::kDelivered, retry = Outcome::kRetry, final = Outcome::kFinal;
  const Case cases[] = {
      // Generic webhook: the status decides.
      {200, "", W, ok},
      {204, "", W, ok},
      {202, "not json", W, ok},
      {400, "bad", W, final},
      {401, "", W, final},
      {403, "", W, final},
      {404, "", W, final},
      {410, "", W, final},
      {422, "", W, final},
      {408, "", W, retry},
      {425, "", W, retry},
      {429, "", W, retry},
      {500, "", W, retry},
      {502, "", W, retry},
      {503, "", W, retry},
      {504, "", W, retry},
      {0, "", W, retry},
      {301, "", W, final},
      {302, "", W, final},
      {101, "", W, final},
      // WeCom: errcode in a 200.
      {200, R"({"errcode":0,"errmsg":"ok"})", Q, ok},
      {200, R"({"errcode":45009,"errmsg":"api freq out of limit"})", Q, retry},
      {200, R"({"errcode":-1,"errmsg":"system busy"})", Q, retry},
      {200, R"({"errcode":93000,"errmsg":"invalid webhook url"})", Q, final},
      {200, R"({"errcode":40008,"errmsg":"invalid message type"})", Q, final},
      {200, R"({"errcode":"0","errmsg":"ok"})", Q, ok},
      {200, "<html>captive portal</html>", Q, retry},
      {200, R"({"result":"?"})", Q, retry},
      {200, "", Q, retry},
      {500, R"({"errcode":0})", Q, retry},
      {404, "", Q, final},
      // DingTalk.
      {200, R"({"errcode":0,"errmsg":"ok"})", D, ok},
      {200, R"({"errcode":130101,"errmsg":"send too fast"})", D, retry},
      {200, R"({"errcode":310000,"errmsg":"sign not match"})", D, final},
      {200, R"({"errcode":300001,"errmsg":"token is not exist"})", D, final},
      // Feishu: "code", or the older "StatusCode".
      {200, R"({"code":0,"msg":"success","data":{}})", F, ok},
      {200, R"({"StatusCode":0,"StatusMessage":"success"})", F, ok},
      {200, R"({"code":11232,"msg":"frequency limited"})", F, retry},
      {200, R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour"})", F,
       final},
      {200, R"({"code":9499,"msg":"Bad Request"})", F, final},
      {400, R"({"code":9499,"msg":"Bad Request"})", F, final},
      {200, R"({"errcode":0})", F, retry},  // a WeCom-shaped answer is not Feishu's
  };
  for (const auto& c : cases) {
    const DeliveryResult r = Classify(c.status, c.body, c.type);
    EXPECT_EQ(r.outcome, c.want) << c.status << " " << c.body << " type " << ChannelTypeName(c.type)
                                 << " -> " << r.error;
    EXPECT_EQ(r.http_status, c.status);
    EXPECT_EQ(r.error.empty(), c.want == Outcome::kDelivered) << r.error;
  }
}

TEST(Classify, ErrorNamesTheCodeAndQuotesLittle) {
  const DeliveryResult r =
      Classify(200, R"({"errcode":310000,"errmsg":"sign not match"})", ChannelType::kDingTalk);
  EXPECT_EQ(r.error, "dingtalk error code 310000: sign not match");
  const DeliveryResult big = Classify(500, std::string(10000, 'x'), ChannelType::kWebhook);
  EXPECT_LT(big.error.size(), 300u);
  EXPECT_EQ(big.error.rfind("HTTP 500: xxx", 0), 0u);
}

TEST(ClassifySmtp, ByReplyCode) {
  EXPECT_EQ(ClassifySmtp(550, "no such user").outcome, Outcome::kFinal);
  EXPECT_EQ(ClassifySmtp(535, "auth").outcome, Outcome::kFinal);
  EXPECT_EQ(ClassifySmtp(451, "try later").outcome, Outcome::kRetry);
  EXPECT_EQ(ClassifySmtp(421, "closing").outcome, Outcome::kRetry);
  EXPECT_EQ(ClassifySmtp(0, "connection refused").outcome, Outcome::kRetry);
  EXPECT_EQ(ClassifySmtp(550, "no such user").error, "SMTP 550: no such user");
}

TEST(Backoff, ExponentialAndCapped) {
  const milliseconds base(1000), max(60000);
  EXPECT_EQ(Backoff(0, base, max), milliseconds(1000));
  EXPECT_EQ(Backoff(1, base, max), milliseconds(1000));
  EXPECT_EQ(Backoff(2, base, max), milliseconds(2000));
  EXPECT_EQ(Backoff(3, base, max), milliseconds(4000));
  EXPECT_EQ(Backoff(6, base, max), milliseconds(32000));
  EXPECT_EQ(Backoff(7, base, max), milliseconds(60000));
  EXPECT_EQ(Backoff(100, base, max), milliseconds(60000));
  EXPECT_EQ(Backoff(1000000, base, max), milliseconds(60000)) << "no overflow";
  EXPECT_EQ(Backoff(3, milliseconds(0), max), milliseconds(0));
  EXPECT_EQ(Backoff(1, milliseconds(5000), milliseconds(2000)), milliseconds(2000));
  for (int a = 1; a < 70; ++a) {
    EXPECT_LE(Backoff(a, base, max), Backoff(a + 1, base, max)) << "monotonic";
  }
}

TEST(Jitter, OffByDefaultBoundedAndReproducible) {
  const milliseconds d(10000);
  EXPECT_EQ(Jitter(d, 0.0, 12345), d);
  bool varied = false;
  for (uint64_t e = 0; e < 200; ++e) {
    const milliseconds j = Jitter(d, 0.5, e);
    EXPECT_GT(j, milliseconds(5000));
    EXPECT_LE(j, d);
    EXPECT_EQ(j, Jitter(d, 0.5, e));
    varied |= j != Jitter(d, 0.5, 0);
  }
  EXPECT_TRUE(varied);
  EXPECT_LE(Jitter(d, 7.0, 1), d) << "fraction clamped";
  EXPECT_GE(Jitter(d, 7.0, 1), milliseconds(0));
}

ChannelConfig Secretive(ChannelType type, std::string url) {
  ChannelConfig c;
  c.name = "robot";
  c.type = type;
  c.url = std::move(url);
  c.secret = "SECabc+/=secret";
  c.password = "p@ss w0rd";
  return c;
}

TEST(Redact, RemovesEveryCredential) {
  const ChannelConfig wecom =
      Secretive(ChannelType::kWeCom,
                "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4");
  const std::string e1 = Redact(
      "Failed to connect to "
      "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4 "
      "(key 693a91f6-7xxx-4bc4); secret SECabc+/=secret, encoded SECabc%2B%2F%3Dsecret, pw p@ss "
      "w0rd",
      wecom);
  for (const char* leak : {"693a91f6", "SECabc", "p@ss"}) {
    EXPECT_EQ(e1.find(leak), std::string::npos) << leak << " in " << e1;
  }
  EXPECT_NE(e1.find("qyapi.weixin.qq.com"), std::string::npos) << "the host stays: " << e1;
  EXPECT_NE(e1.find("key=***"), std::string::npos) << e1;

  const ChannelConfig ding = Secretive(
      ChannelType::kDingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc123def");
  const std::string e2 = Redact(
      "POST https://oapi.dingtalk.com/robot/send?access_token=abc123def&timestamp=1700000000000"
      "&sign=BU%2FCRNCj1V%3D failed; token abc123def",
      ding);
  EXPECT_EQ(e2.find("abc123def"), std::string::npos) << e2;
  EXPECT_EQ(e2.find("BU%2F"), std::string::npos) << e2;
  EXPECT_NE(e2.find("timestamp=1700000000000"), std::string::npos) << e2;

  const ChannelConfig feishu = Secretive(
      ChannelType::kFeishu, "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07");
  const std::string e3 = Redact(
      "Could not resolve https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07 "
      "(id 5e3d587e-d78e-4a07)",
      feishu);
  EXPECT_EQ(e3.find("5e3d587e"), std::string::npos) << e3;
  EXPECT_NE(e3.find("/hook/***"), std::string::npos) << e3;

  const ChannelConfig userinfo =
      Secretive(ChannelType::kWebhook, "https://bot:hunter2secret@hooks.example.org/x?v=1");
  const std::string e4 = Redact("url https://bot:hunter2secret@hooks.example.org/x?v=1", userinfo);
  EXPECT_EQ(e4.find("hunter2secret"), std::string::npos) << e4;
  EXPECT_NE(e4.find("v=1"), std::string::npos) << "short harmless params stay: " << e4;
}

TEST(Redact, PatternsWithoutTheChannel) {
  ChannelConfig none;
  const std::string e = Redact(
      "GET /send?key=k1&access_token=t2&Token=t3&sign=s4&x=keep /open-apis/bot/v2/hook/h5?y=1",
      none);
  EXPECT_EQ(e,
            "GET /send?key=***&access_token=***&Token=***&sign=***&x=keep "
            "/open-apis/bot/v2/hook/***?y=1");
  EXPECT_EQ(Redact("idempotency_key=abc monkey=banana", none), "idempotency_key=abc monkey=banana");
  EXPECT_EQ(Redact("", none), "");
}

TEST(RedactedUrl, SafeToShow) {
  const ChannelConfig c = Secretive(
      ChannelType::kWeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6");
  EXPECT_EQ(RedactedUrl(c), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***");
}

}  // namespace
}  // namespace rectify::notify
