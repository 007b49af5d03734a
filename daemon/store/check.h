#pragma once

// The offline consistency checker behind `rectifyd --check DIR` (issue #8). It walks every key
// of every column family from one snapshot and reports every disagreement between items, their
// index entries and history, the event log, the counters, the reminder schedules and due index,
// fired reminders, the outbox and the idempotency records: the invariants DESIGN.md promises
// one atomic batch per commit keeps (see KEYS.md for the layout it checks against).
//
// Runs on the calling thread; reads only. Meant for a store opened read-only (a stopped
// daemon's directory or a backup), but safe on a live one (it reads one snapshot).

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/calendar.h"
#include "domain/remind_policy.h"
#include "store/store.h"

namespace rectify::store {

struct CheckOptions {
  // When set, each item's reminder schedule is also recomputed with the reminder policy (the
  // config the daemon runs with) and must match what the engine stored. Without them only the
  // structure is checked (schedule <-> due index).
  const date::time_zone* zone = nullptr;
  const domain::Calendar* calendar = nullptr;
  const domain::ReminderRules* rules = nullptr;
  size_t max_problems = 10000;  // stop collecting (the count still grows) past this many
};

struct CheckReport {
  std::vector<std::string> problems;  // one line each; empty = clean
  uint64_t problem_count = 0;
  uint64_t revision = 0;
  uint64_t compact_revision = 0;
  uint64_t items = 0, events = 0, index_entries = 0, history_entries = 0, idem_records = 0,
           schedules = 0, due_entries = 0, reminders = 0, deliveries = 0, pending = 0;
  bool clean() const { return problem_count == 0; }
  std::string Summary() const;  // one line of counts
};

// Walks the whole store. An error Status only when the store cannot be read at all; everything
// the walk finds wrong is a problem in the report.
Result<CheckReport> CheckStore(Store& store, const CheckOptions& options = {});

}  // namespace rectify::store
