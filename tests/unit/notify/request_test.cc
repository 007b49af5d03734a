#include "notify/request.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "notify/render.h"
#include "notify/sign.h"
#include "test_util.h"

namespace rectify::notify {
namespace {

using nlohmann::json;
using testing::Base64Decode;
using testing::BodyOf;
using testing::DecodeRfc2047;
using testing::HeaderOf;
using testing::IsValidUtf8;
using testing::Line;
using testing::SampleDigest;

// 2023-11-14T22:13:20Z: the instant the signature vectors in sign_test.cc were computed for.
const auto kNow = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000000));

std::string HeaderValue(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

json Body(const HttpRequest& r) {
  json j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

ChannelConfig Channel(ChannelType type, std::string url, std::string secret = "") {
  ChannelConfig c;
  c.name = "test-channel";
  c.type = type;
  c.url = std::move(url);
  c.secret = std::move(secret);
  return c;
}

Digest ManyLines(int n) {
  Digest d = SampleDigest();
  d.lines.clear();
  for (int i = 0; i < n; ++i) {
    d.lines.push_back(Line("2025-" + std::to_string(2000 + i), "群众反映的办事窗口排队时间过长问题",
                           "overdue", i + 1));
  }
  return d;
}

TEST(BuildRequest, GenericWebhook) {
  const Digest d = SampleDigest();
  auto r = BuildRequest(Channel(ChannelType::kWebhook, "https://hooks.example.org/rectify?x=1"), d,
                        kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->url, "https://hooks.example.org/rectify?x=1");
  EXPECT_EQ(HeaderValue(*r, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(HeaderValue(*r, "Idempotency-Key"), d.idempotency_key);
  EXPECT_EQ(HeaderValue(*r, "User-Agent").rfind("rectifyd/", 0), 0u);
  EXPECT_EQ(HeaderValue(*r, "X-Rectify-Signature"), "<absent>");

  const json b = Body(*r);
  EXPECT_EQ(b["idempotency_key"], d.idempotency_key);
  EXPECT_EQ(b["channel"], "office");
  EXPECT_EQ(b["recipient"], "张三");
  EXPECT_EQ(b["address"], "zhangsan@example.com");
  EXPECT_EQ(b["lang"], "zh");
  EXPECT_EQ(b["text"], RenderText(d));
  ASSERT_EQ(b["lines"].size(), 2u);
  const json& l = b["lines"][1];
  EXPECT_EQ(l["item_id"], "2025-0002");
  EXPECT_EQ(l["title"], "公车使用登记不规范");
  EXPECT_EQ(l["unit"], "后勤处");
  EXPECT_EQ(l["owner"], "张三");
  EXPECT_EQ(l["leader"], "李四");
  EXPECT_EQ(l["deadline"], "2025-03-14");
  EXPECT_EQ(l["kind"], "overdue");
  EXPECT_EQ(l["days"], 3);
  EXPECT_EQ(l["late"], true);
  EXPECT_EQ(b["lines"][0]["late"], false);
  EXPECT_EQ(b.size(), 7u) << b.dump();
}

TEST(BuildRequest, GenericWebhookSignedWhenSecretSet) {
  auto r =
      BuildRequest(Channel(ChannelType::kWebhook, "http://h/x", "whsec"), SampleDigest(), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HeaderValue(*r, "X-Rectify-Signature"), WebhookSignature("whsec", r->body));
}

TEST(BuildRequest, NonAsciiKeyIsPercentEncodedInTheHeaderOnly) {
  Digest d = SampleDigest();
  d.idempotency_key = "rem/张三 1%";
  auto r = BuildRequest(Channel(ChannelType::kWebhook, "http://h/x"), d, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HeaderValue(*r, "Idempotency-Key"), "rem/%E5%BC%A0%E4%B8%89%201%25");
  EXPECT_EQ(Body(*r)["idempotency_key"], "rem/张三 1%");
}

TEST(BuildRequest, WeComMarkdown) {
  const std::string url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx";
  auto r = BuildRequest(Channel(ChannelType::kWeCom, url), SampleDigest(), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, url);
  const json b = Body(*r);
  EXPECT_EQ(b["msgtype"], "markdown");
  EXPECT_EQ(b["markdown"]["content"], RenderMarkdown(SampleDigest()));
  EXPECT_NE(b["markdown"]["content"].get<std::string>().find("食堂卫生整改"), std::string::npos);
  EXPECT_EQ(b.size(), 2u);
}

TEST(BuildRequest, WeComMarkdownIsCutAt4096BytesOnACharacterBoundary) {
  const Digest d = ManyLines(120);
  ASSERT_GT(RenderMarkdown(d).size(), 4096u);
  auto r = BuildRequest(Channel(ChannelType::kWeCom, "https://q/send?key=k"), d, kNow);
  ASSERT_TRUE(r.ok());
  const std::string content = Body(*r)["markdown"]["content"];
  EXPECT_LE(content.size(), 4096u);
  EXPECT_GT(content.size(), 3800u) << "should fill the space, not stop early";
  EXPECT_TRUE(IsValidUtf8(content));
  EXPECT_NE(content.find("\n…另有 "), std::string::npos);
  EXPECT_EQ(content.substr(content.size() - 3), "项");
}

TEST(BuildRequest, WeComText) {
  ChannelConfig c = Channel(ChannelType::kWeCom, "https://q/send?key=k");
  c.plain_text = true;
  Digest d = ManyLines(80);
  d.address = "13800138000";
  auto r = BuildRequest(c, d, kNow);
  ASSERT_TRUE(r.ok());
  const json b = Body(*r);
  EXPECT_EQ(b["msgtype"], "text");
  const std::string content = b["text"]["content"];
  EXPECT_LE(content.size(), 2048u);
  EXPECT_TRUE(IsValidUtf8(content));
  EXPECT_EQ(b["text"]["mentioned_mobile_list"], json::array({"13800138000"}));
}

TEST(BuildRequest, DingTalkSignedMarkdownWithMention) {
  const std::string base = "https://oapi.dingtalk.com/robot/send?access_token=tok123";
  Digest d = SampleDigest();
  d.address = "13800138000";
  auto r =
      BuildRequest(Channel(ChannelType::kDingTalk, base, "SEC0123456789abcdef-dingtalk"), d, kNow);
  ASSERT_TRUE(r.ok());
  // The sign is the vector from sign_test.cc (openssl-computed) for this instant and secret.
  EXPECT_EQ(
      r->url,
      base + "&timestamp=1700000000000&sign=BU%2FCRNCj1VjXaWwUldwh9ZKfqub9AI7Q9unq1SFY9LA%3D");
  const json b = Body(*r);
  EXPECT_EQ(b["msgtype"], "markdown");
  EXPECT_EQ(b["markdown"]["title"], "【整改提醒】张三：共2项，其中逾期1项");
  EXPECT_EQ(b["markdown"]["text"], RenderMarkdown(d) + "\n\n@13800138000");
  EXPECT_EQ(b["at"]["atMobiles"], json::array({"13800138000"}));
  EXPECT_EQ(b["at"]["isAtAll"], false);
}

TEST(BuildRequest, DingTalkWithoutSecretOrMobile) {
  auto r = BuildRequest(Channel(ChannelType::kDingTalk, "https://oapi.dingtalk.com/robot/send"),
                        SampleDigest(), kNow);  // address is an email: no mention
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, "https://oapi.dingtalk.com/robot/send");
  const json b = Body(*r);
  EXPECT_EQ(b["at"]["atMobiles"], json::array());
  EXPECT_EQ(b["markdown"]["text"], RenderMarkdown(SampleDigest()));

  // A url without a query gets "?" before the signature.
  auto s = BuildRequest(Channel(ChannelType::kDingTalk, "https://d/robot/send", "s"),
                        SampleDigest(), kNow);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->url.rfind("https://d/robot/send?timestamp=1700000000000&sign=", 0), 0u) << s->url;
}

TEST(BuildRequest, DingTalkText) {
  ChannelConfig c = Channel(ChannelType::kDingTalk, "https://d/robot/send?access_token=t");
  c.plain_text = true;
  Digest d = SampleDigest();
  d.address = "+86-138-0013-8000";
  auto r = BuildRequest(c, d, kNow);
  ASSERT_TRUE(r.ok());
  const json b = Body(*r);
  EXPECT_EQ(b["msgtype"], "text");
  EXPECT_EQ(b["text"]["content"], RenderText(d) + " @+86-138-0013-8000");
  EXPECT_EQ(b["at"]["atMobiles"], json::array({"+86-138-0013-8000"}));
}

TEST(BuildRequest, FeishuSignedCard) {
  const std::string url = "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07";
  auto r =
      BuildRequest(Channel(ChannelType::kFeishu, url, "fs-secret-9f8e7d"), SampleDigest(), kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->url, url);
  const json b = Body(*r);
  EXPECT_EQ(b["timestamp"], "1700000000");
  EXPECT_EQ(b["sign"], "yLSvmRS4/23BdLJ2Cih1pwaDWiPThJRhWlNQUw6nb2A=");  // sign_test.cc vector
  EXPECT_EQ(b["msg_type"], "interactive");
  const json& card = b["card"];
  EXPECT_EQ(card["header"]["title"]["tag"], "plain_text");
  EXPECT_EQ(card["header"]["title"]["content"], "【整改提醒】张三：共2项，其中逾期1项");
  EXPECT_EQ(card["header"]["template"], "red");
  ASSERT_EQ(card["elements"].size(), 1u);
  EXPECT_EQ(card["elements"][0]["tag"], "div");
  EXPECT_EQ(card["elements"][0]["text"]["tag"], "lark_md");
  EXPECT_EQ(card["elements"][0]["text"]["content"], RenderMarkdownItems(SampleDigest()));
}

TEST(BuildRequest, FeishuUnsignedText) {
  ChannelConfig c =
      Channel(ChannelType::kFeishu, "https://open.feishu.cn/open-apis/bot/v2/hook/id");
  c.plain_text = true;
  auto r = BuildRequest(c, SampleDigest(), kNow);
  ASSERT_TRUE(r.ok());
  const json b = Body(*r);
  EXPECT_FALSE(b.contains("timestamp"));
  EXPECT_FALSE(b.contains("sign"));
  EXPECT_EQ(b["msg_type"], "text");
  EXPECT_EQ(b["content"]["text"], RenderText(SampleDigest()));
}

TEST(BuildRequest, Refusals) {
  const Digest d = SampleDigest();
  auto email = BuildRequest(Channel(ChannelType::kEmail, "smtp://mail"), d, kNow);
  EXPECT_EQ(email.status().code(), Code::kInvalidArgument);
  auto ftp = BuildRequest(Channel(ChannelType::kWeCom, "ftp://q/send?key=SECRETKEY"), d, kNow);
  EXPECT_EQ(ftp.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ftp.status().message().find("SECRETKEY"), std::string::npos);
  Digest empty = d;
  empty.lines.clear();
  EXPECT_EQ(BuildRequest(Channel(ChannelType::kWebhook, "http://h"), empty, kNow).status().code(),
            Code::kInvalidArgument);
}

TEST(BuildRequest, InvalidUtf8DoesNotThrow) {
  Digest d = SampleDigest();
  d.recipient = "\xff\xfe";
  d.lines[0].title = "bad \xc3";
  auto r = BuildRequest(Channel(ChannelType::kWebhook, "http://h"), d, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(IsValidUtf8(r->body));
}

// ---- email ----

ChannelConfig Mail() {
  ChannelConfig c = Channel(ChannelType::kEmail, "smtp://127.0.0.1:2525");
  c.from = "整改办公室 <rectify@example.gov.cn>";
  return c;
}

TEST(BuildEmail, HeadersAndBody) {
  const Digest d = SampleDigest();
  auto m = BuildEmail(Mail(), d, kNow);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->mail_from, "rectify@example.gov.cn");
  EXPECT_EQ(m->recipients, std::vector<std::string>{"zhangsan@example.com"});
  const std::string& data = m->data;

  EXPECT_EQ(HeaderOf(data, "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
  EXPECT_EQ(HeaderOf(data, "MIME-Version"), "1.0");
  EXPECT_EQ(HeaderOf(data, "Content-Type"), "text/plain; charset=UTF-8");
  EXPECT_EQ(HeaderOf(data, "Content-Transfer-Encoding"), "base64");
  EXPECT_EQ(HeaderOf(data, "Auto-Submitted"), "auto-generated");
  EXPECT_EQ(HeaderOf(data, "Message-ID"),
            "<rectify.rem-2025-0001-v3-overdue-20250318-zhangsan-office@example.gov.cn>");

  std::string subject, from, to;
  ASSERT_TRUE(DecodeRfc2047(HeaderOf(data, "Subject"), &subject));
  EXPECT_EQ(subject, "【整改提醒】张三：共2项，其中逾期1项");
  ASSERT_TRUE(DecodeRfc2047(HeaderOf(data, "From"), &from));
  EXPECT_EQ(from, "整改办公室 <rectify@example.gov.cn>");
  ASSERT_TRUE(DecodeRfc2047(HeaderOf(data, "To"), &to));
  EXPECT_EQ(to, "张三 <zhangsan@example.com>");

  // Only ASCII on the wire, CRLF line ends, no line over RFC 5322's 998 limit.
  size_t start = 0;
  while (start < data.size()) {
    const size_t eol = data.find("\r\n", start);
    ASSERT_NE(eol, std::string::npos) << "message must end with CRLF";
    const std::string line = data.substr(start, eol - start);
    EXPECT_LE(line.size(), 998u) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
    for (unsigned char c : line) ASSERT_LT(c, 0x80) << line;
    start = eol + 2;
  }

  std::string body;
  ASSERT_TRUE(Base64Decode(BodyOf(data), &body));
  EXPECT_TRUE(IsValidUtf8(body));
  std::string expected = RenderText(d);
  for (size_t p = expected.find('\n'); p != std::string::npos; p = expected.find('\n', p + 2)) {
    expected.replace(p, 1, "\r\n");
  }
  EXPECT_EQ(body.rfind(expected, 0), 0u) << body;
  EXPECT_NE(body.find("公车使用登记不规范"), std::string::npos);
  EXPECT_NE(body.find("请勿直接回复"), std::string::npos);
}

TEST(BuildEmail, PlainAsciiHeadersStayReadable) {
  ChannelConfig c = Mail();
  c.from = "rectify@example.org";
  Digest d = SampleDigest();
  d.recipient = "Zhang San";
  d.lang = "en";
  auto m = BuildEmail(c, d, kNow);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(HeaderOf(m->data, "From"), "rectify@example.org");
  EXPECT_EQ(HeaderOf(m->data, "To"), "Zhang San <zhangsan@example.com>");
  EXPECT_EQ(HeaderOf(m->data, "Subject"), "[Rectification reminder] Zhang San: 2 items, 1 overdue");
}

TEST(BuildEmail, Refusals) {
  const Digest d = SampleDigest();
  EXPECT_EQ(BuildEmail(Channel(ChannelType::kWebhook, "smtp://x"), d, kNow).status().code(),
            Code::kInvalidArgument);
  ChannelConfig http = Mail();
  http.url = "http://mail.example.org";
  EXPECT_EQ(BuildEmail(http, d, kNow).status().code(), Code::kInvalidArgument);
  ChannelConfig no_from = Mail();
  no_from.from = "";
  EXPECT_EQ(BuildEmail(no_from, d, kNow).status().code(), Code::kInvalidArgument);
  for (const char* bad :
       {"", "nobody", "@example.com", "a@", "a@b\r\nBcc: x@y", "a b@c", "<a@b>", "a@b,c@d"}) {
    Digest x = d;
    x.address = bad;
    EXPECT_EQ(BuildEmail(Mail(), x, kNow).status().code(), Code::kInvalidArgument) << bad;
  }
  Digest empty = d;
  empty.lines.clear();
  EXPECT_EQ(BuildEmail(Mail(), empty, kNow).status().code(), Code::kInvalidArgument);
}

TEST(EncodeHeaderValue, WordsAreShortAndNeverSplitACharacter) {
  std::string long_subject;
  for (int i = 0; i < 40; ++i) long_subject += "整改a";
  const std::string enc = EncodeHeaderValue(long_subject);
  size_t pos = 0;
  int words = 0;
  while ((pos = enc.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t end = enc.find("?=", pos + 10);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end + 2 - pos, 75u) << "RFC 2047 limits an encoded word to 75 characters";
    std::string chunk;
    ASSERT_TRUE(Base64Decode(enc.substr(pos + 10, end - pos - 10), &chunk));
    EXPECT_TRUE(IsValidUtf8(chunk)) << "a word must hold whole characters";
    pos = end + 2;
    ++words;
  }
  EXPECT_GT(words, 3);
  std::string decoded;
  ASSERT_TRUE(DecodeRfc2047(enc, &decoded));
  EXPECT_EQ(decoded, long_subject);
  EXPECT_EQ(EncodeHeaderValue("plain ascii"), "plain ascii");
  EXPECT_NE(EncodeHeaderValue("looks =?encoded?= already"), "looks =?encoded?= already");
}

TEST(MessageIdFor, KeepsTheKeyReadableAndValid) {
  EXPECT_EQ(MessageIdFor("rem-1_v2+x", "example.com"), "<rectify.rem-1_v2+x@example.com>");
  EXPECT_EQ(MessageIdFor("a/b:张", "example.com"), "<rectify.a=2Fb=3A=E5=BC=A0@example.com>");
  const std::string long_id = MessageIdFor(std::string(300, '/'), "example.com");
  EXPECT_EQ(long_id.rfind("<rectify.sha256.", 0), 0u);
  EXPECT_EQ(long_id, MessageIdFor(std::string(300, '/'), "example.com")) << "deterministic";
}

}  // namespace
}  // namespace rectify::notify
