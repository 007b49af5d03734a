#include "receivers.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "spawn.h"

namespace rectify::notify::testing {

namespace fs = std::filesystem;

std::string Python() {
  const char* env = std::getenv("RECTIFY_PYTHON");
  return env && *env ? env : "/usr/bin/python3";
}

std::string ReceiverScript(const std::string& name) {
  return std::string(RECTIFY_SOURCE_DIR) + "/tests/receivers/" + name;
}

std::string MakeTempDir(const std::string& tag) {
  std::string tmpl = (fs::temp_directory_path() / ("rectify-notify-" + tag + "-XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int RunCommand(const std::vector<std::string>& args) {
  return test_support::WaitChild(test_support::SpawnChild(args));
}

Receiver::Receiver(std::string script, std::vector<std::string> args)
    : script_(std::move(script)), args_(std::move(args)) {}

Receiver::~Receiver() {
  Stop();
  if (dir_.empty()) return;
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "[receiver] kept %s (port file, log, stderr) for the failed test\n",
                 dir_.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

::testing::AssertionResult Receiver::Start(std::chrono::milliseconds timeout) {
  dir_ = MakeTempDir(fs::path(script_).stem().string());
  if (dir_.empty()) return ::testing::AssertionFailure() << "mkdtemp failed";
  const std::string port_file = dir_ + "/port";
  const std::string err = dir_ + "/stderr.log";
  std::vector<std::string> args = {Python(), ReceiverScript(script_), "--port-file",   port_file,
                                   "--log",  dir_ + "/log.jsonl",     "--watch-parent"};
  args.insert(args.end(), args_.begin(), args_.end());
  pid_ = test_support::SpawnChild(args, {.err = err});
  if (pid_ < 0) {
    return ::testing::AssertionFailure() << "cannot spawn " << args[0] << ": " << strerror(errno);
  }

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return ::testing::AssertionFailure()
             << script_ << " exited before listening (status " << status << "):\n"
             << Stderr();
    }
    if (fs::exists(port_file)) {
      port_ = std::atoi(ReadFile(port_file).c_str());
      if (port_ > 0) return ::testing::AssertionSuccess();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  return ::testing::AssertionFailure()
         << script_ << " did not write its port file within " << timeout.count() << " ms:\n"
         << Stderr();
}

void Receiver::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

std::string Receiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<nlohmann::json> Receiver::Records() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(ReadFile(dir_ + "/log.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "bad log line: " << line;
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

std::string Receiver::Stderr() const { return ReadFile(dir_ + "/stderr.log"); }

::testing::AssertionResult Receiver::Control(const std::string& json) const {
  CURL* h = curl_easy_init();
  if (h == nullptr) return ::testing::AssertionFailure() << "curl_easy_init";
  const std::string url = Url("/_control");
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, json.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      h, CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) -> size_t { return size * n; });
  const CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK || status != 200) {
    return ::testing::AssertionFailure()
           << "control " << json << ": curl " << curl_easy_strerror(rc) << ", HTTP " << status;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace rectify::notify::testing
