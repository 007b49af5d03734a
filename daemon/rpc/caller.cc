#include "rpc/caller.h"

#include <algorithm>
#include <cstdio>

#include <grpc/grpc_security_constants.h>

#include "domain/validation.h"

namespace rectify::rpc {
namespace {

std::string_view View(const grpc::string_ref& s) { return {s.data(), s.size()}; }

// Case-insensitive "Bearer " prefix, as RFC 6750 writes the scheme.
bool StripBearer(std::string_view header, std::string_view* token) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return false;
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) return false;
  }
  *token = header.substr(kScheme.size());
  while (!token->empty() && token->front() == ' ') token->remove_prefix(1);
  return !token->empty();
}

// The name a caller gives itself in x-rectify-actor(-bin); "" when it gives none.
Result<std::string> NamedActor(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  std::string name;
  if (auto it = md.find("x-rectify-actor-bin"); it != md.end()) {
    name.assign(it->second.data(), it->second.size());
  } else if (auto it2 = md.find("x-rectify-actor"); it2 != md.end()) {
    if (!PercentDecode(View(it2->second), &name)) {
      return Unauthenticated("x-rectify-actor has a malformed %-escape");
    }
  }
  if (name.empty()) return name;
  auto len = domain::Utf8Length(name);
  if (!len.ok() || *len > 64) {
    return Unauthenticated("x-rectify-actor must be a UTF-8 name of at most 64 characters");
  }
  // Control characters would let a name look like another one, or forge a log line.
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Unauthenticated("x-rectify-actor must not contain control characters");
    }
  }
  return name;
}

}  // namespace

AuthOptions AuthOptionsFrom(const config::Config& cfg) {
  AuthOptions o;
  o.require_credentials = cfg.auth.mode == "token";
  o.closer_not_endorser = cfg.closer_not_endorser;
  o.rate_per_second = cfg.rate_per_second;
  o.burst = cfg.rate_burst;
  return o;
}

Callers::Callers(const std::vector<config::Principal>& principals, AuthOptions options,
                 CallObserver observer)
    : observer_(std::move(observer)), table_(Build(principals, options)) {}

std::shared_ptr<const Callers::Table> Callers::Build(
    const std::vector<config::Principal>& principals, AuthOptions options) {
  auto t = std::make_shared<Table>();
  for (const auto& p : principals) {
    Entry e{p, {}};
    // The config loader has already refused malformed hashes.
    for (const auto& h : p.token_hashes) {
      if (auto parsed = ParseTokenHash(h); parsed.ok()) e.tokens.push_back(*parsed);
    }
    for (const auto& s : p.cert_subjects) t->subjects[s] = p.name;
    t->principals[p.name] = std::move(e);
  }
  t->options = options;
  t->policy.open_mode = t->principals.empty() && !options.require_credentials;
  t->policy.closer_not_endorser = options.closer_not_endorser;
  return t;
}

void Callers::Reload(const std::vector<config::Principal>& principals, AuthOptions options) {
  auto next = Build(principals, options);
  std::lock_guard lock(mu_);
  table_ = std::move(next);
  std::erase_if(buckets_, [&](const auto& b) { return !table_->principals.count(b.first); });
}

std::shared_ptr<const Callers::Table> Callers::table() const {
  std::lock_guard lock(mu_);
  return table_;
}

bool PercentDecode(std::string_view in, std::string* out) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return true;
}

domain::Actor Callers::ActorFor(const Table& t, const std::string& name) {
  domain::Actor actor;
  actor.name = name;
  if (name.empty()) return actor;
  if (auto it = t.principals.find(name); it != t.principals.end()) {
    const config::Principal& p = it->second.principal;
    actor.known = true;
    actor.supervisor = p.supervisor;
    actor.admin = p.admin;
    actor.auditor = p.auditor;
    actor.scheduler = p.scheduler;
    actor.units = p.units;
  }
  return actor;
}

// "" when the peer presented no verified certificate.
Result<std::string> Callers::FromCertificate(const Table& t,
                                             const grpc::ServerContextBase& ctx) {
  auto auth = ctx.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return std::string();
  std::string subject, cn;
  for (const auto& v : auth->FindPropertyValues(GRPC_X509_SUBJECT_PROPERTY_NAME)) {
    subject.assign(v.data(), v.size());
  }
  for (const auto& v : auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
    cn.assign(v.data(), v.size());
  }
  if (subject.empty() && cn.empty()) return std::string();
  if (auto it = t.subjects.find(subject); !subject.empty() && it != t.subjects.end()) {
    return it->second;
  }
  if (auto it = t.subjects.find("CN=" + cn); !cn.empty() && it != t.subjects.end()) {
    return it->second;
  }
  return Unauthenticated("the client certificate (" + (subject.empty() ? "CN=" + cn : subject) +
                         ") is not listed in any principal's cert_subjects");
}

Result<std::string> Callers::FromToken(const Table& t, std::string_view header) {
  std::string_view token;
  if (!StripBearer(header, &token)) {
    return Unauthenticated("the authorization metadata must be \"Bearer <token>\"");
  }
  // Every candidate is tried (no early exit) so the time taken says nothing about which
  // principal, if any, came close.
  const std::string* found = nullptr;
  for (const auto& [name, e] : t.principals) {
    for (const auto& h : e.tokens) {
      if (TokenMatches(h, token) && found == nullptr) found = &name;
    }
  }
  if (found == nullptr) return Unauthenticated("the bearer token is not valid");
  return *found;
}

Result<domain::Actor> Callers::Identify(const grpc::ServerContextBase& ctx) const {
  return IdentifyWith(table(), ctx);
}

Result<domain::Actor> Callers::IdentifyWith(const std::shared_ptr<const Table>& t,
                                            const grpc::ServerContextBase& ctx) {
  ASSIGN_OR_RETURN(std::string who, FromCertificate(*t, ctx));
  const auto& md = ctx.client_metadata();
  if (auto it = md.find("authorization"); it != md.end()) {
    ASSIGN_OR_RETURN(std::string by_token, FromToken(*t, View(it->second)));
    if (!who.empty() && who != by_token) {
      return Unauthenticated("the client certificate and the bearer token name different "
                             "principals");
    }
    who = std::move(by_token);
  }
  ASSIGN_OR_RETURN(std::string named, NamedActor(ctx));
  if (!who.empty()) {
    if (!named.empty() && named != who) {
      return PermissionDenied("this call is authenticated as " + who +
                              "; x-rectify-actor may not name anyone else");
    }
    return ActorFor(*t, who);
  }
  if (t->options.require_credentials) {
    return Unauthenticated("this rectifyd requires credentials: a bearer token "
                           "(rectifyctl --token or $RECTIFY_TOKEN) or a client certificate");
  }
  return ActorFor(*t, named);  // anonymous when unnamed: Authorize decides what that may do
}

Status Callers::Admit(const AuthOptions& options, const std::string& name) const {
  if (options.rate_per_second <= 0) return Status::Ok();
  const double burst = options.burst > 0 ? static_cast<double>(options.burst)
                                         : std::max(1.0, options.rate_per_second);
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(name, Bucket{burst, now});
  Bucket& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(burst, b.tokens + elapsed * options.rate_per_second);
    b.at = now;
  }
  if (b.tokens < 1) {
    char limit[96];
    std::snprintf(limit, sizeof limit, "%g requests a second (burst %g)",
                  options.rate_per_second, burst);
    return ResourceExhausted("rate limit: " + name + " may make " + limit + "; retry later");
  }
  b.tokens -= 1;
  return Status::Ok();
}

Result<domain::Actor> Callers::Authorize(const grpc::ServerContextBase& ctx,
                                         domain::Operation op) const {
  const auto t = table();  // one table for the whole decision, whatever a reload does
  ASSIGN_OR_RETURN(domain::Actor actor, IdentifyWith(t, ctx));
  Status allowed = domain::Authorize(op, actor, t->policy);
  if (actor.name.empty()) {
    if (!allowed.ok()) {
      return Unauthenticated("no caller: name yourself in the x-rectify-actor metadata "
                             "(rectifyctl --as NAME)");
    }
    return actor;
  }
  RETURN_IF_ERROR(Admit(t->options, actor.name));
  RETURN_IF_ERROR(allowed);
  return actor;
}

}  // namespace rectify::rpc
