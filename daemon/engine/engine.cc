#include "engine/engine.h"

#include <cerrno>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/time_util.h>

#include "common/failpoint.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "domain/audit.h"
#include "domain/dates.h"
#include "domain/validation.h"
#include "engine/audit.h"
#include "engine/group.h"
#include "engine/page_token.h"
#include "version.h"

namespace rectify::engine {
namespace {

enum class Kind { kCreate, kUpdate, kTransition, kProgress, kRun, kDelivery };


// A stable fingerprint of a request without its request_id, so a retry can be told from a
// different request that reuses the id. FNV-1a over deterministic serialization.
uint64_t Fingerprint(Kind kind, const google::protobuf::Message& req) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream sos(&bytes);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    req.SerializeToCodedStream(&cos);
  }
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(kind);
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

template <typename Req>
Req WithoutRequestId(const Req& req) {
  Req copy = req;
  copy.clear_request_id();
  return copy;
}

}  // namespace

struct Engine::Mutation {
  Kind kind;
  domain::Actor actor;
  v1::CreateItemRequest create;
  v1::UpdateItemRequest update;
  v1::TransitionRequest transition;
  v1::AddProgressRequest progress;
  DeliveryUpdate delivery;
  Done done;
  RunDone run_done;
  StatusDone status_done;

  // Refuses the mutation without applying it (overload, shutdown).
  void Refuse(const Status& st) {
    if (done) done(st);
    if (run_done) run_done(st);
    if (status_done) status_done(st);
  }

  const std::string& request_id() const {
    switch (kind) {
      case Kind::kCreate: return create.request_id();
      case Kind::kUpdate: return update.request_id();
      case Kind::kTransition: return transition.request_id();
      case Kind::kProgress: return progress.request_id();
      case Kind::kRun:
      case Kind::kDelivery: break;  // not item mutations: no request id, never asked
    }
    return create.request_id();
  }
  const std::string& item_id() const {
    switch (kind) {
      case Kind::kUpdate: return update.id();
      case Kind::kTransition: return transition.id();
      case Kind::kProgress: return progress.id();
      default: return create.request_id();  // unused for create
    }
  }
  uint64_t expected_version() const {
    switch (kind) {
      case Kind::kUpdate: return update.expected_version();
      case Kind::kTransition: return transition.expected_version();
      case Kind::kProgress: return progress.expected_version();
      default: return 0;
    }
  }
  uint64_t fingerprint() const {
    switch (kind) {
      case Kind::kCreate: return Fingerprint(kind, WithoutRequestId(create));
      case Kind::kUpdate: return Fingerprint(kind, WithoutRequestId(update));
      case Kind::kTransition: return Fingerprint(kind, WithoutRequestId(transition));
      case Kind::kProgress: return Fingerprint(kind, WithoutRequestId(progress));
      case Kind::kRun:
      case Kind::kDelivery: break;  // not item mutations: never replayed
    }
    return 0;
  }
};

Engine::Engine(store::Store& store, const Clock& clock, const date::time_zone* zone,
               domain::Calendar calendar, EngineOptions options)
    : store_(store), clock_(clock), zone_(zone), options_(options) {
  settings_ = std::make_shared<const Settings>(
      Settings{options_.policy, options_.reminder_rules, options_.route,
               std::make_shared<const domain::Calendar>(std::move(calendar)), options_.limits});
}

std::shared_ptr<const Settings> Engine::settings() const {
  std::lock_guard lock(settings_mu_);
  return settings_;
}

void Engine::Reconfigure(Settings settings) {
  auto next = std::make_shared<const Settings>(std::move(settings));
  std::lock_guard lock(settings_mu_);
  settings_ = std::move(next);
}

Engine::~Engine() { Stop(); }

Status Engine::Start() {
  auto view = store_.View();
  revision_ = view->revision();
  ASSIGN_OR_RETURN(counts_, view->GetCounts());
  ASSIGN_OR_RETURN(outbox_seq_, view->OutboxSeq());
  ASSIGN_OR_RETURN(ChainHead head, ReadChainHead(*view));
  head_hash_ = head.hash;
  committed_revision_ = revision_;
  started_at_ = clock_.Now();
  completer_ = std::thread([this] {
    SetThreadName("rfy-completer");
    CompleterLoop();
  });
  writer_ = std::thread([this] {
    SetThreadName("rfy-writer");
    WriterLoop();
  });
  Logger("engine")->info("engine started revision={} sync={} audit_head={}", revision_,
                         options_.sync, domain::Hex(head_hash_));
  return Status::Ok();
}

void Engine::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  {
    std::lock_guard lock(done_mu_);
    done_stopping_ = true;
  }
  done_cv_.notify_all();
  if (completer_.joinable()) completer_.join();
}

void Engine::CompleterLoop() {
  while (true) {
    std::pair<Completions, Status> group;
    {
      std::unique_lock lock(done_mu_);
      done_cv_.wait(lock, [this] { return done_stopping_ || !done_queue_.empty(); });
      if (done_queue_.empty()) return;  // stopping, and every caller is answered
      group = std::move(done_queue_.front());
      done_queue_.pop_front();
    }
    for (auto& c : group.first) c(group.second);
  }
}

void Engine::AddListener(Listener listener) { listeners_.push_back(std::move(listener)); }

void Engine::AddScheduleListener(ScheduleListener listener) {
  schedule_listeners_.push_back(std::move(listener));
}

void Engine::Submit(std::unique_ptr<Mutation> m) {
  Status refused;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      refused = Unavailable("rectifyd is shutting down; retry against the restarted daemon");
    } else if (queue_.size() >= options_.max_pending) {
      refused = ResourceExhausted("commit queue is full (" + std::to_string(queue_.size()) +
                                  " mutations waiting); retry with backoff");
    } else {
      queue_.push_back(std::move(m));
    }
  }
  if (!refused.ok()) {
    m->Refuse(refused);
    return;
  }
  cv_.notify_one();
}

namespace {
// A queued item mutation: who, which request, whom to answer.
template <typename Req>
std::unique_ptr<Engine::Mutation> ItemMutation(Kind kind, domain::Actor actor, Req req,
                                               Req Engine::Mutation::*slot, Done done) {
  auto m = std::make_unique<Engine::Mutation>();
  m->kind = kind;
  m->actor = std::move(actor);
  (*m).*slot = std::move(req);
  m->done = std::move(done);
  return m;
}
}  // namespace

void Engine::SubmitCreate(domain::Actor actor, v1::CreateItemRequest req, Done done) {
  Submit(ItemMutation(Kind::kCreate, std::move(actor), std::move(req), &Mutation::create,
                      std::move(done)));
}

void Engine::SubmitUpdate(domain::Actor actor, v1::UpdateItemRequest req, Done done) {
  Submit(ItemMutation(Kind::kUpdate, std::move(actor), std::move(req), &Mutation::update,
                      std::move(done)));
}

void Engine::SubmitTransition(domain::Actor actor, v1::TransitionRequest req, Done done) {
  Submit(ItemMutation(Kind::kTransition, std::move(actor), std::move(req), &Mutation::transition,
                      std::move(done)));
}

void Engine::SubmitProgress(domain::Actor actor, v1::AddProgressRequest req, Done done) {
  Submit(ItemMutation(Kind::kProgress, std::move(actor), std::move(req), &Mutation::progress,
                      std::move(done)));
}

void Engine::SubmitRun(std::string actor, RunDone done) {
  auto m = std::make_unique<Mutation>();
  m->kind = Kind::kRun;
  m->actor.name = std::move(actor);
  m->run_done = std::move(done);
  Submit(std::move(m));
}

void Engine::SubmitDeliveryUpdate(DeliveryUpdate update, StatusDone done) {
  auto m = std::make_unique<Mutation>();
  m->kind = Kind::kDelivery;
  m->delivery = std::move(update);
  m->status_done = std::move(done);
  Submit(std::move(m));
}

void Engine::WriterLoop() {
  while (true) {
    std::vector<std::unique_ptr<Mutation>> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      while (!queue_.empty() && batch.size() < options_.max_group) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(std::move(batch));
  }
}

void Engine::CommitGroup(std::vector<std::unique_ptr<Mutation>> batch) {
  Group g;
  g.view = store_.View();
  g.writes = spare_writes_ ? std::move(spare_writes_) : store_.NewWriteSet();
  g.counts = counts_;
  g.seqs = seqs_;
  g.outbox_seq = outbox_seq_;
  g.revision = revision_;
  g.head_hash = head_hash_;
  g.now = clock_.Now();
  g.now_us = std::chrono::duration_cast<std::chrono::microseconds>(g.now.time_since_epoch()).count();
  g.ctx.now = g.now;
  g.ctx.today = domain::LocalDate(g.now, zone_);
  g.settings = settings();
  g.ctx.calendar = g.settings->calendar.get();
  g.ctx.policy = g.settings->policy;
  const auto today = g.ctx.today;

  // Apply every mutation against the state the earlier ones of the group left; each leaves a
  // completion that answers its caller once the group's fate is known.
  Completions completions;
  completions.reserve(batch.size());
  for (auto& m : batch) {
    g.ctx.actor = &m->actor;
    switch (m->kind) {
      case Kind::kRun: {
        auto r = std::make_shared<Result<v1::RunRemindersResponse>>(
            ApplyRun(g, m->actor.name, /*write=*/true));
        completions.push_back([r, done = std::move(m->run_done)](const Status& commit) {
          if (r->ok() && !commit.ok()) *r = commit;
          done(std::move(*r));
        });
        break;
      }
      case Kind::kDelivery: {
        Status st = ApplyDeliveryUpdate(g, m->delivery);
        completions.push_back([st, done = std::move(m->status_done)](const Status& commit) {
          done(st.ok() ? commit : st);
        });
        break;
      }
      default: {
        auto r = std::make_shared<Result<v1::Item>>(Apply(*m, g));
        completions.push_back([this, r, today, done = std::move(m->done)](const Status& commit) {
          if (r->ok() && !commit.ok()) *r = commit;
          if (r->ok()) Decorate(r->value(), today);
          done(std::move(*r));
        });
        break;
      }
    }
  }

  Status commit = Status::Ok();
  if (g.writes->count() > 0) {
    if (!g.events.empty()) g.writes->PutRevision(g.revision);
    for (const auto& [state, n] : g.counts) {
      if (counts_[state] != n) g.writes->PutCount(state, n);
    }
    for (const auto& [year, serial] : g.seqs) {
      auto it = seqs_.find(year);
      if (it == seqs_.end() || it->second != serial) g.writes->PutSeq(year, serial);
    }
    if (g.outbox_seq != outbox_seq_) g.writes->PutOutboxSeq(g.outbox_seq);
    // The earliest due-index entry this group writes lowers the floor before the batch is
    // visible (see due_floor_); if the write fails, a low floor only costs a longer scan. Once
    // written, it is also the scheduler's hint.
    int64_t lowest_due = INT64_MAX;
    for (const auto& [id, sch] : g.schedules) {
      if (sch.next_us != 0) lowest_due = std::min(lowest_due, sch.next_us);
    }
    if (lowest_due < due_floor_.load()) due_floor_.store(lowest_due);
    const auto write_started = std::chrono::steady_clock::now();
    commit = RECTIFY_FAILPOINT("engine.before_write");
    if (commit.ok()) commit = store_.Commit(*g.writes, options_.sync);
    // Durable, nobody answered: a crash here must leave the group whole on restart.
    if (commit.ok()) RECTIFY_FAILPOINT("engine.after_write").IgnoreError();
    const double write_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - write_started).count();
    if (!commit.ok() && options_.on_commit_failed) options_.on_commit_failed();
    if (commit.ok() && options_.on_group_commit) {
      options_.on_group_commit(batch.size(), write_seconds);
    }
    if (!commit.ok()) {
      // Nothing of the group was written: every mutation that would have been is refused.
      Logger("engine")->error("group commit failed mutations={} error={}", batch.size(),
                              commit.ToString());
    } else {
      revision_ = g.revision;
      counts_ = std::move(g.counts);
      seqs_ = std::move(g.seqs);
      outbox_seq_ = g.outbox_seq;
      head_hash_ = g.head_hash;
      committed_revision_ = revision_;
      if (g.due_floor_after) due_floor_.store(std::min(*g.due_floor_after, lowest_due));
      {
        std::lock_guard lock(stats_mu_);
        stats_.commits++;
        stats_.mutations += batch.size();
        stats_.max_group = std::max<uint64_t>(stats_.max_group, batch.size());
      }
      auto log = Logger("engine");
      for (const auto& e : g.events) {
        // A reminder run sums its reminders up in one line of its own; a line each would be
        // 10,000 lines for a large morning run (4% of its writer time). Escalations keep theirs:
        // somebody is now being supervised. The history and the audit chain keep every event.
        const auto level =
            e.kind() == v1::EVENT_KIND_REMINDER ? spdlog::level::debug : spdlog::level::info;
        log->log(level, "committed revision={} item={} kind={} actor={} from={} to={}",
                 e.revision(), e.item_id(), v1::EventKind_Name(e.kind()), e.actor(),
                 domain::StateName(e.prev_state()), domain::StateName(e.item().state()));
      }
      if (!listeners_.empty() && !g.events.empty()) {
        const EventGroup events =
            std::make_shared<const std::vector<v1::Event>>(std::move(g.events));
        for (auto& l : listeners_) l(events);
      }
      ScheduleHint hint;
      if (lowest_due != INT64_MAX) hint.due_us = lowest_due;
      for (const auto& [id, d] : g.deliveries) {
        if (d.state() != v1::DELIVERY_STATE_PENDING) continue;
        const int64_t at = MicrosOf(d.next_attempt_at());
        if (!hint.delivery_us || at < *hint.delivery_us) hint.delivery_us = at;
      }
      if (hint.due_us || hint.delivery_us) {
        for (auto& l : schedule_listeners_) l(hint);
      }
    }
  }
  {
    std::lock_guard lock(done_mu_);
    done_queue_.emplace_back(std::move(completions), commit);
  }
  done_cv_.notify_one();
  if (g.writes->size_bytes() <= kMaxSpareWriteBytes) {
    g.writes->Clear();
    spare_writes_ = std::move(g.writes);
  }
}

v1::Event& Engine::CommitItem(Group& g, v1::Item&& item, const v1::Item* current,
                              v1::EventKind kind, v1::Action action, const std::string& comment,
                              const std::string& actor, const std::string& request_id) {
  const uint64_t revision = ++g.revision;
  item.set_version(current ? current->version() + 1 : 1);
  item.set_revision(revision);
  *item.mutable_updated_at() = ToProto(g.now);
  item.clear_light();
  item.clear_overdue();
  item.clear_next_reminder_at();

  const v1::State before = current ? current->state() : v1::STATE_UNSPECIFIED;
  if (before != item.state()) {
    if (current) g.counts[before]--;
    g.counts[item.state()]++;
  }

  v1::Event event;
  event.set_revision(revision);
  event.set_kind(kind);
  event.set_item_id(item.id());
  event.set_actor(actor);
  *event.mutable_time() = ToProto(g.now);
  event.set_prev_state(before);
  event.set_action(action);
  event.set_comment(comment);
  event.set_request_id(request_id);
  *event.mutable_item() = std::move(item);

  g.writes->PutItem(event.item(), current);
  g.items[event.item_id()] = g.events.size();
  g.events.push_back(std::move(event));
  return g.events.back();
}

void Engine::WriteEvent(Group& g, v1::Event& event) {
  const std::string bytes = domain::SealEvent(g.head_hash, event);
  g.head_hash = event.hash();
  g.writes->PutEvent(event, bytes);
}

Result<v1::Item> Engine::Apply(Mutation& m, Group& g) {
  const std::string& actor = m.actor.name;
  const std::string& rid = m.request_id();
  const uint64_t fp = rid.empty() ? 0 : m.fingerprint();
  if (!rid.empty()) {
    const std::string key = actor + '\0' + rid;
    std::optional<store::IdemRecord> rec;
    if (auto it = g.idem.find(key); it != g.idem.end()) {
      rec = it->second;
    } else {
      ASSIGN_OR_RETURN(rec, g.view->GetIdem(actor, rid));
    }
    if (rec) {
      if (rec->fingerprint != fp) {
        return AlreadyExists("request_id \"" + rid + "\" was already used by " + actor +
                             " for a different request (at revision " +
                             std::to_string(rec->revision) + ")");
      }
      return rec->item;  // a retry: the first answer, nothing changes
    }
  }

  // The current item, as this group sees it.
  std::optional<v1::Item> current;
  if (m.kind != Kind::kCreate) {
    const std::string& id = m.item_id();
    if (const v1::Item* written = g.Written(id)) {
      current = *written;
    } else {
      ASSIGN_OR_RETURN(current, g.view->GetItem(id));
    }
    if (!current || !domain::CanSee(*current, m.actor, g.settings->policy)) {
      return domain::NotVisible(id);
    }
    const uint64_t expected = m.expected_version();
    if (expected != 0 && expected != current->version()) {
      return Aborted("item " + id + " is at version " + std::to_string(current->version()) +
                     ", not " + std::to_string(expected) + "; re-read it and retry");
    }
  }

  v1::Item item;
  v1::EventKind kind = v1::EVENT_KIND_UNSPECIFIED;
  v1::Action action = v1::ACTION_UNSPECIFIED;
  std::string comment;
  switch (m.kind) {
    case Kind::kCreate: {
      ASSIGN_OR_RETURN(item, domain::ApplyCreate(m.create, g.ctx));
      if (!g.seqs.count(item.year())) {
        ASSIGN_OR_RETURN(uint64_t last, g.view->GetSeq(item.year()));
        g.seqs[item.year()] = last;
      }
      item.set_id(domain::FormatItemId(item.year(), ++g.seqs[item.year()]));
      *item.mutable_created_at() = ToProto(g.now);
      kind = v1::EVENT_KIND_CREATED;
      break;
    }
    case Kind::kUpdate: {
      ASSIGN_OR_RETURN(item, domain::ApplyUpdate(*current, m.update, g.ctx));
      kind = v1::EVENT_KIND_UPDATED;
      comment = m.update.comment();
      break;
    }
    case Kind::kTransition: {
      ASSIGN_OR_RETURN(item, domain::ApplyTransition(*current, m.transition, g.ctx));
      action = m.transition.action();
      kind = action == v1::ACTION_EXTEND ? v1::EVENT_KIND_EXTENDED : v1::EVENT_KIND_TRANSITIONED;
      comment = m.transition.comment();
      break;
    }
    case Kind::kProgress: {
      ASSIGN_OR_RETURN(item, domain::ApplyProgress(*current, m.progress, g.ctx));
      kind = v1::EVENT_KIND_PROGRESS_ADDED;
      comment = m.progress.note();
      break;
    }
    case Kind::kRun:
    case Kind::kDelivery:
      return Internal("a reminder run or delivery update reached the item path");
  }

  // The reminder schedule follows every change in the same batch: a deadline moved, a state
  // that makes reminders moot, an item newly confirmed. (Read before anything is written: a
  // mutation that fails must leave nothing in the group's batch.)
  std::optional<store::Schedule> old;
  if (auto it = g.schedules.find(item.id()); it != g.schedules.end()) {
    old = it->second;
  } else if (current) {
    ASSIGN_OR_RETURN(old, g.view->GetSchedule(item.id()));
  }
  v1::Event& event = CommitItem(g, std::move(item), current ? &*current : nullptr, kind, action,
                                comment, actor, rid);
  WriteEvent(g, event);
  const v1::Item& stored = event.item();
  store::Schedule sch;
  sch.since_us = old ? old->since_us : g.now_us;
  sch.next_us = NextFire(stored, sch.since_us, g.now_us);
  g.writes->PutSchedule(stored.id(), old ? &*old : nullptr, sch);
  g.schedules[stored.id()] = sch;
  if (!rid.empty()) {
    store::IdemRecord rec{fp, event.revision(), stored};
    g.writes->PutIdem(actor, rid, rec);
    g.idem[actor + '\0' + rid] = std::move(rec);
  }
  return stored;
}

date::year_month_day Engine::Today() const { return domain::LocalDate(clock_.Now(), zone_); }

void Engine::Decorate(v1::Item& item, const date::year_month_day& today) const {
  item.set_overdue(domain::IsOverdue(item, today));
  item.set_light(LightOf(item, today));
}

v1::Light Engine::LightOf(const v1::Item& item, const date::year_month_day& today) const {
  auto light = domain::ComputeLight(item, today, zone_, *settings()->calendar,
                                    options_.light_rules);
  if (light.ok()) return *light;
  // A year missing from the calendar must not hide the item: fall back to what needs no
  // working-day arithmetic.
  return domain::IsOverdue(item, today) ? v1::LIGHT_RED
         : domain::IsOpen(item.state()) ? v1::LIGHT_GREEN
                                        : v1::LIGHT_UNSPECIFIED;
}

Result<Engine::LightCensus> Engine::CountLights(const std::atomic<bool>* cancel) {
  auto view = store_.View();
  const auto today = Today();
  LightCensus census;
  census.revision = view->revision();
  census.today = today;
  for (auto l : {v1::LIGHT_GREEN, v1::LIGHT_BLUE, v1::LIGHT_YELLOW, v1::LIGHT_RED}) {
    census.counts[l] = 0;
  }
  store::ListQuery q;
  q.states = {v1::STATE_DRAFT,     v1::STATE_ASSIGNED, v1::STATE_IN_PROGRESS,
              v1::STATE_SUBMITTED, v1::STATE_ENDORSED, v1::STATE_LONG_TERM};
  q.limit = 500;
  // Count in the predicate and keep nothing: the pages stay empty and only the cursor moves.
  q.predicate = [&](const v1::Item& item) {
    const v1::Light light = LightOf(item, today);
    if (light != v1::LIGHT_UNSPECIFIED) census.counts[light]++;
    return false;
  };
  do {
    if (cancel != nullptr && cancel->load()) return Aborted("light census cancelled");
    ASSIGN_OR_RETURN(auto page, view->List(q));
    q.cursor = std::move(page.next_cursor);
  } while (!q.cursor.empty());
  return census;
}

Result<v1::Item> Engine::GetItem(const domain::Actor& actor, const std::string& id) {
  auto view = store_.View();
  ASSIGN_OR_RETURN(auto item, view->GetItem(id));
  if (!item || !domain::CanSee(*item, actor, settings()->policy)) return domain::NotVisible(id);
  Decorate(*item, Today());
  ASSIGN_OR_RETURN(auto sch, view->GetSchedule(id));
  if (sch && sch->next_us != 0) {
    *item->mutable_next_reminder_at() =
        ToProto(TimePoint(std::chrono::microseconds(sch->next_us)));
  }
  return std::move(*item);
}

Result<v1::ListItemsResponse> Engine::ListItems(const domain::Actor& actor,
                                                const v1::ListItemsRequest& req) {
  store::ListQuery q;
  for (int s : req.states()) q.states.push_back(static_cast<v1::State>(s));
  q.unit = req.unit();
  q.owner = req.owner();
  q.leader = req.leader();
  q.verifier = req.verifier();
  q.source = req.source();
  q.category = req.category();
  q.year = req.year();
  q.deadline_from = req.deadline_from();
  q.deadline_to = req.deadline_to();
  q.limit = req.page_size() > 0 ? static_cast<size_t>(req.page_size()) : 50;

  const auto today = Today();
  if (req.overdue()) {
    // Overdue = a live deadline before today: a range on the open-deadline index.
    q.live_deadline_only = true;
    const std::string yesterday =
        domain::FormatDate(date::sys_days(today) - date::days(1));
    if (q.deadline_to.empty() || q.deadline_to > yesterday) q.deadline_to = yesterday;
  }
  const bool has_equality = !q.states.empty() || !q.unit.empty() || !q.owner.empty() ||
                            !q.leader.empty() || !q.verifier.empty() ||
                            q.source != v1::SOURCE_UNSPECIFIED ||
                            q.category != v1::CATEGORY_UNSPECIFIED || q.year != 0;
  const bool has_deadline = !q.deadline_from.empty() || !q.deadline_to.empty() ||
                            q.live_deadline_only;
  if (req.order_by() == v1::ORDER_BY_DEADLINE ||
      (req.order_by() == v1::ORDER_BY_UNSPECIFIED && has_deadline && !has_equality)) {
    q.order = store::ListQuery::Order::kDeadline;
  }
  if (req.light() != v1::LIGHT_UNSPECIFIED) {
    const v1::Light want = req.light();
    q.predicate = [this, want, today](const v1::Item& item) {
      v1::Item copy = item;
      Decorate(copy, today);
      return copy.light() == want;
    };
  }
  if (const auto policy = settings()->policy; !domain::SeesAllUnits(actor, policy)) {
    // Scoped to what the caller may see: the items of their units and those naming them.
    q.predicate = [policy, &actor, light = std::move(q.predicate)](const v1::Item& item) {
      return domain::CanSee(item, actor, policy) && (!light || light(item));
    };
  }
  ASSIGN_OR_RETURN(PageCursor cursor, DecodePageToken(req.page_token(), PageKind::kList,
                                                      static_cast<int>(q.order)));
  q.cursor = cursor.key;

  auto view = store_.View();
  ASSIGN_OR_RETURN(auto page, view->List(q));
  v1::ListItemsResponse resp;
  for (auto& item : page.items) {
    Decorate(item, today);
    *resp.add_items() = std::move(item);
  }
  if (!page.next_cursor.empty()) {
    resp.set_next_page_token(EncodePageToken(
        PageCursor{PageKind::kList, static_cast<int>(q.order), page.next_cursor}));
  }
  resp.set_revision(view->revision());
  return resp;
}

Result<v1::GetHistoryResponse> Engine::GetHistory(const domain::Actor& actor,
                                                  const v1::GetHistoryRequest& req) {
  ASSIGN_OR_RETURN(PageCursor cursor, DecodePageToken(req.page_token(), PageKind::kHistory, 0));
  uint64_t after = 0;
  if (!cursor.key.empty()) {
    char* end = nullptr;
    errno = 0;
    after = std::strtoull(cursor.key.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || errno == ERANGE) {
      return InvalidArgument("page_token is malformed");
    }
  }
  auto view = store_.View();
  ASSIGN_OR_RETURN(auto item, view->GetItem(req.id()));
  if (!item || !domain::CanSee(*item, actor, settings()->policy)) {
    return domain::NotVisible(req.id());
  }
  const size_t limit = req.page_size() > 0 ? static_cast<size_t>(req.page_size()) : 100;
  uint64_t next = 0;
  ASSIGN_OR_RETURN(auto events, view->History(req.id(), after, limit, &next));
  v1::GetHistoryResponse resp;
  for (auto& e : events) *resp.add_events() = std::move(e);
  if (next != 0) {
    resp.set_next_page_token(
        EncodePageToken(PageCursor{PageKind::kHistory, 0, std::to_string(next)}));
  }
  resp.set_revision(view->revision());
  return resp;
}

Result<v1::ServerInfo> Engine::GetServerInfo() {
  auto view = store_.View();
  ASSIGN_OR_RETURN(auto counts, view->GetCounts());
  v1::ServerInfo info;
  info.set_version(kRectifyVersion);
  info.set_revision(view->revision());
  info.set_compact_revision(view->compact_revision());
  uint64_t total = 0;
  for (const auto& [state, n] : counts) {
    auto* sc = info.add_items_by_state();
    sc->set_state(state);
    sc->set_count(n);
    total += n;
  }
  info.set_items_total(total);
  info.set_schema_version(store_.schema_version());
  info.set_time_zone(std::string(zone_->name()));
  *info.mutable_now() = ToProto(clock_.Now());
  *info.mutable_started_at() = ToProto(started_at_);
  info.set_data_dir(store_.dir());
  info.set_sync_wal(options_.sync);
  ASSIGN_OR_RETURN(uint64_t pending, view->PendingDeliveryCount(1000000));
  info.set_outbox_pending(pending);
  ASSIGN_OR_RETURN(ChainHead head, ReadChainHead(*view));
  info.set_audit_head_revision(head.revision);
  info.set_audit_head_hash(domain::Hex(head.hash));
  return info;
}

Result<v1::VerifyAuditResponse> Engine::VerifyAudit() { return VerifyAuditChain(*store_.View()); }

GroupStats Engine::stats() const {
  std::lock_guard lock(stats_mu_);
  return stats_;
}

}  // namespace rectify::engine
