#pragma once

// WatchService.Watch: a ServerWriteReactor per stream that is the watch::Hub's Sink. The hub
// decides what to send and when; this class only moves responses onto the wire and reports
// write completions, cancellation and the end of the call back to the hub.

#include "domain/validation.h"
#include "rectify/v1/rectify.grpc.pb.h"
#include "rpc/caller.h"
#include "watch/hub.h"

namespace rectify::rpc {

class WatchService final : public v1::WatchService::CallbackService {
 public:
  WatchService(watch::Hub& hub, const Callers& callers, domain::Limits limits = {})
      : hub_(hub), callers_(callers), limits_(limits) {}
  grpc::ServerWriteReactor<v1::WatchResponse>* Watch(grpc::CallbackServerContext* ctx,
                                                     const v1::WatchRequest* req) override;

 private:
  watch::Hub& hub_;
  const Callers& callers_;
  const domain::Limits limits_;
};

// Shape checks of a watch request (enum ranges, list sizes).
Status ValidateWatch(const v1::WatchRequest& req, const domain::Limits& limits = {});

}  // namespace rectify::rpc
