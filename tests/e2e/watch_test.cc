// WatchService end to end: the real rectifyd, real gRPC clients (blocking readers and the
// callback API) and the real rectifyctl.
//
// The main test runs writers that commit 3,000 changes while several watchers record what they
// see: a fast one, a slow one (small flow-control window, pauses between reads, so the daemon has
// to serve it from the event log), one that disconnects and resumes every 150 events, and
// filtered ones. The daemon is killed with SIGKILL half way and restarted on the same data dir;
// every watcher resumes from the revision after the last one it saw (event or bookmark). A
// checker then compares everything with the event log read back afterwards.

#include <fcntl.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "spawn.h"

namespace rectify::e2e {
namespace {

using namespace std::chrono_literals;
using google::protobuf::util::MessageDifferencer;

const std::string kHex64(64, 'b');
const std::vector<std::string> kUnits = {"办公室", "财务科", "人事科", "纪检组"};
constexpr auto kWait = 30s;

template <typename Pred>
bool WaitUntil(Pred pred, std::chrono::milliseconds timeout = kWait) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The complete lines of `text` (a line still being written is left out).
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

// What a watch request selects, in the API's words (rectify.proto WatchRequest).
bool Wanted(const v1::WatchRequest& req, const v1::Event& e) {
  auto has = [](const auto& list, const auto& v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (!req.item_ids().empty() && !has(req.item_ids(), e.item_id())) return false;
  if (!req.kinds().empty() && !has(req.kinds(), static_cast<int>(e.kind()))) return false;
  if (!req.states().empty() && !has(req.states(), static_cast<int>(e.prev_state())) &&
      !has(req.states(), static_cast<int>(e.item().state()))) {
    return false;
  }
  if (!req.units().empty()) {
    bool any = has(req.units(), e.item().unit());
    for (const auto& u : e.item().co_units()) any = any || has(req.units(), u);
    if (!any) return false;
  }
  return true;
}

// A channel of its own (its own connection), optionally with a small receive window so that a
// reader that pauses really holds the daemon's writes back.
std::shared_ptr<grpc::Channel> OwnChannel(const std::string& addr, bool small_window) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  if (small_window) {
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 8192);
  }
  return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
}

v1::CreateItemRequest NewItem(const std::string& title, const std::string& unit,
                              std::vector<std::string> co_units = {},
                              const std::string& description = "问题描述") {
  v1::CreateItemRequest req;
  auto* it = req.mutable_item();
  it->set_title(title);
  it->set_description(description);
  it->set_source(v1::SOURCE_AUDIT);
  it->set_category(v1::CATEGORY_WORK_STYLE);
  it->set_unit(unit);
  for (auto& u : co_units) it->add_co_units(u);
  it->set_owner("张三");
  it->set_leader("李四");
  it->set_verifier("王五");
  it->add_measures()->set_text("建立制度");
  it->set_deadline("2099-12-31");
  return req;
}

v1::ServerInfo Info(const std::shared_ptr<grpc::Channel>& channel) {
  v1::ServerInfo info;
  auto st = v1::AdminService::NewStub(channel)->GetServerInfo(Context("checker").get(),
                                                              v1::GetServerInfoRequest(), &info);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return info;
}

// Every event of every item, by revision, from GetHistory (item history is never compacted).
std::map<uint64_t, v1::Event> HistoryLog(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::ItemService::NewStub(channel);
  std::map<uint64_t, v1::Event> log;
  std::string page;
  for (int pages = 0; pages < 100; ++pages) {
    v1::ListItemsRequest lreq;
    lreq.set_page_size(1000);
    lreq.set_page_token(page);
    v1::ListItemsResponse items;
    auto st = stub->ListItems(Context("checker").get(), lreq, &items);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) return log;
    for (const auto& item : items.items()) {
      std::string token;
      for (int hp = 0; hp < 100; ++hp) {
        v1::GetHistoryRequest hreq;
        hreq.set_id(item.id());
        hreq.set_page_size(1000);
        hreq.set_page_token(token);
        v1::GetHistoryResponse h;
        auto hst = stub->GetHistory(Context("checker").get(), hreq, &h);
        EXPECT_TRUE(hst.ok()) << hst.error_message();
        for (const auto& e : h.events()) {
          EXPECT_TRUE(log.emplace(e.revision(), e).second)
              << "revision " << e.revision() << " in two histories";
        }
        token = h.next_page_token();
        if (!hst.ok() || token.empty()) break;
      }
    }
    page = items.next_page_token();
    if (page.empty()) break;
  }
  return log;
}

// ------------------------------------------------------------------------------------------
// The daemon's address changes when it restarts (it listens on port 0): everyone asks here.

class Endpoint {
 public:
  void Set(const std::string& addr, std::shared_ptr<grpc::Channel> channel) {
    std::lock_guard lock(mu_);
    addr_ = addr;
    channel_ = std::move(channel);
  }
  std::pair<std::string, std::shared_ptr<grpc::Channel>> Get() const {
    std::lock_guard lock(mu_);
    return {addr_, channel_};
  }

 private:
  mutable std::mutex mu_;
  std::string addr_;
  std::shared_ptr<grpc::Channel> channel_;
};

bool Transient(const grpc::Status& st) {
  switch (st.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
      return true;
    default:
      return false;
  }
}

// ------------------------------------------------------------------------------------------
// Writers: each owns some items and drives them round robin through the workflow (confirm,
// start, then submit / return cycles), with a title update every fourth step. Every call has a
// request id and is retried with it across the daemon's restart, so a mutation that committed
// before the kill is answered, not applied twice.

struct Acked {
  uint64_t revision = 0;
  std::string item;
  uint64_t version = 0;
  v1::EventKind kind = v1::EVENT_KIND_UNSPECIFIED;
  v1::State before = v1::STATE_UNSPECIFIED, after = v1::STATE_UNSPECIFIED;
  std::string actor, request_id;
};

class Writer {
 public:
  Writer(const Endpoint& ep, int index, std::atomic<bool>& abort)
      : ep_(ep), index_(index), abort_(abort) {}

  bool Create(int n, int first) {
    for (int i = first; i < first + n; ++i) {
      std::vector<std::string> co;
      if (i % 5 == 0) co.push_back(kUnits[(i + 1) % kUnits.size()]);
      v1::CreateItemRequest req =
          NewItem("问题" + std::to_string(i), kUnits[i % kUnits.size()], co);
      req.set_request_id(NextRequestId());
      v1::Item item;
      auto st =
          Call("李四", [&](auto& stub, auto& ctx) { return stub.CreateItem(&ctx, req, &item); });
      if (!st.ok()) return Fail("create: " + st.error_message());
      items_.push_back({item.id(), v1::STATE_DRAFT, false, 0});
      Record({item.revision(), item.id(), item.version(), v1::EVENT_KIND_CREATED,
              v1::STATE_UNSPECIFIED, v1::STATE_DRAFT, "李四", req.request_id()});
    }
    return true;
  }

  // Mutates until `budget` is used up.
  bool Run(std::atomic<int>& budget) {
    for (size_t k = 0; !abort_ && budget.fetch_sub(1) > 0; ++k) {
      if (!Step(items_[k % items_.size()])) return false;
    }
    return true;
  }

  const std::vector<std::string>& ids() const { return ids_; }
  std::vector<Acked> acked() const {
    std::lock_guard lock(mu_);
    return acked_;
  }
  size_t acked_count() const {
    std::lock_guard lock(mu_);
    return acked_.size();
  }
  const std::string& failure() const { return failure_; }

 private:
  struct Owned {
    std::string id;
    v1::State state;
    bool has_evidence;
    int steps;
  };

  bool Step(Owned& o) {
    Acked a;
    a.item = o.id;
    a.before = o.state;
    a.request_id = NextRequestId();
    v1::Item out;
    grpc::Status st;
    if (o.steps % 4 == 3) {
      v1::UpdateItemRequest req;
      req.set_id(o.id);
      req.mutable_item()->set_title("问题 " + a.request_id);
      req.mutable_update_mask()->add_paths("title");
      req.set_request_id(a.request_id);
      a.kind = v1::EVENT_KIND_UPDATED;
      a.after = o.state;
      a.actor = "李四";
      st = Call(a.actor, [&](auto& stub, auto& ctx) { return stub.UpdateItem(&ctx, req, &out); });
    } else {
      v1::TransitionRequest req;
      req.set_id(o.id);
      req.set_request_id(a.request_id);
      a.kind = v1::EVENT_KIND_TRANSITIONED;
      switch (o.state) {
        case v1::STATE_DRAFT:
          req.set_action(v1::ACTION_CONFIRM);
          a.actor = "李四";
          a.after = v1::STATE_ASSIGNED;
          break;
        case v1::STATE_ASSIGNED:
          req.set_action(v1::ACTION_START);
          a.actor = "张三";
          a.after = v1::STATE_IN_PROGRESS;
          break;
        case v1::STATE_IN_PROGRESS:
          req.set_action(v1::ACTION_SUBMIT);
          req.set_result("已整改");
          if (!o.has_evidence) {
            auto* ev = req.add_evidence();
            ev->set_name("制度.pdf");
            ev->set_sha256(kHex64);
          }
          a.actor = "张三";
          a.after = v1::STATE_SUBMITTED;
          break;
        default:
          req.set_action(v1::ACTION_RETURN);
          req.set_comment("退回补充");
          a.actor = "李四";
          a.after = v1::STATE_IN_PROGRESS;
          break;
      }
      st = Call(a.actor, [&](auto& stub, auto& ctx) { return stub.Transition(&ctx, req, &out); });
    }
    if (!st.ok()) return Fail(o.id + ": " + st.error_message());
    if (out.state() != a.after) {
      return Fail(o.id + ": state " + v1::State_Name(out.state()) + ", expected " +
                  v1::State_Name(a.after));
    }
    a.revision = out.revision();
    a.version = out.version();
    o.state = a.after;
    o.has_evidence = o.has_evidence || a.after == v1::STATE_SUBMITTED;
    o.steps++;
    Record(a);
    return true;
  }

  template <typename Fn>
  grpc::Status Call(const std::string& actor, Fn fn) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (true) {
      auto stub = v1::ItemService::NewStub(ep_.Get().second);
      auto ctx = Context(actor, 10);
      grpc::Status st = fn(*stub, *ctx);
      if (st.ok() || !Transient(st) || abort_ || std::chrono::steady_clock::now() > deadline) {
        return st;
      }
      std::this_thread::sleep_for(20ms);  // the daemon is restarting: back off, same request id
    }
  }
  std::string NextRequestId() {
    return "w" + std::to_string(index_) + "-" + std::to_string(++seq_);
  }
  void Record(const Acked& a) {
    std::lock_guard lock(mu_);
    acked_.push_back(a);
    if (a.kind == v1::EVENT_KIND_CREATED) ids_.push_back(a.item);
  }
  bool Fail(const std::string& why) {
    failure_ = why;
    return false;
  }

  const Endpoint& ep_;
  const int index_;
  std::atomic<bool>& abort_;
  int seq_ = 0;
  std::vector<Owned> items_;
  std::vector<std::string> ids_;
  mutable std::mutex mu_;
  std::vector<Acked> acked_;
  std::string failure_;
};

// ------------------------------------------------------------------------------------------
// Watchers: a blocking reader on its own thread that records every response and, whenever a
// stream ends (the daemon died, or it hung up on purpose), opens the next one at the revision
// after its position (the last event or bookmark it saw).

struct Received {
  int stream = 0;
  v1::WatchResponse response;
};

struct StreamEnd {
  int stream = 0;
  uint64_t start = 0;
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
};

class Watcher {
 public:
  struct Options {
    std::string name;
    v1::WatchRequest filter{};
    std::chrono::milliseconds pause{0};  // between reads: a slow subscriber
    int hang_up_every = 0;               // events per stream before it disconnects on purpose
    bool small_window = false;
  };

  Watcher(const Endpoint& ep, Options o) : ep_(ep), o_(std::move(o)) {
    o_.filter.set_progress_notify(true);
  }
  ~Watcher() { Abort(); }

  void Start(uint64_t from) {
    thread_ = std::thread([this, from] { Run(from); });
  }
  // Ends once it has seen (an event or a bookmark at) `revision`.
  void StopAt(uint64_t revision) { target_ = revision; }
  void Abort() {
    target_ = 0;
    {
      std::lock_guard lock(mu_);
      if (active_ != nullptr) active_->TryCancel();
    }
    if (thread_.joinable()) thread_.join();
  }
  bool Join(std::chrono::milliseconds timeout) {
    if (!WaitUntil([&] { return done_.load(); }, timeout)) return false;
    thread_.join();
    return true;
  }

  const Options& options() const { return o_; }
  uint64_t position() const { return position_; }
  uint64_t bookmark() const { return bookmark_; }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::vector<StreamEnd> ends() const {
    std::lock_guard lock(mu_);
    return ends_;
  }

 private:
  void Run(uint64_t next) {
    const auto deadline = std::chrono::steady_clock::now() + 90s;
    std::map<std::string, std::shared_ptr<grpc::Channel>> own;
    for (int stream = 0; position_ < target_ && std::chrono::steady_clock::now() < deadline;
         ++stream) {
      auto [addr, channel] = ep_.Get();
      if (o_.small_window) {
        if (!own.count(addr)) own[addr] = OwnChannel(addr, true);
        channel = own[addr];
      }
      auto stub = v1::WatchService::NewStub(channel);
      grpc::ClientContext ctx;
      ctx.AddMetadata("x-rectify-actor", o_.name);
      {
        std::lock_guard lock(mu_);
        if (target_ == 0) break;
        active_ = &ctx;
      }
      v1::WatchRequest req = o_.filter;
      req.set_start_revision(next);
      auto reader = stub->Watch(&ctx, req);
      v1::WatchResponse r;
      int events = 0;
      bool hung_up = false;
      while (reader->Read(&r)) {
        {
          std::lock_guard lock(mu_);
          received_.push_back({stream, r});
        }
        uint64_t p = position_;
        for (const auto& e : r.events()) p = std::max(p, e.revision());
        if (r.events_size() == 0) {
          p = std::max(p, r.revision());
          bookmark_ = std::max<uint64_t>(bookmark_, r.revision());
        }
        position_ = p;
        events += r.events_size();
        if (!hung_up &&
            (position_ >= target_ || (o_.hang_up_every > 0 && events >= o_.hang_up_every))) {
          hung_up = true;
          ctx.TryCancel();  // what arrives until the cancel lands is recorded too
        }
        if (o_.pause.count() > 0) std::this_thread::sleep_for(o_.pause);
      }
      grpc::Status st = reader->Finish();
      {
        std::lock_guard lock(mu_);
        active_ = nullptr;
        ends_.push_back({stream, next, st.error_code(), st.error_message()});
      }
      next = position_ + 1;
      if (!hung_up) std::this_thread::sleep_for(20ms);  // the daemon is restarting: back off
    }
    done_ = true;
  }

  const Endpoint& ep_;
  Options o_;
  std::atomic<uint64_t> target_{UINT64_MAX};
  std::atomic<uint64_t> position_{0};
  std::atomic<uint64_t> bookmark_{0};
  std::atomic<bool> done_{false};
  mutable std::mutex mu_;
  grpc::ClientContext* active_ = nullptr;
  std::vector<Received> received_;
  std::vector<StreamEnd> ends_;
  std::thread thread_;
};

// Checks what one watcher received against the log (revision -> event, 1..end).
void CheckWatcher(const Watcher& w, const std::map<uint64_t, v1::Event>& log, uint64_t from,
                  uint64_t end) {
  SCOPED_TRACE("watcher " + w.options().name);
  const v1::WatchRequest& filter = w.options().filter;
  std::vector<uint64_t> want;
  for (const auto& [rev, e] : log) {
    if (rev >= from && rev <= end && Wanted(filter, e)) want.push_back(rev);
  }
  std::vector<uint64_t> got;
  uint64_t last = 0;  // highest revision vouched for so far, over all its streams
  int bad_bookmarks = 0, bad_order = 0, bad_content = 0, bad_atomic = 0;
  for (const auto& [stream, r] : w.received()) {
    if (r.events_size() == 0) {
      // Bookmarkable: every selected event up to r.revision() has been received.
      const size_t due = std::upper_bound(want.begin(), want.end(), r.revision()) - want.begin();
      if (got.size() != due && bad_bookmarks++ < 3) {
        ADD_FAILURE() << "bookmark at " << r.revision() << " (stream " << stream << ") after "
                      << got.size() << " events; " << due << " selected events are <= it";
      }
      last = std::max(last, r.revision());
      continue;
    }
    // Atomic: a response holds whole revisions, ascending, and says up to where.
    if (r.revision() != r.events().rbegin()->revision() && bad_atomic++ < 3) {
      ADD_FAILURE() << "response revision " << r.revision() << " is not its last event's";
    }
    for (const auto& e : r.events()) {
      // Ordered and unique, across every stream it opened.
      if (e.revision() <= last && bad_order++ < 3) {
        ADD_FAILURE() << "event " << e.revision() << " after " << last << " (stream " << stream
                      << ")";
      }
      last = std::max(last, e.revision());
      got.push_back(e.revision());
      auto it = log.find(e.revision());
      if (it == log.end()) {
        if (bad_content++ < 3) ADD_FAILURE() << "event " << e.revision() << " is not in the log";
      } else if (!MessageDifferencer::Equals(e, it->second) && bad_content++ < 3) {
        ADD_FAILURE() << "event " << e.revision() << " differs from the log:\n"
                      << e.ShortDebugString() << "\nlog:\n"
                      << it->second.ShortDebugString();
      }
    }
  }
  // Reliable and filter-correct: exactly the selected events, none missing, none extra.
  if (got != want) {
    std::vector<uint64_t> missing, extra;
    std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                        std::back_inserter(extra));
    ADD_FAILURE() << "got " << got.size() << " events, want " << want.size() << "; missing "
                  << missing.size() << " (first " << (missing.empty() ? 0 : missing[0])
                  << "), unexpected " << extra.size() << " (first "
                  << (extra.empty() ? 0 : extra[0]) << ")";
  }
}

// ------------------------------------------------------------------------------------------

class WatchE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("watch");
    guard_ = std::make_unique<TempDirGuard>(dir_);
    daemon_ = std::make_unique<Daemon>(dir_);
  }
  void TearDown() override {
    if (daemon_->Running()) daemon_->Stop();
  }
  void Start(const std::string& watch_config) {
    daemon_->WriteConfig("[watch]\n" + watch_config);
    daemon_->Start();
  }
  v1::Item Create(const v1::CreateItemRequest& req) {
    v1::Item item;
    auto st =
        v1::ItemService::NewStub(daemon_->channel())->CreateItem(Context("李四").get(), req, &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return item;
  }
  v1::Item Move(const std::string& id, v1::Action action, const std::string& actor,
                const std::string& comment = "") {
    v1::TransitionRequest req;
    req.set_id(id);
    req.set_action(action);
    req.set_comment(comment);
    v1::Item item;
    auto st =
        v1::ItemService::NewStub(daemon_->channel())->Transition(Context(actor).get(), req, &item);
    EXPECT_TRUE(st.ok()) << v1::Action_Name(action) << " " << id << ": " << st.error_message();
    return item;
  }
  v1::Item Retitle(const std::string& id, const std::string& title) {
    v1::UpdateItemRequest req;
    req.set_id(id);
    req.mutable_item()->set_title(title);
    req.mutable_update_mask()->add_paths("title");
    v1::Item item;
    auto st =
        v1::ItemService::NewStub(daemon_->channel())->UpdateItem(Context("李四").get(), req, &item);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return item;
  }
  std::vector<v1::Event> History(const std::string& id) {
    v1::GetHistoryRequest req;
    req.set_id(id);
    req.set_page_size(1000);
    v1::GetHistoryResponse h;
    auto st =
        v1::ItemService::NewStub(daemon_->channel())->GetHistory(Context("checker").get(), req, &h);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {h.events().begin(), h.events().end()};
  }

  std::string dir_;
  std::unique_ptr<TempDirGuard> guard_;
  std::unique_ptr<Daemon> daemon_;
};

// Stops and joins every thread of a test however it ends (an ASSERT returning early included).
class Cleanup {
 public:
  explicit Cleanup(std::function<void()> fn) : fn_(std::move(fn)) {}
  ~Cleanup() { fn_(); }

 private:
  std::function<void()> fn_;
};

TEST_F(WatchE2ETest, SixGuaranteesUnderLoadSlowResumingFilteredWatchersAndKillNine) {
  constexpr int kItems = 120;
  constexpr int kWriters = 6;
  constexpr int kTotal = 3000;  // events in all: creations + changes
  constexpr int kQueue = 8;
  Start("queue_events = " + std::to_string(kQueue) +
        "\nprogress_interval_ms = 200\nslow_timeout_ms = 30000\n");
  if (HasFatalFailure()) return;
  Endpoint ep;
  ep.Set(daemon_->addr(), daemon_->channel());
  std::atomic<bool> abort{false};
  std::vector<std::unique_ptr<Writer>> writers;
  for (int w = 0; w < kWriters; ++w) writers.push_back(std::make_unique<Writer>(ep, w, abort));
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::vector<std::thread> threads;
  Cleanup cleanup([&] {
    abort = true;
    for (auto& t : threads) t.join();
    for (auto& w : watchers) w->Abort();
  });

  // The items first, so the filtered watchers can name some.
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] { writers[w]->Create(kItems / kWriters, w * kItems / kWriters); });
  }
  for (auto& t : threads) t.join();
  threads.clear();
  std::vector<std::string> ids;
  for (auto& w : writers) {
    ASSERT_EQ(w->failure(), "");
    ids.insert(ids.end(), w->ids().begin(), w->ids().end());
  }
  ASSERT_EQ(ids.size(), static_cast<size_t>(kItems));
  const uint64_t created = Info(daemon_->channel()).revision();
  ASSERT_EQ(created, static_cast<uint64_t>(kItems));

  auto add = [&](Watcher::Options o) {
    watchers.push_back(std::make_unique<Watcher>(ep, std::move(o)));
    return watchers.back().get();
  };
  add({.name = "all"});
  Watcher* slow = add({.name = "slow", .pause = 30ms, .small_window = true});
  Watcher* resumer = add({.name = "resumer", .hang_up_every = 150});
  {
    Watcher::Options o{.name = "five-items"};
    for (int i : {3, 17, 42, 77, 101}) o.filter.add_item_ids(ids[i]);
    add(o);
  }
  {
    Watcher::Options o{.name = "unit"};
    o.filter.add_units("财务科");  // also the co-unit of every fifth item
    add(o);
  }
  {
    Watcher::Options o{.name = "state"};
    o.filter.add_states(v1::STATE_SUBMITTED);
    add(o);
  }
  {
    Watcher::Options o{.name = "kinds"};
    o.filter.add_kinds(v1::EVENT_KIND_CREATED);
    o.filter.add_kinds(v1::EVENT_KIND_UPDATED);
    add(o);
  }
  {
    Watcher::Options o{.name = "unit-and-state"};
    o.filter.add_units("人事科");
    o.filter.add_states(v1::STATE_ASSIGNED);
    add(o);
  }
  for (auto& w : watchers) w->Start(1);
  // Everyone is connected and live (bookmarks come only to live streams) before the changes.
  for (auto& w : watchers) {
    ASSERT_TRUE(WaitUntil([&] { return w->bookmark() >= created; })) << w->options().name;
  }

  std::atomic<int> budget{kTotal - kItems};
  for (int w = 0; w < kWriters; ++w) threads.emplace_back([&, w] { writers[w]->Run(budget); });
  auto acked = [&] {
    size_t n = 0;
    for (auto& w : writers) n += w->acked_count();
    return n;
  };
  // The slow reader falls behind and is served from the log. A live response holds at most the
  // queue bound (queue_events), so a longer one, on its first stream, of changes made after it
  // was live, came from catch-up.
  auto served_from_log = [&] {
    for (const auto& [stream, r] : slow->received()) {
      if (stream == 0 && r.events_size() > kQueue && r.events(0).revision() > created) {
        return true;
      }
    }
    return false;
  };
  // Half way, and once the slow reader is being served from the log: kill -9, and restart on
  // the same data dir (a new port).
  ASSERT_TRUE(WaitUntil([&] { return acked() >= kTotal / 2 && served_from_log(); }, 60s))
      << "acked " << acked() << ", slow reader served from the log: " << served_from_log();
  daemon_->Kill();
  daemon_->Start();
  if (HasFatalFailure()) return;
  ep.Set(daemon_->addr(), daemon_->channel());
  for (auto& t : threads) t.join();
  threads.clear();
  for (auto& w : writers) ASSERT_EQ(w->failure(), "") << "a writer gave up";

  // Exactly one revision per acknowledged mutation: none lost, none applied twice.
  const v1::ServerInfo info = Info(daemon_->channel());
  const uint64_t end = info.revision();
  ASSERT_EQ(end, static_cast<uint64_t>(kTotal));
  EXPECT_EQ(info.compact_revision(), 0u);
  for (auto& w : watchers) w->StopAt(end);
  for (auto& w : watchers) {
    ASSERT_TRUE(w->Join(60s)) << w->options().name << " stuck at " << w->position() << " of "
                              << end;
  }

  // The log, two ways: every item's history, and a fresh unfiltered watch from revision 1.
  const std::map<uint64_t, v1::Event> log = HistoryLog(daemon_->channel());
  ASSERT_EQ(log.size(), end);
  ASSERT_EQ(log.begin()->first, 1u);
  ASSERT_EQ(log.rbegin()->first, end) << "the log has a gap";
  {
    Watcher fresh(ep, {.name = "fresh"});
    fresh.StopAt(end);
    fresh.Start(1);
    ASSERT_TRUE(fresh.Join(30s));
    size_t n = 0;
    for (const auto& [stream, r] : fresh.received()) {
      for (const auto& e : r.events()) {
        ++n;
        ASSERT_TRUE(MessageDifferencer::Equals(e, log.at(e.revision())))
            << "watch and history disagree on revision " << e.revision();
      }
    }
    EXPECT_EQ(n, end);
  }

  // What the writers were told is what the log says, and each event's state before is the
  // state its item was left in by its previous event.
  std::map<uint64_t, Acked> by_revision;
  for (auto& w : writers) {
    for (const auto& a : w->acked()) by_revision[a.revision] = a;
  }
  ASSERT_EQ(by_revision.size(), end);
  std::map<std::string, v1::State> state;
  for (const auto& [rev, e] : log) {
    SCOPED_TRACE("revision " + std::to_string(rev));
    const Acked& a = by_revision.at(rev);
    EXPECT_EQ(e.item_id(), a.item);
    EXPECT_EQ(e.kind(), a.kind);
    EXPECT_EQ(e.actor(), a.actor);
    EXPECT_EQ(e.request_id(), a.request_id);
    EXPECT_EQ(e.item().version(), a.version);
    EXPECT_EQ(e.item().revision(), rev);
    EXPECT_EQ(e.prev_state(), a.before);
    EXPECT_EQ(e.item().state(), a.after);
    auto it = state.find(e.item_id());
    EXPECT_EQ(e.prev_state(), it == state.end() ? v1::STATE_UNSPECIFIED : it->second)
        << "previous state of " << e.item_id();
    state[e.item_id()] = e.item().state();
    if (HasFailure()) break;
  }

  // Every watcher: ordered, unique, no gap, atomic, bookmarks true, filter correct, content
  // identical to the log, across its reconnections and the kill.
  for (auto& w : watchers) {
    CheckWatcher(*w, log, 1, end);
    // It lived through the kill: some stream of it ended without it hanging up.
    bool cut = false;
    for (const auto& e : w->ends()) cut = cut || e.code != grpc::StatusCode::CANCELLED;
    EXPECT_TRUE(cut) << w->options().name << " never lost a stream to the kill";
  }
  // The resumer really resumed, many times, each stream exactly where the last one stopped.
  EXPECT_GE(resumer->ends().size(), 10u);
  EXPECT_TRUE(served_from_log())
      << "the slow watcher never fell behind: the test did not test catch-up";
}

// ------------------------------------------------------------------------------------------

// A callback-API watcher: a read reactor recording what it is sent.
class AsyncWatch final : public grpc::ClientReadReactor<v1::WatchResponse> {
 public:
  AsyncWatch(v1::WatchService::Stub* stub, v1::WatchRequest req) : req_(std::move(req)) {
    ctx_.AddMetadata("x-rectify-actor", "watcher");
    stub->async()->Watch(&ctx_, &req_, this);
    StartRead(&resp_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    {
      std::lock_guard lock(mu_);
      got_.push_back(resp_);
      if (resp_.events_size() == 0) bookmark_ = std::max(bookmark_, resp_.revision());
    }
    StartRead(&resp_);
  }
  void OnDone(const grpc::Status& s) override {
    std::lock_guard lock(mu_);
    status_ = s;
    done_ = true;
  }
  void Cancel() { ctx_.TryCancel(); }
  const v1::WatchRequest& request() const { return req_; }
  uint64_t bookmark() {
    std::lock_guard lock(mu_);
    return bookmark_;
  }
  bool done() {
    std::lock_guard lock(mu_);
    return done_;
  }
  grpc::Status status() {
    std::lock_guard lock(mu_);
    return status_;
  }
  std::vector<v1::WatchResponse> responses() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  grpc::ClientContext ctx_;
  v1::WatchRequest req_;
  v1::WatchResponse resp_;
  std::mutex mu_;
  std::vector<v1::WatchResponse> got_;
  uint64_t bookmark_ = 0;
  bool done_ = false;
  grpc::Status status_;
};

// Runs fn(i) for i in [0, n) on `threads` threads.
void ParallelFor(int n, int threads, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& t : pool) t.join();
}

TEST_F(WatchE2ETest, ThousandFilteredWatchersEachGetExactlyTheirItemsEvents) {
  constexpr int kWatchers = 1000;
  Start("progress_interval_ms = 200\n");
  if (HasFatalFailure()) return;
  std::vector<std::string> ids(kWatchers);
  std::atomic<int> failed{0};
  ParallelFor(kWatchers, 16, [&](int i) {
    v1::Item item;
    auto st = v1::ItemService::NewStub(daemon_->channel())
                  ->CreateItem(Context("李四").get(),
                               NewItem("问题" + std::to_string(i), kUnits[i % 4]), &item);
    if (!st.ok()) ++failed;
    ids[i] = item.id();
  });
  ASSERT_EQ(failed, 0);
  const uint64_t base = Info(daemon_->channel()).revision();

  // 1,000 streams over 4 connections, each for one item, from the next revision on.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::WatchService::Stub>> stubs;
  for (int c = 0; c < 4; ++c) {
    channels.push_back(OwnChannel(daemon_->addr(), false));
    stubs.push_back(v1::WatchService::NewStub(channels.back()));
  }
  std::vector<std::unique_ptr<AsyncWatch>> watches;
  Cleanup cleanup([&] {
    for (auto& w : watches) w->Cancel();
    for (auto& w : watches) {
      if (!WaitUntil([&] { return w->done(); }, 10s)) {
        ADD_FAILURE() << "a watch never finished after cancel";
        (void)w.release();  // gRPC may still call it: never free it
      }
    }
  });
  for (int i = 0; i < kWatchers; ++i) {
    v1::WatchRequest req;
    req.set_start_revision(base + 1);
    req.add_item_ids(ids[i]);
    req.set_progress_notify(true);
    watches.push_back(std::make_unique<AsyncWatch>(stubs[i % 4].get(), req));
  }
  // All connected and live.
  ASSERT_TRUE(WaitUntil([&] {
    for (auto& w : watches) {
      if (w->bookmark() < base) return false;
    }
    return true;
  })) << "not every watcher got its first bookmark";

  // Changes to some items: every fourth is confirmed and started, every tenth (+1) retitled.
  ParallelFor(kWatchers / 4, 16, [&](int k) { Move(ids[4 * k], v1::ACTION_CONFIRM, "李四"); });
  ParallelFor(kWatchers / 4, 16, [&](int k) { Move(ids[4 * k], v1::ACTION_START, "张三"); });
  ParallelFor(kWatchers / 10, 16, [&](int k) { Retitle(ids[10 * k + 1], "新标题"); });
  const uint64_t end = Info(daemon_->channel()).revision();
  ASSERT_EQ(end - base, static_cast<uint64_t>(kWatchers / 4 * 2 + kWatchers / 10));

  ASSERT_TRUE(WaitUntil([&] {
    for (auto& w : watches) {
      if (w->bookmark() < end) return false;
    }
    return true;
  })) << "not every watcher got a bookmark at "
      << end;

  // The reference: the items' own histories.
  std::map<std::string, std::vector<v1::Event>> history;
  for (int i = 0; i < kWatchers; ++i) {
    if (i % 4 == 0 || i % 10 == 1) history[ids[i]] = History(ids[i]);
  }
  int with_events = 0;
  for (int i = 0; i < kWatchers; ++i) {
    SCOPED_TRACE("watcher of " + ids[i]);
    std::vector<v1::Event> want;
    for (const auto& e : history[ids[i]]) {
      if (e.revision() > base) want.push_back(e);
    }
    std::vector<v1::Event> got;
    for (const auto& r : watches[i]->responses()) {
      for (const auto& e : r.events()) got.push_back(e);
    }
    EXPECT_FALSE(watches[i]->done()) << watches[i]->status().error_message();
    ASSERT_EQ(got.size(), want.size());
    for (size_t k = 0; k < got.size(); ++k) {
      ASSERT_TRUE(MessageDifferencer::Equals(got[k], want[k]))
          << "event " << k << ": " << got[k].ShortDebugString();
    }
    with_events += !got.empty();
  }
  EXPECT_EQ(with_events, kWatchers / 4 + kWatchers / 10);
}

// ------------------------------------------------------------------------------------------

TEST_F(WatchE2ETest, CompactedStartIsOutOfRangeWithTheCompactRevision) {
  Start("retention_count = 20\nprogress_interval_ms = 200\n");
  if (HasFatalFailure()) return;
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    ids.push_back(Create(NewItem("问题" + std::to_string(i), kUnits[0])).id());
  }
  for (const auto& id : ids) Move(id, v1::ACTION_CONFIRM, "李四");
  for (const auto& id : ids) Move(id, v1::ACTION_START, "张三");
  for (int i = 0; i < 20; ++i) Retitle(ids[i % 10], "标题" + std::to_string(i));
  ASSERT_EQ(Info(daemon_->channel()).revision(), 50u);
  // Compaction runs in the background (on start-up and then every few seconds).
  daemon_->Stop();
  daemon_->Start();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(WaitUntil([&] { return Info(daemon_->channel()).compact_revision() == 31; }))
      << "compact revision " << Info(daemon_->channel()).compact_revision();

  auto stub = v1::WatchService::NewStub(daemon_->channel());
  for (uint64_t from : {1u, 30u}) {
    SCOPED_TRACE("from " + std::to_string(from));
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-rectify-actor", "watcher");
    ctx.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::WatchRequest req;
    req.set_start_revision(from);
    auto reader = stub->Watch(&ctx, req);
    v1::WatchResponse r;
    EXPECT_FALSE(reader->Read(&r)) << "a partial answer: " << r.ShortDebugString();
    grpc::Status st = reader->Finish();
    EXPECT_EQ(st.error_code(), grpc::StatusCode::OUT_OF_RANGE) << st.error_message();
    EXPECT_NE(st.error_message().find("31"), std::string::npos) << st.error_message();
    v1::WatchResponse details;
    ASSERT_TRUE(details.ParseFromString(st.error_details())) << "details are a WatchResponse";
    EXPECT_EQ(details.compact_revision(), 31u);
    auto trailer = ctx.GetServerTrailingMetadata().find("x-rectify-resume-revision");
    ASSERT_NE(trailer, ctx.GetServerTrailingMetadata().end());
    EXPECT_EQ(std::string(trailer->second.data(), trailer->second.size()), "31");
  }

  // From the compact revision on: every retained event, identical to the items' histories.
  std::map<uint64_t, v1::Event> log = HistoryLog(daemon_->channel());
  ASSERT_EQ(log.size(), 50u) << "item history is never compacted";
  Endpoint ep;
  ep.Set(daemon_->addr(), daemon_->channel());
  Watcher w(ep, {.name = "from-compact"});
  w.StopAt(50);
  w.Start(31);
  ASSERT_TRUE(w.Join(20s));
  CheckWatcher(w, log, 31, 50);

  // rectifyctl says what happened and where to resume.
  auto r = Ctl(daemon_->addr(), "watcher", {"-o", "json", "watch", "--from", "5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("OUT_OF_RANGE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resume with: rectifyctl --addr " + daemon_->addr() +
                       " --as watcher -o json watch --from 31"),
            std::string::npos)
      << r.err;
}

// ------------------------------------------------------------------------------------------

// rectifyctl in the background: its stdout and stderr go to files the test reads as it runs.
class Background {
 public:
  explicit Background(std::vector<std::string> args) : dir_(MakeTempDir("ctl-bg")) {
    args.insert(args.begin(), BinaryPath("rectifyctl"));
    pid_ = test_support::SpawnChild(args, {.out = dir_ + "/out", .err = dir_ + "/err"});
    EXPECT_GT(pid_, 0) << "cannot start rectifyctl";
  }
  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string out() const { return ReadFile(dir_ + "/out"); }
  std::string err() const { return ReadFile(dir_ + "/err"); }
  void Signal(int sig) { kill(pid_, sig); }
  // Its exit code (128 + signal if a signal ended it), or -1 if it is still running by then.
  int Wait(std::chrono::milliseconds timeout) {
    int status = 0;
    if (!WaitUntil([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, timeout)) return -1;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

struct CtlOutput {
  std::vector<v1::Event> events;
  uint64_t last = 0;  // the last revision an event or a progress line vouched for
};

// Every line of `rectifyctl -o json watch` is one JSON object: an event, or a progress line.
CtlOutput ParseWatchLines(const std::string& out) {
  static const std::regex kProgress(R"re(\{"progress":\{"revision":"(\d+)"\}\})re");
  CtlOutput o;
  for (const auto& line : Lines(out)) {
    std::smatch m;
    if (std::regex_match(line, m, kProgress)) {
      o.last = std::max<uint64_t>(o.last, std::stoull(m[1]));
      continue;
    }
    EXPECT_TRUE(line.size() > 2 && line.front() == '{' && line.back() == '}')
        << "not one JSON object: " << line;
    o.events.push_back(FromJson<v1::Event>(line));
    o.last = std::max(o.last, o.events.back().revision());
  }
  return o;
}

TEST_F(WatchE2ETest, RectifyctlPrintsOneJsonObjectPerLineAndHowToResume) {
  Start("progress_interval_ms = 200\n");
  if (HasFatalFailure()) return;
  const std::string mine = Create(NewItem("会议记录不规范", "办公室")).id();
  const std::string other = Create(NewItem("报销不规范", "财务科")).id();
  const std::vector<std::string> common = {"--addr", daemon_->addr(), "--as", "watcher",
                                           "-o",     "json",          "watch"};
  auto args = [&](uint64_t from) {
    std::vector<std::string> a = common;
    a.insert(a.end(), {"--from", std::to_string(from), "--item", mine, "--progress-notify"});
    return a;
  };
  auto count_events = [](const Background& b) { return ParseWatchLines(b.out()).events.size(); };

  uint64_t resume_from = 0;
  {
    Background ctl(args(1));
    ASSERT_TRUE(WaitUntil([&] { return count_events(ctl) == 1; })) << ctl.err();
    Move(mine, v1::ACTION_CONFIRM, "李四");
    Move(other, v1::ACTION_CONFIRM, "李四");
    Move(mine, v1::ACTION_START, "张三");
    Retitle(other, "新标题");
    ASSERT_TRUE(WaitUntil([&] { return count_events(ctl) == 3; })) << ctl.out();
    ctl.Signal(SIGINT);  // Ctrl-C: how a person stops watching, not an error
    ASSERT_EQ(ctl.Wait(10s), 0) << ctl.err();
    const CtlOutput o = ParseWatchLines(ctl.out());
    const auto history = History(mine);
    ASSERT_EQ(o.events.size(), history.size());
    for (size_t i = 0; i < history.size(); ++i) {
      EXPECT_TRUE(MessageDifferencer::Equals(o.events[i], history[i]))
          << o.events[i].ShortDebugString();
    }
    const std::string err = ctl.err();
    EXPECT_NE(err.find("stream ended at revision " + std::to_string(o.last) +
                       " (CANCELLED: interrupted)"),
              std::string::npos)
        << err;
    resume_from = o.last + 1;
    EXPECT_NE(err.find("resume with: rectifyctl --addr " + daemon_->addr() +
                       " --as watcher -o json watch --from " + std::to_string(resume_from) +
                       " --item " + mine + " --progress-notify"),
              std::string::npos)
        << err;
  }

  // Following the hint: only what came after, then the daemon shuts down under it.
  Background ctl(args(resume_from));
  Retitle(mine, "会议记录不规范（修订）");
  ASSERT_TRUE(WaitUntil([&] { return count_events(ctl) == 1; })) << ctl.err();
  const CtlOutput before = ParseWatchLines(ctl.out());
  EXPECT_EQ(before.events[0].revision(), History(mine).back().revision());
  EXPECT_GE(before.events[0].revision(), resume_from);
  daemon_->Stop();
  ASSERT_EQ(ctl.Wait(10s), 1) << "a stream ended by the daemon is an error; " << ctl.err();
  const CtlOutput o = ParseWatchLines(ctl.out());
  const std::string err = ctl.err();
  EXPECT_NE(err.find("stream ended at revision " + std::to_string(o.last) + " (UNAVAILABLE"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("--from " + std::to_string(o.last + 1) + " --item " + mine), std::string::npos)
      << err;
}

// ------------------------------------------------------------------------------------------

TEST_F(WatchE2ETest, StalledSubscriberIsEndedWithTheRevisionItCanResumeFrom) {
  Start("queue_events = 16\nslow_timeout_ms = 1000\nprogress_interval_ms = 60000\n");
  if (HasFatalFailure()) return;
  auto channel = OwnChannel(daemon_->addr(), /*small_window=*/true);
  auto stub = v1::WatchService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("x-rectify-actor", "stalled");
  ctx.set_deadline(std::chrono::system_clock::now() + 40s);
  v1::WatchRequest req;
  auto reader = stub->Watch(&ctx, req);
  v1::WatchResponse r;
  ASSERT_TRUE(reader->Read(&r));  // connected: the first bookmark
  ASSERT_EQ(r.events_size(), 0);

  // ~1.5 MB of events the subscriber does not read (far more than its flow-control window).
  constexpr int kItems = 400;
  ParallelFor(kItems, 8, [&](int i) {
    Create(NewItem("问题" + std::to_string(i), kUnits[i % 4], {}, std::string(3500, 'x')));
  });
  ASSERT_EQ(Info(daemon_->channel()).revision(), static_cast<uint64_t>(kItems));
  // The cut-off is time-based (slow_timeout_ms, checked every 200 ms) and nothing a client
  // can see shows it before reading, so give it several timeouts.
  std::this_thread::sleep_for(4s);

  std::vector<uint64_t> got;
  while (reader->Read(&r)) {
    for (const auto& e : r.events()) got.push_back(e.revision());
  }
  grpc::Status st = reader->Finish();
  ASSERT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << st.error_message() << " after " << got.size() << " events";
  EXPECT_LT(got.size(), static_cast<size_t>(kItems)) << "it was cut off, not drained";
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], i + 1) << "gap before the cut-off";
  auto trailer = ctx.GetServerTrailingMetadata().find("x-rectify-resume-revision");
  ASSERT_NE(trailer, ctx.GetServerTrailingMetadata().end());
  const uint64_t resume = std::stoull(std::string(trailer->second.data(), trailer->second.size()));
  EXPECT_NE(st.error_message().find("resume with start_revision=" + std::to_string(resume)),
            std::string::npos)
      << st.error_message();
  EXPECT_NE(st.error_message().find("last revision sent " + std::to_string(resume - 1)),
            std::string::npos)
      << st.error_message();
  // By the time the status arrives the subscriber also has the response that was in flight when
  // the daemon gave up (gRPC sends a stream's messages before its trailers). So the revision to
  // resume from is the one after the last it received: lower repeats events, higher skips some.
  ASSERT_FALSE(got.empty());
  EXPECT_LE(resume, got.back() + 1) << "resuming from " << resume << " skips events";
  EXPECT_EQ(resume, got.back() + 1)
      << "the subscriber received up to revision " << got.back() << " but is told \""
      << st.error_message() << "\": resuming there repeats " << got.back() + 1 - resume
      << " events it already has";

  Endpoint ep;
  ep.Set(daemon_->addr(), daemon_->channel());
  Watcher again(ep, {.name = "resumed"});
  again.StopAt(kItems);
  again.Start(resume);
  ASSERT_TRUE(again.Join(20s));
  CheckWatcher(again, HistoryLog(daemon_->channel()), resume, kItems);
}

}  // namespace
}  // namespace rectify::e2e
