#pragma once

// Who is calling, as the domain sees it: a name, the global roles the config gives it, and the
// units it belongs to. Item roles (owner, leader, verifier) come from the item, not from here.

#include <string>
#include <vector>

#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

struct Actor {
  std::string name;
  bool supervisor = false;  // global role: confirms, cancels, oversees every unit
  bool admin = false;       // global role: operates the daemon (backup, audit, clock)
  bool auditor = false;     // global role: reads every unit, verifies the audit chain
  bool scheduler = false;   // global role: a service account that runs reminders
  std::vector<std::string> units;
  bool known = false;       // listed among the configured principals
};

// The roles an actor holds on one item. An actor can hold several (a leader who is also a
// supervisor); rules are written against this set.
struct ItemRoles {
  bool owner = false;
  bool leader = false;
  bool verifier = false;
  bool supervisor = false;
};

ItemRoles RolesOn(const v1::Item& item, const Actor& actor);

}  // namespace rectify::domain
