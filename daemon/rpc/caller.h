#pragma once

// Who is calling, and whether they may make this call.
//
// Authentication, in order: a verified client certificate (mutual TLS) whose subject a
// principal lists in cert_subjects; a bearer token (`authorization: Bearer <token>`) whose
// salted hash a principal lists in token_hashes. With [auth] mode = "none" a caller without
// credentials may name itself in `x-rectify-actor` (printable ASCII or %-encoded UTF-8) or
// `x-rectify-actor-bin` (raw UTF-8, for names such as 张三): a local, trusted mode. Once a call
// is authenticated, an x-rectify-actor naming anyone else is refused: nobody acts as somebody
// else.
//
// Authorization: domain/policy.h's table for the call's Operation, then the caller's rate limit.
//
// Called on gRPC threads. The principal table is immutable once built; the rate-limit buckets
// are behind a mutex.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/server_context.h>

#include "common/status.h"
#include "common/token.h"
#include "config/config.h"
#include "domain/actor.h"
#include "domain/policy.h"

namespace rectify::rpc {

// Sees every finished call: method ("CreateItem"), status code, seconds (metrics).
using CallObserver = std::function<void(std::string_view method, Code code, double seconds)>;

struct AuthOptions {
  bool require_credentials = false;  // [auth] mode = "token"
  bool closer_not_endorser = true;   // [policy]
  double rate_per_second = 0;        // [rate_limit], per principal; 0 = unlimited
  uint64_t burst = 0;                // 0 = one second's worth
};

AuthOptions AuthOptionsFrom(const config::Config& cfg);

class Callers {
 public:
  explicit Callers(const std::vector<config::Principal>& principals, AuthOptions options = {},
                   CallObserver observer = nullptr);
  // SIGHUP: the new principals, tokens, certificate subjects and options, for every call that
  // starts from now on. Rate-limit buckets of principals that remain are kept.
  void Reload(const std::vector<config::Principal>& principals, AuthOptions options);
  const CallObserver& observer() const { return observer_; }
  // UNAUTHENTICATED without valid credentials where they are required, or with bad ones;
  // PERMISSION_DENIED when an authenticated caller tries to name someone else. In mode "none"
  // a caller who names nobody is anonymous (an Actor without a name).
  Result<domain::Actor> Identify(const grpc::ServerContextBase& ctx) const;
  // Identify, then the policy table for `op`, then the rate limit (RESOURCE_EXHAUSTED).
  Result<domain::Actor> Authorize(const grpc::ServerContextBase& ctx, domain::Operation op) const;
  // No principals and no credentials required: every named caller may do everything.
  bool open_mode() const { return table()->policy.open_mode; }
  domain::PolicyOptions policy() const { return table()->policy; }

 private:
  struct Entry {
    config::Principal principal;
    std::vector<TokenHash> tokens;
  };
  // Everything a reload replaces, immutable once built.
  struct Table {
    std::map<std::string, Entry> principals;
    std::map<std::string, std::string> subjects;  // certificate subject or "CN=x" -> name
    AuthOptions options;
    domain::PolicyOptions policy;
  };
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  static std::shared_ptr<const Table> Build(const std::vector<config::Principal>& principals,
                                            AuthOptions options);
  std::shared_ptr<const Table> table() const;
  static Result<domain::Actor> IdentifyWith(const std::shared_ptr<const Table>& t,
                                            const grpc::ServerContextBase& ctx);
  static domain::Actor ActorFor(const Table& t, const std::string& name);
  static Result<std::string> FromCertificate(const Table& t, const grpc::ServerContextBase& ctx);
  static Result<std::string> FromToken(const Table& t, std::string_view header);
  Status Admit(const AuthOptions& options, const std::string& name) const;

  CallObserver observer_;
  mutable std::mutex mu_;  // guards table_ and buckets_
  std::shared_ptr<const Table> table_;
  mutable std::map<std::string, Bucket> buckets_;
};

// "%E5%BC%A0" -> bytes; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

}  // namespace rectify::rpc
