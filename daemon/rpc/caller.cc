#include "rpc/caller.h"

#include "domain/validation.h"

namespace rectify::rpc {

Callers::Callers(const std::vector<config::Principal>& principals, CallObserver observer)
    : observer_(std::move(observer)) {
  for (const auto& p : principals) principals_[p.name] = p;
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

Result<domain::Actor> Callers::Identify(const grpc::ServerContextBase& ctx) const {
  const auto& md = ctx.client_metadata();
  std::string name;
  if (auto it = md.find("x-rectify-actor-bin"); it != md.end()) {
    name.assign(it->second.data(), it->second.size());
  } else if (auto it2 = md.find("x-rectify-actor"); it2 != md.end()) {
    if (!PercentDecode(std::string_view(it2->second.data(), it2->second.size()), &name)) {
      return Unauthenticated("x-rectify-actor has a malformed %-escape");
    }
  }
  if (name.empty()) {
    return Unauthenticated("no caller: name yourself in the x-rectify-actor metadata "
                           "(rectifyctl --as NAME)");
  }
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
  domain::Actor actor;
  actor.name = name;
  if (auto it = principals_.find(name); it != principals_.end()) {
    actor.known = true;
    actor.supervisor = it->second.supervisor;
    actor.admin = it->second.admin;
    actor.units = it->second.units;
  }
  return actor;
}

}  // namespace rectify::rpc
