#pragma once

// Sender: delivers one Digest over one channel, blocking, and says what happened.
//
// Called by the remind/ delivery worker from its own thread (never from a gRPC reactor or the
// engine's commit thread: a send can block for the channel's whole timeout). Thread-safe and
// stateless apart from libcurl's one-time global init: one Sender per daemon, shared freely;
// concurrent Sends use separate connections (no pooling: digests are few and far between).
//
// Send never throws, never logs a secret and never returns one (errors pass through Redact).
// It logs one debug line per send; deciding whether a failure is worth a warning or an
// error is the worker's business, since it knows the attempt count.

#include <chrono>

#include "notify/types.h"

namespace rectify::notify {

class Sender {
 public:
  Sender();  // initialises libcurl once per process (never cleaned up: other users may exist)
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Webhook and robots: BuildRequest, one HTTP POST with the channel's timeout for the whole
  // attempt, then Classify (redirects are not followed). Email: BuildEmail, then SMTP
  // through libcurl (STARTTLS required when channel.starttls, implicit TLS for smtps://,
  // AUTH when channel.username is set), classified by the SMTP reply code.
  // A request that cannot be built (bad config, no address, no lines) is kFinal; network
  // errors and timeouts are kRetry. `now` signs robot requests and dates emails.
  DeliveryResult Send(const ChannelConfig& channel, const Digest& digest,
                      std::chrono::system_clock::time_point now) const;
};

}  // namespace rectify::notify
