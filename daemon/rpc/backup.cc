// The admin calls that wait on disk for long: Backup (issue #8, an online RocksDB checkpoint:
// store::Store::Backup) and VerifyAudit (issue #5, a walk of the whole event log). Authorised
// and shape-checked here, then run as the one long job at a time on a thread of its own: a
// reactor callback must never block.

#include <filesystem>

#include "common/logging.h"
#include "rpc/services.h"
#include "rpc/unary_call.h"

namespace rectify::rpc {

AdminService::~AdminService() {
  std::thread t;
  {
    std::lock_guard lock(long_mu_);
    t = std::move(long_thread_);
  }
  if (t.joinable()) t.join();
}

bool AdminService::StartLongJob(std::function<std::function<void()>()> job) {
  std::lock_guard lock(long_mu_);
  if (long_running_) return false;
  long_running_ = true;
  if (long_thread_.joinable()) long_thread_.join();  // the previous one, finished
  long_thread_ = std::thread([this, job = std::move(job)] {
    std::function<void()> finish = job();
    {
      std::lock_guard lock(long_mu_);
      long_running_ = false;
    }
    finish();
  });
  return true;
}

grpc::ServerUnaryReactor* AdminService::Backup(grpc::CallbackServerContext* ctx, const Raw* in,
                                               Raw* out) {
  return Serve<v1::BackupRequest, v1::BackupResponse>(ctx, in, out, callers_, [&](auto* call) {
    // The policy table (domain/policy.h): admins only, unless the ledger runs in open mode.
    auto actor = callers_.Authorize(*ctx, domain::Operation::kBackup);
    if (!actor.ok()) return call->Finish(actor.status());
    const std::string& dir = call->request.dir();
    if (dir.empty() || std::filesystem::path(dir).is_relative()) {
      return call->Finish(InvalidArgument(
          "dir must be an absolute path on the daemon's host (it must not exist yet), got \"" +
          dir + "\""));
    }
    const bool started = StartLongJob([this, call, who = actor->name] {
      auto r = engine_.store().Backup(call->request.dir());
      if (r.ok()) {
        call->response.set_dir(call->request.dir());
        call->response.set_revision(*r);
        Logger("rpc")->info("backup dir={} revision={} actor={}", call->request.dir(), *r, who);
      }
      return std::function<void()>([call, st = r.status()] { call->Finish(st); });
    });
    if (!started) {
      call->Finish(Unavailable("a backup or audit verification is running; retry when it is "
                               "done"));
    }
  });
}

grpc::ServerUnaryReactor* AdminService::VerifyAudit(grpc::CallbackServerContext* ctx,
                                                    const Raw* in, Raw* out) {
  return Serve<v1::VerifyAuditRequest, v1::VerifyAuditResponse>(
      ctx, in, out, callers_, [&](auto* call) {
        auto actor = callers_.Authorize(*ctx, domain::Operation::kVerifyAudit);
        if (!actor.ok()) return call->Finish(actor.status());
        // One call reads every retained event: minutes on a large ledger.
        const bool started = StartLongJob([this, call] {
          auto r = engine_.VerifyAudit();
          if (r.ok()) call->response = std::move(r).value();
          return std::function<void()>([call, st = r.status()] { call->Finish(st); });
        });
        if (!started) {
          call->Finish(Unavailable("a backup or audit verification is running; retry when it "
                                   "is done"));
        }
      });
}

}  // namespace rectify::rpc
