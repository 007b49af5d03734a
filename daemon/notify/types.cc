#include "notify/types.h"

namespace rectify::notify {

std::string_view ChannelTypeName(ChannelType type) {
  switch (type) {
    case ChannelType::kWebhook:
      return "webhook";
    case ChannelType::kWeCom:
      return "wecom";
    case ChannelType::kDingTalk:
      return "dingtalk";
    case ChannelType::kFeishu:
      return "feishu";
    case ChannelType::kEmail:
      return "email";
  }
  return "unknown";
}

std::optional<ChannelType> ParseChannelType(std::string_view name) {
  for (ChannelType t : {ChannelType::kWebhook, ChannelType::kWeCom, ChannelType::kDingTalk,
                        ChannelType::kFeishu, ChannelType::kEmail}) {
    if (ChannelTypeName(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDelivered:
      return "delivered";
    case Outcome::kRetry:
      return "retry";
    case Outcome::kFinal:
      return "final";
  }
  return "unknown";
}

}  // namespace rectify::notify
