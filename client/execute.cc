#include "client/execute.h"

#include "common/token.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <future>

#include <charconv>
#include <memory>
#include <optional>
#include <ostream>
#include <set>

#include "client/actor_header.h"
#include "client/interrupt.h"
#include "client/ledger_exec.h"
#include "client/render.h"
#include "client/status_names.h"
#include "rectify/v1/rectify.grpc.pb.h"

namespace rectify::client {
namespace {

// The daemon ends a watch with the revision to resume from in this trailer (rpc/watch_service.cc).
constexpr std::string_view kResumeTrailer = "x-rectify-resume-revision";

std::optional<uint64_t> ResumeTrailer(const grpc::ClientContext& ctx) {
  const auto& trailers = ctx.GetServerTrailingMetadata();
  const auto it = trailers.find(grpc::string_ref(kResumeTrailer.data(), kResumeTrailer.size()));
  if (it == trailers.end()) return std::nullopt;
  uint64_t value = 0;
  const char* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::shared_ptr<grpc::Channel> OpenChannel(const GlobalOptions& g) {
  if (!g.tls) return grpc::CreateChannel(g.addr, grpc::InsecureChannelCredentials());
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = g.tls_ca;
  ssl.pem_cert_chain = g.tls_cert;
  ssl.pem_private_key = g.tls_key;
  grpc::ChannelArguments args;
  if (!g.tls_server_name.empty()) args.SetSslTargetNameOverride(g.tls_server_name);
  return grpc::CreateCustomChannel(g.addr, grpc::SslCredentials(ssl), args);
}

// Visits the parsed command with one open channel. Each handler makes its call(s), prints, and
// returns the exit code.
class Session {
 public:
  Session(const Invocation& inv, std::ostream& out, std::ostream& err, const ExecuteOptions& opts)
      : global_(inv.global), out_(out), err_(err), opts_(opts) {
    auto channel = OpenChannel(global_);
    channel_ = channel;
    items_ = v1::ItemService::NewStub(channel);
    watch_ = v1::WatchService::NewStub(channel);
    admin_ = v1::AdminService::NewStub(channel);
    reminders_ = v1::ReminderService::NewStub(channel);
  }

  int operator()(const CreateCommand& cmd) {
    v1::Item item;
    grpc::ClientContext ctx;
    Prepare(&ctx, /*unary=*/true);
    const grpc::Status status = items_->CreateItem(&ctx, cmd.request, &item);
    return PrintItemResult(status, item, "create", v1::ACTION_UNSPECIFIED);
  }

  int operator()(const GetCommand& cmd) {
    return Unary(*items_, &v1::ItemService::Stub::GetItem, cmd.request,
                 [&](const v1::Item& item) { return ItemSheet(item, global_.lang); });
  }

  int operator()(const ListCommand& cmd) {
    v1::ListItemsRequest request = cmd.request;
    v1::ListItemsResponse merged;
    std::set<std::string> seen_tokens;
    bool first = true;
    while (true) {
      v1::ListItemsResponse page;
      grpc::ClientContext ctx;
      Prepare(&ctx, true);
      const grpc::Status status = items_->ListItems(&ctx, request, &page);
      if (!status.ok()) return Fail(status);
      // The merged answer carries the revision of the first page: watching from it + 1 can
      // replay a change seen on a later page, but never misses one.
      if (first) merged.set_revision(page.revision());
      first = false;
      for (v1::Item& item : *page.mutable_items()) merged.add_items()->Swap(&item);
      merged.set_next_page_token(page.next_page_token());
      if (!cmd.all || page.next_page_token().empty()) break;
      if (!seen_tokens.insert(page.next_page_token()).second) {
        err_ << "rectifyctl: the daemon returned the same page token twice; stopping\n";
        return kExitRpcError;
      }
      request.set_page_token(page.next_page_token());
    }
    if (Json()) {
      out_ << ToJson(merged) << '\n';
      return kExitOk;
    }
    out_ << ItemsTable(merged.items(), global_.lang);
    const bool zh = global_.lang == Lang::kZh;
    out_ << (zh ? "共 " : "") << merged.items_size() << (zh ? " 项" : " items");
    if (!merged.next_page_token().empty()) {
      out_ << (zh ? "；下一页：--page-token " : "; next page: --page-token ")
           << merged.next_page_token();
    }
    out_ << '\n';
    return kExitOk;
  }

  int operator()(const UpdateCommand& cmd) {
    v1::Item item;
    grpc::ClientContext ctx;
    Prepare(&ctx, true);
    const grpc::Status status = items_->UpdateItem(&ctx, cmd.request, &item);
    return PrintItemResult(status, item, "update", v1::ACTION_UNSPECIFIED);
  }

  int operator()(const HistoryCommand& cmd) {
    v1::GetHistoryRequest request = cmd.request;
    v1::GetHistoryResponse merged;
    std::set<std::string> seen_tokens;
    bool first = true;
    while (true) {
      v1::GetHistoryResponse page;
      grpc::ClientContext ctx;
      Prepare(&ctx, true);
      const grpc::Status status = items_->GetHistory(&ctx, request, &page);
      if (!status.ok()) return Fail(status);
      if (first) merged.set_revision(page.revision());
      first = false;
      for (v1::Event& e : *page.mutable_events()) merged.add_events()->Swap(&e);
      if (page.next_page_token().empty()) break;
      if (!seen_tokens.insert(page.next_page_token()).second) {
        err_ << "rectifyctl: the daemon returned the same page token twice; stopping\n";
        return kExitRpcError;
      }
      request.set_page_token(page.next_page_token());
    }
    if (Json()) {
      out_ << ToJson(merged) << '\n';
    } else {
      out_ << HistoryTable(merged.events(), global_.lang);
    }
    return kExitOk;
  }

  int operator()(const TransitionCommand& cmd) {
    v1::Item item;
    grpc::ClientContext ctx;
    Prepare(&ctx, true);
    const grpc::Status status = items_->Transition(&ctx, cmd.request, &item);
    return PrintItemResult(status, item, cmd.name, cmd.request.action());
  }

  int operator()(const ProgressCommand& cmd) {
    v1::Item item;
    grpc::ClientContext ctx;
    Prepare(&ctx, true);
    const grpc::Status status = items_->AddProgress(&ctx, cmd.request, &item);
    return PrintItemResult(status, item, "progress", v1::ACTION_UNSPECIFIED);
  }

  int operator()(const ServerInfoCommand&) {
    return Unary(*admin_, &v1::AdminService::Stub::GetServerInfo, v1::GetServerInfoRequest(),
                 [&](const v1::ServerInfo& info) { return ServerInfoSheet(info, global_.lang); });
  }

  int operator()(const RemindRunCommand& cmd) {
    return Unary(*reminders_, &v1::ReminderService::Stub::RunReminders, cmd.request,
                 [&](const auto& r) { return RunRemindersText(r, global_.lang); });
  }

  int operator()(const RemindListCommand& cmd) {
    return Unary(*reminders_, &v1::ReminderService::Stub::ListReminders, cmd.request,
                 [&](const auto& r) { return RemindersListText(cmd.request, r, global_.lang); });
  }

  int operator()(const CalendarCommand& cmd) {
    return Unary(*admin_, &v1::AdminService::Stub::GetCalendar, cmd.request,
                 [&](const auto& r) { return CalendarText(r, global_.lang); });
  }

  int operator()(const AddWorkingDaysCommand& cmd) {
    return Unary(*admin_, &v1::AdminService::Stub::AddWorkingDays, cmd.request,
                 [&](const auto& r) {
                   return AddWorkingDaysLine(cmd.request, r, global_.lang) + "\n";
                 });
  }

  int operator()(const SetClockCommand& cmd) {
    return Unary(*admin_, &v1::AdminService::Stub::SetClock, cmd.request,
                 [&](const v1::ServerInfo& info) { return ServerInfoSheet(info, global_.lang); });
  }

  int operator()(const HealthCommand&) {
    // HealthCheckRequest{service: ""} is the empty message; the answer's field 1 is the status
    // enum, SERVING = 1: encoded by hand rather than carrying a copy of health.proto.
    grpc::GenericStub stub(channel_);
    grpc::ClientContext ctx;
    Prepare(&ctx, /*unary=*/true);
    grpc::ByteBuffer request, response;
    grpc::Slice empty;
    request = grpc::ByteBuffer(&empty, 1);
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                   &response, [&done](grpc::Status st) { done.set_value(std::move(st)); });
    const grpc::Status status = done.get_future().get();
    if (!status.ok()) return Fail(status);
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (response.Dump(&slices).ok()) {
      for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    const bool serving = bytes.size() == 2 && bytes[0] == 0x08 && bytes[1] == 0x01;
    out_ << (Json() ? (serving ? "{\"status\":\"SERVING\"}" : "{\"status\":\"NOT_SERVING\"}")
                    : (serving ? "SERVING" : "NOT_SERVING"))
         << '\n';
    return serving ? kExitOk : kExitRpcError;
  }

  int operator()(const HashTokenCommand& cmd) {
    std::string token = cmd.token;
    if (token.empty()) {
      auto made = GenerateToken();
      if (!made.ok()) return Local(made.status().message());
      token = *made;
    }
    auto hash = HashToken(token);
    if (!hash.ok()) return Local(hash.status().message());
    if (Json()) {
      out_ << "{\"token\":\"" << (cmd.token.empty() ? token : "") << "\",\"token_hash\":\""
           << *hash << "\"}\n";
      return kExitOk;
    }
    if (cmd.token.empty()) {
      out_ << "token (give it to the caller; it is not stored anywhere): " << token << '\n';
    }
    out_ << "for the principal in the config:\ntoken_hashes = [\"" << *hash << "\"]\n";
    return kExitOk;
  }

  // Year-end commands (issue #6): ledger_exec.cc.
  int operator()(const ReportCommand& cmd) { return RunReport(global_, channel_, cmd, out_, err_); }
  int operator()(const ExportCommand& cmd) { return RunExport(global_, channel_, cmd, out_, err_); }
  int operator()(const ImportCommand& cmd) { return RunImport(global_, channel_, cmd, out_, err_); }

  int operator()(const BackupCommand& cmd) {
    return Unary(*admin_, &v1::AdminService::Stub::Backup, cmd.request,
                 [&](const v1::BackupResponse& r) {
                   return (global_.lang == Lang::kZh ? "备份完成：" : "backup written: ") +
                          r.dir() + (global_.lang == Lang::kZh ? " 修订号 " : " revision ") +
                          std::to_string(r.revision()) + "\n";
                 });
  }

  int operator()(const VerifyAuditCommand& cmd) {
    v1::VerifyAuditResponse response;
    const int code = Unary(*admin_, &v1::AdminService::Stub::VerifyAudit, cmd.request,
                           [&](const auto& r) { return VerifyAuditText(r, global_.lang); },
                           &response);
    return code == kExitOk && !response.ok() ? kExitAuditBroken : code;
  }

  int operator()(const WatchCommand& cmd) {
    grpc::ClientContext ctx;  // outlives the interrupt watcher, which may cancel it
    Prepare(&ctx, /*unary=*/false);
    std::optional<InterruptWatcher> interrupts;
    if (opts_.handle_signals) interrupts.emplace([&ctx] { ctx.TryCancel(); });

    uint64_t last = 0;  // the last revision an event or a progress response vouched for
    std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader =
        watch_->Watch(&ctx, cmd.request);
    v1::WatchResponse response;
    while (reader->Read(&response)) {
      if (response.events_size() == 0) {
        last = std::max(last, response.revision());
        if (Json()) {
          out_ << ProgressJson(response.revision()) << '\n';
        } else {
          out_ << (global_.lang == Lang::kZh ? "# 进度：修订号 " : "# progress: revision ")
               << response.revision() << '\n';
        }
      }
      for (const v1::Event& event : response.events()) {
        last = std::max(last, event.revision());
        out_ << (Json() ? ToJson(event) : WatchEventLine(event, global_.lang)) << '\n';
      }
      out_.flush();
    }
    const grpc::Status status = reader->Finish();
    const bool interrupted = interrupts && interrupts->interrupted();
    interrupts.reset();

    uint64_t resume_from = last + 1;
    if (last == 0) {
      // Nothing seen: the daemon's word on where to resume (its trailer, e.g. the current
      // revision for a "from now" watch, or the compact revision after OUT_OF_RANGE), else the
      // original start.
      resume_from = ResumeTrailer(ctx).value_or(cmd.request.start_revision());
    }
    err_ << "stream ended at revision " << last << " ("
         << (interrupted ? "CANCELLED: interrupted" : FormatStatus(status))
         << "); resume with: " << ResumeCommand(global_, cmd.request, resume_from) << '\n';
    // Ctrl-C is how a person stops watching: not an error.
    return status.ok() || interrupted ? kExitOk : kExitRpcError;
  }

 private:
  bool Json() const { return global_.output == OutputFormat::kJson; }

  void Prepare(grpc::ClientContext* ctx, bool unary) const {
    if (unary) ctx->set_deadline(std::chrono::system_clock::now() + global_.timeout);
    if (!global_.actor.empty())
      ctx->AddMetadata(kActorMetadataKey, EncodeActorHeader(global_.actor));
    if (!global_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + global_.token);
  }

  // One unary call: the response as JSON with -o json, else as `render` prints it.
  template <typename Stub, typename Req, typename Resp, typename Render>
  int Unary(Stub& stub, grpc::Status (Stub::*call)(grpc::ClientContext*, const Req&, Resp*),
            const Req& request, Render render, Resp* answer = nullptr) {
    Resp local;
    Resp& response = answer != nullptr ? *answer : local;
    grpc::ClientContext ctx;
    Prepare(&ctx, /*unary=*/true);
    const grpc::Status status = (stub.*call)(&ctx, request, &response);
    if (!status.ok()) return Fail(status);
    if (Json()) {
      out_ << ToJson(response) << '\n';
    } else {
      out_ << render(response);
    }
    return kExitOk;
  }

  int Fail(const grpc::Status& status) {
    err_ << FormatStatus(status) << '\n';
    return kExitRpcError;
  }

  // A failure before any call was made.
  int Local(std::string_view message) {
    err_ << "rectifyctl: " << message << '\n';
    return kExitRpcError;
  }

  int PrintItemResult(const grpc::Status& status, const v1::Item& item, std::string_view command,
                      v1::Action action) {
    if (!status.ok()) return Fail(status);
    if (Json()) {
      out_ << ToJson(item) << '\n';
    } else {
      out_ << MutationSummary(command, action, item, global_.lang) << '\n';
    }
    return kExitOk;
  }

  const GlobalOptions& global_;
  std::ostream& out_;
  std::ostream& err_;
  const ExecuteOptions& opts_;
  std::unique_ptr<v1::ItemService::Stub> items_;
  std::unique_ptr<v1::WatchService::Stub> watch_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  std::unique_ptr<v1::ReminderService::Stub> reminders_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace

int Execute(const Invocation& invocation, std::ostream& out, std::ostream& err,
            const ExecuteOptions& options) {
  Session session(invocation, out, err, options);
  const int code = std::visit(session, invocation.command);
  out.flush();
  return code;
}

}  // namespace rectify::client
