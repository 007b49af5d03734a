// Writes the serialized-request seeds of the request and watch_filter fuzz targets, in the input
// layouts their headers describe, into <dir>/request/ and <dir>/watch_filter/:
//
//   build/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
//
// Real-looking requests (the CLI's), one per kind of call and workflow action, so the fuzzer
// starts past the parser. Re-running it rewrites the same files.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "rectify/v1/rectify.pb.h"

namespace {

using namespace rectify;
namespace fs = std::filesystem;

enum Kind : uint8_t { kCreate = 0, kUpdate = 1, kTransition = 2, kProgress = 3, kList = 4 };
// State index in the request target's table: DRAFT=0 .. CANCELLED=7.
enum StateIdx : uint8_t { kDraft, kAssigned, kInProgress, kSubmitted, kEndorsed, kClosed,
                          kLongTerm, kCancelled };
enum ActorIdx : uint8_t { kOwner, kLeader, kVerifier, kSupervisor, kStranger };

fs::path g_dir;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(g_dir / target);
  std::ofstream(g_dir / target / name, std::ios::binary) << bytes;
}

void Request(const std::string& name, Kind kind, StateIdx state, ActorIdx actor, uint8_t flags,
             const google::protobuf::Message& m) {
  std::string bytes{static_cast<char>(kind), static_cast<char>(state), static_cast<char>(actor),
                    static_cast<char>(flags)};
  bytes += m.SerializeAsString();
  Write("request", name, bytes);
}

v1::Item NewItem() {
  v1::Item it;
  it.set_title("组织生活会会议记录不完整");
  it.set_description("2025年度组织生活会会议记录缺少参会人员签字，个别发言未记录。");
  it.set_year(2026);
  it.set_source(v1::SOURCE_ORGANIZATIONAL_LIFE_MEETING);
  it.set_source_ref("2025年度组织生活会");
  it.set_category(v1::CATEGORY_WORK_STYLE);
  it.set_mode(v1::MODE_BY_DEADLINE);
  it.set_unit("办公室");
  it.add_co_units("组织部");
  it.set_owner("张三");
  it.set_leader("李四");
  it.set_verifier("王五");
  auto* m = it.add_measures();
  m->set_text("补齐会议记录签字");
  m->set_due("2026-06-30");
  it.add_measures()->set_text("建立会议记录审核制度");
  return it;
}

v1::Evidence Evidence() {
  v1::Evidence e;
  e.set_name("会议记录签字页.pdf");
  e.set_uri("file:///srv/evidence/2026-000001/sign.pdf");
  e.set_sha256("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  e.set_size(48213);
  return e;
}

void RequestSeeds() {
  {
    v1::CreateItemRequest r;
    *r.mutable_item() = NewItem();
    r.mutable_deadline()->set_date("2026-07-31");
    r.set_request_id("cli-7f3a9c");
    Request("create_date", kCreate, kDraft, kSupervisor, 0, r);
    r.mutable_deadline()->set_working_days(15);
    Request("create_working_days", kCreate, kDraft, kLeader, 0, r);
    r.mutable_deadline()->set_calendar_days(30);
    r.mutable_deadline()->set_from("2026-06-01");
    Request("create_calendar_days_tight_refused", kCreate, kDraft, kOwner, 1, r);
    // Within the request target's tight limits (8-character titles, 4-character names, ...).
    v1::Item& small = *r.mutable_item();
    small.set_title("记录不全");
    small.set_description("缺少签字");
    small.set_source_ref("生活会");
    small.clear_measures();
    small.add_measures()->set_text("补齐签字");
    Request("create_calendar_days_tight", kCreate, kDraft, kOwner, 1, r);
    r.clear_deadline();
    r.mutable_item()->set_deadline("2026-12-31");
    Request("create_item_deadline_open_mode", kCreate, kDraft, kStranger, 4, r);
  }
  {
    v1::UpdateItemRequest r;
    r.set_id("2026-000001");
    r.mutable_item()->set_title("会议记录不全");
    r.mutable_update_mask()->add_paths("title");
    r.set_comment("标题更正");
    Request("update_title", kUpdate, kAssigned, kLeader, 0, r);
    r.mutable_item()->set_deadline("2026-09-30");
    r.mutable_update_mask()->add_paths("deadline");
    Request("update_deadline_draft", kUpdate, kDraft, kSupervisor, 0, r);
    v1::UpdateItemRequest m;
    m.set_id("2026-000001");
    *m.mutable_item()->mutable_measures() = NewItem().measures();
    m.mutable_update_mask()->add_paths("measures");
    m.mutable_update_mask()->add_paths("description");
    m.mutable_item()->set_description("补充说明");
    Request("update_measures_owner", kUpdate, kInProgress, kOwner, 0, m);
    v1::UpdateItemRequest p;
    p.set_id("2026-000001");
    p.mutable_item()->set_owner("赵六");
    p.mutable_item()->set_verifier("钱七");
    p.mutable_update_mask()->add_paths("owner");
    p.mutable_update_mask()->add_paths("verifier");
    p.set_expected_version(3);
    Request("update_people", kUpdate, kInProgress, kLeader, 0, p);
  }
  struct T {
    const char* name;
    v1::Action action;
    StateIdx state;
    ActorIdx actor;
    uint8_t flags;
  };
  const T transitions[] = {
      {"confirm", v1::ACTION_CONFIRM, kDraft, kLeader, 0},
      {"start", v1::ACTION_START, kAssigned, kOwner, 0},
      {"submit", v1::ACTION_SUBMIT, kInProgress, kOwner, 0},
      {"endorse", v1::ACTION_ENDORSE, kSubmitted, kLeader, 0},
      {"endorse_own_item", v1::ACTION_ENDORSE, kSubmitted, kOwner, 2},
      {"return", v1::ACTION_RETURN, kEndorsed, kVerifier, 0},
      {"close", v1::ACTION_CLOSE, kEndorsed, kVerifier, 0},
      {"close_overdue", v1::ACTION_CLOSE, kEndorsed, kVerifier, 16},
      {"keep_long_term", v1::ACTION_KEEP_LONG_TERM, kInProgress, kVerifier, 0},
      {"close_long_term", v1::ACTION_CLOSE_LONG_TERM, kLongTerm, kVerifier, 0},
      {"reopen", v1::ACTION_REOPEN, kClosed, kVerifier, 0},
      {"cancel", v1::ACTION_CANCEL, kAssigned, kSupervisor, 0},
      {"extend", v1::ACTION_EXTEND, kInProgress, kLeader, 0},
  };
  for (const T& t : transitions) {
    v1::TransitionRequest r;
    r.set_id("2026-000001");
    r.set_action(t.action);
    r.set_comment("同意。整改到位");
    r.set_request_id(std::string("cli-") + t.name);
    if (t.action == v1::ACTION_SUBMIT) {
      r.set_result("已补齐全部签字并建立审核制度");
      *r.add_evidence() = Evidence();
    }
    if (t.action == v1::ACTION_EXTEND) {
      r.mutable_new_deadline()->set_working_days(10);
      r.mutable_new_deadline()->set_from("2026-07-31");
    }
    Request(std::string("transition_") + t.name, kTransition, t.state, t.actor, t.flags, r);
  }
  {
    v1::TransitionRequest r;
    r.set_id("2026-000001");
    r.set_action(v1::ACTION_EXTEND);
    r.set_comment("需协调外部单位");
    r.mutable_new_deadline()->set_date("2026-09-30");
    Request("transition_extend_date", kTransition, kAssigned, kLeader, 0, r);
    r.mutable_new_deadline()->set_calendar_days(3650);
    r.mutable_new_deadline()->set_from("2030-01-01");
    Request("transition_extend_calendar_days", kTransition, kSubmitted, kLeader, 0, r);
  }
  {
    v1::AddProgressRequest r;
    r.set_id("2026-000001");
    r.set_note("已补齐6人签字，剩余2人出差，下周补签");
    r.add_measures_done(0);
    *r.add_evidence() = Evidence();
    Request("progress", kProgress, kInProgress, kOwner, 0, r);
    r.add_measures_done(1);
    Request("progress_two_measures_leader", kProgress, kAssigned, kLeader, 0, r);
  }
  {
    v1::ListItemsRequest r;
    r.add_states(v1::STATE_IN_PROGRESS);
    r.add_states(v1::STATE_SUBMITTED);
    r.set_unit("办公室");
    r.set_year(2026);
    r.set_deadline_from("2026-01-01");
    r.set_deadline_to("2026-12-31");
    r.set_page_size(50);
    r.set_order_by(v1::OrderBy(1));
    Request("list_filters", kList, kDraft, kOwner, 0, r);
    v1::ListItemsRequest all;
    Request("list_all", kList, kDraft, kOwner, 0, all);
  }
}

void Watch(const std::string& name, uint8_t flags, const v1::WatchRequest& req,
           const std::vector<v1::Event>& events) {
  std::string bytes{static_cast<char>(flags)};
  auto sized = [&](const std::string& s) {
    bytes.push_back(static_cast<char>(s.size() & 0xff));
    bytes.push_back(static_cast<char>((s.size() >> 8) & 0xff));
    bytes += s;
  };
  sized(req.SerializeAsString());
  for (const auto& e : events) sized(e.SerializeAsString());
  Write("watch_filter", name, bytes);
}

void WatchSeeds() {
  v1::Event created;
  created.set_revision(1);
  created.set_kind(v1::EventKind(1));
  created.set_item_id("2026-000001");
  created.set_actor("督查室");
  *created.mutable_item() = NewItem();
  created.mutable_item()->set_id("2026-000001");
  created.mutable_item()->set_state(v1::STATE_DRAFT);
  v1::Event moved = created;
  moved.set_revision(2);
  moved.set_kind(v1::EventKind(2));
  moved.set_prev_state(v1::STATE_DRAFT);
  moved.mutable_item()->set_state(v1::STATE_ASSIGNED);
  moved.set_action(v1::ACTION_CONFIRM);
  v1::Event other = moved;
  other.set_item_id("2026-000002");
  other.mutable_item()->set_unit("财务科");
  other.mutable_item()->clear_co_units();

  v1::WatchRequest all;
  Watch("all", 0, all, {created, moved, other});
  v1::WatchRequest ids;
  ids.add_item_ids("2026-000001");
  ids.set_start_revision(1);
  Watch("item_ids", 0, ids, {created, other});
  v1::WatchRequest units;
  units.add_units("组织部");
  units.add_units("纪检组");
  Watch("units_co_unit", 0, units, {moved, other});
  v1::WatchRequest states;
  states.add_states(v1::STATE_DRAFT);
  states.add_kinds(v1::EventKind(2));
  states.set_progress_notify(true);
  Watch("states_kinds", 0, states, {created, moved});
  v1::WatchRequest tight = units;
  tight.add_item_ids("2026-000002");
  Watch("tight_limits", 1, tight, {other});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  g_dir = argv[1];
  RequestSeeds();
  WatchSeeds();
  return 0;
}
