#pragma once

// Names the calling thread (at most 15 bytes, as Linux allows) so that top -H, perf and the
// bench's per-thread CPU figures tell the commit writer from the watch hub from gRPC's pollers.

#include <pthread.h>

namespace rectify {

inline void SetThreadName(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace rectify
