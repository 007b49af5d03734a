#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <gtest/gtest.h>

#include "prom_text.h"

namespace rectify::http {
namespace {

using namespace std::chrono_literals;

// --- a real HTTP client (libcurl) ------------------------------------------------------------

struct Response {
  long status = 0;  // 0: no HTTP response at all
  std::string body;
  std::string headers;
  std::string error;
  long new_connections = -1;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One request on `curl` (reused handles keep their connection alive).
Response Do(CURL* curl, const std::string& url, const std::string& method = "GET") {
  Response r;
  char err[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(curl, CURLOPT_NOBODY, method == "HEAD" ? 1L : 0L);
  if (method != "GET" && method != "HEAD") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, nullptr);
    if (method == "GET") curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    r.error = std::string(curl_easy_strerror(rc)) + ": " + err;
    return r;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &r.new_connections);
  return r;
}

Response Fetch(int port, const std::string& path, const std::string& method = "GET") {
  CURL* curl = curl_easy_init();
  Response r = Do(curl, "http://127.0.0.1:" + std::to_string(port) + path, method);
  curl_easy_cleanup(curl);
  return r;
}

// --- raw sockets, for clients that misbehave ------------------------------------------------

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

enum class End { kClosed, kReset, kStillOpen };

// Reads until the server closes the connection, or `patience` passes without it doing so
// (the safety net that turns "never closed" into a failure instead of a hang).
End ReadToEnd(int fd, std::string* out, std::chrono::milliseconds patience = 15s) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  char buf[4096];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= 0ms) return End::kStillOpen;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) == 0) return End::kStillOpen;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) return End::kClosed;
    if (n < 0) return errno == ECONNRESET ? End::kReset : End::kClosed;
    if (out) out->append(buf, static_cast<size_t>(n));
  }
}

// --- fixture ----------------------------------------------------------------------------

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }

  void StartServer(Server::Options opts = {}) {
    opts.listen = "127.0.0.1:0";
    server_ = std::make_unique<Server>(
        opts, metrics_,
        [this] {
          int n = ++collects_;
          metrics_.SetRevision(static_cast<uint64_t>(n));
          if (collect_hook_) collect_hook_();
        },
        [this] { return ready_.load(); });
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  Metrics metrics_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::atomic<int> collects_{0};
  std::atomic<bool> ready_{false};
  std::function<void()> collect_hook_;
};

TEST_F(ServerTest, MetricsIsPrometheusTextWithRecordedValues) {
  StartServer();
  metrics_.RpcDone("CreateItem", "OK", 0.003);
  metrics_.RpcDone("CreateItem", "OK", 0.02);
  metrics_.GroupCommitted(2, 0.0015);
  metrics_.DeliveryAttempt("webhook", "retry");

  Response r = Fetch(port_, "/metrics");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos)
      << r.headers;
  testing::Exposition e;
  ASSERT_EQ(testing::Parse(r.body, &e), "") << r.body;
  const testing::Labels l{{"method", "CreateItem"}, {"code", "OK"}};
  EXPECT_EQ(e.Value("rectify_rpc_requests_total", l), 2);
  EXPECT_EQ(e.Bucket("rectify_rpc_duration_seconds", l, "0.005"), 1);
  EXPECT_EQ(e.Bucket("rectify_rpc_duration_seconds", l, "0.025"), 2);
  EXPECT_EQ(e.Bucket("rectify_rpc_duration_seconds", l, "+Inf"), 2);
  EXPECT_EQ(e.Value("rectify_commits_total"), 1);
  EXPECT_EQ(e.Bucket("rectify_fsync_duration_seconds", {}, "0.0025"), 1);
  EXPECT_EQ(e.Value("rectify_delivery_attempts_total",
                    {{"channel", "webhook"}, {"outcome", "retry"}}),
            1);
  // collect ran before this render: the gauge it set is in the answer.
  EXPECT_EQ(collects_.load(), 1);
  EXPECT_EQ(e.Value("rectify_revision"), 1);

  r = Fetch(port_, "/metrics");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(testing::Parse(r.body, &e), "");
  EXPECT_EQ(collects_.load(), 2);
  EXPECT_EQ(e.Value("rectify_revision"), 2);
}

TEST_F(ServerTest, HealthAndReadiness) {
  StartServer();
  Response r = Fetch(port_, "/healthz");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "ok\n");

  r = Fetch(port_, "/readyz");
  EXPECT_EQ(r.status, 503);
  ready_ = true;
  r = Fetch(port_, "/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready\n");
  ready_ = false;
  EXPECT_EQ(Fetch(port_, "/readyz").status, 503);
  // Health does not depend on readiness.
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200);
  EXPECT_EQ(collects_.load(), 0);  // only /metrics collects
}

TEST_F(ServerTest, UnknownPathsAndMethods) {
  StartServer();
  EXPECT_EQ(Fetch(port_, "/").status, 404);
  EXPECT_EQ(Fetch(port_, "/metricsx").status, 404);
  EXPECT_EQ(Fetch(port_, "/healthz/").status, 404);
  EXPECT_EQ(Fetch(port_, "/nope", "POST").status, 404);
  Response r = Fetch(port_, "/metrics", "POST");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.headers.find("Allow: GET, HEAD"), std::string::npos) << r.headers;
  EXPECT_EQ(Fetch(port_, "/healthz", "DELETE").status, 405);
  EXPECT_EQ(collects_.load(), 0);
  // A query string does not change the path.
  EXPECT_EQ(Fetch(port_, "/healthz?verbose=1").status, 200);
}

TEST_F(ServerTest, HeadSendsHeadersWithoutBody) {
  StartServer();
  Response r = Fetch(port_, "/healthz", "HEAD");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.body, "");
  EXPECT_NE(r.headers.find("Content-Length: 3"), std::string::npos) << r.headers;
  EXPECT_EQ(Fetch(port_, "/metrics", "HEAD").status, 200);

  // On the wire: the response ends with the header block, no body bytes follow.
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string raw;
  EXPECT_NE(ReadToEnd(fd, &raw), End::kStillOpen);
  close(fd);
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
  ASSERT_GE(raw.size(), 4u);
  EXPECT_EQ(raw.substr(raw.size() - 4), "\r\n\r\n") << raw;
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer();
  CURL* curl = curl_easy_init();
  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  Response a = Do(curl, base + "/healthz");
  Response b = Do(curl, base + "/metrics");
  Response c = Do(curl, base + "/readyz");
  curl_easy_cleanup(curl);
  EXPECT_EQ(a.status, 200) << a.error;
  EXPECT_EQ(b.status, 200) << b.error;
  EXPECT_EQ(c.status, 503) << c.error;
  EXPECT_EQ(a.new_connections, 1);
  EXPECT_EQ(b.new_connections, 0);  // reused
  EXPECT_EQ(c.new_connections, 0);
}

TEST_F(ServerTest, OversizedRequestsAreRefused) {
  StartServer();
  // A header far past the limit: refused with 431, never served.
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string big = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(64 * 1024, 'a') +
                    "\r\n\r\n";
  SendAll(fd, big);  // the server may stop reading part-way
  std::string raw;
  EXPECT_NE(ReadToEnd(fd, &raw), End::kStillOpen);
  close(fd);
  EXPECT_EQ(raw.rfind("HTTP/1.1 431", 0), 0u) << raw.substr(0, 200);

  // A body past the limit: 413.
  fd = Connect(port_);
  ASSERT_GE(fd, 0);
  std::string post = "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                     std::string(100000, 'b');
  SendAll(fd, post);
  raw.clear();
  EXPECT_NE(ReadToEnd(fd, &raw), End::kStillOpen);
  close(fd);
  EXPECT_EQ(raw.rfind("HTTP/1.1 413", 0), 0u) << raw.substr(0, 200);

  // Garbage: 400.
  fd = Connect(port_);
  ASSERT_GE(fd, 0);
  SendAll(fd, "NOT HTTP AT ALL\r\n\r\n");
  raw.clear();
  EXPECT_NE(ReadToEnd(fd, &raw), End::kStillOpen);
  close(fd);
  EXPECT_EQ(raw.rfind("HTTP/1.1 400", 0), 0u) << raw.substr(0, 200);

  // And the server still serves.
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200);
}

TEST_F(ServerTest, SilentClientIsDropped) {
  Server::Options opts;
  opts.read_timeout = 300ms;
  StartServer(opts);
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  EXPECT_NE(ReadToEnd(fd, nullptr), End::kStillOpen) << "a silent client kept its connection";
  close(fd);
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200);
}

TEST_F(ServerTest, TricklingClientIsDropped) {
  // The deadline is for the whole request, not per byte: a slowloris client is dropped too.
  Server::Options opts;
  opts.read_timeout = 300ms;
  StartServer(opts);
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /healthz HTTP/1.1\r\n"));
  bool dropped = false;
  for (int i = 0; i < 300 && !dropped; ++i) {  // up to 15 s of one byte per 50 ms
    std::this_thread::sleep_for(50ms);
    if (!SendAll(fd, "X")) dropped = true;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 0) == 1) {
      char c;
      if (recv(fd, &c, 1, MSG_DONTWAIT) <= 0) dropped = true;
    }
  }
  close(fd);
  EXPECT_TRUE(dropped);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  Server::Options opts;
  opts.read_timeout = 300ms;
  StartServer(opts);
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string raw;
  EXPECT_NE(ReadToEnd(fd, &raw), End::kStillOpen);
  close(fd);
  EXPECT_EQ(raw.rfind("HTTP/1.1 200", 0), 0u) << raw;
}

TEST_F(ServerTest, ConcurrentScrapes) {
  StartServer();
  std::atomic<bool> stop{false};
  std::thread recorder([&] {
    while (!stop) metrics_.RpcDone("GetItem", "OK", 0.001);
  });
  constexpr int kThreads = 4, kEach = 15;
  std::vector<std::future<std::string>> results;
  for (int t = 0; t < kThreads; ++t) {
    results.push_back(std::async(std::launch::async, [this] {
      CURL* curl = curl_easy_init();
      const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/metrics";
      std::string problem;
      for (int i = 0; i < kEach && problem.empty(); ++i) {
        Response r = Do(curl, url);
        testing::Exposition e;
        if (r.status != 200) problem = "status " + std::to_string(r.status) + " " + r.error;
        else problem = testing::Parse(r.body, &e);
      }
      curl_easy_cleanup(curl);
      return problem;
    }));
  }
  for (auto& f : results) EXPECT_EQ(f.get(), "");
  stop = true;
  recorder.join();
  EXPECT_EQ(collects_.load(), kThreads * kEach);
}

TEST_F(ServerTest, SlowCollectDoesNotBlockHealth) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false, entered = false;
  collect_hook_ = [&] {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  };
  StartServer();
  auto scrape = std::async(std::launch::async, [this] { return Fetch(port_, "/metrics"); });
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 15s, [&] { return entered; }));
  }
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200);
  ready_ = true;
  EXPECT_EQ(Fetch(port_, "/readyz").status, 200);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_EQ(scrape.get().status, 200);
}

TEST_F(ServerTest, CollectThatThrowsAnswers500) {
  collect_hook_ = [] { throw std::runtime_error("store unreadable"); };
  StartServer();
  EXPECT_EQ(Fetch(port_, "/metrics").status, 500);
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200);
}

TEST_F(ServerTest, ConnectionCap) {
  Server::Options opts;
  opts.max_connections = 2;
  StartServer(opts);
  int a = Connect(port_), b = Connect(port_);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  // Both held open (idle, within the read timeout): a third is turned away.
  Response r = Fetch(port_, "/healthz");
  EXPECT_NE(r.status, 200);
  close(a);
  close(b);
  // Once they are gone, service resumes.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    served = Fetch(port_, "/healthz").status == 200;
    if (!served) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(served);
}

TEST_F(ServerTest, StopClosesConnectionsAndFreesThePort) {
  StartServer();
  int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200);
  server_->Stop();
  EXPECT_NE(ReadToEnd(fd, nullptr, 5s), End::kStillOpen);
  close(fd);
  EXPECT_NE(Fetch(port_, "/healthz").status, 200);
  server_->Stop();  // idempotent

  // The port can be bound again at once.
  Metrics other;
  Server again(Server::Options{"127.0.0.1:" + std::to_string(port_)}, other, nullptr, nullptr);
  EXPECT_TRUE(again.Start().ok());
  EXPECT_EQ(Fetch(port_, "/healthz").status, 200);
  // No ready callback: ready.
  EXPECT_EQ(Fetch(port_, "/readyz").status, 200);
}

TEST_F(ServerTest, StartErrors) {
  StartServer();
  Metrics other;
  Server busy(Server::Options{"127.0.0.1:" + std::to_string(port_)}, other, nullptr, nullptr);
  Status st = busy.Start();
  EXPECT_EQ(st.code(), Code::kUnavailable) << st.ToString();
  EXPECT_EQ(busy.port(), 0);

  for (const char* bad : {"nonsense", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000",
                          "example.com:9464", "1.2.3:80"}) {
    Server s(Server::Options{bad}, other, nullptr, nullptr);
    EXPECT_EQ(s.Start().code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(server_->Start().code(), Code::kFailedPrecondition);
}

TEST_F(ServerTest, ListenForms) {
  Metrics other;
  for (const char* listen : {"localhost:0", "[::1]:0", "127.0.0.1:0"}) {
    Server s(Server::Options{listen}, other, nullptr, nullptr);
    Status st = s.Start();
    if (std::string(listen) == "[::1]:0" && !st.ok()) continue;  // no IPv6 in this sandbox
    ASSERT_TRUE(st.ok()) << listen << ": " << st.ToString();
    EXPECT_GT(s.port(), 0);
    s.Stop();
  }
}

}  // namespace
}  // namespace rectify::http
