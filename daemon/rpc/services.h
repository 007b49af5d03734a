#pragma once

#include <functional>

// The gRPC services. Thin: parse and shape-check the request, identify the caller, hand it to
// the engine, finish the call when the engine answers. No semantic rule lives here. Reads run on
// the gRPC callback thread (RocksDB reads from a snapshot, no fsync); mutations complete from
// the engine's writer thread once their group is durable.

#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "rectify/v1/rectify.grpc.pb.h"
#include "rpc/caller.h"

namespace rectify::rpc {

namespace detail {
using v1::ItemService;
using ItemBase = ItemService::WithRawCallbackMethod_CreateItem<
    ItemService::WithRawCallbackMethod_GetItem<ItemService::WithRawCallbackMethod_ListItems<
        ItemService::WithRawCallbackMethod_UpdateItem<
            ItemService::WithRawCallbackMethod_Transition<
                ItemService::WithRawCallbackMethod_AddProgress<
                    ItemService::WithRawCallbackMethod_GetHistory<ItemService::Service>>>>>>>;
using v1::AdminService;
using AdminBase = AdminService::WithRawCallbackMethod_GetServerInfo<
    AdminService::WithRawCallbackMethod_SetClock<AdminService::WithRawCallbackMethod_GetCalendar<
        AdminService::WithRawCallbackMethod_AddWorkingDays<
            AdminService::WithRawCallbackMethod_Backup<
                AdminService::WithRawCallbackMethod_VerifyAudit<AdminService::Service>>>>>>;
using v1::ReminderService;
using ReminderBase = ReminderService::WithRawCallbackMethod_RunReminders<
    ReminderService::WithRawCallbackMethod_ListReminders<ReminderService::Service>>;
}  // namespace detail

class ItemService final : public detail::ItemBase {
 public:
  ItemService(engine::Engine& engine, const Callers& callers)
      : engine_(engine), callers_(callers) {}

  using Raw = grpc::ByteBuffer;
  grpc::ServerUnaryReactor* CreateItem(grpc::CallbackServerContext* ctx, const Raw* in,
                                       Raw* out) override;
  grpc::ServerUnaryReactor* GetItem(grpc::CallbackServerContext* ctx, const Raw* in,
                                    Raw* out) override;
  grpc::ServerUnaryReactor* ListItems(grpc::CallbackServerContext* ctx, const Raw* in,
                                      Raw* out) override;
  grpc::ServerUnaryReactor* UpdateItem(grpc::CallbackServerContext* ctx, const Raw* in,
                                       Raw* out) override;
  grpc::ServerUnaryReactor* Transition(grpc::CallbackServerContext* ctx, const Raw* in,
                                       Raw* out) override;
  grpc::ServerUnaryReactor* AddProgress(grpc::CallbackServerContext* ctx, const Raw* in,
                                        Raw* out) override;
  grpc::ServerUnaryReactor* GetHistory(grpc::CallbackServerContext* ctx, const Raw* in,
                                       Raw* out) override;

 private:
  engine::Engine& engine_;
  const Callers& callers_;
};

class AdminService final : public detail::AdminBase {
 public:
  // test_clock is the daemon's clock when it runs with --test-clock, else nullptr.
  AdminService(engine::Engine& engine, const Callers& callers, ManualClock* test_clock)
      : engine_(engine), callers_(callers), test_clock_(test_clock) {}
  using Raw = grpc::ByteBuffer;
  grpc::ServerUnaryReactor* GetServerInfo(grpc::CallbackServerContext* ctx, const Raw* in,
                                          Raw* out) override;
  grpc::ServerUnaryReactor* SetClock(grpc::CallbackServerContext* ctx, const Raw* in,
                                     Raw* out) override;
  grpc::ServerUnaryReactor* GetCalendar(grpc::CallbackServerContext* ctx, const Raw* in,
                                        Raw* out) override;
  grpc::ServerUnaryReactor* AddWorkingDays(grpc::CallbackServerContext* ctx, const Raw* in,
                                           Raw* out) override;
  // rpc/backup.cc. Backup and VerifyAudit wait on disk for seconds to minutes: they run as
  // the one long job at a time, on a thread of its own, never on a reactor callback.
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* ctx, const Raw* in,
                                   Raw* out) override;
  ~AdminService() override;
  grpc::ServerUnaryReactor* VerifyAudit(grpc::CallbackServerContext* ctx, const Raw* in,
                                        Raw* out) override;

 private:
  Result<v1::ServerInfo> Info();
  // Runs `job` on the long-job thread; false (nothing started) while another is running. The
  // job returns what finishes its call, run once the thread is free for the next job.
  bool StartLongJob(std::function<std::function<void()>()> job);
  std::mutex long_mu_;
  bool long_running_ = false;
  std::thread long_thread_;
  engine::Engine& engine_;
  const Callers& callers_;
  ManualClock* test_clock_;
};

class ReminderService final : public detail::ReminderBase {
 public:
  ReminderService(engine::Engine& engine, const Callers& callers)
      : engine_(engine), callers_(callers) {}
  using Raw = grpc::ByteBuffer;
  grpc::ServerUnaryReactor* RunReminders(grpc::CallbackServerContext* ctx, const Raw* in,
                                         Raw* out) override;
  grpc::ServerUnaryReactor* ListReminders(grpc::CallbackServerContext* ctx, const Raw* in,
                                          Raw* out) override;

 private:
  engine::Engine& engine_;
  const Callers& callers_;
};

}  // namespace rectify::rpc
