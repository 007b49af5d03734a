#include "notify/request.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "notify/render.h"
#include "notify/sign.h"

#ifndef RECTIFY_NOTIFY_VERSION
#define RECTIFY_NOTIFY_VERSION "dev"
#endif

namespace rectify::notify {
namespace {

using nlohmann::json;

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

// Invalid UTF-8 (which rpc/ should already have refused) becomes U+FFFD instead of an
// exception; nothing else in dump() throws.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A mobile number fit for an @-mention: digits, optionally a leading + and dashes/spaces.
bool LooksLikeMobile(const std::string& s) {
  if (s.empty() || s.size() > 20) return false;
  int digits = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (!(c == '-' || c == ' ' || (c == '+' && i == 0))) {
      return false;
    }
  }
  return digits >= 5;
}

// Header values are bytes on the wire that servers read as Latin-1: keep visible ASCII as
// is and percent-encode the rest (and '%' itself, so the encoding is unambiguous).
std::string HeaderSafe(std::string_view value) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (c > 0x20 && c < 0x7F && c != '%') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 0xF];
    }
  }
  return out;
}

bool AnyOverdue(const Digest& d) {
  return std::any_of(d.lines.begin(), d.lines.end(), [](const ReminderLine& l) {
    return l.kind == "overdue" || l.kind == "supervision" || l.kind == "admonition";
  });
}

json WebhookBody(const Digest& d) {
  json lines = json::array();
  for (const auto& l : d.lines) {
    lines.push_back({{"item_id", l.item_id},
                     {"title", l.title},
                     {"unit", l.unit},
                     {"owner", l.owner},
                     {"leader", l.leader},
                     {"deadline", l.deadline},
                     {"kind", l.kind},
                     {"days", l.days},
                     {"late", l.late}});
  }
  return {{"idempotency_key", d.idempotency_key},
          {"channel", d.channel},
          {"recipient", d.recipient},
          {"address", d.address},
          {"lang", d.lang},
          {"lines", std::move(lines)},
          {"text", RenderText(d)}};
}

json WeComBody(const ChannelConfig& ch, const Digest& d) {
  if (!ch.plain_text) {
    return {{"msgtype", "markdown"},
            {"markdown", {{"content", RenderMarkdown(d, kWeComMarkdownMaxBytes)}}}};
  }
  json text = {{"content", RenderText(d, kWeComTextMaxBytes)}};
  if (LooksLikeMobile(d.address)) text["mentioned_mobile_list"] = json::array({d.address});
  return {{"msgtype", "text"}, {"text", std::move(text)}};
}

json DingTalkBody(const ChannelConfig& ch, const Digest& d) {
  const bool mention = LooksLikeMobile(d.address);
  // DingTalk only notifies an @mobile that also appears in the text.
  const std::string at = mention ? "@" + d.address : "";
  json at_block = {{"atMobiles", mention ? json::array({d.address}) : json::array()},
                   {"isAtAll", false}};
  if (ch.plain_text) {
    const std::string suffix = mention ? " " + at : "";
    return {{"msgtype", "text"},
            {"text", {{"content", RenderText(d, kRobotMaxBytes - suffix.size()) + suffix}}},
            {"at", std::move(at_block)}};
  }
  const std::string suffix = mention ? "\n\n" + at : "";
  return {{"msgtype", "markdown"},
          {"markdown",
           {{"title", RenderSubject(d)},
            {"text", RenderMarkdown(d, kRobotMaxBytes - suffix.size()) + suffix}}},
          {"at", std::move(at_block)}};
}

json FeishuBody(const ChannelConfig& ch, const Digest& d, int64_t timestamp_s) {
  json body = json::object();
  if (!ch.secret.empty()) {
    body["timestamp"] = std::to_string(timestamp_s);  // a string, as Feishu's docs show
    body["sign"] = FeishuSign(timestamp_s, ch.secret);
  }
  if (ch.plain_text) {
    body["msg_type"] = "text";
    body["content"] = {{"text", RenderText(d, kRobotMaxBytes)}};
    return body;
  }
  body["msg_type"] = "interactive";
  body["card"] = {
      {"config", {{"wide_screen_mode", true}}},
      {"header",
       {{"title", {{"tag", "plain_text"}, {"content", RenderSubject(d)}}},
        {"template", AnyOverdue(d) ? "red" : "orange"}}},
      {"elements", json::array({{{"tag", "div"},
                                 {"text",
                                  {{"tag", "lark_md"},
                                   {"content", RenderMarkdownItems(d, kRobotMaxBytes)}}}}})}};
  return body;
}

std::string DingTalkUrl(const ChannelConfig& ch, int64_t timestamp_ms) {
  if (ch.secret.empty()) return ch.url;
  const char sep = ch.url.find('?') == std::string::npos ? '?' : '&';
  return ch.url + sep + "timestamp=" + std::to_string(timestamp_ms) +
         "&sign=" + DingTalkSign(timestamp_ms, ch.secret);
}

}  // namespace

Result<HttpRequest> BuildRequest(const ChannelConfig& ch, const Digest& d,
                                 std::chrono::system_clock::time_point now) {
  if (ch.type == ChannelType::kEmail) {
    return InvalidArgument("channel " + ch.name + " is an email channel, not HTTP");
  }
  if (!StartsWithNoCase(ch.url, "http://") && !StartsWithNoCase(ch.url, "https://")) {
    return InvalidArgument("channel " + ch.name + ": url must start with http:// or https://");
  }
  if (d.lines.empty()) return InvalidArgument("digest " + d.idempotency_key + " has no lines");

  const auto since_epoch = now.time_since_epoch();
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  const int64_t s = std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();

  HttpRequest req;
  req.url = ch.url;
  req.headers = {{"Content-Type", "application/json; charset=utf-8"},
                 {"Idempotency-Key", HeaderSafe(d.idempotency_key)},
                 {"User-Agent", "rectifyd/" RECTIFY_NOTIFY_VERSION}};
  try {
    switch (ch.type) {
      case ChannelType::kWebhook:
        req.body = Dump(WebhookBody(d));
        if (!ch.secret.empty()) {
          req.headers.emplace_back("X-Rectify-Signature", WebhookSignature(ch.secret, req.body));
        }
        break;
      case ChannelType::kWeCom:
        req.body = Dump(WeComBody(ch, d));
        break;
      case ChannelType::kDingTalk:
        req.url = DingTalkUrl(ch, ms);
        req.body = Dump(DingTalkBody(ch, d));
        break;
      case ChannelType::kFeishu:
        req.body = Dump(FeishuBody(ch, d, s));
        break;
      case ChannelType::kEmail:
        break;  // refused above
    }
  } catch (const std::exception& e) {  // nlohmann only throws on a bug here; keep it inside
    return Internal(std::string("building the request body: ") + e.what());
  }
  return req;
}

}  // namespace rectify::notify
