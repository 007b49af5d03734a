#include "workloads.h"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <set>
#include <thread>

#include <google/protobuf/util/time_util.h>

namespace rectify::bench {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

double ClientCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// The machine's CPU time from /proc/stat, in ticks: all of it, idle (with iowait), and stolen by
// the hypervisor (a shared VM's other tenants: figures taken while it is high are not this
// machine's).
struct MachineCpu {
  uint64_t total = 0, idle = 0, steal = 0;
};

MachineCpu ReadMachineCpu() {
  MachineCpu m;
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t v[10] = {};
  in >> cpu;
  for (auto& x : v) in >> x;
  if (!in || cpu != "cpu") return m;
  for (uint64_t x : v) m.total += x;
  m.total -= v[8] + v[9];  // guest time is already counted in user and nice
  m.idle = v[3] + v[4];
  m.steal = v[7];
  return m;
}

double Pct(const std::vector<float>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(std::ceil(q * sorted.size()));
  return sorted[std::clamp<size_t>(i, 1, sorted.size()) - 1];
}

void FillLatency(Row& row, const RunResult& r) {
  row.ops_per_sec = r.ops_per_sec();
  row.p50_ms = r.Percentile(0.50);
  row.p99_ms = r.Percentile(0.99);
  row.p999_ms = r.Percentile(0.999);
  row.errors = r.errors;
  if (!r.first_error.empty()) row.notes.push_back("first error: " + r.first_error);
}

// The commit groups behind events (from, to]. Every event of one group commit carries the
// group's timestamp (taken once per group, microseconds), and revisions are consecutive, so
// reading the events back (a Watch from `from + 1`, served from the event log after the run,
// so it costs the measured window nothing) and cutting wherever the timestamp changes gives
// each group's size. Needs the system clock: on a test clock many groups share one instant.
struct Batches {
  uint64_t events = 0;
  std::vector<uint64_t> sizes;
  std::string error;
};

Batches CollectBatches(Client& client, uint64_t from, uint64_t to) {
  Batches b;
  if (to <= from) return b;
  grpc::ClientContext ctx;
  SetUp(ctx, "bench", std::chrono::seconds(120));
  v1::WatchRequest req;
  req.set_start_revision(from + 1);
  auto reader = client.watch(0).Watch(&ctx, req);
  v1::WatchResponse resp;
  int64_t group_time = -1;
  uint64_t group = 0;
  bool done = false;
  while (!done && reader->Read(&resp)) {
    for (const auto& e : resp.events()) {
      if (e.revision() > to) {
        done = true;
        break;
      }
      const int64_t t = MicrosOf(e.time());
      if (t != group_time) {
        if (group > 0) b.sizes.push_back(group);
        group = 0;
        group_time = t;
      }
      ++group;
      ++b.events;
      if (e.revision() == to) done = true;
    }
    if (resp.events_size() == 0 && resp.revision() >= to) done = true;
  }
  if (group > 0) b.sizes.push_back(group);
  ctx.TryCancel();
  grpc::Status st = reader->Finish();
  if (!done) b.error = "event log read ended early: " + st.error_message();
  return b;
}

void AddBatches(Row& row, const Batches& b, double seconds) {
  if (b.sizes.empty()) return;
  std::vector<uint64_t> s = b.sizes;
  std::sort(s.begin(), s.end());
  uint64_t sum = 0, sq = 0;
  for (auto v : s) {
    sum += v;
    sq += v * v;
  }
  row.Add("commits_per_sec", s.size() / seconds);
  row.Add("batch_mean", static_cast<double>(sum) / s.size(), 2);
  row.Add("batch_p50", s[(s.size() - 1) / 2]);
  row.Add("batch_max", s.back());
  // The group size the average mutation was committed in.
  row.Add("batch_per_mutation", static_cast<double>(sq) / sum, 2);
  if (!b.error.empty()) row.notes.push_back("batches: " + b.error);
}

// One Watch stream, reading until cancelled; remembers when each event arrived.
class Watcher : public grpc::ClientReadReactor<v1::WatchResponse> {
 public:
  struct Seen {
    uint64_t revision;
    int64_t event_us;
    int64_t recv_us;
  };

  // `item` non-empty: only that item's events.
  Watcher(v1::WatchService::Stub& stub, const std::string& item) {
    SetUp(ctx_, "bench-watcher", std::chrono::hours(24));
    req_.set_start_revision(0);  // from now
    if (!item.empty()) req_.add_item_ids(item);
    stub.async()->Watch(&ctx_, &req_, this);
    StartRead(&resp_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    const int64_t now = NowMicros();
    for (const auto& e : resp_.events()) seen_.push_back({e.revision(), MicrosOf(e.time()), now});
    responses_.fetch_add(1);
    StartRead(&resp_);
  }
  void OnDone(const grpc::Status& st) override {
    std::lock_guard lock(mu_);
    status_ = st;
    done_ = true;
    cv_.notify_all();
  }
  void Cancel() { ctx_.TryCancel(); }
  grpc::Status Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    return status_;
  }
  uint64_t responses() const { return responses_.load(); }
  const std::vector<Seen>& seen() const { return seen_; }  // after Wait

 private:
  grpc::ClientContext ctx_;
  v1::WatchRequest req_;
  v1::WatchResponse resp_;
  std::vector<Seen> seen_;
  std::atomic<uint64_t> responses_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  grpc::Status status_;
};

// Drives items through create and then a chain of transitions, `concurrency` items at a time.
struct ChainStats {
  uint64_t items = 0, mutations = 0, errors = 0;
  std::vector<float> latency_ms;
  std::string first_error;
};

ChainStats DriveChains(Client& client, uint64_t first, uint64_t count, int concurrency,
                       const std::function<v1::CreateItemRequest(uint64_t)>& create,
                       const std::function<std::vector<v1::Action>(uint64_t)>& actions) {
  struct Slot {
    PoolItem item;
    std::vector<v1::Action> todo;
    size_t step = 0;
    std::vector<float> latency_ms;
    uint64_t items = 0, errors = 0;
    std::string first_error;
  };
  struct Driver {
    Client* client;
    const std::function<v1::CreateItemRequest(uint64_t)>* create;
    const std::function<std::vector<v1::Action>(uint64_t)>* actions;
    std::atomic<uint64_t> next;
    uint64_t end;
    std::vector<Slot> slots;
    std::mutex mu;
    std::condition_variable cv;
    int running;

    void Failed(Slot& s, const grpc::Status& st) {
      ++s.errors;
      if (s.first_error.empty()) {
        s.first_error = "code " + std::to_string(st.error_code()) + ": " + st.error_message();
      }
    }
    void Step(int i) {
      Slot& s = slots[i];
      if (s.step < s.todo.size()) {
        auto* c = new Call<v1::TransitionRequest, v1::Item>();
        std::string actor;
        c->req = MakeTransition(s.item, s.todo[s.step], s.step, &actor);
        SetUp(c->ctx, actor);
        const auto t0 = Clock::now();
        client->items(i).async()->Transition(
            &c->ctx, &c->req, &c->resp, [this, c, i, t0](grpc::Status st) {
              Slot& s = slots[i];
              s.latency_ms.push_back(
                  std::chrono::duration<float, std::milli>(Clock::now() - t0).count());
              if (st.ok()) {
                s.item.state = c->resp.state();
                s.item.has_evidence = c->resp.evidence_size() > 0;
                ++s.step;
              } else {
                Failed(s, st);
                s.step = s.todo.size();  // abandon this item
              }
              delete c;
              Step(i);
            });
        return;
      }
      const uint64_t n = next.fetch_add(1);
      if (n >= end) {
        std::lock_guard lock(mu);
        if (--running == 0) cv.notify_all();
        return;
      }
      auto* c = new Call<v1::CreateItemRequest, v1::Item>();
      c->req = (*create)(n);
      SetUp(c->ctx, c->req.item().leader());
      const auto t0 = Clock::now();
      client->items(i).async()->CreateItem(
          &c->ctx, &c->req, &c->resp, [this, c, i, n, t0](grpc::Status st) {
            Slot& s = slots[i];
            s.latency_ms.push_back(
                std::chrono::duration<float, std::milli>(Clock::now() - t0).count());
            s.step = 0;
            s.todo.clear();
            if (st.ok()) {
              ++s.items;
              s.item = PoolItem{c->resp.id(), c->resp.owner(), c->resp.leader(),
                                c->resp.verifier(), c->resp.state(), false, false};
              s.todo = (*actions)(n);
            } else {
              Failed(s, st);
            }
            delete c;
            Step(i);
          });
    }
  } d;
  d.client = &client;
  d.create = &create;
  d.actions = &actions;
  d.next = first;
  d.end = first + count;
  d.slots.resize(concurrency);
  d.running = concurrency;
  for (int i = 0; i < concurrency; ++i) d.Step(i);
  {
    std::unique_lock lock(d.mu);
    d.cv.wait(lock, [&] { return d.running == 0; });
  }
  ChainStats out;
  for (auto& s : d.slots) {
    out.items += s.items;
    out.errors += s.errors;
    out.latency_ms.insert(out.latency_ms.end(), s.latency_ms.begin(), s.latency_ms.end());
    if (out.first_error.empty()) out.first_error = s.first_error;
  }
  out.mutations = out.latency_ms.size() - out.errors;
  std::sort(out.latency_ms.begin(), out.latency_ms.end());
  return out;
}

// The state a loaded item ends in, by its number: 5% DRAFT, 10% ASSIGNED, 25% IN_PROGRESS,
// 5% SUBMITTED, 5% ENDORSED, 45% CLOSED, 5% LONG_TERM.
std::vector<v1::Action> LoadActions(uint64_t n) {
  using A = v1::Action;
  const uint64_t h = (n * 0xD6E8FEB86659FD93ull) >> 32;
  const int pct = static_cast<int>(h % 100);
  std::vector<A> path = {v1::ACTION_CONFIRM, v1::ACTION_START, v1::ACTION_SUBMIT,
                         v1::ACTION_ENDORSE, v1::ACTION_CLOSE};
  if (pct < 5) return {};
  if (pct < 15) return {path.begin(), path.begin() + 1};
  if (pct < 40) return {path.begin(), path.begin() + 2};
  if (pct < 45) return {path.begin(), path.begin() + 3};
  if (pct < 50) return {path.begin(), path.begin() + 4};
  if (pct < 95) return path;
  return {v1::ACTION_CONFIRM, v1::ACTION_START, A::ACTION_KEEP_LONG_TERM};
}

std::string TopThreads(const ProcSample& a, const ProcSample& b, double wall,
                       std::string* json) {
  std::vector<std::pair<double, std::string>> by;
  for (const auto& [name, cpu] : b.thread_cpu_s) {
    auto it = a.thread_cpu_s.find(name);
    const double d = cpu - (it == a.thread_cpu_s.end() ? 0 : it->second);
    if (d > 0) by.emplace_back(100 * d / wall, name);
  }
  std::sort(by.rbegin(), by.rend());
  std::string text = "daemon threads (CPU %):";
  *json = "{";
  for (size_t i = 0; i < by.size() && i < 6; ++i) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s %.0f%%", by[i].second.c_str(), by[i].first);
    text += buf;
    std::snprintf(buf, sizeof buf, "%s%s:%.1f", i ? "," : "", JsonString(by[i].second).c_str(),
                  by[i].first);
    *json += buf;
  }
  *json += "}";
  return text;
}

}  // namespace

Bench::Bench(const Options& opts, Reporter& out, Client& client, DaemonProcess* daemon)
    : opts_(opts), out_(out), client_(client), daemon_(daemon) {
  v1::ServerInfo info;
  if (client_.Info(&info).ok()) test_clock_ = info.test_clock();
  create_n_ = static_cast<uint64_t>(NowMicros() % 1000000) * 1000;
}

Window Bench::BaseWindow() const {
  Window w;
  w.warmup = std::chrono::milliseconds(static_cast<int64_t>(opts_.warmup_s * 1000));
  w.measure = std::chrono::milliseconds(static_cast<int64_t>(opts_.duration_s * 1000));
  return w;
}

uint64_t Bench::Revision() {
  v1::ServerInfo info;
  return client_.Info(&info).ok() ? info.revision() : 0;
}

bool Bench::SetClock(const std::string& rfc3339) {
  grpc::ClientContext ctx;
  SetUp(ctx, "bench");
  v1::SetClockRequest req;
  if (!google::protobuf::util::TimeUtil::FromString(rfc3339, req.mutable_time())) return false;
  v1::ServerInfo info;
  grpc::Status st = client_.admin().SetClock(&ctx, req, &info);
  if (!st.ok()) out_.Note("SetClock " + rfc3339 + ": " + st.error_message());
  return st.ok();
}

Row Bench::Measure(const std::string& workload, int concurrency, bool writes,
                   const std::function<RunResult(const Window&)>& go) {
  ProcSample d0, d1;
  double c0 = 0, c1 = 0;
  MachineCpu m0, m1;
  StoreWork s0, s1;
  uint64_t rev0 = 0, rev1 = 0, items_total = 0;
  Window w = BaseWindow();
  w.at_start = [&] {
    if (daemon_) {
      daemon_->ResetPeak();
      d0 = daemon_->Sample();
      s0 = daemon_->ReadStoreWork();
    }
    c0 = ClientCpuSeconds();
    m0 = ReadMachineCpu();
    if (writes) rev0 = Revision();
  };
  w.at_end = [&] {
    if (daemon_) {
      d1 = daemon_->Sample();
      s1 = daemon_->ReadStoreWork();
    }
    c1 = ClientCpuSeconds();
    m1 = ReadMachineCpu();
    v1::ServerInfo info;
    if (client_.Info(&info).ok()) {
      rev1 = info.revision();
      items_total = info.items_total();
    }
  };
  const RunResult r = go(w);
  Row row;
  row.workload = workload;
  row.concurrency = concurrency;
  FillLatency(row, r);
  row.Add("items_total", items_total);
  if (auto it = ceiling_.find(concurrency); it != ceiling_.end() && workload != "ceiling" &&
                                             workload != "watch") {
    row.Add("vs_ceiling", r.ops_per_sec() / it->second, 2);
  }
  if (daemon_) {
    const double wall = std::chrono::duration<double>(d1.at - d0.at).count();
    const double cpu = d1.cpu_s - d0.cpu_s;
    row.Add("daemon_cpu_pct", 100 * cpu / wall, 0);
    if (r.ok > 0) row.Add("daemon_cpu_us_per_op", 1e6 * cpu / r.ok, 0);
    row.Add("daemon_rss_mb", d1.rss_kb / 1024.0);
    row.Add("daemon_peak_rss_mb", d1.hwm_kb / 1024.0);
    std::string json;
    row.notes.push_back(TopThreads(d0, d1, wall, &json));
    row.AddRaw("daemon_threads_cpu_pct", json);
    if (s0.ok && s1.ok && r.ok > 0) {
      // RocksDB's flushes and compactions inside the window (they trail the writes they
      // follow, so a short run's figure is rough): bytes written per op, and their CPU.
      const double ops = static_cast<double>(r.ok);
      row.Add("flush_kb_per_op", (s1.flush_bytes - s0.flush_bytes) / 1024 / ops, 2);
      row.Add("compaction_kb_per_op", (s1.compaction_bytes - s0.compaction_bytes) / 1024 / ops, 2);
      row.Add("store_bg_cpu_us_per_op", 1e6 * (s1.cpu_s - s0.cpu_s) / ops, 1);
    }
  } else {
    row.AddNull("daemon_cpu_pct");
    row.AddNull("daemon_peak_rss_mb");
  }
  row.Add("client_cpu_pct", 100 * (c1 - c0) / r.seconds, 0);
  if (m1.total > m0.total) {
    // Of the machine's CPU time in the window: what the hypervisor took, and what stayed idle.
    const double total = static_cast<double>(m1.total - m0.total);
    row.Add("machine_steal_pct", 100 * static_cast<double>(m1.steal - m0.steal) / total, 0);
    row.Add("machine_idle_pct", 100 * static_cast<double>(m1.idle - m0.idle) / total, 0);
  }
  if (writes && opts_.batches) {
    if (test_clock_) {
      row.notes.push_back("batches: unknown (the daemon runs on a test clock)");
    } else {
      AddBatches(row, CollectBatches(client_, rev0, rev1), r.seconds);
    }
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Requests

Issue Bench::CeilingIssue() {
  return [this](int slot, Completion done) {
    auto* c = new Call<v1::GetServerInfoRequest, v1::ServerInfo>();
    SetUp(c->ctx, "");
    client_.admin(slot).async()->GetServerInfo(&c->ctx, &c->req, &c->resp,
                                                [c, done](grpc::Status st) {
                                                  delete c;
                                                  done(st);
                                                });
  };
}

Issue Bench::CreateIssue() {
  return [this](int slot, Completion done) {
    auto* c = new Call<v1::CreateItemRequest, v1::Item>();
    c->req = MakeCreate(create_n_.fetch_add(1), "");
    SetUp(c->ctx, c->req.item().leader());
    client_.items(slot).async()->CreateItem(&c->ctx, &c->req, &c->resp,
                                            [c, done](grpc::Status st) {
                                              delete c;
                                              done(st);
                                            });
  };
}

Issue Bench::TransitionIssue(int concurrency) {
  cursors_.assign(concurrency, 0);
  return [this, concurrency](int slot, Completion done) {
    auto& items = pool_.items();
    // The slot's items are slot, slot + C, slot + 2C, ...: no two requests ever move one item.
    const size_t mine = (items.size() - slot + concurrency - 1) / concurrency;
    PoolItem* item = nullptr;
    for (size_t tries = 0; tries < mine && item == nullptr; ++tries) {
      PoolItem& candidate = items[slot + (cursors_[slot]++ % mine) * concurrency];
      if (!candidate.broken && CycleAction(candidate.state)) item = &candidate;
    }
    if (item == nullptr) {
      done(grpc::Status(grpc::StatusCode::INTERNAL, "no movable item left for this slot"));
      return;
    }
    auto* c = new Call<v1::TransitionRequest, v1::Item>();
    std::string actor;
    c->req = MakeTransition(*item, *CycleAction(item->state), transition_n_.fetch_add(1), &actor);
    SetUp(c->ctx, actor);
    client_.items(slot).async()->Transition(
        &c->ctx, &c->req, &c->resp, [this, c, item, done](grpc::Status st) {
          if (st.ok()) {
            item->state = c->resp.state();
            item->has_evidence = c->resp.evidence_size() > 0;
            item->signoffs = c->resp.signoffs_size();
            if (acks_ != nullptr) {
              const int64_t now = NowMicros();
              std::lock_guard lock(acks_mu_);
              (*acks_)[c->resp.revision()] = Ack{now, c->resp.id()};
            }
          } else {
            item->broken = true;
          }
          delete c;
          done(st);
        });
  };
}

Issue Bench::GetIssue() {
  return [this](int slot, Completion done) {
    auto* c = new Call<v1::GetItemRequest, v1::Item>();
    c->req.set_id(catalog_.RandomId(rngs_[slot]));
    SetUp(c->ctx, "bench-reader");
    client_.items(slot).async()->GetItem(&c->ctx, &c->req, &c->resp,
                                         [c, done](grpc::Status st) {
                                           delete c;
                                           done(st);
                                         });
  };
}

Issue Bench::ListIssue() {
  return [this](int slot, Completion done) {
    auto& rng = rngs_[slot];
    auto* c = new Call<v1::ListItemsRequest, v1::ListItemsResponse>();
    auto& req = c->req;
    req.set_page_size(50);
    const std::string unit =
        catalog_.units.empty() ? UnitName(0) : catalog_.units[rng() % catalog_.units.size()];
    const int shape = static_cast<int>(rng() % 4);
    switch (shape) {
      case 0:  // one unit's items
        req.set_unit(unit);
        break;
      case 1:  // one unit's items in progress
        req.set_unit(unit);
        req.add_states(v1::STATE_IN_PROGRESS);
        break;
      case 2:  // one person's items
        req.set_owner(catalog_.owners.empty() ? OwnerName(0, 0)
                                              : catalog_.owners[rng() % catalog_.owners.size()]);
        break;
      default:  // a year's open work
        req.set_year(catalog_.years.empty()
                         ? 2026
                         : catalog_.years[rng() % catalog_.years.size()].first);
        req.add_states(v1::STATE_ASSIGNED);
        req.add_states(v1::STATE_IN_PROGRESS);
    }
    SetUp(c->ctx, "bench-reader");
    const auto t0 = Clock::now();
    client_.items(slot).async()->ListItems(
        &c->ctx, &c->req, &c->resp, [this, c, done, shape, t0](grpc::Status st) {
          const float ms = std::chrono::duration<float, std::milli>(Clock::now() - t0).count();
          if (st.ok()) {
            std::lock_guard lock(list_mu_);
            list_ms_[shape].push_back(ms);
          }
          delete c;
          done(st);
        });
  };
}

Issue Bench::MixedIssue(int concurrency) {
  return [this, get = GetIssue(), list = ListIssue(), move = TransitionIssue(concurrency),
          create = CreateIssue()](int slot, Completion done) {
    const uint64_t r = rngs_[slot]() % 100;
    if (r < 60) return get(slot, std::move(done));
    if (r < 70) return list(slot, std::move(done));
    if (r < 90) return move(slot, std::move(done));
    return create(slot, std::move(done));
  };
}

// ---------------------------------------------------------------------------------------------
// Preparation

std::string Bench::PrepareReads() {
  if (catalog_ready_) return "";
  catalog_ = Discover(client_);
  if (catalog_.total < opts_.items) {
    out_.Note("# preparing: creating " + std::to_string(opts_.items - catalog_.total) +
              " items so the ledger holds " + std::to_string(opts_.items));
    std::string err = CreateMany(client_, 1000000000 + catalog_.total,
                                 opts_.items - catalog_.total, 256);
    if (!err.empty()) return err;
    catalog_ = Discover(client_);
  }
  catalog_ready_ = true;
  out_.Note("# ledger: " + std::to_string(catalog_.total) + " items in " +
            std::to_string(catalog_.years.size()) + " year(s); reads pick among all of them");
  return "";
}

std::string Bench::PreparePool(size_t size) {
  // Items earlier runs grew leave first: a transition costs more the more sign-offs its item
  // carries (each lap of the cycle adds five), and a run should measure the daemon, not the
  // bench's history.
  const bool first = pool_.items().empty();
  const size_t retired = pool_.RetireGrown();
  if (pool_.items().size() >= size) return "";
  std::string err = pool_.Fill(client_, size, 256);
  if (first) {
    out_.Note("# moving " + std::to_string(pool_.items().size()) +
              " items through the workflow (" + std::to_string(pool_.adopted()) +
              " taken from the ledger, the rest created; " + std::to_string(pool_.skipped()) +
              " with a long history passed over)");
  } else {
    out_.Note("# " + std::to_string(retired) + " items grown past " +
              std::to_string(Pool::kMaxAdoptedSignOffs) +
              " sign-offs left the pool; new ones took their place");
  }
  if (pool_.items().size() > pool_.adopted()) catalog_ready_ = false;  // the ledger grew
  return err;
}

// ---------------------------------------------------------------------------------------------
// Workloads

void Bench::Throughput(const std::string& workload) {
  const int max_c = *std::max_element(opts_.concurrency.begin(), opts_.concurrency.end());
  const bool writes = workload == "create" || workload == "transition" || workload == "mixed";
  std::string err;
  const bool moves = workload == "transition" || workload == "mixed";
  // Every run that moves items prepares the pool again: each starts from items no earlier run
  // has grown (PreparePool).
  const size_t pool_size = std::max<size_t>(4096, 64 * static_cast<size_t>(max_c));
  if (moves) err = PreparePool(pool_size);
  if (err.empty() && (workload == "get" || workload == "list" || workload == "mixed")) {
    err = PrepareReads();
  }
  if (!err.empty()) {
    out_.Note("# " + workload + ": preparation failed: " + err);
    return;
  }
  double peak = 0;
  for (int c : opts_.concurrency) {
    rngs_.clear();
    for (int s = 0; s < c; ++s) rngs_.emplace_back(0x5eed + s * 7919 + c);
    if (moves) {
      if (std::string e = PreparePool(pool_size); !e.empty()) {
        out_.Note("# " + workload + ": preparation failed: " + e);
        return;
      }
    }
    Issue issue;
    if (workload == "ceiling") issue = CeilingIssue();
    if (workload == "create") issue = CreateIssue();
    if (workload == "transition") issue = TransitionIssue(c);
    if (workload == "get") issue = GetIssue();
    if (workload == "list") issue = ListIssue();
    if (workload == "mixed") issue = MixedIssue(c);
    for (auto& v : list_ms_) v.clear();
    Row row = Measure(workload, c, writes,
                      [&](const Window& w) { return RunClosedLoop(c, w, issue); });
    if (moves) row.Add("pool_signoffs_mean", pool_.MeanSignOffs());
    if (workload == "list") {
      static const char* kShapes[] = {"unit", "unit+state", "owner", "year+2 states"};
      std::string by = "by filter (p50/p99 ms):";
      std::lock_guard lock(list_mu_);
      for (int i = 0; i < 4; ++i) {
        std::sort(list_ms_[i].begin(), list_ms_[i].end());
        char buf[96];
        std::snprintf(buf, sizeof buf, " %s %.2f/%.2f;", kShapes[i], Pct(list_ms_[i], 0.5),
                      Pct(list_ms_[i], 0.99));
        by += buf;
      }
      row.notes.push_back(by);
    }
    if (workload == "ceiling") ceiling_[c] = *row.ops_per_sec;
    peak = std::max(peak, *row.ops_per_sec);
    out_.Emit(row);
  }
  if (workload == "transition" && opts_.half_rate && peak > 0) {
    // The latency at half the peak throughput: an open-loop schedule, so the requests a slow
    // commit delays count with their full wait.
    const double rate = opts_.paced_rate > 0 ? opts_.paced_rate : peak / 2;
    if (std::string e = PreparePool(pool_size); !e.empty()) {
      out_.Note("# transition@half: preparation failed: " + e);
      return;
    }
    Issue issue = TransitionIssue(max_c);
    Row row = Measure(opts_.paced_rate > 0 ? "transition@rate" : "transition@half", max_c, true,
                      [&](const Window& w) { return RunPaced(max_c, rate, w, issue); });
    row.Add("target_rate", rate);
    row.Add("pool_signoffs_mean", pool_.MeanSignOffs());
    out_.Emit(row);
  }
}

void Bench::Watch() {
  const bool by_item = opts_.watch_filter == "item";
  const int most = *std::max_element(opts_.watchers.begin(), opts_.watchers.end());
  if (std::string err = PreparePool(std::max<size_t>(1024, by_item ? most : 0)); !err.empty()) {
    out_.Note("# watch: preparation failed: " + err);
    return;
  }
  for (int n : opts_.watchers) {
    if (daemon_) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const ProcSample before = daemon_ ? daemon_->Sample() : ProcSample();
    std::vector<std::unique_ptr<Watcher>> watchers;
    // Watcher i's item (by_item): the pool's i-th, which only writer slot i % writers moves.
    std::map<std::string, int> watched;
    for (int i = 0; i < n; ++i) {
      const std::string item = by_item ? pool_.items()[i].id : "";
      if (by_item) watched[item]++;
      watchers.push_back(std::make_unique<Watcher>(client_.watch(i), item));
    }
    // Every stream starts with a progress response: wait until all are live.
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    size_t live = 0;
    while (Clock::now() < deadline) {
      live = std::count_if(watchers.begin(), watchers.end(),
                           [](auto& w) { return w->responses() > 0; });
      if (live == watchers.size()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (daemon_) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const ProcSample opened = daemon_ ? daemon_->Sample() : ProcSample();

    std::map<uint64_t, Ack> acks;
    {
      std::lock_guard lock(acks_mu_);
      acks_ = &acks;
    }
    // Enough writers that the paced rate is not capped by their round trips (a synced commit
    // takes milliseconds).
    const int writers = std::clamp(static_cast<int>(opts_.watch_rate / 25), 8, 128);
    uint64_t rev0 = 0;
    Issue issue = TransitionIssue(writers);
    Row row = Measure("watch", n, false, [&](const Window& w) {
      Window mine = w;
      mine.at_start = [&] {
        rev0 = Revision();
        w.at_start();
      };
      return RunPaced(writers, opts_.watch_rate, mine, issue);
    });
    const uint64_t rev1 = Revision();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the last events' way out
    const ProcSample after = daemon_ ? daemon_->Sample() : ProcSample();
    {
      std::lock_guard lock(acks_mu_);
      acks_ = nullptr;
    }
    for (auto& w : watchers) w->Cancel();
    uint64_t failed = 0;
    for (auto& w : watchers) {
      grpc::Status st = w->Wait();
      if (!st.ok() && st.error_code() != grpc::StatusCode::CANCELLED) ++failed;
    }
    // Every event committed in the window, to every watcher.
    std::vector<float> from_commit, from_ack;
    uint64_t received = 0;
    for (auto& w : watchers) {
      for (const auto& s : w->seen()) {
        if (s.revision <= rev0 || s.revision > rev1) continue;
        ++received;
        from_commit.push_back((s.recv_us - s.event_us) / 1000.0f);
        if (auto it = acks.find(s.revision); it != acks.end()) {
          from_ack.push_back((s.recv_us - it->second.at_us) / 1000.0f);
        }
      }
    }
    std::sort(from_commit.begin(), from_commit.end());
    std::sort(from_ack.begin(), from_ack.end());
    // Every event of the window to every watcher; by item, to the watchers of its item (the
    // writers' acknowledgements say which item each revision moved).
    uint64_t expected = (rev1 - rev0) * static_cast<uint64_t>(n);
    if (by_item) {
      expected = 0;
      for (const auto& [rev, ack] : acks) {
        if (rev <= rev0 || rev > rev1) continue;
        if (auto it = watched.find(ack.item); it != watched.end()) expected += it->second;
      }
    }
    // The row's throughput and latency are the subscribers': events delivered per second and
    // commit-to-subscriber latency. The writer's own figures go in the details.
    const double writer_ops = *row.ops_per_sec, writer_p99 = *row.p99_ms;
    row.ops_per_sec = received / (opts_.duration_s);
    row.p50_ms = Pct(from_commit, 0.50);
    row.p99_ms = Pct(from_commit, 0.99);
    row.p999_ms = Pct(from_commit, 0.999);
    row.errors += failed + (expected > received ? expected - received : 0);
    row.Add("watchers", static_cast<uint64_t>(n));
    row.notes.push_back("filter: " + opts_.watch_filter);
    row.Add("live_watchers", static_cast<uint64_t>(live));
    row.Add("writes_per_sec", writer_ops);
    row.Add("writer_p99_ms", writer_p99, 3);
    row.Add("events", rev1 - rev0);
    row.Add("deliveries", received);
    row.Add("ack_to_subscriber_p50_ms", Pct(from_ack, 0.50), 3);
    row.Add("ack_to_subscriber_p99_ms", Pct(from_ack, 0.99), 3);
    if (daemon_) {
      const double per = (static_cast<double>(opened.rss_kb) - before.rss_kb) / n;
      row.Add("rss_per_watcher_kb", per, 1);
      row.Add("rss_per_watcher_after_writes_kb",
              (static_cast<double>(after.rss_kb) - before.rss_kb) / n, 1);
    } else {
      row.AddNull("rss_per_watcher_kb");
    }
    if (test_clock_) row.notes.push_back("commit time is the daemon's test clock: see ack_to_*");
    out_.Emit(row);
  }
}

void Bench::Remind() {
  if (!test_clock_) {
    out_.Note("# remind: skipped: it moves the daemon's clock, so it needs a rectifyd started "
              "with --test-clock (the bench starts one itself with --data-dir)");
    return;
  }
  // Monday 2026-03-02 08:00 in Shanghai. A share of the items is due on Thursday 03-12 (its
  // before-5 reminder falls on 03-05), the rest on 09-30; at 03-05 09:30 exactly that share is
  // due (nothing is stale yet: that takes ten working days).
  if (!SetClock("2026-03-02T00:00:00Z")) return;
  const uint64_t n = opts_.items;
  const uint64_t every = std::max<uint64_t>(1, std::llround(1.0 / opts_.due_share));
  out_.Note("# preparing: " + std::to_string(n) + " confirmed items, 1 in " +
            std::to_string(every) + " due at the run");
  const auto t0 = Clock::now();
  ChainStats made = DriveChains(
      client_, 0, n, 256,
      [every](uint64_t i) { return MakeCreate(i, i % every == 0 ? "2026-03-12" : "2026-09-30"); },
      [](uint64_t) { return std::vector<v1::Action>{v1::ACTION_CONFIRM}; });
  if (made.errors > 0) {
    out_.Note("# remind: preparation had " + std::to_string(made.errors) +
              " errors, first: " + made.first_error);
  }
  out_.Note("# prepared in " +
            std::to_string(std::chrono::duration<double>(Clock::now() - t0).count()) + " s");
  // A run usually comes after a quiet night, not straight after two million writes: let the
  // flushes and compactions they queued finish first (at most two minutes), so the figures are
  // the run's and repeat from one try to the next.
  if (daemon_) {
    const auto w0 = Clock::now();
    ProcSample prev = daemon_->Sample();
    double cpu = 1;
    while (Clock::now() - w0 < std::chrono::minutes(2)) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      const ProcSample cur = daemon_->Sample();
      cpu = (cur.cpu_s - prev.cpu_s) /
            std::chrono::duration<double>(cur.at - prev.at).count();
      prev = cur;
      if (cpu < 0.05) break;
    }
    out_.Note("# waited " +
              std::to_string(std::chrono::duration<double>(Clock::now() - w0).count()) +
              " s for background work to settle (daemon CPU " + std::to_string(cpu * 100) + "%)");
  }
  if (!SetClock("2026-03-05T01:30:00Z")) return;

  const ProcSample d0 = daemon_ ? daemon_->Sample() : ProcSample();
  if (daemon_) daemon_->ResetPeak();
  // On request, the dry run first: what would fire, from a snapshot.
  double dry_ms = -1;
  uint64_t would_fire = 0;
  if (opts_.remind_dry_run) {
    grpc::ClientContext ctx;
    SetUp(ctx, "bench", std::chrono::seconds(600));
    v1::RunRemindersRequest req;
    req.set_dry_run(true);
    v1::RunRemindersResponse resp;
    const auto s = Clock::now();
    grpc::Status st = client_.reminders().RunReminders(&ctx, req, &resp);
    dry_ms = std::chrono::duration<double, std::milli>(Clock::now() - s).count();
    would_fire = resp.fired_size();
    if (!st.ok()) out_.Note("# remind: dry run: " + st.error_message());
  }
  std::vector<float> runs_ms;
  uint64_t evaluated = 0, fired = 0, deliveries = 0, errors = 0;
  double run_total = 0;
  double empty_ms = -1;
  for (int i = 0; i < 10000; ++i) {
    grpc::ClientContext ctx;
    SetUp(ctx, "bench", std::chrono::seconds(600));
    v1::RunRemindersResponse resp;
    const auto s = Clock::now();
    grpc::Status st = client_.reminders().RunReminders(&ctx, v1::RunRemindersRequest(), &resp);
    const float took = std::chrono::duration<float, std::milli>(Clock::now() - s).count();
    if (!st.ok()) {
      ++errors;
      out_.Note("# remind: run: " + st.error_message());
      break;
    }
    evaluated += resp.items_evaluated();
    fired += resp.fired_size();
    deliveries += resp.deliveries_size();
    if (resp.items_evaluated() == 0) {
      // The check that finds nothing left: not counted with the others, reported as the cost
      // of a run with none due (the scheduler's and a cron job's usual case).
      empty_ms = took;
      break;
    }
    runs_ms.push_back(took);
    run_total += took / 1000;
  }
  const double total = run_total;
  const ProcSample d1 = daemon_ ? daemon_->Sample() : ProcSample();
  std::sort(runs_ms.begin(), runs_ms.end());
  Row row;
  row.workload = "remind";
  row.concurrency = 1;
  row.ops_per_sec = total > 0 ? evaluated / total : 0;  // due items handled per second
  row.p50_ms = Pct(runs_ms, 0.50);
  row.p99_ms = Pct(runs_ms, 0.99);
  row.p999_ms = Pct(runs_ms, 0.999);
  row.errors = errors + made.errors;
  row.Add("items", made.items);
  row.Add("due_share", opts_.due_share, 3);
  row.Add("due_items", evaluated);
  row.Add("reminders_fired", fired);
  if (dry_ms >= 0) row.Add("would_fire_dry_run", would_fire);
  row.Add("deliveries", deliveries);
  row.Add("runs", static_cast<uint64_t>(runs_ms.size()));
  row.Add("total_s", total, 3);
  if (dry_ms >= 0) row.Add("dry_run_ms", dry_ms, 1);
  if (empty_ms >= 0) row.Add("none_due_run_ms", empty_ms, 2);
  if (daemon_) {
    const double wall = std::chrono::duration<double>(d1.at - d0.at).count();
    row.Add("daemon_cpu_pct", 100 * (d1.cpu_s - d0.cpu_s) / wall, 0);
    row.Add("daemon_rss_mb", d1.rss_kb / 1024.0);
    row.Add("daemon_peak_rss_mb", d1.hwm_kb / 1024.0);
  } else {
    row.AddNull("daemon_cpu_pct");
    row.AddNull("daemon_peak_rss_mb");
  }
  row.notes.push_back("p50/p99 are per reminder run (each run handles at most 20000 due items)");
  if (dry_ms >= 0) row.notes.push_back("the run came after the dry run: its reads were warm");
  out_.Emit(row);
}

void Bench::Load(uint64_t target, int concurrency) {
  v1::ServerInfo info;
  if (!client_.Info(&info).ok()) return out_.Note("# load: the daemon does not answer");
  if (info.items_total() >= target) {
    out_.Note("# load: the ledger already holds " + std::to_string(info.items_total()) +
              " items (>= " + std::to_string(target) + "), nothing to add");
    return;
  }
  const uint64_t have = info.items_total(), add = target - have;
  // Three years the built-in calendar covers; each year's items are registered on its
  // 2 January (the test clock), with deadlines from February to December of that year.
  const int years[] = {2024, 2025, 2026};
  const ProcSample d0 = daemon_ ? daemon_->Sample() : ProcSample();
  if (daemon_) daemon_->ResetPeak();
  const auto start = Clock::now();
  ChainStats all;
  for (int k = 0; k < 3; ++k) {
    const int year = years[k];
    const uint64_t from = have + add * k / 3, to = have + add * (k + 1) / 3;
    if (to == from) continue;
    std::function<v1::CreateItemRequest(uint64_t)> create;
    if (test_clock_) {
      if (!SetClock(std::to_string(year) + "-01-01T18:00:00Z")) return;
      create = [year](uint64_t i) {
        const uint64_t h = i * 0x9E3779B97F4A7C15ull >> 33;
        char d[16];
        std::snprintf(d, sizeof d, "%04d-%02d-%02d", year, 2 + static_cast<int>(h % 11),
                      1 + static_cast<int>((h >> 8) % 28));
        return MakeCreate(i, d);
      };
    } else {
      // The daemon's real today: deadlines 7 to 365 days out.
      create = [](uint64_t i) { return MakeCreate(i, "", 7 + static_cast<int>(i % 359)); };
    }
    out_.Note("# load: items " + std::to_string(from) + ".." + std::to_string(to) +
              (test_clock_ ? " (year " + std::to_string(year) + ")" : ""));
    ChainStats part = DriveChains(client_, from, to - from, concurrency, create, LoadActions);
    all.items += part.items;
    all.mutations += part.mutations;
    all.errors += part.errors;
    all.latency_ms.insert(all.latency_ms.end(), part.latency_ms.begin(), part.latency_ms.end());
    if (all.first_error.empty()) all.first_error = part.first_error;
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  const ProcSample d1 = daemon_ ? daemon_->Sample() : ProcSample();
  std::sort(all.latency_ms.begin(), all.latency_ms.end());
  client_.Info(&info);
  Row row;
  row.workload = "load";
  row.concurrency = concurrency;
  row.ops_per_sec = all.mutations / secs;
  row.p50_ms = Pct(all.latency_ms, 0.50);
  row.p99_ms = Pct(all.latency_ms, 0.99);
  row.p999_ms = Pct(all.latency_ms, 0.999);
  row.errors = all.errors;
  row.Add("items_added", all.items);
  row.Add("items_total", info.items_total());
  row.Add("mutations", all.mutations);
  row.Add("seconds", secs, 1);
  row.Add("items_per_sec", all.items / secs);
  if (daemon_) {
    row.Add("daemon_cpu_pct", 100 * (d1.cpu_s - d0.cpu_s) / secs, 0);
    row.Add("daemon_peak_rss_mb", d1.hwm_kb / 1024.0);
  }
  if (!all.first_error.empty()) row.notes.push_back("first error: " + all.first_error);
  std::string counts;
  for (const auto& sc : info.items_by_state()) {
    counts += std::string(counts.empty() ? "" : " ") +
              v1::State_Name(sc.state()).substr(6) + "=" + std::to_string(sc.count());
  }
  row.notes.push_back("states: " + counts);
  row.notes.push_back("ops/s and latency are per mutation (a create or a transition)");
  out_.Emit(row);
  SettleStore();
}

void Bench::SettleStore() {
  // A load leaves RocksDB with compactions to do (hundreds of MB at 1,000,000 items). Measured
  // on that debt, the next runs would time the load's compactions, not their own requests; so
  // the loaded ledger is left as a daemon would have it after a quiet while.
  if (!daemon_) return;
  const auto t0 = std::chrono::steady_clock::now();
  const auto limit = t0 + std::chrono::minutes(15);
  StoreWork w = daemon_->ReadStoreWork();
  if (!w.ok) {
    out_.Note("# the store's settling is unknown (no /metrics)");
    return;
  }
  const double debt_mb = w.pending_compaction_bytes / 1e6;
  while (w.ok && (w.pending_compaction_bytes > 0 || w.running_jobs > 0) &&
         std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    w = daemon_->ReadStoreWork();
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char line[160];
  if (w.ok && w.pending_compaction_bytes == 0 && w.running_jobs == 0) {
    std::snprintf(line, sizeof line,
                  "# the store settled in %.1f s (%.0f MB of compaction pending after the load)",
                  secs, debt_mb);
  } else {
    std::snprintf(line, sizeof line,
                  "# the store did not settle in %.0f s (%.0f MB of compaction still pending)",
                  secs, w.pending_compaction_bytes / 1e6);
  }
  out_.Note(line);
}

}  // namespace rectify::bench
