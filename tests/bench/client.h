#pragma once

// The bench's gRPC side: several channels (separate TCP connections) to one rectifyd, their
// stubs, and contexts that name the caller. Read-only after construction, so any thread (the
// runner's, gRPC's callback threads) may use it.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "rectify/v1/rectify.grpc.pb.h"

namespace rectify::bench {

// x-rectify-actor carries ASCII only: everything else is %-encoded (the daemon decodes it).
std::string PercentEncode(std::string_view s);

// Names the caller (empty = anonymous) and sets the call's deadline.
void SetUp(grpc::ClientContext& ctx, const std::string& actor,
           std::chrono::milliseconds timeout = std::chrono::seconds(30));

// One unary call in flight: the context, request and response live until the callback ran.
template <typename Req, typename Resp>
struct Call {
  grpc::ClientContext ctx;
  Req req;
  Resp resp;
};

class Client {
 public:
  Client(const std::string& addr, int channels);

  const std::string& addr() const { return addr_; }
  int size() const { return static_cast<int>(conns_.size()); }
  v1::ItemService::Stub& items(int i = 0) { return *conns_[i % size()].items; }
  v1::AdminService::Stub& admin(int i = 0) { return *conns_[i % size()].admin; }
  v1::WatchService::Stub& watch(int i) { return *conns_[i % size()].watch; }
  v1::ReminderService::Stub& reminders(int i = 0) { return *conns_[i % size()].reminders; }

  // GetServerInfo, blocking.
  grpc::Status Info(v1::ServerInfo* info);

 private:
  struct Conn {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::ItemService::Stub> items;
    std::unique_ptr<v1::AdminService::Stub> admin;
    std::unique_ptr<v1::WatchService::Stub> watch;
    std::unique_ptr<v1::ReminderService::Stub> reminders;
  };
  std::string addr_;
  std::vector<Conn> conns_;
};

}  // namespace rectify::bench
