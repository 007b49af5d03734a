#pragma once

// Digest + channel -> the exact bytes that go on the wire. Pure (the time is a parameter,
// used for robot signatures and the email Date), so tests check every URL, header and JSON
// field without a network. Sender calls these and then only transports the result.

#include <chrono>
#include <cstddef>

#include "common/status.h"
#include "notify/types.h"

namespace rectify::notify {

// Byte limits of the rendered content (markdown / text) in robot messages. WeCom's are its
// documented ones; DingTalk and Feishu accept more, but a reminder digest that long is
// unreadable in a chat anyway, so they share the WeCom markdown limit.
inline constexpr size_t kWeComMarkdownMaxBytes = 4096;
inline constexpr size_t kWeComTextMaxBytes = 2048;
inline constexpr size_t kRobotMaxBytes = 4096;  // DingTalk, Feishu

// The HTTP POST for a webhook or robot channel (not email: kInvalidArgument).
//   webhook  url as configured; JSON {"idempotency_key","channel","recipient","address",
//            "lang","lines":[{item_id,title,unit,owner,leader,deadline,kind,days,late}],
//            "text"}; X-Rectify-Signature when the channel has a secret
//   wecom    {"msgtype":"markdown","markdown":{"content"}} (<= 4096 bytes), or with
//            plain_text {"msgtype":"text","text":{"content","mentioned_mobile_list"}}
//   dingtalk url + &timestamp=<ms>&sign=<DingTalkSign> when a secret is set;
//            {"msgtype":"markdown","markdown":{"title","text"},"at":{"atMobiles","isAtAll"}}
//            (or msgtype "text"); a mobile in Digest::address is @-mentioned in the text too
//   feishu   {"timestamp":"<s>","sign":"<FeishuSign>"} when a secret is set, plus
//            {"msg_type":"interactive","card":{...lark_md...}} or, with plain_text,
//            {"msg_type":"text","content":{"text"}}
// Every request carries Content-Type: application/json; charset=utf-8 and Idempotency-Key
// (the key itself when it is visible ASCII, else percent-encoded; the JSON body of a
// generic webhook always has it verbatim).
// Errors (kInvalidArgument, never naming a secret): email channel, a url that is not
// http(s), a digest without lines.
Result<HttpRequest> BuildRequest(const ChannelConfig& channel, const Digest& digest,
                                 std::chrono::system_clock::time_point now);

// The email for an email channel: From as configured, To the digest's address (with the
// recipient's name RFC 2047-encoded), Subject RenderSubject() RFC 2047-encoded, body
// RenderText() as UTF-8 text/plain in base64, Date from `now` (UTC), Message-ID
// <rectify.KEY@from-domain> with KEY the idempotency key (bytes outside [A-Za-z0-9_+-]
// written "=XX"; a key too long for that becomes "sha256.<hex>"), the key also verbatim-ish
// in X-Rectify-Idempotency-Key, and Auto-Submitted: auto-generated.
// Errors (kInvalidArgument): not an email channel, url not smtp(s)://, bad or missing From,
// missing or malformed recipient address, a digest without lines.
Result<EmailMessage> BuildEmail(const ChannelConfig& channel, const Digest& digest,
                                std::chrono::system_clock::time_point now);

// "=?UTF-8?B?...?=" words (folded with CRLF SP) for a header value that is not plain
// printable ASCII; the value unchanged otherwise. Never splits a UTF-8 character.
std::string EncodeHeaderValue(const std::string& value);

// The Message-ID (with angle brackets) BuildEmail derives from a key and the From domain.
std::string MessageIdFor(const std::string& idempotency_key, const std::string& domain);

}  // namespace rectify::notify
