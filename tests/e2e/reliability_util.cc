#include "reliability_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "spawn.h"


namespace rectify::e2e {

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(every);
  }
  return pred();
}

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
  if (const char* old = std::getenv(name)) {
    had_ = true;
    old_ = old;
  }
  setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (had_) {
    setenv(name_.c_str(), old_.c_str(), 1);
  } else {
    unsetenv(name_.c_str());
  }
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CheckResult RunCheck(const std::string& db_dir, const std::string& config) {
  const std::string tmp = MakeTempDir("check");
  std::vector<std::string> args = {BinaryPath("rectifyd"), "--check", db_dir};
  if (!config.empty()) {
    args.push_back("--config");
    args.push_back(config);
  }
  CheckResult r;
  const pid_t pid = test_support::SpawnChild(args, {.out = tmp + "/out", .err = tmp + "/err"});
  r.exit_code = test_support::WaitChild(pid);
  ExpectNoSanitizerReport(pid, "rectifyd --check");
  r.out = Slurp(tmp + "/out");
  r.err = Slurp(tmp + "/err");
  std::filesystem::remove_all(tmp);
  return r;
}

HttpReceiver::HttpReceiver(const std::string& dir) {
  port_file_ = dir + "/http_receiver.port";
  log_ = dir + "/http_receiver.log";
  std::string path = std::string(RECTIFY_SOURCE_DIR) + "/tests/receivers/http_receiver.py";
  std::vector<std::string> args = {"/usr/bin/python3", path, "--port-file", port_file_,
                                   "--log", log_, "--watch-parent"};
  pid_ = test_support::SpawnChild(args, {.out = "", .err = ""});
  WaitUntil(
      [&] {
        std::string p = Slurp(port_file_);
        if (!p.empty()) port_ = std::stoi(p);
        return port_ != 0;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(20));
  EXPECT_NE(port_, 0) << "http_receiver.py did not start";
}

HttpReceiver::~HttpReceiver() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

std::vector<nlohmann::json> HttpReceiver::Requests() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(Slurp(log_));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_discarded()) out.push_back(std::move(j));  // a line being written: next time
  }
  return out;
}

void HttpReceiver::SetMode(const std::string& mode) {
  std::string cmd = "/usr/bin/python3 -c \"import urllib.request,json;"
                    "urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:" +
                    std::to_string(port_) + "/_control',data=json.dumps({'mode':'" + mode +
                    "'}).encode(),headers={'Content-Type':'application/json'}))\"";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

long PeakRssKb(const std::string& data_dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = Slurp("/proc/" + pid + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find("rectifyd ") == std::string::npos ||
        cmdline.find(" --data-dir " + data_dir + " ") == std::string::npos) {
      continue;
    }
    std::istringstream status(Slurp("/proc/" + pid + "/status"));
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    }
  }
  return 0;
}

bool Answers(Daemon& daemon) {
  if (!daemon.channel()) return false;
  auto stub = v1::AdminService::NewStub(daemon.channel());
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v1::ServerInfo info;
  // An anonymous probe may be refused (principals configured): a refusal is an answer too.
  const auto code = stub->GetServerInfo(&ctx, v1::GetServerInfoRequest(), &info).error_code();
  return code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAUTHENTICATED ||
         code == grpc::StatusCode::PERMISSION_DENIED;
}

v1::CreateItemRequest NewItem(const std::string& title, const std::string& deadline,
                              const std::string& request_id) {
  v1::CreateItemRequest c = OrdinaryItem(deadline, title);
  c.set_request_id(request_id);
  return c;
}

}  // namespace rectify::e2e
