#include "domain/workflow.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include <google/protobuf/util/time_util.h>

#include "domain/calendar.h"
#include "domain/dates.h"

namespace rectify::domain {
namespace {

using v1::Action;
using v1::State;

google::protobuf::Timestamp ToProto(TimePoint t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

std::string RoleName(Role r) {
  switch (r) {
    case Role::kOwner: return "the owner";
    case Role::kLeader: return "the leader";
    case Role::kVerifier: return "the verifier";
    case Role::kSupervisor: return "a supervisor";
  }
  return "?";
}

bool Holds(const ItemRoles& roles, Role r) {
  switch (r) {
    case Role::kOwner: return roles.owner;
    case Role::kLeader: return roles.leader;
    case Role::kVerifier: return roles.verifier;
    case Role::kSupervisor: return roles.supervisor;
  }
  return false;
}

std::string Today(const Context& ctx) { return FormatDate(ctx.today); }

Status Require(bool ok, const std::string& what) {
  return ok ? Status::Ok() : FailedPrecondition(what);
}

void AddSignOff(v1::Item& item, const Context& ctx, v1::SignOffRole role, Action action,
                const std::string& opinion) {
  auto* s = item.add_signoffs();
  s->set_role(role);
  s->set_person(ctx.actor->name);
  s->set_action(action);
  s->set_opinion(opinion);
  *s->mutable_time() = ToProto(ctx.now);
}

// The sign-off role an actor signs in, for the action (the one the table required).
v1::SignOffRole SigningRole(const TransitionRule& rule, const v1::Item& item, const Actor& a) {
  ItemRoles roles = RolesOn(item, a);
  for (Role r : rule.by) {
    if (!Holds(roles, r)) continue;
    switch (r) {
      case Role::kOwner: return v1::SIGN_OFF_ROLE_OWNER;
      case Role::kLeader: return v1::SIGN_OFF_ROLE_LEADER;
      case Role::kVerifier: return v1::SIGN_OFF_ROLE_VERIFIER;
      case Role::kSupervisor: return v1::SIGN_OFF_ROLE_SUPERVISOR;
    }
  }
  return v1::SIGN_OFF_ROLE_UNSPECIFIED;
}

}  // namespace

ItemRoles RolesOn(const v1::Item& item, const Actor& actor) {
  ItemRoles r;
  if (actor.name.empty()) return r;
  r.owner = item.owner() == actor.name;
  r.leader = item.leader() == actor.name;
  r.verifier = item.verifier() == actor.name;
  r.supervisor = actor.supervisor;
  return r;
}

const std::vector<TransitionRule>& TransitionTable() {
  using enum Role;
  static const std::vector<TransitionRule> kTable = {
      {v1::ACTION_CONFIRM, {v1::STATE_DRAFT}, v1::STATE_ASSIGNED, {kLeader, kSupervisor},
       "at least one measure and a deadline"},
      {v1::ACTION_START, {v1::STATE_ASSIGNED}, v1::STATE_IN_PROGRESS, {kOwner}, "nothing"},
      {v1::ACTION_SUBMIT, {v1::STATE_IN_PROGRESS}, v1::STATE_SUBMITTED, {kOwner},
       "a result text and at least one evidence"},
      {v1::ACTION_ENDORSE, {v1::STATE_SUBMITTED}, v1::STATE_ENDORSED, {kLeader},
       "an opinion (the leader's sign-off)"},
      {v1::ACTION_RETURN, {v1::STATE_SUBMITTED, v1::STATE_ENDORSED}, v1::STATE_IN_PROGRESS,
       {kLeader, kVerifier}, "a reason"},
      {v1::ACTION_CLOSE, {v1::STATE_ENDORSED}, v1::STATE_CLOSED, {kVerifier},
       "an opinion (the verifier's sign-off)"},
      {v1::ACTION_KEEP_LONG_TERM, {v1::STATE_IN_PROGRESS, v1::STATE_ENDORSED},
       v1::STATE_LONG_TERM, {kVerifier}, "a follow-up plan"},
      {v1::ACTION_CLOSE_LONG_TERM, {v1::STATE_LONG_TERM}, v1::STATE_CLOSED, {kVerifier},
       "an opinion (the verifier's sign-off)"},
      {v1::ACTION_REOPEN, {v1::STATE_CLOSED}, v1::STATE_IN_PROGRESS, {kVerifier},
       "a reason (what the look back found)"},
      {v1::ACTION_CANCEL,
       {v1::STATE_DRAFT, v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS, v1::STATE_SUBMITTED,
        v1::STATE_ENDORSED, v1::STATE_LONG_TERM},
       v1::STATE_CANCELLED, {kSupervisor}, "a reason"},
      {v1::ACTION_EXTEND,
       {v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS, v1::STATE_SUBMITTED, v1::STATE_ENDORSED},
       v1::STATE_UNSPECIFIED, {kLeader}, "a new deadline after the current one and a reason, "
       "asked before the deadline"},
  };
  return kTable;
}

const TransitionRule* FindRule(Action action) {
  for (const auto& r : TransitionTable()) {
    if (r.action == action) return &r;
  }
  return nullptr;
}

bool IsTerminal(State s) { return s == v1::STATE_CLOSED || s == v1::STATE_CANCELLED; }
bool IsOpen(State s) { return s != v1::STATE_UNSPECIFIED && !IsTerminal(s); }

std::string_view StateName(State s) {
  std::string_view n = v1::State_Name(s);
  return n.substr(n.find('_') + 1);
}

std::string_view ActionName(Action a) {
  std::string_view n = v1::Action_Name(a);
  return n.substr(n.find('_') + 1);
}

Status CheckActor(const TransitionRule& rule, const v1::Item& item, const Actor& actor) {
  ItemRoles roles = RolesOn(item, actor);
  bool allowed = std::any_of(rule.by.begin(), rule.by.end(),
                             [&](Role r) { return Holds(roles, r); });
  if (allowed) return Status::Ok();
  std::string who;
  for (size_t i = 0; i < rule.by.size(); ++i) {
    who += (i == 0 ? "" : i + 1 == rule.by.size() ? " or " : ", ") + RoleName(rule.by[i]);
  }
  return PermissionDenied(std::string(ActionName(rule.action)) + " on item " + item.id() +
                          " may be done only by " + who + "; " +
                          (actor.name.empty() ? std::string("the caller is anonymous")
                                              : actor.name + " is not"));
}

Result<std::string> ResolveDeadline(const v1::DeadlineSpec& spec, const Context& ctx) {
  date::year_month_day from = ctx.today;
  if (!spec.from().empty()) {
    ASSIGN_OR_RETURN(from, ParseDate(spec.from()));
  }
  switch (spec.spec_case()) {
    case v1::DeadlineSpec::kDate: {
      ASSIGN_OR_RETURN(auto d, ParseDate(spec.date()));
      return FormatDate(d);
    }
    case v1::DeadlineSpec::kCalendarDays: {
      // `from` up to 9999-12-31 plus up to 3650 days can pass the last date FormatDate writes
      // as YYYY-MM-DD: "10000-01-01" is no date, and compared as text it sorts before today, so
      // the caller was told the deadline had passed (found by tests/fuzz request_fuzzer).
      const date::year_month_day d{date::sys_days(from) + date::days(spec.calendar_days())};
      if (d.year() > date::year{9999}) {
        return InvalidArgument("deadline: " + spec.from() + " + " +
                               std::to_string(spec.calendar_days()) +
                               " days is after 9999-12-31");
      }
      return FormatDate(d);
    }
    case v1::DeadlineSpec::kWorkingDays: {
      if (ctx.calendar == nullptr) {
        return FailedPrecondition("no working-day calendar is configured");
      }
      ASSIGN_OR_RETURN(auto d, ctx.calendar->AddWorkingDays(from, spec.working_days()));
      return FormatDate(d);
    }
    case v1::DeadlineSpec::SPEC_NOT_SET:
      break;
  }
  return InvalidArgument("deadline needs a date, calendar_days or working_days");
}

std::string FormatItemId(int year, uint64_t serial) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%06llu", year, static_cast<unsigned long long>(serial));
  return buf;
}

Status CheckCreate(const v1::Item& item, const Actor& actor, const PolicyOptions& policy) {
  if (actor.name.empty()) return Unauthenticated("the caller is anonymous");
  if (policy.open_mode || actor.supervisor || actor.admin) return Status::Ok();
  if (item.leader() == actor.name || item.owner() == actor.name) return Status::Ok();
  if (std::find(actor.units.begin(), actor.units.end(), item.unit()) != actor.units.end()) {
    return Status::Ok();
  }
  return PermissionDenied(actor.name + " may not register items for unit " + item.unit() +
                          ": only its members, the item's leader or owner, or a supervisor");
}

Result<v1::Item> ApplyCreate(const v1::CreateItemRequest& req, const Context& ctx) {
  RETURN_IF_ERROR(CheckCreate(req.item(), *ctx.actor, ctx.policy));
  v1::Item item;
  // Copy the writable fields only; output-only fields in the request are ignored.
  const v1::Item& in = req.item();
  item.set_title(in.title());
  item.set_description(in.description());
  item.set_year(in.year() != 0 ? in.year() : static_cast<int>(ctx.today.year()));
  item.set_source(in.source());
  item.set_source_ref(in.source_ref());
  item.set_category(in.category());
  item.set_mode(in.mode() == v1::MODE_UNSPECIFIED ? v1::MODE_BY_DEADLINE : in.mode());
  item.set_unit(in.unit());
  *item.mutable_co_units() = in.co_units();
  item.set_owner(in.owner());
  item.set_leader(in.leader());
  item.set_verifier(in.verifier());
  for (const auto& m : in.measures()) {
    auto* out = item.add_measures();
    out->set_text(m.text());
    out->set_due(m.due());
  }
  std::string deadline = in.deadline();
  if (req.has_deadline()) {
    ASSIGN_OR_RETURN(deadline, ResolveDeadline(req.deadline(), ctx));
  }
  if (!deadline.empty() && deadline < Today(ctx)) {
    return FailedPrecondition("deadline " + deadline + " is before today (" + Today(ctx) + ")");
  }
  item.set_deadline(deadline);
  item.set_state(v1::STATE_DRAFT);
  item.set_created_by(ctx.actor->name);
  return item;
}

Result<v1::Item> ApplyTransition(const v1::Item& current, const v1::TransitionRequest& req,
                                 const Context& ctx) {
  const TransitionRule* rule = FindRule(req.action());
  if (rule == nullptr) return InvalidArgument("unknown action");
  const Actor& actor = *ctx.actor;
  RETURN_IF_ERROR(CheckActor(*rule, current, actor));
  RETURN_IF_ERROR(CheckSeparation(req.action(), current, actor, ctx.policy));
  if (std::find(rule->from.begin(), rule->from.end(), current.state()) == rule->from.end()) {
    std::string from;
    for (size_t i = 0; i < rule->from.size(); ++i) {
      from += (i ? ", " : "") + std::string(StateName(rule->from[i]));
    }
    return FailedPrecondition(std::string(ActionName(req.action())) + " is not allowed: item " +
                              current.id() + " is " + std::string(StateName(current.state())) +
                              ", the action needs " + from);
  }
  v1::Item item = current;
  const std::string& comment = req.comment();
  const std::string needs = std::string(ActionName(req.action())) + " needs " + rule->needs;
  auto sign = [&](const std::string& opinion) {
    AddSignOff(item, ctx, SigningRole(*rule, current, actor), req.action(), opinion);
  };
  switch (req.action()) {
    case v1::ACTION_CONFIRM:
      RETURN_IF_ERROR(Require(item.measures_size() > 0 && !item.deadline().empty(), needs));
      if (item.deadline() < Today(ctx)) {
        return FailedPrecondition("confirm needs a deadline that has not passed; the deadline " +
                                  item.deadline() + " is before today " + Today(ctx) +
                                  " (update it first)");
      }
      *item.mutable_assigned_at() = ToProto(ctx.now);
      if (!comment.empty()) sign(comment);
      break;
    case v1::ACTION_START:
      break;
    case v1::ACTION_SUBMIT:
      RETURN_IF_ERROR(Require(!req.result().empty(), needs + ": the result is missing"));
      RETURN_IF_ERROR(Require(current.evidence_size() + req.evidence_size() > 0,
                              needs + ": no evidence is attached"));
      item.set_result(req.result());
      for (const auto& e : req.evidence()) *item.add_evidence() = e;
      sign(comment.empty() ? req.result() : comment);
      break;
    case v1::ACTION_ENDORSE:
    case v1::ACTION_CLOSE:
    case v1::ACTION_CLOSE_LONG_TERM:
      RETURN_IF_ERROR(Require(!comment.empty(), needs));
      sign(comment);
      if (rule->to == v1::STATE_CLOSED) {
        item.set_closure(comment);
        *item.mutable_closed_at() = ToProto(ctx.now);
        item.set_closed_overdue(!item.deadline().empty() && item.deadline() < Today(ctx));
      }
      break;
    case v1::ACTION_RETURN:
    case v1::ACTION_REOPEN:
      RETURN_IF_ERROR(Require(!comment.empty(), needs));
      sign(comment);
      if (req.action() == v1::ACTION_REOPEN) {
        item.clear_closure();
        item.clear_closed_at();
        item.set_closed_overdue(false);
      }
      break;
    case v1::ACTION_KEEP_LONG_TERM:
      RETURN_IF_ERROR(Require(!comment.empty(), needs));
      item.set_follow_up_plan(comment);
      sign(comment);
      break;
    case v1::ACTION_CANCEL:
      RETURN_IF_ERROR(Require(!comment.empty(), needs));
      item.set_cancel_reason(comment);
      sign(comment);
      break;
    case v1::ACTION_EXTEND: {
      RETURN_IF_ERROR(Require(!comment.empty(), needs + ": the reason is missing"));
      ASSIGN_OR_RETURN(std::string to, ResolveDeadline(req.new_deadline(), ctx));
      const std::string& old = current.deadline();
      if (!old.empty() && Today(ctx) > old) {
        return FailedPrecondition("an extension must be asked before the deadline: item " +
                                  current.id() + " was due " + old + ", today is " + Today(ctx));
      }
      if (!old.empty() && to <= old) {
        return FailedPrecondition("the new deadline " + to + " must be after the current one " +
                                  old);
      }
      auto* ext = item.add_extensions();
      ext->set_old_deadline(old);
      ext->set_new_deadline(to);
      ext->set_reason(comment);
      ext->set_approver(actor.name);
      *ext->mutable_time() = ToProto(ctx.now);
      item.set_deadline(to);
      item.set_deadline_version(item.deadline_version() + 1);
      sign(comment);
      break;
    }
    default:
      return InvalidArgument("unknown action");
  }
  if (rule->to != v1::STATE_UNSPECIFIED) item.set_state(rule->to);
  return item;
}

Result<v1::Item> ApplyUpdate(const v1::Item& current, const v1::UpdateItemRequest& req,
                             const Context& ctx) {
  const Actor& actor = *ctx.actor;
  ItemRoles roles = RolesOn(current, actor);
  if (IsTerminal(current.state())) {
    return FailedPrecondition("item " + current.id() + " is " +
                              std::string(StateName(current.state())) +
                              " and can no longer be edited");
  }
  std::set<std::string> paths(req.update_mask().paths().begin(), req.update_mask().paths().end());
  const bool owner_only_fields =
      std::all_of(paths.begin(), paths.end(),
                  [](const std::string& p) { return p == "measures" || p == "description"; });
  const bool owner_may = roles.owner && owner_only_fields &&
                         (current.state() == v1::STATE_DRAFT ||
                          current.state() == v1::STATE_ASSIGNED ||
                          current.state() == v1::STATE_IN_PROGRESS);
  if (!roles.leader && !roles.supervisor && !owner_may) {
    return PermissionDenied("updating item " + current.id() +
                            " needs its leader or a supervisor (the owner may edit the "
                            "description and measures before submitting); " + actor.name +
                            " is neither");
  }
  v1::Item item = current;
  const v1::Item& in = req.item();
  for (const auto& p : paths) {
    if (p == "title") item.set_title(in.title());
    else if (p == "description") item.set_description(in.description());
    else if (p == "year") item.set_year(in.year() != 0 ? in.year() : current.year());
    else if (p == "source") item.set_source(in.source());
    else if (p == "source_ref") item.set_source_ref(in.source_ref());
    else if (p == "category") item.set_category(in.category());
    else if (p == "mode") item.set_mode(in.mode() == v1::MODE_UNSPECIFIED ? v1::MODE_BY_DEADLINE
                                                                          : in.mode());
    else if (p == "unit") item.set_unit(in.unit());
    else if (p == "co_units") *item.mutable_co_units() = in.co_units();
    else if (p == "owner") item.set_owner(in.owner());
    else if (p == "leader") item.set_leader(in.leader());
    else if (p == "verifier") item.set_verifier(in.verifier());
    else if (p == "measures") {
      // Keep the done flags of measures whose text is unchanged at the same position.
      item.clear_measures();
      for (int i = 0; i < in.measures_size(); ++i) {
        auto* m = item.add_measures();
        m->set_text(in.measures(i).text());
        m->set_due(in.measures(i).due());
        if (i < current.measures_size() && current.measures(i).text() == m->text()) {
          m->set_done(current.measures(i).done());
          *m->mutable_done_at() = current.measures(i).done_at();
        }
      }
    } else if (p == "deadline") {
      if (current.state() != v1::STATE_DRAFT) {
        return FailedPrecondition("the deadline of item " + current.id() +
                                  " is fixed once confirmed; ask for an extension instead");
      }
      if (!in.deadline().empty() && in.deadline() < Today(ctx)) {
        return FailedPrecondition("deadline " + in.deadline() + " is before today (" +
                                  Today(ctx) + ")");
      }
      item.set_deadline(in.deadline());
    }
  }
  if (item.owner() == item.verifier()) {
    return InvalidArgument("owner and verifier must be different people: " + item.owner() +
                           " cannot verify their own rectification");
  }
  if (item.state() != v1::STATE_DRAFT && item.measures_size() == 0) {
    return FailedPrecondition("a confirmed item keeps at least one measure");
  }
  return item;
}

Result<v1::Item> ApplyProgress(const v1::Item& current, const v1::AddProgressRequest& req,
                               const Context& ctx) {
  const Actor& actor = *ctx.actor;
  ItemRoles roles = RolesOn(current, actor);
  if (!roles.owner && !roles.leader && !roles.supervisor) {
    return PermissionDenied("progress on item " + current.id() +
                            " is reported by its owner, its leader or a supervisor; " +
                            actor.name + " is none of them");
  }
  const State s = current.state();
  if (s != v1::STATE_ASSIGNED && s != v1::STATE_IN_PROGRESS && s != v1::STATE_LONG_TERM &&
      s != v1::STATE_SUBMITTED && s != v1::STATE_ENDORSED) {
    return FailedPrecondition("progress cannot be added to item " + current.id() + " while it is " +
                              std::string(StateName(s)));
  }
  v1::Item item = current;
  for (int idx : req.measures_done()) {
    if (idx >= item.measures_size()) {
      return FailedPrecondition("item " + current.id() + " has " +
                                std::to_string(item.measures_size()) + " measures; there is no "
                                "measure " + std::to_string(idx) + " (indexes start at 0)");
    }
    auto* m = item.mutable_measures(idx);
    if (!m->done()) {
      m->set_done(true);
      *m->mutable_done_at() = ToProto(ctx.now);
    }
  }
  auto* note = item.add_progress();
  note->set_note(req.note());
  note->set_author(actor.name);
  *note->mutable_time() = ToProto(ctx.now);
  for (const auto& e : req.evidence()) {
    *note->add_evidence() = e;
    *item.add_evidence() = e;
  }
  *item.mutable_last_progress_at() = ToProto(ctx.now);
  return item;
}

}  // namespace rectify::domain
