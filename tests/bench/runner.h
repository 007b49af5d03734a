#pragma once

// Load generation with N requests outstanding. A workload is an Issue function: it starts one
// asynchronous request for a slot and calls `done` exactly once when it completes (on a gRPC
// callback thread). The runner keeps every slot busy (closed loop) or starts requests on a fixed
// schedule (paced, open loop), and records the latency of the requests that both start and end
// inside the measured window, which follows a warm-up.
//
// Threads: Run* block the calling thread. Issue is called from that thread and from gRPC
// callback threads, but never concurrently for the same slot, so per-slot state needs no lock.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

namespace rectify::bench {

using Completion = std::function<void(const grpc::Status&)>;
using Issue = std::function<void(int slot, Completion done)>;

struct Window {
  std::chrono::milliseconds warmup{1000};
  std::chrono::milliseconds measure{5000};
  // Called (on a helper thread) when the measured window opens and when it closes: samples of
  // the daemon's CPU and memory, the revision, the client's CPU.
  std::function<void()> at_start;
  std::function<void()> at_end;
};

struct RunResult {
  uint64_t ok = 0;      // completed OK inside the window
  uint64_t errors = 0;  // completed with an error inside the window
  double seconds = 0;   // the window's length
  std::vector<float> latency_ms;  // of the OK requests, sorted
  std::map<int, uint64_t> codes;  // error code -> count
  std::string first_error;
  uint64_t backlog_max = 0;  // paced: most requests waiting for a free slot
  uint64_t not_started = 0;  // paced: scheduled requests the window closed on

  double ops_per_sec() const { return seconds > 0 ? ok / seconds : 0; }
  double Percentile(double q) const;  // q in [0, 1]; 0 when empty
};

// Keeps `concurrency` requests outstanding until the window closes.
RunResult RunClosedLoop(int concurrency, const Window& window, const Issue& issue);

// Starts requests at `rate` per second with at most `slots` outstanding; a request whose time
// comes while every slot is busy waits for one. Latency is measured from the scheduled start,
// so a stalled server is not hidden by the requests it delayed (no coordinated omission).
RunResult RunPaced(int slots, double rate, const Window& window, const Issue& issue);

}  // namespace rectify::bench
