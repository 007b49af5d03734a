#pragma once

// The sign-off state machine and the rules for every mutation, as pure functions:
// (current item, request, who, when) -> the item after, or the reason it is refused.
//
// Called by engine/ on its single writer thread with the current committed state; never does
// I/O. The engine stamps version, revision and timestamps shared by all mutations; these
// functions decide everything that depends on the request.

#include <string>
#include <vector>

#include <date/date.h>

#include "common/clock.h"
#include "common/status.h"
#include "domain/actor.h"
#include "domain/policy.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

class Calendar;

// What a mutation knows about "now".
struct Context {
  const Actor* actor = nullptr;
  TimePoint now;
  date::year_month_day today;          // local date in the configured zone
  const Calendar* calendar = nullptr;  // for working-day deadlines; may be null
  PolicyOptions policy;  // open mode, separation of duties
};

// "2026-000042": the item's year and its serial within the year.
std::string FormatItemId(int year, uint64_t serial);

// Who may register an item: a supervisor or admin, a member of the item's unit, the item's own
// leader or owner (self-examination), or anyone named when no principals are configured.
Status CheckCreate(const v1::Item& item, const Actor& actor, const PolicyOptions& policy);

enum class Role { kOwner, kLeader, kVerifier, kSupervisor };

// One row of the transition table in DOMAIN.md.
struct TransitionRule {
  v1::Action action;
  std::vector<v1::State> from;
  v1::State to;  // STATE_UNSPECIFIED = no state change (extend)
  std::vector<Role> by;
  const char* needs;  // what the action requires, for messages
};

const std::vector<TransitionRule>& TransitionTable();
const TransitionRule* FindRule(v1::Action action);

bool IsOpen(v1::State s);      // neither CLOSED nor CANCELLED
bool IsTerminal(v1::State s);  // CLOSED or CANCELLED

std::string_view StateName(v1::State s);    // "IN_PROGRESS"
std::string_view ActionName(v1::Action a);  // "CONFIRM"

// Who may act: PERMISSION_DENIED naming the roles that may. Checks the role only, not the state.
Status CheckActor(const TransitionRule& rule, const v1::Item& item, const Actor& actor);

// A new DRAFT item from a create request (id, version, timestamps are the engine's).
Result<v1::Item> ApplyCreate(const v1::CreateItemRequest& req, const Context& ctx);

// The item after the transition (state, sign-offs, evidence, extensions, ...).
Result<v1::Item> ApplyTransition(const v1::Item& current, const v1::TransitionRequest& req,
                                 const Context& ctx);

Result<v1::Item> ApplyUpdate(const v1::Item& current, const v1::UpdateItemRequest& req,
                             const Context& ctx);

Result<v1::Item> ApplyProgress(const v1::Item& current, const v1::AddProgressRequest& req,
                               const Context& ctx);

// The deadline a spec names, as YYYY-MM-DD: a date, or N calendar/working days after `from`
// (default: today). Working days need the calendar and fail naming a year it lacks.
Result<std::string> ResolveDeadline(const v1::DeadlineSpec& spec, const Context& ctx);

}  // namespace rectify::domain
