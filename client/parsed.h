#pragma once

// The result of turning command-line text into a value: the value, or a usage message for the
// person at the terminal (rectifyctl exits 2 with it). No exceptions leave the parsers.

#include <optional>
#include <string>
#include <utility>

namespace rectify::client {

template <typename T>
class [[nodiscard]] Parsed {
 public:
  Parsed(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like StatusOr
  static Parsed Error(std::string message) { return Parsed(std::move(message), Tag{}); }

  bool ok() const { return value_.has_value(); }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  const std::string& error() const { return error_; }

 private:
  struct Tag {};
  Parsed(std::string message, Tag) : error_(std::move(message)) {}

  std::optional<T> value_;
  std::string error_;
};

}  // namespace rectify::client
