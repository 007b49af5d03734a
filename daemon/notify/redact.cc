#include "notify/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "notify/sign.h"

namespace rectify::notify {
namespace {

constexpr std::array<std::string_view, 12> kSensitiveParams = {
    "key",    "access_token", "token",   "sign",   "secret", "password",
    "passwd", "signature",    "api_key", "apikey", "auth",   "sig"};

bool IsSensitiveParam(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kSensitiveParams.begin(), kSensitiveParams.end(), lower) !=
         kSensitiveParams.end();
}

bool EndsValue(char c) {
  return c == '&' || c == '#' || c == ' ' || c == '"' || c == '\'' || c == '\n' || c == '\r' ||
         c == '\t' || c == '>' || c == '<' || c == ',' || c == ';';
}

void ReplaceAll(std::string* s, std::string_view what) {
  if (what.empty()) return;
  for (size_t pos = s->find(what); pos != std::string::npos;
       pos = s->find(what, pos + kRedacted.size())) {
    s->replace(pos, what.size(), kRedacted);
  }
}

// Literal values taken from the configured url that must not be shown.
std::vector<std::string> UrlSecrets(const std::string& url) {
  std::vector<std::string> out;
  const size_t scheme = url.find("://");
  const size_t auth_start = scheme == std::string::npos ? 0 : scheme + 3;
  const size_t auth_end = url.find_first_of("/?#", auth_start);
  const std::string authority =
      url.substr(auth_start, (auth_end == std::string::npos ? url.size() : auth_end) - auth_start);
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    const std::string userinfo = authority.substr(0, at);
    if (const size_t colon = userinfo.find(':'); colon != std::string::npos) {
      out.push_back(userinfo.substr(colon + 1));
    }
  }
  if (const size_t hook = url.find("/hook/"); hook != std::string::npos) {
    const size_t start = hook + 6;
    out.push_back(url.substr(start, url.find_first_of("/?#", start) - start));
  }
  if (const size_t q = url.find('?'); q != std::string::npos) {
    const size_t end = url.find('#', q);
    const std::string query =
        url.substr(q + 1, (end == std::string::npos ? url.size() : end) - q - 1);
    size_t pos = 0;
    while (pos <= query.size()) {
      const size_t amp = std::min(query.find('&', pos), query.size());
      const std::string pair = query.substr(pos, amp - pos);
      if (const size_t eq = pair.find('='); eq != std::string::npos) {
        const std::string value = pair.substr(eq + 1);
        if (IsSensitiveParam(pair.substr(0, eq)) || value.size() >= 6) out.push_back(value);
      }
      pos = amp + 1;
    }
  }
  return out;
}

// "name=value" -> "name=***" for credential-like names, anywhere in the text.
void RedactParams(std::string* s) {
  for (size_t i = 0; i < s->size(); ++i) {
    if ((*s)[i] != '=') continue;
    size_t start = i;
    while (start > 0 &&
           (std::isalnum(static_cast<unsigned char>((*s)[start - 1])) || (*s)[start - 1] == '_')) {
      --start;
    }
    if (start == i || !IsSensitiveParam(std::string_view(*s).substr(start, i - start))) continue;
    size_t end = i + 1;
    while (end < s->size() && !EndsValue((*s)[end])) ++end;
    if (end == i + 1 || std::string_view(*s).substr(i + 1, end - i - 1) == kRedacted) continue;
    s->replace(i + 1, end - i - 1, kRedacted);
    i += kRedacted.size();
  }
}

void RedactHookIds(std::string* s) {
  for (size_t pos = s->find("/hook/"); pos != std::string::npos; pos = s->find("/hook/", pos + 1)) {
    const size_t start = pos + 6;
    size_t end = start;
    while (end < s->size() && !EndsValue((*s)[end]) && (*s)[end] != '/' && (*s)[end] != '?') {
      ++end;
    }
    if (end > start && std::string_view(*s).substr(start, end - start) != kRedacted) {
      s->replace(start, end - start, kRedacted);
    }
  }
}

}  // namespace

std::string Redact(std::string_view text, const ChannelConfig& channel) {
  std::vector<std::string> secrets = UrlSecrets(channel.url);
  for (const std::string* s : {&channel.secret, &channel.password}) {
    if (s->empty()) continue;
    secrets.push_back(*s);
    secrets.push_back(UrlEncode(*s));
  }
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets.begin(), secrets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  std::string out(text);
  for (const auto& s : secrets) ReplaceAll(&out, s);
  RedactParams(&out);
  RedactHookIds(&out);
  return out;
}

std::string RedactedUrl(const ChannelConfig& channel) { return Redact(channel.url, channel); }

}  // namespace rectify::notify
