#include "common/logging.h"

#include <mutex>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace rectify {
namespace {

struct Registry {
  std::mutex mu;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  spdlog::level::level_enum level = spdlog::level::info;
  bool json = false;
};

Registry& Reg() {
  static Registry* r = new Registry();  // never destroyed: loggers outlive static teardown
  return *r;
}

const char* Pattern(bool json) {
  return json ? R"({"time":"%Y-%m-%dT%H:%M:%S.%f%z","level":"%l","module":"%n","msg":"%v"})"
              : "%Y-%m-%d %H:%M:%S.%e %^%L%$ [%n] %v";
}

}  // namespace

std::shared_ptr<spdlog::logger> Logger(const std::string& module) {
  auto& r = Reg();
  std::lock_guard lock(r.mu);
  if (auto existing = spdlog::get(module)) return existing;
  auto logger = std::make_shared<spdlog::logger>(module, r.sink);
  logger->set_level(r.level);
  logger->set_pattern(Pattern(r.json));
  spdlog::register_logger(logger);
  return logger;
}

bool SetLogLevel(const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") return false;
  auto& r = Reg();
  std::lock_guard lock(r.mu);
  r.level = lvl;
  spdlog::apply_all([lvl](std::shared_ptr<spdlog::logger> l) { l->set_level(lvl); });
  return true;
}

void SetLogFormatJson(bool json) {
  auto& r = Reg();
  std::lock_guard lock(r.mu);
  r.json = json;
  spdlog::apply_all([json](std::shared_ptr<spdlog::logger> l) { l->set_pattern(Pattern(json)); });
}

bool SetLogFile(const std::string& path, size_t max_bytes, size_t max_files, std::string* error) {
  spdlog::sink_ptr sink;
  try {
    if (max_bytes > 0) {
      sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(path, max_bytes, max_files);
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    }
  } catch (const spdlog::spdlog_ex& e) {
    *error = e.what();
    return false;
  }
  auto& r = Reg();
  std::lock_guard lock(r.mu);
  r.sink = sink;
  spdlog::apply_all([&](std::shared_ptr<spdlog::logger> l) {
    l->sinks().clear();
    l->sinks().push_back(sink);
    l->set_pattern(Pattern(r.json));
  });
  return true;
}

}  // namespace rectify
