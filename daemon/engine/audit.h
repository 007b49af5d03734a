#pragma once

// The audit chain over the stored event log: where its head is, and the walk that recomputes
// it (AdminService.VerifyAudit, `rectifyd --verify-audit DIR`). The hashing rules are in
// domain/audit.h. Both functions only read, from the snapshot they are given, on the calling
// thread; a walk reads every retained event once (bounded chunks, no memory growth).

#include <cstdint>
#include <string>

#include "common/status.h"
#include "rectify/v1/rectify.pb.h"
#include "store/store.h"

namespace rectify::engine {

struct ChainHead {
  uint64_t revision = 0;
  std::string hash;  // raw bytes; "" = nothing hashed yet
};

// The hash of the snapshot's last revision: its event's, or the compacted-away head when
// everything up to it was compacted.
Result<ChainHead> ReadChainHead(const store::ReadView& view);

// Recomputes the chain from the compact revision (or the chain start) to the snapshot's
// revision, and compares every event with the item's history copy (what GetHistory shows).
// A break is reported in the response (ok = false), not as an error.
Result<v1::VerifyAuditResponse> VerifyAuditChain(const store::ReadView& view);

// The result as lines of text for a terminal (rectifyd --verify-audit).
std::string AuditReportText(const v1::VerifyAuditResponse& r);

}  // namespace rectify::engine
