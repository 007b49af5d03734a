#include "test_util.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace rectify::notify::testing {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

bool Base64Decode(std::string_view in, std::string* out) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out->clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : in) {
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad > 0) return false;  // data after padding
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return pad <= 2;
}

bool DecodeRfc2047(std::string_view value, std::string* out) {
  out->clear();
  size_t i = 0;
  bool last_was_word = false;
  while (i < value.size()) {
    if (value.compare(i, 10, "=?UTF-8?B?") == 0) {
      const size_t end = value.find("?=", i + 10);
      if (end == std::string_view::npos) return false;
      std::string decoded;
      if (!Base64Decode(value.substr(i + 10, end - i - 10), &decoded)) return false;
      *out += decoded;
      i = end + 2;
      last_was_word = true;
      continue;
    }
    // Whitespace (incl. folding) between two encoded words is not part of the text.
    size_t j = i;
    while (j < value.size() &&
           (value[j] == ' ' || value[j] == '\t' || value[j] == '\r' || value[j] == '\n')) {
      ++j;
    }
    if (last_was_word && j > i && value.compare(j, 10, "=?UTF-8?B?") == 0) {
      i = j;
      continue;
    }
    out->push_back(value[i]);
    last_was_word = false;
    ++i;
  }
  return true;
}

std::string HeaderOf(const std::string& message, const std::string& name) {
  const size_t end = message.find("\r\n\r\n");
  const std::string head = message.substr(0, end);
  std::string lower_name = name + ":";
  std::transform(lower_name.begin(), lower_name.end(), lower_name.begin(), ::tolower);
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string::npos) eol = head.size();
    std::string line = head.substr(pos, eol - pos);
    std::string lower = line.substr(0, lower_name.size());
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower == lower_name) {
      std::string value = line.substr(lower_name.size());
      // Unfold continuation lines (CRLF followed by white space).
      while (eol + 2 < head.size() && (head[eol + 2] == ' ' || head[eol + 2] == '\t')) {
        const size_t next = std::min(head.find("\r\n", eol + 2), head.size());
        value += "\r\n" + head.substr(eol + 2, next - eol - 2);
        eol = next;
      }
      const size_t first = value.find_first_not_of(' ');
      return first == std::string::npos ? "" : value.substr(first);
    }
    pos = eol + 2;
  }
  return "";
}

std::string BodyOf(const std::string& message) {
  const size_t end = message.find("\r\n\r\n");
  return end == std::string::npos ? "" : message.substr(end + 4);
}

ReminderLine Line(std::string id, std::string title, std::string kind, int days, bool late) {
  ReminderLine l;
  l.item_id = std::move(id);
  l.title = std::move(title);
  l.unit = "后勤处";
  l.owner = "张三";
  l.leader = "李四";
  l.deadline = "2025-03-14";
  l.kind = std::move(kind);
  l.days = days;
  l.late = late;
  return l;
}

Digest SampleDigest() {
  Digest d;
  d.idempotency_key = "rem-2025-0001-v3-overdue-20250318-zhangsan-office";
  d.channel = "office";
  d.recipient = "张三";
  d.address = "zhangsan@example.com";
  d.lines = {Line("2025-0001", "食堂卫生整改", "before_deadline", 5),
             Line("2025-0002", "公车使用登记不规范", "overdue", 3, /*late=*/true)};
  return d;
}

}  // namespace rectify::notify::testing
