#pragma once

// The audit chain (issue #5): every event commits to the previous event's hash, so an event
// changed, removed or reordered after it was written is found by recomputing the chain.
//
//   event.hash = SHA-256(prev_hash || canonical bytes of the event with `hash` cleared)
//
// where prev_hash (also stored in the event) is the hash of the previous revision's event,
// "" at the start of the chain, and the canonical bytes are protobuf's deterministic
// serialization. Pure functions over values; the engine seals events as it writes them and
// engine/audit.cc walks the stored log through ChainVerifier.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/token.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

// The bytes the hash covers: the event with `hash` cleared, serialized deterministically.
std::string CanonicalEventBytes(const v1::Event& event);
// SHA-256(prev_hash || CanonicalEventBytes(event)), 32 raw bytes. Uses event.prev_hash() as
// stored, so a verifier checks the link separately.
std::string EventHash(const v1::Event& event);
// Sets event.prev_hash = prev_hash and event.hash; the event must be complete (nothing may
// change it afterwards). Clears a previous hash first. Returns the sealed event's serialization,
// hash included: the canonical bytes the hash covers with the hash field appended (`hash` has
// the highest field number, so this is also what SerializeAsString gives), so the writer stores
// the event without serializing it a second time.
std::string SealEvent(std::string_view prev_hash, v1::Event& event);
using ::rectify::Hex;  // common/token.h: lowercase hex, shared with the token hashes

// Checks a run of events in revision order and stops at the first break. Events below
// `chain_start` predate the chain (no hash): they are counted, not verified.
class ChainVerifier {
 public:
  // first: the first revision expected; prev_hash: what it must commit to ("" at the start of
  // the chain, the compacted-away head after a compaction).
  ChainVerifier(uint64_t first, uint64_t chain_start, std::string prev_hash);

  // The next stored event: its revision from the key and its stored bytes. False once broken.
  // `item_id`, if given, receives the event's item id (saves the caller a second parse).
  bool Add(uint64_t revision, std::string_view bytes, std::string* item_id = nullptr);
  // Reports a break of the item's history copy at `revision` (the engine compares the copies).
  void BreakAt(uint64_t revision, std::string reason);
  // The log ended; `revision` is the ledger's revision: anything missing up to it is a break.
  void Finish(uint64_t revision);

  bool ok() const { return broken_revision_ == 0; }
  uint64_t broken_revision() const { return broken_revision_; }
  const std::string& reason() const { return reason_; }
  uint64_t checked() const { return checked_; }        // events verified (hashed ones)
  uint64_t unhashed() const { return unhashed_; }      // events before chain_start
  uint64_t head_revision() const { return head_revision_; }  // last event that verified
  const std::string& head_hash() const { return prev_hash_; }
  uint64_t next_revision() const { return next_; }

 private:
  void Break(uint64_t revision, std::string reason);
  uint64_t next_;
  uint64_t chain_start_;
  std::string prev_hash_;
  uint64_t head_revision_ = 0;
  uint64_t checked_ = 0;
  uint64_t unhashed_ = 0;
  uint64_t broken_revision_ = 0;
  std::string reason_;
};

}  // namespace rectify::domain
