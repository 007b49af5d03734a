#pragma once

// Small helpers of the ops tests: read and write files, run a command with extra environment
// and collect its exit code and output, start a background process with its output in files.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "spawn.h"

extern char** environ;

namespace rectify::ops {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

inline bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

inline void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
}

// The current environment with `overrides` set.
class Env {
 public:
  explicit Env(const std::map<std::string, std::string>& overrides = {}) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      std::string key = kv.substr(0, kv.find('='));
      if (!overrides.count(key)) strings_.push_back(kv);
    }
    for (const auto& [k, v] : overrides) strings_.push_back(k + "=" + v);
    for (auto& s : strings_) ptrs_.push_back(s.data());
    ptrs_.push_back(nullptr);
  }
  char** get() { return ptrs_.data(); }

 private:
  std::vector<std::string> strings_;
  std::vector<char*> ptrs_;
};

// Starts args[0] with stdin from /dev/null and stdout/stderr appended to the given files.
// Returns the pid, or -1.
inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out_path,
                   const std::string& err_path, Env env = Env()) {
  return test_support::SpawnChild(args, {.out = out_path, .err = err_path, .append = true},
                                  env.get());
}

// Exit code, or 128 + signal.
inline int WaitExit(pid_t pid) { return test_support::WaitChild(pid); }

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};

// Runs a command to completion in `scratch` (a directory for its output files).
inline RunResult RunCommand(const std::vector<std::string>& args, const std::string& scratch,
                            Env env = Env()) {
  static int counter = 0;
  std::string base = scratch + "/run-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
  RunResult r;
  pid_t pid = Spawn(args, base + ".out", base + ".err", std::move(env));
  if (pid > 0) r.exit_code = WaitExit(pid);
  r.out = ReadFile(base + ".out");
  r.err = ReadFile(base + ".err");
  std::error_code ec;
  std::filesystem::remove(base + ".out", ec);
  std::filesystem::remove(base + ".err", ec);
  return r;
}

}  // namespace rectify::ops
