#pragma once

// Internal to engine/: the state of one group commit, shared by engine.cc (item mutations) and
// reminders.cc (reminder runs, delivery updates). Only the writer thread touches a Group.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "engine/engine.h"

namespace rectify::engine {

inline google::protobuf::Timestamp ToProto(TimePoint t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

inline int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

// The state of one group commit: what earlier mutations of the same group have written, so
// later ones validate against it before it reaches the store.
struct Engine::Group {
  std::unique_ptr<store::ReadView> view;
  std::unique_ptr<store::WriteSet> writes;
  // The items written in this group: id -> the index in `events` of the item's latest event,
  // whose item is the item as this group left it (kept once, not copied again).
  std::map<std::string, size_t> items;
  std::map<std::string, store::IdemRecord> idem;
  std::map<v1::State, uint64_t> counts;
  std::map<int, uint64_t> seqs;
  std::map<std::string, store::Schedule> schedules;  // written in this group
  std::set<std::string> reminder_keys;               // fired in this group
  std::map<uint64_t, v1::Delivery> deliveries;       // written in this group
  // Set by a reminder run that moved everything due: once the group is written, no entry of
  // the due index lies below it but those this group adds (Engine::due_floor_).
  std::optional<int64_t> due_floor_after;
  uint64_t outbox_seq = 0;
  std::vector<v1::Event> events;
  uint64_t revision = 0;
  std::string head_hash;  // the audit chain's head as this group left it (WriteEvent)
  TimePoint now;
  int64_t now_us = 0;
  domain::Context ctx;
  std::shared_ptr<const Settings> settings;  // one snapshot for the whole group

  const v1::Item* Written(const std::string& id) const {
    auto it = items.find(id);
    return it == items.end() ? nullptr : &events[it->second].item();
  }
};

}  // namespace rectify::engine
