#pragma once

// Who is calling. Until authentication lands, the caller names itself in metadata:
// `x-rectify-actor` (printable ASCII or %-encoded UTF-8) or `x-rectify-actor-bin` (raw UTF-8,
// for names such as 张三). The name is looked up among the configured principals for its global
// roles and units. Called on gRPC threads; the principal table is immutable once built.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <grpcpp/server_context.h>

#include "common/status.h"
#include "config/config.h"
#include "domain/actor.h"

namespace rectify::rpc {

// Sees every finished call: method ("CreateItem"), status code, seconds (metrics).
using CallObserver = std::function<void(std::string_view method, Code code, double seconds)>;

class Callers {
 public:
  explicit Callers(const std::vector<config::Principal>& principals,
                   CallObserver observer = nullptr);
  const CallObserver& observer() const { return observer_; }
  // UNAUTHENTICATED when no name is given or it is not valid UTF-8.
  Result<domain::Actor> Identify(const grpc::ServerContextBase& ctx) const;
  bool open_mode() const { return principals_.empty(); }

 private:
  std::map<std::string, config::Principal> principals_;
  CallObserver observer_;
};

// "%E5%BC%A0" -> bytes; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

}  // namespace rectify::rpc
