#pragma once

// Unary calls over raw ByteBuffers. The generated typed handlers answer a request that does not
// parse (a string field with invalid UTF-8, say) with an empty UNIMPLEMENTED; parsing it here
// gives the client INVALID_ARGUMENT and a message it can act on.
//
// A UnaryCall owns the request and response for the life of the call and deletes itself in
// Finish, which may run on any thread (a gRPC thread for reads, the engine's writer thread for
// mutations).

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include "common/status.h"
#include "rpc/status_mapping.h"

namespace rectify::rpc {

template <typename Req, typename Resp>
class UnaryCall {
 public:
  UnaryCall(grpc::CallbackServerContext* ctx, grpc::ByteBuffer* out)
      : ctx_(ctx), out_(out), reactor_(ctx->DefaultReactor()) {}

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
};

// Parses, then runs handler(call) which must eventually call call->Finish.
template <typename Req, typename Resp, typename Handler>
grpc::ServerUnaryReactor* Serve(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer* in,
                                grpc::ByteBuffer* out, Handler&& handler) {
  auto* call = new UnaryCall<Req, Resp>(ctx, out);
  grpc::ServerUnaryReactor* reactor = call->reactor();
  if (call->Parse(in)) handler(call);
  return reactor;
}

}  // namespace rectify::rpc
