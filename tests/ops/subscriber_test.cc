// The Python example subscriber (client/examples/watch_subscriber.py, Debian's python3-grpcio)
// against the real daemon: it watches, the daemon is stopped with SIGTERM and started again on
// the same data dir on another port (the subscriber finds it through the address file it
// re-reads), more changes are committed, and every event must have been printed exactly once,
// in revision order, across the restart. This proves the API from a second gRPC implementation.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "harness.h"
#include "process.h"
#include "rectify/v1/rectify.grpc.pb.h"

namespace rectify::ops {
namespace {

using namespace std::chrono_literals;
using e2e::Ctl;
using e2e::Daemon;
using e2e::FromJson;

const std::string kScript =
    std::string(RECTIFY_SOURCE_DIR) + "/client/examples/watch_subscriber.py";

struct Printed {
  uint64_t revision = 0;
  std::string kind, item;
};

// "17 TRANSITIONED 2026-000003 DRAFT->ASSIGNED action=CONFIRM actor=李四"
std::vector<Printed> ParseOutput(const std::string& out) {
  std::vector<Printed> events;
  for (const auto& line : Lines(out)) {
    std::istringstream in(line);
    Printed p;
    in >> p.revision >> p.kind >> p.item;
    events.push_back(p);
  }
  return events;
}

class SubscriberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = e2e::MakeTempDir("ops-sub");
    guard_ = std::make_unique<e2e::TempDirGuard>(dir_);
    daemon_ = std::make_unique<Daemon>(dir_);
  }
  void TearDown() override {
    if (sub_ > 0) {
      kill(sub_, SIGKILL);
      WaitExit(sub_);
    }
    if (HasFailure()) {
      std::fprintf(stderr, "subscriber stdout:\n%s\nsubscriber stderr:\n%s\n",
                   ReadFile(out_path()).c_str(), ReadFile(err_path()).c_str());
    }
  }
  std::string out_path() const { return dir_ + "/subscriber.out"; }
  std::string err_path() const { return dir_ + "/subscriber.err"; }

  // A rectifyctl command that must succeed; returns the item it printed (-o json).
  v1::Item Ok(const std::string& actor, std::vector<std::string> args) {
    args.push_back("-o");
    args.push_back("json");
    e2e::CtlResult r = Ctl(daemon_->addr(), actor, args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    return FromJson<v1::Item>(r.out);
  }
  v1::Item Create(const std::string& title) {
    // clang-format off
    return Ok("李四", {"create", "--title", title, "--description", "问题描述",
                      "--source", "审计", "--category", "作风", "--unit", "办公室",
                      "--owner", "张三", "--leader", "李四", "--verifier", "王五",
                      "--measure", "建立制度", "--deadline", "2099-12-31"});
    // clang-format on
  }

  // Waits until the subscriber has printed up to `revision`; fails fast if it exits.
  void WaitPrinted(uint64_t revision) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (true) {
      auto printed = ParseOutput(ReadFile(out_path()));
      if (!printed.empty() && printed.back().revision >= revision) return;
      int status = 0;
      if (waitpid(sub_, &status, WNOHANG) == sub_) {
        sub_ = -1;
        FAIL() << "the subscriber exited (status " << status << ") before revision " << revision;
      }
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "the subscriber did not print revision " << revision;
      std::this_thread::sleep_for(20ms);
    }
  }

  std::string dir_;
  std::unique_ptr<e2e::TempDirGuard> guard_;
  std::unique_ptr<Daemon> daemon_;
  pid_t sub_ = -1;
};

TEST_F(SubscriberTest, PrintsEveryEventOnceInOrderAcrossADaemonRestart) {
  const std::string stubs = std::string(RECTIFY_PY_STUBS) + "/rectify/v1/rectify_pb2.py";
  ASSERT_TRUE(std::filesystem::exists(stubs))
      << "no Python stubs at " << stubs << ": " RECTIFY_PYTHON " needs python3-grpcio and "
      << "python3-grpc-tools (deploy/install-deps.sh installs them); reconfigure the build";
  daemon_->Start();
  if (HasFatalFailure()) return;
  const std::string first_addr = daemon_->addr();

  // Started with no --from: it pins "now" (revision 0 here) and watches from revision 1.
  sub_ = Spawn({RECTIFY_PYTHON, kScript, "--addr-file", dir_ + ".addr", "--stubs", RECTIFY_PY_STUBS,
                "--as", "订阅者", "--max-backoff", "0.3"},
               out_path(), err_path());
  ASSERT_GT(sub_, 0) << "cannot start " RECTIFY_PYTHON;
  // Commit only once it has pinned its start, or "now" would lie after the first changes.
  for (auto deadline = std::chrono::steady_clock::now() + 15s;
       ReadFile(err_path()).find("watching ") == std::string::npos;) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the subscriber never watched";
    std::this_thread::sleep_for(20ms);
  }

  // What was committed, by revision, from the answers.
  std::map<uint64_t, Printed> committed;
  auto note = [&](const v1::Item& item, const std::string& kind) {
    committed[item.revision()] = {item.revision(), kind, item.id()};
  };

  // Before the restart: creates and transitions.
  v1::Item a = Create("制度不健全");
  note(a, "CREATED");
  v1::Item b = Create("台账不规范");
  note(b, "CREATED");
  note(Ok("李四", {"confirm", a.id(), "--comment", "确认"}), "TRANSITIONED");
  note(Ok("张三", {"start", a.id()}), "TRANSITIONED");
  ASSERT_FALSE(HasFailure());
  WaitPrinted(committed.rbegin()->first);
  if (HasFatalFailure()) return;

  // SIGTERM; the subscriber's stream ends with UNAVAILABLE. Back on the same data dir, on a
  // new port; changes go in at once, whether or not the subscriber is back yet.
  daemon_->Stop();
  if (HasFatalFailure()) return;
  daemon_->Start();
  if (HasFatalFailure()) return;
  ASSERT_NE(daemon_->addr(), first_addr) << "the restart was meant to move the port";
  note(Ok("张三", {"progress", a.id(), "--note", "已起草制度"}), "PROGRESS_ADDED");
  v1::Item c = Create("公示不及时");
  note(c, "CREATED");
  note(Ok("李四", {"confirm", b.id(), "--comment", "确认"}), "TRANSITIONED");
  note(Ok("李四", {"update", c.id(), "--title", "公示不及时（补）"}), "UPDATED");
  ASSERT_FALSE(HasFailure());

  // Everything the daemon committed: revisions 1..R, no gap.
  auto stub = v1::AdminService::NewStub(daemon_->channel());
  v1::ServerInfo info;
  ASSERT_TRUE(stub->GetServerInfo(e2e::Context("").get(), {}, &info).ok());
  ASSERT_EQ(info.revision(), committed.rbegin()->first) << "unexpected extra revisions";
  WaitPrinted(info.revision());
  if (HasFatalFailure()) return;

  kill(sub_, SIGTERM);
  int code = WaitExit(sub_);
  sub_ = -1;
  EXPECT_EQ(code, 0) << "the subscriber did not stop cleanly on SIGTERM";

  std::vector<Printed> printed = ParseOutput(ReadFile(out_path()));
  ASSERT_EQ(printed.size(), info.revision()) << "every event exactly once";
  for (size_t i = 0; i < printed.size(); ++i) {
    SCOPED_TRACE("line " + std::to_string(i + 1));
    EXPECT_EQ(printed[i].revision, i + 1) << "in revision order, no gap, no duplicate";
    const Printed& want = committed[i + 1];
    EXPECT_EQ(printed[i].kind, want.kind);
    EXPECT_EQ(printed[i].item, want.item);
  }

  // It did live through the restart: the stream ended by the shutdown and it watched again,
  // at the new address, from where it had stopped.
  std::string err = ReadFile(err_path());
  EXPECT_NE(err.find("stream ended: UNAVAILABLE"), std::string::npos) << err;
  EXPECT_NE(err.find("watching " + first_addr + " from revision 1"), std::string::npos) << err;
  EXPECT_NE(err.find("watching " + daemon_->addr() + " from revision 5"), std::string::npos) << err;
}

}  // namespace
}  // namespace rectify::ops
