#pragma once

// What a receiver's answer means for the outbox, and how long to wait before the next try.
// Pure functions; Sender uses Classify, the remind/ worker uses Backoff and Jitter.

#include <chrono>
#include <cstdint>
#include <string>

#include "notify/types.h"

namespace rectify::notify {

// An HTTP answer -> delivered, retry or final:
//   2xx  generic webhook: delivered. Robots (WeCom/DingTalk: "errcode", Feishu: "code" or the
//        older "StatusCode") must also say 0 in a JSON body: a rate-limit code (WeCom 45009,
//        DingTalk 130101, Feishu 11232) or "system busy" (-1) retries, any other non-zero
//        code is final, and a body without a code retries (whatever answered, it was not
//        the robot, so the message most likely did not arrive).
//   408, 425, 429: retry.  Other 4xx: final.  5xx: retry.
//   0 (no answer): retry.  1xx/3xx: final (redirects are not followed: fix the URL).
// `error` names the status or code and quotes at most 200 bytes of the body; it is not
// redacted here (Sender redacts it with the channel's secrets).
DeliveryResult Classify(int http_status, const std::string& body, ChannelType type);

// An SMTP failure -> retry or final by the reply code: 5xx final, 4xx retry, 0 (no reply,
// network) retry.
DeliveryResult ClassifySmtp(int reply_code, const std::string& error);

// The delay after the attempt-th failed attempt (1-based): base * 2^(attempt-1), capped at
// max; attempt <= 1 gives base. Deterministic.
std::chrono::milliseconds Backoff(int attempt, std::chrono::milliseconds base,
                                  std::chrono::milliseconds max);

// Spreads retries: delay * (1 - fraction * u) with u in [0, 1) taken from `entropy` (e.g. a
// hash of the idempotency key and the attempt, which keeps it reproducible). fraction 0
// returns delay unchanged; fraction is clamped to [0, 1].
std::chrono::milliseconds Jitter(std::chrono::milliseconds delay, double fraction,
                                 uint64_t entropy);

}  // namespace rectify::notify
