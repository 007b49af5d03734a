#pragma once

// How an RPC failure is shown: `CODE_NAME: message`, with the canonical gRPC code names
// (FAILED_PRECONDITION, NOT_FOUND, ...), so scripts can match on the first word of stderr.

#include <grpcpp/support/status.h>

#include <string>
#include <string_view>

namespace rectify::client {

// "FAILED_PRECONDITION" for grpc::FAILED_PRECONDITION; "CODE_<n>" for a number gRPC does not
// define.
std::string StatusCodeName(grpc::StatusCode code);

// "NOT_FOUND: item 2026-000001 not found"; just the name when the message is empty.
std::string FormatStatus(const grpc::Status& status);

}  // namespace rectify::client
