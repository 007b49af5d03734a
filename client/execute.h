#pragma once

// Runs a parsed Invocation against rectifyd: opens the channel, makes the call(s), writes the
// answer to `out` (table or JSON) and failures to `err`, and returns the process exit code
// (0 ok, 1 RPC error or a watch that ended with an error, 2 never: usage was checked before).
// Runs on the main thread; `watch` adds one helper thread for Ctrl-C (see interrupt.h).

#include <iosfwd>

#include "client/cli.h"

namespace rectify::client {

struct ExecuteOptions {
  bool handle_signals = true;  // watch: SIGINT/SIGTERM cancel the stream (off in tests)
};

int Execute(const Invocation& invocation, std::ostream& out, std::ostream& err,
            const ExecuteOptions& options = {});

}  // namespace rectify::client
