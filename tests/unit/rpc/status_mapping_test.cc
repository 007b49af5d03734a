// The one table from domain codes to gRPC codes (DESIGN.md "Errors"): every code, OK without its
// message, and an unknown value that must never become OK.

#include "rpc/status_mapping.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace rectify::rpc {
namespace {

struct Row {
  Code code;
  grpc::StatusCode want;
};

// Spelled out by hand from DESIGN.md, not derived from the code under test.
const std::vector<Row> kTable = {
    {Code::kOk, grpc::StatusCode::OK},
    {Code::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
    {Code::kNotFound, grpc::StatusCode::NOT_FOUND},
    {Code::kFailedPrecondition, grpc::StatusCode::FAILED_PRECONDITION},
    {Code::kAborted, grpc::StatusCode::ABORTED},
    {Code::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
    {Code::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
    {Code::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
    {Code::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED},
    {Code::kResourceExhausted, grpc::StatusCode::RESOURCE_EXHAUSTED},
    {Code::kUnavailable, grpc::StatusCode::UNAVAILABLE},
    {Code::kInternal, grpc::StatusCode::INTERNAL},
    {Code::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
    {Code::kCancelled, grpc::StatusCode::CANCELLED},
    {Code::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED},
};

TEST(StatusMappingTest, TableCoversEveryDomainCode) {
  // Code's values are 0..14 with no gaps (common/status.h); a new code must join kTable.
  std::set<int> covered;
  for (const auto& row : kTable) covered.insert(static_cast<int>(row.code));
  for (int c = 0; c <= static_cast<int>(Code::kDeadlineExceeded); ++c) {
    EXPECT_TRUE(covered.count(c)) << "Code " << c << " (" << CodeName(static_cast<Code>(c))
                                  << ") is missing from the test table";
  }
  // Every code past the last known one is unnamed, so kTable really is complete.
  EXPECT_EQ(CodeName(static_cast<Code>(static_cast<int>(Code::kDeadlineExceeded) + 1)), "UNKNOWN");
}

TEST(StatusMappingTest, EveryCodeMapsToItsGrpcCode) {
  for (const auto& row : kTable) {
    SCOPED_TRACE(std::string(CodeName(row.code)));
    EXPECT_EQ(ToGrpcCode(row.code), row.want);
    if (row.code == Code::kOk) continue;
    const grpc::Status g = ToGrpc(Status(row.code, "what went wrong"));
    EXPECT_EQ(g.error_code(), row.want);
    EXPECT_EQ(g.error_message(), "what went wrong");
    EXPECT_FALSE(g.ok());
  }
}

TEST(StatusMappingTest, NoErrorBecomesOk) {
  for (const auto& row : kTable) {
    if (row.code == Code::kOk) continue;
    EXPECT_NE(ToGrpcCode(row.code), grpc::StatusCode::OK) << CodeName(row.code);
  }
}

TEST(StatusMappingTest, OkDropsTheMessage) {
  EXPECT_TRUE(ToGrpc(Status::Ok()).ok());
  const grpc::Status g = ToGrpc(Status(Code::kOk, "ignored"));
  EXPECT_TRUE(g.ok());
  EXPECT_EQ(g.error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(g.error_message(), "");
}

TEST(StatusMappingTest, HelpersMapThroughTheTable) {
  EXPECT_EQ(ToGrpc(InvalidArgument("x")).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ToGrpc(NotFound("x")).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ToGrpc(Aborted("version 3")).error_message(), "version 3");
  EXPECT_EQ(ToGrpc(Unavailable("x").Prefixed("store")).error_message(), "store: x");
}

TEST(StatusMappingTest, UnknownDomainCodeIsUnknownNeverOk) {
  for (int raw : {15, 16, 99, 999, -1, 1 << 20}) {
    SCOPED_TRACE(raw);
    const Code code = static_cast<Code>(raw);
    EXPECT_EQ(ToGrpcCode(code), grpc::StatusCode::UNKNOWN);
    const grpc::Status g = ToGrpc(Status(code, "from a newer module"));
    EXPECT_FALSE(g.ok());
    EXPECT_EQ(g.error_code(), grpc::StatusCode::UNKNOWN);
    EXPECT_EQ(g.error_message(), "from a newer module");
  }
}

}  // namespace
}  // namespace rectify::rpc
