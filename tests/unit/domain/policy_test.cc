// The role x operation table, item visibility and separation of duties (domain/policy.h).

#include "domain/policy.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace rectify::domain {
namespace {

using enum Operation;

Actor Member(std::string name, std::vector<std::string> units = {}) {
  Actor a;
  a.name = std::move(name);
  a.units = std::move(units);
  a.known = true;
  return a;
}

Actor WithRole(std::string name, GlobalRole r) {
  Actor a = Member(std::move(name));
  a.supervisor = r == GlobalRole::kSupervisor;
  a.auditor = r == GlobalRole::kAuditor;
  a.admin = r == GlobalRole::kAdmin;
  a.scheduler = r == GlobalRole::kScheduler;
  return a;
}

// The expected table, written out independently of policy.cc: for each operation, which of
// member / supervisor / auditor / admin / scheduler-only may call it.
struct Expect {
  bool member, supervisor, auditor, admin, scheduler;
};
const std::map<Operation, Expect>& Expected() {
  static const std::map<Operation, Expect> kExpected = {
      {kCreateItem, {true, true, true, true, true}},
      {kGetItem, {true, true, true, true, true}},
      {kListItems, {true, true, true, true, true}},
      {kUpdateItem, {true, true, true, true, true}},
      {kTransition, {true, true, true, true, true}},
      {kAddProgress, {true, true, true, true, true}},
      {kGetHistory, {true, true, true, true, true}},
      {kWatch, {true, true, true, true, true}},
      {kRunReminders, {false, true, false, true, true}},
      {kPreviewReminders, {false, true, true, true, true}},
      {kListReminders, {true, true, true, true, true}},
      {kGetReport, {true, true, true, true, true}},
      {kGetServerInfo, {true, true, true, true, true}},
      {kSetClock, {false, false, false, true, false}},
      {kGetCalendar, {true, true, true, true, true}},
      {kAddWorkingDays, {true, true, true, true, true}},
      {kBackup, {false, false, false, true, false}},
      {kVerifyAudit, {false, false, true, true, false}},
  };
  return kExpected;
}

TEST(PolicyTest, EveryOperationIsInTheTableOnce) {
  std::set<Operation> seen;
  for (const auto& rule : PolicyTable()) {
    EXPECT_TRUE(seen.insert(rule.op).second) << OperationName(rule.op) << " twice";
  }
  EXPECT_EQ(seen.size(), Expected().size());
  for (const auto& [op, _] : Expected()) EXPECT_TRUE(seen.count(op)) << OperationName(op);
}

TEST(PolicyTest, RoleTimesOperationMatrix) {
  const PolicyOptions closed;
  for (const auto& [op, e] : Expected()) {
    const std::pair<Actor, bool> cases[] = {
        {Member("m", {"u"}), e.member},
        {WithRole("s", GlobalRole::kSupervisor), e.supervisor},
        {WithRole("a", GlobalRole::kAuditor), e.auditor},
        {WithRole("d", GlobalRole::kAdmin), e.admin},
        {WithRole("c", GlobalRole::kScheduler), e.scheduler},
    };
    for (const auto& [actor, allowed] : cases) {
      Status st = Authorize(op, actor, closed);
      EXPECT_EQ(st.ok(), allowed) << OperationName(op) << " by " << actor.name << ": "
                                  << st.message();
      if (!allowed) {
        EXPECT_EQ(st.code(), Code::kPermissionDenied) << OperationName(op);
      }
    }
  }
}

TEST(PolicyTest, UnknownNamesHoldNoRoleAndAnonymousIsUnauthenticated) {
  Actor stranger;
  stranger.name = "路人";
  for (Operation op : AllOperations()) {
    Status st = Authorize(op, stranger, PolicyOptions{});
    EXPECT_EQ(st.code(), Code::kPermissionDenied) << OperationName(op);
    Status anon = Authorize(op, Actor{}, PolicyOptions{});
    EXPECT_EQ(anon.code(), Code::kUnauthenticated) << OperationName(op);
  }
}

TEST(PolicyTest, OpenModeAllowsEveryNamedCallerAndAnonymousOnlyHarmlessReads) {
  PolicyOptions open{.open_mode = true};
  Actor named;
  named.name = "anyone";
  const std::set<Operation> anonymous_ok = {kGetServerInfo, kGetCalendar, kAddWorkingDays};
  for (Operation op : AllOperations()) {
    EXPECT_TRUE(Authorize(op, named, open).ok()) << OperationName(op);
    EXPECT_EQ(Authorize(op, Actor{}, open).ok(), anonymous_ok.count(op) > 0) << OperationName(op);
  }
}

v1::Item ItemOf(std::string unit) {
  v1::Item item;
  item.set_id("2026-000001");
  item.set_unit(std::move(unit));
  item.add_co_units("财务科");
  item.set_owner("张三");
  item.set_leader("李四");
  item.set_verifier("王五");
  return item;
}

TEST(PolicyTest, VisibilityByUnitCoUnitItemRoleAndGlobalRole) {
  const v1::Item item = ItemOf("办公室");
  const PolicyOptions closed;
  struct Case {
    Actor actor;
    bool sees;
  };
  const Case cases[] = {
      {Member("甲", {"办公室"}), true},           // a member of the item's unit
      {Member("乙", {"财务科"}), true},           // a member of a co-unit
      {Member("丙", {"人事科", "后勤科"}), false},  // another unit: the item does not exist
      {Member("张三", {"人事科"}), true},         // named on it as owner
      {Member("李四"), true},                     // leader
      {Member("王五"), true},                     // verifier
      {Member("丁"), false},
      {WithRole("s", GlobalRole::kSupervisor), true},
      {WithRole("a", GlobalRole::kAuditor), true},
      {WithRole("d", GlobalRole::kAdmin), true},
      {WithRole("c", GlobalRole::kScheduler), false},
      {Actor{}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CanSee(item, c.actor, closed), c.sees) << c.actor.name;
  }
  EXPECT_TRUE(CanSee(item, Member("丁"), PolicyOptions{.open_mode = true}));
  Status hidden = NotVisible(item.id());
  EXPECT_EQ(hidden.code(), Code::kNotFound);
  EXPECT_EQ(hidden.message(), "item 2026-000001 does not exist")
      << "the same words as for an id that was never used";
}

v1::Item Endorsed(std::string endorser) {
  v1::Item item = ItemOf("办公室");
  auto* s = item.add_signoffs();
  s->set_action(v1::ACTION_ENDORSE);
  s->set_person(std::move(endorser));
  return item;
}

TEST(PolicyTest, TheOwnerNeverSignsOffTheirOwnWork) {
  v1::Item item = ItemOf("办公室");
  for (v1::Action a : {v1::ACTION_ENDORSE, v1::ACTION_CLOSE, v1::ACTION_CLOSE_LONG_TERM}) {
    Status st = CheckSeparation(a, item, Member("张三"), PolicyOptions{.open_mode = true});
    EXPECT_EQ(st.code(), Code::kPermissionDenied) << v1::Action_Name(a) << " even in open mode";
  }
  EXPECT_TRUE(CheckSeparation(v1::ACTION_SUBMIT, item, Member("张三"), {}).ok());
}

TEST(PolicyTest, TheCloserIsNotTheEndorserWhenThePolicySaysSo) {
  v1::Item item = Endorsed("王五");  // the verifier also endorsed (a leader standing in)
  Status st = CheckSeparation(v1::ACTION_CLOSE, item, Member("王五"), PolicyOptions{});
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  PolicyOptions relaxed{.closer_not_endorser = false};
  EXPECT_TRUE(CheckSeparation(v1::ACTION_CLOSE, item, Member("王五"), relaxed).ok());
  // Only the latest endorsement counts: returned, then endorsed again by the leader.
  item.add_signoffs()->set_action(v1::ACTION_RETURN);
  auto* again = item.add_signoffs();
  again->set_action(v1::ACTION_ENDORSE);
  again->set_person("李四");
  EXPECT_TRUE(CheckSeparation(v1::ACTION_CLOSE, item, Member("王五"), PolicyOptions{}).ok());
}

TEST(PolicyTest, RoleNamesRoundTrip) {
  for (GlobalRole r : {GlobalRole::kMember, GlobalRole::kSupervisor, GlobalRole::kAuditor,
                       GlobalRole::kAdmin, GlobalRole::kScheduler}) {
    GlobalRole back;
    ASSERT_TRUE(ParseGlobalRole(GlobalRoleName(r), &back));
    EXPECT_EQ(back, r);
  }
  GlobalRole out;
  EXPECT_FALSE(ParseGlobalRole("root", &out));
}

}  // namespace
}  // namespace rectify::domain
