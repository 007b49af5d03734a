#pragma once

// Starts the test receivers (tests/receivers/http_receiver.py, smtp_sink.py) as child
// processes with posix_spawn, waits for their port file, reads their JSON-lines logs, and
// kills them at the end. Each receiver gets its own temp dir (port file, log, stderr), kept
// when the test failed and removed otherwise.

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace rectify::notify::testing {

// $RECTIFY_PYTHON, or Debian's /usr/bin/python3 (the one with python3-aiosmtpd).
std::string Python();
// RECTIFY_SOURCE_DIR/tests/receivers/<name>
std::string ReceiverScript(const std::string& name);

class Receiver {
 public:
  // script: "http_receiver.py" or "smtp_sink.py"; args are appended after the standard
  // --port-file/--log/--watch-parent.
  explicit Receiver(std::string script, std::vector<std::string> args = {});
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  // Spawns the receiver and waits (up to `timeout`) for its port file. Fails fast, with the
  // receiver's stderr, if it exits first.
  ::testing::AssertionResult Start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Stop();  // SIGTERM, up to 5 s, then SIGKILL; idempotent

  int port() const { return port_; }
  std::string Url(const std::string& path_and_query) const;  // http://127.0.0.1:PORT + path
  const std::string& dir() const { return dir_; }

  // Every record of the log so far, parsed (one JSON object per line).
  std::vector<nlohmann::json> Records() const;
  std::string Stderr() const;

  // http_receiver only: POST /_control with this JSON, e.g. {"mode":"fail500"}.
  ::testing::AssertionResult Control(const std::string& json) const;

 private:
  std::string script_;
  std::vector<std::string> args_;
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Runs a command to completion (stdout/stderr to /dev/null); returns its exit status or -1.
int RunCommand(const std::vector<std::string>& argv);

std::string MakeTempDir(const std::string& tag);
std::string ReadFile(const std::string& path);

}  // namespace rectify::notify::testing
