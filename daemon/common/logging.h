#pragma once

// One named spdlog logger per module ("store", "engine", "rpc", ...). Messages carry key=value
// fields. error = an operator must act; warn = degraded or retrying; info = lifecycle and one
// line per transition; debug = per request.

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace rectify {

// Returns the module's logger, creating it with the shared sinks on first use. Thread-safe.
std::shared_ptr<spdlog::logger> Logger(const std::string& module);

// Sets the level of every module logger (existing and future). `level` is an spdlog level
// name: trace, debug, info, warn, error, critical, off. Returns false for an unknown name.
bool SetLogLevel(const std::string& level);

// Text (default) or JSON lines on stderr.
void SetLogFormatJson(bool json);

}  // namespace rectify
