#pragma once

// WatchService.Watch: a ServerWriteReactor per stream that is the watch::Hub's Sink. The hub
// decides what to send and when; this class only moves responses onto the wire and reports
// write completions, cancellation and the end of the call back to the hub.

#include <functional>

#include "domain/validation.h"
#include "rectify/v1/rectify.grpc.pb.h"
#include "rpc/caller.h"
#include "watch/hub.h"

namespace rectify::rpc {

class WatchService final : public v1::WatchService::CallbackService {
 public:
  // `limits` is asked on every call, so a reload's new [limits] apply to the next stream.
  using LimitsSource = std::function<domain::Limits()>;
  WatchService(watch::Hub& hub, const Callers& callers,
               LimitsSource limits = [] { return domain::Limits{}; })
      : hub_(hub), callers_(callers), limits_(std::move(limits)) {}
  grpc::ServerWriteReactor<v1::WatchResponse>* Watch(grpc::CallbackServerContext* ctx,
                                                     const v1::WatchRequest* req) override;

 private:
  watch::Hub& hub_;
  const Callers& callers_;
  const LimitsSource limits_;
};

// Shape checks of a watch request (enum ranges, list sizes).
Status ValidateWatch(const v1::WatchRequest& req, const domain::Limits& limits = {});

}  // namespace rectify::rpc
