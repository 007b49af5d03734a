#include "http/server.h"

#include <array>
#include <atomic>
#include <charconv>
#include <exception>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/logging.h"
#include "common/thread_name.h"

namespace rectify::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;  // "http" is this namespace
using tcp = asio::ip::tcp;

constexpr std::string_view kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kTextType = "text/plain; charset=utf-8";
// After an error response the client may still be sending (an oversized header): read and
// discard for a while before closing, so the kernel does not answer its data with a reset that
// destroys our response before the client reads it.
constexpr std::chrono::milliseconds kLingerMax{2000};
constexpr size_t kLingerBytes = 1 << 20;

// host:port -> endpoint, without DNS: Start must not block on a resolver.
Result<tcp::endpoint> ParseListen(std::string_view listen) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("http listen address \"" + std::string(listen) + "\": " +
                           std::string(why) + " (want host:port, e.g. 127.0.0.1:9464)");
  };
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = listen.substr(0, colon);
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad("the port is not a number from 0 to 65535");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  asio::ip::address address;
  if (host.empty() || host == "*") {
    address = asio::ip::address_v4::any();
  } else if (host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else {
    boost::system::error_code error;
    address = asio::ip::make_address(std::string(host), error);
    if (error) return bad("the host is not an IP address");
  }
  return tcp::endpoint(address, static_cast<unsigned short>(port));
}

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

class Session;

// What the sessions share with the server. Held by every session, so it outlives them all
// however their destruction is ordered at shutdown.
struct Shared {
  Shared(Server::Options o, Metrics& m, std::function<void()> c, std::function<bool()> r,
         asio::thread_pool::executor_type ex)
      : options(std::move(o)), metrics(m), collect(std::move(c)), ready(std::move(r)),
        scrape(ex) {}

  const Server::Options options;
  Metrics& metrics;
  std::function<void()> collect;
  std::function<bool()> ready;
  asio::thread_pool::executor_type scrape;
  std::shared_ptr<spdlog::logger> log = Logger("http");
  std::mutex mu;
  std::unordered_set<Session*> sessions;  // open connections, for the cap and for Stop
};

// One connection: read a request, answer it, repeat while keep-alive. Every handler runs on
// the network thread except the body of a scrape, which runs on the scrape thread and posts
// its answer back.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)),
        shared_(std::move(shared)),
        opts_(shared_->options),
        // Larger than the parser's limits, so they (not the buffer) decide what is too big.
        buffer_(opts_.max_header_bytes + opts_.max_body_bytes + 16 * 1024) {
    std::lock_guard lock(shared_->mu);
    shared_->sessions.insert(this);
  }

  ~Session() {
    std::lock_guard lock(shared_->mu);
    shared_->sessions.erase(this);
  }

  void Start() { ReadRequest(); }

  // Server::Stop, once no thread runs the io_context any more.
  void CloseNow() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

 private:
  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(opts_.max_header_bytes));
    parser_->body_limit(opts_.max_body_bytes);
    head_ = false;
    keep_alive_ = false;
    version_ = 11;
    // One deadline for the whole request: a client trickling bytes gets no more time than one
    // that sends nothing. Between keep-alive requests it is the idle timeout.
    stream_.expires_after(opts_.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return Close();
    if (ec == beast::error::timeout) {
      shared_->log->debug("http connection dropped reason=read_timeout");
      return Close();
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return Fail(bhttp::status::request_header_fields_too_large, "request header too large\n");
    }
    if (ec == bhttp::error::body_limit) {
      return Fail(bhttp::status::payload_too_large, "request body too large\n");
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      return Fail(bhttp::status::bad_request, "malformed request\n");
    }
    if (ec) return Close();
    Handle();
  }

  void Handle() {
    const auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    const bool get_or_head = head_ || req.method() == bhttp::verb::get;
    std::string_view path = View(req.target());
    path = path.substr(0, path.find('?'));
    method_ = View(req.method_string());
    path_ = path;

    if (path != "/metrics" && path != "/healthz" && path != "/readyz") {
      return Reply(bhttp::status::not_found, "not found\n", kTextType);
    }
    if (!get_or_head) {
      return Reply(bhttp::status::method_not_allowed, "method not allowed\n", kTextType);
    }
    if (path == "/healthz") return Reply(bhttp::status::ok, "ok\n", kTextType);
    if (path == "/readyz") {
      bool ready = false;
      try {
        ready = !shared_->ready || shared_->ready();
      } catch (const std::exception& e) {
        shared_->log->warn("readiness check threw error={}", e.what());
      } catch (...) {
        shared_->log->warn("readiness check threw");
      }
      return ready ? Reply(bhttp::status::ok, "ready\n", kTextType)
                   : Reply(bhttp::status::service_unavailable, "not ready\n", kTextType);
    }
    Scrape();
  }

  // collect + Render on the scrape thread; the answer is written from the network thread.
  void Scrape() {
    asio::post(shared_->scrape, [self = shared_from_this()]() mutable {
      auto status = bhttp::status::ok;
      std::string body;
      try {
        if (self->shared_->collect) self->shared_->collect();
        body = self->shared_->metrics.Render();
      } catch (const std::exception& e) {
        self->shared_->log->error("metrics scrape failed error={}", e.what());
        status = bhttp::status::internal_server_error;
        body = "metrics collection failed\n";
      } catch (...) {
        self->shared_->log->error("metrics scrape failed error=unknown exception");
        status = bhttp::status::internal_server_error;
        body = "metrics collection failed\n";
      }
      auto ex = self->stream_.get_executor();
      asio::post(ex, [self = std::move(self), status, body = std::move(body)]() mutable {
        self->Reply(status, std::move(body),
                    status == bhttp::status::ok ? kMetricsType : kTextType);
      });
    });
  }

  // An error found while reading: answer it and close.
  void Fail(bhttp::status status, std::string body) {
    shared_->log->debug("http request refused status={}", static_cast<int>(status));
    method_ = "-";
    path_ = "-";
    Reply(status, std::move(body), kTextType, /*close=*/true);
  }

  void Reply(bhttp::status status, std::string body, std::string_view content_type,
             bool close = false) {
    shared_->log->debug("http request method={} path={} status={}", method_, path_,
                        static_cast<int>(status));
    close_after_ = close || !keep_alive_;
    res_ = {};
    res_.version(version_);
    res_.result(status);
    res_.set(bhttp::field::server, "rectifyd");
    res_.set(bhttp::field::content_type, beast::string_view(content_type.data(),
                                                            content_type.size()));
    res_.set(bhttp::field::cache_control, "no-store");
    if (status == bhttp::status::method_not_allowed) res_.set(bhttp::field::allow, "GET, HEAD");
    res_.keep_alive(!close_after_);
    // HEAD: the headers GET would send, Content-Length included, and no body.
    res_.content_length(body.size());
    if (!head_) res_.body() = std::move(body);
    stream_.expires_after(opts_.write_timeout);
    bhttp::async_write(stream_, res_,
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    if (ec) return Close();
    if (close_after_) return LingeringClose();
    ReadRequest();
  }

  void LingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(std::min<std::chrono::milliseconds>(opts_.read_timeout, kLingerMax));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_),
                            beast::bind_front_handler(&Session::OnDrain, shared_from_this()));
  }

  void OnDrain(beast::error_code ec, std::size_t n) {
    drained_ += n;
    if (ec || drained_ > kLingerBytes) return Close();
    Drain();
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  const std::shared_ptr<Shared> shared_;
  const Server::Options& opts_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  std::array<char, 4096> drain_;
  size_t drained_ = 0;
  unsigned version_ = 11;
  bool head_ = false;
  bool keep_alive_ = false;
  bool close_after_ = false;
  std::string method_ = "-", path_ = "-";  // for the log line
};

}  // namespace

struct Server::Impl {
  Impl(Options o, Metrics& m, std::function<void()> c, std::function<bool()> r)
      : options(std::move(o)), metrics(m), collect(std::move(c)), ready(std::move(r)) {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of file descriptors, say: back off instead of spinning on the error.
        shared->log->warn("http accept failed, retrying error={}", ec.message());
        retry.expires_after(std::chrono::milliseconds(100));
        retry.async_wait([this](beast::error_code e) {
          if (!e) Accept();
        });
        return;
      }
      size_t open;
      {
        std::lock_guard lock(shared->mu);
        open = shared->sessions.size();
      }
      if (open >= options.max_connections) {
        shared->log->debug("http connection refused reason=max_connections open={}", open);
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<Session>(std::move(socket), shared)->Start();
      }
      Accept();
    });
  }

  void Run() {
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (const std::exception& e) {
        shared->log->error("http handler threw, connection dropped error={}", e.what());
      } catch (...) {
        shared->log->error("http handler threw, connection dropped");
      }
    }
  }

  const Options options;
  Metrics& metrics;
  std::function<void()> collect;
  std::function<bool()> ready;

  // Destroyed in reverse order: the scrape pool (and any session a queued scrape still holds)
  // goes before the io_context its sockets belong to.
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry{ioc};
  std::optional<asio::thread_pool> scrape;
  std::shared_ptr<Shared> shared;
  std::thread thread;
  std::atomic<int> port{0};
  std::mutex lifecycle_mu;
  bool started = false;
  bool stopped = false;
};

Server::Server(Options options, Metrics& metrics, std::function<void()> collect,
               std::function<bool()> ready)
    : impl_(std::make_unique<Impl>(std::move(options), metrics, std::move(collect),
                                   std::move(ready))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle_mu);
  if (s.started || s.stopped) return FailedPrecondition("the http server was already started");
  ASSIGN_OR_RETURN(tcp::endpoint endpoint, ParseListen(s.options.listen));
  auto fail = [&](std::string_view what, const beast::error_code& ec) {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    return Unavailable("http: cannot " + std::string(what) + " " + s.options.listen + ": " +
                       ec.message());
  };
  beast::error_code ec;
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for", ec);
  s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on", ec);
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind", ec);
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on", ec);
  tcp::endpoint bound = s.acceptor.local_endpoint(ec);
  if (ec) return fail("read the bound address of", ec);
  s.port = bound.port();

  s.scrape.emplace(1);
  s.shared = std::make_shared<Shared>(s.options, s.metrics, s.collect, s.ready,
                                      s.scrape->get_executor());
  s.started = true;
  s.Accept();
  s.thread = std::thread([&s] {
    SetThreadName("rfy-http");
    s.Run();
  });
  s.shared->log->info("http serving addr={}:{} endpoints=/metrics,/healthz,/readyz",
                      bound.address().to_string(), bound.port());
  return Status::Ok();
}

int Server::port() const { return impl_->port.load(); }

void Server::Stop() {
  Impl& s = *impl_;
  std::lock_guard lock(s.lifecycle_mu);
  if (s.stopped) return;
  s.stopped = true;
  if (!s.started) return;
  s.ioc.stop();
  s.thread.join();
  // A scrape in flight finishes (collect may be reading engine state the caller is about to
  // tear down); queued ones are dropped. Their answers land in the stopped io_context.
  s.scrape->stop();
  s.scrape->join();
  beast::error_code ignored;
  s.acceptor.close(ignored);
  s.retry.cancel();
  {
    // No thread runs the io_context now, so closing sockets from here races with nothing.
    std::lock_guard sessions_lock(s.shared->mu);
    for (Session* session : s.shared->sessions) session->CloseNow();
  }
  s.shared->log->info("http stopped");
}

}  // namespace rectify::http
