#pragma once

// Robot signatures and the small encodings they need (OpenSSL HMAC-SHA256). Pure.

#include <cstdint>
#include <string>
#include <string_view>

namespace rectify::notify {

std::string HmacSha256(std::string_view key, std::string_view message);  // 32 raw bytes
std::string Sha256(std::string_view data);                               // 32 raw bytes
std::string Base64Encode(std::string_view data);                         // standard, padded
std::string HexEncode(std::string_view data);                            // lowercase
// Percent-encodes every byte except the RFC 3986 unreserved ones (A-Z a-z 0-9 - . _ ~); for a
// base64 string this equals Python's urllib.parse.quote_plus, which DingTalk's docs use.
std::string UrlEncode(std::string_view data);

// DingTalk: urlencode(base64(HMAC-SHA256(key=secret, msg=timestamp_ms + "\n" + secret))).
// The timestamp goes in the URL too and must be within an hour of DingTalk's clock.
std::string DingTalkSign(int64_t timestamp_ms, const std::string& secret);

// Feishu: base64(HMAC-SHA256(key=timestamp_s + "\n" + secret, msg="")). Note the secret
// string is the HMAC *key* material together with the timestamp and the message is empty,
// unlike DingTalk; this is what Feishu's custom-bot docs' Python/Go/Java samples compute.
std::string FeishuSign(int64_t timestamp_s, const std::string& secret);

// Generic webhook: "sha256=" + hex(HMAC-SHA256(key=secret, msg=body)), sent as
// X-Rectify-Signature when the channel has a secret.
std::string WebhookSignature(const std::string& secret, std::string_view body);

}  // namespace rectify::notify
