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

// Log to `path` instead of stderr, rotating it at `max_bytes` (0 = never) and keeping
// `max_files` old files (path.1, path.2, ...). Called once at start-up, before the threads that
// log are started. IO_ERROR-style message in *error when the file cannot be opened.
bool SetLogFile(const std::string& path, size_t max_bytes, size_t max_files, std::string* error);

}  // namespace rectify
