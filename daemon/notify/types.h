#pragma once

// Plain values shared by the notify module's builders and its Sender. No proto, no I/O: the
// remind/ worker converts its outbox entries into a Digest and a ChannelConfig and calls
// Sender::Send; everything else here is pure and table-tested.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rectify::notify {

enum class ChannelType { kWebhook, kWeCom, kDingTalk, kFeishu, kEmail };

// "webhook", "wecom", "dingtalk", "feishu", "email" (the config file's spelling).
std::string_view ChannelTypeName(ChannelType type);
std::optional<ChannelType> ParseChannelType(std::string_view name);

// One configured delivery channel. Secrets (secret, password, and the robot key inside url)
// are never logged and never returned in an error: see Redact().
struct ChannelConfig {
  std::string name;  // the operator's name for it, e.g. "office-wecom"
  ChannelType type = ChannelType::kWebhook;
  // Webhook/robot URL (http:// or https://); for email an smtp:// or smtps:// URL
  // (smtps = implicit TLS, usually port 465; smtp + starttls = port 587).
  std::string url;
  // DingTalk/Feishu signing secret. For a generic webhook, when set, the body is signed:
  // header X-Rectify-Signature: sha256=hex(HMAC-SHA256(key=secret, msg=body)).
  std::string secret;
  std::string username, password;  // SMTP AUTH when username is set
  std::string from;                // email From: "addr@host" or "Name <addr@host>"
  bool starttls = false;           // SMTP: refuse to send unless STARTTLS succeeds
  // Robots: send a plain-text message instead of markdown (WeCom/DingTalk) or a card
  // (Feishu). WeCom markdown is not rendered in the WeChat plug-in, for example.
  bool plain_text = false;
  // PEM bundle of trusted CAs for https/smtps/STARTTLS (an intranet CA); empty = system.
  std::string ca_file;
  std::chrono::milliseconds timeout{5000};  // whole attempt, connect included
};

// One item in a digest. `kind` is one of the reminder rules:
//   before_deadline  days = working days left       deadline_day   (days unused)
//   overdue          days = working days overdue    supervision    督办, days overdue
//   admonition       约谈, days overdue              stale_progress days without progress
struct ReminderLine {
  std::string item_id, title, unit, owner, leader, deadline;  // deadline YYYY-MM-DD
  std::string kind;
  int days = 0;
  bool late = false;  // a collapsed reminder for occurrences missed while the daemon was down
};

// Everything due for one recipient on one channel in one run: one message.
struct Digest {
  std::string idempotency_key;  // stable across retries; Idempotency-Key / Message-ID
  std::string channel;          // ChannelConfig::name
  std::string recipient;        // a person's name, or the group for robots
  std::string address;          // email address, or a mobile for DingTalk/WeCom @; may be empty
  std::vector<ReminderLine> lines;
  std::string lang = "zh";  // "zh" (default) or "en"; anything else renders Chinese
};

enum class Outcome {
  kDelivered,  // the receiver accepted it: mark the outbox entry sent
  kRetry,      // transient (network, timeout, 5xx, 429, rate-limit code): back off, retry
  kFinal,      // permanent (4xx, bad config, rejected payload): stop, keep it visible
};
std::string_view OutcomeName(Outcome outcome);

struct DeliveryResult {
  Outcome outcome = Outcome::kRetry;
  // The HTTP status, or for email the last SMTP reply code; 0 when nothing was answered.
  int http_status = 0;
  std::string error;  // empty when delivered; never contains a secret (see Redact)
};

// One HTTP POST, exactly as it goes on the wire (BuildRequest's output).
struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// One email, exactly as it goes to the SMTP server (BuildEmail's output).
struct EmailMessage {
  std::string mail_from;                // envelope sender, bare address
  std::vector<std::string> recipients;  // envelope recipients, bare addresses
  std::string data;                     // RFC 5322 message, CRLF line ends
};

}  // namespace rectify::notify
