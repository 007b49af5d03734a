#pragma once

// The metrics and health listener: a small HTTP/1.1 server (Boost.Beast over Boost.Asio).
//
//   GET|HEAD /metrics  200, Metrics::Render() after `collect` ("text/plain; version=0.0.4")
//   GET|HEAD /healthz  200 "ok" while the process serves HTTP at all (liveness)
//   GET|HEAD /readyz   200 "ready" when ready() says so, else 503 "not ready" (readiness)
//   other methods on those paths 405, any other path 404
//
// Keep-alive is supported. Limits: request header and body sizes (431 / 413, then close), one
// deadline for each whole request to arrive (read_timeout; it also bounds idle keep-alive
// connections, so a client that connects and sends nothing, or trickles bytes, is dropped), a
// write deadline, and a cap on open connections (the excess are closed on accept).
//
// Threads: two of its own. The network thread runs the io_context (accept, parse, write) and
// answers /healthz and /readyz inline, so `ready` must be cheap and must not block (an atomic
// load). The scrape thread runs `collect` and Render for /metrics, one scrape at a time, so a
// slow `collect` delays other scrapes but never the health endpoints, and never a gRPC or
// engine thread. `collect` may read engine/store/hub state; it runs on the scrape thread only.
// Exceptions thrown by `collect` or `ready` are caught (500 / 503) and logged.
//
// Lifecycle: construct, Start (binds, then serves), Stop (closes the listener and every
// connection, waits for a scrape in flight to finish, joins both threads). Stop is idempotent
// and also run by the destructor; a stopped Server is not restarted.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/metrics.h"

namespace rectify::http {

class Server {
 public:
  struct Options {
    // host:port. host is an IP literal ("127.0.0.1", "0.0.0.0", "[::1]", "::"), "localhost",
    // or empty / "*" for every IPv4 interface; no DNS lookups. Port 0 picks a free port.
    std::string listen = "127.0.0.1:9464";
    std::chrono::milliseconds read_timeout{10000};   // a whole request, or keep-alive idle
    std::chrono::milliseconds write_timeout{10000};  // a whole response
    size_t max_header_bytes = 8 * 1024;
    size_t max_body_bytes = 4 * 1024;  // nothing we serve takes a body
    size_t max_connections = 64;
  };

  Server(Options options, Metrics& metrics, std::function<void()> collect,
         std::function<bool()> ready);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving. INVALID_ARGUMENT for an address that does not parse,
  // UNAVAILABLE when it cannot be bound (in use, not permitted), FAILED_PRECONDITION when
  // called twice.
  Status Start();
  // The bound port (the chosen one when listening on port 0); 0 before Start.
  int port() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rectify::http
