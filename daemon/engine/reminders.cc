// Reminder runs and delivery updates: the parts of the commit pipeline that serve remind/.
// Runs on the engine's writer thread (ApplyRun, ApplyDeliveryUpdate) or any thread (reads).

#include <algorithm>
#include <cstdio>
#include <unordered_set>

#include "common/logging.h"
#include "domain/dates.h"
#include "engine/group.h"

namespace rectify::engine {
namespace {

TimePoint FromMicros(int64_t us) { return TimePoint(std::chrono::microseconds(us)); }

v1::ReminderKind ToProtoKind(domain::ReminderKind k) {
  switch (k) {
    case domain::ReminderKind::kBeforeDeadline: return v1::REMINDER_KIND_BEFORE_DEADLINE;
    case domain::ReminderKind::kDeadlineDay: return v1::REMINDER_KIND_DEADLINE_DAY;
    case domain::ReminderKind::kOverdue: return v1::REMINDER_KIND_OVERDUE;
    case domain::ReminderKind::kSupervision: return v1::REMINDER_KIND_SUPERVISION;
    case domain::ReminderKind::kAdmonition: return v1::REMINDER_KIND_ADMONITION;
    case domain::ReminderKind::kStaleProgress: return v1::REMINDER_KIND_STALE_PROGRESS;
  }
  return v1::REMINDER_KIND_UNSPECIFIED;
}

// A stable digest key: the same channel, recipient and reminders always give the same key, so
// a receiver can drop a re-send after a crash.
std::string DigestKey(const v1::Delivery& d) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(d.channel());
  mix(d.recipient());
  std::vector<std::string> keys(d.reminder_keys().begin(), d.reminder_keys().end());
  std::sort(keys.begin(), keys.end());
  for (const auto& k : keys) mix(k);
  char buf[32];
  std::snprintf(buf, sizeof buf, "rectify-%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

int64_t Engine::NextFire(const v1::Item& item, int64_t since_us, int64_t now_us) const {
  const auto settings = this->settings();
  auto r = domain::NextReminderAt(item, FromMicros(since_us), FromMicros(now_us), zone_,
                                  *settings->calendar, settings->reminder_rules);
  if (!r.ok()) {
    // Most often a year missing from the calendar: look again in a day rather than never.
    Logger("engine")->warn("reminders item={} cannot be scheduled, retrying in a day: {}",
                           item.id(), r.status().message());
    return now_us + int64_t{24} * 3600 * 1000000;
  }
  if (!*r) return 0;
  return std::chrono::duration_cast<std::chrono::microseconds>((*r)->time_since_epoch()).count();
}

Result<v1::RunRemindersResponse> Engine::ApplyRun(Group& g, const std::string& actor,
                                                  bool write) {
  v1::RunRemindersResponse resp;
  resp.set_dry_run(!write);
  const int64_t floor = due_floor_.load();  // after the view (see due_floor_)
  store::DueTail tail;
  ASSIGN_OR_RETURN(auto due, g.view->DueItems(g.now_us, options_.run_limit, floor, &tail));
  if (write) {
    // The committed state's head: nothing live lies below it. (Entries this group adds lower
    // the floor again before they are written.)
    due_floor_.store(!due.empty() ? due.front().first : tail.next.value_or(INT64_MAX));
  }
  std::vector<std::string> ids;
  std::vector<int64_t> due_at;
  ids.reserve(due.size());
  due_at.reserve(due.size());
  for (auto& [at, id] : due) {
    due_at.push_back(at);
    ids.push_back(std::move(id));
  }
  for (const auto& [id, sch] : g.schedules) {  // made due earlier in this very group
    if (sch.next_us != 0 && sch.next_us <= g.now_us &&
        std::find(ids.begin(), ids.end(), id) == ids.end()) {
      ids.push_back(id);
    }
  }

  // Each fired reminder with its item as the run left it: one shared copy per item, not one
  // per reminder (an item with five recipients fired five copies; 15% of a 10,000-item run).
  // (The reminder itself is the response's copy: `first` indexes resp.fired.)
  std::vector<std::pair<int, std::shared_ptr<const v1::Item>>> fired;
  // One item at a time: all of an item's reads come before its writes, and an item that cannot
  // be read is skipped (and stays due), so a run never records a reminder without queueing its
  // delivery.
  // `read` is what the snapshot holds for the item, read ahead with the rest of its chunk, or
  // null to read it here. What this group wrote comes first either way.
  struct ReadAhead {
    std::optional<store::Schedule> sch;
    std::optional<v1::Item> item;
  };
  auto one = [&](const std::string& id, ReadAhead* read) -> Status {
    std::optional<store::Schedule> sch;
    if (auto it = g.schedules.find(id); it != g.schedules.end()) {
      sch = it->second;
    } else if (read) {
      sch = read->sch;
    } else {
      ASSIGN_OR_RETURN(sch, g.view->GetSchedule(id));
    }
    if (!sch || sch->next_us == 0 || sch->next_us > g.now_us) return Status::Ok();
    std::optional<v1::Item> item;
    if (const v1::Item* written = g.Written(id)) {
      item = *written;
    } else if (read) {
      item = std::move(read->item);
    } else {
      ASSIGN_OR_RETURN(item, g.view->GetItem(id));
    }
    if (!item) return Status::Ok();
    resp.set_items_evaluated(resp.items_evaluated() + 1);

    auto policy = domain::EvaluateReminders(*item, FromMicros(sch->since_us), g.now, zone_,
                                            *g.settings->calendar, g.settings->reminder_rules);
    store::Schedule next_sch{0, g.now_us};
    v1::Item updated = *item;
    bool escalated = false;
    std::vector<v1::Reminder> new_ones;
    if (!policy.ok()) {
      Logger("engine")->warn("reminders item={} not evaluated, retrying in a day: {}", id,
                             policy.status().message());
      next_sch = store::Schedule{g.now_us + int64_t{24} * 3600 * 1000000, sch->since_us};
    } else {
      for (const auto& occ : policy->due) {
        for (const auto& person : occ.recipients) {
          const std::string day = domain::FormatDate(occ.day);
          const std::string key = id + "|" + std::to_string(item->deadline_version()) + "|" +
                                  occ.rule + "|" + day + "|" + person;
          if (g.reminder_keys.count(key)) continue;
          ASSIGN_OR_RETURN(bool seen, g.view->HasReminder(id, key));
          if (seen) continue;  // fired before (a re-run, or the clock went back): never twice
          g.reminder_keys.insert(key);
          v1::Reminder rem;
          rem.set_key(key);
          rem.set_item_id(id);
          rem.set_kind(ToProtoKind(occ.kind));
          rem.set_rule(occ.rule);
          rem.set_day(day);
          rem.set_recipient(person);
          rem.set_days(occ.days);
          rem.set_late(occ.late);
          rem.set_escalation(occ.escalation);
          *rem.mutable_fired_at() = ToProto(g.now);
          rem.set_title(item->title());
          rem.set_deadline(item->deadline());
          rem.set_unit(item->unit());
          rem.set_owner(item->owner());
          rem.set_leader(item->leader());
          new_ones.push_back(std::move(rem));
        }
        if (occ.escalation > updated.escalation()) {
          updated.set_escalation(occ.escalation);
          escalated = true;
        }
      }
      next_sch.next_us = NextFire(updated, g.now_us, g.now_us);
    }
    std::shared_ptr<const v1::Item> shared;
    if (write) {
      if (!new_ones.empty() || escalated) {
        v1::Event& event =
            CommitItem(g, std::move(updated), &*item,
                       escalated ? v1::EVENT_KIND_ESCALATED : v1::EVENT_KIND_REMINDER,
                       v1::ACTION_UNSPECIFIED, "", actor, "");
        for (auto& rem : new_ones) {
          rem.set_revision(event.revision());
          g.writes->PutReminder(rem);
          *event.add_reminders() = rem;
        }
        // The event in the log carries the reminders too.
        WriteEvent(g, event);
        if (!new_ones.empty()) shared = std::make_shared<const v1::Item>(event.item());
      }
      g.writes->PutSchedule(id, &*sch, next_sch);
      g.schedules[id] = next_sch;
    }
    if (!new_ones.empty()) {
      if (!shared) shared = std::make_shared<const v1::Item>(std::move(updated));  // dry run
      for (auto& rem : new_ones) {
        *resp.add_fired() = std::move(rem);
        fired.emplace_back(resp.fired_size() - 1, shared);
      }
    }
    return Status::Ok();
  };
  const size_t bytes_before = g.writes->size_bytes();
  if (write) g.writes->Reserve(ids.size() * run_bytes_per_due_ * 9 / 8);
  // Schedules and items are read a chunk at a time with MultiGet: at 1,000,000 items a due item
  // is a cold read, and one batched lookup per chunk costs less than a Get per id. If a chunk's
  // read fails, its items are read one by one, so only an item that cannot be read is skipped.
  constexpr size_t kReadAhead = 256;
  for (size_t at = 0; at < ids.size(); at += kReadAhead) {
    const std::vector<std::string> chunk(ids.begin() + at,
                                         ids.begin() + std::min(ids.size(), at + kReadAhead));
    auto schedules = g.view->GetSchedules(chunk);
    auto items = schedules.ok() ? g.view->GetItems(chunk)
                                : Result<std::vector<std::optional<v1::Item>>>(schedules.status());
    const bool read_ahead = schedules.ok() && items.ok();
    for (size_t i = 0; i < chunk.size(); ++i) {
      ReadAhead read;
      if (read_ahead) read = ReadAhead{(*schedules)[i], std::move((*items)[i])};
      if (Status st = one(chunk[i], read_ahead ? &read : nullptr); !st.ok()) {
        Logger("engine")->warn("reminder run skipped item={}: {}", chunk[i], st.message());
      }
    }
  }

  // Once this group is written, everything that was due has moved on, unless an item was
  // skipped (unreadable: it stays due) or the run was cut short: the head is then the first
  // entry the scan found after now, or one this group adds (CommitGroup).
  if (write && tail.complete) {
    bool all_moved = true;
    for (size_t i = 0; i < due_at.size() && all_moved; ++i) {
      auto it = g.schedules.find(ids[i]);
      all_moved = it != g.schedules.end() && it->second.next_us != due_at[i];
    }
    if (all_moved) g.due_floor_after = tail.next.value_or(INT64_MAX);
  }

  // One digest per channel and recipient for the whole run.
  if (g.settings->route && !fired.empty()) {
    // A digest's keys are also kept in a set: a run of 10,000 reminders to one person would
    // otherwise search the digest's growing key list once per reminder (quadratic).
    struct Digest {
      v1::Delivery d;
      std::unordered_set<std::string> keys;
    };
    std::map<std::pair<std::string, std::string>, Digest> digests;
    for (const auto& [index, item] : fired) {
      const v1::Reminder& rem = resp.fired(index);
      for (const auto& t : g.settings->route(rem, *item)) {
        Digest& digest = digests[{t.channel, t.recipient}];
        v1::Delivery& d = digest.d;
        if (d.channel().empty()) {
          d.set_channel(t.channel);
          d.set_recipient(t.recipient);
          d.set_address(t.address);
          d.set_state(t.needs_address && t.address.empty() ? v1::DELIVERY_STATE_NO_ADDRESS
                                                           : v1::DELIVERY_STATE_PENDING);
          *d.mutable_created_at() = ToProto(g.now);
          *d.mutable_next_attempt_at() = ToProto(g.now);
          d.set_revision(g.revision);
        }
        if (digest.keys.insert(rem.key()).second) {
          d.add_reminder_keys(rem.key());
          *d.add_reminders() = rem;
        }
      }
    }
    for (auto& [target, digest] : digests) {
      v1::Delivery& d = digest.d;
      d.set_id(++g.outbox_seq);
      d.set_idempotency_key(DigestKey(d));
      if (write) {
        g.writes->PutDelivery(d, nullptr);
        g.deliveries[d.id()] = d;
      }
      *resp.add_deliveries() = d;
    }
  }
  if (write && !ids.empty()) {
    run_bytes_per_due_ =
        std::max<size_t>(512, (g.writes->size_bytes() - bytes_before) / ids.size());
  }
  resp.set_revision(g.revision);
  if (write && resp.fired_size() > 0) {
    Logger("engine")->info("reminder run fired={} deliveries={} items={} revision={}",
                           resp.fired_size(), resp.deliveries_size(), resp.items_evaluated(),
                           g.revision);
  }
  return resp;
}

Status Engine::ApplyDeliveryUpdate(Group& g, const DeliveryUpdate& u) {
  std::optional<v1::Delivery> d;
  if (auto it = g.deliveries.find(u.id); it != g.deliveries.end()) {
    d = it->second;
  } else {
    ASSIGN_OR_RETURN(d, g.view->GetDelivery(u.id));
  }
  if (!d) return NotFound("delivery " + std::to_string(u.id) + " does not exist");
  if (d->state() != v1::DELIVERY_STATE_PENDING) return Status::Ok();  // already settled
  const v1::Delivery previous = *d;
  d->set_attempts(d->attempts() + 1);
  switch (u.outcome) {
    case DeliveryUpdate::Outcome::kSent:
      d->set_state(v1::DELIVERY_STATE_SENT);
      *d->mutable_sent_at() = ToProto(g.now);
      d->clear_next_attempt_at();
      break;
    case DeliveryUpdate::Outcome::kRetry:
      d->set_last_error(u.error);
      *d->mutable_next_attempt_at() = ToProto(u.next_attempt);
      break;
    case DeliveryUpdate::Outcome::kDead:
      d->set_state(v1::DELIVERY_STATE_DEAD);
      d->set_last_error(u.error);
      d->clear_next_attempt_at();
      break;
  }
  g.writes->PutDelivery(*d, &previous);
  g.deliveries[u.id] = *d;
  return Status::Ok();
}

Result<std::optional<int64_t>> Engine::NextDue() const {
  auto view = store_.View();
  return view->NextDue(due_floor_.load());  // the floor after the snapshot (see due_floor_)
}

Result<v1::RunRemindersResponse> Engine::PreviewRun() {
  Group g;
  g.view = store_.View();
  g.writes = store_.NewWriteSet();  // never committed
  g.revision = g.view->revision();
  g.now = clock_.Now();
  g.now_us = std::chrono::duration_cast<std::chrono::microseconds>(g.now.time_since_epoch()).count();
  g.outbox_seq = 0;
  g.settings = settings();
  return ApplyRun(g, "", /*write=*/false);
}

Result<v1::ListRemindersResponse> Engine::ListReminders(const domain::Actor& actor,
                                                        const v1::ListRemindersRequest& req) {
  auto view = store_.View();
  v1::ListRemindersResponse resp;
  const size_t limit = req.page_size() > 0 ? static_cast<size_t>(req.page_size()) : 100;
  const domain::PolicyOptions policy = settings()->policy;
  const bool all_units = domain::SeesAllUnits(actor, policy);
  if (!req.item_id().empty()) {
    ASSIGN_OR_RETURN(auto item, view->GetItem(req.item_id()));
    if (!item || !domain::CanSee(*item, actor, policy)) {
      return domain::NotVisible(req.item_id());
    }
    ASSIGN_OR_RETURN(auto reminders, view->ItemReminders(req.item_id(), limit));
    std::set<std::string> keys;
    for (auto& r : reminders) {
      keys.insert(r.key());
      *resp.add_reminders() = std::move(r);
    }
    if (req.include_deliveries()) {
      // Recent outbox entries that carry one of this item's reminders.
      ASSIGN_OR_RETURN(auto recent, view->RecentDeliveries(5000));
      for (auto& d : recent) {
        bool mine = std::any_of(d.reminder_keys().begin(), d.reminder_keys().end(),
                                [&](const std::string& k) { return keys.count(k) > 0; });
        if (mine) *resp.add_deliveries() = std::move(d);
      }
    }
    if (req.upcoming()) {
      ASSIGN_OR_RETURN(auto sch, view->GetSchedule(req.item_id()));
      if (sch && sch->next_us != 0) {
        auto* u = resp.add_upcoming();
        u->set_item_id(req.item_id());
        *u->mutable_at() = ToProto(FromMicros(sch->next_us));
      }
    }
  } else {
    if (req.include_deliveries()) {
      ASSIGN_OR_RETURN(auto recent, view->RecentDeliveries(all_units ? limit : 5000));
      for (auto& d : recent) {
        if (!all_units && d.recipient() != actor.name) continue;
        if (static_cast<size_t>(resp.deliveries_size()) >= limit) break;
        *resp.add_deliveries() = std::move(d);
      }
    }
    if (req.upcoming()) {
      ASSIGN_OR_RETURN(auto due,
                       view->DueItems(INT64_MAX, all_units ? limit : 5000, due_floor_.load()));
      for (auto& [at, id] : due) {
        if (!all_units) {
          ASSIGN_OR_RETURN(auto item, view->GetItem(id));
          if (!item || !domain::CanSee(*item, actor, policy)) continue;
          if (static_cast<size_t>(resp.upcoming_size()) >= limit) break;
        }
        auto* u = resp.add_upcoming();
        u->set_item_id(id);
        *u->mutable_at() = ToProto(FromMicros(at));
      }
    }
  }
  resp.set_revision(view->revision());
  return resp;
}

}  // namespace rectify::engine
