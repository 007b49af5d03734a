#include "notify/classify.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "notify/utf8.h"

namespace rectify::notify {
namespace {

using nlohmann::json;

constexpr size_t kQuoteBytes = 200;

std::string Quote(const std::string& body) {
  return TruncateUtf8(SanitizeUtf8(body, /*single_line=*/true), kQuoteBytes, "…");
}

std::optional<int64_t> IntField(const json& j, const char* name) {
  const auto it = j.find(name);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {  // tolerate "0"
    const std::string& s = it->get_ref<const std::string&>();
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0') return v;
  }
  return std::nullopt;
}

std::string StringField(const json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool RateLimited(ChannelType type, int64_t code) {
  if (code == -1) return true;  // "system busy" (WeCom, DingTalk)
  switch (type) {
    case ChannelType::kWeCom:
      return code == 45009;  // api freq out of limit
    case ChannelType::kDingTalk:
      return code == 130101;  // send too fast
    case ChannelType::kFeishu:
      return code == 11232;  // frequency limited
    default:
      return false;
  }
}

DeliveryResult RobotAnswer(int status, const std::string& body, ChannelType type) {
  const std::string robot(ChannelTypeName(type));
  const json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::optional<int64_t> code;
  std::string msg;
  if (j.is_object()) {
    if (type == ChannelType::kFeishu) {
      code = IntField(j, "code");
      msg = StringField(j, "msg");
      if (!code) {
        code = IntField(j, "StatusCode");
        msg = StringField(j, "StatusMessage");
      }
    } else {
      code = IntField(j, "errcode");
      msg = StringField(j, "errmsg");
    }
  }
  if (!code) {
    return {Outcome::kRetry, status,
            robot + " answered HTTP " + std::to_string(status) +
                " without a result code: " + Quote(body)};
  }
  if (*code == 0) return {Outcome::kDelivered, status, ""};
  const Outcome outcome = RateLimited(type, *code) ? Outcome::kRetry : Outcome::kFinal;
  return {outcome, status, robot + " error code " + std::to_string(*code) + ": " + Quote(msg)};
}

}  // namespace

DeliveryResult Classify(int status, const std::string& body, ChannelType type) {
  if (status >= 200 && status < 300) {
    if (type == ChannelType::kWebhook || type == ChannelType::kEmail) {
      return {Outcome::kDelivered, status, ""};
    }
    return RobotAnswer(status, body, type);
  }
  const std::string what =
      "HTTP " + std::to_string(status) + (body.empty() ? std::string() : ": " + Quote(body));
  if (status == 0) return {Outcome::kRetry, 0, "no HTTP answer"};
  if (status == 408 || status == 425 || status == 429 || status >= 500) {
    return {Outcome::kRetry, status, what};
  }
  if (status >= 400) return {Outcome::kFinal, status, what};
  return {Outcome::kFinal, status, what + " (redirects are not followed: check the URL)"};
}

DeliveryResult ClassifySmtp(int reply_code, const std::string& error) {
  const std::string what =
      reply_code > 0 ? "SMTP " + std::to_string(reply_code) + ": " + error : error;
  if (reply_code >= 500 && reply_code < 600) return {Outcome::kFinal, reply_code, what};
  return {Outcome::kRetry, reply_code, what};
}

std::chrono::milliseconds Backoff(int attempt, std::chrono::milliseconds base,
                                  std::chrono::milliseconds max) {
  if (base.count() <= 0) return std::chrono::milliseconds(0);
  if (base >= max) return max;
  int64_t delay = base.count();
  for (int i = 1; i < attempt; ++i) {
    if (delay >= max.count() / 2) return max;  // the next doubling would pass the cap
    delay *= 2;
  }
  return std::chrono::milliseconds(std::min<int64_t>(delay, max.count()));
}

std::chrono::milliseconds Jitter(std::chrono::milliseconds delay, double fraction,
                                 uint64_t entropy) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  if (fraction == 0.0 || delay.count() <= 0) return delay;
  // splitmix64 finaliser: any input (a counter, a hash) gives well-spread bits.
  uint64_t z = entropy + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  const double u = static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53);  // [0, 1)
  const double scaled = static_cast<double>(delay.count()) * (1.0 - fraction * u);
  return std::chrono::milliseconds(static_cast<int64_t>(scaled));
}

}  // namespace rectify::notify
