#pragma once

// WatchService.Watch: a ServerWriteReactor per stream that is the watch::Hub's Sink. The hub
// decides what to send and when; this class only moves responses onto the wire and reports
// write completions, cancellation and the end of the call back to the hub.
//
// The method is registered raw (ByteBuffer in and out) so that an event is serialized once
// for every stream that sends it, not once per stream: WireCache keeps each revision's
// encoded `events` field, and a response is those slices plus its own small fields.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

#include "domain/validation.h"
#include "rectify/v1/rectify.grpc.pb.h"
#include "rpc/caller.h"
#include "watch/hub.h"

namespace rectify::rpc {

// The wire bytes of WatchResponses. A WatchResponse's `events` (field 1) are length-delimited
// fields, and the protobuf encoding of a message is the concatenation of its fields' encodings
// in any order, so a response is: one cached "field 1, length, event bytes" slice per event,
// then the encoding of the response without its events. Events are immutable per revision, so
// the cache is keyed by revision (a ring of the most recent ones; thread-safe).
class WireCache {
 public:
  grpc::ByteBuffer Encode(const v1::WatchResponse& response);

 private:
  grpc::Slice EventField(const v1::Event& event);
  struct Slot {
    uint64_t revision = 0;
    grpc::Slice bytes;
  };
  static constexpr size_t kSlots = 8192;
  std::mutex mu_;
  std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
};

class WatchService final
    : public v1::WatchService::WithRawCallbackMethod_Watch<v1::WatchService::Service> {
 public:
  // `limits` is asked on every call, so a reload's new [limits] apply to the next stream.
  using LimitsSource = std::function<domain::Limits()>;
  WatchService(watch::Hub& hub, const Callers& callers,
               LimitsSource limits = [] { return domain::Limits{}; })
      : hub_(hub), callers_(callers), limits_(std::move(limits)) {}
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Watch(grpc::CallbackServerContext* ctx,
                                                    const grpc::ByteBuffer* request) override;

 private:
  watch::Hub& hub_;
  const Callers& callers_;
  const LimitsSource limits_;
  WireCache wire_;
};

}  // namespace rectify::rpc
