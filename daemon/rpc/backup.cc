// AdminService.Backup (issue #8): an online RocksDB checkpoint of the ledger. Shape-checked and
// authorised here; the copy itself is store::Store::Backup, run on a thread of its own because
// it waits on disk (a flush and file copies) and a reactor callback must never block.

#include <filesystem>

#include "common/logging.h"
#include "rpc/services.h"
#include "rpc/unary_call.h"

namespace rectify::rpc {

AdminService::~AdminService() {
  std::thread t;
  {
    std::lock_guard lock(backup_mu_);
    t = std::move(backup_thread_);
  }
  if (t.joinable()) t.join();
}

grpc::ServerUnaryReactor* AdminService::Backup(grpc::CallbackServerContext* ctx, const Raw* in,
                                               Raw* out) {
  return Serve<v1::BackupRequest, v1::BackupResponse>(ctx, in, out, callers_, [&](auto* call) {
    const std::string& dir = call->request.dir();
    if (dir.empty() || std::filesystem::path(dir).is_relative()) {
      return call->Finish(InvalidArgument(
          "dir must be an absolute path on the daemon's host (it must not exist yet), got \"" +
          dir + "\""));
    }
    // The policy table (domain/policy.h): admins only, unless the ledger runs in open mode.
    auto actor = callers_.Authorize(*ctx, domain::Operation::kBackup);
    if (!actor.ok()) return call->Finish(actor.status());
    std::lock_guard lock(backup_mu_);
    if (backup_running_) {
      return call->Finish(Unavailable("a backup is already running; retry when it is done"));
    }
    backup_running_ = true;
    if (backup_thread_.joinable()) backup_thread_.join();  // the previous one, finished
    backup_thread_ = std::thread([this, call, who = actor->name] {
      auto r = engine_.store().Backup(call->request.dir());
      if (r.ok()) {
        call->response.set_dir(call->request.dir());
        call->response.set_revision(*r);
        Logger("rpc")->info("backup dir={} revision={} actor={}", call->request.dir(), *r, who);
      }
      {
        std::lock_guard lock(backup_mu_);
        backup_running_ = false;
      }
      call->Finish(r.status());
    });
  });
}

}  // namespace rectify::rpc
