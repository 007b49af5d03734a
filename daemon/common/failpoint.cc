#include "common/failpoint.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

namespace rectify::failpoint {

bool Enabled() {
#ifdef RECTIFY_FAILPOINTS
  return true;
#else
  return false;
#endif
}

#ifdef RECTIFY_FAILPOINTS
namespace {

struct Point {
  std::string action;  // crash | error | off
  uint64_t on_hit = 0;  // 0 = every hit
  uint64_t hits = 0;
};

std::mutex mu;
std::map<std::string, Point>* points = nullptr;  // parsed once, never freed (lives to exit)

// "a=crash;b=error@2" -> points. Malformed entries are reported on stderr and skipped: a test
// that mistypes one sees it in the daemon log rather than a silently healthy run.
std::map<std::string, Point>* Parse() {
  auto* out = new std::map<std::string, Point>();
  const char* env = std::getenv("RECTIFY_FAILPOINTS");
  std::string spec = env ? env : "";
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t end = spec.find_first_of(";,", pos);
    if (end == std::string::npos) end = spec.size();
    std::string entry = spec.substr(pos, end - pos);
    pos = end + 1;
    if (entry.empty()) continue;
    const size_t eq = entry.find('=');
    Point p;
    std::string name = entry.substr(0, eq);
    p.action = eq == std::string::npos ? "crash" : entry.substr(eq + 1);
    if (const size_t at = p.action.find('@'); at != std::string::npos) {
      p.on_hit = std::strtoull(p.action.c_str() + at + 1, nullptr, 10);
      p.action.resize(at);
    }
    if (p.action != "crash" && p.action != "error" && p.action != "off") {
      std::string msg = "failpoint ignored: unknown action in \"" + entry + "\"\n";
      (void)!write(2, msg.data(), msg.size());
      continue;
    }
    (*out)[name] = p;
  }
  return out;
}

}  // namespace

Status Hit(const char* name) {
  std::string action;
  uint64_t hit = 0;
  {
    std::lock_guard lock(mu);
    if (points == nullptr) points = Parse();
    auto it = points->find(name);
    if (it == points->end()) return Status::Ok();
    Point& p = it->second;
    hit = ++p.hits;
    if (p.action == "off" || (p.on_hit != 0 && hit != p.on_hit)) return Status::Ok();
    action = p.action;
  }
  // write(2), not a logger: it must reach the file before a crash, with nothing buffered.
  std::string line = "failpoint fired name=" + std::string(name) + " action=" + action +
                     " hit=" + std::to_string(hit) + "\n";
  (void)!write(2, line.data(), line.size());
  if (action == "crash") {
    kill(getpid(), SIGKILL);
    pause();  // SIGKILL cannot be caught; never returns
  }
  return Unavailable("failpoint " + std::string(name) + " fired (fault injected by a test)");
}
#endif

}  // namespace rectify::failpoint
