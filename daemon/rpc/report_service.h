#pragma once

// ReportService (issue #6): year-end figures. A read: shape-checked, attributed, answered from
// one engine snapshot on the gRPC callback thread (no fsync, no writer involvement).

#include "engine/engine.h"
#include "rectify/v1/rectify.grpc.pb.h"
#include "rpc/caller.h"

namespace rectify::rpc {

class ReportService final
    : public v1::ReportService::WithRawCallbackMethod_GetReport<v1::ReportService::Service> {
 public:
  ReportService(engine::Engine& engine, const Callers& callers)
      : engine_(engine), callers_(callers) {}
  using Raw = grpc::ByteBuffer;
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* ctx, const Raw* in,
                                      Raw* out) override;

 private:
  engine::Engine& engine_;
  const Callers& callers_;
};

}  // namespace rectify::rpc
