#include "domain/policy.h"

#include <algorithm>

namespace rectify::domain {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return !s.empty() && std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kCreateItem: return "CreateItem";
    case Operation::kGetItem: return "GetItem";
    case Operation::kListItems: return "ListItems";
    case Operation::kUpdateItem: return "UpdateItem";
    case Operation::kTransition: return "Transition";
    case Operation::kAddProgress: return "AddProgress";
    case Operation::kGetHistory: return "GetHistory";
    case Operation::kWatch: return "Watch";
    case Operation::kRunReminders: return "RunReminders";
    case Operation::kPreviewReminders: return "RunReminders(dry_run)";
    case Operation::kListReminders: return "ListReminders";
    case Operation::kGetReport: return "GetReport";
    case Operation::kGetServerInfo: return "GetServerInfo";
    case Operation::kSetClock: return "SetClock";
    case Operation::kGetCalendar: return "GetCalendar";
    case Operation::kAddWorkingDays: return "AddWorkingDays";
    case Operation::kBackup: return "Backup";
    case Operation::kVerifyAudit: return "VerifyAudit";
  }
  return "?";
}

std::string_view GlobalRoleName(GlobalRole r) {
  switch (r) {
    case GlobalRole::kMember: return "member";
    case GlobalRole::kSupervisor: return "supervisor";
    case GlobalRole::kAuditor: return "auditor";
    case GlobalRole::kAdmin: return "admin";
    case GlobalRole::kScheduler: return "scheduler";
  }
  return "?";
}

bool ParseGlobalRole(std::string_view name, GlobalRole* out) {
  for (GlobalRole r : {GlobalRole::kMember, GlobalRole::kSupervisor, GlobalRole::kAuditor,
                       GlobalRole::kAdmin, GlobalRole::kScheduler}) {
    if (GlobalRoleName(r) == name) {
      *out = r;
      return true;
    }
  }
  return false;
}

bool Has(const Actor& actor, GlobalRole r) {
  switch (r) {
    case GlobalRole::kMember: return !actor.name.empty();
    case GlobalRole::kSupervisor: return actor.supervisor;
    case GlobalRole::kAuditor: return actor.auditor;
    case GlobalRole::kAdmin: return actor.admin;
    case GlobalRole::kScheduler: return actor.scheduler;
  }
  return false;
}

// The table DOMAIN.md's practice implies. Members work inside their units; supervisors oversee
// every unit; auditors (the discipline side) read everything and check the audit chain but
// change nothing; admins operate the daemon; a scheduler account only runs reminders.
const std::vector<PolicyRule>& PolicyTable() {
  using enum Operation;
  using enum GlobalRole;
  static const std::vector<PolicyRule> kTable = {
      {kCreateItem, {kMember}, true},
      {kGetItem, {kMember}, true},
      {kListItems, {kMember}, true},
      {kUpdateItem, {kMember}, true},
      {kTransition, {kMember}, true},
      {kAddProgress, {kMember}, true},
      {kGetHistory, {kMember}, true},
      {kWatch, {kMember}, true},
      {kRunReminders, {kSupervisor, kAdmin, kScheduler}, false},
      {kPreviewReminders, {kSupervisor, kAuditor, kAdmin, kScheduler}, false},
      {kListReminders, {kMember}, true},
      {kGetReport, {kMember}, true},
      {kGetServerInfo, {kMember}, false, true},
      {kSetClock, {kAdmin}, false},
      {kGetCalendar, {kMember}, false, true},
      {kAddWorkingDays, {kMember}, false, true},
      {kBackup, {kAdmin}, false},
      {kVerifyAudit, {kAdmin, kAuditor}, false},
  };
  return kTable;
}

const std::vector<Operation>& AllOperations() {
  static const std::vector<Operation> kAll = [] {
    std::vector<Operation> v;
    for (const auto& r : PolicyTable()) v.push_back(r.op);
    return v;
  }();
  return kAll;
}

Status Authorize(Operation op, const Actor& actor, const PolicyOptions& options) {
  const auto& table = PolicyTable();
  auto it = std::find_if(table.begin(), table.end(), [op](const auto& r) { return r.op == op; });
  if (it == table.end()) {
    return PermissionDenied(std::string(OperationName(op)) + " is not in the policy table");
  }
  if (actor.name.empty()) {
    if (options.open_mode && it->anonymous_in_open_mode) return Status::Ok();
    return Unauthenticated(std::string(OperationName(op)) + " needs to know who is calling");
  }
  if (options.open_mode) return Status::Ok();
  // A member is a configured principal: a name the config does not list holds no role at all
  // (it can only reach this point without authentication, where names are taken on trust).
  for (GlobalRole r : it->roles) {
    if (r == GlobalRole::kMember ? actor.known : Has(actor, r)) return Status::Ok();
  }
  std::string who;
  for (size_t i = 0; i < it->roles.size(); ++i) {
    who += (i == 0 ? "" : i + 1 == it->roles.size() ? " or " : ", ");
    who += it->roles[i] == GlobalRole::kMember ? "a configured principal"
                                               : "the " + std::string(GlobalRoleName(it->roles[i])) +
                                                     " role";
  }
  return PermissionDenied(std::string(OperationName(op)) + " needs " + who + "; " + actor.name +
                          (actor.known ? " does not hold it" : " is not a configured principal"));
}

bool SeesAllUnits(const Actor& actor, const PolicyOptions& options) {
  return options.open_mode || actor.supervisor || actor.auditor || actor.admin;
}

bool CanSee(const v1::Item& item, const Actor& actor, const PolicyOptions& options) {
  if (SeesAllUnits(actor, options)) return true;
  if (actor.name.empty()) return false;
  if (item.owner() == actor.name || item.leader() == actor.name ||
      item.verifier() == actor.name) {
    return true;
  }
  if (Contains(actor.units, item.unit())) return true;
  return std::any_of(item.co_units().begin(), item.co_units().end(),
                     [&](const std::string& u) { return Contains(actor.units, u); });
}

Status NotVisible(std::string_view id) {
  return NotFound("item " + std::string(id) + " does not exist");
}

Status CheckSeparation(v1::Action action, const v1::Item& item, const Actor& actor,
                       const PolicyOptions& options) {
  const bool signs_off = action == v1::ACTION_ENDORSE || action == v1::ACTION_CLOSE ||
                         action == v1::ACTION_CLOSE_LONG_TERM;
  if (signs_off && item.owner() == actor.name) {
    return PermissionDenied(actor.name + " is the owner of item " + item.id() +
                            " and can never sign off their own work (" +
                            std::string(v1::Action_Name(action)) + ")");
  }
  if (options.closer_not_endorser &&
      (action == v1::ACTION_CLOSE || action == v1::ACTION_CLOSE_LONG_TERM)) {
    // The endorsement that counts is the latest one: a return and a second endorsement
    // replace the first.
    for (auto it = item.signoffs().rbegin(); it != item.signoffs().rend(); ++it) {
      if (it->action() != v1::ACTION_ENDORSE) continue;
      if (it->person() == actor.name) {
        return PermissionDenied(actor.name + " endorsed item " + item.id() +
                                " and may not also close it (policy closer_not_endorser)");
      }
      break;
    }
  }
  return Status::Ok();
}

}  // namespace rectify::domain
