// Sender against real receivers: tests/receivers/http_receiver.py and smtp_sink.py, started
// by each test as child processes on 127.0.0.1:0.

#include "notify/sender.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "notify/render.h"
#include "notify/request.h"
#include "notify/sign.h"
#include "receivers.h"
#include "test_util.h"

namespace rectify::notify {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using testing::Base64Decode;
using testing::BodyOf;
using testing::DecodeRfc2047;
using testing::HeaderOf;
using testing::Receiver;
using testing::SampleDigest;

const auto kNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000000));

// Receivers are on loopback: never let a proxy from the environment get in between.
void NoProxy() {
  setenv("no_proxy", "127.0.0.1,localhost", 1);
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
}

// A port nothing listens on: bind to :0, note the port, close.
int ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

class HttpSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    NoProxy();
    ASSERT_TRUE(receiver_.Start());
  }

  ChannelConfig Channel(ChannelType type, const std::string& path_and_query,
                        std::string secret = "") {
    ChannelConfig c;
    c.name = "test-" + std::string(ChannelTypeName(type));
    c.type = type;
    c.url = receiver_.Url(path_and_query);
    c.secret = std::move(secret);
    c.timeout = milliseconds(3000);
    return c;
  }

  Receiver receiver_{"http_receiver.py"};
  Sender sender_;
};

TEST_F(HttpSenderTest, WebhookDeliveredWithIdempotencyKeyAndBody) {
  const Digest d = SampleDigest();
  const ChannelConfig c = Channel(ChannelType::kWebhook, "/hooks/rectify?tenant=a");
  const DeliveryResult r = sender_.Send(c, d, kNow);
  EXPECT_EQ(r.outcome, Outcome::kDelivered) << r.error;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.error, "");

  const auto records = receiver_.Records();
  ASSERT_EQ(records.size(), 1u);
  const json& rec = records[0];
  EXPECT_EQ(rec["method"], "POST");
  EXPECT_EQ(rec["path"], "/hooks/rectify");
  EXPECT_EQ(rec["query"], "tenant=a");
  EXPECT_EQ(rec["headers"]["Idempotency-Key"], d.idempotency_key);
  EXPECT_EQ(rec["headers"]["Content-Type"], "application/json; charset=utf-8");
  EXPECT_FALSE(rec["headers"].contains("Expect"));
  // The body on the wire is exactly what BuildRequest builds, Chinese intact.
  auto built = BuildRequest(c, d, kNow);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(rec["body"], built->body);
  const json body = json::parse(rec["body"].get<std::string>());
  EXPECT_EQ(body["idempotency_key"], d.idempotency_key);
  EXPECT_EQ(body["lines"][1]["title"], "公车使用登记不规范");
  EXPECT_EQ(body["text"], RenderText(d));
}

TEST_F(HttpSenderTest, ServerErrorRetries) {
  ASSERT_TRUE(receiver_.Control(R"({"mode":"fail500"})"));
  const DeliveryResult r = sender_.Send(Channel(ChannelType::kWebhook, "/h"), SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kRetry);
  EXPECT_EQ(r.http_status, 500);
  EXPECT_NE(r.error.find("HTTP 500"), std::string::npos) << r.error;
}

TEST_F(HttpSenderTest, ClientErrorIsFinal) {
  ASSERT_TRUE(receiver_.Control(R"({"mode":"fail400"})"));
  const DeliveryResult r = sender_.Send(Channel(ChannelType::kWebhook, "/h"), SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kFinal);
  EXPECT_EQ(r.http_status, 400);
}

TEST_F(HttpSenderTest, TooManyRequestsRetries) {
  ASSERT_TRUE(receiver_.Control(R"({"mode":"fail429"})"));
  const DeliveryResult r = sender_.Send(Channel(ChannelType::kWebhook, "/h"), SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kRetry);
  EXPECT_EQ(r.http_status, 429);
}

TEST_F(HttpSenderTest, HangRetriesWithinTheTimeout) {
  ASSERT_TRUE(receiver_.Control(R"({"mode":"hang","hang_seconds":30})"));
  ChannelConfig c = Channel(ChannelType::kWebhook, "/h");
  c.timeout = milliseconds(400);
  const auto start = std::chrono::steady_clock::now();
  const DeliveryResult r = sender_.Send(c, SampleDigest(), kNow);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.outcome, Outcome::kRetry);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
  EXPECT_GE(took, milliseconds(350));
  EXPECT_LT(took, milliseconds(2500)) << "the timeout covers the whole attempt";
  EXPECT_EQ(receiver_.Records().size(), 1u) << "the request did reach the receiver";
}

TEST_F(HttpSenderTest, RobotErrcodeIn200IsNotDelivered) {
  ASSERT_TRUE(receiver_.Control(R"({"mode":"errcode"})"));
  const ChannelConfig ding =
      Channel(ChannelType::kDingTalk, "/robot/send?access_token=tok-abcdef-123", "SECsecret-xyz");
  const DeliveryResult r = sender_.Send(ding, SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kFinal);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_NE(r.error.find("310000"), std::string::npos) << r.error;

  const ChannelConfig wecom = Channel(ChannelType::kWeCom, "/cgi-bin/webhook/send?key=k-123456");
  EXPECT_NE(sender_.Send(wecom, SampleDigest(), kNow).outcome, Outcome::kDelivered);
  const ChannelConfig feishu = Channel(ChannelType::kFeishu, "/open-apis/bot/v2/hook/abc-def-1");
  EXPECT_NE(sender_.Send(feishu, SampleDigest(), kNow).outcome, Outcome::kDelivered);
}

TEST_F(HttpSenderTest, RobotRateLimitCodeRetries) {
  ASSERT_TRUE(receiver_.Control(
      R"({"mode":"custom","status":200,"body":"{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}"})"));
  const DeliveryResult r = sender_.Send(
      Channel(ChannelType::kWeCom, "/cgi-bin/webhook/send?key=k-1"), SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kRetry) << r.error;
}

TEST_F(HttpSenderTest, RobotsDeliveredSignedAsBuilt) {
  const Digest d = SampleDigest();
  const ChannelConfig wecom = Channel(ChannelType::kWeCom, "/cgi-bin/webhook/send?key=k-1");
  const ChannelConfig ding = Channel(ChannelType::kDingTalk, "/robot/send?access_token=t-1",
                                     "SEC0123456789abcdef-dingtalk");
  const ChannelConfig feishu =
      Channel(ChannelType::kFeishu, "/open-apis/bot/v2/hook/h-1", "fs-secret-9f8e7d");
  for (const ChannelConfig* c : {&wecom, &ding, &feishu}) {
    const DeliveryResult r = sender_.Send(*c, d, kNow);
    EXPECT_EQ(r.outcome, Outcome::kDelivered) << c->name << ": " << r.error;
  }
  const auto records = receiver_.Records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["path"], "/cgi-bin/webhook/send");
  EXPECT_EQ(json::parse(records[0]["body"].get<std::string>())["msgtype"], "markdown");
  // DingTalk: the signature rides in the query; values as in sign_test.cc's vector.
  EXPECT_EQ(records[1]["query_params"]["access_token"][0], "t-1");
  EXPECT_EQ(records[1]["query_params"]["timestamp"][0], "1700000000000");
  EXPECT_EQ(records[1]["query_params"]["sign"][0], "BU/CRNCj1VjXaWwUldwh9ZKfqub9AI7Q9unq1SFY9LA=");
  // Feishu: in the body.
  const json fb = json::parse(records[2]["body"].get<std::string>());
  EXPECT_EQ(fb["timestamp"], "1700000000");
  EXPECT_EQ(fb["sign"], "yLSvmRS4/23BdLJ2Cih1pwaDWiPThJRhWlNQUw6nb2A=");
  EXPECT_EQ(fb["msg_type"], "interactive");
}

TEST_F(HttpSenderTest, RetryAfterFailureResendsTheSameKey) {
  ASSERT_TRUE(receiver_.Control(R"({"mode":"fail500","times":1})"));
  const ChannelConfig c = Channel(ChannelType::kWebhook, "/h");
  EXPECT_EQ(sender_.Send(c, SampleDigest(), kNow).outcome, Outcome::kRetry);
  EXPECT_EQ(sender_.Send(c, SampleDigest(), kNow + std::chrono::seconds(2)).outcome,
            Outcome::kDelivered);
  const auto records = receiver_.Records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["headers"]["Idempotency-Key"], records[1]["headers"]["Idempotency-Key"]);
}

TEST_F(HttpSenderTest, ErrorsNeverCarrySecrets) {
  // Nothing listens: the error comes from libcurl and may quote the URL.
  ChannelConfig ding;
  ding.name = "ding";
  ding.type = ChannelType::kDingTalk;
  ding.url = "http://127.0.0.1:" + std::to_string(ClosedPort()) +
             "/robot/send?access_token=TOPSECRETTOKEN42";
  ding.secret = "SECverysecret";
  ding.timeout = milliseconds(1000);
  DeliveryResult r = sender_.Send(ding, SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kRetry);
  EXPECT_FALSE(r.error.empty());
  EXPECT_EQ(r.error.find("TOPSECRETTOKEN42"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("SECverysecret"), std::string::npos) << r.error;

  // A receiver that echoes the secret back in its error body.
  ASSERT_TRUE(receiver_.Control(
      R"({"mode":"custom","status":400,"body":"bad key TOPSECRETTOKEN42 / SECverysecret"})"));
  ding.url = receiver_.Url("/robot/send?access_token=TOPSECRETTOKEN42");
  r = sender_.Send(ding, SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kFinal);
  EXPECT_NE(r.error.find("bad key"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("TOPSECRETTOKEN42"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("SECverysecret"), std::string::npos) << r.error;

  // A malformed URL is final, and still redacted.
  ding.url = "http://[::1/robot/send?access_token=TOPSECRETTOKEN42";
  r = sender_.Send(ding, SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kFinal) << r.error;
  EXPECT_EQ(r.error.find("TOPSECRETTOKEN42"), std::string::npos) << r.error;
}

TEST_F(HttpSenderTest, UnbuildableRequestIsFinal) {
  Digest empty = SampleDigest();
  empty.lines.clear();
  EXPECT_EQ(sender_.Send(Channel(ChannelType::kWebhook, "/h"), empty, kNow).outcome,
            Outcome::kFinal);
  EXPECT_TRUE(receiver_.Records().empty());
}

// ---- email ----

class SmtpSenderTest : public ::testing::Test {
 protected:
  void SetUp() override { NoProxy(); }

  ChannelConfig Mail(const Receiver& sink) {
    ChannelConfig c;
    c.name = "mail";
    c.type = ChannelType::kEmail;
    c.url = "smtp://127.0.0.1:" + std::to_string(sink.port());
    c.from = "整改办公室 <rectify@example.gov.cn>";
    c.timeout = milliseconds(5000);
    return c;
  }

  Sender sender_;
};

TEST_F(SmtpSenderTest, DeliveredWithDecodableChineseSubjectAndBody) {
  Receiver sink("smtp_sink.py");
  ASSERT_TRUE(sink.Start());
  const Digest d = SampleDigest();
  const DeliveryResult r = sender_.Send(Mail(sink), d, kNow);
  ASSERT_EQ(r.outcome, Outcome::kDelivered) << r.error;
  EXPECT_EQ(r.http_status, 250);

  const auto records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["mail_from"], "rectify@example.gov.cn");
  EXPECT_EQ(records[0]["rcpt_tos"], json::array({"zhangsan@example.com"}));
  EXPECT_EQ(records[0]["tls"], false);
  const std::string data = records[0]["data"];

  std::string subject;
  ASSERT_TRUE(DecodeRfc2047(HeaderOf(data, "Subject"), &subject)) << data;
  EXPECT_EQ(subject, "【整改提醒】张三：共2项，其中逾期1项");
  EXPECT_EQ(HeaderOf(data, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(HeaderOf(data, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(HeaderOf(data, "Message-ID"), MessageIdFor(d.idempotency_key, "example.gov.cn"));
  std::string body;
  ASSERT_TRUE(Base64Decode(BodyOf(data), &body));
  EXPECT_TRUE(testing::IsValidUtf8(body));
  EXPECT_NE(body.find("1. [2025-0001] 食堂卫生整改：距整改时限还有5个工作日"), std::string::npos)
      << body;
  EXPECT_NE(body.find("已逾期3个工作日（补发）"), std::string::npos) << body;
}

TEST_F(SmtpSenderTest, AuthenticatesWhenUsernameSet) {
  Receiver sink("smtp_sink.py",
                {"--auth-user", "notifier", "--auth-password", "s3cret-pw", "--auth-required"});
  ASSERT_TRUE(sink.Start());
  ChannelConfig c = Mail(sink);
  c.username = "notifier";
  c.password = "s3cret-pw";
  DeliveryResult r = sender_.Send(c, SampleDigest(), kNow);
  ASSERT_EQ(r.outcome, Outcome::kDelivered) << r.error;
  ASSERT_EQ(sink.Records().size(), 1u);
  EXPECT_EQ(sink.Records()[0]["auth_user"], "notifier");

  c.password = "wrong-pw-value";
  r = sender_.Send(c, SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kFinal) << r.error;
  EXPECT_EQ(r.error.find("wrong-pw-value"), std::string::npos) << r.error;

  c.username.clear();  // the sink requires AUTH: MAIL is refused with 530
  r = sender_.Send(c, SampleDigest(), kNow);
  EXPECT_EQ(r.outcome, Outcome::kFinal) << r.error;
  EXPECT_EQ(r.http_status, 530);
  EXPECT_EQ(sink.Records().size(), 1u);
}

TEST_F(SmtpSenderTest, RejectionsByReplyCode) {
  Receiver sink("smtp_sink.py");
  ASSERT_TRUE(sink.Start());
  Digest d = SampleDigest();
  d.address = "reject-550@example.com";
  DeliveryResult r = sender_.Send(Mail(sink), d, kNow);
  EXPECT_EQ(r.outcome, Outcome::kFinal) << r.error;
  EXPECT_EQ(r.http_status, 550);
  d.address = "reject-451@example.com";
  r = sender_.Send(Mail(sink), d, kNow);
  EXPECT_EQ(r.outcome, Outcome::kRetry) << r.error;
  EXPECT_EQ(r.http_status, 451);
  EXPECT_TRUE(sink.Records().empty());
}

TEST_F(SmtpSenderTest, NoAddressIsFinalAndConnectionRefusedRetries) {
  Receiver sink("smtp_sink.py");
  ASSERT_TRUE(sink.Start());
  Digest d = SampleDigest();
  d.address.clear();
  EXPECT_EQ(sender_.Send(Mail(sink), d, kNow).outcome, Outcome::kFinal);

  ChannelConfig c = Mail(sink);
  c.url = "smtp://127.0.0.1:" + std::to_string(ClosedPort());
  EXPECT_EQ(sender_.Send(c, SampleDigest(), kNow).outcome, Outcome::kRetry);
}

TEST_F(SmtpSenderTest, StartTlsRequiredButNotOfferedSendsNothing) {
  Receiver sink("smtp_sink.py");  // no certificate: no STARTTLS
  ASSERT_TRUE(sink.Start());
  ChannelConfig c = Mail(sink);
  c.starttls = true;
  c.username = "notifier";
  c.password = "never-in-clear";
  const DeliveryResult r = sender_.Send(c, SampleDigest(), kNow);
  EXPECT_NE(r.outcome, Outcome::kDelivered);
  EXPECT_NE(r.error.find("STARTTLS"), std::string::npos) << r.error;
  EXPECT_TRUE(sink.Records().empty());
}

TEST_F(SmtpSenderTest, StartTlsWithPrivateCa) {
  const std::string dir = testing::MakeTempDir("tls");
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const int rc =
      testing::RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                           "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"});
  if (rc != 0) GTEST_SKIP() << "cannot make a certificate with /usr/bin/openssl";
  {
    Receiver sink("smtp_sink.py", {"--tls-cert", cert, "--tls-key", key});
    ASSERT_TRUE(sink.Start());
    ChannelConfig c = Mail(sink);
    c.starttls = true;
    c.ca_file = cert;
    const DeliveryResult r = sender_.Send(c, SampleDigest(), kNow);
    EXPECT_EQ(r.outcome, Outcome::kDelivered) << r.error;
    const auto records = sink.Records();
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0]["tls"], true);

    // Without the CA the server is not trusted: nothing is sent in the clear instead.
    c.ca_file = dir + "/missing.pem";
    EXPECT_NE(sender_.Send(c, SampleDigest(), kNow).outcome, Outcome::kDelivered);
    EXPECT_EQ(sink.Records().size(), 1u);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace rectify::notify
