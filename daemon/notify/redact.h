#pragma once

// Keeps secrets out of errors and logs. Everything Sender returns or logs passes through
// Redact with the channel it was sending on.

#include <string>
#include <string_view>

#include "notify/types.h"

namespace rectify::notify {

inline constexpr std::string_view kRedacted = "***";

// Replaces with "***":
//  - the channel's secret and password, raw and percent-encoded, wherever they appear;
//  - from the channel's url: the userinfo password, the value of every query parameter named
//    like a credential (key, access_token, token, sign, secret, password, ...) and of any
//    other query parameter of 6 bytes or more, and the Feishu hook ID (the path segment
//    after /hook/), wherever those values appear;
//  - in any URL-ish text, whatever the channel: the value after key=, access_token=,
//    token=, sign=, secret=, password=, signature= (up to & # space or quote), and the
//    segment after /hook/.
std::string Redact(std::string_view text, const ChannelConfig& channel);

// The channel's url with its credentials replaced: safe to log or show to an operator.
std::string RedactedUrl(const ChannelConfig& channel);

}  // namespace rectify::notify
