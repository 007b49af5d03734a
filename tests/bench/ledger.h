#pragma once

// What the bench writes and reads: plausible items (units, people, measures, deadlines), the
// workflow cycle a transition follows, and a catalog of what a ledger already holds (item ids,
// units, owners) so reads hit real items.
//
// People are named per unit so every request is one a real caller could make: the item's
// leader registers and confirms it, its owner starts and submits, the leader endorses, the
// verifier closes and reopens.

#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "client.h"

namespace rectify::bench {

inline constexpr int kUnits = 30;
inline constexpr int kOwnersPerUnit = 20;

std::string UnitName(int unit);             // 单位07
std::string OwnerName(int unit, int j);     // 责任人0712
std::string LeaderName(int unit);           // 分管领导07
std::string VerifierName(int unit);         // 验收人3

// Item number n: unit, owner, source, category, measures spread by n. The deadline is a date
// (YYYY-MM-DD) or, if empty, `days` calendar days from the daemon's today.
v1::CreateItemRequest MakeCreate(uint64_t n, const std::string& deadline, int days = 21);

// The next step of the cycle DRAFT -> ASSIGNED -> IN_PROGRESS -> SUBMITTED -> ENDORSED ->
// CLOSED -> (REOPEN) IN_PROGRESS -> ...; nullopt for states outside it.
std::optional<v1::Action> CycleAction(v1::State state);

// An item the bench moves, as it last saw it.
struct PoolItem {
  std::string id, owner, leader, verifier;
  v1::State state = v1::STATE_UNSPECIFIED;
  bool has_evidence = false;
  bool broken = false;  // an unexpected answer: left alone from then on
  int signoffs = 0;     // as the last answer had it: each lap of the cycle adds five
};

// The request (and who sends it) for `action` on `item`.
v1::TransitionRequest MakeTransition(const PoolItem& item, v1::Action action, uint64_t n,
                                     std::string* actor);

// Items to move: created (as DRAFT) on demand, then each owned by one slot of a run.
class Pool {
 public:
  // Takes existing items of the ledger into the pool (ASSIGNED to CLOSED: a DRAFT loaded with
  // a deadline that has passed cannot be confirmed), so moving items does not grow the ledger.
  // Then creates items until the pool holds `size`, `concurrency` at a time. "" or the error.
  std::string Fill(Client& client, size_t size, int concurrency);
  size_t adopted() const { return adopted_; }
  // Ledger items passed over because earlier runs had grown their history.
  size_t skipped() const { return skipped_; }
  static constexpr int kMaxAdoptedSignOffs = 12;
  std::vector<PoolItem>& items() { return items_; }
  // Sign-offs per item of the pool, on average: how far the runs so far have grown the items
  // they move (a transition's cost grows with its item).
  double MeanSignOffs() const;
  // Drops the items the runs so far have grown past kMaxAdoptedSignOffs (and broken ones), so
  // that a Fill before the next run replaces them with fresh ones. Returns how many went.
  size_t RetireGrown();

 private:
  std::vector<PoolItem> items_;
  size_t adopted_ = 0;
  size_t skipped_ = 0;
  bool tried_adopting_ = false;
};

// What the ledger holds, found through the API: per year the highest serial (ids are dense:
// YYYY-000001 up), and some units and owners that occur.
struct Catalog {
  std::vector<std::pair<int, uint64_t>> years;  // year, items
  uint64_t total = 0;
  std::vector<std::string> units, owners;
  std::string RandomId(std::mt19937_64& rng) const;
};
Catalog Discover(Client& client);

// Creates items (n counting from `first`) until `count` more exist, `concurrency` at a time.
std::string CreateMany(Client& client, uint64_t first, uint64_t count, int concurrency);

}  // namespace rectify::bench
