#include "engine/audit.h"

#include <algorithm>

#include "domain/audit.h"

namespace rectify::engine {

Result<ChainHead> ReadChainHead(const store::ReadView& view) {
  ChainHead head{view.revision(), ""};
  if (view.revision() == 0) return head;
  ASSIGN_OR_RETURN(auto last, view.Events(view.revision(), 1));
  if (!last.empty() && last.front().revision() == view.revision()) {
    head.hash = last.front().hash();
  } else if (view.compact_revision() > view.revision()) {
    head.hash = view.compact_hash();
  }
  return head;
}

Result<v1::VerifyAuditResponse> VerifyAuditChain(const store::ReadView& view) {
  const uint64_t first = std::max<uint64_t>(view.compact_revision(), 1);
  // After a compaction the chain resumes from the recorded hash of the last event deleted;
  // at (or before) the chain start there is nothing before it to commit to.
  std::string prev = first > view.chain_start() ? view.compact_hash() : std::string();
  domain::ChainVerifier chain(first, view.chain_start(), prev);
  v1::VerifyAuditResponse resp;
  uint64_t history_checked = 0;
  constexpr size_t kChunk = 1024;
  uint64_t from = first;
  while (chain.ok()) {
    ASSIGN_OR_RETURN(auto chunk, view.RawEvents(from, kChunk));
    std::string item_id;
    for (const auto& [revision, bytes] : chunk) {
      if (!chain.Add(revision, bytes, &item_id)) break;
      // GetHistory answers from the item's copy of the event: it must be the same bytes, or
      // a reader could be shown a history the chain does not vouch for.
      if (item_id.empty()) continue;
      ASSIGN_OR_RETURN(auto copy, view.RawHistoryEvent(item_id, revision));
      if (!copy) {
        chain.BreakAt(revision, "item " + item_id +
                                    "'s history has no copy of this event (it was deleted)");
      } else if (*copy != bytes) {
        chain.BreakAt(revision, "item " + item_id +
                                    "'s history copy of this event differs from the event log "
                                    "(the copy was changed)");
      }
      if (!chain.ok()) break;
      ++history_checked;
    }
    if (chunk.size() < kChunk) break;
    from = chunk.back().first + 1;
  }
  chain.Finish(view.revision());
  resp.set_ok(chain.ok());
  resp.set_revision(view.revision());
  resp.set_first_revision(first);
  resp.set_revisions_checked(chain.checked());
  resp.set_broken_revision(chain.broken_revision());
  resp.set_reason(chain.reason());
  resp.set_head_revision(chain.head_revision());
  resp.set_head_hash(domain::Hex(chain.head_hash()));
  resp.set_chain_start(view.chain_start());
  resp.set_compact_revision(view.compact_revision());
  resp.set_compact_hash(domain::Hex(view.compact_hash()));
  resp.set_history_checked(history_checked);
  return resp;
}

std::string AuditReportText(const v1::VerifyAuditResponse& r) {
  std::string out;
  auto line = [&](const std::string& k, const std::string& v) { out += k + ": " + v + "\n"; };
  line("result", r.ok() ? "OK: the audit chain is intact" : "BROKEN");
  if (!r.ok()) {
    line("first broken revision", std::to_string(r.broken_revision()));
    line("reason", r.reason());
  }
  line("revision", std::to_string(r.revision()));
  line("checked", std::to_string(r.revisions_checked()) + " events from revision " +
                      std::to_string(r.first_revision()) + ", " +
                      std::to_string(r.history_checked()) + " history copies");
  line("chain start", std::to_string(r.chain_start()));
  if (r.compact_revision() > 0) {
    line("compact revision", std::to_string(r.compact_revision()) + " (resumes from " +
                                 (r.compact_hash().empty() ? "-" : r.compact_hash()) + ")");
  }
  line(r.ok() ? "head" : "last verified",
       std::to_string(r.head_revision()) + " " + (r.head_hash().empty() ? "-" : r.head_hash()));
  return out;
}

}  // namespace rectify::engine
