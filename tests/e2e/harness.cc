#include "harness.h"

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

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "rectify/v1/rectify.pb.h"
#include "spawn.h"

namespace rectify::e2e {
namespace {

using test_support::SpawnChild;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string PercentEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7f && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string BinaryPath(const char* name) {
  std::string env = std::string(name) == "rectifyd" ? "RECTIFYD_BIN" : "RECTIFYCTL_BIN";
  if (const char* p = std::getenv(env.c_str())) return p;
  return std::string(RECTIFY_BUILD_DIR) +
         (std::string(name) == "rectifyd" ? "/daemon/app/rectifyd" : "/client/rectifyctl");
}

std::string MakeTempDir(const std::string& tag) {
  std::string base = std::filesystem::temp_directory_path() / ("rectify-" + tag + "-XXXXXX");
  std::vector<char> buf(base.begin(), base.end());
  buf.push_back('\0');
  char* dir = mkdtemp(buf.data());
  if (dir == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return "/tmp/rectify-e2e";
  }
  return dir;
}

void ExpectNoSanitizerReport(pid_t pid, const std::string& what) {
  const char* prefix = std::getenv("RECTIFY_SANITIZER_LOG");
  if (prefix == nullptr || pid <= 0) return;
  const std::string path = std::string(prefix) + "." + std::to_string(pid);
  if (!std::filesystem::exists(path)) return;
  ADD_FAILURE() << "sanitizer report from " << what << " (pid " << pid << ", " << path << "):\n"
                << ReadFile(path);
}

TempDirGuard::~TempDirGuard() {
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "[harness] keeping data dir of the failed test: %s\n", dir_.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  std::filesystem::remove(dir_ + ".toml", ec);
  if (!std::getenv("RECTIFY_KEEP_LOGS")) std::filesystem::remove(dir_ + ".log", ec);
  std::filesystem::remove(dir_ + ".addr", ec);
}

Daemon::Daemon(std::string data_dir, std::vector<std::string> extra_args)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)),
      log_path_(data_dir_ + ".log") {}

Daemon::~Daemon() {
  if (pid_ > 0) Kill();
}

void Daemon::WriteConfig(const std::string& toml) {
  std::ofstream out(ConfigPath());
  out << toml;
  has_config_ = true;
}

int Daemon::StartExpectingExit(std::string* log) {
  std::vector<std::string> args = {BinaryPath("rectifyd"), "--listen", "127.0.0.1:0",
                                   "--data-dir", data_dir_ + "/db"};
  if (has_config_) {
    args.push_back("--config");
    args.push_back(ConfigPath());
  }
  std::filesystem::remove(log_path_);
  int status = -1;
  const pid_t pid = SpawnChild(args, {.err = log_path_, .append = true});
  if (pid > 0) {
    // A daemon that wrongly starts would never exit: give it a bounded time, then kill it.
    for (int i = 0; i < 500; ++i) {
      if (waitpid(pid, &status, WNOHANG) == pid) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (i == 499) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        status = -1;
      }
    }
  }
  ExpectNoSanitizerReport(pid, "rectifyd");
  *log = ReadFile(log_path_);
  return status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void Daemon::Start() {
  const std::string addr_file = data_dir_ + ".addr";
  std::filesystem::remove(addr_file);
  std::vector<std::string> args = {BinaryPath("rectifyd"), "--listen", "127.0.0.1:0",
                                   "--data-dir", data_dir_ + "/db", "--addr-file", addr_file};
  if (has_config_) {
    args.push_back("--config");
    args.push_back(ConfigPath());
  }
  for (const auto& a : extra_args_) args.push_back(a);
  pid_ = SpawnChild(args, {.err = log_path_, .append = true});
  ASSERT_GT(pid_, 0) << "cannot start " << args[0] << ": " << strerror(errno);

  // Wait for the address file, failing fast if the child exits.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      ExpectNoSanitizerReport(pid_, "rectifyd");
      pid_ = -1;
      FAIL() << "rectifyd exited during start-up (status " << status << "); log:\n"
             << ReadFile(log_path_);
    }
    std::string a = ReadFile(addr_file);
    if (!a.empty() && a.back() == '\n') {
      addr_ = a.substr(0, a.size() - 1);
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "rectifyd did not start; log:\n"
                                                          << ReadFile(log_path_);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  grpc::ChannelArguments channel_args;
  // The whole outbox after a long crash loop is larger than gRPC's 4 MB default; the daemon
  // sends it (its send size is unbounded), so let the tests receive it.
  channel_args.SetMaxReceiveMessageSize(256 << 20);
  if (!ssl_target_.empty()) channel_args.SetSslTargetNameOverride(ssl_target_);
  channel_ = grpc::CreateCustomChannel(
      addr_, credentials_ ? credentials_ : grpc::InsecureChannelCredentials(), channel_args);
  // Wait until it answers (health turns SERVING just before the address file is written).
  auto stub = v1::AdminService::NewStub(channel_);
  while (true) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::ServerInfo info;
    // Any answer from the service counts: with authentication on, an anonymous probe is
    // refused, and that refusal is the daemon answering.
    const grpc::StatusCode code =
        stub->GetServerInfo(&ctx, v1::GetServerInfoRequest(), &info).error_code();
    if (code == grpc::StatusCode::OK || code == grpc::StatusCode::UNAUTHENTICATED ||
        code == grpc::StatusCode::PERMISSION_DENIED) {
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "rectifyd never answered";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void Daemon::Stop() {
  if (pid_ <= 0) return;
  channel_.reset();  // close our connection, or the server waits out its grace period for it
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  ExpectNoSanitizerReport(pid_, "rectifyd");
  pid_ = -1;
  channel_.reset();
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "rectifyd did not exit cleanly on SIGTERM (status " << status << ")";
}

void Daemon::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

void Daemon::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  // A report made before the kill is in the file (the sanitizers write it synchronously).
  ExpectNoSanitizerReport(pid_, "rectifyd");
  pid_ = -1;
  channel_.reset();
}

std::shared_ptr<grpc::Channel> Daemon::channel() { return channel_; }

CtlResult Ctl(const std::string& addr, const std::string& actor,
              const std::vector<std::string>& args) {
  std::string dir = MakeTempDir("ctl");
  std::string out_path = dir + "/out", err_path = dir + "/err";
  std::vector<std::string> all = {BinaryPath("rectifyctl"), "--addr", addr};
  if (!actor.empty()) {
    all.push_back("--as");
    all.push_back(actor);
  }
  for (const auto& a : args) all.push_back(a);
  CtlResult r;
  const pid_t pid = SpawnChild(all, {.out = out_path, .err = err_path});
  r.exit_code = test_support::WaitChild(pid);
  ExpectNoSanitizerReport(pid, "rectifyctl");
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  std::filesystem::remove_all(dir);
  return r;
}

template <typename M>
M FromJson(const std::string& json) {
  M m;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(json, &m, opts);
  if (!st.ok()) ADD_FAILURE() << "not a " << M::descriptor()->name() << ": " << st << "\n" << json;
  return m;
}

template v1::Item FromJson<v1::Item>(const std::string&);
template v1::ListItemsResponse FromJson<v1::ListItemsResponse>(const std::string&);
template v1::GetHistoryResponse FromJson<v1::GetHistoryResponse>(const std::string&);
template v1::ServerInfo FromJson<v1::ServerInfo>(const std::string&);
template v1::Event FromJson<v1::Event>(const std::string&);

v1::CreateItemRequest OrdinaryItem(const std::string& deadline, const std::string& title) {
  v1::CreateItemRequest req;
  auto* it = req.mutable_item();
  it->set_title(title);
  it->set_description("问题描述");
  it->set_source(v1::SOURCE_INSPECTION);
  it->set_category(v1::CATEGORY_WORK_STYLE);
  it->set_unit("办公室");
  it->set_owner("张三");
  it->set_leader("李四");
  it->set_verifier("王五");
  it->add_measures()->set_text("每周更新");
  it->set_deadline(deadline);
  return req;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& actor, int timeout_s) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!actor.empty()) ctx->AddMetadata("x-rectify-actor", PercentEncode(actor));
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_s));
  return ctx;
}

}  // namespace rectify::e2e
