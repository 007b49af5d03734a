#pragma once

// Who may call what: the one role x operation table, and who may see an item.
//
// Every RPC names its Operation; the rpc layer asks Authorize() right after it has identified
// the caller, before any work. Item-level rules come after that and live here too: CanSee()
// scopes every read, write, watch event and report to the caller's units (or the items they
// hold a role on); an item the caller may not see is answered exactly like a missing one
// (NOT_FOUND), so ids cannot be probed. Who may perform which workflow action on a visible item
// is the transition table in workflow.h.
//
// Pure functions over values; called on gRPC threads and on the engine's writer thread.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/actor.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

// One per RPC (ReportService and the admin calls included). Never renumber: metrics and audit
// text use the names.
enum class Operation {
  kCreateItem,
  kGetItem,
  kListItems,
  kUpdateItem,
  kTransition,
  kAddProgress,
  kGetHistory,
  kWatch,
  kRunReminders,      // a real run: fires and sends
  kPreviewReminders,  // RunReminders with dry_run
  kListReminders,
  kGetReport,
  kGetServerInfo,
  kSetClock,
  kGetCalendar,
  kAddWorkingDays,
  kBackup,
  kVerifyAudit,
};

std::string_view OperationName(Operation op);  // "CreateItem"
const std::vector<Operation>& AllOperations();

// Global roles a principal can be given in the config (`roles = [...]`). Every known principal
// is a member; the others add to that.
enum class GlobalRole { kMember, kSupervisor, kAuditor, kAdmin, kScheduler };

std::string_view GlobalRoleName(GlobalRole r);  // "supervisor"
// "supervisor" -> kSupervisor; false for an unknown name.
bool ParseGlobalRole(std::string_view name, GlobalRole* out);
bool Has(const Actor& actor, GlobalRole r);

// One row of the policy table.
struct PolicyRule {
  Operation op;
  std::vector<GlobalRole> roles;  // any of these may call
  bool item_scoped;               // results and targets are limited by CanSee()
  // In open mode, may be called without naming oneself (server info, the calendar): what a
  // local operator's first `rectifyctl server-info` needs.
  bool anonymous_in_open_mode = false;
};

const std::vector<PolicyRule>& PolicyTable();

// How the operator tightened or loosened the defaults ([policy] in the config).
struct PolicyOptions {
  // No principals and no authentication: a local, single-user ledger. Every named caller may
  // do everything; the daemon says so loudly at start and listens on loopback only.
  bool open_mode = false;
  // The verifier who closes an item must not be the leader who endorsed it.
  bool closer_not_endorser = true;
};

// PERMISSION_DENIED naming the roles that may, or OK. An actor without a name is anonymous:
// UNAUTHENTICATED unless open mode lets anyone make this call.
Status Authorize(Operation op, const Actor& actor, const PolicyOptions& options);

// Sees every unit: supervisors, auditors and admins (and everyone in open mode).
bool SeesAllUnits(const Actor& actor, const PolicyOptions& options);

// Whether the actor may see this item: all-units roles; a member of its unit or of one of its
// co-units; or the person named on it as owner, leader or verifier.
bool CanSee(const v1::Item& item, const Actor& actor, const PolicyOptions& options);

// The answer for an item the caller may not see: the same words as for a missing one.
Status NotVisible(std::string_view id);

// Separation of duties for a workflow action on a visible item, beyond the transition table:
// the owner never endorses or closes their own item; with closer_not_endorser, the verifier who
// closes is not the leader who endorsed.
Status CheckSeparation(v1::Action action, const v1::Item& item, const Actor& actor,
                       const PolicyOptions& options);

}  // namespace rectify::domain
