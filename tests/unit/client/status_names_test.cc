#include "client/status_names.h"

#include <gtest/gtest.h>

namespace rectify::client {
namespace {

TEST(StatusCodeName, EveryCanonicalCode) {
  const std::pair<grpc::StatusCode, const char*> cases[] = {
      {grpc::StatusCode::OK, "OK"},
      {grpc::StatusCode::CANCELLED, "CANCELLED"},
      {grpc::StatusCode::UNKNOWN, "UNKNOWN"},
      {grpc::StatusCode::INVALID_ARGUMENT, "INVALID_ARGUMENT"},
      {grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED"},
      {grpc::StatusCode::NOT_FOUND, "NOT_FOUND"},
      {grpc::StatusCode::ALREADY_EXISTS, "ALREADY_EXISTS"},
      {grpc::StatusCode::PERMISSION_DENIED, "PERMISSION_DENIED"},
      {grpc::StatusCode::RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"},
      {grpc::StatusCode::FAILED_PRECONDITION, "FAILED_PRECONDITION"},
      {grpc::StatusCode::ABORTED, "ABORTED"},
      {grpc::StatusCode::OUT_OF_RANGE, "OUT_OF_RANGE"},
      {grpc::StatusCode::UNIMPLEMENTED, "UNIMPLEMENTED"},
      {grpc::StatusCode::INTERNAL, "INTERNAL"},
      {grpc::StatusCode::UNAVAILABLE, "UNAVAILABLE"},
      {grpc::StatusCode::DATA_LOSS, "DATA_LOSS"},
      {grpc::StatusCode::UNAUTHENTICATED, "UNAUTHENTICATED"},
  };
  for (const auto& [code, name] : cases) EXPECT_EQ(StatusCodeName(code), name);
}

TEST(StatusCodeName, UnknownNumber) {
  EXPECT_EQ(StatusCodeName(static_cast<grpc::StatusCode>(99)), "CODE_99");
}

TEST(FormatStatus, NameColonMessage) {
  EXPECT_EQ(FormatStatus(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "需要至少一条措施")),
            "FAILED_PRECONDITION: 需要至少一条措施");
  EXPECT_EQ(FormatStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "")), "NOT_FOUND");
}

}  // namespace
}  // namespace rectify::client
