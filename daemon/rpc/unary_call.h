#pragma once

// Unary calls over raw ByteBuffers. The generated typed handlers answer a request that does not
// parse (a string field with invalid UTF-8, say) with an empty UNIMPLEMENTED; parsing it here
// gives the client INVALID_ARGUMENT and a message it can act on.
//
// A UnaryCall owns the request and response for the life of the call and deletes itself in
// Finish, which may run on any thread (a gRPC thread for reads, the engine's writer thread for
// mutations).

#include <chrono>

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include "common/status.h"
#include "rpc/caller.h"
#include "rpc/status_mapping.h"

namespace rectify::rpc {

template <typename Req, typename Resp>
class UnaryCall {
 public:
  UnaryCall(grpc::CallbackServerContext* ctx, grpc::ByteBuffer* out, const CallObserver* observer)
      : ctx_(ctx), out_(out), reactor_(ctx->DefaultReactor()), observer_(observer),
        started_(std::chrono::steady_clock::now()) {}

  Req request;
  Resp response;
  grpc::CallbackServerContext* context() const { return ctx_; }

  // Answers with `response` when `status` is OK, else with the mapped error. Exactly once.
  void Finish(const Status& status) {
    grpc::Status st = ToGrpc(status);
    if (st.ok()) {
      bool own = false;
      st = grpc::GenericSerialize<grpc::ProtoBufferWriter, Resp>(response, out_, &own);
    }
    reactor_->Finish(st);
    if (observer_ != nullptr && *observer_) {
      // "CreateItemRequest" -> "CreateItem": every rpc's request is named after it.
      std::string method = Req::descriptor()->name();
      if (method.size() > 7 && method.ends_with("Request")) method.resize(method.size() - 7);
      (*observer_)(method, status.code(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started_)
                       .count());
    }
    delete this;
  }

  // Parses the raw request; on failure finishes the call with INVALID_ARGUMENT.
  bool Parse(const grpc::ByteBuffer* in) {
    grpc::ProtoBufferReader reader(const_cast<grpc::ByteBuffer*>(in));
    if (request.ParseFromZeroCopyStream(&reader)) return true;
    Finish(InvalidArgument("the request is not a valid " + std::string(Req::descriptor()->full_name()) +
                           ": malformed protobuf, or a text field that is not valid UTF-8"));
    return false;
  }

  grpc::ServerUnaryReactor* reactor() const { return reactor_; }

 private:
  grpc::CallbackServerContext* ctx_;
  grpc::ByteBuffer* out_;
  grpc::ServerUnaryReactor* reactor_;
  const CallObserver* observer_;
  std::chrono::steady_clock::time_point started_;
};

// Parses, then runs handler(call) which must eventually call call->Finish.
template <typename Req, typename Resp, typename Handler>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
                                grpc::ByteBuffer* out, const Callers& callers, Handler&& handler) {
  auto* call = new UnaryCall<Req, Resp>(ctx, out, &callers.observer());
  grpc::ServerUnaryReactor* reactor = call->reactor();
  if (call->Parse(in)) handler(call);
  return reactor;
}

}  // namespace rectify::rpc
