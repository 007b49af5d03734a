#pragma once

// The single mapping from domain codes to gRPC codes (DESIGN.md "Errors"). Nothing else in the
// daemon builds a grpc::Status from a domain error.

#include <grpcpp/support/status.h>

#include "common/status.h"

namespace rectify::rpc {

grpc::StatusCode ToGrpcCode(Code code);
grpc::Status ToGrpc(const Status& status);

}  // namespace rectify::rpc
