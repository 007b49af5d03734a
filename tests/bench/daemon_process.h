#pragma once

// A rectifyd the bench started itself (--data-dir mode): spawned like the e2e harness does
// (--listen 127.0.0.1:0 --data-dir --addr-file [--config]), timed until it answers, sampled
// through /proc, stopped with SIGTERM. The child gets SIGKILL if the bench dies first.
//
// Threads: one owner thread; Sample() may also be called from a runner's hook thread.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace rectify::bench {

// What /proc says about the daemon at one instant.
struct ProcSample {
  std::chrono::steady_clock::time_point at;
  double cpu_s = 0;        // utime + stime, all threads
  uint64_t rss_kb = 0;     // VmRSS
  uint64_t hwm_kb = 0;     // VmHWM: peak RSS since start or the last ResetPeak
  std::map<std::string, double> thread_cpu_s;  // by thread name (comm), summed
  uint64_t voluntary_switches = 0;
};

struct DaemonSpec {
  std::string binary;    // rectifyd
  std::string db_dir;    // --data-dir
  std::string work_dir;  // where the config, log and address file go
  std::string config;    // TOML text ("" = none)
  std::vector<std::string> extra_args;
  bool metrics = false;  // serve /metrics (--http-listen on a free port), for StoreWork
};

// The storage engine's background work so far, from the daemon's /metrics (rectify_store_*,
// summed over the column families): bytes flushes and compactions wrote, their CPU time.
struct StoreWork {
  bool ok = false;
  double flush_bytes = 0;
  double compaction_bytes = 0;
  double cpu_s = 0;
  double pending_compaction_bytes = 0;  // now, not a total
  double running_jobs = 0;              // flushes and compactions running now
};

class DaemonProcess {
 public:
  explicit DaemonProcess(DaemonSpec spec) : spec_(std::move(spec)) {}
  ~DaemonProcess();

  // Starts it and waits until GetServerInfo answers. Returns "" or what went wrong (with the
  // log's tail).
  std::string Start(std::chrono::seconds timeout);
  // SIGTERM and wait; returns the seconds it took (negative if it had to be killed).
  double Stop();

  pid_t pid() const { return pid_; }
  const std::string& addr() const { return addr_; }
  const std::string& log_path() const { return log_path_; }
  double startup_seconds() const { return startup_s_; }

  ProcSample Sample() const;
  // Scrapes /metrics (DaemonSpec::metrics); ok = false when it is off or does not answer.
  StoreWork ReadStoreWork() const;
  // Resets VmHWM to the current RSS (/proc/PID/clear_refs, "5"), so the next peak is this
  // phase's. False if the kernel refused.
  bool ResetPeak() const;

 private:
  DaemonSpec spec_;
  std::string log_path_;
  std::string addr_;
  pid_t pid_ = -1;
  double startup_s_ = 0;
  int metrics_port_ = 0;
};

// Kills the daemon started last, if any (for fatal errors on the way out).
void KillSpawnedDaemon();

std::string ReadFile(const std::string& path);

}  // namespace rectify::bench
