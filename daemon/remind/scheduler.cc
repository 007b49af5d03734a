#include "remind/scheduler.h"

#include <optional>

#include <algorithm>
#include <future>

#include "common/failpoint.h"
#include "common/logging.h"
#include "common/thread_name.h"

namespace rectify::remind {
namespace {

const char* KindName(v1::ReminderKind k) {
  switch (k) {
    case v1::REMINDER_KIND_BEFORE_DEADLINE: return "before_deadline";
    case v1::REMINDER_KIND_DEADLINE_DAY: return "deadline_day";
    case v1::REMINDER_KIND_OVERDUE: return "overdue";
    case v1::REMINDER_KIND_SUPERVISION: return "supervision";
    case v1::REMINDER_KIND_ADMONITION: return "admonition";
    case v1::REMINDER_KIND_STALE_PROGRESS: return "stale_progress";
    default: return "reminder";
  }
}

}  // namespace

std::vector<notify::ChannelConfig> ToChannelConfigs(const std::vector<config::Channel>& channels) {
  std::vector<notify::ChannelConfig> out;
  for (const auto& c : channels) {
    notify::ChannelConfig n;
    n.name = c.name;
    // config/ has already refused unknown types.
    n.type = notify::ParseChannelType(c.type).value_or(notify::ChannelType::kWebhook);
    n.url = c.url;
    n.secret = c.secret;
    n.username = c.username;
    n.password = c.password;
    n.from = c.from;
    n.starttls = c.starttls;
    n.timeout = std::chrono::milliseconds(c.timeout_ms);
    out.push_back(std::move(n));
  }
  return out;
}

engine::Router MakeRouter(const std::vector<config::Channel>& channels,
                          const std::vector<config::Principal>& principals) {
  std::map<std::string, config::Principal> people;
  for (const auto& p : principals) people[p.name] = p;
  return [channels, people](const v1::Reminder& rem, const v1::Item& item) {
    std::vector<engine::DeliveryTarget> out;
    auto person = people.find(rem.recipient());
    for (const auto& ch : channels) {
      if (!ch.units.empty() &&
          std::find(ch.units.begin(), ch.units.end(), item.unit()) == ch.units.end()) {
        continue;
      }
      engine::DeliveryTarget t;
      t.channel = ch.name;
      if (ch.type == "email") {
        t.recipient = rem.recipient();
        t.needs_address = true;
        if (person != people.end()) t.address = person->second.email;
      } else if (ch.type == "webhook") {
        t.recipient = rem.recipient();
      } else {
        t.recipient = "";  // a group robot: one digest for the group per run
      }
      out.push_back(std::move(t));
    }
    return out;
  };
}

Scheduler::Scheduler(engine::Engine& engine, Clock& clock, RemindOptions options)
    : engine_(engine), clock_(clock), options_(std::move(options)) {
  for (const auto& c : options_.channels) channels_[c.name] = c;
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  clock_.OnJump([this] { Wake(); });
  if (options_.scheduler) {
    run_thread_ = std::thread([this] {
      SetThreadName("rfy-scheduler");
      RunLoop();
    });
  }
  delivery_thread_ = std::thread([this] {
    SetThreadName("rfy-delivery");
    DeliveryLoop();
  });
}

void Scheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (run_thread_.joinable()) run_thread_.join();
  if (delivery_thread_.joinable()) delivery_thread_.join();
}

void Scheduler::Wake() {
  {
    std::lock_guard lock(mu_);
    ++run_.wakes;
    ++delivery_.wakes;
  }
  cv_.notify_all();
}

void Scheduler::HintLocked(Loop& loop, std::optional<int64_t> at_us, bool* woke) {
  if (!at_us || *at_us >= loop.until_us) return;
  ++loop.wakes;
  *woke = true;
}

void Scheduler::Hint(const engine::ScheduleHint& hint) {
  bool woke = false;
  {
    std::lock_guard lock(mu_);
    HintLocked(run_, hint.due_us, &woke);
    HintLocked(delivery_, hint.delivery_us, &woke);
  }
  if (woke) cv_.notify_all();
}

void Scheduler::SleepUntil(Loop& loop, std::optional<int64_t> until_us, uint64_t seen_wakes) {
  auto wait = options_.max_sleep;
  if (until_us) {
    const int64_t left = *until_us - clock_.NowMicros();
    wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::microseconds(std::max<int64_t>(left, 0))));
  }
  std::unique_lock lock(mu_);
  // Nothing ahead: any new due time is earlier than "never".
  loop.until_us = until_us.value_or(INT64_MAX);
  cv_.wait_for(lock, wait, [&] { return stopping_ || loop.wakes != seen_wakes; });
}

bool Scheduler::Stopping(Loop& loop, uint64_t* seen_wakes) {
  std::lock_guard lock(mu_);
  if (seen_wakes != nullptr) {
    *seen_wakes = loop.wakes;
    loop.until_us = INT64_MAX;  // awake: every hint counts (see Loop)
  }
  return stopping_;
}

void Scheduler::RunLoop() {
  auto log = Logger("remind");
  while (true) {
    uint64_t seen;
    if (Stopping(run_, &seen)) return;
    auto head = engine_.NextDue();
    if (!head.ok()) {
      log->warn("due index unreadable, retrying: {}", head.status().message());
      SleepUntil(run_, std::nullopt, seen);
      continue;
    }
    if (*head && **head <= clock_.NowMicros()) {
      std::promise<Result<v1::RunRemindersResponse>> done;
      auto fut = done.get_future();
      engine_.SubmitRun("scheduler", [&done](Result<v1::RunRemindersResponse> r) {
        done.set_value(std::move(r));
      });
      auto r = fut.get();
      if (!r.ok()) {
        log->warn("scheduled reminder run failed, retrying: {}", r.status().message());
        SleepUntil(run_, std::nullopt, seen);
      }
      continue;  // more may be due (a run is bounded)
    }
    SleepUntil(run_, *head, seen);
  }
}

void Scheduler::DeliveryLoop() {
  auto log = Logger("remind");
  while (true) {
    uint64_t seen;
    if (Stopping(delivery_, &seen)) return;
    auto view = engine_.store().View();
    auto pending = view->PendingDeliveries(clock_.NowMicros(), 16);
    if (!pending.ok()) {
      log->warn("outbox unreadable, retrying: {}", pending.status().message());
      SleepUntil(delivery_, std::nullopt, seen);
      continue;
    }
    if (!pending->empty()) {
      for (const auto& d : *pending) {
        if (Stopping(delivery_, nullptr)) return;
        Deliver(d);
      }
      continue;
    }
    auto next = view->NextPendingDelivery();
    SleepUntil(delivery_, next.ok() ? *next : std::nullopt, seen);
  }
}

void Scheduler::SetChannels(const std::vector<notify::ChannelConfig>& channels) {
  std::map<std::string, notify::ChannelConfig> next;
  for (const auto& c : channels) next[c.name] = c;
  std::lock_guard lock(mu_);
  channels_ = std::move(next);
}

void Scheduler::Deliver(const v1::Delivery& d) {
  auto log = Logger("remind");
  engine::DeliveryUpdate u;
  u.id = d.id();
  const uint32_t attempt = d.attempts() + 1;
  std::optional<notify::ChannelConfig> channel;
  {
    std::lock_guard lock(mu_);
    if (auto it = channels_.find(d.channel()); it != channels_.end()) channel = it->second;
  }
  if (!channel) {
    u.outcome = engine::DeliveryUpdate::Outcome::kDead;
    u.error = "channel \"" + d.channel() + "\" is no longer configured";
  } else {
    notify::Digest digest;
    digest.idempotency_key = d.idempotency_key();
    digest.channel = d.channel();
    digest.recipient = d.recipient();
    digest.address = d.address();
    for (const auto& r : d.reminders()) {
      notify::ReminderLine line;
      line.item_id = r.item_id();
      line.title = r.title();
      line.deadline = r.deadline();
      line.unit = r.unit();
      line.owner = r.owner();
      line.leader = r.leader();
      line.kind = KindName(r.kind());
      line.days = r.days();
      line.late = r.late();
      digest.lines.push_back(std::move(line));
    }
    notify::DeliveryResult res = sender_.Send(*channel, digest, clock_.Now());
    // Accepted by the receiver, not yet marked SENT: a crash here must re-send, same key.
    if (res.outcome == notify::Outcome::kDelivered) {
      RECTIFY_FAILPOINT("remind.after_send").IgnoreError();
    }
    switch (res.outcome) {
      case notify::Outcome::kDelivered:
        u.outcome = engine::DeliveryUpdate::Outcome::kSent;
        break;
      case notify::Outcome::kFinal:
        u.outcome = engine::DeliveryUpdate::Outcome::kDead;
        u.error = res.error;
        break;
      case notify::Outcome::kRetry:
        if (attempt >= options_.max_attempts) {
          u.outcome = engine::DeliveryUpdate::Outcome::kDead;
          u.error = res.error + " (gave up after " + std::to_string(attempt) + " attempts)";
        } else {
          u.outcome = engine::DeliveryUpdate::Outcome::kRetry;
          u.error = res.error;
          u.next_attempt = clock_.Now() + notify::Backoff(static_cast<int>(attempt),
                                                          options_.backoff_base,
                                                          options_.backoff_max);
        }
        break;
    }
  }
  if (u.outcome == engine::DeliveryUpdate::Outcome::kSent) {
    log->info("delivered id={} channel={} key={} attempt={}", d.id(), d.channel(),
              d.idempotency_key(), attempt);
  } else {
    log->warn("delivery id={} channel={} attempt={} outcome={} error={}", d.id(), d.channel(),
              attempt, u.outcome == engine::DeliveryUpdate::Outcome::kDead ? "dead" : "retry",
              u.error);
  }
  if (options_.on_delivery_attempt) {
    options_.on_delivery_attempt(
        d.channel(), u.outcome == engine::DeliveryUpdate::Outcome::kSent   ? "sent"
                     : u.outcome == engine::DeliveryUpdate::Outcome::kDead ? "dead"
                                                                           : "retry");
  }
  std::promise<Status> done;
  auto fut = done.get_future();
  engine_.SubmitDeliveryUpdate(u, [&done](Status st) { done.set_value(st); });
  Status st = fut.get();
  if (!st.ok()) log->warn("recording delivery id={} failed: {}", d.id(), st.message());
}

}  // namespace rectify::remind
