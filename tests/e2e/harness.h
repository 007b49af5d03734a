#pragma once

// End-to-end harness: starts the real rectifyd binary on 127.0.0.1:0 with a temp data dir,
// waits until it answers the gRPC health check, fails fast if the child exits, and runs the
// real rectifyctl. A failed test keeps its data dir (the path is printed); a passed one
// removes it.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "rectify/v1/rectify.grpc.pb.h"

namespace rectify::e2e {

std::string BinaryPath(const char* name);  // from the RECTIFYD_BIN / RECTIFYCTL_BIN env or build
std::string MakeTempDir(const std::string& tag);

class Daemon {
 public:
  explicit Daemon(std::string data_dir, std::vector<std::string> extra_args = {});
  ~Daemon();

  void Start();           // ASSERTs that it comes up
  // Starts it expecting it to refuse to run: returns its exit code, the log in *log.
  int StartExpectingExit(std::string* log);
  void Stop();            // SIGTERM and wait; ASSERTs a clean exit
  void Kill();            // SIGKILL and wait
  void Signal(int sig);   // e.g. SIGHUP (reload the config); does not wait
  bool Running() const { return pid_ > 0; }
  const std::string& addr() const { return addr_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }
  std::shared_ptr<grpc::Channel> channel();
  std::string ConfigPath() const { return data_dir_ + ".toml"; }
  void WriteConfig(const std::string& toml);  // used by the next Start
  // Credentials for channel() and the start-up probe (TLS); default insecure.
  void UseCredentials(std::shared_ptr<grpc::ChannelCredentials> creds,
                      std::string ssl_target_override = "") {
    credentials_ = std::move(creds);
    ssl_target_ = std::move(ssl_target_override);
  }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::string addr_;
  std::string log_path_;
  pid_t pid_ = -1;
  std::shared_ptr<grpc::Channel> channel_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string ssl_target_;
  bool has_config_ = false;
};

// Sanitizer builds (deploy/run-sanitizers.sh) send each process's report to
// $RECTIFY_SANITIZER_LOG.<pid> (the sanitizers' log_path) rather than to its stderr, which the
// tests redirect and often discard. Adds a test failure quoting the report if the child `pid`
// (rectifyd, rectifyctl) left one, so a report fails the test that started that process, and
// does not rest on the script's final sweep alone. A no-op outside the sanitizer run.
void ExpectNoSanitizerReport(pid_t pid, const std::string& what);

struct CtlResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs rectifyctl --addr ADDR [--as ACTOR] ARGS..., capturing stdout and stderr.
CtlResult Ctl(const std::string& addr, const std::string& actor,
              const std::vector<std::string>& args);

// Parses rectifyctl's -o json output into a message; ADD_FAILURE on a parse error.
template <typename M>
M FromJson(const std::string& json);

// The item most tests register: "台账更新不及时", found in an inspection, unit 办公室, owner 张三,
// leader 李四, verifier 王五, one measure, the given deadline. Tests change what they need.
v1::CreateItemRequest OrdinaryItem(const std::string& deadline,
                                   const std::string& title = "台账更新不及时");

// A gRPC client context naming the caller.
std::unique_ptr<grpc::ClientContext> Context(const std::string& actor, int timeout_s = 30);

// Keeps the temp data dir of a failed test and removes it on success.
class TempDirGuard {
 public:
  explicit TempDirGuard(std::string dir) : dir_(std::move(dir)) {}
  ~TempDirGuard();

 private:
  std::string dir_;
};

// Joins a test's helper threads when the scope ends, after `stop` has told them to finish, also
// when a failed ASSERT returns early: the test then fails instead of aborting the whole binary on
// a joinable std::thread. Declare it after the threads.
class JoinOnExit {
 public:
  JoinOnExit(std::vector<std::thread>& threads, std::function<void()> stop)
      : threads_(threads), stop_(std::move(stop)) {}
  ~JoinOnExit() {
    stop_();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  JoinOnExit(const JoinOnExit&) = delete;
  JoinOnExit& operator=(const JoinOnExit&) = delete;

 private:
  std::vector<std::thread>& threads_;
  std::function<void()> stop_;
};

}  // namespace rectify::e2e
