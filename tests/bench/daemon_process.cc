#include "daemon_process.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "client.h"
#include "http_get.h"
#include "spawn.h"

namespace rectify::bench {
namespace {

pid_t g_spawned = -1;

// utime + stime (clock ticks) and the name of one /proc/.../stat.
bool ReadStat(const std::string& path, std::string* comm, uint64_t* ticks) {
  std::string s = ReadFile(path);
  auto open = s.find('('), close = s.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  *comm = s.substr(open + 1, close - open - 1);
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  // Fields after the name start at 3 (state); utime and stime are 14 and 15.
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  *ticks = utime + stime;
  return true;
}

// A port nothing listens on right now (bound, read, released): for the daemon's /metrics.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

uint64_t StatusField(const std::string& status, const std::string& key) {
  auto pos = status.find("\n" + key + ":");
  if (pos == std::string::npos) return 0;
  return std::stoull(status.substr(pos + key.size() + 2));
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void KillSpawnedDaemon() {
  if (g_spawned > 0) {
    kill(g_spawned, SIGKILL);
    waitpid(g_spawned, nullptr, 0);
    g_spawned = -1;
  }
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    if (g_spawned == pid_) g_spawned = -1;
  }
}

std::string DaemonProcess::Start(std::chrono::seconds timeout) {
  std::filesystem::create_directories(spec_.work_dir);
  const std::string addr_file = spec_.work_dir + "/rectifyd.addr";
  const std::string config_file = spec_.work_dir + "/rectifyd.toml";
  log_path_ = spec_.work_dir + "/rectifyd.log";
  std::filesystem::remove(addr_file);
  std::vector<std::string> args = {spec_.binary, "--listen", "127.0.0.1:0", "--data-dir",
                                   spec_.db_dir, "--addr-file", addr_file};
  if (!spec_.config.empty()) {
    std::ofstream(config_file) << spec_.config;
    args.push_back("--config");
    args.push_back(config_file);
  }
  args.insert(args.end(), spec_.extra_args.begin(), spec_.extra_args.end());
  if (spec_.metrics) {
    metrics_port_ = FreePort();
    if (metrics_port_ > 0) {
      args.push_back("--http-listen");
      args.push_back("127.0.0.1:" + std::to_string(metrics_port_));
    }
  }
  const auto t0 = std::chrono::steady_clock::now();
  // The daemon gets SIGKILL when the bench dies (support/spawn.h), so a killed benchmark never
  // leaves a daemon holding the data directory.
  const pid_t pid = test_support::SpawnChild(args, {.err = log_path_, .append = true});
  if (pid < 0) return std::string("cannot start ") + args[0] + ": " + strerror(errno);
  pid_ = g_spawned = pid;

  const auto deadline = t0 + timeout;
  while (addr_.empty()) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = g_spawned = -1;
      return "rectifyd exited during start-up (status " + std::to_string(status) + "); log " +
             log_path_ + ":\n" + ReadFile(log_path_);
    }
    std::string a = ReadFile(addr_file);
    if (!a.empty() && a.back() == '\n') addr_ = a.substr(0, a.size() - 1);
    if (std::chrono::steady_clock::now() > deadline) return "rectifyd did not start in time";
    if (addr_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Client probe(addr_, 1);
  while (true) {
    v1::ServerInfo info;
    if (probe.Info(&info).ok()) break;
    if (std::chrono::steady_clock::now() > deadline) return "rectifyd never answered";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  startup_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return "";
}

double DaemonProcess::Stop() {
  if (pid_ <= 0) return 0;
  const auto t0 = std::chrono::steady_clock::now();
  kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 3000; ++i) {  // 30 s
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = g_spawned = -1;
      addr_.clear();
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = g_spawned = -1;
  addr_.clear();
  return -1;
}

StoreWork DaemonProcess::ReadStoreWork() const {
  StoreWork w;
  if (pid_ <= 0 || metrics_port_ <= 0) return w;
  const std::string resp = test_support::HttpGet(metrics_port_, "/metrics");
  if (resp.rfind("200\n", 0) != 0) return w;
  std::istringstream in(resp.substr(4));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string name = line.substr(0, line.find_first_of("{ "));
    const double v = std::strtod(line.c_str() + space + 1, nullptr);
    if (name == "rectify_store_flush_written_bytes_total") w.flush_bytes += v;
    if (name == "rectify_store_compaction_written_bytes_total") w.compaction_bytes += v;
    if (name == "rectify_store_flush_cpu_seconds_total" ||
        name == "rectify_store_compaction_cpu_seconds_total") {
      w.cpu_s += v;
    }
    if (name == "rectify_store_pending_compaction_bytes") w.pending_compaction_bytes += v;
    if (name == "rectify_store_running_jobs") w.running_jobs += v;
  }
  w.ok = true;
  return w;
}

ProcSample DaemonProcess::Sample() const {
  ProcSample s;
  s.at = std::chrono::steady_clock::now();
  if (pid_ <= 0) return s;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  const std::string base = "/proc/" + std::to_string(pid_);
  std::string comm;
  uint64_t ticks = 0;
  if (ReadStat(base + "/stat", &comm, &ticks)) s.cpu_s = ticks / hz;
  const std::string status = ReadFile(base + "/status");
  s.rss_kb = StatusField(status, "VmRSS");
  s.hwm_kb = StatusField(status, "VmHWM");
  if (DIR* d = opendir((base + "/task").c_str())) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      const std::string task = base + "/task/" + e->d_name;
      if (ReadStat(task + "/stat", &comm, &ticks)) s.thread_cpu_s[comm] += ticks / hz;
      s.voluntary_switches += StatusField(ReadFile(task + "/status"), "voluntary_ctxt_switches");
    }
    closedir(d);
  }
  return s;
}

bool DaemonProcess::ResetPeak() const {
  if (pid_ <= 0) return false;
  std::ofstream out("/proc/" + std::to_string(pid_) + "/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace rectify::bench
