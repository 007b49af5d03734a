#pragma once

// Named fault-injection points for the reliability tests (issue #8). Compiled in only when the
// CMake option RECTIFY_FAILPOINTS is ON (the test build); in a release build RECTIFY_FAILPOINT
// is the constant Status::Ok() and costs nothing.
//
// The daemon reads its failpoints once, from the environment, at the first hit:
//
//   RECTIFY_FAILPOINTS="engine.before_write=crash;remind.after_send=crash@3"
//
// Actions: `crash` (the process sends itself SIGKILL: exactly what kill -9 does, no destructor,
// no flush), `error` (the point returns UNAVAILABLE naming itself; where a point cannot fail,
// its caller ignores it), `off`. `@N` fires on the N-th hit only (1-based), else every hit.
// Every firing writes "failpoint fired name=... action=... hit=N" to stderr first, so a test
// can count the faults it injected. Thread-safe.
//
// The points (each has an e2e test in tests/e2e/failpoint_test.cc):
//   engine.before_write  group commit built, not yet written
//   engine.after_write   group commit durable, nobody answered yet (error is ignored)
//   remind.after_send    a receiver accepted a delivery, not yet marked SENT (error ignored)
//   store.compact_events inside event compaction, before its batch is written
//   store.backup         checkpoint taken, not yet moved to the backup directory

#include "common/status.h"

namespace rectify::failpoint {

// Whether failpoints are compiled into this binary.
bool Enabled();

#ifdef RECTIFY_FAILPOINTS
Status Hit(const char* name);
#define RECTIFY_FAILPOINT(name) ::rectify::failpoint::Hit(name)
#else
#define RECTIFY_FAILPOINT(name) ::rectify::Status::Ok()
#endif

}  // namespace rectify::failpoint
