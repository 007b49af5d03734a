#include "domain/watch_filter.h"

namespace rectify::domain {

WatchFilter::WatchFilter(const v1::WatchRequest& req)
    : item_ids_(req.item_ids().begin(), req.item_ids().end()),
      units_(req.units().begin(), req.units().end()),
      states_(req.states().begin(), req.states().end()),
      kinds_(req.kinds().begin(), req.kinds().end()) {}

bool WatchFilter::Matches(const v1::Event& e) const {
  if (!item_ids_.empty() && !item_ids_.count(e.item_id())) return false;
  if (!kinds_.empty() && !kinds_.count(e.kind())) return false;
  if (!states_.empty() && !states_.count(e.prev_state()) && !states_.count(e.item().state())) {
    return false;
  }
  if (!units_.empty()) {
    bool any = units_.count(e.item().unit()) > 0;
    for (const auto& u : e.item().co_units()) any = any || units_.count(u) > 0;
    if (!any) return false;
  }
  return true;
}

}  // namespace rectify::domain
