#pragma once

// The domain Status and Result<T>. No exceptions cross a module boundary: every fallible call
// returns one of these. rpc/status_mapping.h is the single place they become gRPC codes.

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rectify {

// Stored nowhere and sent nowhere directly (rpc/ maps them), but keep the values stable anyway.
enum class Code : int {
  kOk = 0,
  kInvalidArgument = 1,     // malformed request, bad field, bad UTF-8, too long, unknown enum
  kNotFound = 2,            // item not found (or not visible to the caller)
  kFailedPrecondition = 3,  // illegal transition, missing requirement, deadline rule broken
  kAborted = 4,             // expected_version mismatch
  kAlreadyExists = 5,       // request_id reused for a different request
  kOutOfRange = 6,          // watch start revision already compacted
  kUnauthenticated = 7,
  kPermissionDenied = 8,
  kResourceExhausted = 9,   // disk full, overload
  kUnavailable = 10,        // store read-only, shutting down, try again
  kInternal = 11,           // corruption, I/O error, a bug
  kUnimplemented = 12,
  kCancelled = 13,
  kDeadlineExceeded = 14,
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "context: message" — adds where the error happened without losing its code.
  Status Prefixed(std::string_view context) const;
  std::string ToString() const;

  void IgnoreError() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
inline Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
inline Status FailedPrecondition(std::string msg) {
  return {Code::kFailedPrecondition, std::move(msg)};
}
inline Status Aborted(std::string msg) { return {Code::kAborted, std::move(msg)}; }
inline Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
inline Status OutOfRange(std::string msg) { return {Code::kOutOfRange, std::move(msg)}; }
inline Status PermissionDenied(std::string msg) {
  return {Code::kPermissionDenied, std::move(msg)};
}
inline Status Unauthenticated(std::string msg) { return {Code::kUnauthenticated, std::move(msg)}; }
inline Status ResourceExhausted(std::string msg) {
  return {Code::kResourceExhausted, std::move(msg)};
}
inline Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
inline Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "Result built from an OK status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace rectify

#define RECTIFY_CONCAT_INNER(a, b) a##b
#define RECTIFY_CONCAT(a, b) RECTIFY_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                     \
  do {                                            \
    ::rectify::Status _st = (expr);               \
    if (!_st.ok()) return _st;                    \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(RECTIFY_CONCAT(_result_, __LINE__), lhs, expr)
