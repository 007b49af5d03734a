// Fuzz target: the Watch request filter. A serialized WatchRequest is shape-checked by the
// validation the Watch handler calls (domain::ValidateWatch) and, when accepted, turned into the
// domain::WatchFilter every stream applies on the hub thread; then serialized events are matched
// against it.
//
// Input layout: [flags] [2-byte length][WatchRequest] ([2-byte length][Event])*
//   flags & 1: tight [limits]
//
// Invariants:
//   - validation is monotone in the limits (tight accepted => default accepted); a refusal is
//     INVALID_ARGUMENT with a message; an accepted request round-trips through its wire form;
//   - Matches agrees with the documented meaning, written here as a plain oracle: an event
//     matches exactly when every non-empty filter has a witness (its id is listed, its kind is
//     listed, its state before or after is listed, its unit or a co-unit is listed);
//   - an empty filter matches every event.

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>

#include "domain/validation.h"
#include "domain/watch_filter.h"
#include "fuzz_check.h"
#include "quiet_protobuf.h"

namespace {

using namespace rectify;

template <typename List, typename T>
bool Listed(const List& list, const T& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

bool Oracle(const v1::WatchRequest& r, const v1::Event& e) {
  if (r.item_ids_size() > 0 && !Listed(r.item_ids(), e.item_id())) return false;
  if (r.kinds_size() > 0 && !Listed(r.kinds(), static_cast<int>(e.kind()))) return false;
  if (r.states_size() > 0 && !Listed(r.states(), static_cast<int>(e.prev_state())) &&
      !Listed(r.states(), static_cast<int>(e.item().state()))) {
    return false;
  }
  if (r.units_size() > 0) {
    bool witness = Listed(r.units(), e.item().unit());
    for (const auto& u : e.item().co_units()) witness = witness || Listed(r.units(), u);
    if (!witness) return false;
  }
  return true;
}

// Events every input is matched against besides its own: one per kind of witness.
std::vector<v1::Event> FixedEvents(const v1::WatchRequest& req) {
  std::vector<v1::Event> out;
  v1::Event e;
  e.set_revision(7);
  e.set_kind(v1::EventKind(1));
  e.set_item_id("2026-000001");
  e.set_prev_state(v1::STATE_ASSIGNED);
  e.mutable_item()->set_id("2026-000001");
  e.mutable_item()->set_unit("办公室");
  e.mutable_item()->add_co_units("财务科");
  e.mutable_item()->set_state(v1::STATE_IN_PROGRESS);
  out.push_back(e);
  // An event that has every witness the request asks for.
  if (req.item_ids_size() > 0) e.set_item_id(req.item_ids(0));
  if (req.kinds_size() > 0) e.set_kind(v1::EventKind(req.kinds(0)));
  if (req.states_size() > 0) e.mutable_item()->set_state(v1::State(req.states(0)));
  if (req.units_size() > 0) e.mutable_item()->add_co_units(req.units(req.units_size() - 1));
  out.push_back(e);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const uint8_t flags = in.Byte();
  const std::string_view req_bytes = in.Sized();
  v1::WatchRequest req;
  if (!req.ParseFromArray(req_bytes.data(), static_cast<int>(req_bytes.size()))) return 0;

  domain::Limits limits;
  if (flags & 1) {
    limits.filter_max = 4;
    limits.name_max = 4;
  }
  const Status st = domain::ValidateWatch(req, limits);
  fuzz::Note(st.ok() ? "valid" : "refused: " + st.message());
  if (!st.ok()) {
    FUZZ_CHECK(st.code() == Code::kInvalidArgument && !st.message().empty(),
               "a refused watch request is not INVALID_ARGUMENT with a message: " + st.message());
    return 0;
  }
  const Status by_default = domain::ValidateWatch(req);
  FUZZ_CHECK(by_default.ok(), "accepted under tighter limits, refused by default: " +
                                  by_default.message());
  std::string wire;
  FUZZ_CHECK(req.SerializeToString(&wire), "an accepted request does not serialize");
  v1::WatchRequest back;
  FUZZ_CHECK(back.ParseFromString(wire) &&
                 google::protobuf::util::MessageDifferencer::Equals(req, back),
             "an accepted request does not round-trip");

  const domain::WatchFilter filter(req);
  const domain::WatchFilter everything{v1::WatchRequest()};
  std::vector<v1::Event> events = FixedEvents(req);
  for (int i = 0; i < 8; ++i) {
    const std::string_view ev = in.Sized();
    if (ev.empty()) break;
    v1::Event e;
    if (e.ParseFromArray(ev.data(), static_cast<int>(ev.size()))) events.push_back(std::move(e));
  }
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::Event& e = events[i];
    const bool got = filter.Matches(e);
    fuzz::Note("event " + std::to_string(i) + (got ? " matches" : " filtered out"));
    FUZZ_CHECK(got == Oracle(req, e), std::string("Matches says ") + (got ? "yes" : "no") +
                                          " against the documented meaning\nrequest: " +
                                          req.DebugString() + "event: " + e.DebugString());
    FUZZ_CHECK(everything.Matches(e), "the empty filter refused an event");
    if (i == 1) FUZZ_CHECK(got, "an event with every witness the request names did not match");
  }
  return 0;
}
