#pragma once

// Shared by the reliability tests (issue #8): tests/e2e/reliability_test.cc and the crash loop
// in tests/crash/. Real processes only: the rectifyd binary (also as `rectifyd --check`), the
// HTTP receiver from tests/receivers, environment-driven failpoints.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.h"
#include "rectify/v1/rectify.grpc.pb.h"

namespace rectify::e2e {

// Polls until pred() holds; false after the timeout.
bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(50));

// Sets an environment variable for the daemons started while it lives (posix_spawn passes the
// test's environment on), then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value);
  ~ScopedEnv();

 private:
  std::string name_;
  bool had_ = false;
  std::string old_;
};

// `rectifyd --check DIR [--config FILE]`: exit code and everything it printed.
struct CheckResult {
  int exit_code = -1;
  std::string out;  // one line per problem
  std::string err;  // the summary line
};
CheckResult RunCheck(const std::string& db_dir, const std::string& config = "");

// tests/receivers/http_receiver.py, started on a free port, stopped with the test.
class HttpReceiver {
 public:
  explicit HttpReceiver(const std::string& dir);
  ~HttpReceiver();
  int port() const { return port_; }
  std::vector<nlohmann::json> Requests() const;  // every request recorded, in order
  void SetMode(const std::string& mode);

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string port_file_, log_;
};

// True while the daemon's process still answers; a crashed one is reaped by Daemon::Kill.
bool Answers(Daemon& daemon);

// Whether this build compiled the failpoints in (cmake -DRECTIFY_FAILPOINTS=ON).
constexpr bool kFailpoints =
#ifdef RECTIFY_FAILPOINTS
    true;
#else
    false;
#endif

// A create request the domain accepts as it is: an item with a deadline, owner 张三.
v1::CreateItemRequest NewItem(const std::string& title, const std::string& deadline,
                              const std::string& request_id = "");

// The peak resident memory (VmHWM, KiB) of the rectifyd serving `data_dir` (found by its
// command line in /proc); 0 when not found.
long PeakRssKb(const std::string& data_dir);

// Reads the whole file.
std::string Slurp(const std::string& path);

}  // namespace rectify::e2e
