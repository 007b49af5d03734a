// The whole transition table of DOMAIN.md, every state x action x role, checked against an
// encoding of the table written here independently of daemon/domain/workflow.cc.

#include "domain/workflow.h"

#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "domain/calendar.h"
#include "domain/dates.h"

namespace rectify::domain {
namespace {

using v1::Action;
using v1::State;

enum class Who { kOwner, kLeader, kVerifier, kSupervisor, kStranger };

const char* WhoName(Who w) {
  switch (w) {
    case Who::kOwner:
      return "owner";
    case Who::kLeader:
      return "leader";
    case Who::kVerifier:
      return "verifier";
    case Who::kSupervisor:
      return "supervisor";
    case Who::kStranger:
      return "stranger";
  }
  return "?";
}

Actor MakeActor(Who w) {
  Actor a;
  a.name = WhoName(w);
  a.supervisor = w == Who::kSupervisor;
  a.known = true;
  return a;
}

// DOMAIN.md's table, as data: action -> (from states, to state, who may).
struct Row {
  std::set<State> from;
  State to;
  std::set<Who> by;
};

const std::map<Action, Row>& Expected() {
  using enum Who;
  static const std::map<Action, Row> kRows = {
      {v1::ACTION_CONFIRM, {{v1::STATE_DRAFT}, v1::STATE_ASSIGNED, {kLeader, kSupervisor}}},
      {v1::ACTION_START, {{v1::STATE_ASSIGNED}, v1::STATE_IN_PROGRESS, {kOwner}}},
      {v1::ACTION_SUBMIT, {{v1::STATE_IN_PROGRESS}, v1::STATE_SUBMITTED, {kOwner}}},
      {v1::ACTION_ENDORSE, {{v1::STATE_SUBMITTED}, v1::STATE_ENDORSED, {kLeader}}},
      {v1::ACTION_RETURN,
       {{v1::STATE_SUBMITTED, v1::STATE_ENDORSED}, v1::STATE_IN_PROGRESS, {kLeader, kVerifier}}},
      {v1::ACTION_CLOSE, {{v1::STATE_ENDORSED}, v1::STATE_CLOSED, {kVerifier}}},
      {v1::ACTION_KEEP_LONG_TERM,
       {{v1::STATE_IN_PROGRESS, v1::STATE_ENDORSED}, v1::STATE_LONG_TERM, {kVerifier}}},
      {v1::ACTION_CLOSE_LONG_TERM, {{v1::STATE_LONG_TERM}, v1::STATE_CLOSED, {kVerifier}}},
      {v1::ACTION_REOPEN, {{v1::STATE_CLOSED}, v1::STATE_IN_PROGRESS, {kVerifier}}},
      {v1::ACTION_CANCEL,
       {{v1::STATE_DRAFT, v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS, v1::STATE_SUBMITTED,
         v1::STATE_ENDORSED, v1::STATE_LONG_TERM},
        v1::STATE_CANCELLED,
        {kSupervisor}}},
      {v1::ACTION_EXTEND,
       {{v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS, v1::STATE_SUBMITTED, v1::STATE_ENDORSED},
        v1::STATE_UNSPECIFIED,
        {kLeader}}},
  };
  return kRows;
}

class WorkflowTest : public ::testing::Test {
 protected:
  WorkflowTest() : calendar_(DefaultCalendar()) {
    ctx_.today = *ParseDate("2026-03-02");
    ctx_.now = date::sys_days(ctx_.today) + std::chrono::hours(2);
    ctx_.calendar = &calendar_;
  }

  v1::Item ItemIn(State s) const {
    v1::Item item;
    item.set_id("2026-000001");
    item.set_title("t");
    item.set_owner("owner");
    item.set_leader("leader");
    item.set_verifier("verifier");
    item.add_measures()->set_text("m");
    item.set_deadline("2026-06-30");
    item.add_evidence()->set_name("e");
    item.set_state(s);
    return item;
  }

  // A request that satisfies every "needs" of the action.
  v1::TransitionRequest Complete(Action a) const {
    v1::TransitionRequest req;
    req.set_id("2026-000001");
    req.set_action(a);
    req.set_comment("意见");
    req.set_result("已整改");
    if (a == v1::ACTION_EXTEND) req.mutable_new_deadline()->set_date("2026-07-31");
    return req;
  }

  Result<v1::Item> Run(const v1::Item& item, const v1::TransitionRequest& req, Who who) {
    actor_ = MakeActor(who);
    ctx_.actor = &actor_;
    return ApplyTransition(item, req, ctx_);
  }

  Calendar calendar_;
  Context ctx_;
  Actor actor_;
};

TEST_F(WorkflowTest, EveryStateActionRole) {
  int cases = 0;
  for (int s = v1::STATE_DRAFT; s <= v1::STATE_CANCELLED; ++s) {
    for (const auto& [action, row] : Expected()) {
      for (Who who :
           {Who::kOwner, Who::kLeader, Who::kVerifier, Who::kSupervisor, Who::kStranger}) {
        const State state = static_cast<State>(s);
        auto r = Run(ItemIn(state), Complete(action), who);
        SCOPED_TRACE(std::string(StateName(state)) + " x " + std::string(ActionName(action)) +
                     " x " + WhoName(who));
        ++cases;
        if (!row.by.count(who)) {
          ASSERT_FALSE(r.ok());
          EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << r.status().ToString();
        } else if (!row.from.count(state)) {
          ASSERT_FALSE(r.ok());
          EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().ToString();
        } else {
          ASSERT_TRUE(r.ok()) << r.status().ToString();
          EXPECT_EQ(r->state(), row.to == v1::STATE_UNSPECIFIED ? state : row.to);
        }
      }
    }
  }
  EXPECT_EQ(cases, 8 * 11 * 5);
}

TEST_F(WorkflowTest, TableMatchesDomain) {
  ASSERT_EQ(TransitionTable().size(), Expected().size());
  for (const auto& rule : TransitionTable()) {
    ASSERT_TRUE(Expected().count(rule.action));
    const Row& row = Expected().at(rule.action);
    EXPECT_EQ(std::set<State>(rule.from.begin(), rule.from.end()), row.from);
    EXPECT_EQ(rule.to, row.to);
  }
}

TEST_F(WorkflowTest, OwnerNeverClosesOwnItem) {
  v1::Item item = ItemIn(v1::STATE_ENDORSED);
  item.set_verifier("owner");  // a misconfigured item: the owner is also the verifier
  auto r = Run(item, Complete(v1::ACTION_CLOSE), Who::kOwner);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  EXPECT_NE(r.status().message().find("never sign off"), std::string::npos);
}

struct MissingCase {
  Action action;
  State state;
  Who who;
  std::function<void(v1::Item&, v1::TransitionRequest&)> strip;
  std::string message_part;
};

TEST_F(WorkflowTest, MissingRequirementsAreFailedPrecondition) {
  const std::vector<MissingCase> cases = {
      {v1::ACTION_CONFIRM, v1::STATE_DRAFT, Who::kLeader,
       [](auto& i, auto&) { i.clear_measures(); }, "measure"},
      {v1::ACTION_CONFIRM, v1::STATE_DRAFT, Who::kLeader,
       [](auto& i, auto&) { i.clear_deadline(); }, "deadline"},
      {v1::ACTION_SUBMIT, v1::STATE_IN_PROGRESS, Who::kOwner,
       [](auto&, auto& r) { r.clear_result(); }, "result"},
      {v1::ACTION_SUBMIT, v1::STATE_IN_PROGRESS, Who::kOwner,
       [](auto& i, auto&) { i.clear_evidence(); }, "evidence"},
      {v1::ACTION_ENDORSE, v1::STATE_SUBMITTED, Who::kLeader,
       [](auto&, auto& r) { r.clear_comment(); }, "opinion"},
      {v1::ACTION_CLOSE, v1::STATE_ENDORSED, Who::kVerifier,
       [](auto&, auto& r) { r.clear_comment(); }, "opinion"},
      {v1::ACTION_RETURN, v1::STATE_SUBMITTED, Who::kVerifier,
       [](auto&, auto& r) { r.clear_comment(); }, "reason"},
      {v1::ACTION_KEEP_LONG_TERM, v1::STATE_IN_PROGRESS, Who::kVerifier,
       [](auto&, auto& r) { r.clear_comment(); }, "follow-up"},
      {v1::ACTION_REOPEN, v1::STATE_CLOSED, Who::kVerifier,
       [](auto&, auto& r) { r.clear_comment(); }, "reason"},
      {v1::ACTION_CANCEL, v1::STATE_ASSIGNED, Who::kSupervisor,
       [](auto&, auto& r) { r.clear_comment(); }, "reason"},
      {v1::ACTION_EXTEND, v1::STATE_IN_PROGRESS, Who::kLeader,
       [](auto&, auto& r) { r.clear_comment(); }, "reason"},
      {v1::ACTION_EXTEND, v1::STATE_IN_PROGRESS, Who::kLeader,
       [](auto&, auto& r) { r.mutable_new_deadline()->set_date("2026-06-01"); }, "after"},
      {v1::ACTION_EXTEND, v1::STATE_IN_PROGRESS, Who::kLeader,
       [](auto& i, auto&) { i.set_deadline("2026-03-01"); }, "before the deadline"},
  };
  for (const auto& c : cases) {
    v1::Item item = ItemIn(c.state);
    v1::TransitionRequest req = Complete(c.action);
    c.strip(item, req);
    auto r = Run(item, req, c.who);
    SCOPED_TRACE(std::string(ActionName(c.action)) + " without " + c.message_part);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos) << r.status().message();
  }
}

TEST_F(WorkflowTest, SignOffsAndClosureAreRecorded) {
  v1::Item item = ItemIn(v1::STATE_SUBMITTED);
  auto endorsed = Run(item, Complete(v1::ACTION_ENDORSE), Who::kLeader);
  ASSERT_TRUE(endorsed.ok());
  ASSERT_EQ(endorsed->signoffs_size(), 1);
  EXPECT_EQ(endorsed->signoffs(0).role(), v1::SIGN_OFF_ROLE_LEADER);
  EXPECT_EQ(endorsed->signoffs(0).person(), "leader");
  EXPECT_EQ(endorsed->signoffs(0).opinion(), "意见");
  auto closed = Run(*endorsed, Complete(v1::ACTION_CLOSE), Who::kVerifier);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->signoffs_size(), 2);
  EXPECT_EQ(closed->signoffs(1).role(), v1::SIGN_OFF_ROLE_VERIFIER);
  EXPECT_EQ(closed->closure(), "意见");
  EXPECT_TRUE(closed->has_closed_at());
  EXPECT_FALSE(closed->closed_overdue());
}

TEST_F(WorkflowTest, ExtendMovesDeadlineAndBumpsVersion) {
  auto r = Run(ItemIn(v1::STATE_IN_PROGRESS), Complete(v1::ACTION_EXTEND), Who::kLeader);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->deadline(), "2026-07-31");
  EXPECT_EQ(r->deadline_version(), 1u);
  ASSERT_EQ(r->extensions_size(), 1);
  EXPECT_EQ(r->extensions(0).old_deadline(), "2026-06-30");
  EXPECT_EQ(r->extensions(0).approver(), "leader");
}

TEST_F(WorkflowTest, WorkingDayDeadlines) {
  v1::DeadlineSpec spec;
  spec.set_working_days(5);
  spec.set_from("2025-09-26");  // Fri; 9-28 (Sun) is worked, 10-01..08 are holidays
  actor_ = MakeActor(Who::kLeader);
  ctx_.actor = &actor_;
  auto d = ResolveDeadline(spec, ctx_);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  // 9-28 (adjusted), 9-29, 9-30, 10-09, 10-10
  EXPECT_EQ(*d, "2025-10-10");
  spec.set_from("2030-01-01");
  auto missing = ResolveDeadline(spec, ctx_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("2030"), std::string::npos);
}

// Past 9999-12-31 a date is no YYYY-MM-DD: refused, not "10000-01-01" (which sorted before
// today and was reported as a deadline in the past). tests/fuzz/regressions/request.
TEST_F(WorkflowTest, CalendarDaysPastYear9999AreRefused) {
  v1::DeadlineSpec spec;
  spec.set_from("9999-12-31");
  spec.set_calendar_days(0);
  auto same = ResolveDeadline(spec, ctx_);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(*same, "9999-12-31");
  spec.set_calendar_days(1);
  auto past = ResolveDeadline(spec, ctx_);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), Code::kInvalidArgument);
  EXPECT_NE(past.status().message().find("after 9999-12-31"), std::string::npos)
      << past.status().message();
}

TEST_F(WorkflowTest, CreateRules) {
  v1::CreateItemRequest req;
  auto* i = req.mutable_item();
  i->set_title("问题");
  i->set_unit("办公室");
  i->set_owner("owner");
  i->set_leader("leader");
  i->set_verifier("verifier");
  i->set_deadline("2026-01-01");  // before today (2026-03-02)
  actor_ = MakeActor(Who::kLeader);
  ctx_.actor = &actor_;
  auto past = ApplyCreate(req, ctx_);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), Code::kFailedPrecondition);

  i->set_deadline("2026-12-31");
  auto ok = ApplyCreate(req, ctx_);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->state(), v1::STATE_DRAFT);
  EXPECT_EQ(ok->year(), 2026);
  EXPECT_EQ(ok->mode(), v1::MODE_BY_DEADLINE);

  // With principals configured, a stranger outside the unit may not register items.
  actor_ = MakeActor(Who::kStranger);
  ctx_.policy.open_mode = false;
  auto denied = ApplyCreate(req, ctx_);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Code::kPermissionDenied);
  actor_.units = {"办公室"};
  EXPECT_TRUE(ApplyCreate(req, ctx_).ok());
}

TEST_F(WorkflowTest, UpdatePermissionsAndDeadlineRule) {
  v1::UpdateItemRequest req;
  req.set_id("2026-000001");
  req.mutable_item()->set_title("新标题");
  req.mutable_update_mask()->add_paths("title");
  actor_ = MakeActor(Who::kOwner);
  ctx_.actor = &actor_;
  auto r = ApplyUpdate(ItemIn(v1::STATE_IN_PROGRESS), req, ctx_);
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
  actor_ = MakeActor(Who::kLeader);
  r = ApplyUpdate(ItemIn(v1::STATE_IN_PROGRESS), req, ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title(), "新标题");

  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("deadline");
  req.mutable_item()->set_deadline("2026-12-31");
  r = ApplyUpdate(ItemIn(v1::STATE_IN_PROGRESS), req, ctx_);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  r = ApplyUpdate(ItemIn(v1::STATE_DRAFT), req, ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deadline(), "2026-12-31");
  r = ApplyUpdate(ItemIn(v1::STATE_CLOSED), req, ctx_);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
}

TEST_F(WorkflowTest, ProgressMarksMeasuresAndRefusesBadIndex) {
  v1::AddProgressRequest req;
  req.set_id("2026-000001");
  req.set_note("完成第一项");
  req.add_measures_done(0);
  actor_ = MakeActor(Who::kOwner);
  ctx_.actor = &actor_;
  auto r = ApplyProgress(ItemIn(v1::STATE_IN_PROGRESS), req, ctx_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->measures(0).done());
  EXPECT_EQ(r->progress_size(), 1);
  EXPECT_TRUE(r->has_last_progress_at());
  req.add_measures_done(3);
  r = ApplyProgress(ItemIn(v1::STATE_IN_PROGRESS), req, ctx_);
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  actor_ = MakeActor(Who::kVerifier);
  r = ApplyProgress(ItemIn(v1::STATE_IN_PROGRESS), req, ctx_);
  EXPECT_EQ(r.status().code(), Code::kPermissionDenied);
}

}  // namespace
}  // namespace rectify::domain
