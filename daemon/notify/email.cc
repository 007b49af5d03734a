// BuildEmail and its RFC 5322 / RFC 2047 / MIME helpers (declared in request.h).

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "notify/render.h"
#include "notify/request.h"
#include "notify/sign.h"
#include "notify/utf8.h"

namespace rectify::notify {
namespace {

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

std::string Trim(std::string_view s) {
  const auto sp = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  return std::string(s);
}

bool PlainAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; }) &&
         s.find("=?") == std::string_view::npos;
}

// A bare addr-spec we are willing to put in a header and an SMTP command: local@domain, no
// whitespace, controls, brackets, commas or quotes (no header or command injection).
bool ValidAddress(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  const size_t at = a.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == a.size()) return false;
  return std::none_of(a.begin(), a.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
           c == '(' || c == ')' || c == '\\' || c == '[' || c == ']';
  });
}

struct Mailbox {
  std::string name;     // display name, may be empty or non-ASCII
  std::string address;  // bare addr-spec
};

// "addr@host" or "Display Name <addr@host>" (the name may be quoted).
bool ParseMailbox(std::string_view text, Mailbox* out) {
  const size_t lt = text.find('<');
  if (lt == std::string_view::npos) {
    out->name.clear();
    out->address = Trim(text);
  } else {
    const size_t gt = text.find('>', lt);
    if (gt == std::string_view::npos || !Trim(text.substr(gt + 1)).empty()) return false;
    out->address = Trim(text.substr(lt + 1, gt - lt - 1));
    std::string name = Trim(text.substr(0, lt));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    out->name = SanitizeUtf8(name, /*single_line=*/true);
  }
  return ValidAddress(out->address);
}

std::string FormatMailbox(const Mailbox& m) {
  if (m.name.empty()) return m.address;
  if (PlainAscii(m.name)) {
    // Quote it unless it is plain atoms: a comma or a dot in a name means something else.
    const bool atoms = std::all_of(m.name.begin(), m.name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '_';
    });
    if (atoms) return m.name + " <" + m.address + ">";
    std::string quoted = "\"";
    for (char c : m.name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\" <" + m.address + ">";
  }
  return EncodeHeaderValue(m.name) + " <" + m.address + ">";
}

// RFC 5322 date in UTC, independent of the process locale.
std::string RfcDate(std::chrono::system_clock::time_point now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

// Base64 in lines of 76 characters, each ended by CRLF (RFC 2045).
std::string Base64Lines(std::string_view data) {
  const std::string b64 = Base64Encode(data);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) {
    out += b64.substr(i, 76);
    out += "\r\n";
  }
  return out;
}

std::string ToCrlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string Footer(const std::string& lang) {
  return lang == "en" ? "-- \nSent automatically by rectifyd. Please do not reply to this email."
                      : "-- \n本邮件由 rectifyd 自动发送，请勿直接回复。";
}

}  // namespace

std::string EncodeHeaderValue(const std::string& value) {
  const std::string clean = SanitizeUtf8(value, /*single_line=*/true);
  if (PlainAscii(clean)) return clean;
  // 39 bytes -> 52 base64 characters -> 64-character words: lines stay under 78 columns.
  constexpr size_t kChunk = 39;
  std::string out;
  std::string_view rest = clean;
  while (!rest.empty()) {
    size_t n = Utf8PrefixLength(rest, kChunk);
    if (n == 0) n = std::min(rest.size(), kChunk);  // cannot happen for sanitized text
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(rest.substr(0, n)) + "?=";
    rest.remove_prefix(n);
  }
  return out;
}

std::string MessageIdFor(const std::string& key, const std::string& domain) {
  std::string local = "rectify.";
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '+') {
      local += static_cast<char>(c);
    } else {
      local += '=';
      local += kDigits[c >> 4];
      local += kDigits[c & 0xF];
    }
  }
  if (key.empty() || local.size() > 200) local = "rectify.sha256." + HexEncode(Sha256(key));
  return "<" + local + "@" + domain + ">";
}

Result<EmailMessage> BuildEmail(const ChannelConfig& ch, const Digest& d,
                                std::chrono::system_clock::time_point now) {
  if (ch.type != ChannelType::kEmail) {
    return InvalidArgument("channel " + ch.name + " is not an email channel");
  }
  if (!StartsWithNoCase(ch.url, "smtp://") && !StartsWithNoCase(ch.url, "smtps://")) {
    return InvalidArgument("channel " + ch.name + ": url must start with smtp:// or smtps://");
  }
  Mailbox from;
  if (!ParseMailbox(ch.from, &from)) {
    return InvalidArgument("channel " + ch.name + ": from is not a valid address");
  }
  if (!ValidAddress(d.address)) {
    return InvalidArgument("recipient " + SanitizeUtf8(d.recipient, true) +
                           " has no valid email address");
  }
  if (d.lines.empty()) return InvalidArgument("digest " + d.idempotency_key + " has no lines");

  std::string domain = from.address.substr(from.address.rfind('@') + 1);
  if (!std::all_of(domain.begin(), domain.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
      })) {
    domain = "rectifyd.invalid";
  }
  const Mailbox to{SanitizeUtf8(d.recipient, true), d.address};

  std::string m;
  m += "Date: " + RfcDate(now) + "\r\n";
  m += "From: " + FormatMailbox(from) + "\r\n";
  m += "To: " + FormatMailbox(to) + "\r\n";
  m += "Subject: " + EncodeHeaderValue(RenderSubject(d)) + "\r\n";
  m += "Message-ID: " + MessageIdFor(d.idempotency_key, domain) + "\r\n";
  m += "X-Rectify-Idempotency-Key: " + EncodeHeaderValue(d.idempotency_key) + "\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: base64\r\n";
  m += "\r\n";
  m += Base64Lines(ToCrlf(RenderText(d) + "\n\n" + Footer(d.lang) + "\n"));

  EmailMessage msg;
  msg.mail_from = from.address;
  msg.recipients = {d.address};
  msg.data = std::move(m);
  return msg;
}

}  // namespace rectify::notify
