// Fuzz target: the request edge of the item RPCs. The bytes are a serialized request, parsed as
// rpc/unary_call.h parses it, shape-checked by the validation the handlers call
// (domain/validation.h), and when accepted applied by the workflow functions the engine's writer
// runs (domain/workflow.h) to an item in a fixed state: the proto -> domain step of every
// mutation. The domain works on the proto messages themselves, so that step is Apply*.
//
// Input layout: [kind] [state] [actor] [flags] [serialized request ...]
//   kind  % 5: CreateItem, UpdateItem, Transition, AddProgress, ListItems
//   state % 8: the current item's state (DRAFT .. CANCELLED) for update/transition/progress
//   actor % 5: owner, leader, verifier, a supervisor, a stranger
//   flags: 1 tight [limits], 2 the leader is the owner, 4 open mode, 8 closer may be endorser,
//          16 the current item is overdue
//
// Invariants (beyond "does not crash"):
//   - validation is monotone in the limits: accepted under tight limits => accepted by default;
//   - a request that validates round-trips through its wire form unchanged;
//   - every item an Apply* function returns re-validates as a create (lengths, required
//     fields, enums, a real YYYY-MM-DD deadline, owner != verifier), keeps its id, version and
//     creator, and never loses sign-offs, progress, evidence or extensions;
//   - a validated deadline spec resolves to a real date or is refused;
//   - create: a DRAFT created by the caller, deadline not before today;
//   - update: only the fields in the mask change, nothing output-only does;
//   - transition: only from a state the rule lists, to the rule's state; a close records when;
//     an extension moves the deadline later and bumps deadline_version; the owner never signs
//     as endorser or closer;
//   - progress: exactly one note more; done measures stay done.

#include <google/protobuf/util/message_differencer.h>

#include <set>

#include "domain/calendar.h"
#include "domain/dates.h"
#include "domain/validation.h"
#include "domain/workflow.h"
#include "fuzz_check.h"
#include "quiet_protobuf.h"

namespace {

using namespace rectify;
using google::protobuf::util::MessageDifferencer;

constexpr v1::State kStates[] = {v1::STATE_DRAFT,     v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS,
                                 v1::STATE_SUBMITTED, v1::STATE_ENDORSED, v1::STATE_CLOSED,
                                 v1::STATE_LONG_TERM, v1::STATE_CANCELLED};

const domain::Calendar& Cal() {
  static const domain::Calendar cal = domain::DefaultCalendar();
  return cal;
}

domain::Limits Tight() {
  domain::Limits l;
  l.title_max = 8;
  l.description_max = 32;
  l.name_max = 4;
  l.text_max = 16;
  l.ref_max = 16;
  l.request_id_max = 16;
  l.measures_max = 2;
  l.evidence_max = 2;
  l.co_units_max = 2;
  l.page_size_max = 10;
  l.filter_max = 4;
  return l;
}

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

// A valid item in `state`, small enough for the tight limits too.
v1::Item Fixture(v1::State state, uint8_t flags) {
  v1::Item it;
  it.set_id("2026-000001");
  it.set_title("会议记录不全");
  it.set_description("组织生活会记录缺签字");
  it.set_year(2026);
  it.set_source(v1::Source(1));
  it.set_category(v1::Category(1));
  it.set_mode(v1::Mode(1));
  it.set_unit("办公室");
  it.set_owner("张三");
  it.set_leader((flags & 2) ? "张三" : "李四");
  it.set_verifier("王五");
  auto* m = it.add_measures();
  m->set_text("补齐签字");
  m->set_due("2026-07-01");
  it.set_deadline((flags & 16) ? "2026-06-01" : "2026-07-31");
  it.set_state(state);
  it.set_version(3);
  it.set_revision(42);
  it.set_created_by("督查室");
  *it.mutable_created_at() = At(1767225600);  // 2026-01-01
  if (state != v1::STATE_DRAFT) *it.mutable_assigned_at() = At(1767312000);
  if (state >= v1::STATE_SUBMITTED && state != v1::STATE_CANCELLED) {
    it.set_result("已补齐");
    auto* e = it.add_evidence();
    e->set_name("签字页.pdf");
    e->set_sha256(std::string(64, 'a'));
  }
  if (state == v1::STATE_ENDORSED || state == v1::STATE_CLOSED) {
    auto* s = it.add_signoffs();
    s->set_role(v1::SIGN_OFF_ROLE_LEADER);
    s->set_person(it.leader());
    s->set_action(v1::ACTION_ENDORSE);
    s->set_opinion("同意");
  }
  if (state == v1::STATE_CLOSED) {
    it.set_closure("同意销号");
    *it.mutable_closed_at() = At(1767398400);
  }
  if (state == v1::STATE_LONG_TERM) it.set_follow_up_plan("每季度复查");
  if (state == v1::STATE_CANCELLED) it.set_cancel_reason("重复登记");
  return it;
}

domain::Actor PickActor(uint8_t b) {
  domain::Actor a;
  a.known = true;
  a.units = {"办公室"};
  switch (b % 5) {
    case 0: a.name = "张三"; break;
    case 1: a.name = "李四"; break;
    case 2: a.name = "王五"; break;
    case 3: a.name = "督查室"; a.supervisor = true; a.units.clear(); break;
    default: a.name = "路人"; a.units = {"财务科"}; break;
  }
  return a;
}

// The item re-validates as a create: every writable field within the limits.
void CheckRevalidates(const v1::Item& item, const domain::Limits& limits, const char* after) {
  v1::CreateItemRequest again;
  *again.mutable_item() = item;
  Status st = domain::ValidateCreate(again, limits);
  FUZZ_CHECK(st.ok(), std::string("the item after ") + after +
                          " does not re-validate: " + st.message() + "\n" + item.DebugString());
}

// Output-only history never shrinks and identity never changes.
void CheckKept(const v1::Item& before, const v1::Item& after, const char* what) {
  std::string w = std::string(" (") + what + ")";
  FUZZ_CHECK(after.id() == before.id(), "id changed" + w);
  FUZZ_CHECK(after.version() == before.version(), "version changed by the domain" + w);
  FUZZ_CHECK(after.created_by() == before.created_by(), "created_by changed" + w);
  FUZZ_CHECK(after.signoffs_size() >= before.signoffs_size(), "sign-offs lost" + w);
  FUZZ_CHECK(after.progress_size() >= before.progress_size(), "progress lost" + w);
  FUZZ_CHECK(after.evidence_size() >= before.evidence_size(), "evidence lost" + w);
  FUZZ_CHECK(after.extensions_size() >= before.extensions_size(), "extensions lost" + w);
  for (int i = 0; i < before.signoffs_size(); ++i) {
    FUZZ_CHECK(MessageDifferencer::Equals(before.signoffs(i), after.signoffs(i)),
               "an earlier sign-off was rewritten" + w);
  }
}

// A validated deadline spec resolves to a real YYYY-MM-DD date, or is refused; never to text
// that only looks like a date (what Apply* then compares as a string and would store).
void CheckResolves(const v1::DeadlineSpec& spec, const domain::Context& ctx) {
  auto r = domain::ResolveDeadline(spec, ctx);
  fuzz::Note(r.ok() ? "deadline resolves to " + *r : "deadline refused: " + r.status().message());
  if (r.ok()) {
    FUZZ_CHECK(domain::IsDate(*r), "ResolveDeadline gave \"" + *r + "\", not a date, for " +
                                       spec.ShortDebugString());
  }
}

template <typename Req>
bool ParseAndValidate(std::string_view bytes, Req& req, const domain::Limits& limits,
                      Status (*validate)(const Req&, const domain::Limits&)) {
  if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fuzz::Note("not a " + Req::descriptor()->name());
    return false;
  }
  Status st = validate(req, limits);
  fuzz::Note(Req::descriptor()->name() + (st.ok() ? " valid" : " refused: " + st.message()));
  if (st.ok()) {
    // Monotone in the limits: the defaults are at least as generous as any tighter set.
    Status by_default = validate(req, domain::Limits{});
    FUZZ_CHECK(by_default.ok(), "accepted under tighter limits, refused by default: " +
                                    by_default.message());
    std::string wire;
    FUZZ_CHECK(req.SerializeToString(&wire), "an accepted request does not serialize");
    Req back;
    FUZZ_CHECK(back.ParseFromString(wire), "an accepted request does not parse back");
    FUZZ_CHECK(MessageDifferencer::Equals(req, back), "wire round trip changed the request");
  } else {
    FUZZ_CHECK(st.code() == Code::kInvalidArgument,
               "a shape check failed with a code other than INVALID_ARGUMENT: " + st.message());
    FUZZ_CHECK(!st.message().empty(), "a refusal without a message");
  }
  return st.ok();
}

void FuzzCreate(std::string_view bytes, const domain::Limits& limits, const domain::Context& ctx) {
  v1::CreateItemRequest req;
  if (!ParseAndValidate(bytes, req, limits, &domain::ValidateCreate)) return;
  if (req.has_deadline()) CheckResolves(req.deadline(), ctx);
  auto r = domain::ApplyCreate(req, ctx);
  fuzz::Note(r.ok() ? "applied" : "not applied: " + r.status().message());
  if (!r.ok()) return;
  const v1::Item& item = *r;
  CheckRevalidates(item, limits, "create");
  FUZZ_CHECK(item.state() == v1::STATE_DRAFT, "a new item is not a DRAFT");
  FUZZ_CHECK(item.created_by() == ctx.actor->name, "created_by is not the caller");
  FUZZ_CHECK(item.id().empty() && item.version() == 0 && item.revision() == 0,
             "create copied an output-only field from the request");
  FUZZ_CHECK(item.deadline().empty() || item.deadline() >= domain::FormatDate(ctx.today),
             "a new item's deadline " + item.deadline() + " is before today");
}

void FuzzUpdate(std::string_view bytes, const domain::Limits& limits, const v1::Item& current,
                const domain::Context& ctx) {
  v1::UpdateItemRequest req;
  if (!ParseAndValidate(bytes, req, limits, &domain::ValidateUpdate)) return;
  auto r = domain::ApplyUpdate(current, req, ctx);
  fuzz::Note(r.ok() ? "applied" : "not applied: " + r.status().message());
  if (!r.ok()) return;
  const v1::Item& item = *r;
  CheckRevalidates(item, limits, "update");
  CheckKept(current, item, "update");
  // Outside the mask nothing moves: clear the masked fields on both sides and compare the rest.
  v1::Item a = current, b = item;
  std::set<std::string> mask(req.update_mask().paths().begin(), req.update_mask().paths().end());
  for (const auto& p : mask) {
    const auto* f = v1::Item::descriptor()->FindFieldByName(p);
    FUZZ_CHECK(f != nullptr, "a validated mask path is not an Item field: " + p);
    a.GetReflection()->ClearField(&a, f);
    b.GetReflection()->ClearField(&b, f);
  }
  // measures keep their done flags by position, which the mask path covers.
  FUZZ_CHECK(MessageDifferencer::Equals(a, b),
             "update changed a field outside its mask\nbefore: " + current.DebugString() +
                 "\nafter: " + item.DebugString());
}

void FuzzTransition(std::string_view bytes, const domain::Limits& limits,
                    const v1::Item& current, const domain::Context& ctx) {
  v1::TransitionRequest req;
  if (!ParseAndValidate(bytes, req, limits, &domain::ValidateTransition)) return;
  if (req.has_new_deadline()) CheckResolves(req.new_deadline(), ctx);
  auto r = domain::ApplyTransition(current, req, ctx);
  fuzz::Note(r.ok() ? "applied" : "not applied: " + r.status().message());
  if (!r.ok()) return;
  const v1::Item& item = *r;
  const domain::TransitionRule* rule = domain::FindRule(req.action());
  FUZZ_CHECK(rule != nullptr, "an applied action has no rule");
  FUZZ_CHECK(std::find(rule->from.begin(), rule->from.end(), current.state()) != rule->from.end(),
             "an action was applied from a state its rule does not list");
  const v1::State want = rule->to == v1::STATE_UNSPECIFIED ? current.state() : rule->to;
  FUZZ_CHECK(item.state() == want, "the state after is not the rule's");
  CheckRevalidates(item, limits, "a transition");
  CheckKept(current, item, "transition");
  if (item.state() == v1::STATE_CLOSED) {
    FUZZ_CHECK(item.has_closed_at(), "closed without closed_at");
  }
  if (req.action() == v1::ACTION_EXTEND) {
    FUZZ_CHECK(item.deadline() > current.deadline(), "an extension did not move the deadline on");
    FUZZ_CHECK(item.deadline_version() == current.deadline_version() + 1,
               "an extension did not bump deadline_version");
    FUZZ_CHECK(domain::IsDate(item.deadline()), "an extension's deadline is not a date: " +
                                                    item.deadline());
  }
  for (int i = current.signoffs_size(); i < item.signoffs_size(); ++i) {
    const auto& s = item.signoffs(i);
    if (s.action() == v1::ACTION_ENDORSE || s.action() == v1::ACTION_CLOSE ||
        s.action() == v1::ACTION_CLOSE_LONG_TERM) {
      FUZZ_CHECK(s.person() != item.owner(), "the owner signed off their own item");
    }
  }
}

void FuzzProgress(std::string_view bytes, const domain::Limits& limits, const v1::Item& current,
                  const domain::Context& ctx) {
  v1::AddProgressRequest req;
  if (!ParseAndValidate(bytes, req, limits, &domain::ValidateProgress)) return;
  auto r = domain::ApplyProgress(current, req, ctx);
  fuzz::Note(r.ok() ? "applied" : "not applied: " + r.status().message());
  if (!r.ok()) return;
  const v1::Item& item = *r;
  CheckRevalidates(item, limits, "progress");
  CheckKept(current, item, "progress");
  FUZZ_CHECK(item.progress_size() == current.progress_size() + 1, "not exactly one note more");
  FUZZ_CHECK(item.measures_size() == current.measures_size(), "progress changed the measures");
  for (int i = 0; i < current.measures_size(); ++i) {
    FUZZ_CHECK(!current.measures(i).done() || item.measures(i).done(), "a done measure undone");
  }
  FUZZ_CHECK(item.state() == current.state(), "progress changed the state");
}

void FuzzList(std::string_view bytes, const domain::Limits& limits) {
  v1::ListItemsRequest req;
  if (!ParseAndValidate(bytes, req, limits, &domain::ValidateList)) return;
  FUZZ_CHECK(req.deadline_from().empty() || req.deadline_to().empty() ||
                 req.deadline_from() <= req.deadline_to(),
             "an accepted list request has an empty due range");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  const uint8_t kind = in.Byte(), state = in.Byte(), actor_sel = in.Byte(), flags = in.Byte();
  const std::string_view bytes = in.Rest();

  const domain::Limits limits = (flags & 1) ? Tight() : domain::Limits{};
  const domain::Actor actor = PickActor(actor_sel);
  domain::Context ctx;
  ctx.actor = &actor;
  ctx.today = date::year_month_day{date::year{2026}, date::month{6}, date::day{15}};
  ctx.now = date::sys_days(ctx.today) + std::chrono::hours(2);  // 10:00 in Asia/Shanghai
  ctx.calendar = &Cal();
  ctx.policy.open_mode = (flags & 4) != 0;
  ctx.policy.closer_not_endorser = (flags & 8) == 0;
  const v1::Item current = Fixture(kStates[state % 8], flags);

  switch (kind % 5) {
    case 0: FuzzCreate(bytes, limits, ctx); break;
    case 1: FuzzUpdate(bytes, limits, current, ctx); break;
    case 2: FuzzTransition(bytes, limits, current, ctx); break;
    case 3: FuzzProgress(bytes, limits, current, ctx); break;
    default: FuzzList(bytes, limits); break;
  }
  return 0;
}
