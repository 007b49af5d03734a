#pragma once

// The `fsync` workload: what the disk under the data directory gives a synced write, measured
// without the daemon. One thread appends a block to a fresh file and fdatasyncs it, over and
// over, the way the WAL is written, and times each append+sync. Its p99 is a floor no durable
// request can beat on this disk: a commit group waits for one such sync, and a request that
// arrives during a slow one waits for it as well.
//
// Threads: runs on the caller's thread.

#include <string>

#include "report.h"

namespace rectify::bench {

struct SyncProbe {
  std::string dir;       // the probe file is created here and removed afterwards
  size_t block = 4096;   // bytes appended before each sync
  double warmup_s = 1;
  double duration_s = 5;
};

// A row named "fsync" at concurrency 1: syncs per second, latency, the CPU one sync costs the
// calling thread, the slowest sync and the share of syncs slower than 4 ms. An error (the file
// cannot be created or written) is returned as the row's note with no figures.
Row MeasureSync(const SyncProbe& probe);

}  // namespace rectify::bench
