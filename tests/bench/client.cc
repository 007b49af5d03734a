#include "client.h"

namespace rectify::bench {

std::string PercentEncode(std::string_view s) {
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

void SetUp(grpc::ClientContext& ctx, const std::string& actor, std::chrono::milliseconds timeout) {
  if (!actor.empty()) ctx.AddMetadata("x-rectify-actor", PercentEncode(actor));
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
}

Client::Client(const std::string& addr, int channels) : addr_(addr) {
  for (int i = 0; i < std::max(1, channels); ++i) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);  // a reminder run's answer can pass 4 MB
    // Distinct arguments and a local subchannel pool: each channel gets its own connection.
    args.SetInt("rectify_bench.channel", i);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    Conn c;
    c.channel = grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args);
    c.items = v1::ItemService::NewStub(c.channel);
    c.admin = v1::AdminService::NewStub(c.channel);
    c.watch = v1::WatchService::NewStub(c.channel);
    c.reminders = v1::ReminderService::NewStub(c.channel);
    conns_.push_back(std::move(c));
  }
}

grpc::Status Client::Info(v1::ServerInfo* info) {
  grpc::ClientContext ctx;
  SetUp(ctx, "", std::chrono::seconds(10));
  return admin().GetServerInfo(&ctx, v1::GetServerInfoRequest(), info);
}

}  // namespace rectify::bench
