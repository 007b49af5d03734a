#pragma once

// Which events a Watch stream carries: the request's filters (item ids, units, states, event
// kinds) as a pure predicate over an event. Pure logic, so it lives here and not in watch/: the
// hub applies it on its thread for every published or caught-up event, and the fuzz target
// (tests/fuzz/watch_filter_fuzzer.cc) drives it without a store or a hub.
//
// A WatchFilter is immutable after construction; Matches is const and safe from any thread.

#include <set>
#include <string>

#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

class WatchFilter {
 public:
  // From a request that passed ValidateWatch. An empty list does not filter on that dimension.
  explicit WatchFilter(const v1::WatchRequest& req);

  // True when every non-empty filter has a witness in the event: its item id is listed; its
  // kind is listed; its state before or after is listed; its item's unit or a co-unit is listed.
  bool Matches(const v1::Event& e) const;

  // The hub indexes streams by these (an event can only match a stream listing its id/unit).
  const std::set<std::string>& item_ids() const { return item_ids_; }
  const std::set<std::string>& units() const { return units_; }

 private:
  std::set<std::string> item_ids_, units_;
  std::set<int> states_, kinds_;
};

}  // namespace rectify::domain
